"""The report contract: validation, JSON safety, time ranges, borderline confidence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from posture.report import Finding, Report, margin_confidence, not_assessed, time_ranges
from posture.sequence import VideoInfo

VIDEO = VideoInfo(path="clip.mp4", fps=30.0, n_frames=90, width=640, height=480)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"severity": "bad"}, "severity must be one of"),
        ({"severity": "not_assessed"}, "gives no reason"),
        ({"confidence": 1.5}, r"confidence must lie in \[0, 1\]"),
    ],
)
def test_finding_validation(kw, match):
    base = {"id": "x", "severity": "ok"}
    base.update(kw)
    with pytest.raises(ValueError, match=match):
        Finding(**base)


def test_report_json_follows_the_contract_and_is_strict_json():
    r = Report(task="walk", video=VIDEO, view="side", metrics={"cadence_spm": np.float64(101.26), "speed": np.nan},
               findings=[Finding("low_cadence", "ok", np.float32(101.3), "steps/min", 90.0, (), 0.7, "fine", ""),
                         not_assessed("hip_sway", "needs a front view")],
               blocks={"gait": {"n": np.int64(3)}})
    d = json.loads(r.to_json())  # allow_nan=False: would raise on NaN
    assert list(d)[:8] == ["task", "posture_version", "input", "view", "segments", "events", "metrics", "findings"]
    assert d["input"] == {"path": "clip.mp4", "fps": 30.0, "n_frames": 90, "duration_s": 3.0, "width": 640,
                          "height": 480, "rotation_deg": 0}
    assert d["metrics"] == {"cadence_spm": 101.26, "speed": None}
    assert d["findings"][1]["severity"] == "not_assessed" and d["findings"][1]["reason"] == "needs a front view"
    assert d["gait"] == {"n": 3} and "doctor" in " ".join(d["red_flags"]) and "diagnose" in d["notice"]
    assert r.flagged_ids == [] and r.finding("hip_sway").reason


def test_view_is_checked():
    with pytest.raises(ValueError, match="view must be one of"):
        Report(task="walk", video=VIDEO, view="diagonal")


def test_time_ranges_merge_and_minimum_duration():
    t = np.arange(10) / 10.0
    mask = np.array([0, 1, 1, 0, 1, 0, 0, 0, 1, 1], bool)
    assert time_ranges(mask, t) == [(0.1, 0.3), (0.4, 0.5), (0.8, 1.0)]
    assert time_ranges(mask, t, merge_gap_s=0.1) == [(0.1, 0.5), (0.8, 1.0)]
    assert time_ranges(mask, t, min_duration_s=0.15) == [(0.1, 0.3), (0.8, 1.0)]


def test_margin_confidence_is_a_coin_toss_at_the_threshold():
    assert margin_confidence(25.0, 25.0, 5.0) == 0.5
    assert margin_confidence(27.5, 25.0, 5.0) == 0.75
    assert margin_confidence(10.0, 25.0, 5.0) == 1.0
    assert margin_confidence(np.nan, 25.0, 5.0) == 0.5
