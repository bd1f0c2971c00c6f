"""Issue 13: a lying twist is not a piriformis stretch; the set-up position of a stretch is recognised and cued."""

from __future__ import annotations

import numpy as np
import pytest

from posture.analyses import AnalyzeOptions
from posture.checks import spec_for
from posture.live import run_offline
from posture.stretch.analysis import analyze_stretch
from posture.stretch.angles import measures_of
from posture.stretch.coach import StretchCoach
from posture.stretch.recognise import recognise_values
from posture.stretch.reference import load_all, load_reference, parse_reference
from posture.stretch.specs import STRETCH_SPECS
from posture.stretch.synthetic import pose_for_reference


def _values(ref_id: str, side: str = "left", **overrides) -> dict[str, float]:
    seq = pose_for_reference(load_reference(ref_id), side, overrides=overrides or None)
    return {k: float(v[0]) for k, v in measures_of(seq).items()}


def _ratio() -> float:
    return 0.1  # a clean side view


def test_piriformis_targets_are_recognised_and_a_rotated_trunk_is_not():
    refs = load_all()
    v = _values("piriformis_supine")
    v["trunk_twist_deg"] = 5.0
    assert recognise_values(v, _ratio(), refs).id == "piriformis_supine"
    # same hip, knee and adduction angles, shoulders turned 60 deg against the hips: a lying twist
    v["trunk_twist_deg"] = 60.0
    m = recognise_values(v, _ratio(), refs)
    assert m.id is None


def test_twist_is_a_key_angle_of_the_lying_stretches():
    for rid in ("piriformis_supine", "gluteal_figure_four", "knee_to_chest"):
        a = load_reference(rid).angle("trunk_twist_deg")
        assert a.key and a.target == 0.0 and 1.5 * a.tolerance <= 30.0


def test_setup_position_is_recognised_and_the_last_step_cued():
    refs = load_all()
    v = _values("piriformis_supine", affected_hip_flexion_deg=75.0, affected_thigh_adduction_deg=0.0,
                affected_knee_flexion_deg=100.0)
    v["trunk_twist_deg"] = 3.0
    m = recognise_values(v, _ratio(), refs)
    assert m.id is None and m.setup is not None
    assert m.setup[0] in ("piriformis_supine", "knee_to_chest")
    ref = refs[m.setup[0]]
    assert ref.setup_cue  # "Pull the knee toward your opposite shoulder." / "Hug the knee to your chest ..."


def test_coach_cues_the_last_step_in_the_setup_position():
    """Lying on the back, one knee bent and lifted to 75 deg but not yet pulled in: no stretch yet, the coach names
    the set-up and says the last step (the synthetic body cannot rest an ankle on the other knee, so the figure-four
    set-up is checked on values in test_setup_position_is_recognised_and_the_last_step_cued's way only)."""
    seq = pose_for_reference(load_reference("knee_to_chest"), "left", n=60,
                             overrides={"affected_hip_flexion_deg": 75.0, "affected_knee_flexion_deg": 100.0})
    statuses = run_offline(StretchCoach(), seq)
    last = statuses[-1]
    assert last.values["stretch"] is None
    sid = last.values.get("setup")
    assert sid in ("piriformis_supine", "knee_to_chest")
    assert last.cue == load_reference(sid).setup_cue
    assert "knee" in last.cue.lower()


def test_offline_report_names_the_setup_but_does_not_call_it_the_stretch():
    seq = pose_for_reference(load_reference("knee_to_chest"), "left", n=150,
                             overrides={"affected_hip_flexion_deg": 75.0, "affected_knee_flexion_deg": 100.0})
    rep = analyze_stretch(seq, AnalyzeOptions())
    block = rep.to_dict()["stretch"]
    assert block["name"] is None and block["setup_seen"]["id"] in ("piriformis_supine", "knee_to_chest")
    f = rep.finding("stretch_recognised")
    assert f.severity == "not_assessed" and "set-up position" in f.reason


def test_setup_block_is_validated():
    d = load_reference("knee_to_chest").to_dict()
    assert parse_reference(d).setup_angles == load_reference("knee_to_chest").setup_angles
    d["setup"] = {"cue": "", "angles": {"affected_hip_flexion_deg": {"target": 80, "tolerance": 20}}}
    with pytest.raises(Exception, match="cue"):
        parse_reference(d)
    d["setup"] = {"cue": "Hug it.", "angles": {"affected_hip_flexion": {"target": 80, "tolerance": 20}}}
    with pytest.raises(Exception, match="valid angle names"):
        parse_reference(d)


def test_every_stretch_finding_has_a_registered_spec_needing_the_legs():
    for sid, spec in STRETCH_SPECS.items():
        assert spec_for(sid, "stretch") is spec
        assert "knee" in spec.parts
    rep = analyze_stretch(pose_for_reference(load_reference("knee_to_chest"), "left", n=120), AnalyzeOptions())
    assert {f.id for f in rep.findings} <= set(STRETCH_SPECS)
    assert np.isfinite(rep.finding("stretch_recognised").value)


def test_live_coach_grades_with_the_report_specs():
    """The coach's live grades come from the same specs as the report: a 10 s hold of a 30 s stretch is short in
    both, and a hold in good form is not out of form in either."""
    ref = load_reference("knee_to_chest")
    seq = pose_for_reference(ref, "left", n=300, fps=30.0)  # 10 s in the pose, in form
    statuses = run_offline(StretchCoach(), seq)
    live = statuses[-1].values["grades"]
    assert live["out_of_form"] == "ok"
    rep = analyze_stretch(seq, AnalyzeOptions())
    assert rep.finding("out_of_form").severity == "ok"
    assert rep.finding("hold_too_short").severity == "notice"
    from posture.checks import grade_value
    from posture.stretch.specs import for_reference

    held = rep.to_dict()["stretch"]["holds"][0]["in_form_s"]
    assert grade_value(for_reference("hold_too_short", ref), held) == "notice"
