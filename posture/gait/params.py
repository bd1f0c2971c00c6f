"""Every number the walking analysis uses, with where it comes from.

Thresholds are data: one frozen dataclass per concern, one default per value,
and a comment per value naming its source (a paper or standard) or saying
plainly that it is our own choice. ``GAIT_PRESETS`` holds named variants.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ViewParams:
    """Camera view, direction and which frames are usable."""

    min_visibility: float = 0.5  # our choice: MediaPipe's own visibility scale, 0.5 = "more likely visible than not"
    frame_margin_px: float = 2.0  # our choice: a landmark this close to the image edge counts as cut off
    # Shoulder width / trunk length in the image: about 0.2 in a clean profile (shoulders overlap) and about 0.6
    # to 0.7 facing the camera (shoulder width 0.259 H vs trunk 0.288 H, Winter 2009 table 4.1). The two cut-offs
    # split the gap; oblique views in between are "unknown". Our choice, checked on the dev clips (side 0.05-0.3,
    # front/back 0.35-0.7).
    side_max_width_ratio: float = 0.32
    frontal_min_width_ratio: float = 0.38
    min_segment_s: float = 1.0  # our choice: shorter than about one stride cannot give a gait cycle
    max_bridge_s: float = 0.25  # our choice, as posture.cleanup's max_gap_s: shorter dropouts do not split a segment
    smooth_window_s: float = 0.5  # our choice: view labels are smoothed by a running majority over this window
    min_travel_body_heights: float = 0.3  # our choice: less sideways travel than this in a side view = walking in place


@dataclass(frozen=True)
class EventParams:
    """Gait event detection (initial contact, toe-off)."""

    # Zeni et al. (2008), Gait Posture 27:710-714: initial contact at the heel's most forward position relative to
    # the pelvis, toe-off at the toe's most backward position, along the walking direction.
    min_step_time_s: float = 0.25  # our choice: faster than 240 steps/min is running or noise
    max_step_time_s: float = 1.5  # our choice: slower than 40 steps/min is not continuous walking
    min_peak_prominence_body: float = 0.08  # our choice: heel excursion at least 8% of the trunk-to-ankle length
    # Front/back views: heel height (image y) relative to the ankle line of the stance foot. Our choice.
    min_lift_body: float = 0.02  # heel must rise at least 2% of body height for a swing to count
    landing_speed_fraction: float = 0.2  # contact = heel descent speed below this share of its peak descent speed
    near_foot_confidence: float = 0.9  # our choice: events of the foot nearest the camera
    far_foot_confidence: float = 0.7  # our choice: the far foot is partly hidden; MediaPipe guesses it more often


@dataclass(frozen=True)
class ContactParams:
    """Heel-first / flat / forefoot classification at initial contact (side views)."""

    # Foot angle at contact minus the same foot's angle at mid-stance (foot flat). Normal heel strike lands
    # with the foot about 15-25 deg toes-up (Perry & Burnfield 2010, Gait Analysis, ch. 4: ankle ~0 deg with
    # tibia inclined, foot-floor angle ~20 deg). Below 5 deg we call the landing flat, and toes-down by more
    # than 5 deg forefoot. The 5 deg margin is our choice (landmark noise of a few degrees).
    heel_min_deg: float = 5.0
    forefoot_max_deg: float = -5.0
    heel_first_share_notice: float = 0.6  # our choice: fewer than 60% heel-first steps is worth a notice
    heel_first_share_warning: float = 0.3  # our choice


@dataclass(frozen=True)
class PostureParams:
    """Trunk, head and pelvis thresholds while walking."""

    # ISO 11226:2000 (static working postures): trunk inclination 0-20 deg is acceptable; beyond 20 deg only with
    # support/limited duration. Walking normally leans only a few degrees forward (Thorstensson et al. 1984,
    # ~5 deg at normal speed), so 10 deg is our notice level and the ISO 20 deg limit the warning level.
    trunk_lean_notice_deg: float = 10.0
    trunk_lean_warning_deg: float = 20.0
    # Forward-head PROXY: shoulder-to-ear line from vertical (MediaPipe has no C7, so this is not the clinical
    # craniovertebral angle). A craniovertebral angle below ~50 deg from horizontal marks forward head posture
    # (Yip et al. 2008, Manual Therapy 13:148-154), i.e. about 40 deg from vertical on the C7-tragus line. The
    # shoulder landmark sits in front of C7, which lowers the angle; notice at 25 deg, warning at 35 deg are our
    # choice on that basis.
    forward_head_notice_deg: float = 25.0
    forward_head_warning_deg: float = 35.0
    # Head pitch: ear-to-nose line below horizontal. With the head upright (Frankfort plane level) the nose tip
    # sits about 2 cm below and 10 cm in front of the ear: ~10 deg down (our anatomical estimate).
    head_neutral_deg: float = 10.0
    # ISO 11226:2000: head inclination beyond 25 deg is no longer unconditionally acceptable. Looking 10-20 m
    # ahead needs only a few degrees; we flag 15 deg below neutral as a notice (our choice) and 25 deg (ISO) as
    # a warning.
    head_down_notice_deg: float = 15.0
    head_down_warning_deg: float = 25.0
    looking_down_min_share: float = 0.3  # our choice: looking down in at least 30% of the walking time
    # Hip sway (front/back view): peak-to-peak lateral pelvis excursion per stride divided by hip width.
    # Normal mediolateral pelvis excursion is ~4-5 cm (Inman et al. 1981, Human Walking) against a hip-joint
    # width of ~18-20 cm in MediaPipe's landmarks: ~0.25. Notice above 0.45, warning above 0.7: our choice.
    hip_sway_notice_ratio: float = 0.45
    hip_sway_warning_ratio: float = 0.7
    # Pelvic obliquity (hip line from horizontal) during single support: normal drop is about 4-7 deg
    # (Perry & Burnfield 2010). Notice above 8 deg, warning above 12 deg: our choice (2-D landmark noise).
    pelvic_drop_notice_deg: float = 8.0
    pelvic_drop_warning_deg: float = 12.0
    # our choice: with hips closer than 25 px in the image, one pixel of landmark error is ~2.3 deg of tilt
    min_hip_width_px: float = 25.0
    trunk_side_lean_notice_deg: float = 8.0  # our choice; normal lateral trunk motion is ~+-2-5 deg (Perry 2010)


@dataclass(frozen=True)
class TemporalParams:
    """Cadence and symmetry."""

    # Tudor-Locke et al. (2019), CADENCE-Adults, Int J Behav Nutr Phys Act 16:8: ~100 steps/min marks
    # moderate-intensity (brisk) walking. Short indoor clips are slower, so notice below 90 is our choice and
    # warning below 70 (a shuffling pace) too.
    low_cadence_notice_spm: float = 90.0
    low_cadence_warning_spm: float = 70.0
    # Step-time ratio (longer / shorter side). Patterson et al. (2010), Gait Posture 31:241-246, give 1.06 for
    # swing time and 1.08 for step length as the upper limit of normal; we use 1.10 for step time from video
    # (frame quantisation) as the notice level and 1.25 as the warning level, our choice.
    asymmetry_notice_ratio: float = 1.10
    asymmetry_warning_ratio: float = 1.25
    min_steps_per_foot: int = 2  # our choice: fewer steps cannot show a side difference


@dataclass(frozen=True)
class GaitParams:
    view: ViewParams = field(default_factory=ViewParams)
    events: EventParams = field(default_factory=EventParams)
    contact: ContactParams = field(default_factory=ContactParams)
    posture: PostureParams = field(default_factory=PostureParams)
    temporal: TemporalParams = field(default_factory=TemporalParams)
    name: str = "default"


DEFAULT_GAIT = GaitParams()

GAIT_PRESETS: dict[str, GaitParams] = {
    "default": DEFAULT_GAIT,
    # Older adults walk slower: usual cadence ~100-110 spm in healthy people over 65 (Hollman et al. 2011,
    # Gait Posture 34:111-118); 80 spm as the notice level is our choice.
    "older_adult": GaitParams(temporal=TemporalParams(low_cadence_notice_spm=80.0, low_cadence_warning_spm=60.0),
                              name="older_adult"),
}
