"""Reports a user can keep or show a physiotherapist: HTML, PDF and per-frame CSV.

- :func:`report_html` gives one self-contained HTML file (plots and key frames
  embedded as base64 images; no scripts, no network): findings with advice,
  metrics, plots, key frames, red flags, the "not a diagnosis" note and provenance.
- :func:`report_pdf` gives the same content as a PDF (matplotlib, no extra dependency).
- :func:`frames_csv` gives one row per frame: time, every plotted series and the
  33 landmarks (x, y in pixels, visibility).
The JSON report is ``Report.to_json()`` (issue 3's contract).
"""

from __future__ import annotations

import base64
import html
import io
import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from posture.landmarks import NAMES
from posture.report import NOT_A_DIAGNOSIS, RED_FLAGS, Report
from posture.sequence import PoseSequence

SEVERITY_WORDS = {"warning": "Needs attention", "notice": "Worth a look", "ok": "Fine", "not_assessed": "Not assessed"}
SEVERITY_COLORS = {"warning": "#c0392b", "notice": "#b7791f", "ok": "#2f855a", "not_assessed": "#718096"}
SEVERITY_ORDER = {"warning": 0, "notice": 1, "ok": 2, "not_assessed": 3}


@dataclass(frozen=True)
class Still:
    """A key frame for a report: caption and RGB uint8 image (h, w, 3)."""

    caption: str
    rgb: np.ndarray
    time_s: float = 0.0


def _fmt(v, unit: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if not np.isfinite(v):
            return "-"
        v = f"{v:.1f}" if abs(v) < 100 else f"{v:.0f}"
    return f"{v} {unit}".strip()


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
    """A matplotlib Figure of one series: line, threshold, shaded flagged ranges, event ticks."""
    from matplotlib.figure import Figure

    s = report.series[name]
    t = np.asarray(s.get("time_s", ()), float)
    v = np.asarray(s.get("values", ()), float)
    fig = Figure(figsize=(7.5, 2.3), dpi=100)
    ax = fig.add_subplot(111)
    ax.plot(t, v, color="#4c78a8", lw=1.5, marker="o" if t.size < 3 else None)
    f = report.finding(str(s.get("finding") or name))
    if f is not None and f.flagged:
        for a, b in f.time_ranges_s:
            ax.axvspan(a, b, color=SEVERITY_COLORS[f.severity], alpha=0.15, lw=0)
    thr = s.get("threshold")
    if thr is not None and np.isfinite(float(thr)):
        ax.axhline(float(thr), color="#c0392b", ls="--", lw=1, label=f"threshold {float(thr):g}")
        ax.legend(loc="upper right", fontsize=7, frameon=False)
    for items in (report.events or {}).values():
        if isinstance(items, list):
            for e in items:
                if isinstance(e, dict) and e.get("time_s") is not None:
                    ax.axvline(float(e["time_s"]), color="#999999", lw=0.5, alpha=0.6)
    unit = s.get("unit") or ""
    ax.set_title(str(s.get("label") or name), fontsize=9, loc="left")
    ax.set_xlabel("time (s)", fontsize=8)
    ax.set_ylabel(unit, fontsize=8)
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


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
padding:.8em 1em;border:1px solid #f0d27a}pre{font-size:.75em;white-space:pre-wrap;background:#f4f4f4;padding:.5em}
"""


def report_html(report: Report, stills: Sequence[Still] = (), title: str | None = None,
                source_name: str | None = None) -> str:
    """One self-contained HTML page (no scripts, no external resources)."""
    e = html.escape
    d = report.to_dict()
    name = source_name or d["input"].get("path", "")
    title = title or f"posture report: {report.task}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1><p class='sub'>{e(str(name))} &middot; view: {e(report.view)} &middot; "
             f"{d['input'].get('n_frames')} frames &middot; made {when}</p>",
             f"<p class='notice'>{e(NOT_A_DIAGNOSIS)}</p>", "<h2>Findings</h2>"]
    for f in sorted_findings(report):
        color = SEVERITY_COLORS.get(f.severity, "#999")
        val = "" if f.value is None else f" &middot; measured {e(_fmt(f.value, f.unit))}"
        thr = "" if f.threshold is None else f" (threshold {e(_fmt(f.threshold, f.unit))})"
        when_txt = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in f.time_ranges_s[:6])
        parts.append(
            f"<div class='card' style='border-color:{color}'><h3>{e(f.id.replace('_', ' ').capitalize())}</h3>"
            f"<span class='sev' style='color:{color}'>{SEVERITY_WORDS.get(f.severity, f.severity)}</span>{val}{thr}"
            f"{' &middot; confidence ' + format(f.confidence, '.0%') if f.severity != 'not_assessed' else ''}"
            f"<p>{e(f.message)}</p>"
            + (f"<p class='advice'><b>What to do:</b> {e(f.advice)}</p>" if f.advice else "")
            + (f"<p class='sub'>When: {e(when_txt)}</p>" if when_txt else "")
            + "</div>")
    metrics = flat_metrics(report.metrics)
    if metrics:
        parts.append("<h2>Numbers</h2><table><tr><th>metric</th><th>value</th></tr>")
        parts += [f"<tr><td>{e(k)}</td><td>{e(_fmt(v))}</td></tr>" for k, v in metrics.items()]
        parts.append("</table>")
    names = [n for n in report.series if np.isfinite(np.asarray(report.series[n].get("values", ()), float)).any()]
    if names:
        parts.append("<h2>Over time</h2><p class='sub'>Shaded: when a finding was flagged. Dashed: threshold. "
                     "Grey lines: events.</p>")
        for n in names:
            parts.append(f"<img alt='{e(n)}' src='{_b64(_png(series_figure(report, n)), 'image/png')}'>")
    if stills:
        parts.append("<h2>Key moments</h2>")
        for s in stills:
            parts.append(f"<div class='still'><img alt='{e(s.caption)}' src='{_b64(_jpeg_of(s.rgb), 'image/jpeg')}'>"
                         f"<p class='sub'>{e(s.caption)} at {s.time_s:.1f} s</p></div>")
    parts.append("<h2>When to see a doctor</h2><ul>" + "".join(f"<li>{e(r)}</li>" for r in RED_FLAGS) + "</ul>")
    parts.append("<h2>How this was made</h2><pre>" + e(json.dumps(d.get("provenance", {}), indent=1)) + "</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------- PDF
def report_pdf(report: Report, stills: Sequence[Still] = (), title: str | None = None,
               source_name: str | None = None) -> bytes:
    """The report as PDF bytes: a text page (findings, advice, red flags), plots, key frames, provenance."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    d = report.to_dict()
    title = title or f"posture report: {report.task}"
    buf = io.BytesIO()
    lines: list[tuple[str, str, float]] = []  # (text, colour, size)

    def add(text: str, color: str = "#222222", size: float = 9, width: int = 100) -> None:
        for ln in textwrap.wrap(text, width) or [""]:
            lines.append((ln, color, size))

    add(title, size=16)
    add(f"{source_name or d['input'].get('path', '')}  |  view: {report.view}  |  {d['input'].get('n_frames')} frames", "#666666")
    add(NOT_A_DIAGNOSIS, "#8a6d00")
    add("")
    add("Findings", size=12)
    for f in sorted_findings(report):
        head = f"{f.id.replace('_', ' ').capitalize()}: {SEVERITY_WORDS.get(f.severity, f.severity)}"
        if f.value is not None:
            head += f"  (measured {_fmt(f.value, f.unit)}" + (f", threshold {_fmt(f.threshold, f.unit)})" if f.threshold
                                                                 is not None else ")")
        add(head, SEVERITY_COLORS.get(f.severity, "#222222"), 10)
        add(f.message)
        if f.advice:
            add("What to do: " + f.advice)
    add("")
    add("When to see a doctor", size=12)
    for r in RED_FLAGS:
        add("- " + r)
    with PdfPages(buf) as pdf:
        per_page = 58
        for start in range(0, len(lines), per_page):
            fig = Figure(figsize=(8.27, 11.69))
            y = 0.96
            for text, color, size in lines[start:start + per_page]:
                fig.text(0.07, y, text, color=color, fontsize=size, va="top", family="sans-serif")
                y -= 0.0155 * max(size, 9) / 9
            pdf.savefig(fig)
        names = [n for n in report.series if np.isfinite(np.asarray(report.series[n].get("values", ()), float)).any()]
        for i in range(0, len(names), 4):
            fig = Figure(figsize=(8.27, 11.69))
            for k, n in enumerate(names[i:i + 4]):
                img = _png(series_figure(report, n))
                from matplotlib.image import imread

                ax = fig.add_axes([0.05, 0.75 - 0.24 * k, 0.9, 0.22])
                ax.imshow(imread(io.BytesIO(img)))
                ax.axis("off")
            pdf.savefig(fig)
        for i in range(0, len(stills), 4):
            fig = Figure(figsize=(8.27, 11.69))
            for k, s in enumerate(stills[i:i + 4]):
                ax = fig.add_subplot(2, 2, k + 1)
                ax.imshow(s.rgb)
                ax.set_title(f"{s.caption} at {s.time_s:.1f} s", fontsize=8)
                ax.axis("off")
            pdf.savefig(fig)
        fig = Figure(figsize=(8.27, 11.69))
        prov = json.dumps(d.get("provenance", {}), indent=1)
        fig.text(0.05, 0.97, "How this was made", fontsize=12, va="top")
        fig.text(0.05, 0.94, "\n".join(textwrap.fill(x, 110) for x in prov.splitlines()[:90]), fontsize=6,
                 va="top", family="monospace")
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
            unit = s.get("unit") or ""
            cols[f"{name}_{unit}".rstrip("_").replace(" ", "_")] = col
    for i, n in enumerate(NAMES):
        cols[f"{n}_x_px"] = seq.xy_px[:, i, 0]
        cols[f"{n}_y_px"] = seq.xy_px[:, i, 1]
        cols[f"{n}_visibility"] = seq.visibility[:, i]
    return pd.DataFrame(cols)


def frames_csv(seq: PoseSequence, report: Report | None = None) -> str:
    return frames_table(seq, report).to_csv(index=False, float_format="%.4f")
