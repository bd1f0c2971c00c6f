"""Lift page: check a lift from a video or photo, or live on the webcam."""

import streamlit as st
from app_ui import live_section, page_intro, upload_section

from posture.analyses import AnalyzeOptions

page_intro("lift", "Film the lift from the side, whole body in view. You get back and knee angles, twisting, how far "
           "the load is from your body, a REBA score, and with the load's weight the NIOSH lifting index.")


def options() -> AnalyzeOptions:
    # Ranges are the ones the analysis accepts (AnalyzeOptions); an empty box means "not given".
    with st.expander("About the load (optional, for the NIOSH lifting index)"):
        st.caption("The lifting index needs the load's weight and your height: your height turns the video's "
                   "pixels into the centimetres the NIOSH equation uses (hand distance and height).")
        kg = st.number_input("Load (kg)", min_value=0.0, max_value=100.0, value=None, step=0.5, key="lift-kg")
        height = st.number_input("Your height in cm", min_value=50, max_value=250, value=None, step=1,
                                 key="lift-height", placeholder="e.g. 172")
        freq = st.number_input("Lifts per minute", min_value=0.2, max_value=15.0, value=None, step=0.1,
                               key="lift-freq")
        hours = st.number_input("Hours of lifting per shift", min_value=0.0, max_value=8.0, value=None, step=0.5,
                                key="lift-hours")
        coupling = st.selectbox("Grip on the load", ["good", "fair", "poor"], index=1, key="lift-coupling")
        if kg and not height:
            st.info("Add your height to get the NIOSH lifting index; without it the report says why it is missing.")
    return AnalyzeOptions(load_kg=kg or None, height_cm=float(height) if height else None,
                          lift_frequency_per_min=freq or None, lift_duration_h=hours or None, coupling=coupling)


video, live = st.tabs(["From a video or photo", "Live on the webcam"])
with video:
    upload_section("lift", options)
with live:
    st.write("Stand side-on to the camera. After each repetition you get one cue about what to change.")
    live_section("lift")
