"""Lift page: check a lift from a video or photo, or live on the webcam."""

import streamlit as st
from app_ui import live_section, page_intro, upload_section

from posture.analyses import AnalyzeOptions

page_intro("lift", "Film the lift from the side, whole body in view. You get back and knee angles, twisting, how far "
           "the load is from your body, a REBA score, and with the load's weight the NIOSH lifting index.")


def options() -> AnalyzeOptions:
    with st.expander("About the load (optional, for the NIOSH lifting index)"):
        kg = st.number_input("Load (kg)", 0.0, 100.0, 0.0, 0.5, key="lift-kg")
        freq = st.number_input("Lifts per minute", 0.0, 15.0, 0.0, 0.1, key="lift-freq")
        hours = st.number_input("Hours of lifting per shift", 0.0, 8.0, 0.0, 0.5, key="lift-hours")
        coupling = st.selectbox("Grip on the load", ["good", "fair", "poor"], index=1, key="lift-coupling")
    return AnalyzeOptions(load_kg=kg or None, lift_frequency_per_min=freq or None, lift_duration_h=hours or None,
                          coupling=coupling)


video, live = st.tabs(["From a video or photo", "Live on the webcam"])
with video:
    upload_section("lift", options)
with live:
    st.write("Stand side-on to the camera. After each repetition you get one cue about what to change.")
    live_section("lift")
