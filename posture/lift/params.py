"""Measuring parameters of the lifting analysis, each with where it comes from (the grading limits live in the
check specs of posture/lift/checks.py, one per finding id).

Numbers marked "our choice" are ours, not from a standard; where they were set
or checked on the development clips in ``shared/datasets/real/lift`` the
comment says which.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiftParams:
    # ---------------------------------------------------------------- visibility / view
    min_visibility: float = 0.5  # our choice: MediaPipe visibility below this is treated as unseen
    knee_min_visibility: float = 0.3  # our choice: plates hide the near knee/ankle at the bottom (formfit clip)

    # ---------------------------------------------------------------- repetitions
    rep_down_frac: float = 0.15  # our choice: shoulders >= 15% of body height below standing = "down"
    rep_up_frac: float = 0.08  # our choice: back within 8% of body height of standing = "up" (hysteresis)
    rep_min_duration_s: float = 0.3  # our choice: shorter dips are fidgeting, not lifts
    bottom_band_frac: float = 0.1  # our choice: lowest 10% of a rep's height range counts as "at the bottom"

    # ---------------------------------------------------------------- rounded back (mask outline)
    # The limits of the outline bend are in the back_rounded spec (posture/lift/checks.py).
    back_min_trunk_lean_deg: float = 30.0  # our choice: only judge the outline while bent over
    back_min_trunk_mask_px: float = 25.0  # our choice: hip-shoulder line shorter than this in the mask = too coarse
    back_profile_from: float = 0.15  # our choice: skip the buttocks
    back_profile_to: float = 0.9  # our choice: skip the neck/trapezius

    # ---------------------------------------------------------------- measuring (limits: posture/lift/checks.py)
    # Heel lift: only clearly visible heels and toes are measured (see the heels_lift spec for the limits).
    heel_min_visibility: float = 0.7  # our choice
    heel_lift_max_confidence: float = 0.4  # our choice, see above

    # ---------------------------------------------------------------- twisting / turning
    turn_min_deg: float = 30.0  # our choice: the hips must turn this much to count as a change of direction

    # ---------------------------------------------------------------- load distance (NIOSH H)
    # Without the user's height, distances are fractions of body height scaled to a 175 cm reference person.
    reference_height_cm: float = 175.0  # our choice, to turn fractions of height into cm-like thresholds
    # Upper arm flexion against the trunk at the bottom beyond this with no load given = a bodyweight exercise
    # (arms held forward), and the load distance is not judged. Our choice, between the loaded lifts of the dev set
    # (deadlifts 30-42 deg: arms hanging from a bent trunk; pick-ups -14/-6; kettlebell photo 15) and the bodyweight
    # squats (yuyoujiang 60-72, kaiakol 96-120).
    arms_raised_deg: float = 50.0

    # ---------------------------------------------------------------- REBA
    reba_upright_tolerance_deg: float = 5.0  # our choice: |trunk angle| within this scores "upright"
    reba_neck_extension_tolerance_deg: float = 10.0  # our choice: the ear-shoulder proxy reads a little negative upright
    reba_side_bend_deg: float = 10.0  # our choice: trunk side lean (front view) that earns the +1 adjustment
    reba_one_leg_frac: float = 0.1  # our choice: one ankle higher by 10% of leg length = unilateral support
    reba_twist_deg: float = 20.0  # REBA's trunk "twisted" adjustment: the twisting check's notice limit (our choice)
    reba_rapid_change_deg: float = 45.0  # our choice: trunk lean range within a rep that counts as "large range change"


DEFAULT_LIFT = LiftParams()
