"""The stretch findings as declarative specs of the check layer (:mod:`posture.checks`).

One :class:`~posture.checks.CheckSpec` per finding id. The hold target and the repetitions come from the
reference pose (:func:`for_reference` fills them in); the rest is fixed here. The offline report grades
them with :func:`posture.checks.evaluate` on what the live coach measured over the file; the live coach
grades the running hold and the share of time out of form with :func:`posture.checks.grade_value` on the
same specs, so live and offline say the same thing.

Every stretch is judged from the side with the legs in view: the specs need the hips and knees, so a
picture without the legs gives ``not_assessed``, never a grade.
"""

from __future__ import annotations

from dataclasses import replace

from posture.checks import CheckSpec, register
from posture.stretch.reference import Reference

VIEW_HINT = "Place the camera at your side, at hip height, about 3 m away, with your whole body from head to feet in view."
LEGS = ("shoulder", "hip", "knee")
MIN_BODY_PX = 100.0  # our choice, as for sitting: at 100 px a thigh or trunk spans about 25 px, so 1 px of landmark
# error moves its angle about 2 deg; the dev stretch files measure 322-715 px

STRETCH_SPECS: dict[str, CheckSpec] = {s.id: s for s in (
    CheckSpec(
        id="stretch_recognised", title="Stretch recognised", unit="score", parts=LEGS, views=("side",),
        plausible=(0.0, 1.0), notice=None, warning=None, worse="below",
        source="information only: the mean recognition score over the time in the stretch (posture.stretch.recognise)",
        uncertainty=0.1, message_ok="Seen: {stretch}{side_txt}.", message_flag="Seen: {stretch}{side_txt}.", advice="",
        camera_hint=VIEW_HINT, aggregate="value", min_body_px=MIN_BODY_PX),
    CheckSpec(
        id="hold_too_short", title="Hold too short", unit="s", parts=LEGS, views=("side",), plausible=(0.0, 3600.0),
        notice=29.95, warning=None, worse="below",
        source="guidance given to the project (issue 5): hold each stretch 30 s in good form (child's pose 180 s)",
        uncertainty=1.0, sample_kind="holds",
        message_ok="Every hold reached the target time ({notice_s:.0f} s in good form).",
        message_flag="{n_short} of {n} holds had less than {notice_s:.0f} s in good form (shortest: {value:.0f} s).",
        advice="Hold each stretch for {notice_s:.0f} seconds in good form, breathing slowly; only the time in good form "
               "counts.", camera_hint=VIEW_HINT, cue="Keep holding: only time in good form counts.", aggregate="worst",
        min_body_px=MIN_BODY_PX),
    CheckSpec(
        id="reps_incomplete", title="Repetitions missing", unit="reps", parts=LEGS, views=("side",),
        plausible=(0.0, 100.0), notice=3.0, warning=None, worse="below",
        source="guidance given to the project (issue 5): 4 repetitions per leg (1 for child's pose)", uncertainty=0.5,
        sample_kind="holds", message_ok="All repetitions done.", message_flag="Completed repetitions per side: {reps_txt}.",
        advice="Do {target} repetition{plural} of {hold:.0f} s on {where}.", camera_hint=VIEW_HINT,
        cue="One more repetition.", aggregate="value", min_body_px=MIN_BODY_PX),
    CheckSpec(
        id="out_of_form", title="Out of form", unit="%", parts=LEGS, views=("side",), plausible=(0.0, 100.0),
        notice=20.0, warning=50.0, worse="above",
        source="our choice: flag form when more than 20% of the time in the stretch is out of form, warn past 50%",
        uncertainty=5.0,
        message_ok="Good form for most of the time in the stretch ({value:.0f}% out of form).",
        message_flag="Out of form {value:.0f}% of the time in the stretch, mostly {angle_words}: {angle_value:.0f} "
                     "{angle_unit} against a target of {angle_target:g} +- {angle_tolerance:g}.",
        advice="{angle_cue}", camera_hint=VIEW_HINT, cue="{angle_cue}", aggregate="value", min_body_px=MIN_BODY_PX),
)}
register(*STRETCH_SPECS.values(), task="stretch")


def for_reference(spec_id: str, ref: Reference) -> CheckSpec:
    """The spec with the reference's own hold target and repetitions as its limit."""
    spec = STRETCH_SPECS[spec_id]
    if spec_id == "hold_too_short":
        return replace(spec, notice=ref.hold_s - 0.05)
    if spec_id == "reps_incomplete":
        return replace(spec, notice=float(ref.reps_per_side) - 1.0)
    return spec
