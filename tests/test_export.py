"""HTML/PDF/CSV reports and the Altair charts carry the findings, thresholds, shading and events."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from posture.export import Still, flat_metrics, frames_csv, report_html, report_pdf, sorted_findings
from posture.plots import event_times, report_charts, series_chart, series_frame
from posture.report import NOT_A_DIAGNOSIS, RED_FLAGS
from tests.test_app_fakes import SLOUCH_FROM_S, fake_report, slouching_walker


@pytest.fixture(scope="module")
def seq():
    return slouching_walker()


@pytest.fixture(scope="module")
def rep(seq):
    return fake_report(seq)


def test_html_is_self_contained_and_complete(rep):
    still = Still("Slouching (warning)", np.full((60, 80, 3), 128, np.uint8), 2.5)
    html = report_html(rep, [still], source_name="me.mp4")
    assert "<script" not in html and not re.search(r"(src|href)=['\"]https?:", html)  # nothing fetched from outside
    assert "Walk tall" in html and "Slouching" in html and "me.mp4" in html
    assert NOT_A_DIAGNOSIS.split(".")[0] in html
    assert all(r.split(":")[0] in html for r in RED_FLAGS)
    assert html.count("data:image/png;base64,") == 1  # one plotted series
    assert html.count("data:image/jpeg;base64,") == 1  # one key frame
    assert "model" in html  # provenance


def test_findings_sorted_worst_first(rep):
    assert [f.severity for f in sorted_findings(rep)] == ["warning", "ok", "not_assessed"]


def test_pdf_is_a_pdf_with_pages(rep):
    still = Still("x", np.zeros((40, 40, 3), np.uint8), 1.0)
    pdf = report_pdf(rep, [still])
    assert pdf[:5] == b"%PDF-"
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 4  # text, plots, stills, provenance


def test_csv_has_one_row_per_frame_with_series_and_landmarks(seq, rep):
    df = pd.read_csv(io.StringIO(frames_csv(seq, rep)))
    assert len(df) == seq.n_frames
    assert np.allclose(df["trunk_lean_deg_deg"], rep.series["trunk_lean_deg"]["values"], atol=1e-3)
    assert np.allclose(df["left_hip_x_px"], seq.xy_px[:, 23, 0], atol=1e-3)
    assert list(df.columns[:2]) == ["frame", "time_s"]


def test_flat_metrics_flattens_nested_scalars():
    assert flat_metrics({"a": 1, "b": {"c": 2.5, "d": [1, 2]}, "e": None}) == {"a": 1, "b.c": 2.5, "e": None}


def test_chart_has_line_threshold_shading_and_events(rep):
    spec = series_chart(rep, "trunk_lean_deg").to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["rect", "line", "rule", "tick"]
    datasets = spec["datasets"]
    shade = next(v for v in datasets.values() if v and "start" in v[0])
    assert shade[0]["start"] >= SLOUCH_FROM_S - 0.05
    assert any(v and v[0].get("threshold") == 10.0 for v in datasets.values())
    assert len(event_times(rep)) == len(rep.events["initial_contacts"])
    assert [n for n, _ in report_charts(rep)] == ["trunk_lean_deg"]


def test_unflagged_series_has_no_shading(seq):
    rep = fake_report(seq)
    rep.findings = [f for f in rep.findings if f.id != "slouching"]
    spec = series_chart(rep, "trunk_lean_deg").to_dict()
    assert "rect" not in str([layer["mark"] for layer in spec["layer"]])


def test_series_with_mismatched_lengths_is_refused():
    with pytest.raises(ValueError, match="same shape"):
        series_frame({"time_s": [0, 1, 2], "values": [1, 2]})
