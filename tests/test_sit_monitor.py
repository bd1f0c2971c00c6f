"""The live desk monitor on synthetic streams with fake timestamps (no sleeping)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from posture.live import LiveStatus, run_offline
from posture.sequence import PoseFrame
from posture.sit.baseline import record_baseline
from posture.sit.monitor import DeskMonitor
from posture.sit.params import DEFAULT_SIT
from posture.sit.synthetic import seated_sequence, seated_stream


def feed(monitor: DeskMonitor, plan, fps: float = 1.0) -> list[LiveStatus]:
    out = []
    for t, xy, world in seated_stream(plan, fps=fps):
        frame = None if xy is None else PoseFrame(xy, world, np.full(33, 0.99), t, 1280, 720)
        out.append(monitor.update(frame, t))
    return out


def events(statuses: list[LiveStatus], name: str) -> list[float]:
    return [s.timestamp_s for s in statuses if name in s.events]


def test_default_break_time_is_our_documented_choice():
    assert DeskMonitor().break_after_min == DEFAULT_SIT.break_after_min == 30.0


def test_break_reminder_fires_at_the_configured_time_then_repeats():
    params = dataclasses.replace(DEFAULT_SIT, remind_every_min=1.0)
    mon = DeskMonitor(break_after_min=2.0, params=params)
    st = feed(mon, [("upright", 5 * 60)])
    # each 1 s gap is credited to the earlier frame, so 120 s seated is reached at the frame stamped t = 120 s
    assert events(st, "break_due") == [120.0, 180.0, 240.0]
    assert st[119].cue is None and "stand up and walk" in st[120].cue
    s = mon.summary()
    assert s["break_reminders"] == 3
    assert s["time_seated_s"] == pytest.approx(5 * 60 - 1)
    assert s["longest_bout_s"] == pytest.approx(5 * 60 - 1)


def test_leaving_long_enough_is_a_break_and_restarts_the_timer():
    mon = DeskMonitor(break_after_min=2.0)
    plan = [("upright", 100), (None, 90), ("upright", 100), (None, 20), ("upright", 60)]
    st = feed(mon, plan)
    # the person left at t = 100 s; 60 s away (break_min_s) makes a break
    assert events(st, "break_taken") == [100.0 + DEFAULT_SIT.break_min_s]
    # after the break: 100 s seated, a 20 s absence (too short to be a break, and not counted as sitting),
    # then the 120 s reminder 20 s into the last stretch: t = 190 + 100 + 20 + 20
    assert events(st, "break_due") == [330.0]
    s = mon.summary()
    assert s["breaks_taken"] == 1
    assert s["time_away_s"] == pytest.approx(110.0)
    assert s["time_seated_s"] == pytest.approx(100 + 100 + 60 - 1)
    assert s["longest_bout_s"] == pytest.approx(100 + 60 - 1)


def test_standing_counts_as_off_the_seat():
    mon = DeskMonitor(break_after_min=30.0)
    st = feed(mon, [("upright", 60), ("standing", 120), ("upright", 30)])
    assert st[100].headline == "Standing" and st[100].in_form is None
    s = mon.summary()
    assert s["time_standing_s"] == pytest.approx(120.0, abs=2.0)
    assert s["breaks_taken"] == 1


def test_time_in_each_posture_and_change_events():
    mon = DeskMonitor()
    st = feed(mon, [("upright", 100), ("slouched", 50), ("reclined", 30)])
    s = mon.summary()
    t = s["time_in_posture_s"]
    # the posture is the median over the last 2 s, so each change shows at most 2 frames late
    assert t["upright"] == pytest.approx(100, abs=2)
    assert t["slouched"] == pytest.approx(50, abs=2)
    assert t["reclined"] == pytest.approx(29, abs=2)
    assert sum(t.values()) == pytest.approx(s["time_seated_s"])
    assert len(events(st, "posture_changed")) == 2
    assert st[120].values["posture"] == "slouched" and st[120].in_form is False
    assert "Sit tall" in st[120].cue


def test_a_paused_stream_is_not_counted_as_sitting():
    mon = DeskMonitor()
    xy, world = seated_stream([("upright", 1)], fps=1.0)[0][1:]
    for t in (0.0, 1.0, 600.0, 601.0):  # a 10-minute gap in frames
        mon.update(PoseFrame(xy, world, np.full(33, 0.99), t, 1280, 720))
    assert mon.summary()["time_seated_s"] == pytest.approx(1.0 + DEFAULT_SIT.max_frame_gap_s + 1.0)


def test_update_without_a_frame_needs_a_time():
    with pytest.raises(ValueError, match="timestamp_s"):
        DeskMonitor().update(None)
    with pytest.raises(ValueError, match="positive"):
        DeskMonitor(break_after_min=0)


def test_front_webcam_counts_time_but_cannot_judge_posture():
    seq = seated_sequence(20, fps=2.0, view="front")
    mon = DeskMonitor()
    st = run_offline(mon, seq)
    assert st[-1].values["posture"] is None and "three-quarter view" in st[-1].cue
    assert mon.summary()["time_in_posture_s"]["not_judged"] == pytest.approx(9.5)


def test_front_webcam_with_a_front_baseline_flags_slumping():
    good = seated_sequence(10, fps=5.0, view="front")
    baseline = record_baseline(good)
    mon = DeskMonitor(baseline=baseline)
    ok = run_offline(mon, seated_sequence(5, fps=5.0, view="front"))
    assert ok[-1].cue is None and ok[-1].values["drift"]["head_height_ratio"] == pytest.approx(0.0, abs=1e-9)
    # the head sinks between the shoulders: ears 30% lower above the shoulder line
    slump = seated_sequence(10, fps=5.0, view="front")
    xy = np.array(slump.xy_px)
    sh_y = (xy[:, 11, 1] + xy[:, 12, 1]) / 2
    for i in (7, 8):
        xy[:, i, 1] = sh_y - 0.7 * (sh_y - xy[:, i, 1])
    st = run_offline(mon, slump.replace(xy_px=xy, timestamps_s=slump.timestamps_s + 10.0))
    assert st[-1].values["drift"]["head_height_ratio"] == pytest.approx(-0.3, abs=1e-6)
    assert "lower between your shoulders" in st[-1].cue and st[-1].in_form is False


def test_drift_from_a_recorded_side_baseline():
    good = seated_sequence(10, fps=5.0, trunk_deg=-3.0, forward_head_deg=6.0, head_pitch_deg=8.0)
    baseline = record_baseline(good)
    mon = DeskMonitor(baseline=baseline)
    # head 12 deg further forward than the baseline: past the 10 deg drift limit, yet still under ISO's 25 deg
    drifted = seated_sequence(20, fps=5.0, trunk_deg=-3.0, forward_head_deg=18.0, head_pitch_deg=8.0)
    st = run_offline(mon, drifted)
    assert st[-1].values["posture"] == "upright"
    assert st[-1].values["drift"]["forward_head_deg"] == pytest.approx(12.0, abs=1e-6)
    assert st[-1].in_form is False and "further forward" in st[-1].cue
    assert "posture_drift" in st[0].events
    assert mon.summary()["drift_time_s"]["forward_head_deg"] == pytest.approx(3.8, abs=0.01)


def test_summary_is_json_ready():
    import json

    mon = DeskMonitor()
    feed(mon, [("upright", 5)])
    json.dumps(mon.summary())


@pytest.mark.parametrize("name", ["upright", "slouched", "reclined", "perched"])
def test_live_grades_are_the_reports_grades(name):
    """One set of limits: the monitor grades its checks with the report's specs (grade_value), so a held posture
    gets the same severities live as in the offline report of the same pose."""
    from posture.sit.analysis import analyze_sit
    from posture.sit.synthetic import posture_angles

    st = feed(DeskMonitor(), [(name, 10)])
    live = st[-1].values["grades"]
    report = analyze_sit(seated_sequence(1, **posture_angles(name)))
    for fid, severity in live.items():
        assert report.finding(fid).severity == severity, fid
    flagged = [fid for fid, g in live.items() if g in ("notice", "warning")]
    if flagged:
        from posture.sit.specs import SIT_SPECS

        assert st[-1].cue == SIT_SPECS[flagged[0]].cue


def test_lying_down_is_not_counted_as_sitting():
    seq = seated_sequence(20, fps=2.0, trunk_deg=-80.0, forward_head_deg=-75.0)
    mon = DeskMonitor()
    st = run_offline(mon, seq)
    assert st[-1].values["state"] == "away" and st[-1].values["posture"] is None
    assert mon.summary()["time_seated_s"] == 0.0
