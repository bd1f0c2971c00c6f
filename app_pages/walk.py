"""Walk page: check walking from a phone video."""

import streamlit as st
from app_ui import page_intro, upload_section

from posture.analyses import AnalyzeOptions

page_intro("walk", "Film yourself walking past the camera (side view) or toward/away from it (front/back view). "
           "You get cadence, heel-first steps, slouching, looking down and hip sway, each placed in time in your video.")


def options() -> AnalyzeOptions:
    h = st.number_input("Your height in cm (optional, gives step length and speed)", min_value=0, max_value=250,
                        value=0, step=1, key="walk-height")
    return AnalyzeOptions(height_cm=float(h) if h else None)


upload_section("walk", options)
