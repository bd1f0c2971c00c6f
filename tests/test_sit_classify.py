"""Posture classes and their confidence on synthetic seated poses."""

from __future__ import annotations

import numpy as np
import pytest

from posture import landmarks as L
from posture.sit.checks import measure_sitting
from posture.sit.classify import classify_frames, frame_durations_s, summarize_postures
from posture.sit.params import DEFAULT_SIT
from posture.sit.synthetic import posture_angles, seated_sequence


@pytest.mark.parametrize("name", ["upright", "slouched", "reclined", "perched", "standing"])
def test_each_typical_posture_gets_its_class(name):
    c = classify_frames(measure_sitting(seated_sequence(1, **posture_angles(name))))
    assert c.label[0] == name
    assert 0.8 < c.confidence[0] <= 1.0


@pytest.mark.parametrize(
    ("angles", "expected"),
    [
        (dict(trunk_deg=19.0, forward_head_deg=10.0), "upright"),
        (dict(trunk_deg=21.0, forward_head_deg=10.0), "slouched"),  # ISO 11226 20 deg trunk limit
        (dict(trunk_deg=0.0, forward_head_deg=24.0), "upright"),
        (dict(trunk_deg=0.0, forward_head_deg=26.0), "slouched"),  # rounded upright: forward-head proxy past 25 deg
        (dict(trunk_deg=-24.0, forward_head_deg=0.0), "upright"),
        (dict(trunk_deg=-26.0, forward_head_deg=0.0), "reclined"),
        (dict(trunk_deg=-30.0, forward_head_deg=30.0), "reclined"),  # leaning back wins over the head
        (dict(trunk_deg=0.0, forward_head_deg=5.0, thigh_deg=29.0), "upright"),
        (dict(trunk_deg=0.0, forward_head_deg=5.0, thigh_deg=31.0), "perched"),
        (dict(trunk_deg=25.0, forward_head_deg=5.0, thigh_deg=35.0), "slouched"),
        (dict(trunk_deg=-18.0, forward_head_deg=5.0, thigh_deg=-8.0), "reclined"),  # slumped back: pelvis slid forward
        (dict(trunk_deg=-18.0, forward_head_deg=5.0, thigh_deg=5.0), "upright"),  # the same trunk on a level seat
    ],
)
def test_class_boundaries_follow_the_thresholds(angles, expected):
    c = classify_frames(measure_sitting(seated_sequence(1, **angles)))
    assert c.label[0] == expected


def test_confidence_grows_with_distance_from_the_limit():
    conf = [float(classify_frames(measure_sitting(seated_sequence(1, trunk_deg=t, forward_head_deg=5.0))).confidence[0])
            for t in (21.0, 25.0, 40.0)]
    assert conf[0] < conf[1] <= conf[2]  # full margin one typical error (3 deg) inside the class
    # 1 deg past the limit is close to a coin toss (the check layer's margin: 0.5 + 0.5 d / u, u the typical error)
    assert conf[0] == pytest.approx((0.5 + 0.5 * 1.0 / DEFAULT_SIT.margin_scale_deg) * 0.99, abs=0.01)


def test_upright_with_thighs_hidden_is_a_little_less_sure():
    a = classify_frames(measure_sitting(seated_sequence(1, **posture_angles("upright"))))
    b = classify_frames(measure_sitting(seated_sequence(1, hide=(L.LEFT_KNEE, L.RIGHT_KNEE), **posture_angles("upright"))))
    assert b.label[0] == "upright"
    assert b.confidence[0] == pytest.approx(0.85 * a.confidence[0], rel=1e-6)


def test_front_view_and_hidden_hips_are_not_judged_with_a_reason():
    c = classify_frames(measure_sitting(seated_sequence(1, view="front")))
    assert c.label[0] is None and "side or three-quarter view" in c.reason[0] and c.confidence[0] == 0.0
    hidden = seated_sequence(1, hide=(L.LEFT_HIP, L.RIGHT_HIP))
    c2 = classify_frames(measure_sitting(hidden))
    assert c2.label[0] is None and "hidden" in c2.reason[0]


def test_time_in_posture_of_a_video_adds_up():
    fps = 10.0
    trunk = np.r_[np.full(30, -5.0), np.full(20, 35.0), np.full(10, -35.0)]  # 3 s upright, 2 s slouched, 1 s reclined
    seq = seated_sequence(60, fps=fps, trunk_deg=trunk, forward_head_deg=8.0)
    c = classify_frames(measure_sitting(seq))
    s = summarize_postures(c, seq.timestamps_s, is_image=False)
    assert s.posture == "upright"
    assert s.time_in_posture_s["upright"] == pytest.approx(3.0)
    assert s.time_in_posture_s["slouched"] == pytest.approx(2.0)
    assert s.time_in_posture_s["reclined"] == pytest.approx(1.0)
    assert s.confidence == pytest.approx(0.5 * np.mean(c.confidence[:30]), rel=1e-6)


def test_photo_has_no_time_and_nothing_judged_gives_a_reason():
    seq = seated_sequence(1, view="front")
    s = summarize_postures(classify_frames(measure_sitting(seq)), seq.timestamps_s, is_image=True)
    assert s.posture is None and s.time_in_posture_s == {} and "three-quarter view" in s.reason


def test_frame_durations_cap_long_gaps():
    d = frame_durations_s(np.array([0.0, 0.5, 1.0, 11.0, 11.5]), max_gap_s=2.0)
    assert d.tolist() == [0.5, 0.5, 2.0, 0.5, 0.5]


def test_lying_back_is_not_a_reclined_sitting_posture():
    c = classify_frames(measure_sitting(seated_sequence(1, trunk_deg=-75.0, forward_head_deg=-70.0)))
    assert c.label[0] == "lying" and not c.judged[0]
    s = summarize_postures(c, np.zeros(1), is_image=True)
    assert s.posture is None and "lying" in s.reason


def test_a_clip_mostly_moving_gets_no_sitting_posture():
    """Three quarters of the time the hips move (standing up, walking): no posture is called from the rest."""
    seq = seated_sequence(40, fps=10.0, **posture_angles("upright"))
    settled = np.r_[np.ones(8, bool), np.zeros(32, bool)]
    c = classify_frames(measure_sitting(seq), settled=settled)
    assert set(c.label[8:]) == {"moving"}
    s = summarize_postures(c, seq.timestamps_s, is_image=False)
    assert s.posture is None and "moving" in s.reason and s.time_in_posture_s["moving"] == pytest.approx(3.2)
    # a quarter or more of settled sitting is enough
    c2 = classify_frames(measure_sitting(seq), settled=np.r_[np.ones(12, bool), np.zeros(28, bool)])
    assert summarize_postures(c2, seq.timestamps_s, is_image=False).posture == "upright"
