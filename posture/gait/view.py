"""Camera view, walking direction and walking passes of a walking clip, on top of :mod:`posture.view`.

Per frame:

- **view**: :func:`posture.view.classify_views` (the one classifier of every task), then one walking-specific
  rule. A walker seen from the side shows the step: the ankles move apart along the image x axis by about a
  step length each way. Seen from the front or back the step is foreshortened to almost nothing. So a frame
  the shared classifier calls ``oblique`` (shoulders turned by the arm swing) is a side view when the step
  swing is large, and a front/back view when there is no step swing and the shoulders are wide (see
  :class:`~posture.gait.params.ViewParams`). Everything here is a ratio of pixels to pixels and every time
  constant is in seconds, so it holds at any frame rate, size, mirror or pan.
- **facing** (side views): where the nose points (ahead of the ears), else where the toes point, from the
  shared classifier, smoothed by a running majority. The walking direction is the facing, not the image
  motion, so a camera that pans to follow the walker changes nothing.
- **usable**: the person found, the key landmarks (shoulders, hips, knees, ankles, heels, toes) inside the
  image and visible, and the body at least ``min_body_px`` tall (smaller walkers are gated, not guessed).

Frames are grouped into segments of one view and, for side views, one facing: a **pass**. A turn changes the
facing and so ends a pass; the frames of the turn itself (oblique, back or unclear) belong to no pass and
their events are not counted. A side pass whose pelvis does not travel across the image (a treadmill, walking
in place, or a camera that follows the walker) is still a pass: gait events are measured relative to the
pelvis, and the segment says ``travel: none``. Segments shorter than ``min_segment_s`` or without a usable body
are listed as skipped, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from posture import landmarks as L
from posture.gait.params import DEFAULT_GAIT, ViewParams
from posture.geometry import midpoint, nan_median
from posture.sequence import PoseSequence
from posture.view import ViewTrack, classify_views

# The body parts a walking pass needs in the picture: trunk and legs. The head is not required (a walker
# whose head leaves the top of the frame still walks); the head checks gate on the ears and eyes themselves.
KEY_POINTS = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
              L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX)

# per-frame view codes
UNKNOWN, SIDE_RIGHT, SIDE_LEFT, FRONT, BACK, OBLIQUE = 0, 1, 2, 3, 4, 5
_CODE_NAME = {UNKNOWN: "unknown", SIDE_RIGHT: "side", SIDE_LEFT: "side", FRONT: "front", BACK: "back",
              OBLIQUE: "oblique"}


@dataclass(frozen=True)
class Segment:
    """A run of frames (positions ``start``..``stop``-1 in the sequence) with one view and direction."""

    start: int
    stop: int
    view: str  # side | front | back | oblique | unknown
    facing: float  # +1 walking/facing image-right, -1 image-left, 0 front/back
    direction: str  # left_to_right | right_to_left | toward_camera | away_from_camera | in_place | unknown
    analysed: bool
    reason: str = ""
    travel: str = ""  # side passes: "forward" or "none" (treadmill, walking in place, or a following camera)

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
            if self.travel:
                d["travel"] = self.travel
        if self.reason:
            d["reason"] = self.reason
        return d


def leg_length_px(xy_px: np.ndarray) -> np.ndarray:
    """(n,) the longer of the two hip-knee-ankle chains per frame, pixels (a body-size scale)."""
    xy = np.asarray(xy_px, float)
    d = []
    for side in ("left", "right"):
        i = L.side_indices(side)
        d.append(np.linalg.norm(xy[:, i["hip"]] - xy[:, i["knee"]], axis=1)
                 + np.linalg.norm(xy[:, i["knee"]] - xy[:, i["ankle"]], axis=1))
    return np.fmax(d[0], d[1])


def step_swing_legs(seq: PoseSequence, window_s: float = DEFAULT_GAIT.view.step_swing_window_s) -> np.ndarray:
    """(n,) how far the ankles move apart along the image x axis within ``window_s`` (centred), in leg lengths.

    About 1-1.8 for a walker seen from the side, under about 0.3 from the front or back and when standing.
    NaN where the ankles are not both seen.
    """
    xy = np.asarray(seq.xy_px, float)
    leg = nan_median(leg_length_px(xy))
    d = (xy[:, L.LEFT_ANKLE, 0] - xy[:, L.RIGHT_ANKLE, 0]) / leg if np.isfinite(leg) and leg > 0 else xy[:, 0, 0] * np.nan
    ok = np.isfinite(d)
    if not ok.any():
        return d
    w = max(int(round(window_s * seq.fps)), 1) | 1
    hi = maximum_filter1d(np.where(ok, d, -np.inf), w, mode="nearest")
    lo = minimum_filter1d(np.where(ok, d, np.inf), w, mode="nearest")
    out = hi - lo
    out[~ok | ~np.isfinite(out)] = np.nan
    return out


def body_height_px(seq: PoseSequence) -> np.ndarray:
    """(n,) vertical extent of the key landmarks, pixels."""
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
    if window <= 1 or n <= 2:
        return codes
    window = min(window, n)  # np.convolve "same" returns the longer input's length
    onehot = np.eye(6)[codes]
    counts = np.stack([np.convolve(onehot[:, k], np.ones(window), mode="same") for k in range(6)], axis=1)
    return counts.argmax(axis=1)


def frame_views(seq: PoseSequence, params: ViewParams = DEFAULT_GAIT.view,
                views: ViewTrack | None = None) -> np.ndarray:
    """(n,) per-frame view codes (UNKNOWN, SIDE_RIGHT, SIDE_LEFT, FRONT, BACK, OBLIQUE), majority-smoothed."""
    vt = classify_views(seq) if views is None else views
    swing = step_swing_legs(seq, params.step_swing_window_s)
    v = vt.view
    with np.errstate(invalid="ignore"):
        stepping = swing >= params.side_min_step_swing
        still = swing <= params.frontal_max_step_swing
        wide = vt.width_ratio >= params.frontal_min_width_ratio
    side = (v == "side") | ((v == "oblique") & stepping)
    order = np.asarray(seq.xy_px[:, L.LEFT_SHOULDER, 0] - seq.xy_px[:, L.RIGHT_SHOULDER, 0], float)
    frontal = np.isin(v, ("front", "back")) | ((v == "oblique") & still & wide)
    k = max(int(round(params.smooth_window_s * seq.fps)), 1) | 1
    # facing: the shared classifier's (nose ahead of the ears) plus one vote per foot (toes ahead of the heel),
    # summed over ``facing_window_s``: a walker does not turn round faster than that, and a small or high-up
    # head alone flips now and then
    xy = np.asarray(seq.xy_px, float)
    votes = np.nan_to_num(vt.facing)
    for foot in ("left", "right"):
        i = L.side_indices(foot)
        votes = votes + np.nan_to_num(np.sign(xy[:, i["foot_index"], 0] - xy[:, i["heel"], 0]))
    kf = min(max(int(round(params.facing_window_s * seq.fps)), 1) | 1, max(len(votes), 1))
    f_s = np.convolve(votes, np.ones(kf), mode="same")
    codes = np.full(len(v), UNKNOWN, dtype=int)
    codes[v == "oblique"] = OBLIQUE
    codes[side & (f_s >= 0)] = SIDE_RIGHT
    codes[side & (f_s < 0)] = SIDE_LEFT
    codes[frontal & (order > 0)] = FRONT
    codes[frontal & (order <= 0)] = BACK
    codes[v == "unknown"] = UNKNOWN
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


def _frontal_direction(seq: PoseSequence, a: int, b: int) -> str:
    h = body_height_px(seq)[a:b]
    ok = np.isfinite(h) & (h > 0)
    if ok.sum() < 3:
        return "unknown"
    growth = np.polyfit(np.flatnonzero(ok), np.log(h[ok]), 1)[0] * (b - a)  # log size change over the segment
    if growth > 0.15:
        return "toward_camera"
    if growth < -0.15:
        return "away_from_camera"
    return "in_place"


def _travel(seq: PoseSequence, a: int, b: int, params: ViewParams) -> str:
    """"forward" when the pelvis crosses the image at walking speed, "none" on a treadmill or a following camera."""
    xy = np.asarray(seq.xy_px[a:b], float)
    pel = midpoint(xy[:, L.LEFT_HIP, 0], xy[:, L.RIGHT_HIP, 0])
    t = np.asarray(seq.timestamps_s[a:b], float)
    h = nan_median(body_height_px(seq)[a:b])
    ok = np.isfinite(pel)
    if ok.sum() < 3 or not np.isfinite(h) or h <= 0:
        return ""
    speed = abs(np.polyfit(t[ok], pel[ok], 1)[0]) / h
    return "forward" if speed >= params.min_travel_body_heights_s else "none"


def find_segments(seq: PoseSequence, params: ViewParams = DEFAULT_GAIT.view,
                  views: ViewTrack | None = None) -> list[Segment]:
    """Split a (gap-filled) sequence into view segments and passes; every frame belongs to exactly one segment."""
    n = seq.n_frames
    if n == 0:
        return []
    vt = classify_views(seq) if views is None else views
    codes = frame_views(seq, params, vt)
    usable = full_body_mask(seq, params)
    height = vt.body_height_px  # the shared meaning of body height (posture.view), as the checks' size gates
    with np.errstate(invalid="ignore"):
        small = height < params.min_body_px
    # 0 = not found, 1 = found but body cut off / hidden, 2 = too small, >= 10: usable with view code
    state = np.where(~seq.found, 0, np.where(usable, np.where(small, 2, 10 + codes), 1))
    state = _bridge_short_gaps(state, max(int(round(params.max_bridge_s * seq.fps)), 0))
    min_len = max(int(round(params.min_segment_s * seq.fps)), 2)
    segs: list[Segment] = []
    for a, b, v in _runs(state):
        if v == 0:
            segs.append(Segment(a, b, "unknown", 0.0, "unknown", False, "no person found"))
            continue
        if v == 1:
            segs.append(Segment(a, b, "unknown", 0.0, "unknown", False,
                                "body not fully visible (trunk or legs cut off by the frame edge, or hidden)"))
            continue
        if v == 2:
            segs.append(Segment(a, b, "unknown", 0.0, "unknown", False,
                                f"the walker is too small in the picture (under {params.min_body_px:.0f} px tall): "
                                "feet cannot be measured; film closer"))
            continue
        code = v - 10
        view = _CODE_NAME[code]
        facing = 1.0 if code == SIDE_RIGHT else -1.0 if code == SIDE_LEFT else 0.0
        travel = ""
        if view == "side":
            direction = "left_to_right" if facing > 0 else "right_to_left"
            travel = _travel(seq, a, b, params)
        elif view in ("front", "back"):
            direction = _frontal_direction(seq, a, b)
        else:
            direction = "unknown"
        if view in ("unknown", "oblique"):
            segs.append(Segment(a, b, view, facing, direction, False,
                                "camera view unclear or turning (neither side nor front/back)"))
        elif b - a < min_len:
            segs.append(Segment(a, b, view, facing, direction, False,
                                f"shorter than {params.min_segment_s:g} s, too short for a gait cycle", travel))
        else:
            segs.append(Segment(a, b, view, facing, direction, True, "", travel))
    return _merge_adjacent(segs)


def _merge_adjacent(segs: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segs:
        if out and out[-1].stop == s.start and (out[-1].view, out[-1].facing, out[-1].analysed, out[-1].reason) == (
                s.view, s.facing, s.analysed, s.reason):
            p = out[-1]
            out[-1] = Segment(p.start, s.stop, p.view, p.facing, p.direction, p.analysed, p.reason, p.travel)
        else:
            out.append(s)
    return out


def overall_view(segments: list[Segment]) -> str:
    """The clip's view: the view of the analysed segments that hold most of the analysed time, ``mixed`` when
    side and front/back each hold at least a fifth of it, ``unknown`` when nothing was analysed.

    A Timed Up-and-Go walk (out, turn, back) is ``side``: both passes are side passes, the turn is analysed as
    nothing. Short front-facing moments (standing up, sitting down) are not analysed passes.
    """
    dur: dict[str, int] = {}
    for s in segments:
        if s.analysed:
            dur[s.view] = dur.get(s.view, 0) + (s.stop - s.start)
    total = sum(dur.values())
    if not total:
        return "unknown"
    side = dur.get("side", 0) / total
    frontal = (dur.get("front", 0) + dur.get("back", 0)) / total
    if side >= 0.2 and frontal >= 0.2:
        return "mixed"
    return max(dur, key=dur.get)
