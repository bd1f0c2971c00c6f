"""Sitting posture classes per frame, with a confidence, and their totals over time.

Classes (side view):

- ``reclined``: trunk leaning far back (``trunk_deg <= recline_trunk_deg``), or
  slumped back: the trunk 15 deg or more back with the pelvis slid forward on
  the seat (hips no higher than the knees), as in a swivel chair.
- ``slouched``: trunk leaning forward past ISO 11226's 20 deg, OR a rounded
  upright posture: trunk upright but the ear far ahead of the shoulder (the
  forward-head proxy past ISO 11226's 25 deg head inclination).
- ``perched``: upright trunk on a high or forward-sloping seat, thighs sloping
  down at least 30 deg (hips well above the knees, as on a perch stool).
- ``upright``: none of the above.
- ``standing``: thighs near vertical (not sitting at all).
- ``lying``: trunk 60 deg or more back (a bed, the floor): not a sitting posture.
- ``moving``: a video frame where the hips move (standing up, sitting down, walking):
  a transition, not a posture (``settled`` from :func:`posture.sit.analysis.settled_frames`).

A frame is not judged (label ``None``) when the view is neither side nor
three-quarter (oblique: measured on the 3D world landmarks, less sure) or the
ear, shoulder or hip is hidden; ``reasons`` says why in plain words.

Confidence: landmark quality x the check layer's margin (0.5 at a class limit,
1 once a typical error inside it: :func:`posture.checks.margin`) x how clean the
view is, lowered further in three-quarter views and when the camera's tilt could
not be checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture.sit.checks import SittingMeasures
from posture.sit.params import DEFAULT_SIT, SitParams

POSTURES = ("upright", "slouched", "reclined", "perched")
VIEW_ADVICE = ("film from the side or a three-quarter angle (the camera level with the seat, about 2 to 3 m away, "
               "the whole body in view)")


@dataclass(frozen=True)
class PostureClasses:
    """Per-frame classes: ``label`` (n,) object (a POSTURES name, "standing" or None), ``confidence`` (n,) 0..1."""

    label: np.ndarray
    confidence: np.ndarray
    reason: np.ndarray  # object (n,): why a frame was not judged ("" when judged)
    margin_deg: np.ndarray  # how far inside its class limits the frame is, degrees

    @property
    def judged(self) -> np.ndarray:
        return np.array([lab in POSTURES for lab in self.label], dtype=bool)


def _margin(d: np.ndarray, u: float | np.ndarray) -> np.ndarray:
    """0.5..1 from the distance ``d`` (degrees) inside a class limit, in typical errors ``u`` (as posture.checks.margin)."""
    with np.errstate(invalid="ignore"):
        return 0.5 + 0.5 * np.clip(np.asarray(d, float) / u, 0.0, 1.0)


def view_confidence(width_ratio: np.ndarray, params: SitParams = DEFAULT_SIT) -> np.ndarray:
    """1 for a clean side view (width ratio <= 0.2), falling linearly to 0.8 at the side-view limit (our choice).

    Three-quarter views are measured on world landmarks and carry ``world_confidence_factor`` instead.
    """
    from posture.view import DEFAULT_VIEW

    lo = 0.2
    span = max(DEFAULT_VIEW.side_max_width_ratio - lo, 1e-6)
    return 1.0 - 0.2 * np.clip((np.asarray(width_ratio, float) - lo) / span, 0.0, 1.0)


def not_judged_reason(view: str, upper_visibility: float, params: SitParams = DEFAULT_SIT) -> str:
    if view in ("none", "unknown"):
        return "the person's shoulders and hips were not found"
    if view in ("front", "back"):
        return f"this is a {view} view; sitting posture needs a side or three-quarter view: {VIEW_ADVICE}"
    if not upper_visibility >= params.min_visibility:
        return "the ear, shoulder or hip is hidden; keep the head, shoulders and hips in view"
    return ""


NOT_SITTING = ("standing", "lying", "moving")


def classify_frames(m: SittingMeasures, params: SitParams = DEFAULT_SIT,
                    settled: np.ndarray | None = None) -> PostureClasses:
    """The posture class of every frame of ``m`` (see the module docstring); ``settled`` (n,) bool marks the frames
    where the hips are still (all frames when None: a photo or a live window)."""
    n = m.n_frames
    trunk, head, thigh = m.trunk_deg, m.forward_head_deg, m.thigh_deg
    label = np.full(n, None, dtype=object)
    reason = np.array([not_judged_reason(v, u, params) for v, u in zip(m.view, m.upper_visibility, strict=True)],
                      dtype=object)
    ok = (reason == "") & np.isfinite(trunk) & np.isfinite(head)
    reason[(reason == "") & ~ok] = "the trunk or head line could not be measured"
    has_thigh = np.isfinite(thigh)

    with np.errstate(invalid="ignore"):
        standing = ok & has_thigh & (thigh >= params.standing_thigh_deg)
        lying = ok & ~standing & (trunk <= params.lying_trunk_deg)
        moving = ok & ~standing & ~lying & (np.zeros(n, bool) if settled is None else ~np.asarray(settled, bool))
        standing = standing | lying | moving  # none of the three is a sitting posture; relabelled below
        slumped_back = has_thigh & (trunk <= params.slump_recline_trunk_deg) & (thigh <= params.slump_max_thigh_deg)
        reclined = ok & ~standing & ((trunk <= params.recline_trunk_deg) | slumped_back)
        slouched = ok & ~standing & ~reclined & ((trunk >= params.slouch_trunk_deg) | (head >= params.forward_head_deg))
        perched = ok & ~standing & ~reclined & ~slouched & has_thigh & (thigh >= params.perched_thigh_deg)
        upright = ok & ~standing & ~reclined & ~slouched & ~perched

    # margin: degrees between the measure and the nearest limit of the chosen class
    in_upright_trunk = np.fmin(trunk - params.recline_trunk_deg, params.slouch_trunk_deg - trunk)
    # an upright trunk also keeps clear of the slumped-back corner (trunk back AND hips low)
    slump_gap = np.where(has_thigh, np.fmax(trunk - params.slump_recline_trunk_deg, thigh - params.slump_max_thigh_deg),
                         np.inf)
    in_upright_trunk = np.fmin(in_upright_trunk, slump_gap)
    head_ok = params.forward_head_deg - head
    thigh_low = np.where(has_thigh, params.perched_thigh_deg - thigh, np.inf)
    thigh_band = np.where(has_thigh, np.fmin(thigh - params.perched_thigh_deg, params.standing_thigh_deg - thigh), np.inf)
    slump_in = np.fmin(params.slump_recline_trunk_deg - trunk, params.slump_max_thigh_deg - thigh)
    margin = np.full(n, np.nan)
    margin[standing] = (thigh - params.standing_thigh_deg)[standing]
    margin[reclined] = np.fmax(params.recline_trunk_deg - trunk, np.where(slumped_back, slump_in, -np.inf))[reclined]
    margin[slouched] = np.fmax(trunk - params.slouch_trunk_deg, head - params.forward_head_deg)[slouched]
    margin[perched] = np.fmin(np.fmin(in_upright_trunk, head_ok), thigh_band)[perched]
    margin[upright] = np.fmin(np.fmin(in_upright_trunk, head_ok), thigh_low)[upright]

    label[standing], label[reclined], label[slouched], label[perched], label[upright] = (
        "standing", "reclined", "slouched", "perched", "upright")
    label[lying], label[moving] = "lying", "moving"
    world = m.uses_world
    u = np.where(world, params.world_uncertainty_deg, params.margin_scale_deg)
    # a class decided by the forward-head proxy carries the proxy's larger noise
    by_head = slouched & ~(trunk >= params.slouch_trunk_deg)
    u = np.where(by_head, np.fmax(u, params.forward_head_uncertainty_deg), u)
    conf = _margin(margin, u)
    conf = conf * np.clip(m.upper_visibility, 0.0, 1.0)
    conf = conf * np.where(world, params.world_confidence_factor, view_confidence(m.width_ratio, params))
    if m.roll.unsure:
        conf = conf * params.roll_unsure_factor
    # an upright trunk with the thighs unseen might still be perched: a little less sure (our choice)
    conf = np.where(upright & ~has_thigh, 0.85 * conf, conf)
    conf = np.where(ok, np.clip(conf, 0.0, 1.0), 0.0)
    return PostureClasses(label=label, confidence=conf, reason=reason, margin_deg=margin)


def frame_durations_s(timestamps_s: np.ndarray, max_gap_s: float = DEFAULT_SIT.max_frame_gap_s) -> np.ndarray:
    """(n,) time each frame stands for: the gap to the next frame (the last gets the median), capped at ``max_gap_s``."""
    t = np.asarray(timestamps_s, float)
    if t.size < 2:
        return np.zeros(t.size)
    d = np.diff(t)
    d = np.append(d, np.median(d))
    return np.minimum(d, max_gap_s)


@dataclass(frozen=True)
class PostureSummary:
    """The posture of a whole photo or video."""

    posture: str | None  # the class held for the most judged time (or the photo's class); None when not judged
    confidence: float
    time_in_posture_s: dict[str, float]  # videos only; empty for a photo
    share_judged: float  # share of frames that could be judged
    reason: str | None  # why posture is None

    def to_dict(self) -> dict:
        d = {"posture": self.posture, "confidence": round(float(self.confidence), 3),
             "time_in_posture_s": {k: round(v, 2) for k, v in self.time_in_posture_s.items()},
             "share_judged": round(float(self.share_judged), 3)}
        if self.reason:
            d["reason"] = self.reason
        return d


def summarize_postures(classes: PostureClasses, timestamps_s: np.ndarray, is_image: bool,
                       params: SitParams = DEFAULT_SIT) -> PostureSummary:
    """Most-held posture, its confidence (mean frame confidence x its share of judged time) and time per class."""
    labels = classes.label
    judged = classes.judged
    n = len(labels)
    dur = np.ones(n) if is_image or n < 2 else frame_durations_s(timestamps_s, params.max_frame_gap_s)
    times: dict[str, float] = {}
    if not (is_image or n < 2):
        for name in (*POSTURES, *NOT_SITTING):
            times[name] = float(dur[labels == name].sum())
        times["not_judged"] = float(dur[np.array([lab is None for lab in labels])].sum())
    other = {name: float(dur[labels == name].sum()) for name in NOT_SITTING}
    seated = float(dur[judged].sum())
    seen = seated + sum(other.values())
    mostly_not = seen > 0 and seated < params.min_seated_share * seen and not is_image
    if not judged.any() or mostly_not:
        reasons = [r for r in classes.reason if r]
        if any(v > 0 for v in other.values()):
            main = max(other, key=lambda k: other[k])
            words = {"standing": "standing", "lying": "lying down",
                     "moving": "moving (walking, standing up or sitting down)"}[main]
            reason = (f"the person appears to be {words}, not sitting" if not judged.any() else
                      f"the person sat still for only {seated / seen:.0%} of the time; mostly {words}")
        else:
            reason = max(set(reasons), key=reasons.count) if reasons else "no frame could be judged"
        return PostureSummary(None, 0.0, times, float(judged.mean()), reason)
    weights = {name: float(dur[labels == name].sum()) for name in POSTURES}
    best = max(weights, key=lambda k: weights[k])
    total = sum(weights.values())
    share = weights[best] / total if total > 0 else 0.0
    conf = float(np.mean(classes.confidence[labels == best])) * share
    return PostureSummary(best, conf, times, float(judged.mean()), None)
