"""Personal baseline: record, save, load, and drift with known offsets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from posture.sit.baseline import (
    SCHEMA,
    Baseline,
    BaselineError,
    baseline_drift,
    drift_series,
    front_features,
    load_baseline,
    record_baseline,
    save_baseline,
)
from posture.sit.params import DEFAULT_DRIFT
from posture.sit.synthetic import seated_sequence


def test_side_baseline_is_the_median_of_the_good_posture(tmp_path):
    trunk = np.r_[np.full(9, -4.0), 30.0]  # one stray frame does not move the median
    seq = seated_sequence(10, fps=5.0, trunk_deg=trunk, forward_head_deg=7.0, head_pitch_deg=11.0)
    b = record_baseline(seq)
    assert b.view == "side" and b.n_frames == 10
    assert b.features["trunk_deg"] == pytest.approx(-4.0)
    assert b.features["forward_head_deg"] == pytest.approx(7.0)
    assert b.features["head_pitch_deg"] == pytest.approx(11.0)
    assert b.duration_s == pytest.approx(9 / 5.0)
    path = save_baseline(b, tmp_path / "me.json")
    assert json.loads(path.read_text())["schema"] == SCHEMA
    b2 = load_baseline(path)
    assert b2.features == pytest.approx(b.features) and b2.view == "side"


def test_front_baseline_from_a_desk_webcam():
    seq = seated_sequence(6, fps=5.0, view="front")
    b = record_baseline(seq)
    assert b.view == "front"
    assert set(b.features) == {"head_height_ratio", "shoulder_width_px"}
    # synthetic front view: ears one neck length (0.118 H) above the shoulders, shoulders 0.259 H apart
    assert b.features["head_height_ratio"] == pytest.approx(0.118 / 0.259, rel=1e-6)


@pytest.mark.parametrize(
    ("feature", "base", "current", "drifted"),
    [
        ("forward_head_deg", 8.0, 8.0 + DEFAULT_DRIFT.neck_deg + 0.5, True),
        ("forward_head_deg", 8.0, 8.0 + DEFAULT_DRIFT.neck_deg - 0.5, False),
        ("forward_head_deg", 8.0, -10.0, False),  # head further back is not a forward-head drift
        ("trunk_deg", 0.0, -11.0, True),  # trunk drifts either way
        ("trunk_deg", 0.0, 9.0, False),
        ("head_pitch_deg", 10.0, 26.0, True),
    ],
)
def test_side_drift_limits(feature, base, current, drifted):
    b = Baseline(view="side", features={feature: base})
    d = baseline_drift({feature: current}, b)[feature]
    assert d.delta == pytest.approx(current - base)
    assert d.drifted is drifted
    assert bool(d.message) is drifted


def test_front_drift_is_relative():
    b = Baseline(view="front", features={"head_height_ratio": 0.5, "shoulder_width_px": 200.0})
    d = baseline_drift({"head_height_ratio": 0.38, "shoulder_width_px": 240.0}, b)
    assert d["head_height_ratio"].delta == pytest.approx(-0.24) and d["head_height_ratio"].drifted
    assert d["shoulder_width_px"].delta == pytest.approx(0.2) and d["shoulder_width_px"].drifted
    assert "lean toward the screen" in d["shoulder_width_px"].message


def test_drift_series_is_false_where_nothing_was_measured():
    b = Baseline(view="side", features={"forward_head_deg": 5.0})
    delta, flag = drift_series({"forward_head_deg": np.array([5.0, 20.0, np.nan])}, b)["forward_head_deg"]
    assert delta[:2].tolist() == [0.0, 15.0] and np.isnan(delta[2])
    assert flag.tolist() == [False, True, False]


def test_front_features_nan_when_ears_hidden():
    seq = seated_sequence(1, view="front", hide=(7, 8))
    f = front_features(np.asarray(seq.xy_px), np.asarray(seq.visibility))
    assert np.isnan(f["head_height_ratio"][0])


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json", "not valid JSON"),
        ('{"schema": "other/1", "view": "side", "features": {}}', "schema must be"),
        ('{"schema": "posture.sit.baseline/1", "features": {"trunk_deg": 1}}', "missing"),
        ('{"schema": "posture.sit.baseline/1", "view": "top", "features": {"trunk_deg": 1}}', "view must be"),
        ('{"schema": "posture.sit.baseline/1", "view": "side", "features": {"knee_deg": 1}}', "valid: trunk_deg"),
        ('{"schema": "posture.sit.baseline/1", "view": "side", "features": {"trunk_deg": null}}', "finite number"),
        ('{"schema": "posture.sit.baseline/1", "view": "side", "features": {}}', "at least one"),
    ],
)
def test_bad_baseline_files_say_what_is_wrong(tmp_path, content, match):
    p = tmp_path / "b.json"
    p.write_text(content)
    with pytest.raises(BaselineError, match=match):
        load_baseline(p)


def test_missing_file_and_unusable_recording():
    with pytest.raises(BaselineError, match="not found"):
        load_baseline("/nonexistent/baseline.json")
    seq = seated_sequence(3, fps=5.0, hide=tuple(range(33)))
    with pytest.raises(BaselineError, match="frames per view"):
        record_baseline(seq)
