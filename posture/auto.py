"""Guess which task a clip or photo shows, for ``--task auto``.

Our own rule set. Its thresholds were set while looking at the task clips
and photos of the development set (tests/test_auto.py), where it picks every
task right; that is a regression check, not an independent accuracy figure.
The pick-up, lying-leg-raise and body-size rules were added when the floor
pick-ups, a front-view deadlift and a supine leg raise joined the set.
Each frame's body posture is classed as lying, kneeling, sitting, bent
(hinged forward) or standing from trunk and thigh angles in pixels; the
clip's movement adds two cues: travel (sideways, or toward/away from the
camera) and walking in place (the two ankles rising in turn).

- mostly lying or kneeling -> stretch
- mostly sitting -> sit
- travelling, or walking in place -> walk
- sitting-like frames but the hips moving up and down by half a torso (squats),
  hinged forward in a third of the clip, the hips moving, or one forward bend
  of 0.3-8 s between standing frames (a pick-up from the floor) -> lift
- otherwise (standing still, standing poses) -> stretch
"""

from __future__ import annotations

import warnings

import numpy as np

from posture import landmarks as L
from posture.geometry import absolute_angle_from_vertical_deg, midpoint
from posture.sequence import PoseSequence

LYING, KNEELING, SITTING, BENT, STANDING, UNKNOWN = "lying", "kneeling", "sitting", "bent", "standing", "unknown"


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(x, axis=axis)


def classify_postures(seq: PoseSequence, min_visibility: float = 0.4) -> np.ndarray:
    """(n,) array of posture class names per frame (see module docstring).

    Features, all in torso lengths or degrees in image pixels: trunk angle from
    vertical; each thigh's angle from horizontal and its projected length
    (short when it points at the camera, as when sitting facing it); the
    body's vertical extent (small on the floor); knees near ankle height
    (kneeling); wrists below the knees (reaching down to a load); how far
    apart the ankles are (wide standing stances are not sitting).
    """
    xy = np.where((seq.visibility >= min_visibility)[..., None], seq.xy_px, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sh = np.nanmean(xy[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]], axis=1)
        hip = np.nanmean(xy[:, [L.LEFT_HIP, L.RIGHT_HIP]], axis=1)
        torso = np.linalg.norm(sh - hip, axis=1)
        trunk = absolute_angle_from_vertical_deg(hip, sh)
        thigh_h = np.stack([90.0 - absolute_angle_from_vertical_deg(xy[:, h], xy[:, k])
                            for h, k in ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE))], 1)
        thigh_len = np.stack([np.linalg.norm(xy[:, k] - xy[:, h], axis=1)
                              for h, k in ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE))], 1) / torso[:, None]
        knee_up = np.stack([(xy[:, a, 1] - xy[:, k, 1]) for k, a in ((L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_KNEE, L.RIGHT_ANKLE))],
                           1) / torso[:, None]
        extent = (np.nanmax(xy[..., 1], axis=1) - np.nanmin(xy[..., 1], axis=1)) / torso
        wrists_below_knees = (np.nanmean(xy[:, [L.LEFT_WRIST, L.RIGHT_WRIST], 1], axis=1)
                              - np.nanmean(xy[:, [L.LEFT_KNEE, L.RIGHT_KNEE], 1], axis=1)) / torso
        ankle_spread = np.abs(xy[:, L.LEFT_ANKLE, 0] - xy[:, L.RIGHT_ANKLE, 0]) / torso
        # standing bent over, the feet are far below the hips; lying (even with a leg raised), they are not
        feet_below_hip = (np.nanmax(xy[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1], axis=1) - hip[:, 1]) / torso
        flat_thigh = np.nanmin(thigh_h, axis=1) < 35
        seated_thigh = np.nanmin(thigh_h, axis=1) < 50  # perched or reclined seats tilt the thigh
        frontal = np.linalg.norm(xy[:, L.LEFT_SHOULDER] - xy[:, L.RIGHT_SHOULDER], axis=1) / torso > 0.5
        ankles_seen = np.isfinite(xy[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1]).any(axis=1)
        # a thigh seen end-on (pointing at the camera) looks short: sitting facing the camera
        end_on_thighs = np.nanmax(thigh_len, axis=1) < 0.55
        knee_on_floor = np.nanmin(knee_up, axis=1) < 0.3
        steep_thighs = np.nanmin(thigh_h, axis=1) > 55
    out = np.full(seq.n_frames, UNKNOWN, dtype=object)
    for i in range(seq.n_frames):
        if not np.isfinite(trunk[i]) or not np.isfinite(torso[i]) or torso[i] <= 0:
            continue
        if trunk[i] > 60:
            # on the floor the body is low and long, and the feet are not below the hips
            out[i] = LYING if extent[i] < 1.7 or not feet_below_hip[i] > 0.8 else BENT
        elif wrists_below_knees[i] > 0.25 and trunk[i] > 15:
            out[i] = BENT
        elif knee_on_floor[i] and flat_thigh[i] and not steep_thighs[i]:
            out[i] = KNEELING
        elif trunk[i] < 45 and (seated_thigh[i] or end_on_thighs[i]) and not ankle_spread[i] > 1.2:
            out[i] = SITTING
        elif frontal[i] and not ankles_seen[i]:
            out[i] = UNKNOWN  # from the front, with the feet out of view, sitting and standing look alike
        elif trunk[i] >= 25:
            out[i] = STANDING if frontal[i] else BENT  # seen from the front, a tilted trunk is a side bend
        else:
            out[i] = STANDING
    return out


def _walking_in_place(seq: PoseSequence, torso: float) -> bool:
    """The ankles rise in turn (negatively correlated heights) by a clear amount."""
    la, ra = seq.xy_px[:, L.LEFT_ANKLE, 1], seq.xy_px[:, L.RIGHT_ANKLE, 1]
    ok = np.isfinite(la) & np.isfinite(ra)
    if ok.sum() < 20:
        return False
    la, ra = la[ok] - np.median(la[ok]), ra[ok] - np.median(ra[ok])
    if min(la.std(), ra.std()) < 0.04 * torso:
        return False
    return float(np.corrcoef(la, ra)[0, 1]) < -0.2


def guess_task(seq: PoseSequence) -> str:
    """"walk", "lift", "stretch" or "sit" (see the module docstring for the rules)."""
    classes = classify_postures(seq)
    known = classes[classes != UNKNOWN]
    if known.size == 0:
        return "stretch"
    share = {c: float(np.mean(known == c)) for c in (LYING, KNEELING, SITTING, BENT, STANDING)}
    if share[LYING] + share[KNEELING] > 0.5:
        return "stretch"
    xy = seq.xy_px
    hip = midpoint(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
    sh = midpoint(xy[:, L.LEFT_SHOULDER], xy[:, L.RIGHT_SHOULDER])
    torso_len = np.linalg.norm(sh - hip, axis=1)
    found = np.isfinite(hip[:, 0]) & np.isfinite(torso_len)
    if seq.n_frames == 1 or found.sum() < 2:
        return "sit" if share[SITTING] > 0.5 else "lift" if share[BENT] > 0.5 else "stretch"
    torso = float(np.median(torso_len[found]))
    travel = (np.percentile(hip[found, 0], 95) - np.percentile(hip[found, 0], 5)) / torso
    sh_w = np.linalg.norm(xy[:, L.LEFT_SHOULDER] - xy[:, L.RIGHT_SHOULDER], axis=1)
    upright = found & (classes != BENT)  # bending over shrinks the body in the picture; walking away does too
    size_change = _size_change(np.fmax(torso_len, sh_w)[upright if upright.sum() >= 2 else found])
    hip_y_range = (np.percentile(hip[found, 1], 95) - np.percentile(hip[found, 1], 5)) / torso
    # squats pass through sitting-like frames, but their hips travel up and down by most of a torso
    if share[SITTING] > 0.5 and hip_y_range < 0.5:
        return "sit"
    if share[BENT] < 0.3 and (travel > 2.5 or size_change > 1.6 or _walking_in_place(seq, torso)):
        return "walk"
    if share[BENT] >= 0.3 or hip_y_range > 0.5 or _bends_and_returns(classes, seq.timestamps_s, _side_bend(seq)):
        return "lift"
    return "stretch"


def _size_change(scale_px: np.ndarray) -> float:
    """How much the body's size changes over the clip (95th over 5th percentile): walking toward or away from
    the camera. The size is the larger of torso length and shoulder width, so bending toward the camera (which
    shortens the torso in the picture, not the shoulders) does not count."""
    return float(np.percentile(scale_px, 95) / max(np.percentile(scale_px, 5), 1e-6))


def _side_bend(seq: PoseSequence) -> np.ndarray:
    """(n,) bool: a sideways bend seen from the front or back (the shoulder line tilted more than 20 deg), as
    in a triangle pose; a forward bend to pick something up keeps the shoulders level, and seen from the side
    the shoulder line says nothing about it."""
    from posture.view import classify_views

    xy = seq.xy_px
    d = xy[:, L.LEFT_SHOULDER] - xy[:, L.RIGHT_SHOULDER]
    with np.errstate(invalid="ignore"):
        tilt = np.degrees(np.arctan2(np.abs(d[:, 1]), np.abs(d[:, 0])))
    return np.isin(classify_views(seq).view, ("front", "back")) & (tilt > 20)


def _bends_and_returns(classes: np.ndarray, timestamps_s: np.ndarray, side_bend: np.ndarray, min_s: float = 0.3,
                       max_s: float = 8.0) -> bool:
    """A pick-up: bent forward (not ``side_bend``) for ``min_s``..``max_s`` seconds, standing before and after
    (a held forward fold of a stretch lasts longer). Our choice of limits; the two floor pick-ups of the dev set
    bend for 0.7-0.9 s."""
    from posture.signals import true_runs

    t = np.asarray(timestamps_s, float)
    standing = np.flatnonzero(classes == STANDING)
    if standing.size == 0:
        return False
    for a, b in true_runs((classes == BENT) & ~np.asarray(side_bend, bool)):
        dur = float(t[b - 1] - t[a]) if b - 1 > a else 0.0
        if min_s <= dur <= max_s and standing[0] < a and standing[-1] >= b:
            return True
    return False
