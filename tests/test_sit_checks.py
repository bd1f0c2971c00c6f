"""Sitting measures on synthetic seated poses with known angles (closed-form answers)."""

from __future__ import annotations

import numpy as np
import pytest

from posture import landmarks as L
from posture.sit.checks import (
    estimate_camera_roll_deg,
    hips_vs_knees,
    measure_sitting,
    rotate_points_px,
    shin_tilt_deg,
    thigh_angle_deg,
)
from posture.sit.synthetic import seated_sequence
from posture.view import classify_views


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


def test_views_come_from_the_one_view_module():
    side = seated_sequence(1)
    front = seated_sequence(1, view="front")
    assert measure_sitting(side).view[0] == classify_views(side).view[0] == "side"
    assert measure_sitting(front).view[0] == "front"
    hidden = side.replace(visibility=np.zeros_like(np.asarray(side.visibility)))
    assert measure_sitting(hidden).view[0] == "unknown"


@pytest.mark.parametrize("yaw", [35.0, -45.0, 60.0])
@pytest.mark.parametrize("facing", [1.0, -1.0])
def test_three_quarter_view_uses_world_landmarks(yaw, facing):
    """Turned 35-45 deg from the side, pixel angles are foreshortened; the world angles still recover the pose."""
    angles = dict(trunk_deg=25.0, forward_head_deg=30.0, thigh_deg=-10.0, facing=facing)
    seq = seated_sequence(1, yaw_deg=yaw, **angles)
    m = measure_sitting(seq)
    # 35-45 deg off profile the view module may still say "side" (yaw >= 45 from square-on); sit measures it on the
    # world landmarks all the same (SitParams.pixel_min_yaw_deg)
    assert m.view[0] in ("side", "oblique") and m.method[0] == "world"
    assert m.trunk_deg[0] == pytest.approx(25.0, abs=0.5)
    assert m.forward_head_deg[0] == pytest.approx(30.0, abs=0.5)
    assert m.thigh_deg[0] == pytest.approx(-10.0, abs=0.5)
    assert m.knee_deg[0] == pytest.approx(80.0, abs=0.5)  # thigh rising 10 deg to the knee, shin vertical


def test_world_and_pixel_angles_agree_in_a_side_view():
    seq = seated_sequence(1, trunk_deg=-20.0, forward_head_deg=10.0, thigh_deg=8.0)
    m = measure_sitting(seq)
    assert m.method[0] == "pixels"
    assert m.world_trunk_deg[0] == pytest.approx(m.pixel_trunk_deg[0], abs=1e-6) == pytest.approx(-20.0)
    assert m.world_thigh_deg[0] == pytest.approx(8.0, abs=1e-6)


def test_folded_legs_are_not_taken_for_a_tilted_camera():
    """A kneeling chair: trunk upright, thighs sloping 30 deg, shins folded back 50 deg past vertical. The shins lean
    far, but a camera roll would turn the thighs with them: the knee angle (80 - 50 = well under 75 deg) shows the legs
    are folded, so the camera is assumed level (and the posture less sure), not rolled by the shin's lean."""
    seq = seated_sequence(1, trunk_deg=0.0, thigh_deg=30.0, shin_deg=-50.0, facing=-1.0)
    m = measure_sitting(seq)
    assert m.roll.applied_deg == 0.0 and m.roll.unsure
    assert m.trunk_deg[0] == pytest.approx(0.0, abs=1e-6)
    assert m.knee_deg[0] < 75.0


def test_one_visible_shin_is_not_evidence_of_the_camera_roll():
    seq = seated_sequence(1, roll_deg=25.0, hide=(L.RIGHT_KNEE, L.RIGHT_ANKLE))
    m = measure_sitting(seq)
    assert m.roll.applied_deg == 0.0 and m.roll.unsure
    assert "assumed level" in m.roll.reason


def test_nan_in_gives_nan_out():
    seq = seated_sequence(2)
    xy, world = np.array(seq.xy_px), np.array(seq.world_m)
    xy[1] = np.nan
    world[1] = np.nan
    m = measure_sitting(seq.replace(xy_px=xy, world_m=world))
    assert np.isfinite(m.trunk_deg[0]) and np.isnan(m.trunk_deg[1]) and m.view[1] == "unknown"


@pytest.mark.parametrize(("thigh", "expected"), [(20.0, "higher"), (5.0, "level"), (-3.0, "level"), (-8.0, "lower"),
                                             (np.nan, "not_visible")])
def test_hips_vs_knees_words(thigh, expected):
    assert hips_vs_knees(thigh) == expected


def test_kneeling_chair_with_a_square_knee_is_still_not_a_tilted_camera():
    """A kneeling chair can put thigh and shin at a right angle (thigh 35 deg down, shin 22 deg back): the leg looks
    like a rotated seated leg. The feet give it away: they hang in line with the shins, not flat at a right angle."""
    seq = seated_sequence(1, trunk_deg=-3.0, thigh_deg=35.0, shin_deg=-22.0, foot_pitch_deg=-70.0, facing=1.0)
    m = measure_sitting(seq)
    assert 75.0 <= m.knee_deg[0] <= 105.0  # square knee: the old shin-only rule would have "corrected" 22 deg
    assert m.roll.applied_deg == 0.0 and m.roll.unsure
    assert m.trunk_deg[0] == pytest.approx(-3.0, abs=1e-6)
