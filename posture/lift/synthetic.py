"""Synthetic lifts with known answers, built on :func:`posture.synthetic.pose_from_angles`.

:func:`synthetic_lift` makes a side-view person doing ``reps`` lifts: standing,
descending to the given trunk lean / knee flexion, holding, rising, standing. The
feet stay planted (the pelvis moves so the heels stay on the floor line), so the
bottom posture has exactly the requested angles. :func:`trunk_mask` draws a
person-outline mask of a trunk whose back bulges by a known amount.
"""

from __future__ import annotations

import numpy as np

from posture import landmarks as L
from posture.sequence import PoseSequence
from posture.synthetic import BodyDims, make_sequence, pose_from_angles

_ARM = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_ELBOW, L.RIGHT_ELBOW, L.LEFT_WRIST, L.RIGHT_WRIST,
        17, 18, 19, 20, 21, 22]


def lift_profile(fps: float, reps: int, stand_s: float = 0.6, down_s: float = 1.0, hold_s: float = 0.3,
                 up_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(progress 0..1 per frame, phase per frame: 0 stand, 1 down, 2 hold, 3 up) for ``reps`` lifts."""
    prog, phase = [], []

    def seg(duration, values, ph):
        k = max(1, int(round(duration * fps)))
        x = np.arange(k) / k
        prog.extend(values(x))
        phase.extend([ph] * k)

    for _ in range(reps):
        seg(stand_s, lambda x: np.zeros_like(x), 0)
        seg(down_s, lambda x: 0.5 - 0.5 * np.cos(np.pi * x), 1)
        seg(hold_s, lambda x: np.ones_like(x), 2)
        seg(up_s, lambda x: 0.5 + 0.5 * np.cos(np.pi * x), 3)
    seg(stand_s, lambda x: np.zeros_like(x), 0)
    return np.asarray(prog), np.asarray(phase)


def synthetic_lift(*, trunk_deg: float = 40.0, knee_deg: float = 100.0, hip_deg: float | None = None,
                   reps: int = 1, fps: float = 30.0, facing: float = 1.0, arm_deg: float = 0.0,
                   twist_deg: float = 0.0, hips_first_deg: float = 0.0, px_per_m: float = 250.0,
                   width: int = 1280, height: int = 720, stand_s: float = 0.6,
                   view: str = "side") -> tuple[PoseSequence, dict]:
    """A side-view lift with exact bottom angles; returns (sequence, truth).

    ``trunk_deg``/``knee_deg``: trunk lean and knee flexion at the bottom. ``hip_deg``
    (thigh from vertical) defaults to what keeps the knee over the feet. ``arm_deg``:
    arms raised forward from hanging (load held away from the body). ``twist_deg``: the
    shoulders (and arms) turn against the hips about the vertical axis by this much at
    the bottom (world coordinates). ``hips_first_deg``: in the first half of the
    ascent the trunk tips this much further forward while the knees straighten.
    """
    p, phase = lift_profile(fps, reps, stand_s=stand_s)
    n = len(p)
    if hip_deg is None:
        hip_deg = 0.5 * knee_deg + 0.1 * trunk_deg
    trunk = trunk_deg * p
    if hips_first_deg:
        up = phase == 3
        # ascent progress 0..1 as p falls from 1 to 0; extra lean peaks mid-way through the knee extension
        q = 1.0 - p
        trunk = np.where(up, trunk_deg * np.where(q < 0.5, 1.0, p / 0.5) + hips_first_deg * np.sin(np.pi * np.clip(q / 0.5, 0, 1))
                         * (q < 0.5), trunk)
    knee, hip = knee_deg * p, hip_deg * p
    dims = BodyDims()
    s = px_per_m * dims.height_m
    floor_y = height - 60.0
    ankle_x = 0.45 * width
    hip_r, shank_r = np.radians(hip), np.radians(hip - knee)
    pelvis_y = floor_y - s * (dims.thigh * np.cos(hip_r) + dims.shank * np.cos(shank_r) + dims.ankle_height)
    pelvis_x = ankle_x - facing * s * (dims.thigh * np.sin(hip_r) + dims.shank * np.sin(shank_r))
    arm = arm_deg + trunk * 0.0  # absolute from vertical: hanging arms stay vertical
    xy, world, depth = pose_from_angles(
        n, pelvis_xy_px=np.stack([pelvis_x, pelvis_y], axis=1), px_per_m=px_per_m, facing=facing, dims=dims,
        trunk_deg=trunk, neck_deg=trunk + 10.0, head_pitch_deg=10.0, hip_deg=(hip, hip), knee_deg=(knee, knee),
        shoulder_deg=(arm, arm), elbow_deg=(5.0, 5.0))
    if twist_deg:
        theta = np.radians(twist_deg * p)
        c = midpoint_w = (world[:, L.LEFT_SHOULDER] + world[:, L.RIGHT_SHOULDER]) / 2.0
        for k in _ARM:
            d = world[:, k] - midpoint_w
            x, z = d[:, 0], d[:, 2]
            world[:, k, 0] = c[:, 0] + x * np.cos(theta) - z * np.sin(theta)
            world[:, k, 2] = c[:, 2] + x * np.sin(theta) + z * np.cos(theta)
    if view == "front":
        # face the camera: the body's forward axis (image x in profile) becomes depth, its left-right axis image x
        turned = world.copy()
        turned[..., 0], turned[..., 2] = world[..., 2] * facing, -world[..., 0] * facing
        world = turned
        xy = xy.copy()
        xy[..., 0] = 0.5 * width + world[..., 0] * px_per_m
        depth = world[..., 2] * px_per_m
    elif view != "side":
        raise ValueError(f"view must be 'side' or 'front', got {view!r}")
    seq = make_sequence(xy, world, fps=fps, width=width, height=height, depth_px=depth, name="synthetic_lift")
    bottoms = [int(i) for i in np.flatnonzero((phase == 2) & (np.r_[-1, phase[:-1]] != 2))]
    truth = {"reps": reps, "bottom_frames": bottoms, "trunk_deg": trunk_deg, "knee_deg": knee_deg,
             "hand_to_ankle_m": None, "floor_y_px": floor_y}
    return seq, truth


def trunk_mask(shape: tuple[int, int], hip_xy, shoulder_xy, facing: float, bulge: float,
               thickness: float = 0.35) -> np.ndarray:
    """A (h, w) uint8 mask of a trunk band along hip->shoulder whose back outline is at
    ``thickness/2 + bulge * s (1 - s)`` trunk lengths from the line (s from 0 at the hip to 1 at
    the shoulder). ``bulge`` > 0 rounds
    the back; 0 is a flat back. Closed form: the fitted bend over s in [a, b] is
    atan(bulge (1 - 2a)) - atan(bulge (1 - 2b)) in radians."""
    h, w = shape
    hip, sh = np.asarray(hip_xy, float), np.asarray(shoulder_xy, float)
    u = sh - hip
    length = float(np.hypot(*u))
    u = u / length
    normal = facing * np.array([u[1], -u[0]])
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    rel = np.stack([xx - hip[0], yy - hip[1]], axis=-1)
    s = (rel @ u) / length
    d = (rel @ normal) / length
    back = thickness / 2 + bulge * np.clip(s, 0, 1) * (1 - np.clip(s, 0, 1))
    inside = (s >= -0.05) & (s <= 1.05) & (d <= back) & (d >= -thickness / 2)
    return (inside * 255).astype(np.uint8)
