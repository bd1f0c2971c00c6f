"""Synthetic pose sequences with known answers, for tests and demos.

:func:`pose_from_angles` is a planar stick-figure model: give it joint angles
(degrees) and it returns the 33 landmarks, in pixels for a camera looking at
the person's side (or front), and in metres for world coordinates. Analyses
test themselves against it: a trunk held at 20 degrees must measure 20.

Angle conventions (all degrees, sagittal plane, positive = the usual flexion):
- ``trunk_deg``: hip-to-shoulder line from vertical, positive leaning forward.
- ``neck_deg``: shoulder-to-ear line from vertical, positive forward (forward head).
- ``head_pitch_deg``: ear-to-nose line below horizontal, positive looking down.
- ``hip_deg`` (per side): thigh from vertical, positive with the knee forward.
- ``knee_deg`` (per side): knee flexion, 0 straight.
- ``foot_pitch_deg`` (per side): heel-to-toe line above horizontal, positive toes up.
- ``shoulder_deg`` (per side): upper arm from vertical, positive forward.
- ``elbow_deg`` (per side): elbow flexion, 0 straight.
In the front view the same model is drawn in the frontal plane with
``pelvis_tilt_deg`` (right hip lower is positive) and ``trunk_side_deg``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture import landmarks as L
from posture.sequence import PoseSequence, Provenance, VideoInfo


@dataclass(frozen=True)
class BodyDims:
    """Segment lengths as fractions of standing height (Winter 2009, anthropometric table 4.1)."""

    height_m: float = 1.75
    trunk: float = 0.288  # hip joint to shoulder joint (0.818 - 0.530)
    neck: float = 0.118  # shoulder joint to ear (0.936 - 0.818)
    head: float = 0.06  # ear to nose, our approximation
    thigh: float = 0.245  # 0.530 - 0.285
    shank: float = 0.246  # 0.285 - 0.039
    foot: float = 0.152
    upper_arm: float = 0.186
    forearm: float = 0.146
    hand: float = 0.108
    hip_width: float = 0.191
    shoulder_width: float = 0.259
    ankle_height: float = 0.039


def _dir_down(angle_deg: np.ndarray, facing: float) -> np.ndarray:
    """Unit vector pointing down, rotated forward by ``angle_deg`` (image axes, y down)."""
    a = np.radians(angle_deg)
    return np.stack([facing * np.sin(a), np.cos(a)], axis=-1)


def _dir_up(angle_deg: np.ndarray, facing: float) -> np.ndarray:
    a = np.radians(angle_deg)
    return np.stack([facing * np.sin(a), -np.cos(a)], axis=-1)


def _b(x: float | np.ndarray, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(x, float), (n,)).astype(float)


def pose_from_angles(
    n: int = 1,
    *,
    pelvis_xy_px: np.ndarray | tuple[float, float] = (640.0, 400.0),
    px_per_m: float = 250.0,
    facing: float = 1.0,
    view: str = "side",
    dims: BodyDims = BodyDims(),
    trunk_deg: float | np.ndarray = 0.0,
    neck_deg: float | np.ndarray = 0.0,
    head_pitch_deg: float | np.ndarray = 0.0,
    hip_deg: tuple = (0.0, 0.0),
    knee_deg: tuple = (0.0, 0.0),
    foot_pitch_deg: tuple = (0.0, 0.0),
    shoulder_deg: tuple = (0.0, 0.0),
    elbow_deg: tuple = (0.0, 0.0),
    pelvis_tilt_deg: float | np.ndarray = 0.0,
    trunk_side_deg: float | np.ndarray = 0.0,
    near_side: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Landmarks for ``n`` frames: (xy_px (n,33,2), world_m (n,33,3), depth_px (n,33)).

    Per-side tuples are (left, right). Scalars or (n,) arrays are accepted
    everywhere. In the side view the near side (``near_side``, default: the
    right side when facing right, the left when facing left) gets the smaller
    depth, as MediaPipe reports it.
    """
    H = dims.height_m
    pelvis = np.broadcast_to(np.asarray(pelvis_xy_px, float), (n, 2)).astype(float)
    trunk, neck, pitch = _b(trunk_deg, n), _b(neck_deg, n), _b(head_pitch_deg, n)
    xy = np.zeros((n, L.N_LANDMARKS, 2))
    depth = np.zeros((n, L.N_LANDMARKS))
    s = px_per_m * H
    if near_side is None:
        near_side = "right" if facing > 0 else "left"

    if view == "side":
        sh = pelvis + s * dims.trunk * _dir_up(trunk, facing)
        ear = sh + s * dims.neck * _dir_up(neck, facing)
        fwd_down = np.stack([facing * np.cos(np.radians(pitch)), np.sin(np.radians(pitch))], axis=-1)
        nose = ear + s * dims.head * fwd_down
        eye = ear + s * dims.head * 0.7 * fwd_down + np.array([0, -0.02 * s])
        mouth = nose + np.array([0, 0.03 * s]) - s * 0.01 * fwd_down
        head_pts = {L.NOSE: nose}
        for side in ("left", "right"):
            idx = L.side_indices(side)
            k = 0 if side == "left" else 1
            hip_a, knee_a = _b(hip_deg[k], n), _b(knee_deg[k], n)
            foot_a = _b(foot_pitch_deg[k], n)
            sh_a, el_a = _b(shoulder_deg[k], n), _b(elbow_deg[k], n)
            knee = pelvis + s * dims.thigh * _dir_down(hip_a, facing)
            ankle = knee + s * dims.shank * _dir_down(hip_a - knee_a, facing)
            foot_dir = np.stack([facing * np.cos(np.radians(foot_a)), -np.sin(np.radians(foot_a))], axis=-1)
            heel = ankle + s * dims.ankle_height * np.array([0, 1.0]) - s * dims.foot * 0.2 * foot_dir
            toe = heel + s * dims.foot * foot_dir
            elbow = sh + s * dims.upper_arm * _dir_down(sh_a, facing)
            wrist = elbow + s * dims.forearm * _dir_down(sh_a - el_a, facing)
            hand = _dir_down(sh_a - el_a, facing)
            pts = {
                "shoulder": sh, "elbow": elbow, "wrist": wrist, "hip": pelvis, "knee": knee, "ankle": ankle,
                "heel": heel, "foot_index": toe, "ear": ear, "eye": eye, "eye_inner": eye + 0.005 * s * fwd_down,
                "eye_outer": eye - 0.005 * s * fwd_down, "pinky": wrist + s * dims.hand * 0.8 * hand,
                "index": wrist + s * dims.hand * 0.9 * hand, "thumb": wrist + s * dims.hand * 0.5 * hand,
            }
            d = -1.0 if side == near_side else 1.0
            for name, p in pts.items():
                xy[:, idx[name]] = p
                depth[:, idx[name]] = d * 0.5 * dims.hip_width * s
        xy[:, L.NOSE] = head_pts[L.NOSE]
        depth[:, L.NOSE] = -0.3 * s * 0 - 0.1 * s
        xy[:, 9] = xy[:, 10] = mouth
    elif view in ("front", "back"):
        # Frontal plane: image x is the person's left when facing the camera ("front").
        lr = 1.0 if view == "front" else -1.0  # +x direction of the person's left side
        tilt = np.radians(_b(pelvis_tilt_deg, n))
        side_lean = np.radians(_b(trunk_side_deg, n))
        half_hip = 0.5 * dims.hip_width * s
        lhip = pelvis + np.stack([lr * half_hip * np.cos(tilt), -half_hip * np.sin(tilt)], axis=-1)
        rhip = pelvis - np.stack([lr * half_hip * np.cos(tilt), -half_hip * np.sin(tilt)], axis=-1)
        mid_sh = pelvis + s * dims.trunk * np.stack([lr * np.sin(side_lean), -np.cos(side_lean)], axis=-1)
        half_sh = 0.5 * dims.shoulder_width * s
        lsh, rsh = mid_sh + np.array([lr * half_sh, 0]), mid_sh - np.array([lr * half_sh, 0])
        head = mid_sh + np.array([0, -s * dims.neck])
        for side, hip, sh in (("left", lhip, lsh), ("right", rhip, rsh)):
            idx = L.side_indices(side)
            k = 0 if side == "left" else 1
            out = lr if side == "left" else -lr
            knee = hip + np.array([0, s * dims.thigh]) * np.cos(np.radians(_b(hip_deg[k], n)))[:, None]
            ankle = knee + np.array([0, s * dims.shank])
            heel = ankle + np.array([0, s * dims.ankle_height])
            toe = heel + np.array([out * 0.02 * s, 0.01 * s])
            elbow = sh + np.array([out * 0.03 * s, s * dims.upper_arm])
            wrist = elbow + np.array([0, s * dims.forearm])
            pts = {
                "shoulder": sh, "elbow": elbow, "wrist": wrist, "hip": hip, "knee": knee, "ankle": ankle,
                "heel": heel, "foot_index": toe, "ear": head + np.array([out * 0.07 * s, 0]),
                "eye": head + np.array([out * 0.03 * s, -0.02 * s]), "eye_inner": head + np.array([out * 0.015 * s, -0.02 * s]),
                "eye_outer": head + np.array([out * 0.045 * s, -0.02 * s]), "pinky": wrist + np.array([0, 0.08 * s]),
                "index": wrist + np.array([0, 0.09 * s]), "thumb": wrist + np.array([-out * 0.02 * s, 0.05 * s]),
            }
            for name, p in pts.items():
                xy[:, idx[name]] = p
        xy[:, L.NOSE] = head + np.array([0, 0.02 * s])
        xy[:, 9] = head + np.array([lr * 0.02 * s, 0.05 * s])
        xy[:, 10] = head + np.array([-lr * 0.02 * s, 0.05 * s])
        depth[:] = 0.0
    else:
        raise ValueError(f"view must be 'side', 'front' or 'back', got {view!r}")

    # World landmarks: metres, origin at the pelvis, y down, x = image x direction; z from depth.
    world = np.zeros((n, L.N_LANDMARKS, 3))
    world[..., :2] = (xy - pelvis[:, None, :]) / px_per_m
    world[..., 2] = depth / px_per_m
    return xy, world, depth


def make_sequence(xy_px: np.ndarray, world_m: np.ndarray | None = None, *, fps: float = 30.0,
                  width: int = 1280, height: int = 720, visibility: float | np.ndarray = 0.99,
                  depth_px: np.ndarray | None = None, name: str = "synthetic") -> PoseSequence:
    """Wrap landmark arrays into a :class:`PoseSequence` at a constant frame rate."""
    n = len(xy_px)
    if world_m is None:
        world_m = np.zeros((n, L.N_LANDMARKS, 3))
    vis = np.broadcast_to(np.asarray(visibility, float), (n, L.N_LANDMARKS))
    return PoseSequence(
        xy_px=xy_px, world_m=world_m, visibility=vis, timestamps_s=np.arange(n) / fps, depth_px=depth_px,
        presence=vis, people_count=np.ones(n, dtype=np.int64),
        video=VideoInfo(path=f"<{name}>", fps=fps, n_frames=n, width=width, height=height),
        provenance=Provenance(model="synthetic", subject="synthetic"),
    )


def static_pose(n: int = 30, fps: float = 30.0, width: int = 1280, height: int = 720, **angles) -> PoseSequence:
    """A person holding one posture for ``n`` frames (see :func:`pose_from_angles` for angles)."""
    xy, world, depth = pose_from_angles(n, **angles)
    return make_sequence(xy, world, fps=fps, width=width, height=height, depth_px=depth, name="static")


def walker(
    cadence_spm: float = 110.0,
    duration_s: float = 6.0,
    fps: float = 30.0,
    *,
    facing: float = 1.0,
    speed_m_s: float | None = None,
    trunk_deg: float = 0.0,
    neck_deg: float = 0.0,
    head_pitch_deg: float = 0.0,
    heel_strike: bool = True,
    px_per_m: float = 160.0,
    width: int = 1280,
    height: int = 720,
    phase_offset: float = 0.0,
    step_warp: float = 0.0,
) -> tuple[PoseSequence, dict[str, np.ndarray]]:
    """A side-view walker at an exact cadence; returns the sequence and its true events.

    ``step_warp`` (0 to 0.9) makes the gait cycle run unevenly, phase = u + step_warp * sin(u), so one foot's
    steps last longer than the other's (a limp) at the same mean cadence; 0 walks evenly.

    Hip angle follows ``25 sin(phase) + 5`` per leg (right leg at ``phase``, left
    half a cycle later), so the right heel is farthest ahead of the pelvis at
    ``phase = pi/2``; the model places initial contact there and toe-off at
    ``phase = 3pi/2 - 0.6``. Returned truth: ``initial_contacts_s`` per foot
    ("left"/"right" arrays) and ``cadence_spm``.
    """
    n = int(round(duration_s * fps))
    t = np.arange(n) / fps
    stride_hz = cadence_spm / 120.0
    if not 0.0 <= step_warp < 1.0:
        raise ValueError(f"step_warp must be in [0, 1), got {step_warp}")

    def phase_at(times: np.ndarray) -> np.ndarray:
        u = 2 * np.pi * stride_hz * times
        return u + step_warp * np.sin(u) + phase_offset

    phase_r = phase_at(t)
    phase_l = phase_r + np.pi
    if speed_m_s is None:
        speed_m_s = 0.75 * stride_hz * 1.5  # stride length ~ 1.5 m at 0.75 strides/s x 1.0 height
    x0 = 200.0 if facing > 0 else width - 200.0
    pelvis_x = x0 + facing * speed_m_s * px_per_m * t
    pelvis_y = 420.0 - 4.0 * np.cos(2 * (phase_r - np.pi / 2))  # pelvis highest in mid-stance
    hips, knees, feet = [], [], []
    for ph in (phase_l, phase_r):
        hip = 25.0 * np.sin(ph) + 5.0
        # knee: 5 deg in stance, up to 60 deg in mid-swing (phase -0.3); exactly 5 deg
        # for phase in [1.27, 4.41], so the heel is farthest forward exactly at phase pi/2
        knee = 5.0 + 55.0 * np.clip(np.cos(ph + 0.3), 0, None)
        # foot: toes up (dorsiflexed) approaching contact, flat in stance, toes down at push-off
        foot = 15.0 * np.sin(ph - 0.3) if heel_strike else -8.0 + 0.0 * ph
        hips.append(hip)
        knees.append(knee)
        feet.append(foot)
    xy, world, depth = pose_from_angles(
        n, pelvis_xy_px=np.stack([pelvis_x, pelvis_y], axis=1), px_per_m=px_per_m, facing=facing,
        trunk_deg=trunk_deg, neck_deg=neck_deg, head_pitch_deg=head_pitch_deg,
        hip_deg=(hips[0], hips[1]), knee_deg=(knees[0], knees[1]), foot_pitch_deg=(feet[0], feet[1]),
        shoulder_deg=(-15 * np.sin(phase_l), -15 * np.sin(phase_r)), elbow_deg=(20.0, 20.0),
    )
    seq = make_sequence(xy, world, fps=fps, width=width, height=height, depth_px=depth, name="walker")
    truth = {"cadence_spm": np.array(cadence_spm)}
    fine = np.linspace(0.0, float(t[-1]), max(2, n * 200))
    for foot, extra in (("right", 0.0), ("left", np.pi)):
        # contact when the foot's phase = pi/2 (mod 2pi); the phase rises monotonically (step_warp < 1)
        cycles = np.floor((phase_at(fine) + extra - np.pi / 2) / (2 * np.pi))
        k = np.flatnonzero(np.diff(cycles) > 0)
        truth[f"initial_contacts_s_{foot}"] = fine[k + 1]
    return seq, truth
