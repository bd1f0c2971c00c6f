"""History page: every saved analysis, trends over time, delete entries."""

import altair as alt
import pandas as pd
import streamlit as st
from app_ui import PAGE_TASK_TITLES, history

from posture.history import HistoryError, default_history_path

st.title("History")
st.write("Every analysis you run is saved on this computer only, so you can see progress.")

with st.expander("Where the history is stored"):
    st.caption(f"Default: {default_history_path()} (set POSTURE_HISTORY to change it)")
    path = st.text_input("History file", value=st.session_state.get("history_path") or str(default_history_path()),
                         key="history-path-input")
    st.session_state["history_path"] = path
    st.checkbox("Save new analyses to history", value=st.session_state.get("save_history", True), key="save_history")

# Preferred trend per task (first one present wins); any numeric metric can be picked.
PREFERRED = {"walk": ["heel_first_share", "trunk_lean_deg", "cadence_spm"], "lift": ["reba_score", "reba.score"],
             "stretch": ["hold_s_total", "total_hold_s"], "sit": ["trunk_lean_deg", "sitting_minutes"]}

try:
    h = history()
    entries = h.entries()
except HistoryError as e:
    st.error(str(e))
    st.stop()

if not entries:
    st.info("No analyses saved yet. Analyse a video on the Walk, Lift, Stretch or Sit page.")
    st.stop()

tasks = sorted({e.task for e in entries})
latest = entries[-1].task  # open on the task analysed last
task = st.radio("Task", tasks, index=tasks.index(latest), format_func=lambda t: PAGE_TASK_TITLES.get(t, t),
                horizontal=True, key="history-task")
names = h.metric_names(task)
if names:
    default = next((n for p in PREFERRED.get(task, []) for n in names if n == p or n.endswith("." + p)), names[0])
    metric = st.selectbox("Trend of", names, index=names.index(default), key="history-metric")
    pts = h.trend(task, metric)
    if pts:
        df = pd.DataFrame(pts, columns=["date", metric])
        df["date"] = pd.to_datetime(df["date"])
        st.altair_chart(alt.Chart(df).mark_line(point=True).encode(x="date:T", y=alt.Y(f"{metric}:Q", title=metric),
                                                                  tooltip=["date:T", f"{metric}:Q"]),
                        width="stretch")

if st.session_state.pop("history-deleted", None):
    st.success("Deleted.")
st.markdown("#### All analyses")
table = pd.DataFrame([{"id": e.id, "date (UTC)": e.created_utc.replace("T", " ")[:16],
                       "task": PAGE_TASK_TITLES.get(e.task, e.task), "file": e.source_name, "view": e.view,
                       "flagged": ", ".join(e.flagged) or "-"} for e in reversed(entries[-200:])])
st.table(table.set_index("id"))

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
