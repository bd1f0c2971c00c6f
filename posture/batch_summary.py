"""A batch's summary: ``summary.csv`` (one row per input) and ``summary.html`` (a sortable table, worst first).

Columns of summary.csv, in order:

- ``file``, ``person``, ``task``, ``status`` (ok / bad_input / error / not_run), ``error`` (one line),
  ``warnings`` (usable but suspicious input, e.g. frames that could not be decoded; `` | `` between them);
- ``result`` and ``headline``: the report's ``summary`` block (flagged / nothing_flagged / not_enough_judged)
  when the report has one;
- ``view``, ``n_flagged``, ``flagged`` (finding ids, warnings first);
- key metrics (:data:`KEY_METRICS`, blank where a task has no such metric), then for lifts
  ``reba_score``, ``reba_risk``, ``niosh_lifting_index``, ``niosh_risk``;
- ``finding.<id>``: that finding's severity, one column per finding id seen in the batch;
- ``report`` (the JSON report's path relative to the summary), ``seconds`` (wall time of the analysis).

The HTML is plain (no external files): the same rows sorted worst first, links to
each report, severity-coloured cells, click a column header to sort, and a table
per person when people.csv named them.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from posture.report import NOT_A_DIAGNOSIS, Finding

SEVERITY_RANK = {"warning": 3, "notice": 2, "ok": 1, "not_assessed": 0}
STATUS_RANK = {"error": 5, "bad_input": 4, "not_run": 3, "ok": 0}
# Per task, the numbers a reviewer scans first; blank when absent. Our choice, from each analysis' main findings.
KEY_METRICS = {
    "walk": ("cadence_spm", "trunk_lean_deg", "step_time_asymmetry_ratio", "heel_first_share"),
    "lift": ("rep_count", "lift_style", "knee_flexion_bottom_deg", "trunk_lean_bottom_deg", "back_outline_bend_deg"),
    "sit": ("trunk_lean_deg", "forward_head_deg", "neck_flexion_deg", "time_seated_s"),
    "stretch": ("holds", "time_in_stretch_s", "completed_reps", "in_form_share"),
}
LIFT_COLUMNS = ("reba_score", "reba_risk", "niosh_lifting_index", "niosh_risk")
FINDING_PREFIX = "finding."
HEAD = ("file", "person", "task", "status", "error", "warnings", "result", "headline", "view", "n_flagged", "flagged")
TAIL = ("report", "seconds")


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def report_row(entry: dict[str, Any], report: dict[str, Any] | None, report_rel: str | None) -> dict[str, Any]:
    """One summary row from a journal entry and its report (``None`` when the input failed)."""
    row: dict[str, Any] = {"file": entry.get("source", ""), "person": entry.get("person", ""),
                           "task": entry.get("task", ""), "status": entry.get("status", ""),
                           "error": entry.get("error") or "", "warnings": " | ".join(entry.get("warnings") or ()),
                           "seconds": entry.get("elapsed_s")}
    if report is None:
        return row
    row["task"] = report.get("task", row["task"])
    summary = report.get("summary") or {}
    row["result"] = summary.get("status", "")
    row["headline"] = summary.get("headline", "")
    row["view"] = report.get("view", "")
    findings = sorted(report.get("findings", []), key=lambda f: (-SEVERITY_RANK.get(f.get("severity"), 0), f.get("id")))
    flagged = [f["id"] for f in findings if f.get("severity") in ("warning", "notice")]
    row["n_flagged"] = len(flagged)
    row["flagged"] = " ".join(flagged)
    metrics = report.get("metrics") or {}
    for k in KEY_METRICS.get(row["task"], ()):
        row[k] = metrics.get(k)
    if row["task"] == "lift":
        row["reba_score"] = _get(report, "reba", "worst", "score")
        row["reba_risk"] = _get(report, "reba", "worst", "risk")
        row["niosh_lifting_index"] = _get(report, "niosh", "lifting_index")
        row["niosh_risk"] = _get(report, "niosh", "risk")
    for f in report.get("findings", []):
        row[FINDING_PREFIX + f["id"]] = f.get("severity")
    row["report"] = report_rel
    return row


def summary_rows(out_dir: str | os.PathLike[str], entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for every entry, in the given order, reading each finished report from ``out_dir/reports``."""
    out = Path(out_dir)
    rows = []
    for e in entries:
        report, rel = None, None
        if e.get("status") == "ok":
            rel = f"reports/{e['key']}.json"
            try:
                report = json.loads((out / rel).read_text())
            except (OSError, ValueError) as err:
                e = {**e, "status": "error", "error": f"report unreadable: {err}"}
                rel = None
        rows.append(report_row(e, report, rel))
    return rows


def columns(rows: list[dict[str, Any]]) -> list[str]:
    """HEAD, the key metrics present, lift columns, finding columns (first seen order), TAIL."""
    seen_metrics = [m for t in KEY_METRICS for m in KEY_METRICS[t] if any(m in r for r in rows)]
    metrics = list(dict.fromkeys(seen_metrics))
    lift = [c for c in LIFT_COLUMNS if any(c in r for r in rows)]
    findings = list(dict.fromkeys(k for r in rows for k in r if k.startswith(FINDING_PREFIX)))
    return list(HEAD) + metrics + lift + findings + list(TAIL)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def rows_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns(rows), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _cell(r.get(k)) for k in w.fieldnames})
    return buf.getvalue()


def worst_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most warnings first, then most notices; inputs that could not be analysed after those that could."""
    def key(r: dict[str, Any]) -> tuple:
        sev = [v for k, v in r.items() if k.startswith(FINDING_PREFIX)]
        return (STATUS_RANK.get(r.get("status"), 5) > 0, -sev.count("warning"), -sev.count("notice"), str(r.get("file")))
    return sorted(rows, key=key)


def read_summary(source: str | os.PathLike[str]) -> list[dict[str, str]]:
    """Rows of a summary.csv as dicts of strings; ``source`` is a path, or the CSV text itself."""
    text = source if isinstance(source, str) and "\n" in source else Path(source).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def finding_from_dict(d: dict[str, Any]) -> Finding:
    """A report's finding (JSON) back as a :class:`Finding`, for the app's cards."""
    return Finding(id=d["id"], severity=d["severity"], value=d.get("value"), unit=d.get("unit") or "",
                   threshold=d.get("threshold"), time_ranges_s=tuple(tuple(r) for r in d.get("time_ranges_s") or ()),
                   confidence=float(d.get("confidence") or 0.0), message=d.get("message", ""),
                   advice=d.get("advice", ""), reason=d.get("reason") or ("not assessed" if d["severity"] == "not_assessed"
                                                                           else None))


_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:13px;margin-bottom:1.5em}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2;cursor:pointer;position:sticky;top:0}
th:hover{background:#e2e2e2}
.warning{background:#f8c9c4}.notice{background:#fde8b0}.ok{background:#d7f0d2}.not_assessed{background:#eee;color:#777}
.bad_input,.error,.not_run{background:#f3d0f5}
.small{color:#666;font-size:12px}
td.headline,td.error,td.warnings{min-width:22em}
"""
# Click a header to sort by it (numbers numerically; cells with data-v sort by that value); click again to reverse.
_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th){
  th.addEventListener('click', function(){
    var i = th.cellIndex;
    var tb = th.closest('table').tBodies[0], rows = Array.from(tb.rows), asc = th.dataset.asc !== '1';
    var val = function(r){ var c = r.cells[i], v = c.dataset.v !== undefined ? c.dataset.v : c.textContent.trim();
                           var n = parseFloat(v); return v === '' ? null : (isNaN(n) ? v.toLowerCase() : n); };
    rows.sort(function(a, b){ var x = val(a), y = val(b);
      if (x === null) return 1; if (y === null) return -1;
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
    th.closest('table').querySelectorAll('th').forEach(function(h){ delete h.dataset.asc; });
    if (asc) th.dataset.asc = '1';
    rows.forEach(function(r){ tb.appendChild(r); });
  });
});
"""


def _td(col: str, v: Any, row: dict[str, Any], shown_name: str = "") -> str:
    text = html.escape(_cell(v))
    if col.startswith(FINDING_PREFIX) and v:
        return f'<td class="{html.escape(str(v))}" data-v="{SEVERITY_RANK.get(v, -1)}">{text.replace("_", " ")}</td>'
    if col == "status" and v != "ok":
        return f'<td class="{html.escape(str(v))}" data-v="{STATUS_RANK.get(v, 5)}">{text}</td>'
    if col == "status":
        return f'<td data-v="0">{text}</td>'
    if col == "file":
        name = html.escape(shown_name or _cell(v))
        link = f'<a href="{html.escape(row["report"])}">{name}</a>' if row.get("report") else name
        return f'<td title="{text}">{link}</td>'
    if col in ("headline", "error", "warnings"):
        return f'<td class="{col}">{text}</td>'
    if col == "flagged":
        return f"<td>{text.replace(' ', ', ')}</td>"
    return f"<td>{text}</td>"


def rows_html(rows: list[dict[str, Any]], title: str = "posture batch") -> str:
    rows = worst_first(rows)
    cols = [c for c in columns(rows) if c != "report" and (c == "file" or any(_cell(r.get(c)) for r in rows))]
    names = _short_names([str(r.get("file", "")) for r in rows])
    n_bad = sum(r.get("status") != "ok" for r in rows)
    n_flag = sum(bool(r.get("n_flagged")) for r in rows if r.get("status") == "ok")
    head = "".join(f"<th>{html.escape(c[len(FINDING_PREFIX):].replace('_', ' ') if c.startswith(FINDING_PREFIX) else c)}"
                   f"</th>" for c in cols)
    body = "\n".join("<tr>" + "".join(_td(c, r.get(c), r, n) for c in cols) + "</tr>" for r, n in zip(rows, names,
                                                                                                       strict=True))
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_CSS}</style></head><body>", f"<h1>{html.escape(title)}</h1>",
             f"<p>{len(rows)} input(s): {n_flag} with something flagged, {n_bad} could not be analysed"
             f"{' (listed last, with the reason)' if n_bad else ''}. Worst first; click a column header to sort. "
             "Each file links to its JSON report.</p>"]
    people = _people_rows(rows)
    if people:
        parts.append("<h2>By person</h2><table class='sortable'><thead><tr><th>person</th><th>inputs</th>"
                     "<th>warnings</th><th>notices</th><th>flagged</th><th>could not analyse</th></tr></thead><tbody>")
        parts += [f"<tr><td>{html.escape(p)}</td><td>{d['n']}</td><td>{d['warning']}</td><td>{d['notice']}</td>"
                  f"<td>{html.escape(', '.join(d['flagged']))}</td><td>{d['bad']}</td></tr>" for p, d in people.items()]
        parts.append("</tbody></table><h2>Inputs</h2>")
    parts += [f"<table class='sortable'><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>",
              f"<p class='small'>{html.escape(NOT_A_DIAGNOSIS)}</p>", f"<script>{_JS}</script></body></html>"]
    return "\n".join(parts)


def _short_names(files: list[str]) -> list[str]:
    """Paths relative to the folder they all share (the full path is the cell's tooltip)."""
    parents = [os.path.dirname(os.path.abspath(f)) for f in files if f]
    try:
        root = os.path.commonpath(parents) if parents else ""
    except ValueError:  # different drives
        root = ""
    return [os.path.relpath(os.path.abspath(f), root) if f and root else f for f in files]


def _people_rows(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per person: inputs, warning and notice counts, the finding ids flagged (worst first), failures."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        p = r.get("person")
        if not p:
            continue
        d = out.setdefault(p, {"n": 0, "warning": 0, "notice": 0, "flagged": [], "bad": 0})
        d["n"] += 1
        d["bad"] += r.get("status") != "ok"
        for k, v in r.items():
            if k.startswith(FINDING_PREFIX) and v in ("warning", "notice"):
                d[v] += 1
        for fid in (r.get("flagged") or "").split():
            if fid not in d["flagged"]:
                d["flagged"].append(fid)
    return dict(sorted(out.items(), key=lambda kv: (-kv[1]["warning"], -kv[1]["notice"], kv[0])))


def write_summaries(out_dir: str | os.PathLike[str], entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write summary.csv and summary.html (atomically) in ``out_dir``; returns the rows."""
    from posture.batch import write_atomic

    out = Path(out_dir)
    rows = summary_rows(out, entries)
    write_atomic(out / "summary.csv", rows_csv(rows))
    write_atomic(out / "summary.html", rows_html(rows, title=f"posture batch: {out.name}"))
    return rows
