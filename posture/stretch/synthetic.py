"""Synthetic stretch poses with known answers (for tests and demos).

:func:`body_pose` draws a planar side-view stick figure from the same angles
:mod:`posture.stretch.angles` measures, so measuring it gives the inputs back
exactly. ``tau_deg`` rotates the whole body in the image plane: 0 standing,
+90 folded forward (chest to the floor), -90 lying on the back, +100 child's
pose. ``facing`` +1 draws the person facing image-right when upright, -1 the
mirror image. :func:`pose_for_reference` solves those inputs from a reference's
targets so a test can build "the perfect pose" and perturb one angle.
"""

from __future__ import annotations

import numpy as np

from posture import landmarks as L
from posture.sequence import PoseSequence
from posture.stretch.angles import resolve_side
from posture.stretch.reference import Reference
from posture.synthetic import BodyDims, make_sequence


def _dir(alpha_deg: float) -> np.ndarray:
    """Unit image vector at ``alpha`` degrees from straight down, positive towards image-right."""
    a = np.radians(alpha_deg)
    return np.array([np.sin(a), np.cos(a)])


def body_pose(n: int = 1, *, tau_deg: float = 0.0, facing: float = 1.0,
              hip_flexion_deg: tuple[float, float] = (0.0, 0.0), knee_flexion_deg: tuple[float, float] = (0.0, 0.0),
              thigh_adduction_deg: tuple[float, float] = (0.0, 0.0), shoulder_flexion_deg: float = 0.0,
              elbow_flexion_deg: float = 0.0, neck_flexion_deg: float = 0.0, fps: float = 30.0,
              px_per_m: float = 250.0, pelvis_xy_px: tuple[float, float] = (640.0, 400.0),
              dims: BodyDims = BodyDims(), visibility: float | np.ndarray = 0.99) -> PoseSequence:
    """A held pose (``n`` identical frames) with the given body-frame angles; per-leg tuples are (left, right)."""
    s = px_per_m * dims.height_m
    P = np.asarray(pelvis_xy_px, float)
    # canonical drawing faces image-right; body frame: -u at alpha = -tau, f at alpha = 90 - tau
    u = -_dir(-tau_deg)
    f = _dir(90.0 - tau_deg)

    def body_dir(phi: float) -> np.ndarray:
        return -u * np.cos(np.radians(phi)) + f * np.sin(np.radians(phi))

    xy = np.zeros((L.N_LANDMARKS, 2))
    z = np.zeros(L.N_LANDMARKS)
    sh = P + u * s * dims.trunk
    ear = sh + s * dims.neck * (u * np.cos(np.radians(neck_flexion_deg)) + f * np.sin(np.radians(neck_flexion_deg)))
    nose = ear + f * s * dims.head + u * 0.01 * s
    half = 0.5 * dims.hip_width
    near = "right"  # facing image-right, the right side is nearer the camera
    for k, side in enumerate(("left", "right")):
        i = L.side_indices(side)
        zs = -half if side == near else half
        hip_phi, knee_phi = hip_flexion_deg[k], hip_flexion_deg[k] - knee_flexion_deg[k]
        add = np.radians(thigh_adduction_deg[k])
        knee = P + body_dir(hip_phi) * s * dims.thigh * np.cos(add)
        ankle = knee + body_dir(knee_phi) * s * dims.shank
        heel = ankle + body_dir(knee_phi) * 0.03 * s - f * 0.02 * s
        toe = heel + body_dir(knee_phi + 90.0) * s * dims.foot
        elbow = sh + body_dir(shoulder_flexion_deg) * s * dims.upper_arm
        wrist = elbow + body_dir(shoulder_flexion_deg - elbow_flexion_deg) * s * dims.forearm
        hand = body_dir(shoulder_flexion_deg - elbow_flexion_deg)
        pts = {"hip": P, "knee": knee, "ankle": ankle, "heel": heel, "foot_index": toe, "shoulder": sh,
               "elbow": elbow, "wrist": wrist, "pinky": wrist + hand * 0.08 * s, "index": wrist + hand * 0.09 * s,
               "thumb": wrist + hand * 0.05 * s, "ear": ear, "eye": nose - f * 0.02 * s + u * 0.02 * s,
               "eye_inner": nose - f * 0.015 * s + u * 0.02 * s, "eye_outer": nose - f * 0.025 * s + u * 0.02 * s}
        for name, p in pts.items():
            xy[i[name]] = p
            z[i[name]] = zs * px_per_m
        # the adducted thigh leaves the sagittal plane towards the other side
        toward_other = 1.0 if zs < 0 else -1.0
        dz = toward_other * np.sin(add) * dims.thigh * dims.height_m * px_per_m
        for name in ("knee", "ankle", "heel", "foot_index"):
            z[i[name]] += dz
    xy[L.NOSE] = nose
    xy[9] = xy[10] = nose + u * -0.03 * s
    if facing < 0:
        xy[:, 0] = 2 * P[0] - xy[:, 0]
        z = -z  # mirrored: the left side is now nearer
    world = np.zeros((L.N_LANDMARKS, 3))
    world[:, :2] = (xy - P) / px_per_m
    world[:, 2] = z / px_per_m
    xy_n = np.broadcast_to(xy, (n, L.N_LANDMARKS, 2)).copy()
    world_n = np.broadcast_to(world, (n, L.N_LANDMARKS, 3)).copy()
    depth = np.broadcast_to(z, (n, L.N_LANDMARKS)).copy()
    return make_sequence(xy_n, world_n, fps=fps, visibility=visibility, depth_px=depth, name="stretch")


def _wrap(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


def pose_for_reference(ref: Reference, side: str | None = "left", *, facing: float = 1.0, n: int = 1,
                       overrides: dict[str, float] | None = None, fps: float = 30.0) -> PoseSequence:
    """The pose a reference describes: joint angles at their targets, tilts solved from the geometry.

    ``overrides`` replaces a target (reference names, e.g. ``{"affected_hip_flexion_deg": 160}``)
    before solving, to build a perturbed pose. Body-frame targets (hip, knee,
    shoulder, adduction) are met exactly; tilt targets are met where the
    reference's targets are consistent with each other.
    """
    tg = {a.name: a.target for a in ref.angles}
    tg.update(overrides or {})
    trunk = tg.get("trunk_tilt_deg", 0.0)
    front = tg.get("front_tilt_deg")
    cands = [trunk, -trunk]
    if front is not None:
        tau = min(cands, key=lambda t: abs((180.0 - abs(_wrap(90.0 - t))) - front))
    else:
        tau = trunk
    legs = {}
    for leg in ("affected", "other"):
        def get(m: str, leg: str = leg) -> float | None:
            for key in (f"{leg}_{m}", f"mean_{m}"):
                if key in tg:
                    return tg[key]
            return None
        hip = get("hip_flexion_deg")
        if hip is None:
            tilt = get("thigh_tilt_deg")
            hip = 0.0 if tilt is None else min((tilt + tau, -tilt + tau), key=lambda h: (abs(_wrap(h)), -h))
        knee = get("knee_flexion_deg")
        if knee is None:
            tilt = get("shank_tilt_deg")
            a_t = hip - tau
            knee = 0.0 if tilt is None else min((a_t - tilt, a_t + tilt), key=lambda k: (abs(_wrap(k)) if k >= 0 else 1e9))
        legs[leg] = (hip, knee, get("thigh_adduction_deg") or 0.0)
    aff_left = side in (None, "left")
    order = ("affected", "other") if aff_left else ("other", "affected")
    return body_pose(
        n, tau_deg=tau, facing=facing,
        hip_flexion_deg=tuple(legs[k][0] for k in order), knee_flexion_deg=tuple(legs[k][1] for k in order),
        thigh_adduction_deg=tuple(legs[k][2] for k in order),
        shoulder_flexion_deg=tg.get("shoulder_flexion_deg", 0.0), elbow_flexion_deg=tg.get("elbow_flexion_deg", 0.0),
        neck_flexion_deg=tg.get("neck_flexion_deg", 0.0), fps=fps,
    )


def reference_values(ref: Reference, side: str | None, values: dict[str, float]) -> dict[str, float]:
    """Measured values under the reference's own names (``affected_*`` resolved with ``side``)."""
    return {a.name: values[resolve_side(a.name, side)] for a in ref.angles}
