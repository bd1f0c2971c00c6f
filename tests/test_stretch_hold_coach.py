"""Hold state machine, live coach and offline report on synthetic sequences with known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from posture.analyses import AnalyzeOptions, run_analysis
from posture.live import run_offline
from posture.sequence import PoseSequence
from posture.stretch.coach import StretchCoach
from posture.stretch.hold import HoldParams, HoldTracker
from posture.stretch.reference import load_reference
from posture.stretch.synthetic import pose_for_reference
from posture.synthetic import make_sequence

FPS = 10.0
DT = 1 / FPS


def feed(tracker: HoldTracker, frames):
    """frames: list of (seconds, in_pose, side, in_form, faults); returns all events."""
    t = 0.0
    events = []
    for dur, pose, side, form, faults in frames:
        for _ in range(int(round(dur * FPS))):
            events += tracker.update(t, pose, side, form, faults)
            t += DT
    events += tracker.finish()
    return events


def test_a_clean_hold_counts_every_in_form_second():
    tr = HoldTracker(HoldParams(hold_s=30.0, reps_per_side=4))
    ev = feed(tr, [(35.0, True, "left", True, ())])
    (h,) = tr.holds
    assert h.in_form_s == pytest.approx(35.0 - DT, abs=1e-9)  # the first frame starts the clock
    assert h.completed and tr.reps_per_side == {"left": 1}
    assert ev.count("hold_target_reached") == 1 and "rep_completed" in ev


def test_only_in_form_time_counts_and_the_main_fault_is_named():
    tr = HoldTracker(HoldParams(hold_s=30.0))
    feed(tr, [(20.0, True, "right", True, ()), (10.0, True, "right", False, ("affected_hip_flexion_deg",)),
              (9.0, True, "right", True, ())])
    (h,) = tr.holds
    assert h.in_form_s == pytest.approx(29.0 - DT, abs=1e-9)
    assert not h.completed and h.main_fault == "affected_hip_flexion_deg"
    assert h.faults["affected_hip_flexion_deg"] == pytest.approx(10.0, abs=1e-9)
    assert tr.reps_per_side == {"right": 0}


def test_short_dropouts_are_tolerated_long_ones_end_the_rep():
    tr = HoldTracker(HoldParams(hold_s=30.0, max_dropout_s=1.0))
    feed(tr, [(20.0, True, "left", True, ()), (0.8, None, None, None, ()), (15.0, True, "left", True, ())])
    (h,) = tr.holds
    assert h.in_form_s == pytest.approx(35.0 - DT, abs=1e-9)  # dropout frames add nothing; the return frame adds its dt
    assert h.duration_s == pytest.approx(35.8 - DT, abs=1e-9)
    tr = HoldTracker(HoldParams(hold_s=30.0, max_dropout_s=1.0))
    feed(tr, [(20.0, True, "left", True, ()), (2.0, False, None, None, ()), (15.0, True, "left", True, ())])
    assert [round(h.duration_s, 1) for h in tr.holds] == [19.9, 14.9]
    assert tr.reps_per_side == {"left": 0}


def test_side_switches_and_four_reps_per_side():
    tr = HoldTracker(HoldParams(hold_s=30.0, reps_per_side=4))
    plan = []
    for _ in range(4):
        plan += [(31.0, True, "left", True, ()), (3.0, False, None, None, ())]
    plan += [(31.0, True, "right", True, ()), (31.0, True, "left", True, ())]  # switch straight to the other side
    feed(tr, plan)
    assert [h.side for h in tr.holds] == ["left"] * 4 + ["right", "left"]
    assert tr.reps_per_side == {"left": 4, "right": 1}
    # the switched-to left hold loses the 1 s dropout allowance it took to notice the switch
    assert tr.holds[-1].in_form_s == pytest.approx(31.0 - 1.0 - DT, abs=0.15)


def test_passing_through_the_pose_is_not_a_hold():
    tr = HoldTracker(HoldParams(min_hold_s=3.0))
    ev = feed(tr, [(2.0, True, "left", True, ()), (2.0, False, None, None, ())])
    assert tr.holds == [] and "hold_discarded" in ev


def _stack(parts: list[PoseSequence]) -> PoseSequence:
    xy = np.concatenate([p.xy_px for p in parts])
    world = np.concatenate([p.world_m for p in parts])
    depth = np.concatenate([p.depth_px for p in parts])
    return make_sequence(xy, world, fps=FPS, depth_px=depth)


K2C = load_reference("knee_to_chest")


def _session():
    """Left knee to chest 35 s, 3 s lying flat, right 35 s with 10 s of a too-low knee, 3 s flat."""
    flat = pose_for_reference(K2C, "left", n=int(3 * FPS), overrides={"affected_hip_flexion_deg": 0.0,
                                                                       "affected_knee_flexion_deg": 0.0}, fps=FPS)
    left = pose_for_reference(K2C, "left", n=int(35 * FPS), fps=FPS)
    right_ok = pose_for_reference(K2C, "right", n=int(12.5 * FPS), fps=FPS)
    low = K2C.angle("affected_hip_flexion_deg").target - 1.3 * K2C.angle("affected_hip_flexion_deg").tolerance
    right_low = pose_for_reference(K2C, "right", n=int(10 * FPS), overrides={"affected_hip_flexion_deg": low}, fps=FPS)
    return _stack([flat, left, flat, right_ok, right_low, right_ok, flat])


def test_the_coach_recognises_times_and_cues_a_session():
    seq = _session()
    coach = StretchCoach()
    statuses = run_offline(coach, seq)
    coach.finish()
    s = coach.summary()
    assert s["name"] == "knee_to_chest"
    assert [h["side"] for h in s["holds"]] == ["left", "right"]
    left, right = s["holds"]
    # recognition needs one still window (1 s) after each change of pose, so up to ~1 s is lost per change
    assert 35.0 - 1.2 <= left["in_form_s"] <= 35.0 and left["completed"]
    assert 25.0 - 2.5 <= right["in_form_s"] <= 25.0 and not right["completed"]
    assert right["main_fault"] == "affected_hip_flexion_deg"
    assert s["reps_per_side"] == {"left": 1, "right": 0}
    cues = {st.cue for st in statuses if st.cue}
    assert K2C.angle("affected_hip_flexion_deg").cue_low in cues
    assert any("Knee to chest (left)" in st.headline for st in statuses)
    assert json.dumps([st.to_dict() for st in statuses])


def test_the_coach_constructor_only_stores_parameters():
    coach = StretchCoach(stretch="no_such_stretch")  # nothing is loaded until the first frame
    with pytest.raises(Exception, match="unknown stretch"):
        coach.update(None, 0.0)


def test_offline_report_follows_the_contract():
    rep = run_analysis("stretch", _session(), AnalyzeOptions())
    d = json.loads(rep.to_json())
    block = d["stretch"]
    assert block["name"] == "knee_to_chest" and block["side"] in ("left", "right")
    assert block["reps_per_side"] == {"left": 1, "right": 0}
    assert len(block["holds"]) == 2 and 0 < block["score"] <= 1
    ids = {f["id"]: f for f in d["findings"]}
    assert ids["hold_too_short"]["severity"] == "notice" and 22.5 <= ids["hold_too_short"]["value"] <= 25.0
    assert ids["reps_incomplete"]["severity"] == "notice"
    assert ids["out_of_form"]["severity"] in ("ok", "notice")
    assert d["view"] == "side"
    assert "affected_hip_flexion_deg" in rep.series and "in_form" in rep.series


def test_report_on_a_picked_stretch_says_what_is_wrong():
    bad = pose_for_reference(K2C, "left", n=int(40 * FPS), fps=FPS,
                             overrides={"affected_hip_flexion_deg": 100.0})  # 1.5 tolerances short of the target
    rep = run_analysis("stretch", bad, AnalyzeOptions(stretch="knee_to_chest", affected_side="left"))
    f = rep.finding("out_of_form")
    assert f.severity == "warning" and f.value == pytest.approx(100.0, abs=0.5)
    assert "affected hip flexion" in f.message and f.advice == K2C.angle("affected_hip_flexion_deg").cue_low
    assert rep.to_dict()["stretch"]["out_of_form_angle"] == "affected_hip_flexion_deg"
