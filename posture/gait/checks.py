"""The walking findings as check specs (:mod:`posture.checks`): one :class:`CheckSpec` per finding id.

Each spec says which body parts and views it needs, what a human body can plausibly produce, its limits
with their sources (from :mod:`posture.gait.params`), the typical error of the measure, how many steps or
foot landings it needs, and its words. :func:`walking_specs` builds them for a parameter preset (the
``older_adult`` preset only moves the cadence limits). The analysis measures; :func:`posture.checks.evaluate`
judges.

Samples are per **step** (a trace's median over the frames of one validated step), so a check needs the
same amount of walking at any frame rate.
"""

from __future__ import annotations

from posture.checks import CheckSpec, register
from posture.gait.params import DEFAULT_GAIT, GaitParams

ADVICE = {
    "slouching": ("Stand tall while you walk: imagine a string pulling the top of your head up, let your shoulders "
                  "relax back and down, and keep your chest open rather than rounding forward."),
    "forward_head": ("Bring your head back over your shoulders: gently draw your chin in (a small 'double chin' nod) "
                     "and lengthen the back of your neck, then keep looking ahead."),
    "looking_down": ("Look ahead about 10-20 m, not at your feet. Glance down with your eyes when you need to check "
                     "the ground, rather than bending your neck."),
    "hip_sway": ("Walk with your hips level and your steps in two narrow parallel lines; gently tighten your tummy "
                 "and buttock muscles so the pelvis does not swing side to side. Side-lying leg lifts and "
                 "side-stepping strengthen the hip muscles that steady it."),
    "pelvic_drop": ("When one foot is off the ground, keep the hip of the swinging leg from dropping: strengthen the "
                    "outer hip muscles (side-lying leg lifts, side planks, side-stepping). If it comes with pain or "
                    "a limp, ask a physiotherapist."),
    "not_heel_first": ("Let the heel touch down first and roll through to the ball of the foot and the toes: take a "
                       "slightly shorter step and lift the toes a little as the leg swings forward."),
    "asymmetric_steps": ("Aim for an even rhythm, the same time on each foot: walking to a steady beat (music or a "
                         "metronome app) helps. A lasting difference between sides, or one that comes with pain, is "
                         "worth showing to a physiotherapist."),
    "low_cadence": ("Try taking slightly quicker, shorter steps: about 100 steps a minute is a brisk, healthy "
                    "walking pace for most adults. Build up gradually."),
}

SIDE_HINT = "Film from the side as you walk past the camera, 3-5 m away, with your whole body (head to feet) in view."
FRONT_HINT = ("Film from in front or behind as you walk toward or away from the camera, with your whole body in "
              "view and your hips at least a hand's width apart in the picture.")
STEPS_HINT = "Film at least 4 steps of steady walking with your feet in view (side view is best)."
FOOT_HINT = ("Film from the side, closer (your body at least a third of the picture's height) and in good light, "
             "so the heel and toes can be told apart.")

# Body height below which the foot's heel and toes cannot be told apart (a foot is ~15% of body height: 22 px
# at 150 px, where one pixel is ~3 deg of foot angle). Our choice.
FOOT_MIN_BODY_PX = 150.0
# Contact timing needs less: the heel's forward peak is a whole-leg movement. Our choice (the KTH-style 80 px
# walker gives 176 "steps/min").
STEP_MIN_BODY_PX = 100.0
# Looking down needs the ear and the eye at least PostureParams.min_eye_ear_px (10 px) apart: on the dev walkers
# ear-to-eye is 3.3-3.9% of the body height, so about 270 px of body. The analysis gates each frame on the
# face itself; this body size is the same gate for the live coach and for the size rule of the invariance tests.
# Our choice.
FACE_MIN_BODY_PX = 270.0


def walking_specs(params: GaitParams = DEFAULT_GAIT) -> dict[str, CheckSpec]:
    """The walking check specs for a parameter preset, keyed by finding id."""
    pp, tp, cp, ep = params.posture, params.temporal, params.contact, params.events
    specs = [
        CheckSpec(
            id="slouching", title="Slouching", unit="deg", parts=("shoulder", "hip"), views=("side",),
            plausible=(-45.0, 60.0), notice=pp.trunk_lean_notice_deg, warning=pp.trunk_lean_warning_deg,
            worse="above",
            source=("trunk (hip-to-shoulder line) from vertical: ISO 11226:2000 (20 deg: warning); Thorstensson "
                    "et al. 1984 (~5 deg forward at normal speed), so 10 deg is our notice level. The hip and "
                    "shoulder landmarks are joint centres: the hip joint lies well in front of the sacrum, so "
                    "this line reads ~5 deg behind the spine (upright dev walkers: -9 to +8 deg)"),
            uncertainty=5.0,
            message_ok="Your trunk stays upright while you walk ({value:.0f} deg from vertical, hip-to-shoulder line).",
            message_flag=("Your trunk leans {value:.0f} deg forward while you walk (upright walking stays within "
                          "about {notice:.0f} deg)."),
            advice=ADVICE["slouching"], camera_hint=SIDE_HINT, cue="Stand tall", sample_kind="steps", min_samples=2),
        CheckSpec(
            id="forward_head", title="Head forward", unit="deg", parts=("ear", "shoulder"), views=("side",),
            plausible=(-40.0, 80.0), notice=pp.forward_head_notice_deg, warning=pp.forward_head_warning_deg,
            worse="above",
            source=("shoulder-to-ear line from vertical, a proxy (no C7 landmark): Yip et al. 2008 (craniovertebral "
                    "angle under ~50 deg = ~40 deg from vertical) for the warning; notice 30 deg, our choice above "
                    "the 16-28 deg of the upright dev walkers"),
            uncertainty=5.0,
            message_ok="Your head is carried over your shoulders ({value:.0f} deg, forward-head proxy).",
            message_flag=("Forward-head proxy: your ear is {value:.0f} deg ahead of your shoulder (from vertical; "
                          "MediaPipe has no C7 point, so this is an estimate). Above {notice:.0f} deg the head is "
                          "carried in front of the body."),
            advice=ADVICE["forward_head"], camera_hint=SIDE_HINT, cue="Chin in, head tall", sample_kind="steps",
            min_samples=2),
        CheckSpec(
            id="looking_down", title="Looking down", unit="deg", parts=("ear", "eye"), views=("side",),
            plausible=(-40.0, 90.0), notice=pp.head_down_notice_deg, warning=pp.head_down_warning_deg,
            worse="above",
            source=("head tipped down from level (ear-to-eye line against its ~13 deg rise with the head level): "
                    "ISO 11226:2000 head inclination 25 deg (warning); 15 deg notice in half of the steps, our "
                    "choice"),
            uncertainty=5.0,
            message_ok="You mostly look ahead (head tipped down {value:.0f} deg from level, typical step).",
            message_flag=("You look down in {share:.0%} of your steps: the head is tipped about {value:.0f} deg "
                          "below level."),
            advice=ADVICE["looking_down"], camera_hint=SIDE_HINT + " Come close enough that your face is clearly visible.",
            cue="Eyes ahead", aggregate="share", min_share=pp.looking_down_min_share, sample_kind="steps", min_samples=2,
            min_body_px=FACE_MIN_BODY_PX),
        CheckSpec(
            id="not_heel_first", title="Heel-first landing", unit="share", parts=("heel", "toe"), views=("side",),
            plausible=(0.0, 1.0), notice=cp.heel_first_share_notice, warning=cp.heel_first_share_warning,
            worse="below",
            source=("foot angle at contact minus mid-stance: heel first above +5 deg (Perry & Burnfield 2010: "
                    "~20 deg toes up at a heel strike); fewer than 60% (notice) or 30% (warning) heel-first "
                    "landings, our choice"),
            uncertainty=0.15,
            message_ok="{value:.0%} of your {n_contacts} foot landings were heel first.",
            message_flag="{value:.0%} of your {n_contacts} foot landings were heel first; the others landed {kinds}.",
            advice=ADVICE["not_heel_first"], camera_hint=FOOT_HINT, cue="Heel first", aggregate="value",
            sample_kind="contacts", min_samples=2, min_body_px=FOOT_MIN_BODY_PX),
        CheckSpec(
            id="hip_sway", title="Hip sway", unit="hip widths", parts=("hip",), views=("front", "back"),
            plausible=(0.0, 3.0), notice=pp.hip_sway_notice_ratio, warning=pp.hip_sway_warning_ratio,
            worse="above",
            source=("side-to-side pelvis travel over hip width: ~0.25 normal (Inman et al. 1981); 0.45 / 0.7 our "
                    "choice"),
            uncertainty=0.08,
            message_ok="Your pelvis stays steady from side to side ({value:.2f} hip widths).",
            message_flag="Your pelvis swings {value:.2f} hip widths from side to side (normal walking is about 0.25).",
            advice=ADVICE["hip_sway"], camera_hint=FRONT_HINT, cue="Hips level", aggregate="value",
            sample_kind="seconds", min_samples=1, both_sides=True, min_body_px=STEP_MIN_BODY_PX),
        CheckSpec(
            id="pelvic_drop", title="Pelvic drop", unit="deg", parts=("hip",), views=("front", "back"),
            plausible=(0.0, 30.0), notice=pp.pelvic_drop_notice_deg, warning=pp.pelvic_drop_warning_deg,
            worse="above",
            source="pelvic obliquity in single support: 4-7 deg normal (Perry & Burnfield 2010); 8 / 12 deg our choice",
            uncertainty=2.5,
            message_ok="Your pelvis stays level as you step (about {value:.0f} deg of tilt each side).",
            message_flag=("Your pelvis tips by about {value:.0f} deg to each side as you step (normal is about "
                          "4-7 deg): the hip of the swinging leg drops."),
            advice=ADVICE["pelvic_drop"], camera_hint=FRONT_HINT, cue="Hips level", aggregate="value",
            sample_kind="seconds", min_samples=1, both_sides=True, min_body_px=STEP_MIN_BODY_PX),
        CheckSpec(
            id="asymmetric_steps", title="Uneven steps", unit="ratio", parts=("heel",), views=(),
            plausible=(1.0, 2.5), notice=tp.asymmetry_notice_ratio, warning=tp.asymmetry_warning_ratio,
            worse="above",
            source=("longer over shorter mean step time: Patterson et al. 2010 (1.06-1.08 upper normal); 1.10 / "
                    "1.25 our choice for video (frame quantisation)"),
            uncertainty=0.06,
            message_ok="Your steps are even: {left_s:.2f} s left, {right_s:.2f} s right (ratio {value:.2f}).",
            message_flag=("Your steps are uneven: {left_s:.2f} s onto the left foot vs {right_s:.2f} s onto the "
                          "right (ratio {value:.2f})."),
            advice=ADVICE["asymmetric_steps"], camera_hint=STEPS_HINT, cue="Even rhythm", aggregate="value",
            sample_kind="steps", min_samples=2 * tp.min_steps_per_foot, min_body_px=FOOT_MIN_BODY_PX),
        CheckSpec(
            id="low_cadence", title="Cadence", unit="steps/min", parts=("heel",), views=(),
            plausible=(60.0 / ep.max_step_time_s, 150.0), notice=tp.low_cadence_notice_spm,
            warning=tp.low_cadence_warning_spm, worse="below",
            source=("Tudor-Locke et al. 2019 (~100 steps/min = brisk walking); 90 / 70 our choice. Plausible "
                    "walking: 40-150 steps/min (issue 10); outside it the step detection failed"),
            uncertainty=3.0,
            message_ok="You walk at {value:.0f} steps per minute ({n_steps} steps; step time {step_s:.2f} s +- {spread_s:.2f}).",
            message_flag=("You walk at {value:.0f} steps per minute, slower than a brisk pace (about 100 or more; "
                          "{n_steps} steps)."),
            advice=ADVICE["low_cadence"], camera_hint=STEPS_HINT, cue="Quicker steps", aggregate="value",
            sample_kind="steps", min_samples=3, min_body_px=STEP_MIN_BODY_PX,
            implausible_above=("{value:.0f} steps per minute is faster than walking (up to {hi:.0f}): this is running, "
                               "or steps were counted twice; film yourself walking past the camera to check your "
                               "cadence")),
    ]
    return {s.id: s for s in specs}


SPECS = walking_specs(DEFAULT_GAIT)
register(*SPECS.values(), task="walk")
