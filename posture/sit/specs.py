"""The sitting checks as declarative specs of the check layer (:mod:`posture.checks`).

One :class:`~posture.checks.CheckSpec` per finding id: body parts, views, plausible range, limits with their
sources (from :mod:`posture.sit.params`), typical error, words, live cue and camera hint. The offline report
(:mod:`posture.sit.analysis`) grades them with :func:`posture.checks.evaluate`; the live desk monitor
(:mod:`posture.sit.monitor`) grades the same specs frame by frame with :func:`posture.checks.grade_value`.

Angles are measured on pixels in side views and on the 3D world landmarks in three-quarter ("oblique")
views; a finding judged mostly from world landmarks carries the larger typical error
(:func:`for_method`) and says so in its message.
"""

from __future__ import annotations

from dataclasses import replace

from posture.checks import CheckSpec, register
from posture.sit.params import DEFAULT_SIT, SitParams

PROXY_NOTE = "ear-ahead-of-shoulder angle, a proxy: MediaPipe gives no neck (C7) point"
SIDE_OR_34 = ("side", "oblique")
# our choice: the smallest person (vertical or horizontal extent of the body landmarks, pixels) whose angles we
# grade. A thigh or trunk is about a quarter of that: at 100 px, 1 px of landmark error moves it about 2 deg. The
# shoulder-to-ear line is about 7%: at 150 px it spans 10 px, and 1 px moves the forward-head angle about 6 deg.
MIN_BODY_PX = 100.0
MIN_BODY_PX_HEAD = 150.0
VIEW_HINT = ("Film from the side or a three-quarter angle, the camera level with the seat about 2 to 3 m away, "
             "with your whole body from head to feet in view.")
ADVICE = {
    "hips_below_knees": "Raise the seat (or sit on a firm cushion) until your hips are a little higher than your knees, "
                        "with your feet flat on the floor or on a footrest.",
    "slouching": "Sit back so your hips touch the back of the seat, keep your spine straight and let the backrest (or a "
                 "small cushion behind the lower back: lumbar support) hold the curve of your lower back. Ears over shoulders.",
    "reclined": "Leaning far back makes you push your head forward to see. Sit up so the backrest is only slightly "
                "reclined, keep your lower back supported, and bring the screen or work closer.",
    "slumped_back": "Slide your hips to the back of the seat and sit up against the backrest: slumping with the pelvis slid "
                    "forward rounds the lower back. Lock the chair's tilt or add lumbar support if it keeps tipping you back.",
    "forward_head": "Bring the screen up to eye level and closer, draw your chin back a little and keep your ears over "
                    "your shoulders.",
    "feet_unsupported": "Rest both feet flat on the floor, in line with your hips; if they do not reach, lower the seat "
                        "or use a footrest.",
    "feet_tucked": "Bring your feet forward under your knees and rest them flat on the floor (on a kneeling chair, change "
                   "to feet-on-the-floor sitting now and then).",
    "prolonged_sitting": "Get up and walk for a few minutes at least every {m:.0f} minutes: long sitting shortens and "
                         "tightens the hip flexors.",
    "baseline_drift": "Come back to the posture you recorded as your good one: sit back, spine straight, ears over "
                      "the shoulders.",
}


def sit_specs(p: SitParams = DEFAULT_SIT) -> dict[str, CheckSpec]:
    """Every sitting spec with the limits of ``p``, by finding id."""
    specs = [
        CheckSpec(
            id="hips_below_knees", title="Hips below knees", unit="deg", parts=("hip", "knee"), views=SIDE_OR_34,
            plausible=(-80.0, 89.0), notice=p.hips_below_knees_deg, warning=p.hips_below_knees_warning_deg,
            worse="below", source="our choice: knees higher than hips by more than the ~5 deg measurement tolerance "
            "(notice), clearly knees-up on a low seat (warning, about 11 cm on a 43 cm thigh)",
            uncertainty=p.margin_scale_deg,
            message_ok="Your hips are level with or higher than your knees (thigh {value:.0f} deg from horizontal).",
            message_flag="Your knees are higher than your hips (thigh {value:.0f} deg from horizontal, hips below "
                         "knees){when}.",
            advice=ADVICE["hips_below_knees"], camera_hint=VIEW_HINT + " Keep the thighs and knees in view.",
            cue="Raise your seat: hips a little above your knees.", aggregate="share", min_share=0.2, min_body_px=MIN_BODY_PX),
        CheckSpec(
            id="slouching", title="Slouching", unit="deg", parts=("ear", "shoulder", "hip"), views=SIDE_OR_34,
            plausible=(-90.0, 120.0), notice=p.slouch_trunk_deg, warning=p.slouch_trunk_warning_deg, worse="above",
            source="ISO 11226:2000 trunk inclination: over 20 deg forward leaves the acceptable zone, over 60 deg is not "
            "acceptable", uncertainty=p.margin_scale_deg,
            message_ok="Your trunk is not bent forward ({value:.0f} deg from vertical, positive forward).",
            message_flag="You slouch: your trunk leans {value:.0f} deg forward (over the {notice:.0f} deg limit){when}.",
            advice=ADVICE["slouching"], camera_hint=VIEW_HINT,
            cue="Sit tall: hips to the back of the seat, chest up.", aggregate="share", min_share=0.2, min_body_px=MIN_BODY_PX),
        CheckSpec(
            id="reclined", title="Leaning far back", unit="deg", parts=("shoulder", "hip"), views=SIDE_OR_34,
            plausible=(-90.0, 120.0), notice=p.recline_trunk_deg, warning=None, worse="below",
            source="our choice: a little beyond a 110 deg backrest (20 deg back), which Andersson et al. (1974) found "
            "lowest in disc pressure", uncertainty=p.margin_scale_deg,
            message_ok="You are not leaning far back (trunk {value:.0f} deg from vertical).",
            message_flag="You lean far back: your trunk is {value:.0f} deg from vertical (negative is backward){when}.",
            advice=ADVICE["reclined"], camera_hint=VIEW_HINT,
            cue="You are leaning far back: sit up against the backrest and bring the screen closer.",
            aggregate="share", min_share=0.2, min_body_px=MIN_BODY_PX),
        CheckSpec(
            id="slumped_back", title="Slumped back in the seat", unit="%", parts=("shoulder", "hip", "knee"),
            views=SIDE_OR_34, plausible=(0.0, 100.0), notice=50.0, warning=None, worse="above",
            source="our choice: trunk 15 deg or more back with the hips more than 3 deg below the knees (pelvis slid forward) "
            "for at least half the judged time; set while looking at upfall_sitting_cam2", uncertainty=10.0,
            message_ok="You did not sit slumped back (pelvis slid forward, trunk back) for most of the time "
                       "({value:.0f}% of the judged time).",
            message_flag="You sit slumped back: the pelvis slid forward on the seat (hips below the knees) and the trunk "
                         "leans back, {value:.0f}% of the judged time.",
            advice=ADVICE["slumped_back"], camera_hint=VIEW_HINT + " Keep the hips and knees in view.",
            cue="Slide your hips back in the seat and sit up.", aggregate="value", min_body_px=MIN_BODY_PX),
        CheckSpec(
            id="forward_head", title="Forward head", unit="deg", parts=("ear", "shoulder"), views=SIDE_OR_34,
            plausible=(-60.0, 90.0), notice=p.forward_head_deg, warning=p.forward_head_warning_deg, worse="above",
            source="ISO 11226:2000 head inclination: over 25 deg leaves the acceptable zone; the warning is our choice "
            "(halfway into the conditionally acceptable 25-85 deg zone); measured as a proxy (no C7 point)",
            uncertainty=p.forward_head_uncertainty_deg,
            message_ok="Your head is over your shoulders: {value:.0f} deg (" + PROXY_NOTE + ").",
            message_flag="Your head is forward of your shoulders: {value:.0f} deg (" + PROXY_NOTE + "){when}.",
            advice=ADVICE["forward_head"], camera_hint=VIEW_HINT + " Keep your head and shoulders in view.",
            cue="Ears over your shoulders: draw your chin back a little.", aggregate="share", min_share=0.2,
            min_body_px=MIN_BODY_PX_HEAD),
        CheckSpec(
            id="feet_unsupported", title="Feet not flat on the floor", unit="deg", parts=("ankle", "heel", "toe"),
            views=("side",), plausible=(-90.0, 90.0), notice=-p.foot_hanging_deg, warning=None, worse="below",
            source="our choice: flat feet on the dev photos read 18-25 deg toes-down in MediaPipe's heel and toe points; "
            "toes more than 45 deg down means the foot hangs or rests on tiptoe", uncertainty=10.0,
            message_ok="Your feet look flat on the floor or a rest (foot {value:.0f} deg from horizontal).",
            message_flag="Your feet seem to hang or rest on tiptoe (toes {value:.0f} deg from horizontal){when}.",
            advice=ADVICE["feet_unsupported"], camera_hint="Film from the side with your feet in view.",
            cue="Feet flat on the floor, or use a footrest.", aggregate="share", min_share=0.2, min_body_px=MIN_BODY_PX),
        CheckSpec(
            id="feet_tucked", title="Feet tucked back", unit="deg", parts=("hip", "knee", "ankle"), views=SIDE_OR_34,
            plausible=(10.0, 180.0), notice=p.feet_tucked_knee_deg, warning=None, worse="below",
            source="our choice: feet flat on the floor put the knee at about 90-110 deg (dev photos 80-110); below 75 deg "
            "the shins fold back under the seat or onto a kneeling-chair pad", uncertainty=6.0,
            message_ok="Your feet are in front of or under your knees (knee {value:.0f} deg).",
            message_flag="Your feet are tucked back under the seat or you kneel (knee closed to {value:.0f} deg): they "
                         "are not flat on the floor{when}.",
            advice=ADVICE["feet_tucked"], camera_hint="Film from the side with your legs and feet in view.",
            cue="Bring your feet forward, flat on the floor.", aggregate="share", min_share=0.2, min_body_px=MIN_BODY_PX),
        CheckSpec(
            id="prolonged_sitting", title="Long sitting without a break", unit="min", parts=("shoulder", "hip"),
            views=(), plausible=(0.0, 24 * 60.0), notice=p.break_after_min, warning=None, worse="above",
            source="our choice within the 30-60 min guidance; Buckley et al. (2015, Br J Sports Med) advise breaking up "
            "seated work regularly", uncertainty=0.5, sample_kind="seconds",
            message_ok="Seated for {value:.1f} min without a break in this video, under the {notice:.0f} min break reminder.",
            message_flag="You sat for {value:.0f} min without a break.",
            advice=ADVICE["prolonged_sitting"].format(m=p.break_after_min),
            camera_hint="Use a video or the live desk monitor: a photo shows one moment, not how long you sit.",
            cue="Time for a break: stand up and walk for a few minutes.", aggregate="value"),
        CheckSpec(
            id="baseline_drift", title="Drift from your good posture", unit="x limit", parts=("shoulder",), views=(),
            # graded in the drifted feature's own unit (deg or fraction) with notice = its DriftParams limit
            plausible=(0.0, 100.0), notice=1.0, warning=None, worse="above",
            source="our choice: a few times the landmark noise from your own recorded posture (posture.sit.params."
            "DriftParams)", uncertainty=0.3,
            message_ok="You are close to your recorded good posture.",
            message_flag="{drift_message}.",
            advice=ADVICE["baseline_drift"],
            camera_hint="Film from the same place as your baseline recording.",
            cue="Come back to your good posture.", aggregate="value"),
    ]
    return {s.id: s for s in specs}


SIT_SPECS: dict[str, CheckSpec] = sit_specs()
register(*SIT_SPECS.values(), task="sit")

WORLD_NOTE = (" Measured from the 3D landmarks (three-quarter view): typical error about {u:.0f} deg, larger than from "
              "the side.")


def for_method(spec: CheckSpec, world_share: float, p: SitParams = DEFAULT_SIT) -> CheckSpec:
    """The spec as judged: with the world landmarks' larger typical error when most judged frames used them."""
    if world_share < 0.5 or spec.unit != "deg":
        return spec
    u = p.world_leg_uncertainty_deg if spec.id in ("hips_below_knees", "feet_tucked") else p.world_uncertainty_deg
    note = WORLD_NOTE.format(u=u)
    return replace(spec, uncertainty=max(spec.uncertainty, u),
                   message_ok=spec.message_ok + note, message_flag=spec.message_flag + note)


def live_cue(finding_id: str) -> str:
    return SIT_SPECS[finding_id].cue
