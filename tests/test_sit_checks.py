"""Sitting measures on synthetic seated poses with known angles (closed-form answers)."""

from __future__ import annotations

import numpy as np
import pytest

from posture import landmarks as L
from posture.sit.checks import (
    body_width_ratio,
    classify_view,
    estimate_camera_roll_deg,
    hips_vs_knees,
    measure_sitting,
    rotate_points_px,
    shin_tilt_deg,
    thigh_angle_deg,
)
from posture.sit.params import DEFAULT_SIT
from posture.sit.synthetic import seated_sequence


@pytest.mark.parametrize("facing", [1.0, -1.0])
@pytest.mark.parametrize(
    ("trunk", "head", "pitch", "thigh", "foot"),
    [(0.0, 5.0, 10.0, 0.0, 0.0), (30.0, 40.0, 35.0, -12.0, 5.0), (-30.0, -5.0, 5.0, 20.0, -50.0), (12.0, 18.0, 22.0, -8.0, 3.0)],
)
def test_measures_recover_the_angles_the_pose_was_built_with(facing, trunk, head, pitch, thigh, foot):
    seq = seated_sequence(1, trunk_deg=trunk, forward_head_deg=head, head_pitch_deg=pitch, thigh_deg=thigh,
                          foot_pitch_deg=foot, facing=facing)
    m = measure_sitting(seq)
    assert m.view[0] == "side"
    assert m.facing[0] == facing
    assert m.trunk_deg[0] == pytest.approx(trunk, abs=1e-6)
    assert m.forward_head_deg[0] == pytest.approx(head, abs=1e-6)
    assert m.neck_flexion_deg[0] == pytest.approx(head - trunk, abs=1e-6)
    assert m.head_pitch_deg[0] == pytest.approx(pitch, abs=1e-6)
    assert m.thigh_deg[0] == pytest.approx(thigh, abs=1e-6)
    assert m.foot_pitch_deg[0] == pytest.approx(foot, abs=1e-6)
    assert m.thigh_status[0] == "ok"
    # synthetic segment lengths are Winter's, so the thigh is exactly its expected length
    assert m.thigh_length_fraction[0] == pytest.approx(1.0, abs=0.01)


def test_thigh_angle_sign_hip_higher_is_positive():
    hip = np.array([100.0, 100.0])
    assert thigh_angle_deg(hip, np.array([200.0, 200.0]), 1.0) == pytest.approx(45.0)  # knee lower: hips higher
    assert thigh_angle_deg(hip, np.array([0.0, 100.0 - 100.0 * np.tan(np.radians(10))]), -1.0) == pytest.approx(-10.0)
    assert np.isnan(thigh_angle_deg(hip, np.array([np.nan, 1.0]), 1.0))


def test_rotating_by_the_shin_tilt_makes_the_shin_vertical():
    knee, ankle = np.array([10.0, 10.0]), np.array([10.0 + np.tan(np.radians(25.0)) * 100, 110.0])
    tilt = float(shin_tilt_deg(knee, ankle))
    assert tilt == pytest.approx(25.0)
    k2, a2 = rotate_points_px(np.stack([knee, ankle]), tilt, (0.0, 0.0))
    assert float(shin_tilt_deg(k2, a2)) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("roll", [25.0, -25.0, 40.0])
@pytest.mark.parametrize("facing", [1.0, -1.0])
def test_camera_roll_is_corrected_from_vertical_shins(roll, facing):
    angles = dict(trunk_deg=12.0, forward_head_deg=18.0, head_pitch_deg=22.0, thigh_deg=-8.0, facing=facing)
    m = measure_sitting(seated_sequence(1, roll_deg=roll, **angles))
    assert m.roll.estimate_deg == pytest.approx(roll, abs=1e-6)
    assert m.roll.applied_deg == pytest.approx(roll, abs=1e-6)
    assert m.trunk_deg[0] == pytest.approx(12.0, abs=1e-6)
    assert m.forward_head_deg[0] == pytest.approx(18.0, abs=1e-6)
    assert m.thigh_deg[0] == pytest.approx(-8.0, abs=1e-6)


def test_small_shin_tilt_is_left_alone_and_documented_as_a_limit():
    # a 10 deg camera roll is inside the dead band: it is NOT corrected, so the thigh reads 10 deg off
    m = measure_sitting(seated_sequence(1, roll_deg=10.0, thigh_deg=0.0, facing=1.0))
    assert m.roll.applied_deg == 0.0
    assert m.roll.estimate_deg == pytest.approx(10.0, abs=1e-6)
    assert abs(m.thigh_deg[0]) == pytest.approx(10.0, abs=1e-6)
    # a shin leaning on its own (feet forward) with a level camera is not mistaken for a tilt
    m2 = measure_sitting(seated_sequence(1, shin_deg=12.0, thigh_deg=3.0))
    assert m2.roll.applied_deg == 0.0
    assert m2.thigh_deg[0] == pytest.approx(3.0, abs=1e-6)


def test_roll_not_estimated_when_shins_are_hidden():
    seq = seated_sequence(1, roll_deg=25.0, hide=(L.LEFT_ANKLE, L.RIGHT_ANKLE))
    m = measure_sitting(seq)
    assert np.isnan(m.roll.estimate_deg) and m.roll.applied_deg == 0.0
    assert "not visible" in m.roll.reason


def test_roll_estimate_uses_only_frames_given():
    seq = seated_sequence(3, roll_deg=30.0)
    roll = estimate_camera_roll_deg(np.asarray(seq.xy_px), np.asarray(seq.visibility), np.ones(3, bool),
                                    np.array([False, False, False]))
    assert roll.n_frames == 0 and roll.applied_deg == 0.0


def test_hidden_knees_leave_the_thigh_unjudged():
    seq = seated_sequence(1, thigh_deg=-10.0, hide=(L.LEFT_KNEE, L.RIGHT_KNEE))
    m = measure_sitting(seq)
    assert np.isnan(m.thigh_deg[0]) and m.thigh_status[0] == "hidden"
    assert np.isfinite(m.trunk_deg[0])


def test_a_thigh_pointing_at_the_camera_is_foreshortened_not_measured():
    seq = seated_sequence(1, thigh_deg=0.0, facing=1.0)
    xy = np.array(seq.xy_px)
    for hip, knee in ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE)):
        xy[:, knee] = xy[:, hip] + 0.6 * (xy[:, knee] - xy[:, hip])  # 60% of its length: turned ~53 deg toward the camera
    m = measure_sitting(seq.replace(xy_px=xy))
    assert m.thigh_length_fraction[0] == pytest.approx(0.6, abs=0.01)
    assert m.thigh_status[0] == "foreshortened" and np.isnan(m.thigh_deg[0])


def test_views_from_body_width():
    side = seated_sequence(1)
    front = seated_sequence(1, view="front")
    assert body_width_ratio(np.asarray(side.xy_px))[0] < 0.05
    assert classify_view(np.asarray(side.xy_px), np.asarray(side.visibility))[0] == "side"
    assert body_width_ratio(np.asarray(front.xy_px))[0] > DEFAULT_SIT.front_view_min_width_ratio
    assert classify_view(np.asarray(front.xy_px), np.asarray(front.visibility))[0] == "front"
    hidden = np.zeros_like(np.asarray(side.visibility))
    assert classify_view(np.asarray(side.xy_px), hidden)[0] == "none"


def test_nan_in_gives_nan_out():
    seq = seated_sequence(2)
    xy = np.array(seq.xy_px)
    xy[1] = np.nan
    m = measure_sitting(seq.replace(xy_px=xy))
    assert np.isfinite(m.trunk_deg[0]) and np.isnan(m.trunk_deg[1]) and m.view[1] == "none"


@pytest.mark.parametrize(("thigh", "expected"), [(20.0, "higher"), (5.0, "level"), (-3.0, "level"), (-8.0, "lower"),
                                             (np.nan, "not_visible")])
def test_hips_vs_knees_words(thigh, expected):
    assert hips_vs_knees(thigh) == expected
