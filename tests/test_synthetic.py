"""The synthetic body model produces exactly the angles it was given."""

from __future__ import annotations

import numpy as np
import pytest

from posture import landmarks as L
from posture.geometry import angle_from_horizontal_deg, angle_from_vertical_deg, flexion_deg, midpoint
from posture.synthetic import pose_from_angles, static_pose, walker


@pytest.mark.parametrize("facing", [1.0, -1.0])
def test_trunk_knee_hip_angles_are_exact(facing):
    seq = static_pose(3, facing=facing, trunk_deg=25, knee_deg=(40, 70), hip_deg=(30, 60))
    xy = seq.xy_px
    hip, sh = midpoint(xy[:, 23], xy[:, 24]), midpoint(xy[:, 11], xy[:, 12])
    assert angle_from_vertical_deg(hip, sh, facing)[0] == pytest.approx(25)
    assert flexion_deg(xy[:, L.LEFT_HIP], xy[:, L.LEFT_KNEE], xy[:, L.LEFT_ANKLE])[0] == pytest.approx(40)
    assert flexion_deg(xy[:, L.RIGHT_HIP], xy[:, L.RIGHT_KNEE], xy[:, L.RIGHT_ANKLE])[0] == pytest.approx(70)
    assert angle_from_vertical_deg(xy[:, L.RIGHT_KNEE], xy[:, L.RIGHT_HIP], facing)[0] == pytest.approx(-60)


def test_head_pitch_and_foot_pitch():
    xy, _, _ = pose_from_angles(1, head_pitch_deg=20, foot_pitch_deg=(10, -5))
    assert angle_from_horizontal_deg(xy[:, L.LEFT_EAR], xy[:, L.NOSE])[0] == pytest.approx(-20)
    assert angle_from_horizontal_deg(xy[:, L.LEFT_HEEL], xy[:, L.LEFT_FOOT_INDEX])[0] == pytest.approx(10)
    assert angle_from_horizontal_deg(xy[:, L.RIGHT_HEEL], xy[:, L.RIGHT_FOOT_INDEX])[0] == pytest.approx(-5)


def test_near_side_is_nearer_in_depth():
    _, _, depth = pose_from_angles(1, facing=1.0)
    assert depth[0, L.RIGHT_HIP] < depth[0, L.LEFT_HIP]
    _, _, depth = pose_from_angles(1, facing=-1.0)
    assert depth[0, L.LEFT_HIP] < depth[0, L.RIGHT_HIP]


def test_front_view_pelvis_tilt():
    xy, _, _ = pose_from_angles(1, view="front", pelvis_tilt_deg=8)
    d = xy[0, L.LEFT_HIP] - xy[0, L.RIGHT_HIP]
    assert np.degrees(np.arctan2(-d[1], d[0])) == pytest.approx(8)


def test_walker_truth_matches_heel_forward_peaks():
    seq, truth = walker(cadence_spm=100, duration_s=6.0, fps=100.0)
    pelvis_x = midpoint(seq.xy_px[:, 23], seq.xy_px[:, 24])[:, 0]
    rel = seq.xy_px[:, L.RIGHT_HEEL, 0] - pelvis_x  # Zeni et al. 2008: contact at the heel's forward maximum
    peaks = [i for i in range(1, len(rel) - 1) if rel[i] > rel[i - 1] and rel[i] >= rel[i + 1]]
    got = seq.timestamps_s[peaks]
    want = truth["initial_contacts_s_right"]
    want = want[(want > 0.02) & (want < seq.timestamps_s[-1] - 0.02)]
    np.testing.assert_allclose(got, want, atol=0.011)
    assert float(truth["cadence_spm"]) == 100.0
