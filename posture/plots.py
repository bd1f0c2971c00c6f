"""Charts of a report's per-frame series: one picture per measure, the same in the app, the HTML and the PDF.

Each chart shows the value over time in the units a person reads (``posture.present``), the limit as a
dashed line with the worse side of it lightly shaded (the threshold band), the time ranges of the matching
flagged finding shaded, and the report's events (steps, repetitions, holds) as ticks along the bottom.

Which series get a chart (:func:`chart_names`): those with at least two finite values whose matching
finding was assessed; none for a photo (one moment has no "over time"). Series are matched to findings by
an explicit ``"finding"`` key, else by the id, else by shared words in the name, else by the same unit and
limit (:func:`link_findings`).

Static PNGs (matplotlib, Agg): they render at their natural size everywhere, need no JavaScript, and the
browser test can measure their drawn area. Pure data in, bytes out.
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np

from posture.present import fmt_value, measure_name, spec_of, unit_style, worse_side
from posture.report import Finding, Report

LINE = "#1f5fa8"
SEVERITY_SHADE = {"warning": "#d62728", "notice": "#f0a500"}
BAND = "#d62728"
CHART_SIZE_IN = (9.0, 2.6)  # our choice: 900x260 px at 100 dpi reads well at the app's column width
CHART_DPI = 100
_IGNORED_WORDS = {"deg", "px", "s", "m", "cm", "pct", "spm", "the", "from", "with", "of", "x", "notice", "warning",
                  "when", "than", "a", "and", "in", "at", "to", "not", "over", "positive", "negative", "above",
                  "below", "body", "floor", "height"}


def series_frame(s: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """``(time_s, values)`` of a series as float arrays of the same shape (ValueError otherwise)."""
    t = np.asarray(s.get("time_s", ()), float)
    v = np.asarray(s.get("values", ()), float)
    if t.shape != v.shape:
        raise ValueError(f"series time_s and values must have the same shape, got {t.shape} and {v.shape}")
    return t, v


def _words(*texts: object) -> set[str]:
    """Content words of names and labels, plural "s" dropped ("knees" -> "knee")."""
    out = set()
    for text in texts:
        if isinstance(text, str):
            for w in re.split(r"[^a-z]+", text.lower()):
                if w and w not in _IGNORED_WORDS:
                    out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def link_findings(report: Report) -> dict[str, Finding | None]:
    """Series name -> the finding it illustrates (or None); each finding used at most once.

    An explicit ``"finding"`` key or an equal id wins; otherwise every (series, finding) pair is scored
    by shared words (name and label vs id and threshold text) plus 2 when the unit and numeric limit are
    the same, and pairs are taken best first; a tie for a series leaves it unlinked.
    """
    out: dict[str, Finding | None] = {name: None for name in report.series}
    used: set[str] = set()
    for name, s in report.series.items():
        fid = s.get("finding")
        f = report.finding(str(fid)) if fid else report.finding(name)
        if f is not None:
            out[name] = f
            used.add(f.id)
    pairs = []
    for name, s in report.series.items():
        if out[name] is not None:
            continue
        mine, thr = _words(name, s.get("label")), s.get("threshold")
        for f in report.findings:
            if f.id in used or (s.get("unit") and f.unit and f.unit != s.get("unit")):
                continue
            score = len(mine & _words(f.id, f.threshold))
            if not f.unit and score < 2:
                continue  # one shared word and no unit to confirm it: too weak (hip_height is not hip_sway)
            if (isinstance(thr, (int, float)) and isinstance(f.threshold, (int, float)) and np.isfinite(float(thr))
                    and abs(float(thr) - float(f.threshold)) < 1e-9):
                score += 2
            if score > 0:
                pairs.append((score, name, f))
    pairs.sort(key=lambda p: -p[0])
    for score, name, f in pairs:
        if out[name] is not None or f.id in used:
            continue
        rivals = [p for p in pairs if p[1] == name and p[0] == score and p[2].id not in used]
        if len(rivals) > 1:
            continue
        out[name] = f
        used.add(f.id)
    return out


def chart_names(report: Report) -> list[str]:
    """Series worth a chart, flagged ones first, then the other assessed ones, then plain measurements."""
    if report.video.is_image or report.video.n_frames <= 1:
        return []
    if report.findings and all(f.severity == "not_assessed" for f in report.findings):
        return []  # nothing was judged (e.g. a walk on the Lift page): a chart would suggest otherwise
    links = link_findings(report)
    keep = []
    for k, (name, s) in enumerate(report.series.items()):
        _, v = series_frame(s)
        if np.isfinite(v).sum() < 2:
            continue
        f = links.get(name)
        if f is not None and f.severity == "not_assessed":
            continue
        rank = 3 if f is None else (0 if f.flagged else 1)
        keep.append((rank, k, name))
    return [name for _, _, name in sorted(keep)]


def bad_side(report: Report, name: str, finding: Finding | None) -> str | None:
    """Which side of the series' limit is worse: ``"above"``, ``"below"`` or None when we cannot tell."""
    s = report.series[name]
    for key in ("worse", "direction", "bad_side"):
        w = str(s.get(key) or "").lower()
        if w in ("above", "higher", "higher_is_worse"):
            return "above"
        if w in ("below", "lower", "lower_is_worse"):
            return "below"
    own = getattr(finding, "worse", "") if finding is not None else ""
    side = own if own in ("above", "below") else worse_side(finding.id if finding else None)
    if side in ("above", "below"):
        return side
    thr = s.get("threshold")
    if finding is not None and finding.flagged and finding.time_ranges_s and thr is not None:
        t, v = series_frame(s)
        inside = np.zeros(t.shape, bool)
        for a, b in finding.time_ranges_s:
            inside |= (t >= a) & (t <= b)
        vals = v[inside & np.isfinite(v)]
        if vals.size:
            return "above" if float(np.median(vals)) >= float(thr) else "below"
    if finding is not None and isinstance(finding.threshold, str):
        if "<" in finding.threshold and ">" not in finding.threshold:
            return "below"
        if ">" in finding.threshold and "<" not in finding.threshold:
            return "above"
    if finding is not None and isinstance(finding.threshold, (int, float)):
        return "above"  # most limits are maxima (lean, head forward, sway); minima say so above
    return None  # a reference value (a stretch's target angle): both sides can be off


EVENT_WORDS = {"initial_contacts": "foot landings", "toe_offs": "toe-offs", "repetitions": "repetitions",
               "holds": "holds", "reps": "repetitions", "breaks": "breaks"}


def _events(report: Report) -> dict[str, list[float]]:
    """Event kind in plain words -> times (s), for kinds whose items carry a ``time_s``."""
    out: dict[str, list[float]] = {}
    for kind, items in (report.events or {}).items():
        if isinstance(items, list):
            ts = [float(e["time_s"]) for e in items if isinstance(e, dict) and e.get("time_s") is not None]
            if ts:
                out[EVENT_WORDS.get(kind, kind.replace("_", " "))] = ts
    return out


def series_figure(report: Report, name: str, finding: Finding | None = None, size_in=CHART_SIZE_IN):
    """A matplotlib Figure of one series (see module docstring)."""
    from matplotlib.figure import Figure

    s = report.series[name]
    if finding is None:
        finding = link_findings(report).get(name)
    unit = str(s.get("unit") or "")
    scale = unit_style(unit).scale
    t, v = series_frame(s)
    v = v * scale
    fig = Figure(figsize=size_in, dpi=CHART_DPI)
    ax = fig.add_subplot(111)
    finite = np.isfinite(v)
    lo, hi = (float(np.nanmin(v)), float(np.nanmax(v))) if finite.any() else (0.0, 1.0)
    thr = s.get("threshold")
    thr_v = float(thr) * scale if isinstance(thr, (int, float)) and np.isfinite(float(thr)) else None
    if thr_v is not None:
        lo, hi = min(lo, thr_v), max(hi, thr_v)
    pad = max((hi - lo) * 0.12, 1e-3 if hi == lo == 0 else abs(hi) * 0.05 + 1e-6)
    ylo, yhi = lo - pad, hi + pad
    if finding is not None and finding.flagged:
        for k, (a, b) in enumerate(finding.time_ranges_s):
            ax.axvspan(a, b, color=SEVERITY_SHADE[finding.severity], alpha=0.18, lw=0,
                       label="when flagged" if k == 0 else None)
    if thr_v is not None:
        side = bad_side(report, name, finding)
        spec = spec_of(finding.id if finding is not None else None)
        # A limit the deepest moment of each repetition must reach (knees bent at least 45 deg): the frames
        # before and after a repetition sit below it by nature, so shading them would look like a fault.
        reach = bool(spec is not None and spec.aggregate == "worst" and side == "below")
        if side == "above":
            ax.axhspan(thr_v, yhi, color=BAND, alpha=0.07, lw=0)
        elif side == "below" and not reach:
            ax.axhspan(ylo, thr_v, color=BAND, alpha=0.07, lw=0)
        word = "reach" if reach else ("limit" if side else "target")
        ax.axhline(thr_v, color=BAND if side else "#2f855a", ls="--", lw=1.2,
                   label=f"{word} {fmt_value(float(thr), unit)}" + (" in each\nrepetition" if reach else ""))
    ax.plot(t, v, color=LINE, lw=1.8, marker="o" if finite.sum() < 3 else None, label="you")
    for k, (kind, ev) in enumerate(_events(report).items()):
        ax.plot(ev, [ylo + (yhi - ylo) * (0.04 + 0.07 * k)] * len(ev), "|", color=("#444444", "#999999")[k % 2],
                ms=9, mew=1.5, label=kind)
    ax.set_ylim(ylo, yhi)
    if t.size:
        ax.set_xlim(float(np.nanmin(t)), float(np.nanmax(t)) if np.nanmax(t) > np.nanmin(t) else float(np.nanmin(t)) + 1)
    label = measure_name(str(s.get("label") or name))
    ax.set_title(label, fontsize=11, loc="left", fontweight="bold")
    fin = v[finite]
    yes_no = bool(fin.size and np.isin(fin, (0.0, 1.0)).all())  # a yes/no series (in the stretch, in form)
    if yes_no:
        ax.set_yticks([0, 1], ["no", "yes"])
    ax.set_xlabel("time in the video (s)", fontsize=9)
    ax.set_ylabel("" if yes_no else unit_style(unit).axis or unit_style(unit).suffix.strip() or "value", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="#e5e5e5", lw=0.6)
    for sp in ("top", "right"):
        ax.spines[sp].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def series_png(report: Report, name: str, finding: Finding | None = None) -> bytes:
    fig = series_figure(report, name, finding)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()


def report_charts(report: Report) -> list[tuple[str, bytes]]:
    """``(series name, PNG bytes)`` for every chart worth showing (:func:`chart_names`)."""
    links = link_findings(report)
    return [(name, series_png(report, name, links.get(name))) for name in chart_names(report)]


def trend_png(points: list[tuple[str, float]], label: str, unit: str = "") -> bytes:
    """A History trend: one point per analysis, oldest to newest, each labelled with its date ("29 Nov 14:05").

    Analyses are spaced evenly (sessions, not calendar time): a person asks "am I better than last time",
    and dates minutes or weeks apart stay readable either way.
    """
    from datetime import datetime

    from matplotlib.figure import Figure

    when = [datetime.fromisoformat(d.replace("Z", "+00:00")) for d, _ in points]
    st = unit_style(unit)
    vals = [v * st.scale for _, v in points]
    x = list(range(len(vals)))
    fig = Figure(figsize=(9.0, 2.8), dpi=CHART_DPI)
    ax = fig.add_subplot(111)
    ax.plot(x, vals, color=LINE, lw=1.8, marker="o", ms=6)
    for xi, v in zip(x, vals, strict=True):
        ax.annotate(fmt_value(v / st.scale, unit), (xi, v), textcoords="offset points", xytext=(0, 7), ha="center",
                    fontsize=8, color="#333333")
    step = max(1, int(np.ceil(len(x) / 8)))  # at most 8 date labels
    ax.set_xticks(x[::step], [w.strftime("%d %b\n%H:%M") for w in when][::step])
    ax.set_xlim(-0.5, len(x) - 0.5)
    lo, hi = min(vals), max(vals)
    pad = max((hi - lo) * 0.25, abs(hi) * 0.1 + 1e-6)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_title(label, fontsize=11, loc="left", fontweight="bold")
    ax.set_ylabel(st.axis or st.suffix.strip() or "value", fontsize=9)
    ax.set_xlabel("your analyses, oldest to newest (date and time, UTC)", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="#e5e5e5", lw=0.6)
    for sp in ("top", "right"):
        ax.spines[sp].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()
