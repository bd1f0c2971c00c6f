"""REBA, the Rapid Entire Body Assessment (Hignett and McAtamney, Applied Ergonomics 31 (2000) 201-205).

The three look-up tables and every score band are copied from the published
worksheet and checked cell by cell (tests/test_lift_reba.py re-derives worked
examples by hand). All scoring functions are vectorised: they take angle arrays
(degrees) and return float arrays of scores, NaN where an input angle is NaN.

Angle conventions (degrees): trunk and neck flexion positive forward, negative in
extension; the neck angle is relative to the trunk; knee flexion 0 straight;
upper-arm flexion relative to the trunk, positive forward; elbow flexion 0
straight; wrist flexion/extension magnitude.
"""

from __future__ import annotations

import numpy as np

# Table A: posture score of group A, indexed [trunk - 1][neck - 1][legs - 1]
# (trunk 1..5, neck 1..3, legs 1..4). Hignett and McAtamney (2000), Table A.
TABLE_A = np.array([
    # neck 1         neck 2          neck 3
    [[1, 2, 3, 4], [1, 2, 3, 4], [3, 3, 5, 6]],  # trunk 1
    [[2, 3, 4, 5], [3, 4, 5, 6], [4, 5, 6, 7]],  # trunk 2
    [[2, 4, 5, 6], [4, 5, 6, 7], [5, 6, 7, 8]],  # trunk 3
    [[3, 5, 6, 7], [5, 6, 7, 8], [6, 7, 8, 9]],  # trunk 4
    [[4, 6, 7, 8], [6, 7, 8, 9], [7, 8, 9, 9]],  # trunk 5
], dtype=int)

# Table B: posture score of group B, indexed [upper_arm - 1][lower_arm - 1][wrist - 1]
# (upper arm 1..6, lower arm 1..2, wrist 1..3). Hignett and McAtamney (2000), Table B.
TABLE_B = np.array([
    # lower arm 1   lower arm 2
    [[1, 2, 2], [1, 2, 3]],  # upper arm 1
    [[1, 2, 3], [2, 3, 4]],  # upper arm 2
    [[3, 4, 5], [4, 5, 5]],  # upper arm 3
    [[4, 5, 5], [5, 6, 7]],  # upper arm 4
    [[6, 7, 8], [7, 8, 8]],  # upper arm 5
    [[7, 8, 8], [8, 9, 9]],  # upper arm 6
], dtype=int)

# Table C: indexed [score_A - 1][score_B - 1], both 1..12. Hignett and McAtamney (2000), Table C.
TABLE_C = np.array([
    [1, 1, 1, 2, 3, 3, 4, 5, 6, 7, 7, 7],
    [1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 7, 8],
    [2, 3, 3, 3, 4, 5, 6, 7, 7, 8, 8, 8],
    [3, 4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9],
    [4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9, 9],
    [6, 6, 6, 7, 8, 8, 9, 9, 10, 10, 10, 10],
    [7, 7, 7, 8, 9, 9, 9, 10, 10, 11, 11, 11],
    [8, 8, 8, 9, 10, 10, 10, 10, 10, 11, 11, 11],
    [9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12],
    [10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 12],
    [11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12],
    [12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12],
], dtype=int)

COUPLING_SCORES = {"good": 0, "fair": 1, "poor": 2, "unacceptable": 3}

# Risk levels of the final score (Hignett and McAtamney 2000, action levels 0..4).
RISK_LEVELS = (
    (1, 1, "negligible", 0, "none necessary"),
    (2, 3, "low", 1, "may be necessary"),
    (4, 7, "medium", 2, "necessary"),
    (8, 10, "high", 3, "necessary soon"),
    (11, 15, "very high", 4, "necessary now"),
)


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _nan_where(score: np.ndarray, *inputs) -> np.ndarray:
    bad = np.zeros(np.shape(score), dtype=bool)
    for x in inputs:
        bad |= ~np.isfinite(_arr(x))
    return np.where(bad, np.nan, score)


def trunk_score(flexion_deg, twisted_or_side_bent=False, upright_tolerance_deg: float = 5.0) -> np.ndarray:
    """Upright 1; 0-20 deg flexion or extension 2; 20-60 flexion or >20 extension 3; >60 flexion 4; +1 twist/side bend.

    "Upright" is |angle| <= ``upright_tolerance_deg`` (the worksheet says 0 deg; a
    measured angle is never exactly 0, so the tolerance is our choice).
    """
    a = _arr(flexion_deg)
    s = np.where(np.abs(a) <= upright_tolerance_deg, 1,
                 np.where(np.abs(a) <= 20, 2, np.where((a <= 60) | (a < -20), 3, 4)))
    s = s + np.asarray(twisted_or_side_bent, dtype=bool).astype(int)
    return _nan_where(s.astype(float), a)


def neck_score(flexion_deg, twisted_or_side_bent=False, extension_tolerance_deg: float = 0.0) -> np.ndarray:
    """0-20 deg flexion 1; >20 flexion or in extension 2; +1 twisted or side bent."""
    a = _arr(flexion_deg)
    s = np.where((a > 20) | (a < -extension_tolerance_deg), 2, 1)
    s = s + np.asarray(twisted_or_side_bent, dtype=bool).astype(int)
    return _nan_where(s.astype(float), a)


def legs_score(knee_flexion_deg, unilateral=False) -> np.ndarray:
    """Bilateral weight bearing/walking/sitting 1, unilateral or unstable 2; +1 knees 30-60 deg, +2 knees >60 deg."""
    k = _arr(knee_flexion_deg)
    base = 1 + np.asarray(unilateral, dtype=bool).astype(int)
    adj = np.where(k > 60, 2, np.where(k >= 30, 1, 0))
    return _nan_where((base + adj).astype(float), k)


def upper_arm_score(flexion_deg, abducted_or_rotated=False, shoulder_raised=False, supported=False) -> np.ndarray:
    """20 ext-20 flex 1; >20 ext or 20-45 flex 2; 45-90 flex 3; >90 flex 4; +1 abducted/rotated, +1 raised, -1 supported."""
    a = _arr(flexion_deg)
    s = np.where(a > 90, 4, np.where(a > 45, 3, np.where((a > 20) | (a < -20), 2, 1)))
    s = (s + np.asarray(abducted_or_rotated, dtype=bool).astype(int) + np.asarray(shoulder_raised, dtype=bool).astype(int)
         - np.asarray(supported, dtype=bool).astype(int))
    return _nan_where(np.clip(s, 1, 6).astype(float), a)


def lower_arm_score(elbow_flexion_deg) -> np.ndarray:
    """60-100 deg flexion 1; <60 or >100 deg 2."""
    a = _arr(elbow_flexion_deg)
    return _nan_where(np.where((a >= 60) & (a <= 100), 1, 2).astype(float), a)


def wrist_score(flexion_deg=0.0, deviated_or_twisted=False) -> np.ndarray:
    """0-15 deg flexion/extension 1; >15 deg 2; +1 deviated or twisted."""
    a = _arr(flexion_deg)
    s = np.where(np.abs(a) > 15, 2, 1) + np.asarray(deviated_or_twisted, dtype=bool).astype(int)
    return _nan_where(s.astype(float), a)


def load_score(load_kg: float | None, shock: bool = False) -> int:
    """<5 kg 0; 5-10 kg 1; >10 kg 2; +1 shock or rapid build-up of force. ``None`` (unknown) scores 0."""
    if load_kg is None:
        s = 0
    elif load_kg < 5:
        s = 0
    elif load_kg <= 10:
        s = 1
    else:
        s = 2
    return s + int(bool(shock))


def coupling_score(coupling: str) -> int:
    """Good 0, fair 1, poor 2, unacceptable 3."""
    try:
        return COUPLING_SCORES[coupling]
    except KeyError:
        raise ValueError(f"coupling must be one of {', '.join(COUPLING_SCORES)}, got {coupling!r}") from None


def activity_score(static_over_1min: bool = False, repeated_over_4_per_min: bool = False,
                   rapid_large_changes: bool = False) -> int:
    """+1 for each: a body part held static > 1 min; small-range actions repeated > 4/min; rapid large range changes."""
    return int(bool(static_over_1min)) + int(bool(repeated_over_4_per_min)) + int(bool(rapid_large_changes))


def table_a(trunk, neck, legs) -> np.ndarray:
    t, n, g = _arr(trunk), _arr(neck), _arr(legs)
    t, n, g = np.broadcast_arrays(t, n, g)
    ok = np.isfinite(t) & np.isfinite(n) & np.isfinite(g)
    out = np.full(t.shape, np.nan)
    out[ok] = TABLE_A[t[ok].astype(int) - 1, n[ok].astype(int) - 1, g[ok].astype(int) - 1]
    return out


def table_b(upper_arm, lower_arm, wrist) -> np.ndarray:
    u, lo, w = np.broadcast_arrays(_arr(upper_arm), _arr(lower_arm), _arr(wrist))
    ok = np.isfinite(u) & np.isfinite(lo) & np.isfinite(w)
    out = np.full(u.shape, np.nan)
    out[ok] = TABLE_B[u[ok].astype(int) - 1, lo[ok].astype(int) - 1, w[ok].astype(int) - 1]
    return out


def table_c(score_a, score_b) -> np.ndarray:
    a, b = np.broadcast_arrays(_arr(score_a), _arr(score_b))
    ok = np.isfinite(a) & np.isfinite(b)
    out = np.full(a.shape, np.nan)
    out[ok] = TABLE_C[np.clip(a[ok].astype(int), 1, 12) - 1, np.clip(b[ok].astype(int), 1, 12) - 1]
    return out


def reba_from_scores(trunk, neck, legs, upper_arm, lower_arm, wrist, load: int = 0, coupling: int = 0,
                     activity: int = 0) -> dict[str, np.ndarray]:
    """All intermediate REBA scores from the body-part scores (arrays broadcast together)."""
    posture_a = table_a(trunk, neck, legs)
    posture_b = table_b(upper_arm, lower_arm, wrist)
    score_a = posture_a + load
    score_b = posture_b + coupling
    score_c = table_c(score_a, score_b)
    return {"posture_a": posture_a, "score_a": score_a, "posture_b": posture_b, "score_b": score_b,
            "score_c": score_c, "reba": score_c + activity}


def risk_level(score: float) -> dict[str, object]:
    """Risk level and action level of a final REBA score (1..15)."""
    if not np.isfinite(score):
        return {"risk": "unknown", "action_level": None, "action": "not assessed"}
    s = int(round(score))
    for lo, hi, risk, level, action in RISK_LEVELS:
        if lo <= s <= hi:
            return {"risk": risk, "action_level": level, "action": action}
    return {"risk": "very high", "action_level": 4, "action": "necessary now"}
