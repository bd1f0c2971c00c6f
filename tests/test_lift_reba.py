"""REBA tables and scoring against the published worksheet (Hignett and McAtamney 2000).

Expected values are derived by hand from the worksheet's Tables A, B and C, step by
step in the comments, so a wrong cell or band shows up as a failing test.
"""

from __future__ import annotations

import numpy as np
import pytest

from posture.lift import reba


def test_table_shapes_and_ranges():
    assert reba.TABLE_A.shape == (5, 3, 4)
    assert reba.TABLE_B.shape == (6, 2, 3)
    assert reba.TABLE_C.shape == (12, 12)
    assert reba.TABLE_A.min() == 1 and reba.TABLE_A.max() == 9
    assert reba.TABLE_B.min() == 1 and reba.TABLE_B.max() == 9
    assert reba.TABLE_C.min() == 1 and reba.TABLE_C.max() == 12
    # Table C never decreases along a row or down a column
    assert (np.diff(reba.TABLE_C, axis=0) >= 0).all() and (np.diff(reba.TABLE_C, axis=1) >= 0).all()


@pytest.mark.parametrize(("trunk", "neck", "legs", "expected"), [
    (1, 1, 1, 1), (1, 3, 1, 3), (1, 3, 2, 3), (1, 3, 3, 5),  # the irregular first row of neck 3: 3 3 5 6
    (2, 2, 1, 3), (3, 1, 1, 2), (3, 1, 2, 4), (4, 2, 3, 7), (5, 3, 3, 9), (5, 3, 4, 9), (5, 1, 4, 8),
])
def test_table_a_cells(trunk, neck, legs, expected):
    assert reba.table_a(trunk, neck, legs) == expected


@pytest.mark.parametrize(("upper", "lower", "wrist", "expected"), [
    (1, 1, 1, 1), (1, 1, 3, 2), (1, 2, 3, 3), (2, 1, 1, 1), (3, 2, 3, 5), (4, 1, 3, 5), (4, 2, 3, 7),
    (5, 1, 1, 6), (6, 2, 3, 9), (6, 1, 3, 8),
])
def test_table_b_cells(upper, lower, wrist, expected):
    assert reba.table_b(upper, lower, wrist) == expected


@pytest.mark.parametrize(("a", "b", "expected"), [
    (1, 1, 1), (1, 4, 2), (1, 12, 7), (2, 12, 8), (5, 4, 5), (6, 1, 6), (6, 9, 10), (7, 8, 10), (8, 9, 10),
    (8, 10, 11), (9, 10, 12), (10, 4, 11), (11, 4, 11), (11, 5, 12), (12, 1, 12),
])
def test_table_c_cells(a, b, expected):
    assert reba.table_c(a, b) == expected


@pytest.mark.parametrize(("angle", "expected"), [
    (0, 1), (4.9, 1), (-4.9, 1), (10, 2), (20, 2), (-20, 2), (20.1, 3), (60, 3), (-25, 3), (60.1, 4), (95, 4),
])
def test_trunk_bands(angle, expected):
    assert reba.trunk_score(angle) == expected


def test_body_part_bands_and_adjustments():
    assert list(reba.neck_score([0, 20, 21, -5])) == [1, 1, 2, 2]
    assert reba.neck_score(10, twisted_or_side_bent=True) == 2
    assert list(reba.legs_score([0, 29.9, 30, 60, 60.1])) == [1, 1, 2, 2, 3]
    assert reba.legs_score(70, unilateral=True) == 4
    assert list(reba.upper_arm_score([0, -20, -21, 21, 45, 46, 90, 91])) == [1, 1, 2, 2, 2, 3, 3, 4]
    assert reba.upper_arm_score(100, abducted_or_rotated=True, shoulder_raised=True) == 6
    assert reba.upper_arm_score(10, supported=True) == 1  # never below 1
    assert list(reba.lower_arm_score([59, 60, 100, 101])) == [2, 1, 1, 2]
    assert list(reba.wrist_score([0, 15, 16])) == [1, 1, 2]
    assert [reba.load_score(x) for x in (None, 4.9, 5, 10, 10.1)] == [0, 0, 1, 1, 2]
    assert reba.load_score(12, shock=True) == 3
    assert [reba.coupling_score(c) for c in ("good", "fair", "poor", "unacceptable")] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="coupling must be one of"):
        reba.coupling_score("slippery")


def test_nan_in_nan_out():
    assert np.isnan(reba.trunk_score(np.nan))
    assert np.isnan(reba.table_a(np.nan, 1, 1))
    out = reba.reba_from_scores(np.array([1, np.nan]), 1, 1, 1, 1, 1)
    assert out["reba"][0] == 1 and np.isnan(out["reba"][1])


def test_worked_example_semi_squat_lift():
    # Trunk 30 deg flexion -> 3 (20-60). Neck 25 deg flexion -> 2 (>20). Legs: both feet down (1),
    # knees 45 deg (+1, 30-60) -> 2. Table A[trunk 3][neck 2][legs 2] = 5 (row 4 5 6 7). Load 8 kg -> +1:
    # score A = 6. Upper arm 50 deg -> 3 (45-90); lower arm 110 deg -> 2 (>100); wrist 20 deg -> 2 (>15).
    # Table B[3][2][2] = 5 (row 4 5 5). Fair coupling +1: score B = 6. Table C[6][6] = 8
    # (row 6 6 6 7 8 8 ...). Repeated > 4/min: +1 -> REBA 9: high risk, action level 3.
    parts = dict(trunk=reba.trunk_score(30), neck=reba.neck_score(25), legs=reba.legs_score(45),
                 upper_arm=reba.upper_arm_score(50), lower_arm=reba.lower_arm_score(110), wrist=reba.wrist_score(20))
    assert [int(v) for v in parts.values()] == [3, 2, 2, 3, 2, 2]
    out = reba.reba_from_scores(**parts, load=reba.load_score(8), coupling=reba.coupling_score("fair"),
                                activity=reba.activity_score(repeated_over_4_per_min=True))
    assert (out["posture_a"], out["score_a"], out["posture_b"], out["score_b"], out["score_c"], out["reba"]) == (5, 6, 5, 6, 8, 9)
    assert reba.risk_level(out["reba"])["risk"] == "high"
    assert reba.risk_level(out["reba"])["action_level"] == 3


def test_worked_example_stoop_lift_twisted():
    # Trunk 70 deg (>60 -> 4) twisted (+1) = 5; neck 10 deg -> 1; legs straight (10 deg), both feet -> 1.
    # Table A[5][1][1] = 4. Load 12 kg -> +2: A = 6. Upper arm 10 deg -> 1; lower arm 20 deg -> 2; wrist 0 -> 1.
    # Table B[1][2][1] = 1; poor coupling +2: B = 3. Table C[6][3] = 6 -> medium risk, action level 2.
    out = reba.reba_from_scores(reba.trunk_score(70, True), reba.neck_score(10), reba.legs_score(10),
                                reba.upper_arm_score(10), reba.lower_arm_score(20), reba.wrist_score(0),
                                load=reba.load_score(12), coupling=reba.coupling_score("poor"))
    assert (out["posture_a"], out["score_a"], out["score_b"], out["reba"]) == (4, 6, 3, 6)
    assert reba.risk_level(6)["risk"] == "medium"


def test_worked_example_maximum():
    # Every part at its worst: A = Table A[5][3][4] 9 + load 3 = 12; B = Table B[6][2][3] 9 + coupling 3 = 12;
    # Table C[12][12] = 12, + 3 activity = 15: very high.
    out = reba.reba_from_scores(5, 3, 4, 6, 2, 3, load=3, coupling=3, activity=3)
    assert out["reba"] == 15
    assert reba.risk_level(15)["risk"] == "very high"
    assert [reba.risk_level(s)["risk"] for s in (1, 2, 3, 4, 7, 8, 10, 11)] == [
        "negligible", "low", "low", "medium", "medium", "high", "high", "very high"]
