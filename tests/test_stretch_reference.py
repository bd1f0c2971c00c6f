"""Reference pose files: every shipped file loads; malformed ones fail naming the valid values."""

from __future__ import annotations

import json

import pytest

from posture.errors import ReferencePoseError
from posture.stretch.angles import MEASURE_NAMES
from posture.stretch.build import build_reference
from posture.stretch.reference import REFERENCE_DIR, STRETCH_IDS, load_all, load_reference, parse_reference, save_reference
from posture.stretch.synthetic import body_pose


def test_every_shipped_reference_loads_with_sources_and_cues():
    refs = load_all()
    assert sorted(refs) == sorted(STRETCH_IDS)
    for ref in refs.values():
        assert ref.views == ("side",)
        assert ref.key_angles, ref.id
        for a in ref.angles:
            assert a.source.strip(), f"{ref.id}.{a.name} has no source"
            assert a.cue_low.strip() and a.cue_high.strip()
            assert a.name in MEASURE_NAMES
    assert refs["childs_pose"].hold_s == 180 and refs["childs_pose"].hold_max_s == 300
    assert refs["piriformis_supine"].hold_s == 30 and refs["piriformis_supine"].reps_per_side == 4
    assert not refs["childs_pose"].sided and refs["knee_to_chest"].sided


def _valid() -> dict:
    return json.loads((REFERENCE_DIR / "knee_to_chest.json").read_text())


@pytest.mark.parametrize(("mutate", "match"), [
    (lambda d: d["angles"].update(elbow_bend_deg={"target": 1, "tolerance": 2, "cue_low": "a", "cue_high": "b"}),
     "unknown angle 'elbow_bend_deg'; valid angle names are: .*affected_hip_flexion_deg"),
    (lambda d: d["angles"]["affected_hip_flexion_deg"].update(tolerance=0), "tolerance must be > 0"),
    (lambda d: d["angles"]["affected_hip_flexion_deg"].update(target="ninety"), "target must be a finite number"),
    (lambda d: d["angles"]["affected_hip_flexion_deg"].update(cue_low=""), "cue_low must be a non-empty sentence"),
    (lambda d: d["angles"]["affected_hip_flexion_deg"].update(colour="red"), r"unknown field\(s\) \['colour'\]"),
    (lambda d: d.pop("hold_s"), r"missing required field\(s\) \['hold_s'\]"),
    (lambda d: d.update(camera="side"), r"unknown field\(s\) \['camera'\]; valid fields are"),
    (lambda d: d.update(views=["top"]), "views must be a non-empty list drawn from"),
    (lambda d: d.update(sided=False), "is side-aware but the reference has sided=false"),
    (lambda d: d.update(reps_per_side=0), "reps_per_side must be an integer >= 1"),
    (lambda d: d.update(id="Knee To Chest"), "id must be lower_snake_case"),
    (lambda d: d.update(required_landmarks=["left_elbowz"]), "unknown landmark name.*valid names are"),
    (lambda d: [a.update(key=False) for a in d["angles"].values()], "at least one angle must have"),
    (lambda d: d.update(hold_max_s=10), "hold_max_s .* must be >= hold_s"),
])
def test_malformed_reference_names_the_problem(mutate, match):
    d = _valid()
    mutate(d)
    with pytest.raises(ReferencePoseError, match=match):
        parse_reference(d)


def test_unknown_stretch_id_lists_the_known_ones():
    with pytest.raises(ReferencePoseError, match="unknown stretch 'toe_touch'; known stretches are: .*childs_pose"):
        load_reference("toe_touch")


def test_bad_json_and_missing_file(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{not json")
    with pytest.raises(ReferencePoseError, match="not valid JSON"):
        load_reference(p)
    with pytest.raises(ReferencePoseError, match="does not exist"):
        load_reference(tmp_path / "nope.json")


def test_save_and_load_round_trip(tmp_path):
    ref = load_reference("gluteal_figure_four")
    back = load_reference(save_reference(ref, tmp_path / "g.json"))
    assert back == ref


def test_build_reference_from_a_clip_recovers_the_angles(tmp_path):
    seq = body_pose(60, tau_deg=-90, hip_flexion_deg=(120.0, 10.0), knee_flexion_deg=(100.0, 5.0))
    ref = build_reference(seq, id="my_stretch", name="My stretch", affected_side="left")
    assert ref.angle("affected_hip_flexion_deg").target == pytest.approx(120.0, abs=0.1)
    assert ref.angle("other_knee_flexion_deg").target == pytest.approx(5.0, abs=0.1)
    assert ref.angle("trunk_tilt_deg").target == pytest.approx(90.0, abs=0.1)
    assert ref.angle("affected_hip_flexion_deg").tolerance == 10.0  # still pose: the floor applies
    saved = load_reference(save_reference(ref, tmp_path / "my_stretch.json"))
    assert saved.sided and saved.hold_s == 30


def test_build_reference_with_a_template_keeps_cues_and_needs_a_side():
    seq = body_pose(10, tau_deg=-90, hip_flexion_deg=(130.0, 0.0), knee_flexion_deg=(115.0, 0.0))
    ref = build_reference(seq, id="my_k2c", name="My knee to chest", affected_side="left", template="knee_to_chest")
    template = load_reference("knee_to_chest").angle("affected_hip_flexion_deg")
    assert ref.angle("affected_hip_flexion_deg").cue_low == template.cue_low
    with pytest.raises(ReferencePoseError, match="side-aware"):
        build_reference(seq, id="x", name="x", template="knee_to_chest")
