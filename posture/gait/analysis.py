"""Walking analysis: ``analyze_walk(seq, options) -> Report`` (registered as task ``walk``).

Pipeline (each step a pure function from the other modules of this package):

1. fill short tracking gaps; split the clip into view segments and skip those without the whole body;
2. low-pass the landmarks (6 Hz, zero phase). Leg-swap repair is NOT applied: on the five real side clips
   it relabelled correct frames and lowered the share of correctly named feet (see ``events``);
3. gait events per analysed segment: Zeni et al. (2008) in side views, heel height in front/back views;
4. metrics (cadence, step/stride time, stance, double support, asymmetry, step length and speed with
   the user's height) and per-frame posture traces (trunk lean, forward-head proxy, head pitch, hip sway,
   pelvic obliquity, trunk side lean);
5. findings with stable ids, thresholds from :mod:`posture.gait.params`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import numpy as np

from posture import landmarks as L
from posture.analyses import AnalyzeOptions
from posture.cleanup import DEFAULT_CLEANUP, fill_gaps, smooth_zero_phase
from posture.gait import metrics as M
from posture.gait import posture_checks as P
from posture.gait.events import FEET, GaitEvent, GaitEvents, detect_frontal_events, detect_side_events
from posture.gait.params import DEFAULT_GAIT, GaitParams
from posture.gait.view import Segment, find_segments, overall_view
from posture.geometry import nan_median
from posture.report import Finding, Report, margin_confidence, not_assessed, provenance_block, time_ranges
from posture.sequence import PoseSequence

# Typical error of a head/trunk angle from MediaPipe in a side-view walk, used to lower the
# confidence of calls close to a threshold. Our choice: the spread of the forward-head proxy
# over the four normal dev walks (16.9 to 22.2 deg) is about 5 deg.
POSTURE_ANGLE_UNCERTAINTY_DEG = 5.0
SIDE_ONLY = ("slouching", "looking_down", "forward_head", "not_heel_first")
FRONTAL_ONLY = ("hip_sway", "pelvic_drop")

ADVICE = {
    "slouching": ("Stand tall while you walk: imagine a string pulling the top of your head up, let your shoulders "
                  "relax back and down, and keep your chest open rather than rounding forward."),
    "forward_head": ("Bring your head back over your shoulders: gently draw your chin in (a small 'double chin' nod) "
                     "and lengthen the back of your neck, then keep looking ahead."),
    "looking_down": ("Look ahead about 10-20 m, not at your feet. Glance down with your eyes when you need to check "
                     "the ground, rather than bending your neck."),
    "hip_sway": ("Walk with your hips level and your steps in two narrow parallel lines; gently tighten your tummy "
                 "and buttock muscles so the pelvis does not swing side to side. Side-lying leg lifts and "
                 "side-stepping strengthen the hip muscles that steady it."),
    "pelvic_drop": ("When one foot is off the ground, keep the hip of the swinging leg from dropping: strengthen the "
                    "outer hip muscles (side-lying leg lifts, side planks, side-stepping). If it comes with pain or "
                    "a limp, ask a physiotherapist."),
    "not_heel_first": ("Let the heel touch down first and roll through to the ball of the foot and the toes: take a "
                       "slightly shorter step and lift the toes a little as the leg swings forward."),
    "asymmetric_steps": ("Aim for an even rhythm, the same time on each foot: walking to a steady beat (music or a "
                         "metronome app) helps. A lasting difference between sides, or one that comes with pain, is "
                         "worth showing to a physiotherapist."),
    "low_cadence": ("Try taking slightly quicker, shorter steps: about 100 steps a minute is a brisk, healthy "
                    "walking pace for most adults. Build up gradually."),
}


@dataclasses.dataclass
class _Traces:
    facing: np.ndarray  # (n,) +1/-1 in side frames, 0 elsewhere
    side: np.ndarray  # (n,) bool analysed side frames
    frontal: np.ndarray  # (n,) bool analysed front/back frames
    cycles: np.ndarray  # (n,) bool frames inside complete gait cycles (first to last IC of a foot)


def _severity(value: float, notice: float, warning: float, higher_is_worse: bool = True) -> str:
    if not np.isfinite(value):
        return "ok"
    if higher_is_worse:
        return "warning" if value >= warning else "notice" if value >= notice else "ok"
    return "warning" if value <= warning else "notice" if value <= notice else "ok"


def _vis(seq: PoseSequence, idx: list[int], mask: np.ndarray) -> float:
    if not mask.any():
        return 0.0
    return float(np.median(np.asarray(seq.visibility)[mask][:, idx]))


def _ranges(mask: np.ndarray, seq: PoseSequence) -> tuple[tuple[float, float], ...]:
    return tuple(time_ranges(mask, seq.timestamps_s, min_duration_s=0.2, merge_gap_s=0.3))


def _cycle_mask(n: int, ics: list[GaitEvent], segs: list[Segment]) -> np.ndarray:
    """Frames between the first and last initial contact of the same foot, per segment (whole cycles)."""
    m = np.zeros(n, dtype=bool)
    for s in segs:
        if not s.analysed:
            continue
        for f in FEET:
            idx = [e.index for e in ics if e.foot == f and s.start <= e.index < s.stop]
            if len(idx) >= 2:
                m[min(idx):max(idx) + 1] = True
    return m


def _events_in(seg: Segment, sub: PoseSequence, params: GaitParams) -> GaitEvents:
    if seg.view == "side":
        return detect_side_events(sub, seg.facing, params.events, params.contact)
    return detect_frontal_events(sub, params.events)


def _shift(ev: GaitEvent, offset: int) -> GaitEvent:
    return replace(ev, index=ev.index + offset)


def analyze_walk(seq: PoseSequence, options: AnalyzeOptions = AnalyzeOptions(),
                 params: GaitParams = DEFAULT_GAIT) -> Report:
    """Analyse a raw extracted walking sequence; see the module docstring."""
    filled = fill_gaps(seq, DEFAULT_CLEANUP.max_gap_s)
    segments = find_segments(filled, params.view)
    clean = smooth_zero_phase(filled) if filled.n_frames > 1 else filled
    n = clean.n_frames

    ics: list[GaitEvent] = []
    tos: list[GaitEvent] = []
    foot_conf: dict[str, list[float]] = {f: [] for f in FEET}
    gait_info: list[dict] = []
    facing = np.zeros(n)
    side = np.zeros(n, dtype=bool)
    frontal = np.zeros(n, dtype=bool)
    for s in segments:
        if not s.analysed:
            continue
        if s.view == "side":
            side[s.start:s.stop] = True
            facing[s.start:s.stop] = s.facing
        else:
            frontal[s.start:s.stop] = True
        ev = _events_in(s, clean.slice(s.start, s.stop), params)
        ics += [_shift(e, s.start) for e in ev.initial_contacts]
        tos += [_shift(e, s.start) for e in ev.toe_offs]
        for f, c in ev.foot_confidence.items():
            foot_conf[f].append(c)
        gait_info.append({"start_frame": int(clean.frame_index[s.start]), "method": ev.method,
                          "near_foot": ev.near_foot, "mediapipe_left_right_exchanged": ev.labels_swapped})
    ics.sort(key=lambda e: e.index)
    tos.sort(key=lambda e: e.index)
    tr = _Traces(facing=facing, side=side, frontal=frontal, cycles=_cycle_mask(n, ics, segments))

    xy = np.asarray(clean.xy_px)
    f_or_nan = np.where(side, facing, np.nan)
    trunk = P.trunk_lean_deg(xy, f_or_nan)
    fhead = P.forward_head_deg(xy, f_or_nan)
    pitch = P.head_pitch_deg(xy, f_or_nan)
    step_ref = M.step_times_s(ics, params.events.max_step_time_s)
    steps_all = step_ref["left"] + step_ref["right"]
    stride_frames = int(round(2 * (np.mean(steps_all) if steps_all else 0.55) * clean.fps))
    fr = np.where(frontal[:, None, None], xy, np.nan)
    sway = P.pelvis_sway_ratio(fr, max(stride_frames, 3))
    obliq = P.pelvic_obliquity_deg(fr)
    side_lean = P.signed_trunk_side_lean_deg(fr)
    heel_h = P.heel_lift_px(xy)

    metrics = _metrics(clean, ics, tos, tr, options, params, foot_conf, trunk, fhead, pitch, sway, obliq, side_lean)
    findings = _findings(clean, ics, tr, metrics, params, trunk, fhead, pitch, sway, obliq)

    t = clean.timestamps_s
    series = {
        "trunk_lean_deg": {"time_s": t, "values": trunk, "unit": "deg", "label": "Trunk lean (+ forward)",
                           "threshold": params.posture.trunk_lean_notice_deg},
        "forward_head_deg": {"time_s": t, "values": fhead, "unit": "deg", "label": "Forward head proxy (ear ahead of shoulder)",
                             "threshold": params.posture.forward_head_notice_deg},
        "head_pitch_deg": {"time_s": t, "values": pitch, "unit": "deg", "label": "Head pitch (+ looking down)",
                           "threshold": params.posture.head_neutral_deg + params.posture.head_down_notice_deg},
        "pelvis_sway_hip_widths": {"time_s": t, "values": sway, "unit": "hip widths", "label": "Pelvis side-to-side",
                                   "threshold": params.posture.hip_sway_notice_ratio / 2},
        "pelvic_obliquity_deg": {"time_s": t, "values": obliq, "unit": "deg", "label": "Pelvic tilt (+ right hip lower)",
                                 "threshold": None},
        "trunk_side_lean_deg": {"time_s": t, "values": side_lean, "unit": "deg", "label": "Trunk side lean",
                                "threshold": None},
        "heel_height_left_px": {"time_s": t, "values": heel_h["left"], "unit": "px", "label": "Left heel height",
                                "threshold": None},
        "heel_height_right_px": {"time_s": t, "values": heel_h["right"], "unit": "px", "label": "Right heel height",
                                 "threshold": None},
    }
    report = Report(
        task="walk", video=seq.video, view=overall_view(segments),
        segments=[s.to_dict(clean) for s in segments],
        events={"initial_contacts": [e.to_dict() for e in ics], "toe_offs": [e.to_dict() for e in tos]},
        metrics=metrics, findings=findings,
        blocks={"gait": {"segments": gait_info, "leg_swap_repair": False, "thresholds_preset": params.name}},
        provenance=provenance_block(clean, preset=params.name, params=dataclasses.asdict(params),
                                    height_cm=options.height_cm),
        series=series,
    )
    return report


def _nanmed(x: np.ndarray, mask: np.ndarray) -> float:
    return float(nan_median(np.asarray(x)[mask])) if mask.any() else float("nan")


def _metrics(seq, ics, tos, tr, options, params, foot_conf, trunk, fhead, pitch, sway, obliq, side_lean) -> dict:
    e = params.events
    steps = M.step_times_s(ics, e.max_step_time_s)
    strides = M.stride_times_s(ics, e.max_step_time_s)
    all_steps = steps["left"] + steps["right"]
    all_strides = strides["left"] + strides["right"]
    phases = M.phase_fractions(ics, tos, e)
    post_mask = tr.side & (tr.cycles if tr.cycles[tr.side].any() else True)
    heel_first = [x.contact == "heel" for x in ics if x.contact != "unknown"]
    m: dict = {
        "cadence_spm": M.cadence_spm(ics, e.max_step_time_s),
        "n_initial_contacts": len(ics),
        "n_steps": len(all_steps),
        "step_time_s": float(np.mean(all_steps)) if all_steps else None,
        "step_time_left_s": float(np.mean(steps["left"])) if steps["left"] else None,
        "step_time_right_s": float(np.mean(steps["right"])) if steps["right"] else None,
        "stride_time_s": float(np.mean(all_strides)) if all_strides else None,
        **phases,
        "step_time_asymmetry_ratio": M.asymmetry_ratio(steps, params.temporal.min_steps_per_foot),
        "step_time_symmetry_index_pct": M.symmetry_index_pct(steps, params.temporal.min_steps_per_foot),
        "heel_first_share": float(np.mean(heel_first)) if heel_first else None,
        "trunk_lean_deg": _nanmed(trunk, post_mask),
        "forward_head_proxy_deg": _nanmed(fhead, post_mask),
        "head_pitch_deg": _nanmed(pitch, post_mask),
        "hip_sway_ratio": _p2p(sway, tr.frontal),
        "pelvic_obliquity_range_deg": _p2p(obliq, tr.frontal),
        "trunk_side_lean_deg": _abs_p95(side_lean, tr.frontal),
        "foot_confidence": {f: (round(float(np.mean(v)), 3) if v else None) for f, v in foot_conf.items()},
        "analysed_duration_s": float((tr.side | tr.frontal).sum() / seq.fps),
    }
    if options.height_cm:
        sl = _spatial(seq, ics, tr, options.height_cm / 100.0, e.max_step_time_s)
        m.update(sl)
    return m


def _p2p(x: np.ndarray, mask: np.ndarray) -> float:
    v = np.asarray(x)[mask]
    v = v[np.isfinite(v)]
    return float(np.percentile(v, 95) - np.percentile(v, 5)) if v.size >= 5 else float("nan")


def _abs_p95(x: np.ndarray, mask: np.ndarray) -> float:
    v = np.asarray(x)[mask]
    v = v[np.isfinite(v)]
    return float(np.percentile(np.abs(v - np.median(v)), 95)) if v.size >= 5 else float("nan")


def _spatial(seq: PoseSequence, ics: list[GaitEvent], tr: _Traces, height_m: float, max_step_s: float) -> dict:
    """Step/stride length and speed in metres from the user's height (side views, static camera)."""
    out = {"step_length_m": None, "stride_length_m": None, "walking_speed_m_s": None}
    if not tr.side.any():
        return out
    scales = [M.px_per_m_from_height(np.asarray(seq.xy_px)[tr.side], height_m, L.side_indices(s)) for s in FEET]
    px_per_m = float(np.nanmin(scales)) if np.isfinite(scales).any() else float("nan")  # the near leg looks longer
    if not np.isfinite(px_per_m) or px_per_m <= 0:
        return out
    facing = float(np.sign(np.sum(tr.facing))) or 1.0
    heel_x = {f: np.asarray(seq.xy_px[:, L.side_indices(f)["heel"], 0]) for f in FEET}
    side_ics = [e for e in ics if tr.side[e.index]]
    steps = M.step_lengths_px(side_ics, heel_x, facing, max_step_s)
    allst = steps["left"] + steps["right"]
    if allst:
        out["step_length_m"] = float(np.mean(allst) / px_per_m)
        out["stride_length_m"] = 2 * out["step_length_m"]
    pel_x = (seq.xy_px[:, L.LEFT_HIP, 0] + seq.xy_px[:, L.RIGHT_HIP, 0]) / 2
    v = np.abs(np.gradient(pel_x)) * seq.fps
    sp = nan_median(v[tr.side])
    out["walking_speed_m_s"] = float(sp / px_per_m) if np.isfinite(sp) else None
    out["px_per_m"] = px_per_m
    return out


def _findings(seq, ics, tr, m, params, trunk, fhead, pitch, sway, obliq) -> list[Finding]:
    pp, tp, cp = params.posture, params.temporal, params.contact
    vp = params.view
    out: list[Finding] = []
    has_side, has_front = bool(tr.side.any()), bool(tr.frontal.any())
    no_side = "needs a side view of the walker (walking past the camera); this clip has none we could use"
    no_front = "needs a front or back view (walking toward or away from the camera); this clip has none we could use"
    mask = tr.side & tr.cycles if (tr.side & tr.cycles).any() else tr.side
    dur_conf = min(1.0, mask.sum() / (2.0 * seq.fps))  # our choice: full confidence from 2 s of walking

    # ---- slouching: trunk lean and the forward-head proxy over whole gait cycles (side view)
    head_idx = [L.LEFT_EAR, L.RIGHT_EAR, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]
    trunk_idx = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]
    if not has_side:
        out += [not_assessed(i, no_side) for i in ("slouching", "forward_head", "looking_down")]
    else:
        tv, fv = m["trunk_lean_deg"], m["forward_head_proxy_deg"]
        vis_t, vis_h = _vis(seq, trunk_idx, mask), _vis(seq, head_idx, mask)
        if vis_t < vp.min_visibility or not np.isfinite(tv):
            out.append(not_assessed("slouching", f"shoulders and hips were poorly visible (median visibility {vis_t:.2f})",
                                    "deg", pp.trunk_lean_notice_deg))
        else:
            sev_t = _severity(tv, pp.trunk_lean_notice_deg, pp.trunk_lean_warning_deg)
            sev_h = _severity(fv, pp.forward_head_notice_deg, pp.forward_head_warning_deg) if vis_h >= vp.min_visibility else "ok"
            rank = {"ok": 0, "notice": 1, "warning": 2}
            if rank[sev_h] > rank[sev_t]:
                sev, value, thr, trace = sev_h, fv, pp.forward_head_notice_deg, fhead
                msg = (f"Your upper back and head are carried forward: the ear sits {fv:.0f} deg ahead of the shoulder "
                       f"(a proxy; upright walkers measure below {pp.forward_head_notice_deg:.0f} deg), while the trunk "
                       f"itself leans {tv:.0f} deg. Rounded shoulders with the head forward is a slouched walk.")
            else:
                sev, value, thr, trace = sev_t, tv, pp.trunk_lean_notice_deg, trunk
                msg = (f"Your trunk leans {tv:.0f} deg forward while you walk (upright walking is within about "
                       f"{pp.trunk_lean_notice_deg:.0f} deg)." if sev != "ok" else
                       f"Your trunk stays upright while you walk ({tv:.0f} deg from vertical) and your head is over "
                       f"your shoulders ({fv:.0f} deg, proxy).")
            margin = margin_confidence(value, thr, POSTURE_ANGLE_UNCERTAINTY_DEG)
            out.append(Finding("slouching", sev, value, "deg", thr, _ranges(mask & (trace >= thr), seq) if sev != "ok" else (),
                               round(min(vis_t, 1.0) * dur_conf * margin, 3), msg, ADVICE["slouching"] if sev != "ok" else ""))
        # ---- forward head (proxy)
        if vis_h < vp.min_visibility or not np.isfinite(fv):
            out.append(not_assessed("forward_head", f"ears or shoulders were poorly visible (median visibility {vis_h:.2f})",
                                    "deg", pp.forward_head_notice_deg))
        else:
            sev = _severity(fv, pp.forward_head_notice_deg, pp.forward_head_warning_deg)
            msg = (f"Forward-head proxy: your ear is {fv:.0f} deg ahead of your shoulder (measured from vertical; "
                   f"MediaPipe has no C7 point, so this is an estimate). Above {pp.forward_head_notice_deg:.0f} deg the head "
                   "is carried in front of the body." if sev != "ok" else
                   f"Your head is carried over your shoulders ({fv:.0f} deg, forward-head proxy).")
            out.append(Finding("forward_head", sev, fv, "deg", pp.forward_head_notice_deg,
                               _ranges(mask & (fhead >= pp.forward_head_notice_deg), seq) if sev != "ok" else (),
                               round(vis_h * dur_conf * 0.8 * margin_confidence(fv, pp.forward_head_notice_deg,
                                                                                POSTURE_ANGLE_UNCERTAINTY_DEG), 3),
                               msg, ADVICE["forward_head"] if sev != "ok" else ""))
        # ---- looking down
        pv = m["head_pitch_deg"]
        face_idx = [L.NOSE, L.LEFT_EAR, L.RIGHT_EAR]
        vis_f = _vis(seq, face_idx, mask)
        thr_n = pp.head_neutral_deg + pp.head_down_notice_deg
        thr_w = pp.head_neutral_deg + pp.head_down_warning_deg
        if vis_f < vp.min_visibility or not np.isfinite(pv):
            out.append(not_assessed("looking_down", f"face landmarks were poorly visible (median visibility {vis_f:.2f})",
                                    "deg", thr_n))
        else:
            down = mask & (pitch >= thr_n)
            share = float(down.sum() / max(mask.sum(), 1))
            m["looking_down_share"] = share
            sev = "ok"
            if share >= pp.looking_down_min_share:
                sev = "warning" if pv >= thr_w else "notice"
            msg = (f"You look down for {100 * share:.0f}% of the walk: the head is tipped {pv - pp.head_neutral_deg:.0f} deg "
                   f"below an upright head on average (ear-to-nose line {pv:.0f} deg below horizontal)." if sev != "ok" else
                   f"You mostly look ahead (head tipped down beyond {thr_n:.0f} deg in {100 * share:.0f}% of the walk).")
            out.append(Finding("looking_down", sev, pv, "deg", thr_n, _ranges(down, seq) if sev != "ok" else (),
                               round(vis_f * dur_conf * margin_confidence(pv, thr_n, POSTURE_ANGLE_UNCERTAINTY_DEG), 3),
                               msg, ADVICE["looking_down"] if sev != "ok" else ""))

    # ---- heel-first contact (side view)
    side_ics = [e for e in ics if tr.side[e.index]]
    known = [e for e in side_ics if e.contact != "unknown"]
    if not has_side:
        out.append(not_assessed("not_heel_first", no_side, "share"))
    elif len(known) < 2:
        out.append(not_assessed("not_heel_first", f"only {len(known)} foot landing(s) could be judged; need at least 2", "share"))
    else:
        share = float(np.mean([e.contact == "heel" for e in known]))
        sev = _severity(share, cp.heel_first_share_notice, cp.heel_first_share_warning, higher_is_worse=False)
        bad = [e for e in known if e.contact != "heel"]
        rng = tuple((round(e.time_s - 0.1, 3), round(e.time_s + 0.1, 3)) for e in bad) if sev != "ok" else ()
        kinds = ", ".join(sorted({e.contact for e in bad})) or "none"
        msg = (f"{100 * share:.0f}% of your {len(known)} landings were heel first; the others landed {kinds}." if sev != "ok"
               else f"{100 * share:.0f}% of your {len(known)} landings were heel first.")
        conf = float(np.mean([e.confidence for e in known]))
        out.append(Finding("not_heel_first", sev, share, "share", cp.heel_first_share_notice, rng, round(conf, 3), msg,
                           ADVICE["not_heel_first"] if sev != "ok" else ""))

    # ---- hip sway and pelvic drop (front/back)
    if not has_front:
        out += [not_assessed("hip_sway", no_front, "hip widths"), not_assessed("pelvic_drop", no_front, "deg")]
    else:
        hip_vis = _vis(seq, [L.LEFT_HIP, L.RIGHT_HIP], tr.frontal)
        fconf = round(hip_vis * min(1.0, tr.frontal.sum() / (2.0 * seq.fps)), 3)
        hv = m["hip_sway_ratio"]
        if hip_vis < vp.min_visibility or not np.isfinite(hv):
            out.append(not_assessed("hip_sway", f"hips were poorly visible (median visibility {hip_vis:.2f})", "hip widths"))
        else:
            sev = _severity(hv, pp.hip_sway_notice_ratio, pp.hip_sway_warning_ratio)
            rng = _ranges(tr.frontal & (np.abs(sway) >= pp.hip_sway_notice_ratio / 2), seq) if sev != "ok" else ()
            msg = (f"Your pelvis swings {hv:.2f} hip widths from side to side (normal walking is about 0.25)."
                   if sev != "ok" else f"Your pelvis stays steady from side to side ({hv:.2f} hip widths).")
            out.append(Finding("hip_sway", sev, hv, "hip widths", pp.hip_sway_notice_ratio, rng, fconf, msg,
                               ADVICE["hip_sway"] if sev != "ok" else ""))
        ov = m["pelvic_obliquity_range_deg"]
        hw = float(nan_median(P.hip_width_px(np.asarray(seq.xy_px)[tr.frontal])))
        if hip_vis < vp.min_visibility or not np.isfinite(ov):
            out.append(not_assessed("pelvic_drop", f"hips were poorly visible (median visibility {hip_vis:.2f})", "deg"))
        elif not hw >= pp.min_hip_width_px:
            out.append(not_assessed("pelvic_drop", f"the walker is too small in the picture (hips {hw:.0f} px apart; need "
                                    f"{pp.min_hip_width_px:.0f} px to measure a tilt of a few degrees)", "deg"))
        else:
            drop = 0.5 * ov  # peak tilt to either side of the person's own average
            dev = np.abs(obliq - nan_median(obliq[tr.frontal]))
            sev = _severity(drop, pp.pelvic_drop_notice_deg, pp.pelvic_drop_warning_deg)
            rng = _ranges(tr.frontal & (dev >= pp.pelvic_drop_notice_deg), seq) if sev != "ok" else ()
            msg = (f"Your pelvis tips by about {drop:.0f} deg to each side as you step (normal is about 4-7 deg): the hip "
                   "of the swinging leg drops." if sev != "ok" else
                   f"Your pelvis stays level as you step (about {drop:.0f} deg of tilt each side).")
            out.append(Finding("pelvic_drop", sev, drop, "deg", pp.pelvic_drop_notice_deg, rng, round(fconf * 0.8, 3), msg,
                               ADVICE["pelvic_drop"] if sev != "ok" else ""))

    # ---- step asymmetry
    ar = m["step_time_asymmetry_ratio"]
    if not np.isfinite(ar):
        out.append(not_assessed("asymmetric_steps",
                                f"need at least {tp.min_steps_per_foot} steps on each foot; found "
                                f"{len(M.step_times_s(ics)['left'])} left and {len(M.step_times_s(ics)['right'])} right",
                                "ratio", tp.asymmetry_notice_ratio))
    else:
        sev = _severity(ar, tp.asymmetry_notice_ratio, tp.asymmetry_warning_ratio)
        lt, rt = m["step_time_left_s"], m["step_time_right_s"]
        msg = (f"Your steps are uneven: {lt:.2f} s onto the left foot vs {rt:.2f} s onto the right (ratio {ar:.2f})."
               if sev != "ok" else f"Your steps are even: {lt:.2f} s left, {rt:.2f} s right (ratio {ar:.2f}).")
        conf = float(np.mean([e.confidence for e in ics])) if ics else 0.0
        out.append(Finding("asymmetric_steps", sev, ar, "ratio", tp.asymmetry_notice_ratio, (), round(conf, 3), msg,
                           ADVICE["asymmetric_steps"] if sev != "ok" else ""))

    # ---- cadence
    cad = m["cadence_spm"]
    if not np.isfinite(cad) or m["n_steps"] < 2:
        out.append(not_assessed("low_cadence", f"need at least 2 steps; found {m['n_steps']}", "steps/min",
                                tp.low_cadence_notice_spm))
    else:
        sev = _severity(cad, tp.low_cadence_notice_spm, tp.low_cadence_warning_spm, higher_is_worse=False)
        msg = (f"You walk at {cad:.0f} steps per minute, slower than a brisk pace (about 100 or more)." if sev != "ok"
               else f"You walk at {cad:.0f} steps per minute.")
        conf = float(np.mean([e.confidence for e in ics])) * min(1.0, m["n_steps"] / 4)
        out.append(Finding("low_cadence", sev, cad, "steps/min", tp.low_cadence_notice_spm,
                           _ranges(tr.side | tr.frontal, seq) if sev != "ok" else (), round(conf, 3), msg,
                           ADVICE["low_cadence"] if sev != "ok" else ""))
    return out
