"""Interactive charts of a report's per-frame series (Altair / Vega-Lite).

One chart per series in ``Report.series``: the value over time, the threshold
as a dashed rule, the time ranges of the matching flagged finding shaded, and
the report's events (heel strikes, repetitions, holds) as ticks. A series
names its finding with an optional ``"finding"`` key; otherwise a finding
whose id equals the series name is used. Pure data in, chart objects out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from posture.report import Finding, Report


def series_frame(s: dict[str, Any]) -> pd.DataFrame:
    """A series as a two-column table ``time_s``, ``value`` (NaN rows dropped)."""
    t = np.asarray(s.get("time_s", ()), float)
    v = np.asarray(s.get("values", ()), float)
    if t.shape != v.shape:
        raise ValueError(f"series time_s and values must have the same shape, got {t.shape} and {v.shape}")
    df = pd.DataFrame({"time_s": t, "value": v})
    return df[np.isfinite(df["value"])].reset_index(drop=True)


def finding_for_series(report: Report, name: str, s: dict[str, Any]) -> Finding | None:
    fid = s.get("finding") or name
    return report.finding(str(fid))


def event_times(report: Report) -> pd.DataFrame:
    """Every event with a time, as ``time_s``, ``event`` (e.g. "initial contact (left)")."""
    rows = []
    for kind, items in (report.events or {}).items():
        if not isinstance(items, list):
            continue
        for e in items:
            if isinstance(e, dict) and e.get("time_s") is not None:
                label = kind.replace("_", " ").rstrip("s")
                if e.get("foot") or e.get("side"):
                    label += f" ({e.get('foot') or e.get('side')})"
                rows.append({"time_s": float(e["time_s"]), "event": label})
    return pd.DataFrame(rows, columns=["time_s", "event"])


def series_chart(report: Report, name: str, height: int = 180):
    """The Altair chart of one series (see module docstring)."""
    import altair as alt

    s = report.series[name]
    df = series_frame(s)
    unit = str(s.get("unit") or "")
    title = str(s.get("label") or name)
    y_title = f"{title} ({unit})" if unit else title
    layers = []
    f = finding_for_series(report, name, s)
    if f is not None and f.flagged and f.time_ranges_s:
        shade = pd.DataFrame([{"start": a, "end": b, "finding": f.id} for a, b in f.time_ranges_s])
        color = "#e45756" if f.severity == "warning" else "#f2b701"
        layers.append(alt.Chart(shade).mark_rect(opacity=0.18, color=color).encode(
            x="start:Q", x2="end:Q", tooltip=["finding:N", "start:Q", "end:Q"]))
    line = alt.Chart(df).mark_line(point=len(df) < 3).encode(
        x=alt.X("time_s:Q", title="time (s)"),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("time_s:Q", format=".2f"), alt.Tooltip("value:Q", format=".1f")],
    )
    layers.append(line)
    thr = s.get("threshold")
    if thr is not None and np.isfinite(float(thr)):
        layers.append(alt.Chart(pd.DataFrame({"threshold": [float(thr)]})).mark_rule(
            strokeDash=[6, 4], color="#e45756").encode(y="threshold:Q", tooltip=["threshold:Q"]))
    ev = event_times(report)
    if len(ev):
        layers.append(alt.Chart(ev).mark_tick(color="#4c78a8", thickness=2, size=14).encode(
            x="time_s:Q", y=alt.value(height - 7), tooltip=["event:N", alt.Tooltip("time_s:Q", format=".2f")]))
    return alt.layer(*layers).properties(title=title, height=height).interactive(bind_y=False)


def report_charts(report: Report) -> list[tuple[str, Any]]:
    """(name, chart) for every series with at least one finite value."""
    out = []
    for name in report.series:
        if len(series_frame(report.series[name])):
            out.append((name, series_chart(report, name)))
    return out
