"""Guess which task a clip shows, for ``--task auto``.

A coarse rule set on body orientation and movement, our own choice: lying
(trunk near horizontal) or kneeling/floor poses -> stretch; hips low and
knees bent while the trunk is upright and still -> sit; the pelvis travelling
sideways or toward the camera over more than a body height -> walk; repeated
up-down pelvis motion -> lift; otherwise stretch (standing stretches).
"""

from __future__ import annotations

import numpy as np

from posture import landmarks as L
from posture.geometry import absolute_angle_from_vertical_deg, flexion_deg, midpoint, nan_median
from posture.sequence import PoseSequence


def guess_task(seq: PoseSequence) -> str:
    xy = seq.xy_px
    hip = midpoint(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
    sh = midpoint(xy[:, L.LEFT_SHOULDER], xy[:, L.RIGHT_SHOULDER])
    ankle = midpoint(xy[:, L.LEFT_ANKLE], xy[:, L.RIGHT_ANKLE])
    trunk = nan_median(absolute_angle_from_vertical_deg(hip, sh))
    body_h = nan_median(np.abs(ankle[:, 1] - sh[:, 1]))
    if not np.isfinite(trunk) or not np.isfinite(body_h) or body_h <= 0:
        return "stretch"
    if trunk > 55:
        return "stretch"
    knee = np.nanmax(np.stack([
        flexion_deg(xy[:, L.LEFT_HIP], xy[:, L.LEFT_KNEE], xy[:, L.LEFT_ANKLE]),
        flexion_deg(xy[:, L.RIGHT_HIP], xy[:, L.RIGHT_KNEE], xy[:, L.RIGHT_ANKLE]),
    ]), axis=0) if seq.n_frames else np.array([np.nan])
    hip_x_travel = np.nanpercentile(hip[:, 0], 95) - np.nanpercentile(hip[:, 0], 5) if seq.n_frames > 1 else 0.0
    size_change = 0.0
    trunk_len = np.linalg.norm(sh - hip, axis=1)
    if seq.n_frames > 1 and np.isfinite(trunk_len).sum() > 2:
        size_change = float(np.nanpercentile(trunk_len, 95) / max(np.nanpercentile(trunk_len, 5), 1e-6))
    hip_y_range = np.nanpercentile(hip[:, 1], 95) - np.nanpercentile(hip[:, 1], 5) if seq.n_frames > 1 else 0.0
    if nan_median(knee) > 60 and hip_y_range < 0.1 * body_h:
        return "sit"
    if hip_x_travel > 1.0 * body_h or size_change > 1.6:
        return "walk"
    if hip_y_range > 0.2 * body_h:
        return "lift"
    return "stretch"
