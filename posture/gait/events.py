"""Gait events from landmark tracks: initial contact (IC) and toe-off (TO) per foot.

Side views use the coordinate method of Zeni et al. (2008, Gait Posture 27:710-714): along the walking
direction, a heel is farthest ahead of the pelvis at initial contact and a toe farthest behind it at
toe-off. (We tried moving the Zeni peak later, to the first frame the heel's own image speed drops near
zero, to match the labels' "heel has stopped moving forward"; on the real dev clips that made contacts
~2 frames late while the plain Zeni peak was within 0.3-0.5 frames, so the plain peak stays.)

Front and back views have no forward axis; there a swing shows as the heel rising in the image. Contact is
the first frame after a lift where the heel's descent has almost stopped, toe-off the last frame before the
lift where the heel was still near its stance height.

Feet are named by geometry, not by MediaPipe's labels: in a side view the leg nearer the camera (smaller
depth) is the person's right when they face image-right and their left when they face image-left.

All functions take a *cleaned* :class:`~posture.sequence.PoseSequence` (see
:func:`posture.cleanup.clean_for_analysis`) and return plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.signal import find_peaks

from posture import landmarks as L
from posture.gait.params import DEFAULT_GAIT, ContactParams, EventParams
from posture.geometry import angle_from_horizontal_deg, midpoint, nan_median
from posture.sequence import PoseSequence
from posture.signals import true_runs

FEET = ("left", "right")


@dataclass(frozen=True)
class GaitEvent:
    """One event. ``index`` is the position in the analysed sequence, ``frame`` the decoded frame number."""

    kind: str  # "initial_contact" | "toe_off"
    index: int
    frame: int
    time_s: float
    foot: str  # anatomical "left" | "right"
    confidence: float
    contact: str = "unknown"  # heel | flat | forefoot | unknown (initial contacts only)
    foot_angle_deg: float | None = None  # foot angle at contact minus mid-stance angle, + toes up

    def to_dict(self) -> dict:
        d = {"frame": self.frame, "time_s": round(self.time_s, 4), "foot": self.foot,
             "confidence": round(float(self.confidence), 3)}
        if self.kind == "initial_contact":
            d["contact"] = self.contact
            d["foot_angle_deg"] = None if self.foot_angle_deg is None else round(float(self.foot_angle_deg), 1)
        return d


@dataclass(frozen=True)
class GaitEvents:
    initial_contacts: tuple[GaitEvent, ...] = ()
    toe_offs: tuple[GaitEvent, ...] = ()
    foot_confidence: dict[str, float] = field(default_factory=dict)
    near_foot: str | None = None
    labels_swapped: bool = False  # MediaPipe's left/right were exchanged to match the geometry
    method: str = ""

    def for_foot(self, kind: str, foot: str) -> list[GaitEvent]:
        evs = self.initial_contacts if kind == "initial_contact" else self.toe_offs
        return [e for e in evs if e.foot == foot]


def _heel(seq: PoseSequence, foot: str) -> np.ndarray:
    return np.asarray(seq.xy_px[:, L.side_indices(foot)["heel"]], float)


def _toe(seq: PoseSequence, foot: str) -> np.ndarray:
    return np.asarray(seq.xy_px[:, L.side_indices(foot)["foot_index"]], float)


def pelvis_px(seq: PoseSequence) -> np.ndarray:
    """(n, 2) hip centre in pixels."""
    return midpoint(seq.xy_px[:, L.LEFT_HIP], seq.xy_px[:, L.RIGHT_HIP])


def leg_length_px(seq: PoseSequence) -> float:
    """Median hip-to-ankle length (pixels) over both legs: a body-size scale for thresholds."""
    d = []
    for foot in FEET:
        i = L.side_indices(foot)
        d.append(np.linalg.norm(seq.xy_px[:, i["hip"]] - seq.xy_px[:, i["knee"]], axis=1)
                 + np.linalg.norm(seq.xy_px[:, i["knee"]] - seq.xy_px[:, i["ankle"]], axis=1))
    v = nan_median(np.concatenate(d))
    return float(v) if np.isfinite(v) and v > 0 else float("nan")


def leg_length_track_px(seq: PoseSequence, window_s: float = 1.0) -> np.ndarray:
    """(n,) hip-to-ankle length per frame (pixels), a running median over ``window_s``.

    A body-size scale that follows a walker who grows or shrinks as they walk toward or
    away from the camera; NaN where no leg is measurable.
    """
    d = []
    for foot in FEET:
        i = L.side_indices(foot)
        d.append(np.linalg.norm(seq.xy_px[:, i["hip"]] - seq.xy_px[:, i["knee"]], axis=1)
                 + np.linalg.norm(seq.xy_px[:, i["knee"]] - seq.xy_px[:, i["ankle"]], axis=1))
    per_frame = np.fmax(d[0], d[1])
    half = max(1, int(round(window_s * seq.fps / 2)))
    return np.array([nan_median(per_frame[max(0, k - half):k + half + 1]) for k in range(len(per_frame))])


def heel_forward_px(seq: PoseSequence, foot: str, facing: float) -> np.ndarray:
    """(n,) heel position ahead of the pelvis along the walking direction, pixels (+ ahead)."""
    return (_heel(seq, foot)[:, 0] - pelvis_px(seq)[:, 0]) * facing


def toe_forward_px(seq: PoseSequence, foot: str, facing: float) -> np.ndarray:
    """(n,) toe position ahead of the pelvis along the walking direction, pixels (+ ahead)."""
    return (_toe(seq, foot)[:, 0] - pelvis_px(seq)[:, 0]) * facing


def foot_pitch_deg(seq: PoseSequence, foot: str, facing: float) -> np.ndarray:
    """(n,) heel-to-toe line above the horizontal, degrees, positive toes up (side views)."""
    return angle_from_horizontal_deg(_heel(seq, foot), _toe(seq, foot), facing)


def heel_height_px(seq: PoseSequence, foot: str) -> np.ndarray:
    """(n,) heel height above the lower of the two heels, pixels (image y is down): 0 on the ground."""
    yl, yr = _heel(seq, "left")[:, 1], _heel(seq, "right")[:, 1]
    ground = np.fmax(yl, yr)
    return ground - _heel(seq, foot)[:, 1]


def _swings(h: np.ndarray, high: float, low: float, min_frames: int) -> list[tuple[int, int]]:
    """(start, end) frame pairs of swings: ``h`` rises above ``high``; ``start`` is the first frame of
    that rise above ``low`` and ``end`` the first frame back below ``low``. Swings cut by missing
    frames or by the clip's ends are dropped, and so are swings shorter than ``min_frames``."""
    out = []
    n = len(h)
    i = 0
    while i < n:
        if not (np.isfinite(h[i]) and h[i] > high):
            i += 1
            continue
        a = i
        while a > 0 and np.isfinite(h[a - 1]) and h[a - 1] >= low:
            a -= 1
        b = i
        while b < n and np.isfinite(h[b]) and h[b] >= low:
            b += 1
        if a > 0 and b < n and np.isfinite(h[a - 1]) and np.isfinite(h[b]) and b - a >= min_frames:
            out.append((a, b))
        i = b + 1
    return out


def _peaks(x: np.ndarray, distance: int, prominence: float) -> np.ndarray:
    """Indices of local maxima in a NaN-containing signal, run by finite run."""
    out = []
    for s, e in true_runs(np.isfinite(x)):
        if e - s < 3:
            continue
        p, _ = find_peaks(x[s:e], distance=max(distance, 1), prominence=prominence)
        out.extend(int(q) + s for q in p)
    return np.asarray(out, dtype=int)


def near_foot_by_depth(seq: PoseSequence) -> tuple[str | None, float]:
    """Which labelled foot is nearer the camera (smaller depth) over the clip, and how clearly (0..1)."""
    votes = []
    for part in ("hip", "knee", "ankle", "heel"):
        dl = seq.depth_px[:, L.side_indices("left")[part]]
        dr = seq.depth_px[:, L.side_indices("right")[part]]
        ok = np.isfinite(dl) & np.isfinite(dr)
        if ok.any():
            votes.append(np.sign(dl[ok] - dr[ok]))  # +1: right is nearer
    if not votes:
        return None, 0.0
    v = float(np.mean(np.concatenate(votes)))
    if v == 0:
        return None, 0.0
    return ("right" if v > 0 else "left"), abs(v)


def _make(kind: str, seq: PoseSequence, i: int, foot: str, conf: float) -> GaitEvent:
    return GaitEvent(kind=kind, index=int(i), frame=int(seq.frame_index[i]), time_s=float(seq.timestamps_s[i]),
                     foot=foot, confidence=float(np.clip(conf, 0, 1)))


def classify_contact(angle_deg: float | None, params: ContactParams = DEFAULT_GAIT.contact) -> str:
    """heel / flat / forefoot from the foot angle at contact relative to mid-stance (+ toes up)."""
    if angle_deg is None or not np.isfinite(angle_deg):
        return "unknown"
    if angle_deg >= params.heel_min_deg:
        return "heel"
    if angle_deg <= params.forefoot_max_deg:
        return "forefoot"
    return "flat"


def typical_step_time_s(events: list[GaitEvent], params: EventParams = DEFAULT_GAIT.events) -> float:
    """Half the median same-foot interval (a stride), robust to a mislabelled foot; NaN if unknown."""
    strides = []
    for f in FEET:
        t = sorted(e.time_s for e in events if e.foot == f)
        lo, hi = 2 * params.min_step_time_s, 2 * params.max_step_time_s
        strides += [b - a for a, b in zip(t[:-1], t[1:], strict=False) if lo <= b - a <= hi]
    return float(np.median(strides) / 2) if strides else float("nan")


def enforce_alternation(events: list[GaitEvent], params: EventParams = DEFAULT_GAIT.events) -> list[GaitEvent]:
    """Make same-kind events alternate feet, the way walking does.

    - Two events closer than half a typical step are one event seen twice (often the far foot mislabelled):
      keep the one nearer to where the step rhythm expects it (else the more confident one).
    - An event on the same foot as the previous one, a normal step later, is the other foot mislabelled:
      rename it and lower its confidence.
    A gap longer than ``max_step_time_s`` restarts the rhythm (a missed step or a tracking gap).
    """
    evs = sorted(events, key=lambda e: e.time_s)
    step = typical_step_time_s(evs, params)
    if not np.isfinite(step) or len(evs) < 2:
        return evs
    kept: list[GaitEvent] = []
    for e in evs:
        if kept and e.time_s - kept[-1].time_s < 0.5 * step:
            prev = kept[-1]
            if len(kept) >= 2 and e.time_s - kept[-2].time_s <= params.max_step_time_s:
                expect = kept[-2].time_s + step
                better = e if abs(e.time_s - expect) < abs(prev.time_s - expect) else prev
            else:
                better = e if e.confidence > prev.confidence else prev
            kept[-1] = better
            continue
        kept.append(e)
    out: list[GaitEvent] = []
    for e in kept:
        if out and e.foot == out[-1].foot and e.time_s - out[-1].time_s < 1.5 * step:
            other = "right" if e.foot == "left" else "left"
            e = replace(e, foot=other, confidence=e.confidence * 0.6)
        out.append(e)
    return out


def detect_side_events(seq: PoseSequence, facing: float, params: EventParams = DEFAULT_GAIT.events,
                       contact_params: ContactParams = DEFAULT_GAIT.contact) -> GaitEvents:
    """Initial contacts and toe-offs in a side-view walking sequence (cleaned, one direction).

    ``facing`` is +1 when the person walks toward image-right, -1 toward image-left.
    Returns events named by anatomical foot, with per-foot confidence (near foot higher).
    """
    fs = seq.fps
    n = seq.n_frames
    scale = leg_length_px(seq)
    if not np.isfinite(scale) or n < 5:
        return GaitEvents(method="zeni2008")
    min_dist = int(round(2 * params.min_step_time_s * fs))
    prom = params.min_peak_prominence_body * scale

    near_label, depth_clarity = near_foot_by_depth(seq)
    near_true = "right" if facing > 0 else "left"
    swapped = near_label is not None and near_label != near_true
    name = {f: f for f in FEET}
    if swapped:
        name = {"left": "right", "right": "left"}
    foot_conf = {}
    for label in FEET:
        is_near = name[label] == near_true
        base = params.near_foot_confidence if is_near else params.far_foot_confidence
        if near_label is None:
            base = params.far_foot_confidence
        vis = seq.visibility[:, [L.side_indices(label)["heel"], L.side_indices(label)["foot_index"]]]
        foot_conf[name[label]] = float(np.clip(base * (0.5 + 0.5 * np.nanmean(vis)), 0, 1))

    ics: list[GaitEvent] = []
    tos: list[GaitEvent] = []
    for label in FEET:
        foot = name[label]
        hf = heel_forward_px(seq, label, facing)
        tf = toe_forward_px(seq, label, facing)
        pitch = foot_pitch_deg(seq, label, facing)
        vis = np.minimum(seq.visibility[:, L.side_indices(label)["heel"]], seq.visibility[:, L.side_indices(label)["foot_index"]])
        ic_idx = _peaks(hf, min_dist, prom)
        to_idx = _peaks(-tf, min_dist, prom)
        for p in ic_idx:
            i = int(p)
            # foot angle at contact relative to the flat foot at mid-stance (the next toe-off minus half a stance)
            later_to = to_idx[to_idx > i]
            mid = int((i + later_to[0]) // 2) if len(later_to) and later_to[0] - i < fs * params.max_step_time_s else None
            ang = None
            if mid is not None and np.isfinite(pitch[i]) and np.isfinite(pitch[mid]):
                ang = float(pitch[i] - pitch[mid])
            ev = _make("initial_contact", seq, i, foot, foot_conf[foot] * (0.5 + 0.5 * float(vis[i])))
            ics.append(replace(ev, foot_angle_deg=ang, contact=classify_contact(ang, contact_params)))
        for p in to_idx:
            tos.append(_make("toe_off", seq, int(p), foot, foot_conf[foot] * (0.5 + 0.5 * float(vis[int(p)]))))
    ics.sort(key=lambda e: e.index)
    tos.sort(key=lambda e: e.index)
    ics = enforce_alternation(ics, params)
    tos = enforce_alternation(tos, params)
    return GaitEvents(tuple(ics), tuple(tos), foot_conf, near_true if near_label else None, swapped, "zeni2008+arrest")


def detect_frontal_events(seq: PoseSequence, params: EventParams = DEFAULT_GAIT.events) -> GaitEvents:
    """Initial contacts and toe-offs in a front or back view from heel height (swings found by hysteresis)."""
    fs = seq.fps
    n = seq.n_frames
    scale = leg_length_px(seq)
    if not np.isfinite(scale) or n < 5:
        return GaitEvents(method="heel_height")
    ics: list[GaitEvent] = []
    tos: list[GaitEvent] = []
    foot_conf = {}
    # Heel height in leg lengths of the moment: a walker receding from (or nearing) the camera
    # shrinks (or grows) by 2x or more, and one pixel threshold would miss the far steps.
    scale_track = leg_length_track_px(seq)
    for foot in FEET:
        h = heel_height_px(seq, foot) / scale_track * scale
        vis = seq.visibility[:, L.side_indices(foot)["heel"]]
        foot_conf[foot] = float(np.clip(params.near_foot_confidence * (0.5 + 0.5 * np.nanmean(vis)), 0, 1))
        # Swings by hysteresis: a swing starts when the heel rises above `high` and ends when it is back
        # below `low`. Contact is the first frame back down, toe-off the last frame down before the
        # rise. Peak picking was fragile here: a swing's heel trace often has two humps, and sub-pixel
        # differences decided which hump was taken (the rear-view clip's cadence moved from 100 to 146
        # steps/min between two near-identical extractions).
        high = params.min_lift_body * 2 * scale
        low = 0.5 * high
        v = np.gradient(h) * fs  # + rising
        for a0, b0 in _swings(h, high, low, max(2, int(round(params.min_step_time_s * fs / 2)))):
            # refine within the swing's own landing: contact once the descent has (almost) stopped,
            # toe-off where the rise had not yet started
            peak_descent = -np.nanmin(v[a0:b0 + 1])
            k = b0
            while k < n - 1 and np.isfinite(v[k]) and v[k] < -params.landing_speed_fraction * peak_descent:
                k += 1
            peak_rise = np.nanmax(v[a0:b0 + 1])
            j = a0 - 1
            while j > 0 and np.isfinite(v[j]) and v[j] > params.landing_speed_fraction * peak_rise:
                j -= 1
            ics.append(_make("initial_contact", seq, k, foot, foot_conf[foot] * (0.5 + 0.5 * float(vis[k]))))
            tos.append(_make("toe_off", seq, j, foot, foot_conf[foot] * (0.5 + 0.5 * float(vis[j]))))
    ics.sort(key=lambda e: e.index)
    tos.sort(key=lambda e: e.index)
    ics = enforce_alternation(ics, params)
    tos = enforce_alternation(tos, params)
    return GaitEvents(tuple(ics), tuple(tos), foot_conf, None, False, "heel_height")
