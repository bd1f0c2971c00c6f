"""About page: what posture measures and cannot, camera set-up per task, red flags, not a diagnosis."""

import streamlit as st

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
PHONE = "<rect x='{x}' y='{y}' width='16' height='28' rx='3' fill='#333'/><circle cx='{cx}' cy='{cy}' r='3' fill='#6cf'/>"


def plan(person_path: str, phone_xy: tuple[int, int], note: str) -> str:
    x, y = phone_xy
    return (f"<svg viewBox='0 0 320 170' width='320' xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{note}'>"
            "<rect width='320' height='170' fill='#f6f6f6'/>" + person_path
            + PHONE.format(x=x - 8, y=y - 14, cx=x, cy=y - 6)
            + f"<text x='10' y='162' font-size='11' fill='#444'>{note}</text></svg>")


WALK = plan("<line x1='40' y1='40' x2='280' y2='40' stroke='#2a7' stroke-width='3' marker-end='url(#a)'/>"
            "<defs><marker id='a' markerWidth='8' markerHeight='8' refX='4' refY='4' orient='auto'>"
            "<path d='M0,0 L8,4 L0,8 z' fill='#2a7'/></marker></defs>"
            "<text x='110' y='30' font-size='11'>walking path (4-6 m)</text>", (160, 125),
            "Phone at hip height, 3-4 m from the path, side-on")
LIFT = plan("<circle cx='160' cy='45' r='14' fill='#2a7'/><text x='180' y='50' font-size='11'>you + load</text>",
            (60, 60), "Phone at hip height, 2-3 m away, at your side")
STRETCH = plan("<rect x='110' y='40' width='110' height='18' fill='#2a7' rx='4'/>"
               "<text x='120' y='32' font-size='11'>mat</text>", (165, 125), "Phone on the floor or low, 2-3 m away, "
               "whole body in view")
SIT = plan("<rect x='200' y='30' width='60' height='40' fill='#aaa'/><text x='205' y='25' font-size='11'>desk</text>"
           "<circle cx='170' cy='50' r='12' fill='#2a7'/>", (170, 130), "Phone or webcam to your side, at desk height")

for title, svg, tips in (
    ("Walking", WALK, "Walk at your normal pace past the camera for at least 4 steps in full view; a second clip "
     "toward or away from the camera shows hip sway. Wear clothes that show your knees and ankles."),
    ("Lifting", LIFT, "Side view, whole body and the load in view. Film the whole lift, from the floor to standing."),
    ("Stretches", STRETCH, "Side view for lying and kneeling stretches, front view for standing ones. Good light."),
    ("Sitting", SIT, "Side view of you at your desk, hips, knees and head in view. A photo is enough."),
):
    c1, c2 = st.columns([1, 2])
    c1.markdown(svg, unsafe_allow_html=True)
    c2.markdown(f"**{title}.** {tips}")

st.header("When to see a doctor")
st.markdown("\n".join(f"- {r}" for r in RED_FLAGS))
st.caption("If something hurts, ask a physiotherapist or doctor. posture informs; it does not diagnose.")
