"""Walk page: check walking from a phone video."""

import streamlit as st
from app_ui import page_intro, upload_section

from posture.analyses import AnalyzeOptions

page_intro("walk", "Film yourself walking past the camera (side view) or toward/away from it (front/back view). "
           "You get cadence, heel-first steps, slouching, looking down and hip sway, each placed in time in your video.")


def options() -> AnalyzeOptions:
    # the same 50-250 cm range the analysis accepts (AnalyzeOptions); empty means not given
    h = st.number_input("Your height in cm (optional, gives step length and speed)", min_value=50, max_value=250,
                        value=None, step=1, key="walk-height", placeholder="e.g. 172")
    return AnalyzeOptions(height_cm=float(h) if h else None)


upload_section("walk", options)
