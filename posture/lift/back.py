"""Rounded-back estimate from the person segmentation mask (side views only).

MediaPipe has no spine landmarks: the hip-shoulder line is straight whatever the
spine does. The segmentation mask, however, shows the back's outline. For each
point along the hip->shoulder line (from ``profile_from`` to ``profile_to`` of its
length) we walk away from the line on the dorsal side until we leave the
person, giving the outline's distance from the line, d(s), in trunk lengths. A
quadratic fit d(s) = c0 + c1 s + c2 s^2 gives the outline's bend: the change of
its tangent direction between the two ends, in degrees, positive when the back
bulges outward (rounded/flexed), negative when it is hollow (arched). A flat back
is near 0 or slightly negative (the buttocks and shoulder blades stick out at
the ends).

Honest limits: the mask is about 256 px on its longer side, so a trunk spans
30-70 mask pixels and one pixel is 1.5-3% of the trunk; loose clothing, hair, a
barbell plate or a wall merged into the silhouette change the outline; the
threshold is our choice, set on three development clips (see params.py).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import map_coordinates

from posture import landmarks as L
from posture.geometry import midpoint
from posture.lift.params import DEFAULT_LIFT, LiftParams
from posture.sequence import PoseSequence


def dorsal_profile(mask: np.ndarray, hip_xy: np.ndarray, shoulder_xy: np.ndarray, facing: float,
                   s_grid: np.ndarray, max_depth: float = 0.7, step_px: float = 0.5) -> tuple[np.ndarray, float]:
    """Distance (trunk lengths) from the hip->shoulder line to the back outline at each ``s_grid`` fraction.

    ``mask`` (h, w) uint8 0..255 or float 0..1; points in mask pixel coordinates. NaN where the
    line point is outside the person or the outline is not found within ``max_depth`` trunk lengths.
    Returns (d, trunk_length_px).
    """
    hip_xy, shoulder_xy = np.asarray(hip_xy, float), np.asarray(shoulder_xy, float)
    u = shoulder_xy - hip_xy
    length = float(np.hypot(*u))
    out = np.full(len(s_grid), np.nan)
    if not np.isfinite(length) or length < 1.0:
        return out, float("nan")
    u = u / length
    normal = facing * np.array([u[1], -u[0]])  # perpendicular, pointing backward (dorsal)
    m = np.asarray(mask, float)
    if m.max() > 1.0:
        m = m / 255.0
    steps = np.arange(0.0, max_depth * length, step_px)
    base = hip_xy[None, :] + np.outer(np.asarray(s_grid, float) * length, u)  # (k, 2)
    pts = base[:, None, :] + steps[None, :, None] * normal[None, None, :]  # (k, m, 2)
    vals = map_coordinates(m, [pts[..., 1].ravel(), pts[..., 0].ravel()], order=1, cval=0.0).reshape(pts.shape[:2])
    for k in range(len(s_grid)):
        if vals[k, 0] < 0.5:
            continue
        outside = np.flatnonzero(vals[k] < 0.5)
        if outside.size:
            out[k] = steps[outside[0]] / length
    return out, length


def outline_bend(d: np.ndarray, s_grid: np.ndarray, min_points: int = 6) -> tuple[float, float]:
    """(bend_deg, sagitta in trunk lengths) of a quadratic fit to the dorsal profile; NaN with too few points."""
    d, s = np.asarray(d, float), np.asarray(s_grid, float)
    ok = np.isfinite(d)
    if ok.sum() < min_points:
        return float("nan"), float("nan")
    c2, c1, _ = np.polyfit(s[ok], d[ok], 2)
    a, b = float(s[ok].min()), float(s[ok].max())
    bend = np.degrees(np.arctan(c1 + 2 * c2 * a) - np.arctan(c1 + 2 * c2 * b))
    sagitta = -c2 * (b - a) ** 2 / 4.0
    return float(bend), float(sagitta)


def back_outline_series(seq: PoseSequence, facing: float, frames: np.ndarray | None = None,
                        params: LiftParams = DEFAULT_LIFT, n_points: int = 16) -> dict[str, np.ndarray]:
    """Per-frame ``bend_deg``, ``sagitta`` (trunk lengths), ``trunk_mask_px`` and ``coverage`` (share of the
    profile found), NaN where there is no mask or the frame is not in ``frames`` (default: all)."""
    n = seq.n_frames
    res = {k: np.full(n, np.nan) for k in ("bend_deg", "sagitta", "trunk_mask_px", "coverage")}
    if seq.masks is None or facing == 0:
        return res
    scale = seq.masks.shape[2] / float(seq.video.width)
    hip = midpoint(seq.xy_px[:, L.LEFT_HIP], seq.xy_px[:, L.RIGHT_HIP]) * scale
    sh = midpoint(seq.xy_px[:, L.LEFT_SHOULDER], seq.xy_px[:, L.RIGHT_SHOULDER]) * scale
    s_grid = np.linspace(params.back_profile_from, params.back_profile_to, n_points)
    idx = np.arange(n) if frames is None else np.asarray(frames, int)
    for i in idx:
        if not (np.isfinite(hip[i]).all() and np.isfinite(sh[i]).all()):
            continue
        d, length = dorsal_profile(seq.masks[i], hip[i], sh[i], facing, s_grid)
        res["trunk_mask_px"][i] = length
        res["coverage"][i] = float(np.isfinite(d).mean())
        res["bend_deg"][i], res["sagitta"][i] = outline_bend(d, s_grid)
    return res
