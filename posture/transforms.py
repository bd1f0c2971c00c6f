"""Metamorphic transforms of a :class:`PoseSequence`: the same movement as another camera would see it.

Each function returns a new validated sequence whose true answers are known from the original: a walk
resampled to 60 fps has the same cadence; mirrored, its left and right swap; panned, it is the same walk;
at half the size, the same angles; with a little jitter, the same findings; with the lower body cropped
away, the leg findings cannot be judged. The invariance tests (``tests/test_invariance.py``) run every
analysis on these and require the same finding ids and severities.

All coordinates stay in pixels (x right, y down) and metres; nothing uses MediaPipe's normalised x,y.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from posture import landmarks as L
from posture.sequence import PoseSequence, VideoInfo

_SWAP = np.asarray(L.SWAP_PERMUTATION)


def _with(seq: PoseSequence, step: str, params: dict, video: VideoInfo | None = None, **arrays) -> PoseSequence:
    return seq.replace(step=f"transform_{step}", step_params=params, video=video or seq.video, **arrays)


def _warp_masks(seq: PoseSequence, source_x, source_y=None) -> np.ndarray | None:
    """Person masks moved like the landmarks: ``source_x(x_px, i)`` (and ``source_y(y_px)``) give, for an output
    pixel of frame ``i`` in image pixels, where to read the input mask (nearest neighbour, 0 outside)."""
    if seq.masks is None:
        return None
    m = np.asarray(seq.masks)
    n, mh, mw = m.shape
    s = mw / float(seq.video.width)
    xs = (np.arange(mw) + 0.5) / s
    ys = (np.arange(mh) + 0.5) / s
    sy = ys if source_y is None else source_y(ys)
    rows = np.floor(sy * s).astype(int)
    out = np.zeros_like(m)
    rok = (rows >= 0) & (rows < mh)
    for i in range(n):
        cols = np.floor(source_x(xs, i) * s).astype(int)
        cok = (cols >= 0) & (cols < mw)
        out[i][np.ix_(rok, cok)] = m[i][np.ix_(rows[rok], cols[cok])]
    return out


def resample(seq: PoseSequence, fps: float) -> PoseSequence:
    """The sequence as a camera at ``fps`` would have sampled it (linear interpolation of every landmark).

    Frames where the person was missing stay missing (NaN) in the new timeline: a new frame is missing when
    the nearest original frame is. Visibility and presence are interpolated too.
    """
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}")
    t = np.asarray(seq.timestamps_s, float)
    t0, t1 = float(t[0]), float(t[-1]) + (1.0 / seq.fps if seq.n_frames > 1 else 0.0)
    new_t = np.arange(t0, t1 - 1e-9, 1.0 / fps) if seq.n_frames > 1 else t.copy()
    if new_t.size == 0:
        new_t = t[:1].copy()

    def interp(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, float)
        flat = a.reshape(len(t), -1)
        out = np.empty((len(new_t), flat.shape[1]))
        for j in range(flat.shape[1]):
            col = flat[:, j]
            ok = np.isfinite(col)
            out[:, j] = np.interp(new_t, t[ok], col[ok]) if ok.sum() >= 2 else np.nan
        nearest = np.clip(np.searchsorted(t, new_t), 0, len(t) - 1)
        prev = np.clip(nearest - 1, 0, len(t) - 1)
        near = np.where(np.abs(t[prev] - new_t) < np.abs(t[nearest] - new_t), prev, nearest)
        out[~np.isfinite(flat[near])] = np.nan
        return out.reshape((len(new_t),) + a.shape[1:])

    vis = np.nan_to_num(interp(seq.visibility))
    video = dataclasses.replace(seq.video, fps=float(fps), n_frames=int(len(new_t)))
    near_idx = np.clip(np.round((new_t - t0) * seq.fps).astype(int), 0, seq.n_frames - 1)
    return _with(seq, "resample", {"fps": fps}, video=video, xy_px=interp(seq.xy_px), world_m=interp(seq.world_m),
                 visibility=np.clip(vis, 0, 1), timestamps_s=new_t, depth_px=interp(seq.depth_px),
                 presence=interp(seq.presence), frame_index=np.arange(len(new_t)),
                 people_count=np.asarray(seq.people_count)[near_idx],
                 masks=None if seq.masks is None else np.asarray(seq.masks)[near_idx])


def mirror(seq: PoseSequence) -> PoseSequence:
    """Left-right mirror image: x -> width - x, the person's left and right landmarks exchanged, world x negated.

    A person facing image-right now faces image-left, with the other side toward the camera; every
    left/right result swaps sides.
    """
    xy = np.array(seq.xy_px)[:, _SWAP]
    xy[..., 0] = seq.video.width - xy[..., 0]
    world = np.array(seq.world_m)[:, _SWAP]
    world[..., 0] = -world[..., 0]
    return _with(seq, "mirror", {}, xy_px=xy, world_m=world, visibility=np.asarray(seq.visibility)[:, _SWAP],
                 depth_px=np.asarray(seq.depth_px)[:, _SWAP], presence=np.asarray(seq.presence)[:, _SWAP],
                 masks=None if seq.masks is None else np.ascontiguousarray(np.asarray(seq.masks)[:, :, ::-1]))


def pan(seq: PoseSequence, speed_px_s: float) -> PoseSequence:
    """A camera turning at a constant rate: every point shifts by ``-speed_px_s * t`` horizontally.

    Points may leave the image, as they would; the frame size is unchanged.
    """
    t = np.asarray(seq.timestamps_s, float) - float(seq.timestamps_s[0])
    xy = np.array(seq.xy_px)
    xy[..., 0] -= speed_px_s * t[:, None]
    masks = _warp_masks(seq, lambda x, i: x + speed_px_s * t[i])
    return _with(seq, "pan", {"speed_px_s": speed_px_s}, xy_px=xy, masks=masks)


def follow_pan(seq: PoseSequence, smooth_s: float = 1.0, fraction: float = 1.0) -> PoseSequence:
    """A camera operator who pans to keep the person centred: the hips' horizontal position, smoothed over
    ``smooth_s`` (the operator does not follow each step's sway), is moved to the image centre (``fraction``
    of the way).

    A walker then barely travels across the image, as on a treadmill; cadence and step times must not change.
    """
    hip_x = (np.asarray(seq.xy_px[:, L.LEFT_HIP, 0]) + np.asarray(seq.xy_px[:, L.RIGHT_HIP, 0])) / 2
    ok = np.isfinite(hip_x)
    if ok.sum() < 2:
        return seq
    idx = np.arange(seq.n_frames)
    filled = np.interp(idx, idx[ok], hip_x[ok])
    k = max(int(round(smooth_s * seq.fps)), 1)
    pad = np.pad(filled, (k, k), mode="edge")
    track = np.convolve(pad, np.ones(2 * k + 1) / (2 * k + 1), mode="same")[k:-k]
    shift = fraction * (track - seq.video.width / 2.0)
    xy = np.array(seq.xy_px)
    xy[..., 0] -= shift[:, None]
    masks = _warp_masks(seq, lambda x, i: x + shift[i])
    return _with(seq, "follow_pan", {"smooth_s": smooth_s, "fraction": fraction}, xy_px=xy, masks=masks)


def scale(seq: PoseSequence, factor: float) -> PoseSequence:
    """The person ``factor`` times as large in the same image (shrunk or grown about the image centre).

    World landmarks (metres) are unchanged: the person is the same size, only further away.
    """
    if not factor > 0:
        raise ValueError(f"factor must be positive, got {factor}")
    c = np.array([seq.video.width / 2.0, seq.video.height / 2.0])
    xy = (np.asarray(seq.xy_px, float) - c) * factor + c
    masks = _warp_masks(seq, lambda x, i: (x - c[0]) / factor + c[0], lambda y: (y - c[1]) / factor + c[1])
    return _with(seq, "scale", {"factor": factor}, xy_px=xy, depth_px=np.asarray(seq.depth_px) * factor, masks=masks)


def jitter(seq: PoseSequence, sigma_fraction: float = 0.0015, seed: int = 0) -> PoseSequence:
    """Independent Gaussian noise on every pixel coordinate, ``sigma_fraction`` of the body height.

    MediaPipe's frame-to-frame scatter on a still person (robust sigma of the frame differences of nose,
    shoulders, hips, knees and ankles over the stillest 30% of frames, divided by sqrt 2) measured
    0.0006-0.0013 of body height on sit/jurisimo_seated_on_table.mp4, walk_front/adrielzarate_front.mp4
    and sit/upfall_sitting_cam2.mp4 (0.24-0.56 px); the default 0.0015 sits just above the worst of them.
    """
    rng = np.random.default_rng(seed)
    y = np.asarray(seq.xy_px[..., 1], float)
    found = np.isfinite(y).any(axis=1)
    h = float(np.median(np.nanmax(y[found], axis=1) - np.nanmin(y[found], axis=1))) if found.any() else 100.0
    h = h if h > 0 else 100.0
    xy = np.asarray(seq.xy_px, float) + rng.normal(0.0, sigma_fraction * h, size=seq.xy_px.shape)
    return _with(seq, "jitter", {"sigma_fraction": sigma_fraction, "seed": seed}, xy_px=xy)


def crop_below(seq: PoseSequence, fraction_of_thigh: float = 0.3) -> PoseSequence:
    """The image cut off a little below the hips, as a camera framing only the upper body would be.

    The new image height is the lowest hip point over the clip plus ``fraction_of_thigh`` of the thigh
    length. Landmarks below it keep their (guessed) coordinates, outside the image, with visibility and
    presence 0.05, as MediaPipe reports body parts it cannot see.
    """
    xy = np.array(seq.xy_px, float)
    hips = xy[:, [L.LEFT_HIP, L.RIGHT_HIP], 1]
    knees = xy[:, [L.LEFT_KNEE, L.RIGHT_KNEE], 1]
    with np.errstate(all="ignore"):
        hip_y = float(np.nanmax(hips))
        thigh = float(np.nanmedian(np.abs(knees - hips)))
    if not np.isfinite(hip_y):
        return seq
    cut = int(min(seq.video.height, hip_y + fraction_of_thigh * (thigh if np.isfinite(thigh) else 0.0)))
    below = xy[..., 1] > cut
    vis = np.array(seq.visibility)
    pres = np.array(seq.presence)
    vis[below] = 0.05
    pres[below] = 0.05
    video = dataclasses.replace(seq.video, height=max(cut, 1))
    masks = None
    if seq.masks is not None:
        s = seq.masks.shape[2] / float(seq.video.width)
        masks = np.ascontiguousarray(np.asarray(seq.masks)[:, :max(int(round(cut * s)), 1)])
    return _with(seq, "crop_below", {"fraction_of_thigh": fraction_of_thigh, "height_px": cut}, video=video,
                 visibility=vis, presence=pres, masks=masks)
