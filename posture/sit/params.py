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
    side_view_max_width_ratio: float = 0.45  # our choice: shoulder/hip width over trunk length is ~0 from the side and ~0.9
    # from the front (Winter 2009 shoulder width 0.259 H / trunk 0.288 H); 0.45 = body turned about 30 deg from the side
    front_view_min_width_ratio: float = 0.6  # our choice: body turned more than about 40 deg from the side
    thigh_to_trunk_ratio: float = 0.85  # Winter (2009) table 4.1: thigh 0.245 H over trunk (hip to shoulder) 0.288 H
    min_thigh_length_fraction: float = 0.75  # our choice: a thigh shorter than 75% of its expected length points more than
    # about 40 deg toward or away from the camera (or the knee was guessed behind a desk), so its angle cannot be trusted

    # ------------------------------------------------------------------ camera roll (tilt) correction
    roll_dead_band_deg: float = 15.0  # our choice: seated shins lean up to about +-12 deg on their own (dev photos measured
    # 4.5, 8.2 and 11.5 deg), so a smaller shin tilt cannot be told apart from a tilted camera and is not corrected
    roll_max_deg: float = 60.0  # our choice: beyond this the "shins are vertical" assumption is not believable

    # ------------------------------------------------------------------ checks and classes
    slouch_trunk_deg: float = 20.0  # ISO 11226: trunk inclination above 20 deg forward leaves the acceptable zone
    slouch_trunk_warning_deg: float = 60.0  # ISO 11226: trunk inclination above 60 deg is not acceptable
    recline_trunk_deg: float = -25.0  # our choice: a little beyond a 110 deg backrest (20 deg back), which Andersson et al.
    # (1974, Scand J Rehabil Med) found lowest in disc pressure; leaning further back is "leaning far back"
    forward_head_deg: float = 25.0  # ISO 11226: head inclination above 25 deg leaves the acceptable zone. Measured here as
    # the shoulder-to-ear line from vertical, a PROXY: MediaPipe has no C7 point
    forward_head_warning_deg: float = 45.0  # our choice: halfway into ISO 11226's conditionally acceptable 25-85 deg zone
    hips_below_knees_deg: float = -5.0  # our choice: knees higher than hips by more than our ~5 deg measurement tolerance
    hips_below_knees_warning_deg: float = -15.0  # our choice: clearly knees-up (low seat), knee about 11 cm above a 43 cm thigh
    hips_level_band_deg: float = 10.0  # our choice: hips up to 10 deg (about 7 cm over a thigh) above the knees is "level"
    perched_thigh_deg: float = 30.0  # perch seats put the thigh 30-45 deg below horizontal (trunk-thigh angle about
    # 120-135 deg; Mandal 1981, Keegan 1953); we call a thigh sloping at least 30 deg with an upright trunk "perched"
    standing_thigh_deg: float = 60.0  # our choice: a thigh closer to vertical than 30 deg means standing, not sitting
    foot_hanging_deg: float = 45.0  # our choice: flat feet on the dev photos read 18-25 deg toes-down in MediaPipe's heel
    # and toe points; toes pointing down more than 45 deg means the foot hangs or rests on tiptoe

    # ------------------------------------------------------------------ confidence
    margin_scale_deg: float = 3.0  # our choice: typical landmark angle noise; a class 3 deg inside its limits gets ~0.73
    min_finding_duration_s: float = 0.5  # our choice: shorter flagged runs in a video are noise
    merge_gap_s: float = 1.0  # our choice

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
