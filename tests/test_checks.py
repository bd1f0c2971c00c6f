"""The check layer: gates, plausibility, grading, confidence and the summary block, on closed-form cases."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from posture import checks as C
from posture import landmarks as L
from posture.report import Finding, Report, summarize
from posture.sequence import VideoInfo
from posture.synthetic import static_pose
from posture.view import classify_views


def spec(**kw) -> C.CheckSpec:
    base = dict(id="test_check", title="Test check", unit="deg", parts=("shoulder", "hip"), views=("side",),
                plausible=(-90.0, 90.0), notice=20.0, warning=40.0, worse="above", source="test",
                uncertainty=5.0, message_ok="fine at {value:.0f} {unit}", message_flag="bad at {value:.0f} {unit}",
                advice="do better", camera_hint="film from the side", cue="sit up")
    base.update(kw)
    return C.CheckSpec(**base)


# ------------------------------------------------------------------------------------------------ spec
@pytest.mark.parametrize(("kw", "match"), [
    (dict(worse="up"), "worse must be"),
    (dict(aggregate="mean"), "aggregate must be"),
    (dict(parts=("spine",)), "unknown body parts"),
    (dict(plausible=(5.0, 5.0)), "low < high"),
    (dict(notice=20.0, warning=10.0), "must lie beyond notice"),
    (dict(uncertainty=0.0), "uncertainty must be positive"),
    (dict(sample_kind="laps"), "sample_kind must be"),
])
def test_spec_validates_itself(kw, match):
    with pytest.raises(ValueError, match=match):
        spec(**kw)


def test_register_refuses_one_id_with_two_meanings():
    a = spec(id="registry_probe")
    C.register(a)
    C.register(a)  # the same spec twice is fine
    with pytest.raises(ValueError, match="registered twice"):
        C.register(spec(id="registry_probe", title="Something else", unit="cm"))
    assert C.title("registry_probe") == "Test check"
    assert C.title("never_registered_id") == "Never registered id"


# ------------------------------------------------------------------------------------------------ grading
@pytest.mark.parametrize(("value", "expected"), [
    (0.0, "ok"), (19.99, "ok"), (20.0, "notice"), (39.9, "notice"), (40.0, "warning"), (89.0, "warning"),
    (float("nan"), "not_assessed"), (95.0, "not_assessed"), (-95.0, "not_assessed"),
])
def test_grade_value_above(value, expected):
    assert C.grade_value(spec(), value) == expected


@pytest.mark.parametrize(("value", "expected"), [(120.0, "ok"), (90.0, "notice"), (75.0, "warning"), (30.0, "not_assessed")])
def test_grade_value_below(value, expected):
    s = spec(unit="steps/min", plausible=(40.0, 150.0), notice=90.0, warning=80.0, worse="below")
    assert C.grade_value(s, value) == expected


def test_median_aggregate_grades_the_median_and_keeps_flagged_ranges():
    samples = np.array([10.0, 30.0, 32.0, 31.0, 12.0])
    times = np.array([[i, i + 1.0] for i in range(5)])
    f = C.evaluate(spec(), C.Evidence(samples=samples, times_s=times))
    assert f.severity == "notice" and f.value == 30.0
    assert f.time_ranges_s == ((1.0, 4.0),)
    assert f.message.startswith("bad at 30 deg") and f.advice == "do better"
    assert f.title == "Test check" and f.threshold == 20.0 and f.warning_threshold == 40.0 and f.worse == "above"


def test_worst_aggregate_takes_the_worst_repetition():
    s = spec(aggregate="worst", sample_kind="repetitions")
    assert C.evaluate(s, C.Evidence(samples=np.array([5.0, 45.0, 10.0]))).severity == "warning"
    low = spec(aggregate="worst", worse="below", notice=60.0, warning=30.0)
    f = C.evaluate(low, C.Evidence(samples=np.array([80.0, 25.0, 70.0])))
    assert f.severity == "warning" and f.value == 25.0


def test_share_aggregate_needs_the_share():
    s = spec(aggregate="share", min_share=0.5)
    few = np.r_[np.full(6, 5.0), np.full(4, 30.0)]  # 40% past the limit
    many = np.r_[np.full(4, 5.0), np.full(6, 30.0)]  # 60%
    assert C.evaluate(s, C.Evidence(samples=few)).severity == "ok"
    f = C.evaluate(s, C.Evidence(samples=many))
    assert f.severity == "notice" and f.value == 30.0


# ------------------------------------------------------------------------------------------------ gates
def test_too_few_samples_is_not_assessed_with_reason_and_camera_hint():
    s = spec(min_samples=4, sample_kind="steps")
    f = C.evaluate(s, C.Evidence(samples=np.array([10.0, np.nan, 12.0]), gate_reason="feet left the picture"))
    assert f.severity == "not_assessed"
    assert "only 2 steps could be judged; this check needs at least 4 steps (feet left the picture)" in f.reason
    assert f.advice == "film from the side" and f.confidence == 0.0


def test_implausible_value_is_a_measurement_failure_never_a_grade():
    cad = spec(id="cadence_probe", unit="steps/min", plausible=(40.0, 150.0), notice=90.0, warning=80.0,
               worse="below", aggregate="value", sample_kind="steps", min_samples=2)
    # per-step cadences are plausible, the clip's value is not (contacts of one foot counted as steps)
    f = C.evaluate(cad, C.Evidence(samples=np.full(6, 100.0), value=191.0))
    assert f.severity == "not_assessed" and "measurement failed" in f.reason and "191" in f.reason
    # samples in the wrong unit (step times in s for a steps/min check) are a measurement failure too
    assert C.evaluate(cad, C.Evidence(samples=np.full(6, 0.3), value=100.0)).severity == "not_assessed"
    # too few steps: not assessed even when the analysis gives a value
    assert "only 1 step" in C.evaluate(cad, C.Evidence(samples=np.array([100.0]), value=100.0)).reason
    # most samples implausible: not assessed even though the median of the plausible ones would grade
    g = C.evaluate(spec(), C.Evidence(samples=np.array([10.0, 200.0, 300.0])))
    assert g.severity == "not_assessed" and "2 of 3 frames" in g.reason
    # a few implausible samples are dropped, the rest graded
    h = C.evaluate(spec(), C.Evidence(samples=np.array([10.0, 11.0, 12.0, 500.0])))
    assert h.severity == "ok" and h.value == 11.0


def test_a_spec_can_say_what_a_value_past_its_top_may_be():
    """The walking cadence says 'faster than walking: running, or steps counted twice', not 'outside what a body
    does' (a runner's 164 steps/min is something a body does); below the range it stays a measurement failure."""
    cad = spec(id="cadence_probe", unit="steps/min", plausible=(40.0, 150.0), notice=90.0, warning=80.0,
               worse="below", aggregate="value", sample_kind="steps", min_samples=2,
               implausible_above="{value:.0f} steps per minute is faster than walking (up to {hi:.0f})")
    fast = C.evaluate(cad, C.Evidence(samples=np.full(6, 164.0), value=164.0))
    assert fast.severity == "not_assessed" and fast.reason == "164 steps per minute is faster than walking (up to 150)"
    slow = C.evaluate(cad, C.Evidence(samples=np.full(6, 20.0), value=20.0))
    assert slow.severity == "not_assessed" and "measurement failed" in slow.reason


def _side_pose(n: int = 10, **kw):
    return static_pose(n=n, width=1280, height=720, **kw)


def test_gate_frames_passes_a_clear_side_view_and_gives_quality():
    seq = _side_pose()
    views = classify_views(seq)
    assert set(views.view) == {"side"}
    g = C.gate_frames(spec(parts=("shoulder", "hip", "knee")), seq, views)
    assert g.usable.all() and g.reason is None
    assert np.allclose(g.quality, seq.visibility[:, [L.LEFT_KNEE, L.RIGHT_KNEE]].max(axis=1))


def test_gate_frames_view_visibility_edge_and_size_reasons():
    seq = _side_pose()
    views = classify_views(seq)
    g = C.gate_frames(spec(views=("front",)), seq, views)
    assert not g.any and "needs a front view" in g.reason and "side view" in g.reason
    g = C.gate_frames(spec(views=("front", "back", "oblique")), seq, views)
    assert g.reason == "this check needs a front, back or oblique view of the body; this clip shows a side view"
    assert C._a("oblique") == "an oblique"

    vis = np.array(seq.visibility)
    vis[:, [L.LEFT_KNEE, L.RIGHT_KNEE]] = 0.1
    g = C.gate_frames(spec(parts=("knee",)), seq.replace(visibility=vis), views)
    assert not g.any and g.reason == "the knees were not clearly visible"

    xy = np.array(seq.xy_px)
    xy[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1] = 730.0  # below the 720 px image
    g = C.gate_frames(spec(parts=("ankle",)), seq.replace(xy_px=xy), views)
    assert not g.any and g.reason == "the ankles left the picture"

    g = C.gate_frames(spec(min_body_px=5000.0), seq, views)
    assert not g.any and "too small in the picture" in g.reason

    g = C.gate_frames(spec(), seq, views, mask=np.arange(10) < 3, mask_reason="the person was not seated")
    assert g.usable.sum() == 3 and g.reason == "the person was not seated"


def test_gate_frame_live_matches_offline():
    seq = _side_pose(n=1)
    frame = seq.frame(0)
    ok, q, reason = C.gate_frame(spec(parts=("knee", "ankle")), frame)
    assert ok and q == pytest.approx(frame.visibility[L.LEFT_KNEE]) and reason is None
    ok, _, reason = C.gate_frame(spec(views=("front",)), frame)
    assert not ok and reason == "film from the side"
    assert C.gate_frame(spec(), None) == (False, 0.0, "no person in view")


# ------------------------------------------------------------------------------------------------ confidence
def test_confidence_formula_closed_form():
    s = spec(min_samples=2, sample_kind="steps")
    # value 30, notice 20 -> notice; limits 20 and 40 both 10 away; u = 5 (no spread) -> margin 1
    assert C.confidence(s, 30.0, "notice", np.array([30.0, 30.0, 30.0, 30.0]), 0.9) == pytest.approx(0.9)
    # at the limit: a coin toss
    assert C.confidence(s, 20.0, "notice", np.array([20.0] * 4), 1.0) == pytest.approx(0.5)
    # 2.5 deg from the limit with u=5: margin 0.75; 2 samples of a minimum 2: amount 0.5
    assert C.confidence(s, 17.5, "ok", np.array([17.5, 17.5]), 1.0) == pytest.approx(0.75 * 0.5)
    # spread widens u: samples 10 and 30 (MAD 10 -> sd 14.826), k=2 -> u = sqrt(25 + 14.826^2/2)
    u = math.sqrt(25 + 14.826 ** 2 / 2)
    expected = 0.5 + 0.5 * min(1.0, 10 / u)
    assert C.confidence(s, 10.0, "ok", np.array([10.0, 30.0]), 1.0) == pytest.approx(expected * 0.5, rel=1e-3)
    # frames of a held posture: one clear frame (a photo) is full evidence
    photo = spec(min_samples=1, sample_kind="frames")
    assert C.confidence(photo, 30.0, "notice", np.array([30.0]), 0.9) == pytest.approx(0.9)


def test_borderline_values_say_so():
    f = C.evaluate(spec(), C.Evidence(samples=np.full(5, 18.0)))
    assert f.severity == "ok" and "borderline" in f.message
    g = C.evaluate(spec(), C.Evidence(samples=np.full(5, 5.0)))
    assert "borderline" not in g.message


def test_message_template_with_unknown_field_does_not_crash():
    s = spec(message_ok="fine {missing_key} at {value:.0f}")
    f = C.evaluate(s, C.Evidence(samples=np.full(3, 1.0)))
    assert f.message.startswith("fine {missing_key} at 1")


# ------------------------------------------------------------------------------------------------ summary
def _f(id, sev, reason=None, conf=0.8):
    return Finding(id=id, severity=sev, confidence=0.0 if sev == "not_assessed" else conf, reason=reason,
                   title=id.capitalize())


def test_summary_nothing_flagged_only_when_most_checks_were_judged():
    ok = summarize([_f("a", "ok"), _f("b", "ok"), _f("c", "not_assessed", "feet hidden")])
    assert ok["status"] == "nothing_flagged" and ok["n_judged"] == 2 and ok["n_not_assessed"] == 1
    assert ok["headline"].startswith("Nothing flagged in the 2 checks we could judge")
    most_na = summarize([_f("a", "ok")] + [_f(x, "not_assessed", "needs a side view (front seen)") for x in "bcd"])
    assert most_na["status"] == "not_enough_judged" and most_na["main_reason"] == "needs a side view"
    assert "Could not judge most checks (3 of 4)" in most_na["headline"]
    none = summarize([])
    assert none["status"] == "not_enough_judged"


def test_summary_lists_flagged_worst_first():
    s = summarize([_f("a", "notice", conf=0.9), _f("b", "warning", conf=0.5), _f("c", "notice", conf=0.95)])
    assert s["status"] == "flagged" and s["flagged"] == ["b", "c", "a"]
    assert s["headline"].startswith("3 things to work on: b, c, a")


def test_every_report_carries_the_summary_block():
    r = Report(task="sit", video=VideoInfo("x.mp4", 30.0, 10, 640, 480), findings=[_f("a", "ok")])
    d = r.to_dict()
    assert d["summary"]["status"] == "nothing_flagged"
    assert d["findings"][0]["title"] == "A"


def test_view_is_blamed_only_for_frames_the_check_wanted():
    """A side clip whose walker turns between passes: the wrong-view turning frames lie outside the analysis' mask,
    so they do not make the reason 'needs a side view; this clip shows a side view' (upfall_walk_room_cam1)."""
    seq = _side_pose(n=10)
    views = classify_views(seq)
    turned = np.array(views.view, dtype=object)
    turned[:6] = "front"  # turning: most frames, all outside the mask
    views = dataclasses.replace(views, view=turned)
    wanted = np.zeros(10, bool)
    wanted[6:] = True
    tiny = spec(views=("side",), min_body_px=1e6)  # every wanted frame fails the size gate
    g = C.gate_frames(tiny, seq, views, mask=wanted, mask_reason="not walking")
    assert not g.usable.any() and "too small" in g.reason
    # with no wanted frame at all, every wrong-view frame counts (a front view has no seated side-view frames)
    g = C.gate_frames(tiny, seq, views, mask=np.zeros(10, bool), mask_reason="not seated")
    assert "needs a side view" in g.reason and "front view" in g.reason
