"""Per-frame sitting measures, computed on image pixels of a side view.

All functions are vectorised over frames and return NaN where an input is NaN
or a landmark is hidden. Sign conventions (degrees):

- ``trunk_lean_deg``: hip-centre to shoulder-centre line from vertical, positive
  leaning forward, negative leaning back.
- ``forward_head_deg``: shoulder-centre to ear-centre line from vertical, positive
  with the ear ahead of the shoulder. A PROXY for head inclination / forward head
  posture: MediaPipe has no C7 (neck) point, so the shoulder stands in for it.
- ``head_pitch_deg``: ear-to-nose line below horizontal, positive looking down.
- ``thigh_angle_deg``: hip-to-knee line from horizontal, positive when the hip
  is HIGHER than the knee (the guidance: hips higher than knees).
- ``foot_pitch_deg``: heel-to-toe line from horizontal, positive toes up.
- ``shin_tilt_deg``: knee-to-ankle line from the image's downward vertical,
  positive with the ankle to the image-right of the knee (image axes, not facing).

The camera may be tilted (rolled about its axis). :func:`estimate_camera_roll_deg`
assumes seated shins are near vertical; when the shins lean more than the dead
band the whole pose is rotated back by that angle before any measure is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture import landmarks as L
from posture.geometry import angle_from_horizontal_deg, angle_from_vertical_deg, distance, midpoint, nan_median
from posture.sequence import PoseSequence
from posture.sit.params import DEFAULT_SIT, SitParams

VIEW_LABELS = ("side", "front", "back", "oblique", "none")
_SIDE = {"left": L.side_indices("left"), "right": L.side_indices("right")}


# ---------------------------------------------------------------------------------------------- angles
def trunk_lean_deg(hip_px: np.ndarray, shoulder_px: np.ndarray, facing: np.ndarray | float) -> np.ndarray:
    """Trunk (hip to shoulder) from vertical, degrees, positive forward; (..., 2) pixels in, (...) out."""
    return angle_from_vertical_deg(hip_px, shoulder_px, facing)


def forward_head_deg(shoulder_px: np.ndarray, ear_px: np.ndarray, facing: np.ndarray | float) -> np.ndarray:
    """Shoulder-to-ear line from vertical, degrees, positive with the ear ahead (forward head PROXY, no C7)."""
    return angle_from_vertical_deg(shoulder_px, ear_px, facing)


def head_pitch_deg(ear_px: np.ndarray, nose_px: np.ndarray, facing: np.ndarray | float) -> np.ndarray:
    """Ear-to-nose line below horizontal, degrees, positive looking down."""
    return -angle_from_horizontal_deg(ear_px, nose_px, facing)


def thigh_angle_deg(hip_px: np.ndarray, knee_px: np.ndarray, facing: np.ndarray | float) -> np.ndarray:
    """Hip-to-knee line from horizontal, degrees, positive when the hip is higher than the knee."""
    return -angle_from_horizontal_deg(hip_px, knee_px, facing)


def foot_pitch_deg(heel_px: np.ndarray, toe_px: np.ndarray, facing: np.ndarray | float) -> np.ndarray:
    """Heel-to-toe line from horizontal, degrees, positive toes up, negative toes down."""
    return angle_from_horizontal_deg(heel_px, toe_px, facing)


def shin_tilt_deg(knee_px: np.ndarray, ankle_px: np.ndarray) -> np.ndarray:
    """Knee-to-ankle line from the image's downward vertical, degrees, positive with the ankle image-right."""
    d = np.asarray(ankle_px, float) - np.asarray(knee_px, float)
    return np.degrees(np.arctan2(d[..., 0], d[..., 1]))


def rotate_points_px(xy_px: np.ndarray, angle_deg: float, center_px: np.ndarray | tuple[float, float]) -> np.ndarray:
    """Rotate pixel points (..., 2) by ``angle_deg`` about ``center_px`` in image axes (y down).

    A positive angle turns the downward vertical (0, 1) toward image-left, so
    rotating by :func:`shin_tilt_deg` of a shin makes that shin vertical.
    """
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    p = np.asarray(xy_px, float) - np.asarray(center_px, float)
    out = np.empty_like(p)
    out[..., 0] = c * p[..., 0] - s * p[..., 1]
    out[..., 1] = s * p[..., 0] + c * p[..., 1]
    return out + np.asarray(center_px, float)


# ---------------------------------------------------------------------------------------------- view
def body_width_ratio(xy_px: np.ndarray) -> np.ndarray:
    """(n,) larger of shoulder and hip width over trunk length in the image: ~0 from the side, ~0.9 from the front."""
    sh_w = distance(xy_px[:, L.LEFT_SHOULDER], xy_px[:, L.RIGHT_SHOULDER])
    hip_w = distance(xy_px[:, L.LEFT_HIP], xy_px[:, L.RIGHT_HIP])
    trunk = distance(midpoint(xy_px[:, L.LEFT_HIP], xy_px[:, L.RIGHT_HIP]),
                     midpoint(xy_px[:, L.LEFT_SHOULDER], xy_px[:, L.RIGHT_SHOULDER]))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.fmax(sh_w, hip_w) / trunk


def classify_view(xy_px: np.ndarray, visibility: np.ndarray, params: SitParams = DEFAULT_SIT) -> np.ndarray:
    """(n,) view per frame: "side", "front", "back", "oblique" or "none" (shoulders/hips not seen)."""
    n = xy_px.shape[0]
    ratio = body_width_ratio(xy_px)
    torso = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]
    seen = np.isfinite(ratio) & (np.nanmax(visibility[:, torso], axis=1) >= params.min_visibility)
    # Facing the camera, the person's left shoulder is on the image right.
    left_on_right = xy_px[:, L.LEFT_SHOULDER, 0] > xy_px[:, L.RIGHT_SHOULDER, 0]
    out = np.full(n, "oblique", dtype=object)
    out[ratio <= params.side_view_max_width_ratio] = "side"
    wide = ratio >= params.front_view_min_width_ratio
    out[wide & left_on_right] = "front"
    out[wide & ~left_on_right] = "back"
    out[~seen] = "none"
    return out


def facing_direction(xy_px: np.ndarray, visibility: np.ndarray, min_visibility: float = DEFAULT_SIT.min_visibility) -> np.ndarray:
    """(n,) +1 facing image-right, -1 facing image-left, NaN unknown.

    From the nose ahead of the ears; where the face is hidden, from the knees
    ahead of the hips (true when seated).
    """
    ear = midpoint(xy_px[:, L.LEFT_EAR], xy_px[:, L.RIGHT_EAR])
    ear_vis = np.fmax(visibility[:, L.LEFT_EAR], visibility[:, L.RIGHT_EAR])
    face_ok = (visibility[:, L.NOSE] >= min_visibility) & (ear_vis >= min_visibility)
    by_face = np.sign(xy_px[:, L.NOSE, 0] - ear[:, 0])
    hip = midpoint(xy_px[:, L.LEFT_HIP], xy_px[:, L.RIGHT_HIP])
    knee = midpoint(xy_px[:, L.LEFT_KNEE], xy_px[:, L.RIGHT_KNEE])
    by_knee = np.sign(knee[:, 0] - hip[:, 0])
    out = np.where(face_ok & (by_face != 0), by_face, by_knee)
    out = np.where(np.isfinite(out) & (out != 0), out, np.nan)
    return out.astype(float)


def near_side_is_left(depth_px: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """(n,) bool: the person's left side is nearer the camera (smaller depth; visibility when depth is missing)."""
    left = depth_px[:, [L.LEFT_SHOULDER, L.LEFT_HIP]].sum(axis=1)
    right = depth_px[:, [L.RIGHT_SHOULDER, L.RIGHT_HIP]].sum(axis=1)
    vis_left = visibility[:, [L.LEFT_KNEE, L.LEFT_HIP, L.LEFT_SHOULDER]].sum(axis=1)
    vis_right = visibility[:, [L.RIGHT_KNEE, L.RIGHT_HIP, L.RIGHT_SHOULDER]].sum(axis=1)
    by_depth = np.isfinite(left) & np.isfinite(right) & (left != right)
    return np.where(by_depth, left < right, vis_left >= vis_right)


def _point(xy_px: np.ndarray, vis: np.ndarray, left: int, right: int, near_left: np.ndarray,
           min_visibility: float) -> tuple[np.ndarray, np.ndarray]:
    """Midpoint of a left/right pair where both are visible, else the near (or only visible) one; NaN if hidden.

    Returns ((n, 2) pixels, (n,) visibility of what was used).
    """
    vl, vr = vis[:, left], vis[:, right]
    both = (vl >= min_visibility) & (vr >= min_visibility)
    near = np.where(near_left, left, right)
    far = np.where(near_left, right, left)
    rows = np.arange(len(vis))
    v_near = vis[rows, near]
    one = np.where(v_near >= min_visibility, near, far)
    p = np.where(both[:, None], midpoint(xy_px[:, left], xy_px[:, right]), xy_px[rows, one])
    v = np.where(both, np.minimum(vl, vr), vis[rows, one])
    p = np.where((v >= min_visibility)[:, None], p, np.nan)
    return p, v


def _best_leg(vis: np.ndarray, near_left: np.ndarray, joint: str) -> np.ndarray:
    """(n,) bool: use the left leg (its ``joint`` is more visible, near side on a tie)."""
    li, ri = _SIDE["left"][joint], _SIDE["right"][joint]
    return np.where(vis[:, li] == vis[:, ri], near_left, vis[:, li] > vis[:, ri])


def _leg_points(xy_px: np.ndarray, vis: np.ndarray, use_left: np.ndarray, joints: tuple[str, ...]) -> tuple[list, np.ndarray]:
    rows = np.arange(len(vis))
    pts, vmin = [], np.ones(len(vis))
    for j in joints:
        idx = np.where(use_left, _SIDE["left"][j], _SIDE["right"][j])
        pts.append(xy_px[rows, idx])
        vmin = np.minimum(vmin, vis[rows, idx])
    return pts, vmin


# ---------------------------------------------------------------------------------------------- camera roll
@dataclass(frozen=True)
class CameraRoll:
    """Camera roll estimated from the shins (assumed vertical when seated)."""

    estimate_deg: float  # median shin tilt over side-view frames, NaN when no shin was visible
    applied_deg: float  # the correction used: the estimate when outside the dead band, else 0
    n_frames: int  # frames the estimate came from
    reason: str  # plain words: why it was or was not applied

    def to_dict(self) -> dict:
        return {"estimate_deg": self.estimate_deg, "applied_deg": self.applied_deg, "n_frames": self.n_frames,
                "reason": self.reason}


def estimate_camera_roll_deg(xy_px: np.ndarray, visibility: np.ndarray, near_left: np.ndarray, use: np.ndarray,
                             params: SitParams = DEFAULT_SIT) -> CameraRoll:
    """Camera roll from the direction of the most visible shin over frames ``use`` (bool (n,))."""
    use_left = _best_leg(visibility, near_left, "ankle")
    (knee, ankle), v = _leg_points(xy_px, visibility, use_left, ("knee", "ankle"))
    tilt = shin_tilt_deg(knee, ankle)
    ok = use & (v >= params.min_visibility) & np.isfinite(tilt)
    if not ok.any():
        return CameraRoll(np.nan, 0.0, 0, "shins not visible: camera assumed level")
    est = float(nan_median(tilt[ok]))
    if abs(est) < params.roll_dead_band_deg:
        return CameraRoll(est, 0.0, int(ok.sum()),
                          f"shins lean {est:.0f} deg, within the {params.roll_dead_band_deg:.0f} deg a seated shin leans "
                          "on its own: camera assumed level")
    if abs(est) > params.roll_max_deg:
        return CameraRoll(est, 0.0, int(ok.sum()), f"shins lean {est:.0f} deg, too far to be a tilted camera: not corrected")
    return CameraRoll(est, est, int(ok.sum()), f"shins lean {est:.0f} deg: camera tilt assumed and corrected")


# ---------------------------------------------------------------------------------------------- all measures
@dataclass(frozen=True)
class SittingMeasures:
    """Per-frame measures of a sequence (all arrays (n,); angles in degrees, NaN where not judged)."""

    timestamps_s: np.ndarray
    view: np.ndarray  # object array of VIEW_LABELS
    width_ratio: np.ndarray
    facing: np.ndarray  # +1 / -1 / NaN
    trunk_deg: np.ndarray
    forward_head_deg: np.ndarray
    neck_flexion_deg: np.ndarray  # forward_head - trunk: head relative to trunk (ISO 11226 neck flexion, proxy)
    head_pitch_deg: np.ndarray
    thigh_deg: np.ndarray  # NaN where the thigh is hidden or foreshortened
    thigh_length_fraction: np.ndarray  # thigh length over its expected length from the trunk
    thigh_status: np.ndarray  # object array: "ok", "hidden", "foreshortened"
    foot_pitch_deg: np.ndarray  # NaN where the foot is hidden
    upper_visibility: np.ndarray  # min visibility of the ear, shoulder and hip points used
    leg_visibility: np.ndarray  # min visibility of the hip and knee used for the thigh
    roll: CameraRoll

    @property
    def n_frames(self) -> int:
        return int(self.timestamps_s.shape[0])

    @property
    def side(self) -> np.ndarray:
        return self.view == "side"


def measure_sitting(seq: PoseSequence, params: SitParams = DEFAULT_SIT) -> SittingMeasures:
    """Every per-frame sitting measure of ``seq`` (pixels; camera roll corrected when the shins show it)."""
    xy = np.asarray(seq.xy_px, float)
    vis = np.asarray(seq.visibility, float)
    mv = params.min_visibility
    view = classify_view(xy, vis, params)
    ratio = body_width_ratio(xy)
    near_left = near_side_is_left(np.asarray(seq.depth_px, float), vis)

    roll = estimate_camera_roll_deg(xy, vis, near_left, view == "side", params)
    if roll.applied_deg != 0.0:
        center = (seq.video.width / 2.0, seq.video.height / 2.0)
        xy = rotate_points_px(xy, roll.applied_deg, center)

    facing = facing_direction(xy, vis, mv)
    # one facing for the whole side-view part of a video: the person does not turn round while seated
    side = view == "side"
    if side.any() and np.isfinite(facing[side]).any():
        fs = np.sign(np.nansum(facing[side]))
        facing = np.where(side, fs if fs != 0 else facing, facing)

    ear, v_ear = _point(xy, vis, L.LEFT_EAR, L.RIGHT_EAR, near_left, mv)
    sh, v_sh = _point(xy, vis, L.LEFT_SHOULDER, L.RIGHT_SHOULDER, near_left, mv)
    hip, v_hip = _point(xy, vis, L.LEFT_HIP, L.RIGHT_HIP, near_left, mv)
    nose = np.where((vis[:, L.NOSE] >= mv)[:, None], xy[:, L.NOSE], np.nan)

    trunk = trunk_lean_deg(hip, sh, facing)
    head = forward_head_deg(sh, ear, facing)
    pitch = head_pitch_deg(ear, nose, facing)

    use_left = _best_leg(vis, near_left, "knee")
    (leg_hip, knee), v_leg = _leg_points(xy, vis, use_left, ("hip", "knee"))
    thigh_raw = thigh_angle_deg(leg_hip, knee, facing)
    trunk_len = distance(hip, sh)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = distance(leg_hip, knee) / (params.thigh_to_trunk_ratio * trunk_len)
    hidden = v_leg < mv
    short = ~hidden & ~(frac >= params.min_thigh_length_fraction)
    status = np.full(len(xy), "ok", dtype=object)
    status[short] = "foreshortened"
    status[hidden] = "hidden"
    thigh = np.where(status == "ok", thigh_raw, np.nan)

    foot_left = _best_leg(vis, near_left, "foot_index")
    (heel, toe), v_foot = _leg_points(xy, vis, foot_left, ("heel", "foot_index"))
    foot = np.where(v_foot >= mv, foot_pitch_deg(heel, toe, facing), np.nan)

    upper_vis = np.minimum(np.minimum(v_ear, v_sh), v_hip)
    return SittingMeasures(
        timestamps_s=np.asarray(seq.timestamps_s, float), view=view, width_ratio=ratio, facing=facing,
        trunk_deg=trunk, forward_head_deg=head, neck_flexion_deg=head - trunk, head_pitch_deg=pitch,
        thigh_deg=thigh, thigh_length_fraction=frac, thigh_status=status, foot_pitch_deg=foot,
        upper_visibility=upper_vis, leg_visibility=v_leg, roll=roll,
    )


def hips_vs_knees(thigh_deg: float, params: SitParams = DEFAULT_SIT) -> str:
    """"higher", "level", "lower" (hips relative to knees) or "not_visible" for a NaN thigh angle."""
    if not np.isfinite(thigh_deg):
        return "not_visible"
    if thigh_deg > params.hips_level_band_deg:
        return "higher"
    if thigh_deg < params.hips_below_knees_deg:
        return "lower"
    return "level"
