"""Golden reports of the walking analysis on the landmark files in samples/walk/.

Regenerate (after an intended change, and say why in the commit):
    .venv/bin/python -m posture.gait.synthetic samples/walk --golden tests/golden
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posture.analyses import AnalyzeOptions
from posture.files import load
from posture.gait.analysis import analyze_walk
from posture.gait.synthetic import golden_json

REPO = Path(__file__).resolve().parent.parent
NAMES = ["walk_side_synthetic", "walk_side_slouch_synthetic", "walk_front_synthetic"]


def _close(a, b, path="") -> None:
    if isinstance(a, dict):
        assert set(a) == set(b), f"{path}: keys differ {sorted(set(a) ^ set(b))}"
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, abs=2e-3), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize("name", NAMES)
def test_walk_golden(name):
    seq = load(REPO / "samples" / "walk" / f"{name}.npz")
    got = json.loads(golden_json(analyze_walk(seq, AnalyzeOptions(height_cm=175)).to_dict()))
    want = json.loads((REPO / "tests" / "golden" / f"{name}.json").read_text())
    _close(got, want)


def test_golden_files_say_what_they_should():
    side = json.loads((REPO / "tests" / "golden" / "walk_side_slouch_synthetic.json").read_text())
    flagged = {f["id"] for f in side["findings"] if f["severity"] in ("notice", "warning")}
    assert {"slouching", "looking_down", "forward_head"} <= flagged
    front = json.loads((REPO / "tests" / "golden" / "walk_front_synthetic.json").read_text())
    assert front["view"] == "front"
    assert {f["id"]: f["severity"] for f in front["findings"]}["hip_sway"] == "warning"
