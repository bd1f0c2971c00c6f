"""Camera view, walking direction and the usable (whole-body) segments of a walking clip.

Per frame we decide:

- whether the whole body is usable: found, every key landmark (nose, shoulders, hips, knees, ankles,
  heels, toes) inside the image, and their median visibility at least ``min_visibility``;
- the view: shoulders overlap in a profile (shoulder width / trunk length small), and are wide apart
  facing toward or away from the camera. Walking past the camera at an angle widens the shoulders, so a
  frame that travels sideways quickly counts as side with a looser width limit;
- front vs back: MediaPipe places the person's left shoulder on image-right when they face the camera;
- direction (side view): the sign of the pelvis's horizontal speed.

Frames are grouped into segments of one view and one direction; segments shorter than
``min_segment_s`` or without the whole body are listed as skipped, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture import landmarks as L
from posture.gait.params import DEFAULT_GAIT, ViewParams
from posture.geometry import midpoint, nan_median
from posture.sequence import PoseSequence

KEY_POINTS = (L.NOSE, L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
              L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX)

# per-frame view codes
UNKNOWN, SIDE_RIGHT, SIDE_LEFT, FRONT, BACK = 0, 1, 2, 3, 4
_CODE_NAME = {UNKNOWN: "unknown", SIDE_RIGHT: "side", SIDE_LEFT: "side", FRONT: "front", BACK: "back"}


@dataclass(frozen=True)
class Segment:
    """A run of frames (positions ``start``..``stop``-1 in the sequence) with one view and direction."""

    start: int
    stop: int
    view: str  # side | front | back | unknown
    facing: float  # +1 walking/facing image-right, -1 image-left, 0 front/back
    direction: str  # left_to_right | right_to_left | toward_camera | away_from_camera | in_place | unknown
    analysed: bool
    reason: str = ""

    def to_dict(self, seq: PoseSequence) -> dict:
        t = seq.timestamps_s
        dt = 1.0 / seq.fps if seq.fps > 0 else 0.0
        d = {
            "start_frame": int(seq.frame_index[self.start]), "end_frame": int(seq.frame_index[self.stop - 1]),
            "start_s": round(float(t[self.start]), 3), "end_s": round(float(t[self.stop - 1] + dt), 3),
            "view": self.view, "direction": self.direction, "analysed": self.analysed,
        }
        if self.view == "side":
            d["side_to_camera"] = "right" if self.facing > 0 else "left"
        if self.reason:
            d["reason"] = self.reason
        return d


def body_height_px(seq: PoseSequence) -> np.ndarray:
    """(n,) vertical extent of the visible key landmarks, pixels."""
    y = np.asarray(seq.xy_px[:, KEY_POINTS, 1], float)
    with np.errstate(all="ignore"):
        ok = np.isfinite(y).any(axis=1)
        out = np.full(len(y), np.nan)
        out[ok] = np.nanmax(y[ok], axis=1) - np.nanmin(y[ok], axis=1)
    return out


def full_body_mask(seq: PoseSequence, params: ViewParams = DEFAULT_GAIT.view) -> np.ndarray:
    """(n,) bool: the whole body is in the image and visible enough to analyse."""
    xy = np.asarray(seq.xy_px[:, KEY_POINTS], float)
    m = params.frame_margin_px
    w, h = seq.video.width, seq.video.height
    with np.errstate(invalid="ignore"):
        inside = ((xy[..., 0] > m) & (xy[..., 0] < w - m) & (xy[..., 1] > m) & (xy[..., 1] < h - m)).all(axis=1)
    vis = np.median(np.asarray(seq.visibility[:, KEY_POINTS]), axis=1)
    return inside & (vis >= params.min_visibility) & np.isfinite(xy).all(axis=(1, 2))


def _majority(codes: np.ndarray, window: int) -> np.ndarray:
    """Running majority vote of small integer codes over a centred window."""
    n = len(codes)
    out = codes.copy()
    half = max(window // 2, 0)
    for i in range(n):
        w = codes[max(0, i - half):i + half + 1]
        out[i] = np.bincount(w, minlength=5).argmax()
    return out


def frame_views(seq: PoseSequence, params: ViewParams = DEFAULT_GAIT.view) -> np.ndarray:
    """(n,) per-frame view codes (UNKNOWN, SIDE_RIGHT, SIDE_LEFT, FRONT, BACK), majority-smoothed."""
    xy = np.asarray(seq.xy_px, float)
    pel = midpoint(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
    sh = midpoint(xy[:, L.LEFT_SHOULDER], xy[:, L.RIGHT_SHOULDER])
    trunk = np.linalg.norm(sh - pel, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.abs(xy[:, L.LEFT_SHOULDER, 0] - xy[:, L.RIGHT_SHOULDER, 0]) / trunk
    height = nan_median(body_height_px(seq))
    fs = seq.fps
    vx = np.gradient(pel[:, 0]) * fs if len(pel) > 1 else np.zeros(len(pel))
    # speed smoothed over ~0.5 s so a single step's pelvis sway does not count as travel
    k = max(int(round(params.smooth_window_s * fs)), 1)
    ok = np.isfinite(vx)
    num = np.convolve(np.where(ok, vx, 0.0), np.ones(k), mode="same")
    den = np.convolve(ok.astype(float), np.ones(k), mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        vx_s = num / den
        speed_bh = np.abs(vx_s) / height  # body heights per second
    travelling = speed_bh > params.min_travel_body_heights
    side = (ratio < params.side_max_width_ratio) | (travelling & (ratio < 0.55))
    frontal = (ratio > params.frontal_min_width_ratio) & ~travelling
    order = xy[:, L.LEFT_SHOULDER, 0] - xy[:, L.RIGHT_SHOULDER, 0]
    codes = np.full(len(xy), UNKNOWN, dtype=int)
    codes[side & (vx_s >= 0)] = SIDE_RIGHT
    codes[side & (vx_s < 0)] = SIDE_LEFT
    codes[frontal & (order > 0)] = FRONT
    codes[frontal & (order <= 0)] = BACK
    codes[~np.isfinite(ratio)] = UNKNOWN
    return _majority(codes, k)


def _runs(values: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, stop, value) runs of equal values."""
    out = []
    s = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[s]:
            out.append((s, i, int(values[s])))
            s = i
    return out


def _bridge_short_gaps(state: np.ndarray, max_len: int) -> np.ndarray:
    """Give short runs (<= ``max_len`` frames) the state of their neighbours when both neighbours agree."""
    out = state.copy()
    runs = _runs(state)
    for k in range(1, len(runs) - 1):
        a, b, _ = runs[k]
        if b - a <= max_len and runs[k - 1][2] == runs[k + 1][2] and runs[k - 1][2] >= 10:
            out[a:b] = runs[k - 1][2]
    return out


def _frontal_direction(seq: PoseSequence, a: int, b: int, view: str) -> str:
    h = body_height_px(seq)[a:b]
    ok = np.isfinite(h)
    if ok.sum() < 3:
        return "unknown"
    growth = np.polyfit(np.flatnonzero(ok), np.log(h[ok]), 1)[0] * seq.fps * (b - a) / seq.fps  # log size change
    if growth > 0.15:
        return "toward_camera"
    if growth < -0.15:
        return "away_from_camera"
    return "in_place"


def find_segments(seq: PoseSequence, params: ViewParams = DEFAULT_GAIT.view) -> list[Segment]:
    """Split a (gap-filled) sequence into view segments; every frame belongs to exactly one segment."""
    n = seq.n_frames
    if n == 0:
        return []
    codes = frame_views(seq, params)
    usable = full_body_mask(seq, params)
    # 0 = not found, 1 = found but body cut off / hidden, >= 10: usable with view code
    state = np.where(~seq.found, 0, np.where(usable, 10 + codes, 1))
    state = _bridge_short_gaps(state, max(int(round(params.max_bridge_s * seq.fps)), 0))
    min_len = max(int(round(params.min_segment_s * seq.fps)), 2)
    segs: list[Segment] = []
    for a, b, v in _runs(state):
        if v == 0:
            segs.append(Segment(a, b, "unknown", 0.0, "unknown", False, "no person found"))
            continue
        if v == 1:
            segs.append(Segment(a, b, "unknown", 0.0, "unknown", False,
                                "whole body not visible (cut off by the frame edge or hidden)"))
            continue
        code = v - 10
        view = _CODE_NAME[code]
        facing = 1.0 if code == SIDE_RIGHT else -1.0 if code == SIDE_LEFT else 0.0
        if view == "side":
            direction = "left_to_right" if facing > 0 else "right_to_left"
        elif view in ("front", "back"):
            direction = _frontal_direction(seq, a, b, view)
        else:
            direction = "unknown"
        if view == "unknown":
            segs.append(Segment(a, b, view, facing, direction, False, "camera view unclear (neither side nor front/back)"))
        elif b - a < min_len:
            segs.append(Segment(a, b, view, facing, direction, False,
                                f"shorter than {params.min_segment_s:g} s, too short for a gait cycle"))
        else:
            segs.append(Segment(a, b, view, facing, direction, True))
    return _merge_adjacent(segs)


def _merge_adjacent(segs: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segs:
        if out and out[-1].stop == s.start and (out[-1].view, out[-1].facing, out[-1].analysed, out[-1].reason) == (
                s.view, s.facing, s.analysed, s.reason):
            p = out[-1]
            out[-1] = Segment(p.start, s.stop, p.view, p.facing, p.direction, p.analysed, p.reason)
        else:
            out.append(s)
    return out


def overall_view(segments: list[Segment]) -> str:
    """The clip's view: the one view of all analysed segments, ``mixed`` if several, else ``unknown``."""
    views = {s.view for s in segments if s.analysed}
    if not views:
        return "unknown"
    if len(views) == 1:
        return views.pop()
    return "mixed"
