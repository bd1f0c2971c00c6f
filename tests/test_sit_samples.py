"""Golden outputs of the synthetic sitting samples, and the baseline command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from posture.files import load
from posture.sit.__main__ import main as sit_main
from posture.sit.analysis import analyze_sit
from posture.sit.baseline import load_baseline
from posture.sit.synthetic import desk_session, sample_report_subset
from tests.golden import assert_json_close

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "sit"


def test_desk_session_sample_is_what_the_generator_makes():
    stored = load(SAMPLES / "desk_session_synthetic.npz")
    fresh = desk_session()
    np.testing.assert_allclose(stored.xy_px, fresh.xy_px, atol=1e-6)
    np.testing.assert_allclose(stored.timestamps_s, fresh.timestamps_s, atol=1e-9)


def test_desk_session_report_matches_the_golden_file():
    golden = json.loads((SAMPLES / "desk_session_synthetic.golden.json").read_text())
    got = sample_report_subset(json.loads(analyze_sit(load(SAMPLES / "desk_session_synthetic.npz")).to_json()))
    assert_json_close(got, golden, abs_tol=1e-3)
    # and the golden file itself says what the clip was built with
    assert golden["sitting"]["time_in_posture_s"] == {"upright": 8.0, "slouched": 6.0, "reclined": 6.0, "perched": 0.0,
                                                      "standing": 0.0, "lying": 0.0, "moving": 0.0, "not_judged": 0.0}


def test_upright_photo_sample_and_baseline_sample():
    r = analyze_sit(load(SAMPLES / "upright_photo_synthetic.csv"))
    assert r.blocks["sitting"]["posture"] == "upright" and r.flagged_ids == []
    b = load_baseline(SAMPLES / "baseline_side_synthetic.json")
    assert b.view == "side" and b.features["trunk_deg"] == pytest.approx(-5.0)


def test_baseline_command_writes_a_loadable_file(tmp_path, capsys):
    out = tmp_path / "mine.json"
    assert sit_main(["baseline", str(SAMPLES / "desk_session_synthetic.npz"), "-o", str(out)]) == 0
    b = load_baseline(out)
    assert b.view == "side" and b.n_frames == 200
    assert "side view" in capsys.readouterr().out
    assert sit_main(["baseline", str(tmp_path / "missing.npz"), "-o", str(out)]) == 2
