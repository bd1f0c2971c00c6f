"""The named joint and segment measures a stretch reference can use, computed from a pose.

Every measure is computed for all frames at once from image pixels (``xy_px``)
except ``*_thigh_adduction_deg``, which needs depth and uses MediaPipe's world
coordinates (metres). Names carry units. Per-leg measures exist for the left and
right leg; a reference names them side-aware as ``affected_*`` / ``other_*``
(resolved with :func:`resolve_side`), or side-free as ``mean_*`` (the mean of the
legs that are visible).

View-robust by construction (why these and not raw image angles):

- **Body frame.** Joint angles are measured in a frame attached to the trunk:
  ``u`` points from the hip centre to the shoulder centre (towards the head) and
  ``f`` is ``u`` turned 90 degrees towards the front of the body. Which way is
  "front" comes from the face (the nose is ahead of the ears), so the numbers are
  the same whether the person faces image-left or image-right, stands, kneels, or
  lies on the back or the front. Needs a side view (sagittal plane in the image).
- **Tilts** (``trunk_tilt_deg``, ``*_thigh_tilt_deg``, ``*_shank_tilt_deg``) are
  unsigned angles from the standing orientation with the image vertical as
  gravity (the camera is assumed level): 0 upright, 90 lying flat, 180 upside
  down. They tell standing from kneeling from lying in any view.
  ``front_tilt_deg`` is where the chest faces: 0 the ceiling (lying on the back),
  90 the horizon (standing), 180 the floor (lying face down, child's pose).

Sign conventions (degrees):

- ``hip_flexion_deg``: thigh relative to the trunk line; 0 standing, +90 thigh at a
  right angle in front, about +130 knee pulled to the chest, negative = extension
  (thigh behind the trunk line, "hips pushed forward"); range -90..270.
- ``knee_flexion_deg``: 0 straight, +90 right angle, negative = hyperextended.
- ``shoulder_flexion_deg``: upper arm relative to the trunk; 0 by the side, 90 reaching
  forward, 180 overhead (range -90..270).
- ``elbow_flexion_deg``: 0 straight.
- ``neck_flexion_deg``: shoulder-to-ear line relative to the trunk line, positive
  chin towards chest (or head forward).
- ``trunk_lean_deg``: hip-to-shoulder line from the image vertical, positive with the
  shoulders ahead of the hips (in the direction the chest faces); NaN when the
  trunk is near horizontal (lying), where "forward" means nothing.
- ``thigh_adduction_deg``: thigh (hip to knee, world metres) out of the leg's own
  sagittal plane, positive towards the other side of the body ("knee towards the
  opposite shoulder"), negative outwards. Depends on MediaPipe's depth estimate:
  less certain than the image angles.
- ``trunk_twist_deg``: rotation of the shoulder line against the hip line about the trunk
  axis (world metres), 0 when shoulders and hips face the same way, 90 when the shoulders
  are turned square to the hips. Tells a lying twist (knees dropped to one side or the
  shoulders rotated: 40-90 deg) from the piriformis, figure-four and knee-to-chest
  stretches, whose chest and pelvis both face the ceiling (dev files: 0-26 deg, 90th
  percentile). Needs MediaPipe's depth, like the adduction angle.
- ``ankle_to_opposite_knee_ratio``: image distance from this leg's ankle to the
  other leg's knee, in thigh lengths (about 0 when the ankle rests on the knee).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture import landmarks as L
from posture.sequence import PoseFrame, PoseSequence

LEG_MEASURES: tuple[str, ...] = (
    "hip_flexion_deg", "knee_flexion_deg", "thigh_tilt_deg", "shank_tilt_deg", "thigh_adduction_deg",
    "ankle_to_opposite_knee_ratio",
)
BODY_MEASURES: tuple[str, ...] = (
    "trunk_tilt_deg", "front_tilt_deg", "trunk_lean_deg", "neck_flexion_deg", "shoulder_flexion_deg", "elbow_flexion_deg",
    "trunk_twist_deg",
)
LEG_PREFIXES: tuple[str, ...] = ("affected", "other", "mean")
# Every name a reference pose may use, sorted, for error messages.
MEASURE_NAMES: tuple[str, ...] = tuple(sorted(
    BODY_MEASURES + tuple(f"{p}_{m}" for p in LEG_PREFIXES for m in LEG_MEASURES)
))
UNITS: dict[str, str] = {name: ("thigh lengths" if name.endswith("_ratio") else "deg") for name in MEASURE_NAMES}

# Landmarks each measure needs to be visible (per-leg ones listed for the left leg; see _needed).
_LEG_NEEDS = {
    "hip_flexion_deg": ("hip", "knee"), "knee_flexion_deg": ("hip", "knee", "ankle"),
    "thigh_tilt_deg": ("hip", "knee"), "shank_tilt_deg": ("knee", "ankle"),
    "thigh_adduction_deg": ("hip", "knee"), "ankle_to_opposite_knee_ratio": ("ankle", "hip", "knee"),
}


@dataclass(frozen=True)
class AngleParams:
    min_visibility: float = 0.5  # MediaPipe's own default presence/visibility cut-off for drawing landmarks
    # our choice: a trunk within 20 deg of horizontal has no meaningful forward/backward lean
    lean_needs_trunk_within_deg_of_vertical: float = 70.0


DEFAULT_ANGLES = AngleParams()


_SIDE = {side: L.side_indices(side) for side in ("left", "right")}


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def _cross2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _wrap_deg(a: np.ndarray, low: float = -180.0) -> np.ndarray:
    return (np.asarray(a, float) - low) % 360.0 + low


def _masked(points: np.ndarray, visibility: np.ndarray, min_visibility: float) -> np.ndarray:
    p = np.array(points, dtype=float)
    p[visibility < min_visibility] = np.nan
    return p


def _nanmean2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean of two arrays of points/values, using whichever is finite where only one is."""
    stacked = np.stack([a, b])
    finite = np.isfinite(stacked)
    with np.errstate(invalid="ignore"):
        s = np.where(finite, stacked, 0.0).sum(axis=0)
        c = finite.sum(axis=0)
        return np.where(c > 0, s / np.maximum(c, 1), np.nan)


def body_frame(xy_px: np.ndarray, visibility: np.ndarray, params: AngleParams = DEFAULT_ANGLES) -> tuple[np.ndarray, np.ndarray]:
    """Trunk axis ``u`` (hip centre to shoulder centre) and front axis ``f``, unit vectors (n, 2) in image pixels.

    ``f`` is ``u`` turned 90 degrees towards the side the nose is on (relative to
    the ears). NaN where the hips, shoulders or face are not visible.
    """
    xy = _masked(xy_px, visibility, params.min_visibility)
    hip_c = _nanmean2(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
    sh_c = _nanmean2(xy[:, L.LEFT_SHOULDER], xy[:, L.RIGHT_SHOULDER])
    u = _unit(sh_c - hip_c)
    ear_c = _nanmean2(xy[:, L.LEFT_EAR], xy[:, L.RIGHT_EAR])
    face = xy[:, L.NOSE] - ear_c
    s = np.sign(_cross2(u, face))
    s[s == 0] = np.nan
    perp = np.stack([-u[:, 1], u[:, 0]], axis=-1)
    return u, s[:, None] * perp


def _phi_deg(d: np.ndarray, u: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Direction of ``d`` in the body frame: 0 = along -u (down the body), +90 = along f (forwards)."""
    return np.degrees(np.arctan2(np.sum(d * f, axis=-1), -np.sum(d * u, axis=-1)))


def _tilt_from(d: np.ndarray, ref: tuple[float, float]) -> np.ndarray:
    """Unsigned angle (0..180) between image vectors ``d`` and the direction ``ref``."""
    return np.degrees(np.arccos(np.clip(np.sum(_unit(d) * np.asarray(ref, float), axis=-1), -1.0, 1.0)))


def compute_measures(xy_px: np.ndarray, visibility: np.ndarray, world_m: np.ndarray | None = None,
                     params: AngleParams = DEFAULT_ANGLES) -> dict[str, np.ndarray]:
    """All measures for all frames: ``{name: (n,) array}`` with per-leg names ``left_*`` / ``right_*``.

    ``xy_px`` (n, 33, 2) pixels, ``visibility`` (n, 33), ``world_m`` (n, 33, 3)
    metres or None (then the adduction angles are NaN). Landmarks below
    ``params.min_visibility`` count as missing: NaN in, NaN out.
    """
    xy_px = np.asarray(xy_px, float)
    visibility = np.asarray(visibility, float)
    n = xy_px.shape[0]
    xy = _masked(xy_px, visibility, params.min_visibility)
    u, f = body_frame(xy_px, visibility, params)
    out: dict[str, np.ndarray] = {}

    hip_c = _nanmean2(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
    sh_c = _nanmean2(xy[:, L.LEFT_SHOULDER], xy[:, L.RIGHT_SHOULDER])
    trunk = sh_c - hip_c
    out["trunk_tilt_deg"] = _tilt_from(trunk, (0.0, -1.0))
    out["front_tilt_deg"] = _tilt_from(f, (0.0, -1.0))
    facing = np.sign(f[:, 0])
    lean = np.degrees(np.arctan2(trunk[:, 0] * facing, -trunk[:, 1]))
    lean[~(out["trunk_tilt_deg"] <= params.lean_needs_trunk_within_deg_of_vertical)] = np.nan
    out["trunk_lean_deg"] = lean
    ear_c = _nanmean2(xy[:, L.LEFT_EAR], xy[:, L.RIGHT_EAR])
    head = ear_c - sh_c
    out["neck_flexion_deg"] = np.degrees(np.arctan2(np.sum(head * f, axis=-1), np.sum(head * u, axis=-1)))

    shoulder, elbow = [], []
    for side in ("left", "right"):
        i = _SIDE[side]
        upper = xy[:, i["elbow"]] - xy[:, i["shoulder"]]
        fore = xy[:, i["wrist"]] - xy[:, i["elbow"]]
        phi_upper = _phi_deg(upper, u, f)
        shoulder.append(_wrap_deg(phi_upper, -90.0))
        elbow.append(_wrap_deg(phi_upper - _phi_deg(fore, u, f)))
    out["shoulder_flexion_deg"] = _nanmean2(*shoulder)
    out["elbow_flexion_deg"] = _nanmean2(*elbow)

    world = None if world_m is None else _masked(np.asarray(world_m, float), visibility, params.min_visibility)
    if world is None:
        out["trunk_twist_deg"] = np.full(n, np.nan)
    else:
        axis = _unit(_nanmean2(world[:, L.LEFT_SHOULDER], world[:, L.RIGHT_SHOULDER])
                     - _nanmean2(world[:, L.LEFT_HIP], world[:, L.RIGHT_HIP]))

        def across(a: np.ndarray) -> np.ndarray:  # a line's direction with the trunk axis removed
            return _unit(a - np.sum(a * axis, axis=-1, keepdims=True) * axis)

        sh_line = across(world[:, L.RIGHT_SHOULDER] - world[:, L.LEFT_SHOULDER])
        hip_line = across(world[:, L.RIGHT_HIP] - world[:, L.LEFT_HIP])
        out["trunk_twist_deg"] = np.degrees(np.arccos(np.clip(np.sum(sh_line * hip_line, axis=-1), -1.0, 1.0)))
    for side, other in (("left", "right"), ("right", "left")):
        i, o = _SIDE[side], _SIDE[other]
        thigh = xy[:, i["knee"]] - xy[:, i["hip"]]
        shank = xy[:, i["ankle"]] - xy[:, i["knee"]]
        phi_thigh = _phi_deg(thigh, u, f)
        out[f"{side}_hip_flexion_deg"] = _wrap_deg(phi_thigh, -90.0)  # -90..270: past 180 is still flexion
        out[f"{side}_knee_flexion_deg"] = _wrap_deg(phi_thigh - _phi_deg(shank, u, f))
        out[f"{side}_thigh_tilt_deg"] = _tilt_from(thigh, (0.0, 1.0))
        out[f"{side}_shank_tilt_deg"] = _tilt_from(shank, (0.0, 1.0))
        thigh_len = np.linalg.norm(thigh, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            gap = np.linalg.norm(xy[:, i["ankle"]] - xy[:, o["knee"]], axis=-1)
            out[f"{side}_ankle_to_opposite_knee_ratio"] = gap / thigh_len
        if world is None:
            out[f"{side}_thigh_adduction_deg"] = np.full(n, np.nan)
        else:
            axis = _unit(world[:, o["hip"]] - world[:, i["hip"]])
            t3 = _unit(world[:, i["knee"]] - world[:, i["hip"]])
            out[f"{side}_thigh_adduction_deg"] = np.degrees(np.arcsin(np.clip(np.sum(t3 * axis, axis=-1), -1, 1)))
    for m in LEG_MEASURES:
        out[f"mean_{m}"] = _nanmean2(out[f"left_{m}"], out[f"right_{m}"])
    return out


def measures_of(seq: PoseSequence, params: AngleParams = DEFAULT_ANGLES) -> dict[str, np.ndarray]:
    """:func:`compute_measures` for a whole :class:`PoseSequence`."""
    return compute_measures(seq.xy_px, seq.visibility, seq.world_m, params)


def measures_of_frame(frame: PoseFrame, params: AngleParams = DEFAULT_ANGLES) -> dict[str, float]:
    """:func:`compute_measures` for one live frame, as plain floats."""
    m = compute_measures(frame.xy_px[None], frame.visibility[None], frame.world_m[None], params)
    return {k: float(v[0]) for k, v in m.items()}


def resolve_side(name: str, affected_side: str | None) -> str:
    """The computed measure behind a reference name: ``affected_knee_flexion_deg`` -> ``left_knee_flexion_deg``.

    Body and ``mean_*`` names are returned unchanged. Raises ValueError when a
    side-aware name is resolved without a side.
    """
    for prefix, pick_other in (("affected_", False), ("other_", True)):
        if name.startswith(prefix):
            if affected_side not in ("left", "right"):
                raise ValueError(f"{name!r} needs affected_side 'left' or 'right', got {affected_side!r}")
            side = affected_side if not pick_other else ("right" if affected_side == "left" else "left")
            return side + "_" + name[len(prefix):]
    return name


def needed_landmarks(name: str, affected_side: str | None = None) -> tuple[int, ...]:
    """Landmark indices a reference measure needs to be visible (the body frame always needs hips and shoulders)."""
    base = (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    resolved = resolve_side(name, affected_side) if not name.startswith("mean_") else name
    if resolved in BODY_MEASURES:
        extra = {"neck_flexion_deg": (L.LEFT_EAR, L.RIGHT_EAR),
                 "shoulder_flexion_deg": (L.LEFT_ELBOW, L.RIGHT_ELBOW),
                 "elbow_flexion_deg": (L.LEFT_ELBOW, L.RIGHT_ELBOW, L.LEFT_WRIST, L.RIGHT_WRIST)}.get(resolved, ())
        return base + extra
    side, _, measure = resolved.partition("_")
    sides = ("left", "right") if side == "mean" else (side,)
    idx = []
    for s in sides:
        i = L.side_indices(s)
        idx += [i[p] for p in _LEG_NEEDS[measure]]
    return base + tuple(idx)
