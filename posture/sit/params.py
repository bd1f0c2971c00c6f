"""Thresholds of the sitting analysis, each with where it comes from.

Angles in degrees. ISO 11226:2000 ("Ergonomics - Evaluation of static working
postures") gives acceptable ranges for trunk inclination (0-20 deg acceptable,
20-60 deg conditionally acceptable, over 60 deg not acceptable, backward only
with full trunk support) and head inclination (0-25 deg acceptable, 25-85 deg
conditionally acceptable). EN 1005-4 uses the same trunk and head zones for
machinery work. Where no standard applies the value is our own choice, and the
comment says so and why.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SitParams:
    # ------------------------------------------------------------------ landmarks and view
    min_visibility: float = 0.5  # our choice: MediaPipe's visibility is a likelihood; below 0.5 the point is more likely hidden
    # The view (side / oblique / front / back) comes from posture.view, the one classifier of every task. Side views
    # are measured on image pixels; three-quarter ("oblique") views on the 3D world landmarks (see world_* below).
    pixel_min_yaw_deg: float = 65.0  # our choice: pixel angles need a near-profile view. Turned ``a`` from profile, a
    # forward angle t reads atan(tan t * cos a): at 25 deg off profile (yaw 65) a 20 deg trunk reads 18.3 (-1.7 deg), at
    # 45 deg off 14.4 (-5.6). posture.view calls yaw >= 45 "side", so side frames between 45 and 65 deg are measured on
    # the world landmarks too. Dev sitting files measure yaw 70-89 (all stay on pixels).
    thigh_to_trunk_ratio: float = 0.85  # Winter (2009) table 4.1: thigh 0.245 H over trunk (hip to shoulder) 0.288 H
    min_thigh_length_fraction: float = 0.75  # our choice: a thigh shorter than 75% of its expected length points more than
    # about 40 deg toward or away from the camera (or the knee was guessed behind a desk), so its angle cannot be trusted

    # ------------------------------------------------------------------ camera roll (tilt) correction
    roll_dead_band_deg: float = 15.0  # our choice: seated shins lean up to about +-12 deg on their own (dev photos measured
    # 4.5, 8.2 and 11.5 deg), so a smaller shin tilt cannot be told apart from a tilted camera and is not corrected
    roll_max_deg: float = 60.0  # our choice: beyond this the "shins are vertical" assumption is not believable
    # A shin is evidence of the camera's roll only when it is really vertical in the room, and we cannot see the room:
    # we accept it only when BOTH shins are clearly seen, parallel, at a right angle to their thighs, and both feet flat
    # (at a right angle to the shins: feet planted on a floor under the knees). Folded legs (kneeling chair, feet
    # tucked back, feet forward) lean on their own and say nothing about the camera; then the camera is assumed level
    # and the posture confidence lowered (roll_unsure_factor).
    roll_knee_range_deg: tuple[float, float] = (75.0, 105.0)  # our choice: knee (thigh-shin) angle of a shin under a
    # level-ish thigh; a camera roll turns thigh and shin together, so it never changes this angle
    roll_max_shin_disagreement_deg: float = 8.0  # our choice: the two shins of planted feet are parallel within a few deg
    roll_foot_shin_range_deg: tuple[float, float] = (55.0, 120.0)  # our choice: a foot flat on the floor under a vertical
    # shin makes about 90 deg with it (MediaPipe's heel-toe line reads 18-25 deg toes-down on flat feet: 65-72); a foot
    # hanging in line with the shin (kneeling chair, feet in the air) makes 140-180. Both feet must show it
    roll_unsure_factor: float = 0.8  # our choice: posture confidence when the shins lean past the dead band but cannot
    # show the camera's roll (assumed level)

    # ------------------------------------------------------------------ checks and classes
    slouch_trunk_deg: float = 20.0  # ISO 11226: trunk inclination above 20 deg forward leaves the acceptable zone
    slouch_trunk_warning_deg: float = 60.0  # ISO 11226: trunk inclination above 60 deg is not acceptable
    recline_trunk_deg: float = -25.0  # our choice: a little beyond a 110 deg backrest (20 deg back), which Andersson et al.
    # (1974, Scand J Rehabil Med) found lowest in disc pressure; leaning further back is "leaning far back"
    forward_head_deg: float = 25.0  # ISO 11226: head inclination above 25 deg leaves the acceptable zone. Measured here as
    # the shoulder-to-ear line from vertical, a PROXY: MediaPipe has no C7 point
    forward_head_uncertainty_deg: float = 5.0  # our choice: about 1 cm of landmark noise at each end of a 12 cm
    # shoulder-to-ear line; values within this of the 25 deg limit are called borderline (the check layer says so)
    forward_head_warning_deg: float = 45.0  # our choice: halfway into ISO 11226's conditionally acceptable 25-85 deg zone
    hips_below_knees_deg: float = -5.0  # our choice: knees higher than hips by more than our ~5 deg measurement tolerance
    hips_below_knees_warning_deg: float = -15.0  # our choice: clearly knees-up (low seat), knee about 11 cm above a 43 cm thigh
    hips_level_band_deg: float = 10.0  # our choice: hips up to 10 deg (about 7 cm over a thigh) above the knees is "level"
    slump_recline_trunk_deg: float = -15.0  # our choice, set while looking at upfall_sitting_cam2 (tuned on it): a trunk
    # 15 deg or more back WITH the pelvis slid forward (hips no higher than the knees) is slumped-reclined (sacral
    # sitting in a swivel chair) even when the trunk alone does not reach recline_trunk_deg
    slump_max_thigh_deg: float = -3.0  # our choice: "pelvis slid forward" = hips below knee height by more than the
    # thigh angle's ~3 deg typical error
    perched_thigh_deg: float = 30.0  # perch seats put the thigh 30-45 deg below horizontal (trunk-thigh angle about
    # 120-135 deg; Mandal 1981, Keegan 1953); we call a thigh sloping at least 30 deg with an upright trunk "perched"
    lying_trunk_deg: float = -60.0  # our choice: office and lounge chairs recline the trunk at most about 45 deg; a trunk
    # 60 deg or more back is lying (on a bed, the floor, a treatment table), not a sitting posture
    min_seated_share: float = 0.25  # our choice: a video is called by its sitting posture only when the person sits
    # still for at least a quarter of the time they are seen; otherwise it says they were mostly standing, moving or lying
    min_seated_s: float = 2.0  # our choice: in a video a sitting posture is judged only when held still for 2 s in all;
    # a chair-stand test settles on the seat for 0-0.25 s per repetition (chair_stand_test_portrait.mp4, two landmark
    # sets), a moment of a movement rather than a posture, and grading it gave an all-clear on 7 frames
    standing_thigh_deg: float = 60.0  # our choice: a thigh closer to vertical than 30 deg means standing, not sitting
    feet_tucked_knee_deg: float = 75.0  # our choice: feet flat on the floor put the knee at about 90-110 deg (dev photos
    # 80-110); a knee closed below 75 deg folds the shins back under the seat or onto a kneeling-chair pad, so the feet
    # are tucked or in the air, not flat on the floor
    foot_hanging_deg: float = 45.0  # our choice: flat feet on the dev photos read 18-25 deg toes-down in MediaPipe's heel
    # and toe points; toes pointing down more than 45 deg means the foot hangs or rests on tiptoe

    # ------------------------------------------------------------------ confidence and typical errors
    margin_scale_deg: float = 3.0  # our choice: typical landmark angle noise of a side-view trunk or thigh angle in pixels
    # (a class 3 deg or more inside its limits gets full margin confidence, 0.5 at the limit: posture.checks.margin)
    world_uncertainty_deg: float = 6.0  # our choice: three-quarter views use MediaPipe's 3D world landmarks, whose depth is
    # rough; on the 7 dev side-view files with seated frames (scripts/eval_sit.py) world minus pixel angles have an RMS
    # of 4.0 deg for the trunk (max 7.4) and 3.6 for the head, so twice the pixel error
    world_leg_uncertainty_deg: float = 8.0  # our choice: the same comparison gives an RMS of 5.1 deg for the thigh (max
    # 11.1) and 8.9 for the knee (max 15.7): the legs' depth is the roughest
    world_confidence_factor: float = 0.8  # our choice: a posture called from world landmarks is this much less sure
    min_finding_duration_s: float = 0.5  # our choice: shorter flagged runs in a video are noise
    merge_gap_s: float = 1.0  # our choice

    # ------------------------------------------------------------------ moving vs settled (videos)
    settled_max_hip_speed_h_s: float = 0.15  # our choice: sitting still (typing, shifting a little) moves the hips under
    # about 5 cm/s; standing up or sitting down moves them 30-50 cm/s (about 0.2-0.3 body heights per second). Frames
    # faster than this, and within settled_pad_s of them, are a transition, not a sitting posture, and are not graded
    settled_pad_s: float = 0.25  # our choice: a transition's slow start and end

    # ------------------------------------------------------------------ time
    break_after_min: float = 30.0  # our choice, within the 30-60 min the guidance suggests; in the spirit of Buckley et al.
    # (2015, Br J Sports Med expert statement) to break up seated work regularly with standing and walking
    remind_every_min: float = 10.0  # our choice: repeat the reminder while the person stays seated
    break_min_s: float = 60.0  # our choice: away from the seat (or standing) this long counts as a break
    max_frame_gap_s: float = 2.0  # our choice: a longer gap between webcam frames (paused stream) is not counted
    live_window_s: float = 2.0  # our choice: the live posture is the median over the last 2 s, so a reach is not a slouch
    live_max_buffer: int = 256  # bound on the live buffer (frames), whatever the frame rate


DEFAULT_SIT = SitParams()


@dataclass(frozen=True)
class DriftParams:
    """How far from the personal baseline counts as drift (all our choice: a few times the landmark noise)."""

    trunk_deg: float = 10.0  # our choice: trunk leaning 10 deg more forward (or back) than your own good posture
    neck_deg: float = 10.0  # our choice: ear moved 10 deg further ahead of the shoulder (forward head proxy)
    head_pitch_deg: float = 15.0  # our choice: head dropped (looking down) 15 deg more than in the baseline
    head_height_drop_fraction: float = 0.2  # our choice (front view): ears 20% closer to the shoulders = slumping
    lean_in_fraction: float = 0.15  # our choice (front view): shoulders 15% wider on screen = leaning about 13% closer


DEFAULT_DRIFT = DriftParams()
