"""Walking analysis: ``analyze_walk(seq, options) -> Report`` (registered as task ``walk``).

Pipeline (each step a pure function from the other modules of this package):

1. fill short tracking gaps; find the view per frame (:mod:`posture.view` plus the walking rule of
   :mod:`posture.gait.view`) and split the clip into passes (one view, one facing; a turn ends a pass);
   frames without the whole body, or with a walker under ``min_body_px``, are skipped with the reason;
2. low-pass the landmarks (6 Hz, zero phase). Leg-swap repair is NOT applied: feet are named by alternation
   (see :mod:`posture.gait.events`), which does not need MediaPipe's labels to be right;
3. gait events per pass: the leading heel (Zeni et al. 2008) in side views, heel height in front/back views;
   a pass with fewer than two contacts shows no walking and is not analysed;
4. steps only from validated events (alternating feet, one pass, a plausible step time; see
   :func:`posture.gait.metrics.validated_steps`), cadence per pass with its spread, cross-checked against
   the stride time; per-step posture samples (trunk lean, forward-head proxy, head tipped down);
5. findings: one :class:`~posture.checks.CheckSpec` per id (:mod:`posture.gait.checks`) judged by
   :func:`posture.checks.evaluate`: gates, plausibility, grading, confidence.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import replace

import numpy as np

from posture import landmarks as L
from posture.analyses import AnalyzeOptions
from posture.checks import CheckSpec, Evidence, evaluate, gate_frames, not_assessed_finding
from posture.cleanup import DEFAULT_CLEANUP, fill_gaps, smooth_zero_phase
from posture.gait import metrics as M
from posture.gait import posture_checks as P
from posture.gait.checks import walking_specs
from posture.gait.events import FEET, GaitEvent, GaitEvents, detect_frontal_events, detect_side_events
from posture.gait.params import DEFAULT_GAIT, GaitParams
from posture.gait.view import Segment, find_segments, overall_view, step_swing_legs
from posture.geometry import nan_median
from posture.report import Finding, Report, provenance_block
from posture.sequence import PoseSequence
from posture.view import ViewTrack, classify_views

SIDE_ONLY = ("slouching", "looking_down", "forward_head", "not_heel_first")
FRONTAL_ONLY = ("hip_sway", "pelvic_drop")
NO_SIDE = "it needs a side view of the walker (walking past the camera); this clip has no side-view walking we could use"
NO_FRONT = ("it needs a front or back view (walking toward or away from the camera); this clip has no such walking "
            "we could use")


PHOTO_REASON = ("a photo shows one moment, and walking is judged over several steps; film yourself walking past the "
                "camera for about 5 seconds and analyse that video")


def _events_in(seg: Segment, sub: PoseSequence, params: GaitParams) -> GaitEvents:
    if seg.view == "side":
        return detect_side_events(sub, seg.facing, params.events, params.contact)
    return detect_frontal_events(sub, params.events)


def _shift(ev: GaitEvent, offset: int, pass_index: int) -> GaitEvent:
    return replace(ev, index=ev.index + offset, pass_index=pass_index)


def _gait_views(vt: ViewTrack, segments: list[Segment]) -> ViewTrack:
    """The shared view track with each analysed pass's walking view (what the checks' view gates see)."""
    names = np.full(vt.n_frames, "unknown", dtype=object)
    for s in segments:
        if s.analysed:
            names[s.start:s.stop] = s.view
    return replace(vt, view=names)


def analyze_walk(seq: PoseSequence, options: AnalyzeOptions = AnalyzeOptions(),
                 params: GaitParams = DEFAULT_GAIT) -> Report:
    """Analyse a raw extracted walking sequence; see the module docstring. Never raises on short input."""
    filled = fill_gaps(seq, DEFAULT_CLEANUP.max_gap_s) if seq.n_frames > 1 else seq
    clean = smooth_zero_phase(filled) if filled.n_frames > 6 else filled
    n = clean.n_frames
    vt = classify_views(clean)
    segments = find_segments(filled, params.view, vt) if n > 1 else []

    swing = step_swing_legs(clean, params.view.step_swing_window_s) if n > 1 else np.full(n, np.nan)
    ics: list[GaitEvent] = []
    tos: list[GaitEvent] = []
    foot_conf: dict[str, list[float]] = {f: [] for f in FEET}
    gait_info: list[dict] = []
    for k, s in enumerate(segments):
        if not s.analysed:
            continue
        # events are found with a little context on both sides (a contact in the first frames of a pass has
        # its approach there), then only those inside the pass are kept
        pad = int(round(params.events.context_s * clean.fps))
        a, b = max(0, s.start - pad), min(n, s.stop + pad)
        ev = _events_in(s, clean.slice(a, b), params)
        inside = [e for e in ev.initial_contacts if s.start <= a + e.index < s.stop]
        if s.view == "side":  # a landing while seated or standing (TUG's chair) is not a step of walking
            inside = [e for e in inside if swing[a + e.index] >= params.view.side_min_step_swing]
        if len(inside) < 2:
            segments[k] = replace(s, analysed=False, reason="no walking steps seen (fewer than two foot landings)")
            continue
        ics += [_shift(e, a, k) for e in inside]
        tos += [_shift(e, a, k) for e in ev.toe_offs if s.start <= a + e.index < s.stop]
        for f, c in ev.foot_confidence.items():
            foot_conf[f].append(c)
        gait_info.append({"pass": k, "start_frame": int(clean.frame_index[s.start]), "method": ev.method,
                          "near_foot": ev.near_foot, "mediapipe_left_right_exchanged": ev.labels_swapped,
                          "feet": ev.naming})
    ics.sort(key=lambda e: e.index)
    tos.sort(key=lambda e: e.index)
    side = np.zeros(n, bool)
    frontal = np.zeros(n, bool)
    facing = np.full(n, np.nan)
    for s in segments:
        if s.analysed and s.view == "side":
            side[s.start:s.stop] = True
            facing[s.start:s.stop] = s.facing
        elif s.analysed:
            frontal[s.start:s.stop] = True
    gvt = _gait_views(vt, segments)

    xy = np.asarray(clean.xy_px)
    trunk = P.trunk_lean_deg(xy, facing)
    fhead = P.forward_head_deg(xy, facing)
    pitch = P.head_pitch_deg(xy, facing)
    down = P.head_down_deg(xy, facing, params.posture.eye_ear_neutral_deg)
    steps = M.validated_steps(ics, params.events)
    ends = {id(b): b.time_s - a.time_s for a, b in steps}
    ics = [replace(e, step_s=ends.get(id(e))) for e in ics]
    steps = M.validated_steps(ics, params.events)
    step_s = [b.time_s - a.time_s for a, b in steps]
    stride_frames = int(round(2 * (np.mean(step_s) if step_s else 0.55) * clean.fps))
    fr = np.where(frontal[:, None, None], xy, np.nan)
    sway = P.pelvis_sway_ratio(fr, max(stride_frames, 3))
    obliq = P.pelvic_obliquity_deg(fr)
    side_lean = P.signed_trunk_side_lean_deg(fr)
    heel_h = P.heel_lift_px(xy)

    specs = walking_specs(params)
    metrics = _metrics(clean, ics, tos, steps, side, frontal, options, params, foot_conf, trunk, fhead, pitch, down,
                       sway, obliq, side_lean)
    findings = _findings(clean, gvt, specs, ics, steps, side, frontal, metrics, params, trunk, fhead, down, sway, obliq,
                         _main_skip_reason(segments, side | frontal))
    if seq.video.is_image:  # a photo shows one moment: no step can be judged, whatever the view
        findings = [not_assessed_finding(specs[f.id], PHOTO_REASON) for f in findings]

    t = clean.timestamps_s
    pp = params.posture
    series = {
        "trunk_lean_deg": {"time_s": t, "values": trunk, "unit": "deg", "label": "Trunk lean (+ forward)",
                           "threshold": pp.trunk_lean_notice_deg},
        "forward_head_deg": {"time_s": t, "values": fhead, "unit": "deg",
                             "label": "Forward head proxy (ear ahead of shoulder)", "threshold": pp.forward_head_notice_deg},
        "head_down_deg": {"time_s": t, "values": down, "unit": "deg", "label": "Head tipped down from level",
                          "threshold": pp.head_down_notice_deg},
        "head_pitch_deg": {"time_s": t, "values": pitch, "unit": "deg", "label": "Ear-to-nose line (+ down)",
                           "threshold": None},
        "pelvis_sway_hip_widths": {"time_s": t, "values": sway, "unit": "hip widths", "label": "Pelvis side-to-side",
                                   "threshold": pp.hip_sway_notice_ratio / 2},
        "pelvic_obliquity_deg": {"time_s": t, "values": obliq, "unit": "deg", "label": "Pelvic tilt (+ right hip lower)",
                                 "threshold": None},
        "trunk_side_lean_deg": {"time_s": t, "values": side_lean, "unit": "deg", "label": "Trunk side lean",
                                "threshold": None},
        "heel_height_left_px": {"time_s": t, "values": heel_h["left"], "unit": "px", "label": "Left heel height",
                                "threshold": None},
        "heel_height_right_px": {"time_s": t, "values": heel_h["right"], "unit": "px", "label": "Right heel height",
                                 "threshold": None},
    }
    view = overall_view(segments)
    if view == "unknown" and n:  # nothing analysed (too small, too short): still say where the camera stood
        view = vt.overall() if vt.overall() in ("side", "front", "back", "mixed") else "unknown"
    return Report(
        task="walk", video=seq.video, view=view,
        segments=[s.to_dict(clean) for s in segments],
        events={"initial_contacts": [e.to_dict() for e in ics], "toe_offs": [e.to_dict() for e in tos]},
        metrics=metrics, findings=findings,
        blocks={"gait": {"passes": gait_info, "leg_swap_repair": False, "thresholds_preset": params.name,
                         "alternation_errors": M.alternation_errors(ics)}},
        provenance=provenance_block(clean, preset=params.name, params=dataclasses.asdict(params),
                                    height_cm=options.height_cm),
        series=series,
    )


def _nanmed(x: np.ndarray, mask: np.ndarray) -> float:
    return float(nan_median(np.asarray(x)[mask])) if mask.any() else float("nan")


def _per_pass_cadence(steps: list[tuple[GaitEvent, GaitEvent]]) -> list[dict]:
    out: dict[int, list[float]] = {}
    for a, b in steps:
        out.setdefault(a.pass_index, []).append(b.time_s - a.time_s)
    return [{"pass": k, "n_steps": len(v), "cadence_spm": round(60.0 / float(np.mean(v)), 2),
             "step_time_s": round(float(np.mean(v)), 4), "step_time_sd_s": round(float(np.std(v)), 4)}
            for k, v in sorted(out.items())]


def _metrics(seq, ics, tos, steps, side, frontal, options, params, foot_conf, trunk, fhead, pitch, down, sway, obliq,
             side_lean) -> dict:
    e = params.events
    per_foot = {f: [b.time_s - a.time_s for a, b in steps if b.foot == f] for f in FEET}
    steady = {f: [b.time_s - a.time_s for a, b in _steady(steps) if b.foot == f] for f in FEET}
    all_steps = per_foot["left"] + per_foot["right"]
    strides = M.stride_times_s(ics, e.max_step_time_s)
    all_strides = strides["left"] + strides["right"]
    phases = M.phase_fractions(ics, tos, e)
    walking = _walking_mask(seq.n_frames, steps) & side
    post_mask = walking if walking.any() else side
    heel_first = [x.contact == "heel" for x in ics if x.contact != "unknown" and side[x.index]]
    stride_ok = None
    if all_steps and all_strides:
        ratio = float(np.median(all_strides) / (2 * np.median(all_steps)))
        stride_ok = abs(ratio - 1.0) <= e.stride_step_tolerance
    m: dict = {
        "cadence_spm": float(60.0 / np.mean(all_steps)) if all_steps else float("nan"),
        "cadence_per_pass": _per_pass_cadence(steps),
        "n_initial_contacts": len(ics),
        "n_steps": len(all_steps),
        "step_time_s": float(np.mean(all_steps)) if all_steps else None,
        "step_time_sd_s": float(np.std(all_steps)) if all_steps else None,
        "step_time_left_s": float(np.mean(per_foot["left"])) if per_foot["left"] else None,
        "step_time_right_s": float(np.mean(per_foot["right"])) if per_foot["right"] else None,
        "stride_time_s": float(np.mean(all_strides)) if all_strides else None,
        "stride_matches_steps": stride_ok,
        "alternation_errors": M.alternation_errors(ics),
        **phases,
        # symmetry from steady steps only (each pass's first and last step left out, see _steady)
        "step_time_asymmetry_ratio": M.asymmetry_ratio(steady, params.temporal.min_steps_per_foot),
        "step_time_symmetry_index_pct": M.symmetry_index_pct(steady, params.temporal.min_steps_per_foot),
        "heel_first_share": float(np.mean(heel_first)) if heel_first else None,
        "trunk_lean_deg": _nanmed(trunk, post_mask),
        "forward_head_proxy_deg": _nanmed(fhead, post_mask),
        "head_pitch_deg": _nanmed(pitch, post_mask),
        "head_down_deg": _nanmed(down, post_mask),
        "hip_sway_ratio": _p2p(sway, frontal),
        "pelvic_obliquity_range_deg": _p2p(obliq, frontal),
        "trunk_side_lean_deg": _abs_p95(side_lean, frontal),
        "foot_confidence": {f: (round(float(np.mean(v)), 3) if v else None) for f, v in foot_conf.items()},
        "analysed_duration_s": float((side | frontal).sum() / seq.fps) if seq.fps > 0 else 0.0,
    }
    if options.height_cm:
        m.update(_spatial(seq, ics, side, options.height_cm / 100.0, e.max_step_time_s))
    return m


def _walking_mask(n: int, steps: list[tuple[GaitEvent, GaitEvent]]) -> np.ndarray:
    m = np.zeros(n, bool)
    for a, b in steps:
        m[a.index:b.index + 1] = True
    return m


def _p2p(x: np.ndarray, mask: np.ndarray) -> float:
    v = np.asarray(x)[mask]
    v = v[np.isfinite(v)]
    return float(np.percentile(v, 95) - np.percentile(v, 5)) if v.size >= 5 else float("nan")


def _abs_p95(x: np.ndarray, mask: np.ndarray) -> float:
    v = np.asarray(x)[mask]
    v = v[np.isfinite(v)]
    return float(np.percentile(np.abs(v - np.median(v)), 95)) if v.size >= 5 else float("nan")


def _spatial(seq: PoseSequence, ics: list[GaitEvent], side: np.ndarray, height_m: float, max_step_s: float) -> dict:
    """Step/stride length and speed in metres from the user's height (side views, static camera)."""
    out = {"step_length_m": None, "stride_length_m": None, "walking_speed_m_s": None}
    if not side.any():
        return out
    scales = [M.px_per_m_from_height(np.asarray(seq.xy_px)[side], height_m, L.side_indices(s)) for s in FEET]
    px_per_m = float(np.nanmin(scales)) if np.isfinite(scales).any() else float("nan")  # the near leg looks longer
    if not np.isfinite(px_per_m) or px_per_m <= 0:
        return out
    pel_x = (seq.xy_px[:, L.LEFT_HIP, 0] + seq.xy_px[:, L.RIGHT_HIP, 0]) / 2
    facing = float(np.sign(np.nanmedian(np.gradient(pel_x)[side]))) or 1.0
    heel_x = {f: np.asarray(seq.xy_px[:, L.side_indices(f)["heel"], 0]) for f in FEET}
    side_ics = [e for e in ics if side[e.index]]
    steps = M.step_lengths_px(side_ics, heel_x, facing, max_step_s)
    allst = steps["left"] + steps["right"]
    if allst:
        out["step_length_m"] = float(np.mean(allst) / px_per_m)
        out["stride_length_m"] = 2 * out["step_length_m"]
    v = np.abs(np.gradient(pel_x)) * seq.fps
    sp = nan_median(v[side])
    out["walking_speed_m_s"] = float(sp / px_per_m) if np.isfinite(sp) else None
    out["px_per_m"] = px_per_m
    return out


# ------------------------------------------------------------------------------------------------ findings
def _per_step(trace: np.ndarray, usable: np.ndarray, quality: np.ndarray, steps, t: np.ndarray):
    """One sample per step: the trace's median over the step's usable frames (NaN with under half usable)."""
    vals, qual, times = [], [], []
    for a, b in steps:
        i, j = a.index, b.index + 1
        ok = usable[i:j] & np.isfinite(trace[i:j])
        if ok.sum() * 2 < (j - i):
            vals.append(np.nan)
            qual.append(0.0)
        else:
            vals.append(float(np.median(trace[i:j][ok])))
            qual.append(float(np.median(quality[i:j][ok])))
        times.append((float(t[i]), float(t[min(j, len(t)) - 1])))
    return np.asarray(vals, float), np.asarray(qual, float), np.asarray(times, float).reshape(-1, 2)


def _steady(steps: list[tuple[GaitEvent, GaitEvent]]) -> list[tuple[GaitEvent, GaitEvent]]:
    """The steps of steady walking: each pass's first and last step left out (starting from standing, stopping,
    entering or leaving the picture change the rhythm; gait labs measure symmetry in steady state)."""
    by_pass: dict[int, list[tuple[GaitEvent, GaitEvent]]] = {}
    for st in steps:
        by_pass.setdefault(st[0].pass_index, []).append(st)
    return sorted((st for v in by_pass.values() for st in sorted(v, key=lambda p: p[0].time_s)[1:-1]),
                  key=lambda p: p[0].time_s)


def _per_second(trace: np.ndarray, usable: np.ndarray, fps: float, half: bool = False) -> np.ndarray:
    """One sample per whole second of usable frames: the trace's 5-95 percentile range in that second (half of
    it with ``half``: a tilt to either side of the person's own average)."""
    v = np.asarray(trace, float)[np.asarray(usable, bool)]
    v = v[np.isfinite(v)]
    k = max(int(round(fps)), 2)
    out = [float(np.percentile(w, 95) - np.percentile(w, 5)) for w in (v[i:i + k] for i in range(0, len(v) - k + 1, k))]
    return 0.5 * np.asarray(out) if half else np.asarray(out)


def _judge_value(spec: CheckSpec, value: float, samples: np.ndarray, quality: float | np.ndarray, n_have: int,
                 reason_few: str, **context) -> Finding:
    """A check whose value the analysis computes (aggregate "value"): gate the amount of evidence, then evaluate."""
    if n_have < spec.min_samples or not math.isfinite(value):
        return not_assessed_finding(spec, reason_few)
    return evaluate(spec, Evidence(samples=samples, quality=quality, value=value, context=context))


def _main_skip_reason(segments: list[Segment], analysed: np.ndarray) -> str:
    """Why most of the skipped frames were skipped, for the not-assessed reasons of a clip where no pass at all
    could be analysed ("" when some pass was, or nothing was skipped)."""
    if np.asarray(analysed, bool).any():
        return ""
    by_reason: dict[str, int] = {}
    for s in segments:
        if not s.analysed and s.reason:
            by_reason[s.reason] = by_reason.get(s.reason, 0) + (s.stop - s.start)
    if not by_reason:
        return ""
    return max(by_reason, key=by_reason.get)


def _findings(seq, gvt, specs, ics, steps, side, frontal, m, params, trunk, fhead, down, sway, obliq,
              skip_reason: str = "") -> list[Finding]:
    out: list[Finding] = []
    no_side = NO_SIDE + (f" (most of the clip was skipped: {skip_reason})" if skip_reason else "")
    no_front = NO_FRONT + (f" (most of the clip was skipped: {skip_reason})" if skip_reason else "")
    t = np.asarray(seq.timestamps_s, float)
    side_steps = [(a, b) for a, b in steps if side[a.index]]
    walking_reason = "it needs whole steps of walking seen from the side"

    # ---- side-view posture: one sample per validated step
    face_ok = P.eye_ear_px(np.asarray(seq.xy_px, float)) >= params.posture.min_eye_ear_px  # NaN -> False
    for fid, trace in (("slouching", trunk), ("forward_head", fhead), ("looking_down", down)):
        spec = specs[fid]
        if not side.any():
            out.append(not_assessed_finding(spec, no_side))
            continue
        mask, reason = side, walking_reason
        if fid == "looking_down":
            # the head-down angle's lever (ear to eye) must be long enough in pixels (PostureParams.min_eye_ear_px)
            mask = side & face_ok
            if (side & ~face_ok).sum() > (side & face_ok).sum():
                reason = (f"the face is too small in the picture to measure the head's tilt (ear to eye under "
                          f"{params.posture.min_eye_ear_px:.0f} px)")
        g = gate_frames(spec, seq, gvt, mask=mask, mask_reason=reason)
        vals, qual, times = _per_step(trace, g.usable, g.quality, side_steps, t)
        out.append(evaluate(spec, Evidence(samples=vals, quality=qual, times_s=times,
                                           gate_reason=g.reason or ("no validated steps" if not side_steps else None))))

    # ---- heel-first landings (side view, feet large enough)
    spec = specs["not_heel_first"]
    if not side.any():
        out.append(not_assessed_finding(spec, no_side))
    else:
        g = gate_frames(spec, seq, gvt, mask=side)
        known = [e for e in ics if side[e.index] and g.usable[e.index] and e.contact != "unknown"]
        share = float(np.mean([e.contact == "heel" for e in known])) if known else float("nan")
        kinds = ", ".join(sorted({e.contact for e in known if e.contact != "heel"})) or "none"
        few = (f"only {len(known)} foot landing(s) could be judged; this check needs at least {spec.min_samples}"
               + (f" ({g.reason})" if g.reason else ""))
        f = _judge_value(spec, share, np.array([float(e.contact == "heel") for e in known]),
                         np.array([e.confidence for e in known]) if known else 0.0, len(known), few,
                         n_contacts=len(known), kinds=kinds)
        if f.flagged:
            bad = [e for e in known if e.contact != "heel"]
            f = replace(f, time_ranges_s=tuple((round(e.time_s - 0.1, 3), round(e.time_s + 0.1, 3)) for e in bad))
        out.append(f)

    # ---- hip sway and pelvic drop (front/back)
    for fid, value in (("hip_sway", m["hip_sway_ratio"]), ("pelvic_drop", 0.5 * m["pelvic_obliquity_range_deg"])):
        spec = specs[fid]
        if not frontal.any():
            out.append(not_assessed_finding(spec, no_front))
            continue
        if fid == "hip_sway":
            # sway is a few pixels: 1 px of landmark noise is 0.04 hip widths at 25 px, 0.1 at 10 px (a walker far
            # away), so only frames with the hips far enough apart count (the pelvic-drop limit, PostureParams)
            wide = P.hip_width_px(np.asarray(seq.xy_px)) >= params.posture.min_hip_width_px
            g = gate_frames(spec, seq, gvt, mask=frontal & wide, mask_reason=(
                f"the walker was too small in the picture (hips under {params.posture.min_hip_width_px:.0f} px apart)"))
            value = m["hip_sway_ratio"] = _p2p(sway, g.usable)
        else:
            g = gate_frames(spec, seq, gvt, mask=frontal)
        secs = float(g.usable.sum() / seq.fps)
        few = f"only {secs:.1f} s of front/back walking could be judged" + (f" ({g.reason})" if g.reason else "")
        if fid == "pelvic_drop":
            hw = float(nan_median(P.hip_width_px(np.asarray(seq.xy_px)[frontal])))
            if not hw >= params.posture.min_hip_width_px:
                out.append(not_assessed_finding(spec, f"the walker is too small in the picture (hips {hw:.0f} px apart; "
                                                      f"need {params.posture.min_hip_width_px:.0f} px to measure a tilt "
                                                      "of a few degrees)"))
                continue
        samples = _per_second(sway if fid == "hip_sway" else obliq, g.usable, seq.fps,
                              half=fid == "pelvic_drop")
        q = float(np.median(g.quality[g.usable])) if g.any else 0.0
        out.append(_judge_value(spec, value, samples, q, int(np.isfinite(samples).sum()), few))

    # ---- step symmetry
    spec = specs["asymmetric_steps"]
    # each foot's own landing times matter here (cadence averages both feet, so a late far foot cancels there):
    # only steps whose two landings were seen with the walker at least the spec's body size count
    g = gate_frames(spec, seq, gvt)
    steady = [(a, b) for a, b in _steady(steps) if g.usable[a.index] and g.usable[b.index]]
    per_foot = {ft: [b.time_s - a.time_s for a, b in steady if b.foot == ft] for ft in FEET}
    ar = M.asymmetry_ratio(per_foot, params.temporal.min_steps_per_foot)
    few = (f"it needs at least {params.temporal.min_steps_per_foot} steady steps onto each foot (the first and last "
           f"step of each pass are left out); found {len(per_foot['left'])} left and {len(per_foot['right'])} right"
           + (f" ({g.reason})" if g.reason else ""))
    conf_q = np.array([b.confidence for _, b in steps]) if steps else 0.0
    have = min(len(per_foot["left"]), len(per_foot["right"])) * 2
    ratios = []
    for ft, other in (("left", "right"), ("right", "left")):
        if per_foot[other]:
            ref = float(np.mean(per_foot[other]))
            ratios += [max(x / ref, ref / x) for x in per_foot[ft] if x > 0]
    f = _judge_value(spec, ar, np.array(ratios), float(np.median(conf_q)) if have else 0.0, have, few,
                     left_s=float(np.mean(per_foot["left"])) if per_foot["left"] else float("nan"),
                     right_s=float(np.mean(per_foot["right"])) if per_foot["right"] else float("nan"))
    walk_max_spm = specs["low_cadence"].plausible[1]
    if f.severity != "not_assessed" and math.isfinite(m["cadence_spm"]) and m["cadence_spm"] > walk_max_spm:
        f = not_assessed_finding(spec, f"these steps come at {m['cadence_spm']:.0f} per minute, faster than walking "
                                       f"(up to {walk_max_spm:.0f}): step evenness is judged on walking", ar)
    elif f.flagged and seq.fps > 0:
        # Contacts fall on whole frames: an even walk whose step lasts 8.5 frames is sampled as steps of 8 and 9
        # frames, one foot always the shorter. A left-right difference of one frame or less cannot be told
        # from that rounding (18 fps: 56 ms, 12% of a 0.47 s step).
        diff = abs(float(np.mean(per_foot["left"])) - float(np.mean(per_foot["right"])))
        noise = M.step_difference_noise_s(per_foot, seq.fps, params.temporal.foot_timing_bias_s)
        if diff <= 1.0 / seq.fps + 1e-9:
            f = not_assessed_finding(spec, f"the left and right step times differ by {diff * 1000:.0f} ms, no more than "
                                           f"one video frame ({1000 / seq.fps:.0f} ms): film at a higher frame rate "
                                           "to judge it", ar)
        elif diff < params.temporal.asymmetry_min_z * noise:
            # A difference the step-to-step scatter and the per-foot timing error can make on an even walk is not
            # evidence of uneven steps (gpjatk_p17_side: 120 ms from 2 steps a foot, the labels' own 21 ms).
            lim = params.temporal.asymmetry_min_z * noise
            f = not_assessed_finding(spec, f"the left and right step times differ by {diff * 1000:.0f} ms, but on "
                                           f"an even walk the scatter of your steps and our timing of each foot can "
                                           f"make up to {lim * 1000:.0f} ms, so we cannot tell: walk a longer "
                                           "stretch (10 steps or more), filmed from the side at 60 frames/s if "
                                           "you can", ar)
    out.append(f)

    # ---- cadence: validated steps, plausible per step and overall, stride cross-check
    spec = specs["low_cadence"]
    step_s = np.array([b.time_s - a.time_s for a, b in steps])
    cad = m["cadence_spm"]
    few = f"only {len(step_s)} validated step(s); this check needs at least {spec.min_samples}"
    if m["alternation_errors"]:
        few += f" ({m['alternation_errors']} pairs of same-foot landings in a row were not counted as steps)"
    if len(step_s) >= spec.min_samples and m["stride_matches_steps"] is False:
        out.append(not_assessed_finding(spec, f"the step time ({m['step_time_s']:.2f} s) and the stride time "
                                              f"({m['stride_time_s']:.2f} s) disagree, so the steps were not found "
                                              "reliably", cad))
    else:
        out.append(_judge_value(spec, cad, 60.0 / step_s if step_s.size else step_s, conf_q, len(step_s), few,
                                n_steps=len(step_s), step_s=float(np.mean(step_s)) if step_s.size else float("nan"),
                                spread_s=float(np.std(step_s)) if step_s.size else float("nan")))
    return out
