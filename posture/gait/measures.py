"""Candidate trunk and head measures of a walk, for choosing which one can judge slouching (issue 11).

:func:`candidate_measures` gives, for one analysed side-view walk, the median over its validated steps of
several ways to measure the trunk and the head (degrees; + forward / down). ``scripts/eval_gait.py
--posture-measures`` prints them next to the ``slouch`` and ``head_down`` labels, which is how the walking
checks were chosen: a measure that does not separate the labelled walkers does not raise a finding.

- ``trunk_image``: hip centre -> shoulder centre from vertical, image pixels (the ``slouching`` check);
- ``trunk_near_side``: the near side's hip -> shoulder only (the far side is partly guessed);
- ``trunk_world``: the same line in MediaPipe's world landmarks (metres, x-y plane);
- ``forward_head_image`` / ``forward_head_world``: shoulder centre -> ear centre from vertical;
- ``neck_on_trunk``: forward_head_image - trunk_image (the head's lean relative to the trunk);
- ``head_down_eye_ear``: the ear-to-eye line below its level-head angle (the ``looking_down`` check);
- ``head_pitch_nose``: the ear-to-nose line below the horizontal (issue 3's looking-down measure).

With person segmentation masks (``ExtractOptions(output_masks=True)``), measures of the back's outline too,
from the dorsal profile of :mod:`posture.lift.back` (the mask's back edge between hip and shoulder height):

- ``outline_bend``: the back outline's bend (quadratic fit, 15-90% of the hip-to-shoulder line), degrees,
  + rounded;
- ``outline_lean``: a straight line through the back outline from vertical, degrees, + forward (the skin of
  the back, not the joint centres);
- ``ear_on_outline``: the line from the back outline at shoulder height (a C7 stand-in; MediaPipe has no
  C7) to the ear centre, from vertical, degrees, + ear ahead;
- ``ear_ahead_outline``: the ear centre ahead of the back-outline line at the ear's height, trunk lengths.
"""

from __future__ import annotations

import numpy as np

from posture import landmarks as L
from posture.cleanup import fill_gaps, smooth_zero_phase
from posture.gait import posture_checks as P
from posture.gait.params import DEFAULT_GAIT
from posture.geometry import angle_from_vertical_deg, midpoint
from posture.report import Report
from posture.sequence import PoseSequence


def candidate_measures(seq: PoseSequence, report: Report) -> dict[str, float]:
    """Median over the report's validated side-view steps of each candidate measure (NaN with no steps)."""
    clean = smooth_zero_phase(fill_gaps(seq)) if seq.n_frames > 6 else seq
    frames = np.asarray(clean.frame_index)
    n = clean.n_frames
    facing = np.full(n, np.nan)
    for s in report.segments:
        if s["analysed"] and s["view"] == "side":
            a, b = np.searchsorted(frames, s["start_frame"]), np.searchsorted(frames, s["end_frame"]) + 1
            facing[a:b] = 1.0 if s["side_to_camera"] == "right" else -1.0
    xy = np.asarray(clean.xy_px, float)
    w = np.asarray(clean.world_m, float)
    k = np.arange(n)
    near_sh = np.where(facing > 0, L.RIGHT_SHOULDER, L.LEFT_SHOULDER)
    near_hip = np.where(facing > 0, L.RIGHT_HIP, L.LEFT_HIP)

    def centre(arr, a, b):
        return midpoint(arr[:, a], arr[:, b])

    trunk_img = P.trunk_lean_deg(xy, facing)
    trunk_w = angle_from_vertical_deg(centre(w, L.LEFT_HIP, L.RIGHT_HIP)[:, :2],
                                      centre(w, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)[:, :2], facing)
    fh_img = P.forward_head_deg(xy, facing)
    fh_w = angle_from_vertical_deg(centre(w, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)[:, :2],
                                   centre(w, L.LEFT_EAR, L.RIGHT_EAR)[:, :2], facing)
    traces = {
        "trunk_image": trunk_img,
        "trunk_near_side": angle_from_vertical_deg(xy[k, near_hip], xy[k, near_sh], facing),
        "trunk_world": trunk_w,
        "forward_head_image": fh_img,
        "forward_head_world": fh_w,
        "neck_on_trunk": fh_img - trunk_img,
        "head_down_eye_ear": P.head_down_deg(xy, facing, DEFAULT_GAIT.posture.eye_ear_neutral_deg),
        "head_pitch_nose": P.head_pitch_deg(xy, facing),
    }
    ics = sorted(report.events.get("initial_contacts", []), key=lambda e: e["frame"])
    steps = [(np.searchsorted(frames, a["frame"]), np.searchsorted(frames, b["frame"]))
             for a, b in zip(ics[:-1], ics[1:], strict=False)
             if a["pass"] == b["pass"] and a["foot"] != b["foot"] and 0 < b["time_s"] - a["time_s"] <= 1.5]
    if seq.masks is not None and clean.masks is not None:
        traces.update(_outline_traces(clean, facing, steps))
    out = {}
    for name, tr in traces.items():
        per_step = [np.nanmedian(tr[a:b + 1]) for a, b in steps if np.isfinite(tr[a:b + 1]).any()]
        out[name] = float(np.median(per_step)) if per_step else float("nan")
    return out


def _outline_traces(seq: PoseSequence, facing: np.ndarray, steps: list[tuple[int, int]]) -> dict[str, np.ndarray]:
    """Per-frame back-outline measures (see the module docstring) on the frames of ``steps``; NaN elsewhere."""
    from posture.lift.back import dorsal_profile, outline_bend

    n = seq.n_frames
    out = {k: np.full(n, np.nan) for k in ("outline_bend", "outline_lean", "ear_on_outline", "ear_ahead_outline")}
    scale = seq.masks.shape[2] / float(seq.video.width)
    xy = np.asarray(seq.xy_px, float) * scale
    hip = midpoint(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
    sh = midpoint(xy[:, L.LEFT_SHOULDER], xy[:, L.RIGHT_SHOULDER])
    ear = midpoint(xy[:, L.LEFT_EAR], xy[:, L.RIGHT_EAR])
    s_grid = np.linspace(0.15, 0.9, 16)  # as posture.lift: skip the buttocks and the neck
    frames = sorted({i for a, b in steps for i in range(a, min(b + 1, n))})
    for i in frames:
        f = facing[i]
        if not (np.isfinite(f) and np.isfinite(hip[i]).all() and np.isfinite(sh[i]).all()):
            continue
        d, length = dorsal_profile(seq.masks[i], hip[i], sh[i], f, np.append(s_grid, 1.0))
        top, d = d[-1], d[:-1]
        out["outline_bend"][i] = outline_bend(d, s_grid)[0]
        ok = np.isfinite(d)
        if ok.sum() < 6:
            continue
        u = (sh[i] - hip[i]) / length
        nrm = f * np.array([u[1], -u[0]])  # backward (dorsal)
        pts = hip[i] + np.outer(s_grid[ok] * length, u) + np.outer(d[ok] * length, nrm)
        line = np.polyfit(pts[:, 1], pts[:, 0], 1)  # x as a function of y (image y down)
        out["outline_lean"][i] = np.degrees(np.arctan(-line[0] * f))
        if np.isfinite(ear[i]).all():
            out["ear_ahead_outline"][i] = (ear[i, 0] - np.polyval(line, ear[i, 1])) * f / length
            if np.isfinite(top):
                c7 = sh[i] + top * length * nrm
                out["ear_on_outline"][i] = np.degrees(np.arctan2((ear[i, 0] - c7[0]) * f, c7[1] - ear[i, 1]))
    return out
