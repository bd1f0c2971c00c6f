"""Clean-up steps for a :class:`~posture.sequence.PoseSequence`.

Each function returns a new sequence and records its name and parameters in
``provenance.steps``: short-gap filling, zero-phase low-pass smoothing (files),
causal One Euro smoothing (live), and left/right leg swap repair (side views).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture.landmarks import LEG_PAIRS, N_LANDMARKS
from posture.sequence import PoseSequence
from posture.signals import true_runs


@dataclass(frozen=True)
class CleanupParams:
    max_gap_s: float = 0.25  # our choice: about 2 strides' worth of heel events is never invented
    lowpass_cutoff_hz: float = 6.0  # Winter (2009), Biomechanics and Motor Control of Human Movement: 6 Hz for gait kinematics
    lowpass_order: int = 2  # applied forwards and backwards, so the effective order is 4
    one_euro_min_cutoff_hz: float = 1.0  # Casiez et al. (2012) suggest starting at 1 Hz
    one_euro_beta: float = 0.05  # our choice for pixel coordinates, tuned by eye on webcam clips
    one_euro_d_cutoff_hz: float = 1.0  # Casiez et al. (2012)
    # Leg-swap repair only undoes flips that revert within this time. Our choice: MediaPipe's
    # near/far leg flips last a few frames; longer "swaps" found on the dev walks were false
    # alarms at leg crossings (they made foot labels worse on 3 of 5 side-view clips).
    max_swap_episode_s: float = 0.5


DEFAULT_CLEANUP = CleanupParams()


def _interp_short_gaps(values: np.ndarray, t: np.ndarray, max_gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Linearly fill NaN runs no longer than ``max_gap_s`` in (n, ...) ``values``; returns (filled, was_filled)."""
    out = np.array(values, dtype=np.float64)
    flat = out.reshape(len(out), -1)
    filled = np.zeros(len(out), dtype=bool)
    missing = ~np.isfinite(flat).all(axis=1)
    for a, b in true_runs(missing):
        if a == 0 or b == len(out):
            continue
        if t[b] - t[a - 1] > max_gap_s + 1e-9:
            continue
        w = (t[a:b] - t[a - 1]) / (t[b] - t[a - 1])
        flat[a:b] = flat[a - 1] * (1 - w[:, None]) + flat[b] * w[:, None]
        filled[a:b] = True
    return out, filled


def fill_gaps(seq: PoseSequence, max_gap_s: float = DEFAULT_CLEANUP.max_gap_s) -> PoseSequence:
    """Interpolate frames where the subject is missing, for gaps up to ``max_gap_s`` only.

    Filled frames get the lower of the bounding frames' visibility, halved, so
    that later checks treat them as less certain. Longer gaps stay NaN.
    """
    t = seq.timestamps_s
    xy, filled = _interp_short_gaps(seq.xy_px, t, max_gap_s)
    world, _ = _interp_short_gaps(seq.world_m, t, max_gap_s)
    depth, _ = _interp_short_gaps(seq.depth_px, t, max_gap_s)
    vis = np.array(seq.visibility)
    for a, b in true_runs(filled):
        vis[a:b] = 0.5 * np.minimum(seq.visibility[a - 1], seq.visibility[b])
    return seq.replace(
        step="fill_gaps", step_params={"max_gap_s": max_gap_s, "frames_filled": int(filled.sum())},
        xy_px=xy, world_m=world, depth_px=depth, visibility=vis,
    )


def lowpass_zero_phase(values: np.ndarray, fs_hz: float, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth low-pass applied forwards and backwards along axis 0, run by finite run.

    NaN in gives NaN out; runs too short to filter are left as they are. Assumes
    near-uniform sampling (resample first for strongly variable frame rates).
    """
    from scipy.signal import butter, filtfilt

    out = np.array(values, dtype=np.float64)
    if cutoff_hz >= 0.5 * fs_hz:
        return out
    b, a = butter(order, cutoff_hz / (0.5 * fs_hz))
    padlen = 3 * max(len(a), len(b))
    flat = out.reshape(len(out), -1)
    for col in range(flat.shape[1]):
        finite = np.isfinite(flat[:, col])
        for s, e in true_runs(finite):
            if e - s > padlen:
                flat[s:e, col] = filtfilt(b, a, flat[s:e, col])
    return out


def smooth_zero_phase(seq: PoseSequence, cutoff_hz: float = DEFAULT_CLEANUP.lowpass_cutoff_hz,
                      order: int = DEFAULT_CLEANUP.lowpass_order) -> PoseSequence:
    """Zero-phase low-pass of pixel, depth and world coordinates (for whole files, not live)."""
    fs = seq.fps
    return seq.replace(
        step="smooth_zero_phase", step_params={"cutoff_hz": cutoff_hz, "order": order, "fs_hz": round(fs, 4)},
        xy_px=lowpass_zero_phase(seq.xy_px, fs, cutoff_hz, order),
        world_m=lowpass_zero_phase(seq.world_m, fs, cutoff_hz, order),
        depth_px=lowpass_zero_phase(seq.depth_px, fs, cutoff_hz, order),
    )


class OneEuroFilter:
    """Causal One Euro filter (Casiez, Roussel and Vogel, CHI 2012) over arrays of any shape.

    Feed one sample at a time with its timestamp; NaN entries pass through and
    reset that entry's state.
    """

    def __init__(self, min_cutoff_hz: float = DEFAULT_CLEANUP.one_euro_min_cutoff_hz,
                 beta: float = DEFAULT_CLEANUP.one_euro_beta, d_cutoff_hz: float = DEFAULT_CLEANUP.one_euro_d_cutoff_hz):
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
        tau = 1.0 / (2 * np.pi * np.asarray(cutoff))
        return 1.0 / (1.0 + tau / dt)

    def reset(self) -> None:
        self._x = self._dx = self._t = None

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or t_s <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t_s
            return x.copy()
        dt = t_s - self._t
        prev = np.where(np.isfinite(self._x), self._x, x)
        dx = (x - prev) / dt
        a_d = self._alpha(self.d_cutoff_hz, dt)
        dx_hat = a_d * dx + (1 - a_d) * np.nan_to_num(self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = self._alpha(cutoff, dt)
        x_hat = a * x + (1 - a) * prev
        x_hat = np.where(np.isfinite(x), x_hat, np.nan)
        self._x, self._dx, self._t = x_hat, np.where(np.isfinite(dx_hat), dx_hat, 0.0), t_s
        return x_hat


def smooth_causal(seq: PoseSequence, params: CleanupParams = DEFAULT_CLEANUP) -> PoseSequence:
    """Apply the One Euro filter frame by frame, as the live path does (pixel and world coordinates)."""
    f_xy = OneEuroFilter(params.one_euro_min_cutoff_hz, params.one_euro_beta, params.one_euro_d_cutoff_hz)
    # world coordinates are in metres, ~500x smaller than pixels: scale beta to match
    f_w = OneEuroFilter(params.one_euro_min_cutoff_hz, params.one_euro_beta * 500, params.one_euro_d_cutoff_hz)
    xy = np.empty_like(seq.xy_px)
    world = np.empty_like(seq.world_m)
    for i, t in enumerate(seq.timestamps_s):
        xy[i] = f_xy(seq.xy_px[i], float(t))
        world[i] = f_w(seq.world_m[i], float(t))
    return seq.replace(
        step="smooth_causal",
        step_params={"min_cutoff_hz": params.one_euro_min_cutoff_hz, "beta": params.one_euro_beta,
                     "d_cutoff_hz": params.one_euro_d_cutoff_hz},
        xy_px=xy, world_m=world,
    )


def _swap_legs(arr: np.ndarray, frames: np.ndarray) -> None:
    for a, b in LEG_PAIRS:
        tmp = arr[frames, a].copy()
        arr[frames, a] = arr[frames, b]
        arr[frames, b] = tmp


def detect_leg_swaps(seq: PoseSequence, max_episode_s: float = DEFAULT_CLEANUP.max_swap_episode_s) -> np.ndarray:
    """(n,) bool: frames whose left/right leg labels look briefly exchanged.

    Tracks the labelling frame by frame: a frame's labels are judged exchanged
    when swapping the knee/ankle/heel/toe pairs continues a constant-velocity
    prediction from the two frames before clearly better (in body-size units).
    Only episodes that flip and flip back within ``max_episode_s`` are kept:
    MediaPipe's known side-view failure is a brief near/far leg flip, while a
    lone persistent "flip" is more often a leg crossing misread, and there is
    no telling which labelling is right.
    """
    legs = [k for pair in LEG_PAIRS[1:] for k in pair]  # knees, ankles, heels, toes (hips rarely swap alone)
    xy = np.array(seq.xy_px)
    n = len(xy)
    flipped = np.zeros(n, dtype=bool)
    perm = np.arange(N_LANDMARKS)
    for a, b in LEG_PAIRS:
        perm[a], perm[b] = b, a
    size = np.nanmedian(np.linalg.norm(xy[:, 11] - xy[:, 27], axis=1)) if np.isfinite(xy[:, [11, 27]]).any() else 1.0
    size = size if np.isfinite(size) and size > 0 else 1.0
    cur = xy.copy()
    for i in range(2, n):
        p1, p2 = cur[i - 1, legs], cur[i - 2, legs]
        if not (np.isfinite(p1).all() and np.isfinite(p2).all() and np.isfinite(cur[i, legs]).all()):
            continue
        pred = 2 * p1 - p2
        keep = np.linalg.norm(cur[i, legs] - pred, axis=1).sum() / size
        alt = np.linalg.norm(cur[i][perm][legs] - pred, axis=1).sum() / size
        if alt < 0.6 * keep and keep - alt > 0.15:  # our choice: clear margin so crossings are not flipped
            cur[i:] = cur[i:][:, perm]
            flipped[i:] = ~flipped[i:]
    t = seq.timestamps_s
    swapped = np.zeros(n, dtype=bool)
    for a, b in true_runs(flipped):
        if a > 0 and b < n and t[b] - t[a] <= max_episode_s + 1e-9:
            swapped[a:b] = True
    return swapped


def fix_leg_swaps(seq: PoseSequence, max_episode_s: float = DEFAULT_CLEANUP.max_swap_episode_s) -> PoseSequence:
    """Undo brief left/right leg label exchanges found by :func:`detect_leg_swaps`."""
    frames = np.flatnonzero(detect_leg_swaps(seq, max_episode_s))
    xy, world, depth = np.array(seq.xy_px), np.array(seq.world_m), np.array(seq.depth_px)
    vis, pres = np.array(seq.visibility), np.array(seq.presence)
    for arr in (xy, world, depth, vis, pres):
        _swap_legs(arr, frames)
    return seq.replace(
        step="fix_leg_swaps", step_params={"frames_swapped": int(len(frames)), "max_episode_s": max_episode_s},
        xy_px=xy, world_m=world, depth_px=depth, visibility=vis, presence=pres,
    )


def clean_for_analysis(seq: PoseSequence, side_view: bool = False,
                       params: CleanupParams = DEFAULT_CLEANUP) -> PoseSequence:
    """The standard file pipeline: fill short gaps, repair leg swaps (side views), low-pass."""
    out = fill_gaps(seq, params.max_gap_s)
    if side_view:
        out = fix_leg_swaps(out, params.max_swap_episode_s)
    if out.n_frames > 1:
        out = smooth_zero_phase(out, params.lowpass_cutoff_hz, params.lowpass_order)
    return out
