"""Per-frame lifting kinematics from a cleaned :class:`~posture.sequence.PoseSequence`.

Everything here is vectorised over frames and NaN-propagating. Pixel quantities
are in the upright image frame (y down); heights are measured upward from the
floor line (the lowest foot point), so larger = higher.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture import landmarks as L
from posture.geometry import angle_from_vertical_deg, flexion_deg, midpoint, nan_median
from posture.lift.params import DEFAULT_LIFT, LiftParams
from posture.sequence import PoseSequence
from posture.view import ViewTrack, classify_views

# Fraction of standing height covered by shank + thigh + trunk + neck (ankle to ear):
# Winter (2009), Biomechanics and Motor Control of Human Movement, Table 4.1 (0.936 - 0.039).
ANKLE_TO_EAR_FRACTION = 0.897
SHOULDER_HEIGHT_FRACTION = 0.818  # Winter (2009) Table 4.1: shoulder joint height / body height


@dataclass(frozen=True)
class ViewEstimate:
    """The clip's view for the lifting kinematics, from :func:`posture.view.classify_views` (one classifier for
    every task): the main view of the frames where the person was seen, the facing, and the nearer side."""

    view: str  # "side", "front", "back", "oblique" or "unknown"
    facing: float  # +1 facing image-right, -1 image-left; 0 unknown
    near_side: str  # "left"/"right": the side with the higher visibility
    track: ViewTrack | None = None  # the per-frame views


def estimate_view(seq: PoseSequence, params: LiftParams = DEFAULT_LIFT, track: ViewTrack | None = None) -> ViewEstimate:
    """The clip's view from :mod:`posture.view` (per-frame views by majority; ``mixed`` clips take their most
    common view), the facing from :mod:`posture.view` with, when it cannot tell, the shoulders ahead of the hips
    while bent over (people lean the way they face), and the nearer side by visibility."""
    track = track if track is not None else classify_views(seq)
    seen = track.view[track.view != "unknown"]
    if seen.size == 0:
        view = "unknown"
    else:
        names, counts = np.unique(seen, return_counts=True)
        view = str(names[int(np.argmax(counts))])
    facing = track.main_facing()
    if facing == 0:
        xy = seq.xy_px
        sh_c = midpoint(xy[:, L.LEFT_SHOULDER], xy[:, L.RIGHT_SHOULDER])
        hip_c = midpoint(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
        trunk = np.linalg.norm(sh_c - hip_c, axis=1)
        lean_dx = sh_c[:, 0] - hip_c[:, 0]
        with np.errstate(invalid="ignore"):
            bent = np.abs(lean_dx) > 0.3 * trunk
        facing = float(np.sign(nan_median(lean_dx[bent]))) if bent.any() else 0.0
        facing = facing if np.isfinite(facing) else 0.0
    vis = seq.visibility
    left = np.nanmean(vis[:, [L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE]])
    right = np.nanmean(vis[:, [L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE]])
    return ViewEstimate(view=view, facing=float(facing), near_side="left" if left >= right else "right", track=track)


def signed_angle_between_deg(ref: np.ndarray, v: np.ndarray, facing: float) -> np.ndarray:
    """Angle from vector ``ref`` to ``v`` in the image plane, degrees, positive rotating toward the facing direction."""
    ref, v = np.asarray(ref, float), np.asarray(v, float)
    cross = ref[..., 0] * v[..., 1] - ref[..., 1] * v[..., 0]
    dot = np.sum(ref * v, axis=-1)
    return -facing * np.degrees(np.arctan2(cross, dot))


def yaw_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Heading of the line a->b in the horizontal (x, z) plane of world coordinates, degrees."""
    d = np.asarray(b, float) - np.asarray(a, float)
    return np.degrees(np.arctan2(d[..., 2], d[..., 0]))


def wrap_deg(a: np.ndarray) -> np.ndarray:
    return (np.asarray(a, float) + 180.0) % 360.0 - 180.0


@dataclass(frozen=True)
class LiftKinematics:
    """Per-frame signals (all (n,) arrays) and per-clip scales of one lifting clip."""

    view: ViewEstimate
    body_height_px: float
    trunk_length_px: float
    floor_y_px: float
    shoulder_height_px: np.ndarray  # shoulder centre above the floor line
    hip_height_px: np.ndarray
    hand_height_px: np.ndarray  # the load hand (see _load_hand) above the floor line
    trunk_lean_deg: np.ndarray  # hip->shoulder from vertical, positive forward (side view: signed)
    trunk_side_lean_deg: np.ndarray  # front view: sideways lean from vertical, unsigned
    knee_flexion_deg: np.ndarray  # near-side knee (far side where the near one is hidden)
    hip_flexion_deg: np.ndarray  # thigh vs trunk, 0 standing straight
    neck_flexion_deg: np.ndarray  # shoulder->ear line relative to the trunk, positive forward (proxy)
    upper_arm_flexion_deg: np.ndarray  # relative to the trunk, positive forward
    elbow_flexion_deg: np.ndarray
    hand_to_ankles_px: np.ndarray  # horizontal distance of the load hand from the mid-ankle point (side view)
    shoulder_to_midfoot_px: np.ndarray  # shoulder centre ahead (+) of the mid-foot along the facing direction
    foot_pitch_deg: np.ndarray  # near foot, heel->toe line above horizontal; decreases when the heel lifts
    ankle_spacing_px: np.ndarray  # front view: distance between the ankles
    shoulder_width_px: np.ndarray
    twist_deg: np.ndarray  # shoulder line vs hip line heading (world), relative to the clip's standing frames
    hip_yaw_deg: np.ndarray  # unwrapped heading of the hip line (world)
    shoulder_yaw_deg: np.ndarray
    unilateral: np.ndarray  # bool: one foot clearly off the floor

    def height_cm_per_px(self, height_cm: float | None) -> float | None:
        if height_cm is None or not np.isfinite(self.body_height_px) or self.body_height_px <= 0:
            return None
        return float(height_cm) / self.body_height_px


def _nanmean0(stack: np.ndarray, axis: int = 0) -> np.ndarray:
    """nanmean without the all-NaN RuntimeWarning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(stack, axis=axis)


def _masked(seq: PoseSequence, idx: int, min_vis: float) -> np.ndarray:
    return seq.point_px(idx, min_vis)


def _seg_len(seq: PoseSequence, a: int, b: int) -> np.ndarray:
    return np.linalg.norm(seq.xy_px[:, a] - seq.xy_px[:, b], axis=1)


def estimate_body_height_px(seq: PoseSequence) -> float:
    """Standing body height in pixels from the longest-seen segment lengths (robust to bending over).

    Each of shank, thigh, trunk and neck (shoulder->ear) is taken as its 90th
    percentile length over the clip and over both sides (foreshortening only
    shortens a segment), summed, and divided by the fraction of height they cover.
    """
    parts = []
    for (a1, b1), (a2, b2) in (((L.LEFT_ANKLE, L.LEFT_KNEE), (L.RIGHT_ANKLE, L.RIGHT_KNEE)),
                               ((L.LEFT_KNEE, L.LEFT_HIP), (L.RIGHT_KNEE, L.RIGHT_HIP)),
                               ((L.LEFT_HIP, L.LEFT_SHOULDER), (L.RIGHT_HIP, L.RIGHT_SHOULDER)),
                               ((L.LEFT_SHOULDER, L.LEFT_EAR), (L.RIGHT_SHOULDER, L.RIGHT_EAR))):
        both = np.concatenate([_seg_len(seq, a1, b1), _seg_len(seq, a2, b2)])
        both = both[np.isfinite(both)]
        if both.size == 0:
            return float("nan")
        parts.append(float(np.percentile(both, 90)))
    return float(sum(parts) / ANKLE_TO_EAR_FRACTION)


def _load_hand(seq: PoseSequence, ankle_mid: np.ndarray, min_visibility: float) -> np.ndarray:
    """(n, 2) the hand that holds the load: each hand is the mean of its wrist and index finger; of the visible
    hands, the one farther ahead of the ankles (one hand picking a small object up reaches while the other rests
    on a thigh; with a box or a bar both hands are about as far and it makes no difference)."""
    xy, vis = seq.xy_px, seq.visibility
    sides = []
    for w, i in ((L.LEFT_WRIST, L.INDEX["left_index"]), (L.RIGHT_WRIST, L.INDEX["right_index"])):
        h = _nanmean0(np.stack([xy[:, w], xy[:, i]]), axis=0)
        seen = np.maximum(vis[:, w], vis[:, i]) >= min_visibility
        sides.append((h, seen))
    (hl, sl), (hr, sr) = sides
    dl, dr = np.abs(hl[:, 0] - ankle_mid[:, 0]), np.abs(hr[:, 0] - ankle_mid[:, 0])
    # prefer visible hands; when neither (or both) is visible, the farther one
    use_left = np.where(sl != sr, sl, np.nan_to_num(dl, nan=-1.0) >= np.nan_to_num(dr, nan=-1.0))
    return np.where(use_left[:, None], hl, hr)


def compute_kinematics(seq: PoseSequence, params: LiftParams = DEFAULT_LIFT,
                       view: ViewEstimate | None = None) -> LiftKinematics:
    """All per-frame signals the checks use (see :class:`LiftKinematics`)."""
    view = view or estimate_view(seq, params)
    facing = view.facing if view.facing != 0 else 1.0
    xy = seq.xy_px
    mv = params.min_visibility
    sh = midpoint(xy[:, L.LEFT_SHOULDER], xy[:, L.RIGHT_SHOULDER])
    hip = midpoint(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
    ear = midpoint(xy[:, L.LEFT_EAR], xy[:, L.RIGHT_EAR])
    ankle_mid = midpoint(xy[:, L.LEFT_ANKLE], xy[:, L.RIGHT_ANKLE])
    hand = _load_hand(seq, ankle_mid, mv)
    feet_y = xy[:, [L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX], 1]
    lowest_foot = np.max(np.where(np.isfinite(feet_y), feet_y, -np.inf), axis=1)
    lowest_foot[~np.isfinite(lowest_foot)] = np.nan
    floor_y = float(nan_median(lowest_foot))

    body_h = estimate_body_height_px(seq)
    trunk_len_series = np.linalg.norm(sh - hip, axis=1)
    trunk_len = float(np.nanpercentile(trunk_len_series, 90)) if np.isfinite(trunk_len_series).any() else float("nan")

    if view.view == "side":
        lean = angle_from_vertical_deg(hip, sh, facing)
    else:
        # Front/back/oblique: the image shows no flexion; use the world (metric, camera-aligned) trunk inclination.
        w = seq.world_m
        wsh = midpoint(w[:, L.LEFT_SHOULDER], w[:, L.RIGHT_SHOULDER])
        whip = midpoint(w[:, L.LEFT_HIP], w[:, L.RIGHT_HIP])
        d = wsh - whip
        lean = np.degrees(np.arctan2(np.hypot(d[:, 0], d[:, 2]), -d[:, 1]))
    side_lean = np.degrees(np.arctan2(np.abs(sh[:, 0] - hip[:, 0]), np.abs(sh[:, 1] - hip[:, 1])))

    near = L.side_indices(view.near_side)
    far = L.side_indices("left" if view.near_side == "right" else "right")
    # The near knee decides; barbell plates often hide it at the bottom, so its visibility bar is lower.
    knee = flexion_deg(*(_masked(seq, near[p], params.knee_min_visibility) for p in ("hip", "knee", "ankle")))
    knee_far = flexion_deg(*(_masked(seq, far[p], mv) for p in ("hip", "knee", "ankle")))
    knee = np.where(np.isfinite(knee), knee, knee_far)

    knee_pt = xy[:, near["knee"]]
    hip_flex = flexion_deg(sh, hip, knee_pt)  # 0 when shoulder-hip-knee straight
    neck = angle_from_vertical_deg(sh, ear, facing) - lean if view.view == "side" else np.full(len(sh), np.nan)
    trunk_down = hip - sh
    upper_arm = signed_angle_between_deg(trunk_down, xy[:, near["elbow"]] - xy[:, near["shoulder"]], facing)
    if view.view != "side":
        upper_arm = np.abs(upper_arm)
    elbow = flexion_deg(xy[:, near["shoulder"]], xy[:, near["elbow"]], xy[:, near["wrist"]])

    hand_to_ankles = np.abs(hand[:, 0] - ankle_mid[:, 0])
    midfoot = _nanmean0(np.stack([xy[:, L.LEFT_HEEL], xy[:, L.RIGHT_HEEL], xy[:, L.LEFT_FOOT_INDEX],
                                   xy[:, L.RIGHT_FOOT_INDEX]]), axis=0)
    sh_to_midfoot = facing * (sh[:, 0] - midfoot[:, 0])
    heel, toe = xy[:, near["heel"]], xy[:, near["foot_index"]]
    foot_pitch = np.degrees(np.arctan2(-(toe[:, 1] - heel[:, 1]), facing * (toe[:, 0] - heel[:, 0])))

    w = seq.world_m
    hip_yaw = np.degrees(np.unwrap(np.radians(np.nan_to_num(yaw_deg(w[:, L.LEFT_HIP], w[:, L.RIGHT_HIP])))))
    sh_yaw = np.degrees(np.unwrap(np.radians(np.nan_to_num(yaw_deg(w[:, L.LEFT_SHOULDER], w[:, L.RIGHT_SHOULDER])))))
    bad = ~np.isfinite(w[:, [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]]).all(axis=(1, 2))
    hip_yaw[bad] = np.nan
    sh_yaw[bad] = np.nan
    twist_raw = wrap_deg(sh_yaw - hip_yaw)
    upright = np.abs(lean) < 20
    ref = nan_median(twist_raw[upright]) if np.isfinite(twist_raw[upright]).any() else nan_median(twist_raw)
    twist = wrap_deg(twist_raw - (ref if np.isfinite(ref) else 0.0))

    leg_len = nan_median(np.concatenate([_seg_len(seq, L.LEFT_HIP, L.LEFT_ANKLE), _seg_len(seq, L.RIGHT_HIP, L.RIGHT_ANKLE)]))
    lift = np.abs(xy[:, L.LEFT_ANKLE, 1] - xy[:, L.RIGHT_ANKLE, 1])
    with np.errstate(invalid="ignore"):
        unilateral = lift > params.reba_one_leg_frac * (leg_len if np.isfinite(leg_len) else np.inf)

    def height(p: np.ndarray) -> np.ndarray:
        return floor_y - p[:, 1]

    return LiftKinematics(
        view=view, body_height_px=body_h, trunk_length_px=trunk_len, floor_y_px=floor_y,
        shoulder_height_px=height(sh), hip_height_px=height(hip), hand_height_px=height(hand),
        trunk_lean_deg=lean, trunk_side_lean_deg=side_lean, knee_flexion_deg=knee, hip_flexion_deg=hip_flex,
        neck_flexion_deg=neck, upper_arm_flexion_deg=upper_arm, elbow_flexion_deg=elbow,
        hand_to_ankles_px=hand_to_ankles, shoulder_to_midfoot_px=sh_to_midfoot, foot_pitch_deg=foot_pitch,
        ankle_spacing_px=np.linalg.norm(xy[:, L.LEFT_ANKLE] - xy[:, L.RIGHT_ANKLE], axis=1),
        shoulder_width_px=np.linalg.norm(xy[:, L.LEFT_SHOULDER] - xy[:, L.RIGHT_SHOULDER], axis=1),
        twist_deg=twist, hip_yaw_deg=hip_yaw, shoulder_yaw_deg=sh_yaw, unilateral=np.asarray(unilateral, bool),
    )
