"""``analyze_sit``: the sitting report of a side-view photo or video (``--task sit``).

Photos come as one-frame sequences (``seq.video.is_image``): the report
describes that moment. Videos use the time axis: time in each posture, time
ranges of each finding, the longest seated stretch. Only side-view frames are
judged; other views, and hidden ears/shoulders/hips or knees, give
``not_assessed`` with the reason and the view to use.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from posture.analyses import AnalyzeOptions
from posture.cleanup import clean_for_analysis
from posture.geometry import nan_median
from posture.report import Finding, Report, not_assessed, provenance_block, time_ranges
from posture.sequence import PoseSequence
from posture.sit.baseline import FEATURE_UNITS, Baseline, drift_message, drift_series, load_baseline, posture_features
from posture.sit.checks import SittingMeasures, hips_vs_knees, measure_sitting
from posture.sit.classify import (
    POSTURES,
    VIEW_ADVICE,
    PostureClasses,
    classify_frames,
    frame_durations_s,
    summarize_postures,
)
from posture.sit.params import DEFAULT_DRIFT, DEFAULT_SIT, SitParams

ADVICE = {
    "hips_below_knees": "Raise the seat (or sit on a firm cushion) until your hips are a little higher than your knees, "
                        "with your feet flat on the floor or on a footrest.",
    "slouching": "Sit back so your hips touch the back of the seat, keep your spine straight and let the backrest (or a "
                 "small cushion behind the lower back: lumbar support) hold the curve of your lower back. Ears over shoulders.",
    "reclined": "Leaning far back makes you push your head forward to see. Sit up so the backrest is only slightly "
                "reclined, keep your lower back supported, and bring the screen or work closer.",
    "forward_head": "Bring the screen up to eye level and closer, draw your chin back a little and keep your ears over "
                    "your shoulders.",
    "feet_unsupported": "Rest both feet flat on the floor, in line with your hips; if they do not reach, lower the seat "
                        "or use a footrest.",
    "prolonged_sitting": "Get up and walk for a few minutes at least every {m:.0f} minutes: long sitting shortens and "
                         "tightens the hip flexors.",
    "baseline_drift": "Come back to the posture you recorded as your good one: sit back, spine straight, ears over "
                      "the shoulders.",
}
PROXY_NOTE = "ear-ahead-of-shoulder angle, a proxy: MediaPipe gives no neck (C7) point"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _frame_confidence(values: np.ndarray, threshold: float, vis: np.ndarray, params: SitParams) -> np.ndarray:
    """How sure each frame's ok/flag call is: distance from the threshold (logistic) x visibility."""
    return _sigmoid(np.abs(values - threshold) / params.margin_scale_deg) * np.clip(vis, 0.0, 1.0)


@dataclasses.dataclass(frozen=True)
class _Check:
    id: str
    values: np.ndarray  # (n,) the measure, NaN where not judged
    usable: np.ndarray  # (n,) bool
    flag: np.ndarray  # (n,) bool: past the notice limit
    warn: np.ndarray  # (n,) bool: past the warning limit
    unit: str
    threshold: float
    confidence: np.ndarray  # (n,)
    message_flag: str  # formatted with v (value) and share (of judged time)
    message_ok: str
    advice: str
    not_assessed_reason: str


def _evaluate(c: _Check, t: np.ndarray, dur: np.ndarray, is_image: bool, params: SitParams) -> Finding:
    if not c.usable.any():
        return not_assessed(c.id, c.not_assessed_reason, unit=c.unit, threshold=c.threshold)
    u = c.usable
    value = float(nan_median(c.values[u]))
    conf = float(np.mean(c.confidence[u]))
    if is_image:
        flagged, warn, share, ranges = bool(c.flag[u][0]), bool(c.warn[u][0]), float(c.flag[u][0]), []
    else:
        w = dur[u]
        share = float(np.sum(w * c.flag[u]) / np.sum(w)) if np.sum(w) > 0 else float(np.mean(c.flag[u]))
        ranges = time_ranges(c.flag & u, t, params.min_finding_duration_s, params.merge_gap_s)
        flagged_time = float(np.sum(w * c.flag[u]))
        flagged = share >= 0.5 or (bool(ranges) and flagged_time >= 0.2 * float(np.sum(w)))
        warn = share >= 0.5 and float(np.sum(w * c.warn[u]) / max(float(np.sum(w)), 1e-9)) >= 0.5
        if flagged and share < 0.5:
            value = float(nan_median(c.values[u & c.flag]))  # the value while flagged: what the user should see
    severity = "warning" if (flagged and warn) else "notice" if flagged else "ok"
    text = c.message_flag if flagged else c.message_ok
    message = text.format(v=value, share=share)
    if flagged and not is_image and share < 0.5:
        message += f" (about {share:.0%} of the judged time)"
    return Finding(id=c.id, severity=severity, value=round(value, 2), unit=c.unit, threshold=c.threshold,
                   time_ranges_s=tuple(tuple(r) for r in ranges), confidence=round(float(np.clip(conf, 0, 1)), 3),
                   message=message, advice=c.advice if flagged else "")


def _view_reason(m: SittingMeasures) -> str:
    """Why nothing was judged, from the views seen."""
    views = [v for v in m.view if v != "none"]
    if not views:
        return "no person's shoulders and hips were found"
    main = max(set(views), key=views.count)
    if main != "side":
        return f"the video shows a {main} view; sitting posture needs a side view: {VIEW_ADVICE}"
    return "the ear, shoulder or hip was hidden in the side-view frames; keep the head, shoulders and hips in view"


def _thigh_reason(m: SittingMeasures, side_ok: np.ndarray) -> str:
    status = list(m.thigh_status[side_ok])
    if not status:
        return _view_reason(m)
    if status.count("foreshortened") >= status.count("hidden"):
        frac = float(nan_median(m.thigh_length_fraction[side_ok]))
        return (f"the knee seems hidden (e.g. by a desk) or the thigh points toward the camera: the thigh looks "
                f"{frac:.0%} of its expected length, so we cannot judge hips against knees; film from the side with "
                "the legs in view")
    return ("the hips or knees are hidden (e.g. by a desk), so we cannot judge hips against knees; film from the side "
            "with the legs in view")


def _slouch_message(trunk: np.ndarray, head: np.ndarray, flagged: np.ndarray, rounded: np.ndarray,
                    params: SitParams) -> str:
    """Which kind of slouch: trunk bent forward, or a rounded upright posture (head and shoulders forward)."""
    if flagged.any() and np.sum(rounded & flagged) > 0.5 * np.sum(flagged):
        h = float(nan_median(head[flagged]))
        return ("You sit in a rounded posture: your trunk is upright ({v:.0f} deg from vertical) but your head and "
                f"shoulders round forward (ear {h:.0f} deg ahead of the shoulder, over the {params.forward_head_deg:.0f} "
                "deg limit; " + PROXY_NOTE + ").")
    return "You slouch: your trunk leans {v:.0f} deg forward (over the " + f"{params.slouch_trunk_deg:.0f} deg limit)."


def _checks(m: SittingMeasures, classes: PostureClasses, params: SitParams) -> list[_Check]:
    side_ok = m.side & (m.upper_visibility >= params.min_visibility) & np.isfinite(m.trunk_deg)
    not_standing = classes.label != "standing"
    base = side_ok & not_standing
    view_reason = _view_reason(m)
    vis = m.upper_visibility
    with np.errstate(invalid="ignore"):
        thigh_ok = base & np.isfinite(m.thigh_deg)
        trunk, head, thigh, foot = m.trunk_deg, m.forward_head_deg, m.thigh_deg, m.foot_pitch_deg
        slouch_flag = classes.label == "slouched"
        rounded = slouch_flag & (trunk < params.slouch_trunk_deg)
        foot_ok = base & np.isfinite(foot)
        checks = [
            _Check("hips_below_knees", thigh, thigh_ok, thigh < params.hips_below_knees_deg,
                   thigh < params.hips_below_knees_warning_deg, "deg", params.hips_below_knees_deg,
                   _frame_confidence(thigh, params.hips_below_knees_deg, np.minimum(vis, m.leg_visibility), params),
                   "Your knees are higher than your hips (thigh {v:.0f} deg from horizontal, hips below knees).",
                   "Your hips are level with or higher than your knees (thigh {v:.0f} deg from horizontal).",
                   ADVICE["hips_below_knees"], _thigh_reason(m, side_ok & not_standing)),
            _Check("slouching", trunk, base, slouch_flag, slouch_flag & (trunk >= params.slouch_trunk_warning_deg),
                   "deg", params.slouch_trunk_deg,
                   _frame_confidence(np.where(rounded, head, trunk),
                                     np.where(rounded, params.forward_head_deg, params.slouch_trunk_deg), vis, params),
                   _slouch_message(trunk, head, slouch_flag & base, rounded, params),
                   "You are not slouching (trunk {v:.0f} deg from vertical, positive forward).",
                   ADVICE["slouching"], view_reason),
            _Check("reclined", trunk, base, trunk <= params.recline_trunk_deg, np.zeros_like(base), "deg",
                   params.recline_trunk_deg, _frame_confidence(trunk, params.recline_trunk_deg, vis, params),
                   "You lean far back: your trunk is {v:.0f} deg from vertical (negative is backward).",
                   "You are not leaning far back (trunk {v:.0f} deg from vertical).",
                   ADVICE["reclined"], view_reason),
            _Check("forward_head", head, base, head >= params.forward_head_deg, head >= params.forward_head_warning_deg,
                   "deg", params.forward_head_deg, _frame_confidence(head, params.forward_head_deg, vis, params),
                   "Your head is forward of your shoulders: {v:.0f} deg (" + PROXY_NOTE + ").",
                   "Your head is over your shoulders: {v:.0f} deg (" + PROXY_NOTE + ").",
                   ADVICE["forward_head"], view_reason),
            _Check("feet_unsupported", foot, foot_ok, foot <= -params.foot_hanging_deg, np.zeros_like(base), "deg",
                   -params.foot_hanging_deg, _frame_confidence(foot, -params.foot_hanging_deg, vis, params) * 0.7,
                   "Your feet seem to hang or rest on tiptoe (toes {v:.0f} deg from horizontal).",
                   "Your feet look flat on the floor or a rest (foot {v:.0f} deg from horizontal).",
                   ADVICE["feet_unsupported"],
                   "the feet are not visible" if base.any() else view_reason),
        ]
    return checks


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
        seg = {"start_frame": int(frame_index[a]), "end_frame": int(frame_index[b]), "start_s": round(float(t[a]), 3),
               "end_s": round(float(t[b]) + dt, 3), "view": v, "analysed": v == "side"}
        if v != "side":
            seg["reason"] = "no person found" if v == "none" else f"{v} view: sitting posture needs a side view"
        out.append(seg)
    return out


def _report_view(m: SittingMeasures) -> str:
    seen = [v for v in m.view if v != "none"]
    if not seen:
        return "unknown"
    kinds = {v for v in seen if v in ("side", "front", "back")}
    if len(kinds) > 1:
        return "mixed"
    if kinds and seen.count(next(iter(kinds))) >= 0.5 * len(seen):
        return next(iter(kinds))
    return "unknown"


def _prolonged_sitting(classes: PostureClasses, m: SittingMeasures, dur: np.ndarray, is_image: bool,
                       break_after_min: float, break_min_s: float) -> tuple[Finding, dict]:
    fid = "prolonged_sitting"
    if is_image:
        return (not_assessed(fid, "a photo shows one moment, not how long you sit; use a video or the live desk monitor",
                             unit="min", threshold=break_after_min), {})
    present = m.view != "none"
    seated = present & (classes.label != "standing")
    seated_s = float(np.sum(dur[seated]))
    # a seated stretch ends only after break_min_s off the seat, as in the live monitor
    longest, run, off = 0.0, 0.0, 0.0
    for s, d in zip(seated, dur, strict=True):
        if s:
            run, off = run + d, 0.0
        else:
            off += d
            if off >= break_min_s:
                run = 0.0
        longest = max(longest, run)
    metrics = {"time_seated_s": seated_s, "longest_seated_s": longest}
    advice = ADVICE["prolonged_sitting"].format(m=break_after_min)
    if longest >= 60.0 * break_after_min:
        return (Finding(fid, "notice", round(longest / 60.0, 2), "min", break_after_min, (), 0.9,
                        f"You sat for {longest / 60.0:.0f} min without a break.", advice), metrics)
    return (Finding(fid, "ok", round(longest / 60.0, 2), "min", break_after_min, (), 0.9,
                    f"Seated for {longest / 60.0:.1f} min in this video, under the {break_after_min:.0f} min break "
                    "reminder.", ""), metrics)


def _baseline_finding(seq: PoseSequence, baseline: Baseline, t: np.ndarray, dur: np.ndarray, is_image: bool,
                      params: SitParams) -> tuple[Finding, dict]:
    fid = "baseline_drift"
    views, feats = posture_features(seq, params)
    rows = views == baseline.view
    if not rows.any():
        return (not_assessed(fid, f"your baseline was recorded in a {baseline.view} view, but this input has no "
                                  f"{baseline.view}-view frame; film from the same place as the baseline"), {})
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
        return (not_assessed(fid, "the baseline's features could not be measured in this input"), block)
    d = block["drift"][worst]["delta"]
    flagged = float(np.mean(any_flag[rows])) >= (0.0 if is_image else 0.2) and any_flag[rows].any()
    ranges = [] if is_image else time_ranges(any_flag, t, params.min_finding_duration_s, params.merge_gap_s)
    msg = drift_message(worst, d) if flagged else "You are close to your recorded good posture."
    return (Finding(fid, "notice" if flagged else "ok", round(d, 3), _drift_unit(worst), _limit(worst),
                    tuple(tuple(r) for r in ranges), 0.7, msg[0].upper() + msg[1:] + ("." if flagged else ""),
                    ADVICE[fid] if flagged else ""), block)


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
    """The sitting report of ``seq`` (a photo or a video of one person, side view)."""
    if options.break_after_min is not None:
        if not options.break_after_min > 0:
            raise ValueError(f"break_after_min must be positive, got {options.break_after_min}")
        params = dataclasses.replace(params, break_after_min=float(options.break_after_min))
    is_image = bool(seq.video.is_image) or seq.n_frames == 1
    work = clean_for_analysis(seq, side_view=False) if seq.n_frames > 1 else seq
    m = measure_sitting(work, params)
    classes = classify_frames(m, params)
    summary = summarize_postures(classes, m.timestamps_s, is_image, params)
    t = m.timestamps_s
    dur = np.ones(len(t)) if is_image else frame_durations_s(t, params.max_frame_gap_s)

    findings = [_evaluate(c, t, dur, is_image, params) for c in _checks(m, classes, params)]
    prolonged, sit_metrics = _prolonged_sitting(classes, m, dur, is_image, params.break_after_min, params.break_min_s)
    findings.append(prolonged)

    baseline_block = None
    if options.baseline_path:
        b_finding, baseline_block = _baseline_finding(work, load_baseline(options.baseline_path), t, dur, is_image, params)
        findings.append(b_finding)

    judged = classes.judged
    thigh_med = float(nan_median(m.thigh_deg[judged])) if judged.any() else np.nan

    def med(x: np.ndarray) -> float | None:
        v = float(nan_median(x[judged])) if judged.any() else np.nan
        return v if np.isfinite(v) else None

    metrics = {
        "trunk_lean_deg": med(m.trunk_deg), "forward_head_deg": med(m.forward_head_deg),
        "neck_flexion_deg": med(m.neck_flexion_deg), "head_pitch_deg": med(m.head_pitch_deg),
        "thigh_angle_deg": med(m.thigh_deg), "foot_pitch_deg": med(m.foot_pitch_deg),
        "camera_roll_deg": m.roll.applied_deg, "share_side_view": float(np.mean(m.side)),
        "share_judged": summary.share_judged, **sit_metrics,
    }
    sitting = summary.to_dict()
    sitting["hips_vs_knees"] = hips_vs_knees(thigh_med, params) if judged.any() else "not_visible"
    sitting["camera_roll"] = m.roll.to_dict()
    sitting["classes"] = list(POSTURES)
    if baseline_block is not None:
        sitting["baseline"] = baseline_block
    prov = provenance_block(work, task="sit", baseline_path=options.baseline_path, **dataclasses.asdict(params))
    return Report(task="sit", video=seq.video, view=_report_view(m), segments=_segments(m, work.frame_index),
                  events={}, metrics=metrics, findings=findings, blocks={"sitting": sitting}, provenance=prov,
                  series=_series(m, classes, params))
