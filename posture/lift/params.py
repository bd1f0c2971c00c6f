"""Thresholds of the lifting-form check, each with where it comes from.

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
    side_view_max_shoulder_ratio: float = 0.45  # our choice: shoulder width / trunk length below this = side view
    front_view_min_shoulder_ratio: float = 0.6  # our choice: above this = front/back view; in between = oblique

    # ---------------------------------------------------------------- repetitions
    rep_down_frac: float = 0.15  # our choice: shoulders >= 15% of body height below standing = "down"
    rep_up_frac: float = 0.08  # our choice: back within 8% of body height of standing = "up" (hysteresis)
    rep_min_duration_s: float = 0.3  # our choice: shorter dips are fidgeting, not lifts
    bottom_band_frac: float = 0.1  # our choice: lowest 10% of a rep's height range counts as "at the bottom"

    # ---------------------------------------------------------------- knees / stoop
    # Stoop (legs nearly straight) vs semi-squat vs squat lifting: the classes follow
    # Burgess-Limerick (2003), Int J Ind Ergon 31:143-148; the cut-offs are our choice.
    knees_not_bent_warning_deg: float = 30.0  # knee flexion at the bottom below this: a stoop lift
    knees_not_bent_notice_deg: float = 45.0  # below this: only a little knee bend
    # back_bent_forward: trunk lean at the bottom beyond this (REBA/ISO 11226 ">60 deg" trunk flexion
    # class starts at 60; our notice starts at 45) AND the knees bend less than the trunk leans
    # (hip-dominant), i.e. knee_flexion / trunk_lean below the ratio.
    back_forward_notice_deg: float = 45.0  # our choice
    back_forward_warning_deg: float = 60.0  # REBA trunk score 4 / ISO 11226 (2000) "not acceptable" beyond 60 deg
    back_forward_max_knee_ratio: float = 0.8  # our choice: knees bend < 0.8 x trunk lean = hip-dominant

    # ---------------------------------------------------------------- rounded back (mask outline)
    # Bend of the dorsal outline between 15% and 90% of the hip-shoulder line, degrees
    # (tangent change of a quadratic fit; positive = convex = rounded). Our choice, set
    # from the dev clips: jeffchen good -13, formfit -21, jeffchen bad +45 (medians of bent frames).
    back_bend_notice_deg: float = 20.0
    back_bend_warning_deg: float = 30.0
    back_min_trunk_lean_deg: float = 30.0  # our choice: only judge the outline while bent over
    back_min_trunk_mask_px: float = 25.0  # our choice: hip-shoulder line shorter than this in the mask = too coarse
    back_profile_from: float = 0.15  # our choice: skip the buttocks
    back_profile_to: float = 0.9  # our choice: skip the neck/trapezius

    # ---------------------------------------------------------------- hips rise first
    # How much further the trunk tips forward after lift-off while the hips rise (degrees): when the
    # hips shoot up first, the shoulders stay low and the trunk gets more horizontal. Our choice;
    # dev clips: squats 0-9 deg, jeffchen good 4 deg, formfit (textbook) rep 2 about 11 deg (its hips
    # do rise a little first off the floor), so the notice starts at 15.
    hips_first_notice_deg: float = 15.0
    hips_first_warning_deg: float = 25.0

    # ---------------------------------------------------------------- base of support
    feet_narrow_notice_ratio: float = 0.8  # our choice: ankle spacing / shoulder width ("feet shoulder-width apart")
    feet_narrow_warning_ratio: float = 0.5  # our choice
    # Shoulder centre ahead of / behind the mid-foot at lift-off, in trunk lengths. Our choice: the toes
    # are ~0.27 trunk lengths ahead of the mid-foot (Winter 2009 foot length), and a textbook deadlift
    # set-up has the shoulders slightly ahead of the bar (formfit 0.34, jeffchen good 0.40 pass).
    shoulders_over_feet_notice: float = 0.45
    shoulders_over_feet_warning: float = 0.65
    # Heel lift: rise of the near heel above the near toe vs standing, fraction of body height, from
    # frames where both are clearly visible. MediaPipe's heel drifts up at deep knee flexion: up to
    # 0.08 on dev clips whose heels stayed down (yuyoujiang, jeffchen good), so the bar is high (our choice)
    # and the confidence is capped.
    heel_min_visibility: float = 0.7  # our choice
    heel_lift_notice_frac: float = 0.10
    heel_lift_warning_frac: float = 0.14
    heel_lift_max_confidence: float = 0.4  # our choice, see above

    # ---------------------------------------------------------------- twisting / turning
    twist_notice_deg: float = 20.0  # our choice; ISO 11226 treats any marked axial trunk rotation as unfavourable
    twist_warning_deg: float = 35.0  # our choice
    turn_min_deg: float = 30.0  # our choice: the hips must turn this much to count as a change of direction
    lead_notice_s: float = 0.15  # our choice: shoulders turning this much earlier than the hips = leading with them

    # ---------------------------------------------------------------- load distance (NIOSH H)
    # H beyond 25 cm lowers the NIOSH horizontal multiplier (HM = 25/H); beyond 63 cm the
    # equation gives zero (Waters et al. 1993). Without the user's height we use fractions of
    # body height, scaled from a 175 cm reference person (our choice).
    load_far_notice_cm: float = 40.0  # our choice: HM = 0.63
    load_far_warning_cm: float = 63.0  # Waters et al. (1993): HM = 0 beyond 63 cm
    reference_height_cm: float = 175.0  # our choice, to turn fractions of height into cm-like thresholds
    arms_raised_deg: float = 60.0  # our choice: upper arm raised beyond this with no load = bodyweight exercise

    # ---------------------------------------------------------------- REBA
    reba_upright_tolerance_deg: float = 5.0  # our choice: |trunk angle| within this scores "upright"
    reba_neck_extension_tolerance_deg: float = 10.0  # our choice: the ear-shoulder proxy reads a little negative upright
    reba_side_bend_deg: float = 10.0  # our choice: trunk side lean (front view) that earns the +1 adjustment
    reba_one_leg_frac: float = 0.1  # our choice: one ankle higher by 10% of leg length = unilateral support
    reba_rapid_change_deg: float = 45.0  # our choice: trunk lean range within a rep that counts as "large range change"


DEFAULT_LIFT = LiftParams()
