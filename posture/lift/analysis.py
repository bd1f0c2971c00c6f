"""``analyze_lift``: repetitions, per-repetition findings, REBA and NIOSH for one lifting clip or photo."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from posture.analyses import AnalyzeOptions
from posture.cleanup import clean_for_analysis
from posture.errors import NoPersonError
from posture.geometry import nan_median
from posture.lift import niosh, reba
from posture.lift.back import back_outline_series
from posture.lift.checks import (
    BACK_ROUNDED,
    KNEES_NOT_BENT,
    TWISTING,
    RepMetrics,
    findings_from_reps,
    limits_provenance,
    measure_rep,
)
from posture.lift.kinematics import LiftKinematics, compute_kinematics, estimate_view
from posture.lift.params import DEFAULT_LIFT, LiftParams
from posture.lift.reps import Repetition, find_repetitions
from posture.report import Report, provenance_block
from posture.sequence import PoseSequence
from posture.view import ViewTrack, classify_views

log = logging.getLogger(__name__)

STYLE_SQUAT_KNEE_DEG = 90.0  # our choice: knees bent beyond 90 deg at the bottom = squat (knee-dominant)


def lift_style(knee_deg: float, lean_deg: float, params: LiftParams = DEFAULT_LIFT) -> str:
    """"squat" (knee-dominant), "semi-squat", "stoop" (hip/back-dominant) or "unknown": knee flexion at the
    lowest point below the knees_not_bent warning limit (30 deg) is a stoop, from 90 deg (and at least the trunk
    lean) a squat, in between a semi-squat (classes after Burgess-Limerick 2003)."""
    if not np.isfinite(knee_deg):
        return "unknown"
    if knee_deg < KNEES_NOT_BENT.warning:
        return "stoop"
    if knee_deg >= STYLE_SQUAT_KNEE_DEG and (not np.isfinite(lean_deg) or knee_deg >= lean_deg):
        return "squat"
    return "semi-squat"


def _rep_style(m: RepMetrics, grades: dict[str, dict], params: LiftParams = DEFAULT_LIFT) -> str:
    """The style of one repetition, from its knee angle only where the knee check could judge it."""
    if grades.get("knees_not_bent", {}).get("value") is None:
        return "unknown"
    return lift_style(m.knee_flexion_bottom_deg, m.trunk_lean_bottom_deg, params)


def reba_per_frame(kin: LiftKinematics, options: AnalyzeOptions, reps: list[Repetition], rep_rate_per_min: float,
                   params: LiftParams = DEFAULT_LIFT) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Per-frame REBA scores and the inputs/assumptions used."""
    p = params
    side = kin.view.view == "side"
    # the twist is measurable only from the front or back (MediaPipe depth alone in a side view is noise)
    frontal = kin.view.view in TWISTING.views
    twisted = frontal & (np.abs(np.nan_to_num(kin.twist_deg)) > p.reba_twist_deg)
    side_bent = (~side) & (np.nan_to_num(kin.trunk_side_lean_deg) > p.reba_side_bend_deg)
    neck_angle = kin.neck_flexion_deg if side else np.zeros_like(kin.trunk_lean_deg)
    scores = {
        "trunk": reba.trunk_score(kin.trunk_lean_deg, twisted | side_bent, p.reba_upright_tolerance_deg),
        "neck": reba.neck_score(neck_angle, False, p.reba_neck_extension_tolerance_deg),
        "legs": reba.legs_score(kin.knee_flexion_deg, kin.unilateral),
        "upper_arm": reba.upper_arm_score(kin.upper_arm_flexion_deg),
        "lower_arm": reba.lower_arm_score(kin.elbow_flexion_deg),
        "wrist": reba.wrist_score(np.zeros_like(kin.trunk_lean_deg)),
    }
    lean_ranges = [np.nanmax(kin.trunk_lean_deg[r.start:r.end + 1]) - np.nanmin(kin.trunk_lean_deg[r.start:r.end + 1])
                   for r in reps if np.isfinite(kin.trunk_lean_deg[r.start:r.end + 1]).any()]
    rapid = bool(lean_ranges and max(lean_ranges) > p.reba_rapid_change_deg)
    repeated = bool(np.isfinite(rep_rate_per_min) and rep_rate_per_min > 4)
    load = reba.load_score(options.load_kg)
    coupling = reba.coupling_score(options.coupling)
    activity = reba.activity_score(False, repeated, rapid)
    out = reba.reba_from_scores(scores["trunk"], scores["neck"], scores["legs"], scores["upper_arm"], scores["lower_arm"],
                                scores["wrist"], load=load, coupling=coupling, activity=activity)
    out.update(scores)
    assumptions = ["wrist assumed neutral (score 1): the video cannot show wrist angles reliably",
                   "neck and upper-arm twist, shoulder raising and arm support are not measured (no adjustments)"]
    if not side:
        assumptions.append("neck assumed neutral (score 1): neck flexion needs a side view")
    if not frontal:
        assumptions.append("trunk twist not scored (no +1): twisting is measurable only from the front or back")
    if options.load_kg is None:
        assumptions.append("load not given: load/force score 0")
    info = {"load_score": load, "coupling": options.coupling, "coupling_score": coupling, "activity_score": activity,
            "activity": {"static_over_1min": False, "repeated_over_4_per_min": repeated, "rapid_large_changes": rapid},
            "assumptions": assumptions}
    return out, info


def _risk_words(score: float) -> dict[str, Any]:
    """REBA risk and action level of a score, with one plain line for the top of a report."""
    r = reba.risk_level(score)
    if r["action_level"] is None:
        return {"score": None, **r, "headline": "REBA not assessed"}
    action = "no action necessary" if r["action_level"] == 0 else f"action {r['action']}"
    return {"score": int(round(float(score))), **r,
            "headline": f"REBA {int(round(float(score)))}: {r['risk']} risk, {action} (action level {r['action_level']})"}


def _reba_block(kin: LiftKinematics, scores: dict[str, np.ndarray], info: dict[str, Any], frames: np.ndarray,
                seq: PoseSequence, reps: list[Repetition]) -> dict[str, Any]:
    """The REBA block: the worst score with its risk and action level first, then one entry per repetition,
    then the worst moment's angles and part scores and the typical score."""
    final = scores["reba"]
    use = frames[np.isfinite(final[frames])] if len(frames) else np.flatnonzero(np.isfinite(final))
    if len(use) == 0:
        return {"assessed": False, "score": None, "risk": "unknown", "action_level": None, "action": "not assessed",
                "headline": "REBA not assessed: the body was not visible clearly enough to score any frame",
                "reason": "the body was not visible clearly enough to score any frame", "per_repetition": [], **info}
    worst = int(use[np.argmax(final[use])])
    typical = float(np.round(nan_median(final[use])))
    angles = {"trunk_lean_deg": kin.trunk_lean_deg[worst], "neck_flexion_deg": kin.neck_flexion_deg[worst],
              "knee_flexion_deg": kin.knee_flexion_deg[worst], "upper_arm_flexion_deg": kin.upper_arm_flexion_deg[worst],
              "elbow_flexion_deg": kin.elbow_flexion_deg[worst], "twist_deg": kin.twist_deg[worst]}
    parts = {k: scores[k][worst] for k in ("trunk", "neck", "legs", "upper_arm", "lower_arm", "wrist", "posture_a",
                                           "score_a", "posture_b", "score_b", "score_c")}
    per_rep = []
    for k, r in enumerate(reps):
        idx = np.arange(r.start, r.end + 1)
        idx = idx[np.isfinite(final[idx])]
        if not len(idx):
            per_rep.append({"index": k + 1, **_risk_words(float("nan"))})
            continue
        w = int(idx[np.argmax(final[idx])])
        per_rep.append({"index": k + 1, **_risk_words(final[w]), "frame": int(seq.frame_index[w]),
                        "time_s": float(seq.timestamps_s[w])})
    return {
        "assessed": True,
        **_risk_words(final[worst]),
        "per_repetition": per_rep,
        "worst": {"score": final[worst], **reba.risk_level(final[worst]), "frame": int(seq.frame_index[worst]),
                  "time_s": float(seq.timestamps_s[worst]), "angles": angles, "scores": parts},
        "typical": {"score": typical, **reba.risk_level(typical)},
        "frames_scored": int(len(use)),
        **info,
    }


def _niosh_block(kin: LiftKinematics, reps: list[Repetition], options: AnalyzeOptions, cm_per_px: float | None,
                 rep_rate_per_min: float) -> tuple[dict[str, Any] | None, str | None]:
    if options.load_kg is None:
        return None, ("No NIOSH lifting index: the weight of the load was not given (--load-kg, or 'Load' in the "
                      "app). The index compares the load with the recommended weight limit.")
    if cm_per_px is None:
        return None, ("No NIOSH lifting index: your body height was not given (--height-cm, or 'Body height' in the "
                      "app). The load is known, but without the height the video's distances (how far the hands are "
                      "in front of the ankles and above the floor) cannot be turned into centimetres.")
    if kin.view.view != "side":
        return None, ("No NIOSH lifting index: the hands' distance in front of the ankles (H) and their height (V) "
                      "need a side view; this clip is a " + kin.view.view + " view.")
    complete = [r for r in reps if r.complete]
    if not complete:
        return None, "no complete lift (from the bottom back to standing) was found"
    assumptions = ["asymmetry angle A not measured: the side view H and V need cannot show twisting, so A = 0 "
                   "(AM = 1) is assumed; if the worker turns, measure A and recompute"]
    freq = options.lift_frequency_per_min
    if freq is None:
        freq = rep_rate_per_min if np.isfinite(rep_rate_per_min) and len(complete) >= 2 else 0.2
        assumptions.append(f"lifting frequency not given: {freq:.2f} lifts/min assumed"
                           + (" (measured in the clip)" if len(complete) >= 2 else ""))
    dur = options.lift_duration_h
    if dur is None:
        dur = 1.0
        assumptions.append("lifting duration not given: 1 hour (short duration) assumed")
    per_rep = []
    for r in complete:
        h_o = kin.hand_to_ankles_px[r.origin_frame] * cm_per_px
        h_d = kin.hand_to_ankles_px[r.end] * cm_per_px
        # hands a little below the floor line are landmark noise: V is at least 0
        v_o = max(0.0, float(kin.hand_height_px[r.origin_frame] * cm_per_px))
        v_d = max(0.0, float(kin.hand_height_px[r.end] * cm_per_px))
        if not np.isfinite([h_o, h_d, v_o, v_d]).all():
            continue
        # A (asymmetry) would need the twist, which a side view cannot show (MediaPipe depth alone): 0 assumed
        a_o = a_d = 0.0
        d = abs(v_d - v_o)
        origin = niosh.lifting_index(options.load_kg, h_o, v_o, d, a_o, freq, dur, options.coupling)
        # the FM column comes from V at the origin for both ends (Applications Manual)
        dest = niosh.lifting_index(options.load_kg, h_d, v_d, d, a_d, freq, dur, options.coupling, v_origin_cm=v_o)
        per_rep.append({"origin": origin.to_dict(), "destination": dest.to_dict(),
                        "lifting_index": max(origin.lifting_index, dest.lifting_index)})
    if not per_rep:
        return None, "the hands or feet were not visible at the start and end of the lift"
    worst = max(per_rep, key=lambda x: x["lifting_index"])
    li = worst["lifting_index"]
    return {"load_kg": options.load_kg, "frequency_per_min": freq, "duration_h": dur,
            "duration_category": niosh.duration_category(dur), "coupling": options.coupling,
            "origin": worst["origin"], "destination": worst["destination"], "lifting_index": li,
            "risk": niosh.li_category(li), "rwl_kg": min(worst["origin"]["rwl_kg"], worst["destination"]["rwl_kg"]),
            "per_repetition": [x["lifting_index"] for x in per_rep], "assumptions": assumptions,
            "note": "H, V and D are measured from the video and scaled by your height; A is assumed 0 (a side view "
                    "cannot show twisting). Check them against a tape measure before relying on the index."}, None


@dataclass(frozen=True)
class LiftReps:
    """Repetitions of one sequence with their measurements, gated samples and per-repetition grades: what both
    the offline report and the live coach grade from (see :func:`lift_reps`)."""

    seq: PoseSequence  # the cleaned sequence
    kin: LiftKinematics
    views: ViewTrack
    reps: list[Repetition]
    metrics: list[RepMetrics]
    back: dict[str, np.ndarray]
    findings: list
    per_rep: list[dict[str, dict]]
    is_photo: bool
    cm_per_px: float | None


def lift_reps(seq: PoseSequence, options: AnalyzeOptions = AnalyzeOptions(),
              params: LiftParams = DEFAULT_LIFT) -> LiftReps:
    """Clean, classify the view (:mod:`posture.view`), find the repetitions, measure and grade each one."""
    is_photo = seq.video.is_image or seq.n_frames == 1
    raw_view = estimate_view(seq, params)
    clean = seq if is_photo else clean_for_analysis(seq, side_view=raw_view.view == "side")
    views = classify_views(clean)
    view = estimate_view(clean, params, views)
    kin = compute_kinematics(clean, params, view)
    if is_photo:
        reps = [Repetition(start=0, bottom=0, liftoff=0, end=0, has_descent=False, has_ascent=False, depth_frac=np.nan)]
    else:
        reps = find_repetitions(kin, clean.timestamps_s, params)
    facing = view.facing if view.view == "side" else 0.0
    rep_frames = np.unique(np.concatenate([np.arange(r.start, r.end + 1) for r in reps])) if reps else np.array([], int)
    back = back_outline_series(clean, facing, rep_frames, params)
    cm_per_px = kin.height_cm_per_px(options.height_cm)
    metrics = [measure_rep(clean, kin, r, back, params, cm_per_px, options.load_kg is not None) for r in reps]
    findings, per_rep = findings_from_reps(
        clean, kin, views, reps, metrics, cm_per_px, options.load_kg, params,
        style=lambda m: lift_style(m.knee_flexion_bottom_deg, m.trunk_lean_bottom_deg, params))
    return LiftReps(seq=clean, kin=kin, views=views, reps=reps, metrics=metrics, back=back, findings=findings,
                    per_rep=per_rep, is_photo=is_photo, cm_per_px=cm_per_px)


def analyze_lift(seq: PoseSequence, options: AnalyzeOptions = AnalyzeOptions(),
                 params: LiftParams = DEFAULT_LIFT) -> Report:
    """Analyse one lifting clip (or photo): see the module docstring of :mod:`posture.lift`."""
    if not seq.found.any():
        raise NoPersonError(f"no person was found in any of the {seq.n_frames} frames of {seq.video.path}")
    lr = lift_reps(seq, options, params)
    clean, kin, view, reps, metrics = lr.seq, lr.kin, lr.kin.view, lr.reps, lr.metrics
    is_photo, back, cm_per_px = lr.is_photo, lr.back, lr.cm_per_px
    findings, per_rep_grades = lr.findings, lr.per_rep
    t = clean.timestamps_s
    complete = [r for r in reps if r.complete]
    duration_min = (t[-1] - t[0]) / 60.0 if len(t) > 1 else 0.0
    rep_rate = len(complete) / duration_min if duration_min > 0 and len(complete) >= 2 else float("nan")
    rep_frames = np.unique(np.concatenate([np.arange(r.start, r.end + 1) for r in reps])) if reps else np.array([], int)

    scores, reba_info = reba_per_frame(kin, options, reps, rep_rate, params)
    reba_block = _reba_block(kin, scores, reba_info, rep_frames if len(rep_frames) else np.flatnonzero(clean.found), clean,
                             reps)
    niosh_block, niosh_reason = _niosh_block(kin, reps, options, cm_per_px, rep_rate)

    fi = clean.frame_index
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    rep_list = []
    for k, (r, m, g) in enumerate(zip(reps, metrics, per_rep_grades, strict=True)):
        rep_list.append({
            "index": k + 1, "complete": r.complete, "has_descent": r.has_descent, "has_ascent": r.has_ascent,
            "start": {"frame": int(fi[r.start]), "time_s": float(t[r.start])},
            "bottom": {"frame": int(fi[r.bottom]), "time_s": float(t[r.bottom])},
            "liftoff": {"frame": int(fi[r.liftoff]), "time_s": float(t[r.liftoff])},
            "origin": {"frame": int(fi[r.origin_frame]), "time_s": float(t[r.origin_frame])},
            "end": {"frame": int(fi[r.end]), "time_s": float(t[r.end])},
            "style": _rep_style(m, g, params),
            "depth_fraction_of_height": r.depth_frac,
            "metrics": m.to_dict(),
            "findings": g,
        })
    judged = [i for i, g in enumerate(per_rep_grades) if g.get("knees_not_bent", {}).get("value") is not None]
    knee_all = nan_median(np.array([metrics[i].knee_flexion_bottom_deg for i in judged], float)) if judged else np.nan
    lean_all = nan_median(np.array([m.trunk_lean_bottom_deg for m in metrics], float)) if metrics else np.nan
    bend_all = nan_median(np.array([m.back_bend_deg for m in metrics], float)) if metrics else np.nan
    body = kin.body_height_px
    out_metrics = {
        "rep_count": None if is_photo else len(complete),
        "incomplete_reps": 0 if is_photo else len(reps) - len(complete),
        "reps_per_min": rep_rate,
        "lift_style": lift_style(knee_all, lean_all, params),
        "knee_flexion_bottom_deg": knee_all,
        "trunk_lean_bottom_deg": lean_all,
        "back_outline_bend_deg": bend_all,
        "reba_worst": reba_block.get("worst", {}).get("score"),
        "reba_typical": reba_block.get("typical", {}).get("score"),
        "reba_risk": reba_block.get("risk"),
        "reba_action_level": reba_block.get("action_level"),
        "niosh_lifting_index": None if niosh_block is None else niosh_block["lifting_index"],
        "view_detail": view.view,
        "view_shares": {v: round(lr.views.share(v), 3) for v in ("side", "front", "back", "oblique")},
        "facing": {1.0: "right", -1.0: "left"}.get(view.facing, "unknown"),
        "body_height_px": body,
    }
    series = {}
    if not is_photo:
        def add(name, values, unit, label, threshold=None):
            series[name] = {"time_s": t, "values": np.asarray(values, float), "unit": unit, "label": label,
                            "threshold": threshold}
        add("trunk_lean_deg", kin.trunk_lean_deg, "deg", "Trunk lean from vertical (forward +)", 60.0)
        add("knee_flexion_deg", kin.knee_flexion_deg, "deg", "Knee flexion", KNEES_NOT_BENT.notice)
        add("hip_height", kin.hip_height_px / body, "fraction of height", "Hip height above the floor")
        add("shoulder_height", kin.shoulder_height_px / body, "fraction of height", "Shoulder height above the floor")
        add("back_curvature_deg", back["bend_deg"], "deg", "Back outline bend (rounded +)", BACK_ROUNDED.notice)
        add("reba_score", scores["reba"], "score", "REBA score")

    report_view = {"side": "side", "front": "front", "back": "back"}.get(view.view, "unknown")
    blocks = {"reba": reba_block, "repetitions": rep_list, "niosh": niosh_block}
    if niosh_block is None:
        blocks["niosh_reason"] = niosh_reason
    return Report(
        task="lift", video=seq.video, view=report_view,
        segments=[{"start_s": float(t[0]), "end_s": float(t[-1]) + dt, "view": report_view, "view_detail": view.view,
                   "analysed": True}],
        events={"repetitions": [{"bottom_frame": int(fi[r.bottom]), "bottom_time_s": float(t[r.bottom]),
                                 "complete": r.complete} for r in reps]},
        metrics=out_metrics, findings=findings, blocks=blocks,
        provenance=provenance_block(clean, lift_params=asdict(params), lift_limits=limits_provenance(),
                                    options=asdict(options)),
        series=series,
    )
