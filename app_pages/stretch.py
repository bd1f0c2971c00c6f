"""Stretch coach page: live coaching on the webcam, or check a video or photo."""

from pathlib import Path

import streamlit as st
from app_ui import live_section, page_intro, upload_section

from posture.analyses import AnalyzeOptions

page_intro("stretch", "The coach recognises the stretch, times your hold, counts repetitions per side and gives the "
           "one cue that matters most right now.")


def stretch_names() -> dict[str, str]:
    """Reference pose id -> display name (the files in reference_poses/)."""
    try:
        from posture.stretch.reference import load_all

        return {k: r.name for k, r in sorted(load_all().items())}
    except Exception:  # noqa: BLE001 - a damaged reference file must not take the page down: list the files
        root = Path(__file__).resolve().parent.parent / "reference_poses"
        return {p.stem: p.stem.replace("_", " ") for p in sorted(root.glob("*.json"))}


names = stretch_names()
c1, c2 = st.columns(2)
choice = c1.selectbox("Stretch", ["Recognise it for me"] + list(names), key="stretch-choice",
                      format_func=lambda k: names.get(k, k))
side = c2.selectbox("Side being treated", ["not specified", "left", "right"], key="stretch-side")
stretch = None if choice == "Recognise it for me" else choice
affected = None if side == "not specified" else side

live, video = st.tabs(["Live coach", "From a video or photo"])
with live:
    live_section("stretch", {"stretch": stretch, "affected_side": affected})
with video:
    upload_section("stretch", lambda: AnalyzeOptions(stretch=stretch, affected_side=affected))
