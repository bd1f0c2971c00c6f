"""Per-frame sitting measures: image pixels in side views, 3D world landmarks in three-quarter views.

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

- ``knee_deg``: the knee's inside angle between thigh and shin, 180 straight, about
  90-110 with the feet flat on the floor, small when the shins fold back.

The camera may be tilted (rolled about its axis). :func:`estimate_camera_roll_deg`
uses the shins as the room's vertical only when they really are vertical evidence:
both shins seen, parallel, at a right angle to their thighs, with both feet flat at a
right angle to the shins (a roll turns thigh, shin and foot together; a folded,
kneeling or hanging leg does not). Then, when they lean more than
the dead band, the whole pose is rotated back by that angle before any measure is
taken; otherwise the camera is assumed level and the roll is marked unsure.

Three-quarter ("oblique") views, where the pixel angles of a side view are
foreshortened, use the world landmarks (metres, hip-centred, y down): the angles are
taken in the body's own sagittal plane (forward = perpendicular to the hip line,
toward the face or the knees), so they do not depend on where the camera stands
around the person. MediaPipe's depth is rough, so these carry a larger typical error
(``SitParams.world_uncertainty_deg``), which the findings state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture import landmarks as L
from posture.geometry import (
    angle_from_horizontal_deg,
    angle_from_vertical_deg,
    distance,
    joint_angle_deg,
    midpoint,
    nan_median,
)
from posture.sequence import PoseSequence
from posture.sit.params import DEFAULT_SIT, SitParams
from posture.view import VIEW_NAMES, ViewTrack, classify_views

VIEW_LABELS = VIEW_NAMES  # side / front / back / oblique / unknown (posture.view)
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
# Views come from posture.view.classify_views (one classifier for every task): side / front / back / oblique / unknown.


def facing_direction(xy_px: np.ndarray, visibility: np.ndarray, min_visibility: float = DEFAULT_SIT.min_visibility) -> np.ndarray:
    """(n,) +1 facing image-right, -1 facing image-left, NaN unknown.

    From the knees ahead of the hips when they clearly are (seated, the knees sit most of a thigh ahead: at least
    0.3 trunk lengths), else from the nose ahead of the ears, else from the knees anyway. The knees come first
    because a head bowed over a laptop can put the nose level with or behind the ears.
    """
    ear = midpoint(xy_px[:, L.LEFT_EAR], xy_px[:, L.RIGHT_EAR])
    ear_vis = np.fmax(visibility[:, L.LEFT_EAR], visibility[:, L.RIGHT_EAR])
    face_ok = (visibility[:, L.NOSE] >= min_visibility) & (ear_vis >= min_visibility)
    by_face = np.sign(xy_px[:, L.NOSE, 0] - ear[:, 0])
    hip = midpoint(xy_px[:, L.LEFT_HIP], xy_px[:, L.RIGHT_HIP])
    sh = midpoint(xy_px[:, L.LEFT_SHOULDER], xy_px[:, L.RIGHT_SHOULDER])
    knee = midpoint(xy_px[:, L.LEFT_KNEE], xy_px[:, L.RIGHT_KNEE])
    by_knee = np.sign(knee[:, 0] - hip[:, 0])
    knee_vis = np.fmax(visibility[:, L.LEFT_KNEE], visibility[:, L.RIGHT_KNEE])
    with np.errstate(invalid="ignore"):
        knees_clear = (knee_vis >= min_visibility) & (np.abs(knee[:, 0] - hip[:, 0]) >= 0.3 * distance(hip, sh))
    out = np.where(knees_clear, by_knee, np.where(face_ok & (by_face != 0), by_face, by_knee))
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
    """Camera roll estimated from the shins, only when they are evidence of the room's vertical."""

    estimate_deg: float  # median shin tilt over the usable frames, NaN when no shin was visible
    applied_deg: float  # the correction used: the estimate when it is believable and outside the dead band, else 0
    n_frames: int  # frames the estimate came from
    reason: str  # plain words: why it was or was not applied
    unsure: bool = False  # the shins lean past the dead band but cannot show the camera's roll: level assumed

    def to_dict(self) -> dict:
        return {"estimate_deg": self.estimate_deg, "applied_deg": self.applied_deg, "n_frames": self.n_frames,
                "reason": self.reason, "unsure": self.unsure}


def _shin_evidence(xy_px: np.ndarray, visibility: np.ndarray, params: SitParams) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: (tilt of the shins (n,) deg, planted (n,) bool: both shins and feet seen, the shins parallel and at
    right angles to the thighs, the feet at right angles to the shins).

    The tilt is the mean of both shins where both are seen, else the better-seen one (for the reason text).
    """
    mv = params.min_visibility
    tilts, knees, feet, seen, feet_seen = [], [], [], [], []
    for side in ("left", "right"):
        i = _SIDE[side]
        tilts.append(shin_tilt_deg(xy_px[:, i["knee"]], xy_px[:, i["ankle"]]))
        knees.append(joint_angle_deg(xy_px[:, i["hip"]], xy_px[:, i["knee"]], xy_px[:, i["ankle"]]))
        # the foot against the shin: the angle between ankle->knee and heel->toe
        shin_up = xy_px[:, i["knee"]] - xy_px[:, i["ankle"]]
        foot = xy_px[:, i["foot_index"]] - xy_px[:, i["heel"]]
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = np.sum(shin_up * foot, axis=-1) / (np.linalg.norm(shin_up, axis=-1) * np.linalg.norm(foot, axis=-1))
        feet.append(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
        seen.append(np.minimum.reduce([visibility[:, i[j]] for j in ("hip", "knee", "ankle")]) >= mv)
        feet_seen.append(np.minimum(visibility[:, i["heel"]], visibility[:, i["foot_index"]]) >= mv)
    t_l, t_r = tilts
    both = seen[0] & seen[1] & feet_seen[0] & feet_seen[1]
    lo, hi = params.roll_knee_range_deg
    flo, fhi = params.roll_foot_shin_range_deg
    with np.errstate(invalid="ignore"):
        parallel = np.abs(t_l - t_r) <= params.roll_max_shin_disagreement_deg
        square = (knees[0] >= lo) & (knees[0] <= hi) & (knees[1] >= lo) & (knees[1] <= hi)
        flat = (feet[0] >= flo) & (feet[0] <= fhi) & (feet[1] >= flo) & (feet[1] <= fhi)
    tilt = np.where(seen[0] & seen[1], (t_l + t_r) / 2.0, np.where(seen[0], t_l, np.where(seen[1], t_r, np.nan)))
    return tilt, both & parallel & square & flat & np.isfinite(tilt)


def estimate_camera_roll_deg(xy_px: np.ndarray, visibility: np.ndarray, near_left: np.ndarray, use: np.ndarray,
                             params: SitParams = DEFAULT_SIT) -> CameraRoll:
    """Camera roll from the shins over frames ``use`` (bool (n,)), only where they are vertical evidence.

    ``near_left`` is kept for the call signature; both legs are needed now (one shin can lean on its own).
    """
    tilt, planted = _shin_evidence(np.asarray(xy_px, float), np.asarray(visibility, float), params)
    seen = use & np.isfinite(tilt)
    if not seen.any():
        return CameraRoll(np.nan, 0.0, 0, "shins not visible: camera assumed level")
    est_all = float(nan_median(tilt[seen]))
    ok = use & planted
    if not ok.any() or ok.sum() < 0.5 * seen.sum():
        unsure = abs(est_all) >= params.roll_dead_band_deg
        why = ("the shins are not both clearly seen, parallel, square to the thighs with the feet flat (a leg or foot "
               "hidden, folded, tucked, kneeling or hanging), so they cannot show the camera's tilt")
        return CameraRoll(est_all, 0.0, int(ok.sum()),
                          f"shins lean {est_all:.0f} deg but {why}: camera assumed level"
                          + (", posture less certain" if unsure else ""), unsure=unsure)
    est = float(nan_median(tilt[ok]))
    if abs(est) < params.roll_dead_band_deg:
        return CameraRoll(est, 0.0, int(ok.sum()),
                          f"shins lean {est:.0f} deg, within the {params.roll_dead_band_deg:.0f} deg a seated shin leans "
                          "on its own: camera assumed level")
    if abs(est) > params.roll_max_deg:
        return CameraRoll(est, 0.0, int(ok.sum()), f"shins lean {est:.0f} deg, too far to be a tilted camera: not "
                          "corrected, posture less certain", unsure=True)
    return CameraRoll(est, est, int(ok.sum()), f"both shins lean {est:.0f} deg, parallel and square to the thighs: "
                      "camera tilt assumed and corrected")


def rotate_world_m(world_m: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate world points (..., 3) about the camera axis (z) like :func:`rotate_points_px` turns the image."""
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    w = np.asarray(world_m, float)
    out = w.copy()
    out[..., 0] = c * w[..., 0] - s * w[..., 1]
    out[..., 1] = s * w[..., 0] + c * w[..., 1]
    return out


# ---------------------------------------------------------------------------------------------- world angles
_UP = np.array([0.0, -1.0, 0.0])  # world y points down


def world_forward(world_m: np.ndarray, visibility: np.ndarray, min_visibility: float = DEFAULT_SIT.min_visibility
                  ) -> np.ndarray:
    """(n, 3) the body's forward direction in the horizontal plane of the world landmarks; NaN when unknown.

    Perpendicular to the hip line (left to right hip), pointing the way the knees point (true when seated), else
    the way the face looks (nose ahead of the ears) when the knees are within 10 cm of the hips' depth.
    """
    w = np.asarray(world_m, float)
    lr = w[:, L.RIGHT_HIP] - w[:, L.LEFT_HIP]
    f = np.cross(lr, _UP)
    f[:, 1] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        f = f / np.linalg.norm(f, axis=1, keepdims=True)
    vis = np.asarray(visibility, float)
    ear = midpoint(w[:, L.LEFT_EAR], w[:, L.RIGHT_EAR])
    face_ok = (vis[:, L.NOSE] >= min_visibility) & (np.fmax(vis[:, L.LEFT_EAR], vis[:, L.RIGHT_EAR]) >= min_visibility)
    by_face = np.sign(np.sum((w[:, L.NOSE] - ear) * f, axis=1))
    hip = midpoint(w[:, L.LEFT_HIP], w[:, L.RIGHT_HIP])
    knee = midpoint(w[:, L.LEFT_KNEE], w[:, L.RIGHT_KNEE])
    knee_ahead = np.sum((knee - hip) * f, axis=1)
    by_knee = np.sign(knee_ahead)
    # seated, the knees are ahead of the hips by most of a thigh (0.4 m): the surest cue; the face (a bowed head
    # can put the nose behind the ears in MediaPipe's depth) only when the knees are level with the hips
    with np.errstate(invalid="ignore"):
        knees_clear = np.abs(knee_ahead) >= 0.1
    s = np.where(knees_clear, by_knee, np.where(face_ok & (by_face != 0), by_face, by_knee))
    s = np.where(np.isfinite(s) & (s != 0), s, np.nan)
    return f * s[:, None]


def sagittal_angle_deg(lower: np.ndarray, upper: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """(n,) world segment ``lower -> upper`` from vertical in the body's sagittal plane, degrees, positive forward."""
    d = np.asarray(upper, float) - np.asarray(lower, float)
    return np.degrees(np.arctan2(np.sum(d * forward, axis=-1), np.sum(d * _UP, axis=-1)))


def world_thigh_deg(hip_m: np.ndarray, knee_m: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """(n,) world thigh from horizontal in the sagittal plane, degrees, positive with the hip higher than the knee."""
    d = np.asarray(knee_m, float) - np.asarray(hip_m, float)
    return np.degrees(np.arctan2(-np.sum(d * _UP, axis=-1), np.sum(d * forward, axis=-1)))


# ---------------------------------------------------------------------------------------------- all measures
@dataclass(frozen=True)
class SittingMeasures:
    """Per-frame measures of a sequence (all arrays (n,); angles in degrees, NaN where not judged)."""

    timestamps_s: np.ndarray
    view: np.ndarray  # object array of VIEW_LABELS (posture.view)
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
    knee_deg: np.ndarray | None = None  # knee inside angle (thigh to shin), NaN where the shin is hidden
    method: np.ndarray | None = None  # object (n,): "pixels" (side view), "world" (three-quarter), "" (not measured)
    pixel_trunk_deg: np.ndarray | None = None  # the side-view pixel trunk angle, every frame (for comparison)
    world_trunk_deg: np.ndarray | None = None  # the world-landmark trunk angle, every frame (for comparison)
    world_thigh_deg: np.ndarray | None = None
    body_height_px: np.ndarray | None = None
    world_head_deg: np.ndarray | None = None
    world_knee_deg: np.ndarray | None = None
    pixel_head_deg: np.ndarray | None = None
    pixel_thigh_deg: np.ndarray | None = None
    pixel_knee_deg: np.ndarray | None = None

    @property
    def n_frames(self) -> int:
        return int(self.timestamps_s.shape[0])

    @property
    def side(self) -> np.ndarray:
        return self.view == "side"

    @property
    def measurable(self) -> np.ndarray:
        """(n,) bool: a view whose posture angles we can measure (side in pixels, oblique in world landmarks)."""
        return np.isin(self.view, ("side", "oblique"))

    @property
    def uses_world(self) -> np.ndarray:
        return self.method == "world" if self.method is not None else np.zeros(self.n_frames, bool)


def measure_sitting(seq: PoseSequence, params: SitParams = DEFAULT_SIT, views: ViewTrack | None = None) -> SittingMeasures:
    """Every per-frame sitting measure of ``seq``: pixels in side views, world landmarks in oblique views."""
    xy = np.asarray(seq.xy_px, float)
    world = np.asarray(seq.world_m, float)
    vis = np.asarray(seq.visibility, float)
    mv = params.min_visibility
    views = views if views is not None else classify_views(seq)
    view = np.asarray(views.view, dtype=object)
    ratio = np.asarray(views.width_ratio, float)
    near_left = near_side_is_left(np.asarray(seq.depth_px, float), vis)

    yaw = np.asarray(getattr(views, "yaw_deg", np.full(len(xy), np.nan)), float)
    with np.errstate(invalid="ignore"):
        profile = (view == "side") & ~(yaw < params.pixel_min_yaw_deg)  # pixel-measured frames only
    roll = estimate_camera_roll_deg(xy, vis, near_left, profile, params)
    if roll.applied_deg != 0.0:
        center = (seq.video.width / 2.0, seq.video.height / 2.0)
        xy = rotate_points_px(xy, roll.applied_deg, center)
        world = rotate_world_m(world, roll.applied_deg)

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

    trunk_px = trunk_lean_deg(hip, sh, facing)
    head_px = forward_head_deg(sh, ear, facing)
    pitch = head_pitch_deg(ear, nose, facing)

    use_left = _best_leg(vis, near_left, "knee")
    (leg_hip, knee, ankle), v_leg3 = _leg_points(xy, vis, use_left, ("hip", "knee", "ankle"))
    (_, _), v_leg = _leg_points(xy, vis, use_left, ("hip", "knee"))
    thigh_raw = thigh_angle_deg(leg_hip, knee, facing)
    trunk_len = distance(hip, sh)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = distance(leg_hip, knee) / (params.thigh_to_trunk_ratio * trunk_len)
    hidden = v_leg < mv
    short = ~hidden & ~(frac >= params.min_thigh_length_fraction)
    status = np.full(len(xy), "ok", dtype=object)
    status[short] = "foreshortened"
    status[hidden] = "hidden"
    thigh_px = np.where(status == "ok", thigh_raw, np.nan)
    knee_px = np.where(v_leg3 >= mv, joint_angle_deg(leg_hip, knee, ankle), np.nan)

    # world landmarks: the same angles in the body's own sagittal plane (three-quarter views)
    fwd = world_forward(world, vis, mv)
    w_hip = midpoint(world[:, L.LEFT_HIP], world[:, L.RIGHT_HIP])
    w_sh = midpoint(world[:, L.LEFT_SHOULDER], world[:, L.RIGHT_SHOULDER])
    w_ear = midpoint(world[:, L.LEFT_EAR], world[:, L.RIGHT_EAR])
    trunk_w = sagittal_angle_deg(w_hip, w_sh, fwd)
    head_w = sagittal_angle_deg(w_sh, w_ear, fwd)
    rows = np.arange(len(xy))
    li = np.where(use_left, _SIDE["left"]["hip"], _SIDE["right"]["hip"])
    ki = np.where(use_left, _SIDE["left"]["knee"], _SIDE["right"]["knee"])
    ai = np.where(use_left, _SIDE["left"]["ankle"], _SIDE["right"]["ankle"])
    thigh_w = np.where(v_leg >= mv, world_thigh_deg(world[rows, li], world[rows, ki], fwd), np.nan)
    knee_w = np.where(v_leg3 >= mv, joint_angle_deg(world[rows, li], world[rows, ki], world[rows, ai]), np.nan)
    upper_ok = np.minimum(np.minimum(v_ear, v_sh), v_hip) >= mv
    trunk_w = np.where(upper_ok, trunk_w, np.nan)
    head_w = np.where(upper_ok, head_w, np.nan)

    with np.errstate(invalid="ignore"):
        turned = side & (yaw < params.pixel_min_yaw_deg)  # "side" to the view module, too turned for pixel angles
    oblique = (view == "oblique") | turned
    method = np.where(oblique, "world", np.where(side, "pixels", "")).astype(object)
    trunk = np.where(oblique, trunk_w, trunk_px)
    head = np.where(oblique, head_w, head_px)
    thigh = np.where(oblique, thigh_w, thigh_px)
    knee_deg = np.where(oblique, knee_w, knee_px)
    status = np.where(oblique & ~hidden, "ok", status).astype(object)

    foot_left = _best_leg(vis, near_left, "foot_index")
    (heel, toe), v_foot = _leg_points(xy, vis, foot_left, ("heel", "foot_index"))
    foot = np.where(v_foot >= mv, foot_pitch_deg(heel, toe, facing), np.nan)
    foot = np.where(oblique, np.nan, foot)  # the foot's pitch in pixels is foreshortened in a three-quarter view

    upper_vis = np.minimum(np.minimum(v_ear, v_sh), v_hip)
    return SittingMeasures(
        timestamps_s=np.asarray(seq.timestamps_s, float), view=view, width_ratio=ratio, facing=facing,
        trunk_deg=trunk, forward_head_deg=head, neck_flexion_deg=head - trunk, head_pitch_deg=pitch,
        thigh_deg=thigh, thigh_length_fraction=frac, thigh_status=status, foot_pitch_deg=foot,
        upper_visibility=upper_vis, leg_visibility=v_leg, roll=roll, knee_deg=knee_deg, method=method,
        pixel_trunk_deg=trunk_px, world_trunk_deg=trunk_w, world_thigh_deg=thigh_w,
        body_height_px=np.asarray(views.body_height_px, float), world_head_deg=head_w, world_knee_deg=knee_w,
        pixel_head_deg=head_px, pixel_thigh_deg=thigh_px, pixel_knee_deg=knee_px,
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
