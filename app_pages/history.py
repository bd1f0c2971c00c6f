"""History page: progress over time per task, every saved analysis and live session, reopen one in full, delete."""

import json

import pandas as pd
import streamlit as st
from app_ui import PAGE_TASK_TITLES, history, show_results

from posture.history import HistoryError, default_history_path
from posture.present import (
    TREND_DEFAULTS,
    finding_title,
    live_headline,
    live_rows,
    stretch_title,
    summary_from_findings,
)

st.title("History")
st.write("Every analysis and live session is saved on this computer only, so you can see your progress.")

with st.expander("Where the history is stored"):
    st.caption(f"Default: {default_history_path()} (set POSTURE_HISTORY to change it)")
    path = st.text_input("History file", value=st.session_state.get("history_path") or str(default_history_path()),
                         key="history-path-input")
    st.session_state["history_path"] = path
    st.checkbox("Save new analyses to history", value=st.session_state.get("save_history", True), key="save_history")

try:
    import warnings

    h = history()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        entries = h.entries()
    for w in caught:
        if "posture" in type(w.message).__module__:
            st.warning(str(w.message))
except HistoryError as e:
    st.error(f"**The history cannot be opened.** {e}", icon=":material/error:")
    st.stop()

if not entries:
    st.info("No analyses saved yet. Analyse a video on the Walk, Lift, Stretch or Sit page, or run a live session.")
    st.stop()


def when_text(iso: str) -> str:
    """'29 Nov 2026, 14:05 UTC' from an ISO date."""
    try:
        return pd.Timestamp(iso).strftime("%d %b %Y, %H:%M UTC")
    except ValueError:
        return iso


def found_text(e) -> str:
    """What an entry found, in words: flagged names, else whether enough was judged."""
    if e.metrics.get("live_session"):
        return "live session" + (": " + ", ".join(finding_title(i).lower() for i in e.flagged) if e.flagged else "")
    s = summary_from_findings(e.findings)
    if s["status"] == "flagged":
        return ", ".join(finding_title(i) for i in s["flagged"])
    if s["status"] == "nothing_flagged":
        return "nothing flagged"
    return f"could not judge most checks ({s['n_not_assessed']} of {s['n_checks']})" if s["n_checks"] else "no checks"


# ------------------------------------------------------------------ progress
tasks = sorted({e.task for e in entries})
latest = entries[-1].task  # open on the task analysed last
task = st.radio("Task", tasks, index=tasks.index(latest), format_func=lambda t: PAGE_TASK_TITLES.get(t, t),
                horizontal=True, key="history-task")
task_entries = [e for e in entries if e.task == task]
names = h.metric_names(task)
labels = {k: (label, unit) for k, label, unit in TREND_DEFAULTS.get(task, ())}
if names:
    defaults = [k for k, _, _ in TREND_DEFAULTS.get(task, ()) if k in names]
    ordered = defaults + [n for n in names if n not in defaults]
    metric = st.selectbox("Progress of", ordered, index=0, key=f"history-metric-{task}",
                          format_func=lambda k: labels.get(k, (k.replace("_", " ").replace(".", ": "), ""))[0])
    stretch_names = sorted({str(e.metrics["stretch_name"]) for e in task_entries if e.metrics.get("stretch_name")})
    chosen = None
    if task == "stretch" and len(stretch_names) > 1:
        chosen = st.selectbox("Stretch", stretch_names, key="history-stretch",
                              format_func=stretch_title)
    pts = [(e.created_utc, float(e.metrics[metric])) for e in task_entries
           if isinstance(e.metrics.get(metric), (int, float)) and not isinstance(e.metrics.get(metric), bool)
           and (chosen is None or e.metrics.get("stretch_name") == chosen)]
    if pts:
        from posture.plots import trend_png

        label, unit = labels.get(metric, (metric.replace("_", " "), ""))
        st.image(trend_png(pts, label, unit), width="stretch")
        if len(pts) == 1:
            st.caption("One analysis so far: analyse again another day to see a trend.")

if st.session_state.pop("history-deleted", None):
    st.success("Deleted.")

# ------------------------------------------------------------------ every entry
st.markdown("#### All analyses")
table = pd.DataFrame([{"#": e.id, "date": when_text(e.created_utc), "task": PAGE_TASK_TITLES.get(e.task, e.task),
                       "file": e.source_name,
                       # never a lone "-": the table's markdown would draw it as a bullet
                       "seen from": "webcam" if e.metrics.get("live_session") else (e.view if e.view != "unknown"
                                                                                   else "not known"),
                       "what was found": found_text(e)} for e in reversed(entries[-50:])])
st.table(table.set_index("#"))
if len(entries) > 50:
    st.caption(f"The 50 most recent of {len(entries)}; open any of them below.")

# ------------------------------------------------------------------ reopen
st.markdown("#### Open a past result")
choice = st.selectbox("Result", [None] + [e.id for e in reversed(entries)], key="history-open",
                      format_func=lambda i: "Choose one..." if i is None else next(
                          f"#{e.id} · {when_text(e.created_utc)} · {PAGE_TASK_TITLES.get(e.task, e.task)} · "
                          f"{e.source_name}" for e in entries if e.id == i))
if choice is not None:
    entry = next(e for e in entries if e.id == choice)
    try:
        d = h.report_json(choice) or {}
        if d.get("live"):
            summary = d.get("live_session") or {}
            st.subheader(f"{entry.source_name}, {when_text(entry.created_utc)}")
            st.markdown(f"**{live_headline(entry.task, summary)}**")
            rows = live_rows(entry.task, summary)
            if rows:
                st.table({"": [k for k, _ in rows], "what happened": [v for _, v in rows]})
        else:
            from posture.export import report_html
            from posture.history import report_from_json

            report = report_from_json(d)
            record = {"task": entry.task, "name": f"{entry.source_name} ({when_text(entry.created_utc)})",
                      "report": report, "media": None, "is_photo": report.video.is_image, "charts": None,
                      "html": report_html(report, source_name=entry.source_name), "pdf": None,
                      "json": json.dumps({k: v for k, v in d.items() if k != "series"}, indent=2), "csv": None,
                      "analysis_s": None, "from_history": True}
            show_results(record)
    except Exception as e:  # noqa: BLE001 - an old or damaged entry must not show a traceback
        st.error(f"**This result cannot be shown.** It may come from an older version of posture ({e}).\n\n"
                 "**What to do:** download it below as JSON, or delete it.", icon=":material/error:")

# ------------------------------------------------------------------ delete
gen = st.session_state.get("history-delete-gen", 0)  # a fresh widget after each delete
to_delete = st.multiselect("Delete entries", [e.id for e in entries], key=f"history-delete-{gen}",
                           format_func=lambda i: f"#{i} " + next(e.source_name for e in entries if e.id == i))
if to_delete and st.button("Delete selected", type="secondary", key="history-delete-btn"):
    try:
        n = h.delete(to_delete)
        st.session_state["history-delete-gen"] = gen + 1
        st.session_state["history-deleted"] = n
        st.rerun()
    except HistoryError as e:
        st.error(str(e))
