"""Reports a user can keep or show a physiotherapist: HTML, PDF and per-frame CSV.

- :func:`report_html` gives one self-contained HTML file (charts and key frames
  embedded as base64 images; no scripts, no network): the headline, findings with
  advice, key numbers, charts, key frames, red flags, the "not a diagnosis" note
  and a short "how this was made".
- :func:`report_pdf` gives the same content as a PDF (matplotlib, no extra dependency);
  the JSON stays a separate download.
- :func:`frames_csv` gives one row per frame: time, every plotted series (column
  ``<name>_<unit>``, the unit written once) and the 33 landmarks (x, y in pixels, visibility).
Words and numbers come from :mod:`posture.present`, charts from :mod:`posture.plots`, so the app, the
reports and the video overlay agree.
The JSON report is ``Report.to_json()`` (issue 3's contract).
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from posture.landmarks import NAMES
from posture.present import (
    SEVERITY_WORDS,
    finding_title,
    fmt_value,
    for_photo,
    key_numbers,
    summary_of,
    threshold_sentence,
)
from posture.report import NOT_A_DIAGNOSIS, RED_FLAGS, Report
from posture.sequence import PoseSequence

SEVERITY_COLORS = {"warning": "#c0392b", "notice": "#b7791f", "ok": "#2f855a", "not_assessed": "#718096"}
SEVERITY_ORDER = {"warning": 0, "notice": 1, "ok": 2, "not_assessed": 3}


@dataclass(frozen=True)
class Still:
    """A key frame for a report: caption and RGB uint8 image (h, w, 3)."""

    caption: str
    rgb: np.ndarray
    time_s: float = 0.0


def _fmt(v, unit: str = "") -> str:
    return fmt_value(v, unit)


def sorted_findings(report: Report):
    return sorted(report.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.id))


def flat_metrics(metrics: dict, prefix: str = "") -> dict[str, object]:
    """Nested metrics flattened to ``a.b`` keys with scalar values only."""
    out: dict[str, object] = {}
    for k, v in (metrics or {}).items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flat_metrics(v, key + "."))
        elif isinstance(v, (int, float, str, bool, np.integer, np.floating)) or v is None:
            out[key] = v.item() if isinstance(v, (np.integer, np.floating)) else v
    return out


# ----------------------------------------------------------------------------- figures
def series_figure(report: Report, name: str):
    """A matplotlib Figure of one series (the app's chart: :func:`posture.plots.series_figure`)."""
    from posture.plots import series_figure as figure

    return figure(report, name)


def provenance_lines(report: Report) -> list[str]:
    """How the report was made, in a few plain lines (not the raw JSON)."""
    p = report.provenance or {}
    out = [f"posture {p.get('posture_version') or report.to_dict().get('posture_version')}"]
    model = p.get("model") or p.get("model_name")
    if isinstance(model, dict):
        model = model.get("name") or model.get("path")
    if model:
        out.append(f"pose model: {model}")
    params = p.get("analysis_parameters") or {}
    given = {k: v for k, v in params.items() if isinstance(v, (str, int, float)) and v != ""} \
        if isinstance(params, dict) else {}  # what the person chose (preset, height, load), not internal tables
    if given:
        out.append("settings: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in list(given.items())[:8]))
    v = report.video
    out.append(f"input: {v.n_frames} frame(s)" + (f", {v.duration_s:.1f} s at {v.fps:.0f} frames/s" if v.n_frames > 1
                                                   else " (a photo)") + f", {v.width}x{v.height} px")
    return out


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _jpeg_of(rgb: np.ndarray) -> bytes:
    from matplotlib.image import imsave

    buf = io.BytesIO()
    imsave(buf, np.ascontiguousarray(rgb), format="jpeg", pil_kwargs={"quality": 85})
    return buf.getvalue()


def _b64(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


# ----------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}.card{border-left:6px solid #999;padding:.5em 1em;margin:.8em 0;
background:#fafafa}.card h3{margin:.2em 0}.sev{font-size:.85em;font-weight:600}.advice{margin:.3em 0 0}
table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:left;font-size:.9em}
img{max-width:100%}.still{display:inline-block;width:48%;margin:1%;vertical-align:top}.notice{background:#fff8e1;
padding:.8em 1em;border:1px solid #f0d27a}.headline{font-size:1.2em;font-weight:600}
"""


def finding_lines(f, is_photo: bool = False) -> dict[str, str]:
    """A finding's words for a report: title, severity, message, advice, measurement sentence, when, confidence."""
    when = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in f.time_ranges_s[:6])
    return {
        "title": finding_title(f), "severity": SEVERITY_WORDS.get(f.severity, f.severity),
        "message": for_photo(f.message, is_photo), "advice": for_photo(f.advice or "", is_photo),
        "measure": threshold_sentence(f.value, f.threshold, f.unit, f.severity) if f.severity != "not_assessed" else "",
        "when": f"When in the video: {when}." if when and not is_photo else "",
        "confidence": f"How sure: {f.confidence:.0%}." if f.severity != "not_assessed" else "",
    }


def _chart_pngs(report: Report, charts: Sequence[tuple[str, bytes]] | None = None) -> list[tuple[str, bytes]]:
    """The charts for a report: those of measures that have a finding (all of them when none has one)."""
    from posture.plots import link_findings, report_charts

    charts = list(report_charts(report) if charts is None else charts)
    links = link_findings(report)
    main = [(n, png) for n, png in charts if links.get(n) is not None]
    return main or charts


def report_html(report: Report, stills: Sequence[Still] = (), title: str | None = None,
                source_name: str | None = None, charts: Sequence[tuple[str, bytes]] | None = None) -> str:
    """One self-contained HTML page (no scripts, no external resources)."""
    e = html.escape
    d = report.to_dict()
    is_photo = report.video.is_image
    name = source_name or d["input"].get("path", "")
    title = title or f"posture report: {report.task}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    summary = summary_of(report)
    what = "1 photo" if is_photo else f"{report.video.duration_s:.1f} s of video"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1><p class='sub'>{e(str(name))} &middot; {what} &middot; seen from the "
             f"{e(report.view)} &middot; made {when}</p>",
             f"<p class='headline'>{e(summary['headline'])}</p>",
             f"<p class='notice'>{e(for_photo(NOT_A_DIAGNOSIS, is_photo))}</p>", "<h2>Findings</h2>"]
    for f in sorted_findings(report):
        color = SEVERITY_COLORS.get(f.severity, "#999")
        w = finding_lines(f, is_photo)
        parts.append(
            f"<div class='card' style='border-color:{color}'><h3>{e(w['title'])}</h3>"
            f"<span class='sev' style='color:{color}'>{e(w['severity'])}</span>"
            f"<p>{e(w['message'])}</p>"
            + (f"<p class='advice'><b>What to do:</b> {e(w['advice'])}</p>" if w["advice"] else "")
            + "<p class='sub'>" + e(" ".join(x for x in (w["measure"], w["when"], w["confidence"]) if x)) + "</p>"
            + "</div>")
    numbers = key_numbers(report)
    if numbers:
        parts.append("<h2>Your numbers</h2><table>")
        parts += [f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in numbers]
        parts.append("</table>")
    charts = _chart_pngs(report, charts)
    if charts:
        parts.append("<h2>Over time</h2><p class='sub'>Dashed line: the limit; pale red: the side of it that is "
                     "flagged. Orange or red columns: when a finding was flagged. Ticks: steps or repetitions.</p>")
        for n, png in charts:
            parts.append(f"<img alt='{e(n)}' src='{_b64(png, 'image/png')}'>")
    if stills:
        parts.append("<h2>Key moments</h2>")
        for s in stills:
            at = "" if is_photo else f" at {s.time_s:.1f} s"
            parts.append(f"<div class='still'><img alt='{e(s.caption)}' src='{_b64(_jpeg_of(s.rgb), 'image/jpeg')}'>"
                         f"<p class='sub'>{e(s.caption)}{at}</p></div>")
    parts.append("<h2>When to see a doctor</h2><ul>" + "".join(f"<li>{e(r)}</li>" for r in RED_FLAGS) + "</ul>")
    parts.append("<h2>How this was made</h2><ul class='sub'>"
                 + "".join(f"<li>{e(x)}</li>" for x in provenance_lines(report)) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------- PDF
def report_pdf(report: Report, stills: Sequence[Still] = (), title: str | None = None,
               source_name: str | None = None, charts: Sequence[tuple[str, bytes]] | None = None) -> bytes:
    """The report as PDF bytes: headline, findings with advice, numbers, charts, key frames, red flags.

    No raw JSON: the JSON report is its own download.
    """
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    d = report.to_dict()
    is_photo = report.video.is_image
    title = title or f"posture report: {report.task}"
    buf = io.BytesIO()
    lines: list[tuple[str, str, float]] = []  # (text, colour, size)

    def add(text: str, color: str = "#222222", size: float = 9, width: int = 100) -> None:
        for ln in textwrap.wrap(text, int(width * 9 / max(size, 9))) or [""]:
            lines.append((ln, color, size))

    what = "1 photo" if is_photo else f"{report.video.duration_s:.1f} s of video"
    add(title, size=16)
    add(f"{source_name or d['input'].get('path', '')}  |  {what}  |  seen from the {report.view}", "#666666")
    add("")
    add(summary_of(report)["headline"], size=11)
    add(for_photo(NOT_A_DIAGNOSIS, is_photo), "#8a6d00")
    add("")
    add("Findings", size=12)
    for f in sorted_findings(report):
        w = finding_lines(f, is_photo)
        add(f"{w['title']}: {w['severity']}", SEVERITY_COLORS.get(f.severity, "#222222"), 10)
        add(w["message"])
        if w["advice"]:
            add("What to do: " + w["advice"])
        detail = " ".join(x for x in (w["measure"], w["when"], w["confidence"]) if x)
        if detail:
            add(detail, "#666666", 8)
        add("")
    numbers = key_numbers(report)
    if numbers:
        add("Your numbers", size=12)
        for k, v in numbers:
            add(f"{k}: {v}")
        add("")
    add("When to see a doctor", size=12)
    for r in RED_FLAGS:
        add("- " + r)
    add("")
    add("How this was made", size=12)
    for x in provenance_lines(report):
        add(x, "#666666", 8)
    charts = _chart_pngs(report, charts)
    with PdfPages(buf) as pdf:
        per_page = 56
        for start in range(0, len(lines), per_page):
            fig = Figure(figsize=(8.27, 11.69))
            y = 0.96
            for text, color, size in lines[start:start + per_page]:
                fig.text(0.07, y, text, color=color, fontsize=size, va="top", family="sans-serif")
                y -= 0.0155 * max(size, 9) / 9
            pdf.savefig(fig)
        for i in range(0, len(charts), 4):
            fig = Figure(figsize=(8.27, 11.69))
            if i == 0:
                fig.text(0.05, 0.97, "Over time", fontsize=12, va="top")
            for k, (_, png) in enumerate(charts[i:i + 4]):
                ax = fig.add_axes([0.03, 0.71 - 0.235 * k, 0.94, 0.23])
                ax.imshow(imread(io.BytesIO(png)))
                ax.axis("off")
            pdf.savefig(fig)
        for i in range(0, len(stills), 4):
            fig = Figure(figsize=(8.27, 11.69))
            if i == 0:
                fig.text(0.05, 0.97, "Key moments", fontsize=12, va="top")
            for k, s in enumerate(stills[i:i + 4]):
                ax = fig.add_subplot(2, 2, k + 1)
                ax.imshow(s.rgb)
                ax.set_title(s.caption + ("" if is_photo else f" at {s.time_s:.1f} s"), fontsize=8)
                ax.axis("off")
            pdf.savefig(fig)
    return buf.getvalue()


# ----------------------------------------------------------------------------- CSV
def frames_table(seq: PoseSequence, report: Report | None = None):
    """A pandas DataFrame, one row per frame: frame, time_s, series values, landmark x/y/visibility."""
    import pandas as pd

    t = np.asarray(seq.timestamps_s, float)
    cols: dict[str, np.ndarray] = {"frame": np.asarray(seq.frame_index), "time_s": t}
    if report is not None:
        for name, s in report.series.items():
            st = np.asarray(s.get("time_s", ()), float)
            sv = np.asarray(s.get("values", ()), float)
            col = np.full(t.size, np.nan)
            if st.size and st.size == sv.size:
                idx = np.clip(np.searchsorted(st, t), 0, st.size - 1)
                prev = np.clip(idx - 1, 0, st.size - 1)
                idx = np.where(np.abs(st[prev] - t) < np.abs(st[idx] - t), prev, idx)
                step = float(np.median(np.diff(st))) if st.size > 1 else 0.1
                col = np.where(np.abs(st[idx] - t) <= 1.5 * max(step, 1e-3), sv[idx], np.nan)
            cols[csv_column(name, s.get("unit") or "")] = col
    for i, n in enumerate(NAMES):
        cols[f"{n}_x_px"] = seq.xy_px[:, i, 0]
        cols[f"{n}_y_px"] = seq.xy_px[:, i, 1]
        cols[f"{n}_visibility"] = seq.visibility[:, i]
    return pd.DataFrame(cols)


def csv_column(name: str, unit: str) -> str:
    """``<name>_<unit>`` with the unit written once (``trunk_lean_deg`` stays, ``hip_height`` gets ``_fraction_of_height``)."""
    u = "_".join(unit.replace("/", "_per_").split()).strip("_")
    if not u or name.endswith("_" + u) or name == u:
        return name
    return f"{name}_{u}"


def frames_csv(seq: PoseSequence, report: Report | None = None) -> str:
    return frames_table(seq, report).to_csv(index=False, float_format="%.4f")
