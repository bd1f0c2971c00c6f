"""HTML/PDF/CSV reports, the charts (drawn area, limit, flagged shading), and the words and numbers for people."""

from __future__ import annotations

import dataclasses
import io
import re

import numpy as np
import pandas as pd
import pytest

from posture.export import Still, csv_column, flat_metrics, frames_csv, provenance_lines, report_html, report_pdf, sorted_findings
from posture.plots import chart_names, link_findings, report_charts, series_frame
from posture.present import fmt_value, key_numbers, stretch_numbers, summary_from_findings, summary_of, threshold_sentence
from posture.report import NOT_A_DIAGNOSIS, RED_FLAGS, Finding, not_assessed
from tests.test_app_fakes import fake_report, slouching_walker


@pytest.fixture(scope="module")
def seq():
    return slouching_walker()


@pytest.fixture(scope="module")
def rep(seq):
    return fake_report(seq)


def drawn_area(png: bytes, line_rgb=(0x1F, 0x5F, 0xA8), tol: int = 40) -> tuple[int, int, int]:
    """(width, height) of the box around everything drawn (non-white), and the pixel count of the plotted line."""
    from matplotlib.image import imread

    img = (imread(io.BytesIO(png))[..., :3] * 255).astype(int)
    drawn = (img < 245).any(axis=2)
    line = (np.abs(img - np.array(line_rgb)) < tol).all(axis=2)
    if not drawn.any():
        return 0, 0, 0
    ys, xs = np.nonzero(drawn)
    return int(xs.max() - xs.min()), int(ys.max() - ys.min()), int(line.sum())


def test_html_is_self_contained_and_complete(rep):
    still = Still("Slouching (warning)", np.full((60, 80, 3), 128, np.uint8), 2.5)
    html = report_html(rep, [still], source_name="me.mp4")
    assert "<script" not in html and not re.search(r"(src|href)=['\"]https?:", html)  # nothing fetched from outside
    assert "Walk tall" in html and "Slouching" in html and "me.mp4" in html
    assert "1 thing to work on: slouching" in html  # the headline
    assert NOT_A_DIAGNOSIS.split(".")[0] in html
    assert all(r.split(":")[0] in html for r in RED_FLAGS)
    assert html.count("data:image/png;base64,") == 1  # one chart
    assert html.count("data:image/jpeg;base64,") == 1  # one key frame
    assert "pose model" in html and "{" not in html.split("How this was made")[1]  # plain lines, no JSON
    assert "threshold" not in html.lower().split("<h2>findings</h2>")[1].split("<h2>")[0]


def test_findings_sorted_worst_first(rep):
    assert [f.severity for f in sorted_findings(rep)] == ["warning", "ok", "not_assessed"]


def test_pdf_has_findings_charts_and_key_frames_but_no_json_page(rep):
    still = Still("x", np.zeros((40, 40, 3), np.uint8), 1.0)
    pdf = report_pdf(rep, [still])
    assert pdf[:5] == b"%PDF-"
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 3  # text, charts, key frames; no JSON page
    assert all("{" not in line for line in provenance_lines(rep))


def test_csv_writes_each_unit_once(seq, rep):
    df = pd.read_csv(io.StringIO(frames_csv(seq, rep)))
    assert len(df) == seq.n_frames
    assert not any(c.endswith("_deg_deg") for c in df.columns)
    assert np.allclose(df["trunk_lean_deg"], rep.series["trunk_lean_deg"]["values"], atol=1e-3)
    assert np.allclose(df["left_hip_x_px"], seq.xy_px[:, 23, 0], atol=1e-3)
    assert list(df.columns[:2]) == ["frame", "time_s"]
    assert csv_column("hip_height", "fraction of height") == "hip_height_fraction_of_height"
    assert csv_column("cadence", "steps/min") == "cadence_steps_per_min"


def test_flat_metrics_flattens_nested_scalars():
    assert flat_metrics({"a": 1, "b": {"c": 2.5, "d": [1, 2]}, "e": None}) == {"a": 1, "b.c": 2.5, "e": None}


def test_chart_is_drawn_at_natural_size_with_limit_and_flagged_shading(rep):
    charts = report_charts(rep)
    assert [n for n, _ in charts] == ["trunk_lean_deg"]
    png = charts[0][1]
    from matplotlib.image import imread

    img = imread(io.BytesIO(png))
    assert img.shape[:2] == (260, 900)
    w, h, line = drawn_area(png)
    assert w > 800 and h > 220 and line > 500, f"the chart is squashed or blank: {w}x{h} px, line {line} px"
    red = (np.abs(img[..., :3] * 255 - [214, 39, 40]) < 40).all(axis=2)
    assert red.sum() > 200  # the dashed limit line
    # the flagged range (after 2 s) is shaded: the plot's right half is tinted, its left half is not
    row = img[130, :, :3]
    tinted = (np.abs(row - 1.0) > 0.03).any(axis=1)
    assert tinted[600:800].mean() > 0.5
    assert link_findings(rep)["trunk_lean_deg"].id == "slouching"


def test_no_chart_for_a_photo_a_not_assessed_measure_or_an_all_nan_series(seq, rep):
    photo = dataclasses.replace(rep, video=dataclasses.replace(rep.video, n_frames=1, is_image=True)) \
        if "is_image" in {f.name for f in dataclasses.fields(rep.video)} else None
    if photo is not None:
        assert chart_names(photo) == []
    r = fake_report(seq)
    r.series["pelvis_sway"] = {"time_s": r.series["trunk_lean_deg"]["time_s"], "values": np.full(seq.n_frames, np.nan),
                               "unit": "ratio"}
    r.series["hip_sway_ratio"] = {"time_s": r.series["trunk_lean_deg"]["time_s"], "values": np.ones(seq.n_frames),
                                  "unit": "", "finding": "hip_sway"}
    assert chart_names(r) == ["trunk_lean_deg"]


def test_series_with_mismatched_lengths_is_refused():
    with pytest.raises(ValueError, match="same shape"):
        series_frame({"time_s": [0, 1, 2], "values": [1, 2]})


@pytest.mark.parametrize(("value", "unit", "text"), [
    (41.31, "deg", "41°"), (-0.4, "deg", "0°"), (101.3, "steps/min", "101 steps/min"), (0.5922, "s", "0.6 s"),
    (1.0, "share", "100%"), (0.4007, "m", "40 cm"), (1.2, "m/s", "1.2 m/s (4.3 km/h)"), (0.40, "fraction of height",
    "40% of your height"), (9.0, "score", "9"), (1.0285, "ratio", "1.03"), (None, "deg", "-"), (float("nan"), "", "-"),
    (True, "", "yes"), (0.3140624999999999, "", "0.31"),
])
def test_values_are_written_for_people(value, unit, text):
    assert fmt_value(value, unit) == text


def test_threshold_sentences():
    assert threshold_sentence(41.3, 20.0, "deg", "notice") == "Measured 41°; the limit is 20°."
    on_line = threshold_sentence(0.6004, 0.6, "share", "notice")
    assert "right on the limit of 60%" in on_line and "flagged" in on_line
    s = threshold_sentence(0.14, "shoulders > 0.45 trunk lengths from the mid-foot", "trunk lengths", "ok")
    assert s == "Measured 0.14 trunk lengths; flagged when shoulders > 0.45 trunk lengths from the mid-foot."
    assert "deg" not in threshold_sentence(121.0, "knee flexion < 45 deg (notice)", "deg", "ok")


def test_summary_says_nothing_flagged_only_when_enough_was_judged():
    ok = Finding("a", "ok", 1.0, "deg", 2.0, confidence=0.9)
    na = [not_assessed(f"n{i}", "needs a front view") for i in range(3)]
    s = summary_from_findings([ok] + na)
    assert s["status"] == "not_enough_judged" and s["main_reason"] == "needs a front view"
    assert summary_from_findings([ok, ok, na[0]])["status"] == "nothing_flagged"
    assert summary_from_findings([])["status"] == "not_enough_judged"
    warn = Finding("slouching", "warning", 30.0, "deg", 10.0, confidence=0.8)
    s = summary_from_findings([ok, warn, Finding("b", "notice", 1, "", 0, confidence=0.9)] + na)
    assert s["status"] == "flagged" and s["flagged"] == ["slouching", "b"] and s["n_not_assessed"] == 3


def test_summary_prefers_the_reports_own_block(rep):
    d = rep.to_dict()
    d["summary"] = {"status": "flagged", "headline": "from the report"}
    assert summary_of(d)["headline"] == "from the report"
    assert summary_of(rep)["status"] == "flagged"


def test_key_numbers_for_walking_and_stretching():
    d = {"task": "walk", "metrics": {"cadence_spm": 101.3, "step_length_m": 0.4007, "walking_speed_m_s": 0.31406}}
    assert key_numbers(d) == [("Cadence", "101 steps/min"), ("Step length", "40 cm"),
                              ("Walking speed", "0.3 m/s (1.1 km/h)")]
    block = {"name": "childs_pose", "side": None, "reps_per_side": {"both": 1}, "target_reps_per_side": 4,
             "hold_target_s": 30, "holds": [{"side": "both", "in_form_s": 31.2, "completed": True,
                                             "faults_s": {"hips_high": 3.0}}]}
    rows = dict(stretch_numbers(block))
    assert rows["Holds"] == "1 of 4 done · seconds in good form: 31 s (target 30 s each)"
    assert rows["Main thing to fix"] == "Hips high (out of range for 3.0 s)"


def test_live_session_rows_for_lifting_and_sitting():
    from posture.present import live_headline, live_rows

    lift = {"rep_count": 3, "repetitions": [{"flagged": ["back_rounded"]}, {"flagged": []},
                                            {"flagged": ["back_rounded", "twisting"]}]}
    rows = dict(live_rows("lift", lift))
    assert rows["Repetitions with something to fix"] == "2 of 3" and rows["Main thing to fix"].endswith("(2 of 3 repetitions)")
    assert live_headline("lift", lift) == "Live lifting session: 3 repetitions."
    sit = {"time_seated_s": 300, "longest_bout_s": 200, "time_in_posture_s": {"upright": 100, "slouched": 200}}
    rows = dict(live_rows("sit", sit))
    assert rows["Time seated"] == "5 min" and rows["How you sat"] == "slouched 67%, upright 33%"


def test_history_trend_is_a_readable_picture_with_dates():
    from matplotlib.image import imread

    from posture.plots import trend_png

    png = trend_png([("2026-11-29T20:10:05+00:00", 96.0), ("2026-11-30T08:00:00+00:00", 101.0)], "Cadence",
                    "steps/min")
    assert imread(io.BytesIO(png)).shape[:2] == (280, 900)
    w, h, line = drawn_area(png)
    assert w > 800 and h > 240 and line > 200


def test_the_chart_measure_catches_blank_and_squashed_charts(rep):
    """What the browser test measures on every chart: a blank or squashed drawing fails it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 2.6), dpi=100)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")  # nothing drawn
    assert drawn_area(buf.getvalue()) == (0, 0, 0)
    fig = Figure(figsize=(9, 0.3), dpi=100)  # squashed to a 30 px strip
    fig.add_subplot(111).plot([0, 1], [0, 1], color="#1f5fa8")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    _, h, _ = drawn_area(buf.getvalue())
    assert h < 40  # far below the 0.7 x 260 px the browser test asks of a chart shown 900 px wide
