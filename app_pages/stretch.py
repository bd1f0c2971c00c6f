"""Stretch coach page: live coaching on the webcam, or check a video or photo."""

from pathlib import Path

import streamlit as st
from app_ui import live_section, page_intro, upload_section

from posture.analyses import AnalyzeOptions

page_intro("stretch", "The coach recognises the stretch, times your hold, counts repetitions per side and gives the "
           "one cue that matters most right now.")


def stretch_ids() -> list[str]:
    try:
        from posture.stretch.reference import available_references  # type: ignore[import-not-found]

        return list(available_references())
    except (ImportError, AttributeError):
        root = Path(__file__).resolve().parent.parent / "reference_poses"
        return sorted(p.stem for p in root.glob("*.json"))


ids = stretch_ids()
c1, c2 = st.columns(2)
choice = c1.selectbox("Stretch", ["Recognise it for me"] + ids, key="stretch-choice")
side = c2.selectbox("Side being treated", ["not specified", "left", "right"], key="stretch-side")
stretch = None if choice == "Recognise it for me" else choice
affected = None if side == "not specified" else side

live, video = st.tabs(["Live coach", "From a video or photo"])
with live:
    live_section("stretch", {"stretch": stretch, "affected_side": affected})
with video:
    upload_section("stretch", lambda: AnalyzeOptions(stretch=stretch, affected_side=affected))
