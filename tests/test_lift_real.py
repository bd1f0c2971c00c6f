"""Acceptance on real footage (../shared/datasets/real/lift, labels/lift.json).

What is checked and where the tolerances come from:
- reps: the labelled counts (jeffchen good 1, kaiakol clips 1 each); yuyoujiang's squats were counted
  by eye from the hip-height trace (3 deep squats at ~2.6, 5.6 and 8.4 s, plus a shallow dip near 9.8 s
  that is not a squat); formfit shows two pulls to lock-out plus a final lowering (2 complete + 1 incomplete).
- back_rounded: flagged on the labelled-bad deadlift, not on the two good ones. The limits (20/30 deg
  outline bend) was set from these same three clips (see posture/lift/params.py), so this test guards
  against regressions; it is not an independent validation.
- squats are recognised as knee-dominant (style "squat", knees_not_bent not flagged).
"""

from __future__ import annotations

import pytest

from posture.analyses import AnalyzeOptions
from posture.lift.analysis import analyze_lift
from posture.lift.live import LiftCoach
from posture.live import run_offline
from tests.conftest import real_labels, real_sequence

pytestmark = pytest.mark.real

_CACHE: dict = {}


def report(name: str):
    if name not in _CACHE:
        _CACHE[name] = analyze_lift(real_sequence(f"lift/{name}", masks=True), AnalyzeOptions())
    return _CACHE[name]


@pytest.mark.parametrize("name", ["jeffchen_deadlift_good.mp4", "kaiakol_squat_correct_016.mp4",
                                  "kaiakol_squat_incorrect_002.mp4"])
def test_labelled_rep_counts(name):
    labels = real_labels("lift")
    assert report(name).metrics["rep_count"] == labels[name]["reps"]


def test_rep_counts_counted_by_eye():
    assert report("yuyoujiang_squat.mp4").metrics["rep_count"] == 3
    ff = report("formfit_deadlift.mp4").metrics
    assert (ff["rep_count"], ff["incomplete_reps"]) == (2, 1)


def test_rounded_back_flagged_on_the_bad_deadlift_only():
    labels = real_labels("lift")
    for name, lab in labels.items():
        if not name.endswith(".mp4"):
            continue
        f = report(name).finding("back_rounded")
        if "back_rounded" in lab.get("expected_flags", []):
            assert f.flagged, f"{name}: {f.value}"
            assert f.value > 30
        if "back_rounded" in lab.get("expected_not_flags", []):
            assert f.severity == "ok", f"{name}: {f.value}"
            assert f.value < 0  # flat backs read slightly hollow (buttocks and shoulder blades stick out)


def test_squats_are_knee_dominant():
    labels = real_labels("lift")
    for name in ("yuyoujiang_squat.mp4", "kaiakol_squat_correct_016.mp4", "kaiakol_squat_incorrect_002.mp4"):
        r = report(name)
        assert r.metrics["lift_style"] == "squat", name
        assert r.metrics["knee_flexion_bottom_deg"] > 100, name
        assert not r.finding("knees_not_bent").flagged, name
        if "knees_not_bent" in labels[name].get("expected_not_flags", []):
            assert r.finding("knees_not_bent").severity == "ok"


def test_good_deadlifts_have_no_flags_on_knees_or_back():
    for name in ("jeffchen_deadlift_good.mp4", "formfit_deadlift.mp4"):
        r = report(name)
        for fid in ("knees_not_bent", "back_bent_forward", "back_rounded", "hips_rise_first"):
            assert not r.finding(fid).flagged, (name, fid, r.finding(fid).value)


def test_photos_are_scored():
    for name in ("freeexdb_Barbell_Deadlift_0.jpg", "rayaroun_kettlebell_start_position.jpg"):
        r = report(name)
        assert r.metrics["rep_count"] is None
        assert 1 <= r.blocks["reba"]["worst"]["score"] <= 15


def test_live_coach_counts_the_same_reps():
    coach = LiftCoach()
    run_offline(coach, real_sequence("lift/yuyoujiang_squat.mp4", masks=True))
    assert coach.summary()["rep_count"] == 3


def _good_form(label: dict) -> bool:
    form = str(label.get("form", "")).lower()
    return form.startswith("good") or form.startswith("correct")


@pytest.mark.parametrize("name", ["jeffchen_deadlift_good.mp4", "jeffchen_deadlift_bad.mp4", "formfit_deadlift.mp4",
                                  "yuyoujiang_squat.mp4", "kaiakol_squat_correct_016.mp4",
                                  "freeexdb_Barbell_Deadlift_0.jpg", "rayaroun_kettlebell_start_position.jpg",
                                  "upfall_pickup_side_stoop.mp4", "upfall_pickup_side_bentknee.mp4"])
def test_labelled_lifts_judged_right(name):
    """Issue 12's target on the dev set (scripts/eval_lift.py prints the table): every labelled fault flagged,
    nothing labelled as not a fault flagged, and no notice or warning at all on a lift its source calls good or
    correct. A regression guard: several limits were set on these files (see each spec's source)."""
    label = real_labels("lift")[name]
    flagged = {f.id for f in report(name).findings if f.flagged}
    assert set(label.get("expected_flags", [])) <= flagged, (name, flagged)
    assert not flagged & set(label.get("expected_not_flags", [])), (name, flagged)
    if _good_form(label):
        assert not flagged, (name, flagged)


def test_front_view_deadlift_judges_the_feet_not_the_knees():
    r = report("deadlift_front_gym.mp4")
    assert r.view == "front"
    assert r.finding("feet_too_narrow").severity == "ok"  # a hip-width deadlift stance, 0.86 shoulder widths
    assert r.finding("twisting").severity == "ok"
    for fid in ("knees_not_bent", "back_rounded", "shoulders_not_over_feet", "load_far_from_body"):
        f = r.finding(fid)
        assert f.severity == "not_assessed" and "side view" in f.reason, (fid, f.reason)
