"""``analyze_sit``: the sitting report of a side-view photo or video (``--task sit``).

Photos come as one-frame sequences (``seq.video.is_image``): the report
describes that moment. Videos use the time axis: time in each posture, time
ranges of each finding, the longest seated stretch. Only side-view frames are
judged in side views (image pixels) and three-quarter views (3D world landmarks, with
their larger typical error stated); front and back views, and hidden ears/shoulders/hips
or knees, give ``not_assessed`` with the reason and the view to use.

Every finding comes from a :class:`~posture.checks.CheckSpec` in :mod:`posture.sit.specs`,
graded by :func:`posture.checks.evaluate` (gates, plausibility, grading, confidence); the
live desk monitor grades the same specs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import numpy as np

from posture import landmarks as L
from posture.analyses import AnalyzeOptions
from posture.checks import CheckSpec, Evidence, evaluate, gate_frames, not_assessed_finding, past_limit
from posture.cleanup import clean_for_analysis
from posture.geometry import midpoint, nan_median
from posture.report import Finding, Report, provenance_block, time_ranges
from posture.sequence import PoseSequence
from posture.sit.baseline import FEATURE_UNITS, Baseline, drift_message, drift_series, load_baseline, posture_features
from posture.sit.checks import SittingMeasures, hips_vs_knees, measure_sitting
from posture.sit.classify import (
    NOT_SITTING,
    POSTURES,
    VIEW_ADVICE,
    PostureClasses,
    classify_frames,
    frame_durations_s,
    summarize_postures,
)
from posture.sit.params import DEFAULT_DRIFT, DEFAULT_SIT, SitParams
from posture.sit.specs import SIT_SPECS, for_method, sit_specs
from posture.view import ViewTrack, classify_views


def _view_reason(m: SittingMeasures) -> str:
    """Why nothing was judged, from the views seen."""
    views = [v for v in m.view if v not in ("none", "unknown")]
    if not views:
        return "no person's shoulders and hips were found"
    main = max(set(views), key=views.count)
    if main not in ("side", "oblique"):
        return f"the video shows a {main} view; sitting posture needs a side or three-quarter view: {VIEW_ADVICE}"
    return "the ear, shoulder or hip was hidden; keep the head, shoulders and hips in view"


def _thigh_reason(m: SittingMeasures, judged: np.ndarray, none_reason: str | None = None) -> str:
    """Why hips vs knees could not be judged on the ``judged`` frames; ``none_reason`` when there are none."""
    status = list(m.thigh_status[judged])
    if not status:
        return none_reason or _view_reason(m)
    if status.count("foreshortened") >= status.count("hidden"):
        frac = float(nan_median(m.thigh_length_fraction[judged]))
        return (f"the knee seems hidden (e.g. by a desk) or the thigh points toward the camera: the thigh looks "
                f"{frac:.0%} of its expected length, so we cannot judge hips against knees; film from the side with "
                "the legs in view")
    return ("the hips or knees are hidden (e.g. by a desk), so we cannot judge hips against knees; film from the side "
            "with the legs in view")


def _grade(spec: CheckSpec, values: np.ndarray, mask: np.ndarray, mask_reason: str, seq: PoseSequence,
           views: ViewTrack, m: SittingMeasures, t: np.ndarray, dur: np.ndarray, is_image: bool,
           params: SitParams, context: dict | None = None) -> Finding:
    """One sitting check through the check layer: gates (parts, view, size) and our mask, then evaluate.

    The size gate is applied to the clip's median body height over the masked frames as well as per frame: the
    person's size is one property of a clip, and gating frame by frame would grade a small sitter on the few frames
    where the body happens to stretch over the limit (standing up), a different set of frames.
    """
    size_ok = _big_enough(spec, views, mask)
    if not size_ok:
        mask = np.zeros_like(np.asarray(mask, bool))
        mask_reason = (f"the person was too small in the picture (under {spec.min_body_px:.0f} px; this check needs "
                       "at least that to measure): come closer or zoom in")
    gate = gate_frames(spec, seq, views, mask=mask, mask_reason=mask_reason)
    use = gate.usable & np.isfinite(values)
    world_share = float(np.mean(m.uses_world[use])) if use.any() else 0.0
    judged_spec = for_method(spec, world_share, params)
    samples = np.where(use, values, np.nan)
    ranges = None
    if not is_image and use.any():
        ranges = tuple(tuple(r) for r in time_ranges(use & past_limit(spec, samples), t, params.min_finding_duration_s,
                                                     params.merge_gap_s))
    when = ""
    if not is_image and use.any():
        share = float(np.sum(dur[use] * past_limit(spec, values[use])) / max(float(np.sum(dur[use])), 1e-9))
        when = f" (about {share:.0%} of the judged time)" if share < 0.995 else ""
    ev = Evidence(samples=samples, quality=gate.quality, gate_reason=gate.reason, ranges_s=ranges,
                  context={"when": when, **(context or {})})
    f = evaluate(judged_spec, ev)
    return _say_borderline(judged_spec, f)


def _big_enough(spec: CheckSpec, views: ViewTrack, mask: np.ndarray) -> bool:
    if not spec.min_body_px:
        return True
    m = np.asarray(mask, bool)
    h = np.asarray(views.body_height_px, float)[m] if m.any() else np.asarray(views.body_height_px, float)
    med = float(nan_median(h)) if np.isfinite(h).any() else float("nan")
    return not (med < spec.min_body_px)


def _say_borderline(spec: CheckSpec, f: Finding) -> Finding:
    """Time-in-posture (``share``) checks: the check layer words a value within one typical error of the limit as
    borderline only for median checks; say it here too (a photo or a clip that sits on the line)."""
    if (f.severity == "not_assessed" or f.value is None or spec.notice is None or "borderline" in f.message
            or not abs(f.value - spec.notice) < spec.uncertainty):
        return f
    u = spec.uncertainty
    note = (f" This is close to the {spec.notice:.0f} {spec.unit} limit (within the measurement's typical error of "
            f"{u:.0f} {spec.unit}), so treat it as borderline.")
    return replace(f, message=f.message + note)


def _slumped_back(spec: CheckSpec, m: SittingMeasures, classes: PostureClasses, seq: PoseSequence, views: ViewTrack,
                  seated: np.ndarray, t: np.ndarray, dur: np.ndarray, is_image: bool, params: SitParams,
                  seated_reason: str | None = None) -> Finding:
    """Share of the judged time slumped back: trunk back past ``slump_recline_trunk_deg`` with the hips no higher than
    the knees (the pelvis slid forward)."""
    mask = seated & np.isfinite(m.thigh_deg) & np.isfinite(m.trunk_deg)
    reason = _thigh_reason(m, seated, seated_reason)
    if not _big_enough(spec, views, mask):
        mask, reason = np.zeros_like(mask), f"the person was too small in the picture (under {spec.min_body_px:.0f} px)"
    gate = gate_frames(spec, seq, views, mask=mask, mask_reason=reason)
    use = gate.usable
    with np.errstate(invalid="ignore"):
        slumped = (m.trunk_deg <= params.slump_recline_trunk_deg) & (m.thigh_deg <= params.slump_max_thigh_deg)
    if not use.any():
        return evaluate(spec, Evidence(samples=np.array([np.nan]), gate_reason=gate.reason))
    w = dur[use]
    share = float(np.sum(w * slumped[use]) / np.sum(w)) if np.sum(w) > 0 else float(np.mean(slumped[use]))
    samples = np.where(use, 100.0 * slumped, np.nan)
    ranges = None if is_image else tuple(tuple(r) for r in time_ranges(use & slumped, t, params.min_finding_duration_s,
                                                                      params.merge_gap_s))
    return evaluate(spec, Evidence(samples=samples, quality=gate.quality, value=100.0 * share, ranges_s=ranges))


def settled_frames(seq: PoseSequence, views: ViewTrack, params: SitParams = DEFAULT_SIT) -> np.ndarray:
    """(n,) bool: the hips are still (not standing up or sitting down); every frame of a photo.

    Hip-centre speed (relative to the ankles when they are seen in most frames) in body heights per second over a
    0.2 s baseline (pixels over the median body height, so it
    depends neither on the image size nor on the frame rate), against ``settled_max_hip_speed_h_s``, widened by
    ``settled_pad_s``.
    """
    n = seq.n_frames
    if n < 3:
        return np.ones(n, bool)
    xy = np.asarray(seq.xy_px, float)
    vis = np.asarray(seq.visibility, float)
    hip = midpoint(xy[:, L.LEFT_HIP], xy[:, L.RIGHT_HIP])
    # relative to the feet where they are seen (planted while seated and while rising), so a camera that pans or
    # shakes does not look like standing up
    feet_ok = (np.minimum(vis[:, L.LEFT_ANKLE], vis[:, L.RIGHT_ANKLE]) >= params.min_visibility)
    if feet_ok.mean() >= 0.8:
        feet = midpoint(xy[:, L.LEFT_ANKLE], xy[:, L.RIGHT_ANKLE])
        hip = np.where(feet_ok[:, None], hip - feet, np.nan)
    t = np.asarray(seq.timestamps_s, float)
    h = float(nan_median(views.body_height_px))
    if not np.isfinite(h) or h <= 0:
        return np.ones(n, bool)
    ok = np.isfinite(hip).all(axis=1)
    if ok.sum() < 2:
        return np.ones(n, bool)
    half = 0.1  # our choice: speed over a fixed 0.2 s baseline, the same at any frame rate (a per-frame difference
    # grows with the frame rate's share of landmark noise)

    def at(tt: np.ndarray) -> np.ndarray:
        return np.stack([np.interp(tt, t[ok], hip[ok, 0]), np.interp(tt, t[ok], hip[ok, 1])], axis=1)

    with np.errstate(invalid="ignore"):
        v = np.linalg.norm(at(t + half) - at(t - half), axis=1) / (2 * half) / h
        moving = v > params.settled_max_hip_speed_h_s
    if moving.any():
        idx = np.flatnonzero(moving)
        lo = np.searchsorted(t, t[idx] - params.settled_pad_s, side="left")
        hi = np.searchsorted(t, t[idx] + params.settled_pad_s, side="right")
        diff = np.zeros(n + 1)
        np.add.at(diff, lo, 1)
        np.add.at(diff, hi, -1)
        moving = np.cumsum(diff)[:n] > 0
    return ~moving


def _findings(seq: PoseSequence, views: ViewTrack, m: SittingMeasures, classes: PostureClasses,
              specs: dict[str, CheckSpec], t: np.ndarray, dur: np.ndarray, is_image: bool,
              params: SitParams, clip_reason: str | None = None) -> list[Finding]:
    seated = classes.judged  # settled frames of one of the sitting postures (not standing, lying or moving)
    seated_reason = clip_reason or (
        "the person is standing, lying, moving (standing up or sitting down) or the trunk was not measured"
        if np.isin(classes.label, NOT_SITTING).any() else _view_reason(m))
    thigh_reason = _thigh_reason(m, seated, seated_reason)
    held_s = float(dur[seated].sum())
    if not is_image and 0 < held_s < params.min_seated_s:
        seated = np.zeros_like(seated)
        seated_reason = thigh_reason = (f"the person sat still for only {held_s:.1f} s; a sitting posture is judged once "
                                        f"it is held for at least {params.min_seated_s:.0f} s")
    with np.errstate(invalid="ignore"):
        planted = ~(m.knee_deg < params.feet_tucked_knee_deg) if m.knee_deg is not None else np.ones(m.n_frames, bool)
    args = (seq, views, m, t, dur, is_image, params)
    out = [
        _grade(specs["hips_below_knees"], m.thigh_deg, seated & np.isfinite(m.thigh_deg), thigh_reason, *args),
        _grade(specs["slouching"], m.trunk_deg, seated, seated_reason, *args),
        _grade(specs["reclined"], m.trunk_deg, seated, seated_reason, *args),
        _grade(specs["forward_head"], m.forward_head_deg, seated, seated_reason, *args),
        _grade(specs["feet_unsupported"], m.foot_pitch_deg, seated & planted & np.isfinite(m.foot_pitch_deg),
               "the feet are not visible, or the shins are folded back (kneeling or feet tucked) so the feet are not on "
               "the floor to judge" if seated.any() else seated_reason, *args),
        _grade(specs["feet_tucked"], m.knee_deg if m.knee_deg is not None else np.full(m.n_frames, np.nan),
               seated, "the lower legs are not visible" if seated.any() else seated_reason, *args),
        _slumped_back(specs["slumped_back"], m, classes, seq, views, seated, t, dur, is_image, params, seated_reason),
    ]
    return out


def _segments(m: SittingMeasures, frame_index: np.ndarray, min_run_s: float = 0.5) -> list[dict]:
    """Runs of one view (runs shorter than ``min_run_s`` join the one before), each marked analysed or not."""
    t, views = m.timestamps_s, list(m.view)
    runs: list[list] = []
    for i, v in enumerate(views):
        if runs and runs[-1][2] == v:
            runs[-1][1] = i
        else:
            runs.append([i, i, v])
    merged: list[list] = []
    for r in runs:
        if merged and (t[r[1]] - t[r[0]] < min_run_s or merged[-1][2] == r[2]):
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    out = []
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    for a, b, v in merged:
        analysed = v in ("side", "oblique")
        seg = {"start_frame": int(frame_index[a]), "end_frame": int(frame_index[b]), "start_s": round(float(t[a]), 3),
               "end_s": round(float(t[b]) + dt, 3), "view": v, "analysed": analysed}
        if v == "oblique":
            seg["method"] = "world landmarks (three-quarter view: angles less certain than from the side)"
        if not analysed:
            seg["reason"] = ("no person found" if v in ("none", "unknown")
                             else f"{v} view: sitting posture needs a side or three-quarter view")
        out.append(seg)
    return out


def _seated_runs(seated: np.ndarray, dur: np.ndarray, break_min_s: float) -> float:
    """Longest seated stretch (s); it ends only after ``break_min_s`` off the seat, as in the live monitor."""
    longest, run, off = 0.0, 0.0, 0.0
    for s, d in zip(seated, dur, strict=True):
        if s:
            run, off = run + d, 0.0
        else:
            off += d
            if off >= break_min_s:
                run = 0.0
        longest = max(longest, run)
    return longest


def _prolonged_sitting(spec: CheckSpec, classes: PostureClasses, m: SittingMeasures, dur: np.ndarray, is_image: bool,
                       break_min_s: float) -> tuple[Finding, dict]:
    if is_image:
        return not_assessed_finding(spec, "a photo shows one moment, not how long you sit; use a video or the live "
                                          "desk monitor"), {}
    present = ~np.isin(m.view, ("none", "unknown"))
    seated = present & ~np.isin(classes.label, NOT_SITTING)
    seated_s = float(np.sum(dur[seated]))
    longest = _seated_runs(seated, dur, break_min_s)
    metrics = {"time_seated_s": seated_s, "longest_seated_s": longest}
    if not present.any():
        return not_assessed_finding(spec, "no person was seen"), metrics
    samples = np.where(present, dur, np.nan)  # the time watched: a clip of standing up is "0 min seated", judged
    return evaluate(spec, Evidence(samples=samples, value=longest / 60.0, quality=0.9)), metrics


def _baseline_finding(spec: CheckSpec, seq: PoseSequence, baseline: Baseline, t: np.ndarray, is_image: bool,
                      params: SitParams) -> tuple[Finding, dict]:
    views, feats = posture_features(seq, params)
    rows = views == baseline.view
    if not rows.any():
        return (not_assessed_finding(spec, f"your baseline was recorded in a {baseline.view} view, but this input has "
                                           f"no {baseline.view}-view frame; film from the same place as the baseline"), {})
    series = drift_series({k: np.where(rows, v, np.nan) for k, v in feats.items()}, baseline, DEFAULT_DRIFT)
    block: dict = {"view": baseline.view, "features": dict(baseline.features), "drift": {}}
    worst, worst_score = None, -np.inf
    any_flag = np.zeros(len(t), dtype=bool)
    for name, (delta, drifted) in series.items():
        d = float(nan_median(delta[rows]))
        if not np.isfinite(d):
            continue
        share = float(np.mean(drifted[rows]))
        limit = float(_limit(name))
        block["drift"][name] = {"delta": d, "limit": limit, "share_drifted": share, "unit": _drift_unit(name)}
        score = abs(d) / limit
        if score > worst_score:
            worst, worst_score = name, score
        any_flag |= drifted
    if worst is None:
        return not_assessed_finding(spec, "the baseline's features could not be measured in this input"), block
    d = block["drift"][worst]["delta"]
    ranges = () if is_image else tuple(tuple(r) for r in time_ranges(any_flag, t, params.min_finding_duration_s,
                                                                    params.merge_gap_s))
    msg = drift_message(worst, d)
    # graded in the worst feature's own unit against its own drift limit (the spec's limit is 1 limit); an image, or a
    # clip drifted at least a fifth of the time, counts as drifted (as before the check layer)
    limit = float(_limit(worst))
    drifted_share = float(np.mean(any_flag[rows]))
    value = abs(d) if (is_image or drifted_share >= 0.2) else min(abs(d), 0.99 * limit)
    judged = replace(spec, unit=_drift_unit(worst), notice=limit, uncertainty=spec.uncertainty * limit,
                     plausible=(0.0, spec.plausible[1] * limit))
    block["drift"]["worst"] = worst
    return evaluate(judged, Evidence(samples=np.array([value]), value=value, quality=0.7, ranges_s=ranges,
                                     context={"drift_message": msg[0].upper() + msg[1:]})), block


def _limit(name: str) -> float:
    p = DEFAULT_DRIFT
    return {"trunk_deg": p.trunk_deg, "forward_head_deg": p.neck_deg, "head_pitch_deg": p.head_pitch_deg,
            "head_height_ratio": p.head_height_drop_fraction, "shoulder_width_px": p.lean_in_fraction}[name]


def _drift_unit(name: str) -> str:
    return "deg" if FEATURE_UNITS[name] == "deg" else "fraction"


def _series(m: SittingMeasures, classes: PostureClasses, params: SitParams) -> dict:
    t = m.timestamps_s
    return {
        "trunk_lean_deg": {"time_s": t, "values": m.trunk_deg, "unit": "deg", "threshold": params.slouch_trunk_deg,
                           "label": "Trunk from vertical (positive forward)"},
        "forward_head_deg": {"time_s": t, "values": m.forward_head_deg, "unit": "deg", "threshold": params.forward_head_deg,
                             "label": "Ear ahead of shoulder (proxy, no C7)"},
        "thigh_angle_deg": {"time_s": t, "values": m.thigh_deg, "unit": "deg", "threshold": params.hips_below_knees_deg,
                            "label": "Thigh from horizontal (positive: hips above knees)"},
        "head_pitch_deg": {"time_s": t, "values": m.head_pitch_deg, "unit": "deg", "threshold": None,
                           "label": "Head pitch (positive looking down)"},
        "posture_confidence": {"time_s": t, "values": classes.confidence, "unit": "", "threshold": None,
                               "label": "Posture class confidence"},
    }


def analyze_sit(seq: PoseSequence, options: AnalyzeOptions = AnalyzeOptions(), params: SitParams = DEFAULT_SIT) -> Report:
    """The sitting report of ``seq`` (a photo or a video of one person, side or three-quarter view)."""
    if options.break_after_min is not None:
        if not options.break_after_min > 0:
            raise ValueError(f"break_after_min must be positive, got {options.break_after_min}")
        params = dataclasses.replace(params, break_after_min=float(options.break_after_min))
    specs = SIT_SPECS if params == DEFAULT_SIT else sit_specs(params)
    is_image = bool(seq.video.is_image) or seq.n_frames == 1
    work = clean_for_analysis(seq, side_view=False) if seq.n_frames > 1 else seq
    views = classify_views(work)
    m = measure_sitting(work, params, views)
    still = np.ones(m.n_frames, bool) if is_image else settled_frames(work, views, params)
    classes = classify_frames(m, params, still)
    summary = summarize_postures(classes, m.timestamps_s, is_image, params)
    t = m.timestamps_s
    dur = np.ones(len(t)) if is_image else frame_durations_s(t, params.max_frame_gap_s)

    findings = _findings(work, views, m, classes, specs, t, dur, is_image, params, summary.reason)
    prolonged, sit_metrics = _prolonged_sitting(specs["prolonged_sitting"], classes, m, dur, is_image,
                                                params.break_min_s)
    findings.append(prolonged)

    baseline_block = None
    if options.baseline_path:
        b_finding, baseline_block = _baseline_finding(specs["baseline_drift"], work, load_baseline(options.baseline_path),
                                                      t, is_image, params)
        findings.append(b_finding)

    judged = classes.judged
    thigh_med = float(nan_median(m.thigh_deg[judged])) if judged.any() else np.nan

    def med(x: np.ndarray | None, rows: np.ndarray = judged) -> float | None:
        if x is None or not rows.any():
            return None
        v = float(nan_median(x[rows]))
        return round(v, 2) if np.isfinite(v) else None

    world = m.uses_world
    metrics = {
        "trunk_lean_deg": med(m.trunk_deg), "forward_head_deg": med(m.forward_head_deg),
        "neck_flexion_deg": med(m.neck_flexion_deg), "head_pitch_deg": med(m.head_pitch_deg),
        "thigh_angle_deg": med(m.thigh_deg), "foot_pitch_deg": med(m.foot_pitch_deg), "knee_angle_deg": med(m.knee_deg),
        "camera_roll_deg": m.roll.applied_deg, "share_side_view": float(np.mean(m.side)),
        "share_three_quarter_view": float(np.mean(m.view == "oblique")),
        "share_judged": summary.share_judged, **sit_metrics,
    }
    sitting = summary.to_dict()
    if m.roll.unsure and judged.any():
        sitting["confidence"] = round(float(sitting["confidence"]), 3)
        sitting["confidence_note"] = ("the shins lean, but cannot show whether the camera is tilted: the camera was "
                                      "assumed level, so the posture is less certain")
    sitting["hips_vs_knees"] = hips_vs_knees(thigh_med, params) if judged.any() else "not_visible"
    sitting["method"] = ("world" if judged.any() and world[judged].mean() > 0.5
                         else "pixels" if not (world & judged).any() else "mixed")
    # both methods over the judged frames, so side views show how far the world angles are from the pixel ones
    sitting["world_angles"] = {"trunk_deg": med(m.world_trunk_deg), "forward_head_deg": med(m.world_head_deg),
                               "thigh_deg": med(m.world_thigh_deg), "knee_deg": med(m.world_knee_deg),
                               "typical_error_deg": params.world_uncertainty_deg}
    sitting["pixel_angles"] = {"trunk_deg": med(m.pixel_trunk_deg), "forward_head_deg": med(m.pixel_head_deg),
                               "thigh_deg": med(m.pixel_thigh_deg), "knee_deg": med(m.pixel_knee_deg),
                               "typical_error_deg": params.margin_scale_deg}
    slouch = judged & (classes.label == "slouched")
    if slouch.any():
        with np.errstate(invalid="ignore"):
            rounded = float(np.mean(m.trunk_deg[slouch] < params.slouch_trunk_deg)) > 0.5
        sitting["slouch_kind"] = "rounded (trunk upright, head and shoulders forward)" if rounded else "trunk bent forward"
    sitting["camera_roll"] = m.roll.to_dict()
    sitting["classes"] = list(POSTURES)
    if baseline_block is not None:
        sitting["baseline"] = baseline_block
    prov = provenance_block(work, task="sit", baseline_path=options.baseline_path, **dataclasses.asdict(params))
    return Report(task="sit", video=seq.video, view=views.overall(), segments=_segments(m, work.frame_index),
                  events={}, metrics=metrics, findings=findings, blocks={"sitting": sitting}, provenance=prov,
                  series=_series(m, classes, params))
