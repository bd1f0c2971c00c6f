"""Spatio-temporal gait metrics from detected events: pure functions on event lists.

Conventions: a *step* runs from one foot's initial contact (IC) to the other foot's next IC; a *stride*
from one IC to the same foot's next IC. Only intervals inside one analysed segment and shorter than
``max_step_time_s`` (for steps; twice that for strides) count, so a gap in tracking never makes a step.
Times in seconds, fractions of the gait cycle in 0..1, lengths in metres.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from posture.gait.events import FEET, GaitEvent
from posture.gait.params import DEFAULT_GAIT, EventParams

MAX_STEP_S = DEFAULT_GAIT.events.max_step_time_s


def validated_steps(ics: Sequence[GaitEvent], params: EventParams = DEFAULT_GAIT.events) -> list[tuple[GaitEvent, GaitEvent]]:
    """Steps as (from, to) contact pairs that pass the alternation check, pass by pass.

    A step joins consecutive contacts of the same pass, of different feet, between ``min_step_time_s`` and
    ``max_step_time_s`` apart and within [``duplicate_step_fraction``, ``missed_step_fraction``] of the pass's
    median step (a shorter gap is a duplicate, a longer one hides a missed contact). Two contacts of the same
    foot in a row are a detection error (see :func:`alternation_errors`), never a step.
    """
    out: list[tuple[GaitEvent, GaitEvent]] = []
    for a, b, dt, med in _consecutive_in_pass(ics, params):
        if a.foot == b.foot or not params.min_step_time_s <= dt <= params.max_step_time_s:
            continue
        if np.isfinite(med) and not (params.duplicate_step_fraction * med <= dt <= params.missed_step_fraction * med):
            continue
        out.append((a, b))
    return sorted(out, key=lambda p: p[0].time_s)


def _consecutive_in_pass(ics: Sequence[GaitEvent], params: EventParams):
    """Each pair of consecutive contacts of one pass, with the time between them (s) and the pass's median
    plausible gap (NaN when none is plausible)."""
    by_pass: dict[int, list[GaitEvent]] = {}
    for e in ics:
        by_pass.setdefault(e.pass_index, []).append(e)
    for evs in by_pass.values():
        evs = sorted(evs, key=lambda e: e.time_s)
        d = np.array([b.time_s - a.time_s for a, b in zip(evs[:-1], evs[1:], strict=False)])
        ok = d[(d >= params.min_step_time_s) & (d <= params.max_step_time_s)]
        med = float(np.median(ok)) if ok.size else float("nan")
        for (a, b), dt in zip(zip(evs[:-1], evs[1:], strict=False), d, strict=True):
            yield a, b, float(dt), med


def alternation_errors(ics: Sequence[GaitEvent], params: EventParams = DEFAULT_GAIT.events) -> int:
    """Consecutive contacts of the same foot one normal step apart within a pass (0 when the feet alternate,
    as walking does). A same-foot pair further apart than ``missed_step_fraction`` median steps is explained
    by a missed contact in between and is not counted (it is not a step either)."""
    n = sum(a.foot == b.foot and not (np.isfinite(med) and dt > params.missed_step_fraction * med)
            for a, b, dt, med in _consecutive_in_pass(ics, params))
    return n


def step_times_s(ics: Sequence[GaitEvent], max_step_time_s: float = MAX_STEP_S) -> dict[str, list[float]]:
    """Step times per foot of the validated steps (:func:`validated_steps`), keyed by the foot that lands at
    the END of the step."""
    params = replace(DEFAULT_GAIT.events, max_step_time_s=max_step_time_s)
    out: dict[str, list[float]] = {f: [] for f in FEET}
    for a, b in validated_steps(ics, params):
        out[b.foot].append(b.time_s - a.time_s)
    return out


def stride_times_s(ics: Sequence[GaitEvent], max_step_time_s: float = MAX_STEP_S) -> dict[str, list[float]]:
    """Stride times per foot (IC to the same foot's next IC in the same pass)."""
    out: dict[str, list[float]] = {f: [] for f in FEET}
    for f in FEET:
        evs = sorted((e for e in ics if e.foot == f), key=lambda e: e.time_s)
        for a, b in zip(evs[:-1], evs[1:], strict=False):
            if a.pass_index == b.pass_index and 0 < b.time_s - a.time_s <= 2 * max_step_time_s:
                out[f].append(b.time_s - a.time_s)
    return out


def cadence_spm(ics: Sequence[GaitEvent], max_step_time_s: float = DEFAULT_GAIT.events.max_step_time_s) -> float:
    """Steps per minute: 60 / mean step time over all valid steps; NaN with no step.

    The mean, not the median: step times are whole frames (17 or 18 at 30 fps is 106 vs 100 steps/min), and
    the median of a few steps snaps to one of them; on the dev clips the median doubled the cadence error.
    With contacts every ``k`` frames at ``fs`` Hz this is exactly ``60 * fs / k``.
    """
    st = step_times_s(ics, max_step_time_s)
    allt = st["left"] + st["right"]
    return float(60.0 / np.mean(allt)) if allt else float("nan")


def _next_after(t: float, times: Sequence[float], limit: float) -> float | None:
    later = [x for x in times if t < x <= t + limit]
    return min(later) if later else None


def phase_fractions(ics: Sequence[GaitEvent], tos: Sequence[GaitEvent],
                    params: EventParams = DEFAULT_GAIT.events) -> dict[str, float]:
    """Stance and double-support fractions of the stride (0..1), averaged over complete cycles.

    stance = IC -> same foot's next TO; double support = IC -> other foot's next TO (both feet down),
    counted twice per stride (Perry & Burnfield 2010: ~0.6 stance, ~0.2 total double support).
    """
    stance, double = [], []
    strides = stride_times_s(ics, params.max_step_time_s)
    for f in FEET:
        other = "right" if f == "left" else "left"
        ic_t = sorted(e.time_s for e in ics if e.foot == f)
        to_same = [e.time_s for e in tos if e.foot == f]
        to_other = [e.time_s for e in tos if e.foot == other]
        for a, b in zip(ic_t[:-1], ic_t[1:], strict=False):
            stride = b - a
            if not 0 < stride <= 2 * params.max_step_time_s:
                continue
            t_to = _next_after(a, to_same, stride)
            if t_to is not None:
                stance.append((t_to - a) / stride)
            t_oto = _next_after(a, to_other, 0.5 * stride)
            if t_oto is not None:
                double.append(2 * (t_oto - a) / stride)
    del strides
    return {
        "stance_fraction": float(np.mean(stance)) if stance else float("nan"),
        "swing_fraction": float(1 - np.mean(stance)) if stance else float("nan"),
        "double_support_fraction": float(np.mean(double)) if double else float("nan"),
    }


def asymmetry_ratio(values: dict[str, list[float]], min_per_foot: int = 2) -> float:
    """Larger over smaller per-foot mean (1.0 = symmetric); NaN with fewer than ``min_per_foot`` per foot."""
    if any(len(values[f]) < min_per_foot for f in FEET):
        return float("nan")
    m = [float(np.mean(values[f])) for f in FEET]
    return max(m) / min(m) if min(m) > 0 else float("nan")


def step_difference_noise_s(values: dict[str, list[float]], fps: float, foot_bias_s: float) -> float:
    """Standard error (s) of the left-minus-right mean step time on an even walk.

    Two parts: the random scatter of single steps (pooled standard deviation, at least one frame, over
    sqrt(1/n_left + 1/n_right)) and a systematic one: a foot whose landings we time ``foot_bias_s``
    late lengthens the steps onto it and shortens the others, so the difference moves by twice that.
    """
    lv, rv = np.asarray(values["left"], float), np.asarray(values["right"], float)
    nl, nr = len(lv), len(rv)
    if nl < 2 or nr < 2 or fps <= 0:
        return float("nan")
    pooled = math.sqrt(((nl - 1) * lv.var(ddof=1) + (nr - 1) * rv.var(ddof=1)) / (nl + nr - 2))
    sd = max(pooled, 1.0 / fps)
    return math.hypot(sd * math.sqrt(1.0 / nl + 1.0 / nr), 2.0 * foot_bias_s)


def symmetry_index_pct(values: dict[str, list[float]], min_per_foot: int = 2) -> float:
    """Robinson et al. (1987) symmetry index, percent: 100 * (L - R) / (0.5 (L + R)); 0 = symmetric."""
    if any(len(values[f]) < min_per_foot for f in FEET):
        return float("nan")
    lm, rm = float(np.mean(values["left"])), float(np.mean(values["right"]))
    return 100.0 * (lm - rm) / (0.5 * (lm + rm)) if lm + rm > 0 else float("nan")


def step_lengths_px(ics: Sequence[GaitEvent], heel_x_px: dict[str, np.ndarray], facing: float,
                    max_step_time_s: float = DEFAULT_GAIT.events.max_step_time_s) -> dict[str, list[float]]:
    """Step lengths in pixels (side view, static camera): heel position at one IC to the other heel's at the next.

    ``heel_x_px`` maps anatomical foot to its (n,) heel x track indexed like the events' ``index``.
    """
    out: dict[str, list[float]] = {f: [] for f in FEET}
    evs = sorted(ics, key=lambda e: e.time_s)
    for a, b in zip(evs[:-1], evs[1:], strict=False):
        if a.foot == b.foot or not 0 < b.time_s - a.time_s <= max_step_time_s:
            continue
        xa, xb = heel_x_px[a.foot][a.index], heel_x_px[b.foot][b.index]
        d = (xb - xa) * facing
        if np.isfinite(d) and d > 0:
            out[b.foot].append(float(d))
    return out


# Winter (2009), table 4.1: shoulder joint at 0.818 H, ankle at 0.039 H above the floor, so the chain
# shoulder-hip-knee-ankle measures 0.779 H along the segments (trunk 0.288 + thigh 0.245 + shank 0.246).
SHOULDER_TO_ANKLE_FRACTION = 0.779


def px_per_m_from_height(xy_px: np.ndarray, height_m: float, side_idx: dict[str, int]) -> float:
    """Image scale (pixels per metre) from the user's height and one side's shoulder-hip-knee-ankle chain.

    Uses the median chain length over frames, so knee bend in swing shortens nothing (segments, not span).
    """
    sh, hip, knee, ank = (xy_px[:, side_idx[k]] for k in ("shoulder", "hip", "knee", "ankle"))
    chain = np.linalg.norm(sh - hip, axis=1) + np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ank, axis=1)
    c = np.nanmedian(chain) if np.isfinite(chain).any() else np.nan
    return float(c / (SHOULDER_TO_ANKLE_FRACTION * height_m)) if np.isfinite(c) and height_m > 0 else float("nan")
