"""Batch page: open the summary.csv of ``posture batch`` and go through it: a severity-coloured table, worst first,
and the finding cards of any input."""

import json
from pathlib import Path

import pandas as pd
import streamlit as st
from app_ui import finding_card

from posture.batch_summary import FINDING_PREFIX, SEVERITY_RANK, finding_from_dict, read_summary, worst_first

COLOURS = {"warning": "background-color: #f8c9c4", "notice": "background-color: #fde8b0",
           "ok": "background-color: #d7f0d2", "not_assessed": "color: #888", "bad_input": "background-color: #f3d0f5",
           "error": "background-color: #f3d0f5", "not_run": "background-color: #f3d0f5",
           "flagged": "background-color: #fde8b0", "nothing_flagged": "background-color: #d7f0d2",
           "not_enough_judged": "color: #888"}

st.title("Batch results")
st.write("Open what `posture batch INPUT... --task lift --out DIR` wrote: one row per video, worst first, and the "
         "findings of each. Nothing is uploaded anywhere.")
st.code("python -m posture batch clips/ --task lift --people people.csv --out results/", language="bash")

source = st.radio("Open", ["A batch folder on this computer", "Upload summary.csv (and reports)"], horizontal=True,
                  key="batch-source")
rows: list[dict] = []
reports: dict[str, dict] = {}
folder: Path | None = None
try:
    if source.startswith("A batch folder"):
        text = st.text_input("Batch folder (the --out folder) or its summary.csv", key="batch-path")
        if text:
            p = Path(text).expanduser()
            csv_path = p / "summary.csv" if p.is_dir() else p
            rows = read_summary(csv_path)
            folder = csv_path.parent
    else:
        ups = st.file_uploader("summary.csv, plus the JSON reports from its reports/ folder for the finding cards",
                               type=["csv", "json"], accept_multiple_files=True, key="batch-upload")
        for u in ups or []:
            if u.name.lower().endswith(".csv"):
                rows = read_summary(u.getvalue().decode("utf-8-sig"))
            else:
                reports[u.name] = json.loads(u.getvalue())
except (OSError, UnicodeDecodeError, ValueError) as e:
    st.error(f"Could not open that: {e}")
    st.stop()

if not rows:
    st.info("No batch open yet.")
    st.stop()
if "file" not in rows[0] or "status" not in rows[0]:
    st.error("This CSV is not a posture batch summary (it needs the columns file and status).")
    st.stop()

rows = worst_first(rows)
finding_cols = [c for c in rows[0] if c.startswith(FINDING_PREFIX)]
n_bad = sum(r["status"] != "ok" for r in rows)
n_flag = sum(r["status"] == "ok" and r.get("n_flagged") not in ("", "0", None) for r in rows)
c = st.columns(3)
c[0].metric("Inputs", len(rows))
c[1].metric("With something flagged", n_flag)
c[2].metric("Could not be analysed", n_bad)

shown = ["file", "person", "task", "status", "result", "view", "flagged", *[k for k in rows[0] if k not in (
    "file", "person", "task", "status", "result", "view", "flagged", "error", "headline", "n_flagged", "report",
    "seconds") and not k.startswith(FINDING_PREFIX)], *finding_cols, "error"]
table = pd.DataFrame([{k: r.get(k, "") for k in shown} for r in rows])
table["file"] = [Path(f).name for f in table["file"]]
table = table.rename(columns={c: c[len(FINDING_PREFIX):] for c in finding_cols})
table = table.loc[:, [c for c in table.columns if table[c].astype(str).str.len().any()]]  # drop empty columns
colour_cols = [c for c in table.columns if c in {f[len(FINDING_PREFIX):] for f in finding_cols} or c in ("status", "result")]
st.dataframe(table.style.map(lambda v: COLOURS.get(v, ""), subset=colour_cols), hide_index=True, width="stretch")


def _load_report(row: dict) -> dict | None:
    rel = row.get("report") or ""
    if not rel:
        return None
    if folder is not None:
        try:
            return json.loads((folder / rel).read_text())
        except (OSError, ValueError):
            return None
    return reports.get(Path(rel).name)


st.markdown("#### Findings of one input")
labels = [f"{Path(r['file']).name}" + (f" ({r['person']})" if r.get("person") else "") for r in rows]
i = st.selectbox("Input", range(len(rows)), format_func=lambda k: labels[k], key="batch-pick")
row = rows[i]
if row["status"] != "ok":
    st.error(f"Could not analyse {Path(row['file']).name}: {row.get('error') or row['status']}")
    st.stop()
report = _load_report(row)
if report is None:
    st.info("Open the batch folder, or upload this input's JSON report "
            f"({Path(row.get('report') or '').name or 'reports/...json'}), to see its finding cards.")
    st.stop()
summary = report.get("summary") or {}
top = summary.get("headline") or row.get("headline") or ""
if summary.get("status") == "flagged":
    st.warning(f"**{top}**", icon=":material/warning:")
elif summary.get("status") == "nothing_flagged":
    st.success(f"**{top}**", icon=":material/check_circle:")
elif top:
    st.info(f"**{top}**", icon=":material/help:")
st.caption(f"{row['file']} · task {report.get('task')} · view {report.get('view')}")
is_photo = (report.get("input") or {}).get("n_frames") == 1
for f in sorted(report.get("findings", []), key=lambda f: (-SEVERITY_RANK.get(f["severity"], 0), f["id"])):
    finding_card(finding_from_dict(f), is_photo)
