"""About page: what posture measures and cannot, camera set-up per task, red flags, not a diagnosis."""

import streamlit as st
from setup_art import SETUP

from posture.report import NOT_A_DIAGNOSIS, RED_FLAGS

st.title("About posture")
st.warning(NOT_A_DIAGNOSIS)

st.markdown("""
**What it measures.** posture finds 33 body points in each video frame (MediaPipe Pose) and turns them into
angles and timings: trunk lean, head position, hip sway, heel-first contact and cadence when you walk; back and knee
angles, twisting and load distance when you lift (with REBA and NIOSH scores); how well you hold a stretch and for
how long; how your hips, knees, back and head sit at a desk.

**What it cannot do.** It sees a flat picture from one camera: angles toward or away from the camera are estimates,
and loose clothes, poor light or a partly hidden body make them worse (the report says so when it could not judge
something). It does not know your history, your pain or your body's limits, and it cannot diagnose anything.

**Privacy.** Everything runs on this computer. Uploads are analysed and deleted; the webcam stream goes from your
browser to this computer only (no STUN/TURN server by default). History is a file on this computer that you can delete.
""")

st.header("Setting up the camera")
for title, svg, tips in SETUP.values():
    c1, c2 = st.columns([1, 2])
    c1.markdown(svg, unsafe_allow_html=True)
    c2.markdown(f"**{title}.** {tips}")

st.header("When to see a doctor")
st.markdown("\n".join(f"- {r}" for r in RED_FLAGS))
st.caption("If something hurts, ask a physiotherapist or doctor. posture informs; it does not diagnose.")
