"""posture app: ``streamlit run app.py``. Thin: pages in ``app_pages/`` wire widgets to posture library calls."""

import logging
import os
import sys
from pathlib import Path

import streamlit as st

# Not "pages/": a folder of that name switches Streamlit to its old multipage mode.
PAGES = Path(__file__).resolve().parent / "app_pages"
if str(PAGES) not in sys.path:
    sys.path.insert(0, str(PAGES))  # the pages import their shared helpers (app_pages/app_ui.py)

if os.environ.get("POSTURE_DEBUG_WEBRTC") and not logging.getLogger("streamlit_webrtc").handlers[1:]:
    # Diagnose webcam signalling: streamlit-webrtc logs at DEBUG to a NullHandler by default.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger("streamlit_webrtc").addHandler(handler)
    logging.getLogger("streamlit_webrtc").setLevel(logging.DEBUG)

st.set_page_config(page_title="posture", page_icon=":material/accessibility_new:", layout="wide")

page = st.navigation([
    st.Page(PAGES / "walk.py", title="Walk", icon=":material/directions_walk:", url_path="walk", default=True),
    st.Page(PAGES / "lift.py", title="Lift", icon=":material/fitness_center:", url_path="lift"),
    st.Page(PAGES / "stretch.py", title="Stretch coach", icon=":material/self_improvement:", url_path="stretch"),
    st.Page(PAGES / "sit.py", title="Sit", icon=":material/chair:", url_path="sit"),
    st.Page(PAGES / "history.py", title="History", icon=":material/history:", url_path="history"),
    st.Page(PAGES / "batch.py", title="Batch", icon=":material/table_view:", url_path="batch"),
    st.Page(PAGES / "about.py", title="About", icon=":material/info:", url_path="about"),
])
# Which page the previous run showed: the webcam pages use it to tell a real page change
# from streamlit-webrtc's false "stale context" alarm (see app_pages/app_ui.py, _guard_false_orphan).
st.session_state["_page_prev"] = st.session_state.get("_page_now")
st.session_state["_page_now"] = page.url_path
from app_ui import jobs_in_sidebar  # noqa: E402 - needs the pages folder on sys.path (above)
from model_settings import model_sidebar  # noqa: E402

jobs_in_sidebar(page.url_path or "walk")  # analyses still running on other pages keep going; say so
model_sidebar()  # which pose model, and the faster extraction for uploads
page.run()
