"""Sit page: check how you sit from a photo or video, or watch over a work session on the webcam."""

import streamlit as st
from app_ui import live_section, page_intro, upload_section

from posture.analyses import AnalyzeOptions

page_intro("sit", "A side photo of you at your desk tells how your hips, knees, back and head sit. The webcam "
           "monitor tracks your posture over a session and reminds you to take breaks.")

minutes = st.number_input("Remind me to take a break after (minutes)", 5, 240, 30, 5, key="sit-break")
photo, live = st.tabs(["From a photo or video", "Live desk monitor"])
with photo:
    upload_section("sit", lambda: AnalyzeOptions(break_after_min=float(minutes)))
with live:
    live_section("sit", {"break_after_min": float(minutes)})
