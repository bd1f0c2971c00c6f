"""``analyze_stretch(seq, options) -> Report``: the offline stretch report (``--task stretch``).

Steps: clean the track (short gaps, 6 Hz zero-phase low-pass), decide which
stretch the file shows (unless the user picked one), then run the live
:class:`~posture.stretch.coach.StretchCoach` over every frame, exactly as the
webcam would, and turn its holds and form flags into findings.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from posture.analyses import AnalyzeOptions
from posture.checks import Evidence, evaluate, gate_frames, not_assessed_finding
from posture.cleanup import clean_for_analysis
from posture.live import run_offline
from posture.report import Finding, Report, provenance_block, time_ranges
from posture.sequence import PoseSequence
from posture.signals import true_runs
from posture.stretch.angles import UNITS, measures_of, resolve_side
from posture.stretch.coach import DEFAULT_COACH, CoachParams, StretchCoach
from posture.stretch.recognise import (
    recognise_series,
    rolling_median,
    rolling_stats,
    setup_references,
    view_width_ratio,
)
from posture.stretch.reference import Reference, load_all, load_reference, pose_phrase
from posture.stretch.specs import STRETCH_SPECS, for_reference
from posture.view import classify_views


@dataclass(frozen=True)
class StretchReportParams:
    out_of_form_notice_share: float = 0.2  # our choice: flag form when >20% of the time in the pose is out of form
    out_of_form_warning_share: float = 0.5  # our choice
    min_range_s: float = 0.5  # our choice: shorter out-of-form spells are not listed as time ranges


DEFAULT_REPORT = StretchReportParams()


SETUP_MIN_RUN_S = 1.0  # our choice: a set-up position is passed through on the way in; a still second of it counts


def recognise_file(seq: PoseSequence, refs: dict[str, Reference], coach: CoachParams = DEFAULT_COACH,
                   min_run_s: float | None = None) -> tuple[str | None, dict]:
    """The stretch a whole file shows: the id with the most time in runs lasting at least ``min_run_s`` (default
    the coach's ``min_hold_s``).

    A single photo counts its one frame. Returns (id or None, seconds per id).
    """
    m = measures_of(seq, coach.angles)
    t = seq.timestamps_s
    w = coach.recognise.window_s
    min_span = coach.recognise.min_span_s if seq.n_frames > 1 else 0.0  # a photo is judged on its one frame
    names = sorted(m)
    med_all, spread_all = rolling_stats(np.stack([m[k] for k in names], axis=1), t, w, min_span)
    med = {k: med_all[:, j] for j, k in enumerate(names)}
    spread = {k: spread_all[:, j] for j, k in enumerate(names)}
    ratio = rolling_median(view_width_ratio(seq.xy_px), t, w)
    ids, _, _, _ = recognise_series(med, ratio, refs, coach.recognise, spread, views=classify_views(seq).view)
    if seq.n_frames == 1:
        return ids[0], ({ids[0]: 0.0} if ids[0] else {})
    dt = float(np.median(np.diff(t)))
    seconds: dict[str, float] = {}
    for rid in {i for i in ids if i is not None}:
        for a, b in true_runs(ids == rid):
            dur = t[b - 1] - t[a] + dt
            if dur >= (coach.min_hold_s if min_run_s is None else min_run_s):
                seconds[rid] = seconds.get(rid, 0.0) + dur
    if not seconds:
        return None, {}
    return max(seconds, key=seconds.get), seconds


def analyze_stretch(seq: PoseSequence, options: AnalyzeOptions = AnalyzeOptions(),
                    params: StretchReportParams = DEFAULT_REPORT, coach_params: CoachParams = DEFAULT_COACH) -> Report:
    """Stretch report for a video, photo or landmark file (see module docstring)."""
    clean = clean_for_analysis(seq, side_view=False)
    picked = options.reference_path or options.stretch
    if picked is not None:
        ref = load_reference(picked)
        name, seconds = ref.id, {}
    else:
        refs = load_all()
        name, seconds = recognise_file(clean, refs, coach_params)
        ref = refs.get(name) if name else None
    setup_seen = None
    if picked is None and ref is None:
        # not in any stretch: was the person in a stretch's set-up position (and needs the last step)?
        all_refs = load_all()
        sid, sec = recognise_file(clean, setup_references(all_refs), coach_params, min_run_s=SETUP_MIN_RUN_S)
        if sid is not None:
            setup_seen = {"id": sid, "name": all_refs[sid].name, "seconds": round(float(sec.get(sid, 0.0)), 2),
                          "cue": all_refs[sid].setup_cue}

    view = classify_views(clean).overall()  # the one view classifier: side / front / back / oblique / mixed

    if clean.n_frames == 1:
        coach_params = replace(coach_params, still_image=True)
    coach = StretchCoach(stretch=None if ref is None else ref.id, affected_side=options.affected_side,
                         reference=ref, params=coach_params) if ref is not None else None
    statuses = run_offline(coach, clean) if coach is not None else []
    if coach is not None:
        coach.finish()
    block = coach.summary() if coach is not None else {"name": None, "side": None, "score": None, "holds": [],
                                                       "reps_per_side": {}}
    if ref is not None and block["name"] is None:
        block.update(name=ref.id if picked else None, target_reps_per_side=ref.reps_per_side, hold_target_s=ref.hold_s)
    block["recognised_seconds"] = {k: round(v, 2) for k, v in seconds.items()}
    block["setup_seen"] = setup_seen
    block["picked_by_user"] = picked is not None
    t = clean.timestamps_s
    in_pose = np.array([bool(s.values.get("in_pose")) for s in statuses]) if statuses else np.zeros(clean.n_frames, bool)
    in_form = np.array([s.in_form is True for s in statuses]) if statuses else np.zeros(clean.n_frames, bool)
    out_form = np.array([s.in_form is False for s in statuses]) if statuses else np.zeros(clean.n_frames, bool)
    failing = [tuple(s.values.get("failing", ())) if s.in_form is False else () for s in statuses]

    series: dict = {}
    form_block: dict = {}
    if ref is not None:
        m = measures_of(clean, coach_params.angles)
        sides = [s.values.get("side") for s in statuses]
        for a in ref.angles:
            vals = np.full(clean.n_frames, np.nan)
            for i, sd in enumerate(sides):
                if in_pose[i] and (sd is not None or not ref.sided):
                    vals[i] = m[resolve_side(a.name, sd)][i]
            series[a.name] = {"time_s": t, "values": vals, "unit": UNITS[a.name], "label": a.name.replace("_", " "),
                              "threshold": a.target}
            fin = np.isfinite(vals)
            form_block[a.name] = {
                "target": a.target, "tolerance": a.tolerance, "unit": UNITS[a.name],
                "median": float(np.median(vals[fin])) if fin.any() else None,
                "share_within": float(np.mean(np.abs(vals[fin] - a.target) <= a.tolerance)) if fin.any() else None,
            }
        series["in_form"] = {"time_s": t, "values": in_form.astype(float), "unit": "", "label": "in form", "threshold": None}
        series["in_pose"] = {"time_s": t, "values": in_pose.astype(float), "unit": "", "label": "in the stretch",
                             "threshold": None}
    block["form"] = form_block

    findings = _findings(ref, block, view, clean, in_pose, out_form, failing, statuses, params, coach_params)
    segments = [{"kind": "hold", "stretch": h["stretch"], "side": h["side"], "start_s": h["start_s"], "end_s": h["end_s"]}
                for h in block["holds"]]
    metrics = {
        "holds": len(block["holds"]),
        "time_in_stretch_s": round(float(np.sum(np.diff(t, append=t[-1] + (1 / clean.fps if clean.fps > 0 else 0))[in_pose])), 2)
        if clean.n_frames > 1 else 0.0,
        "completed_reps": sum(block.get("reps_per_side", {}).values()),
        "in_form_share": round(float(in_form[in_pose].mean()), 3) if in_pose.any() else None,
    }
    return Report(task="stretch", video=seq.video, view=view, segments=segments, events={"holds": block["holds"]},
                  metrics=metrics, findings=findings, blocks={"stretch": block},
                  provenance=provenance_block(seq, stretch=name, picked_by_user=picked is not None,
                                              affected_side=options.affected_side, report=params.__dict__,
                                              recognise=coach_params.recognise.__dict__, form=coach_params.form.__dict__),
                  series=series)


def _findings(ref: Reference | None, block: dict, view: str, seq: PoseSequence, in_pose: np.ndarray,
              out_form: np.ndarray, failing: list[tuple[str, ...]], statuses: list, params: StretchReportParams,
              coach: CoachParams) -> list[Finding]:
    """The four stretch findings, each graded by the check layer from what the coach measured over the file."""
    ids = ("stretch_recognised", "hold_too_short", "reps_incomplete", "out_of_form")
    specs = {i: (for_reference(i, ref) if ref is not None else STRETCH_SPECS[i]) for i in ids}
    if ref is None:
        advice = None
        if view == "side":  # the camera was right: the pose was not one of ours (or was not held still)
            reason = ("none of our stretches was recognised: the body's key angles matched no reference pose held "
                      "still for a second")
            advice = ("Get into one of the stretches (" + ", ".join(r.name.lower() for r in load_all().values())
                      + ") and hold it still.")
        elif view in ("mixed", "unknown"):
            reason = "no stretch was recognised: film from the side with the whole body in view"
        else:
            reason = (f"the camera sees the person from the {view}; the stretches are judged from the side")
        setup = block.get("setup_seen")
        if setup:
            reason = (f"no stretch was recognised; you were in the set-up position of {pose_phrase(setup['name'])} "
                      f"for {setup['seconds']:.0f} s: {setup['cue']}")
            advice = setup["cue"]
        out = [not_assessed_finding(specs[i], reason) for i in ids]
        return [dataclasses.replace(f, advice=advice) for f in out] if advice else out
    t = seq.timestamps_s
    is_photo = seq.n_frames == 1
    views = classify_views(seq)
    gate = gate_frames(specs["stretch_recognised"], seq, views, mask=in_pose,
                       mask_reason=f"no frame matched {pose_phrase(ref.name)} closely enough to judge it")
    judged_pose = gate.usable
    if not judged_pose.any():
        reason = gate.reason or f"no frame matched {pose_phrase(ref.name)} closely enough to judge it"
        cues = Counter(s.cue for s in statuses if s.cue)
        if cues:
            reason += f" (most common advice: {cues.most_common(1)[0][0]})"
        return [not_assessed_finding(specs[i], reason) for i in ids]
    out: list[Finding] = []
    scores = np.array([float(s.values.get("score") or 0.0) for s in statuses]) if statuses else np.zeros(len(t))
    side_txt = f" ({block['side']} side)" if block.get("side") else ""
    score = float(block.get("score") or 0.0)
    f = evaluate(specs["stretch_recognised"], Evidence(
        samples=np.where(judged_pose, scores, np.nan), quality=gate.quality, value=score,
        ranges_s=tuple(time_ranges(judged_pose, t)), context={"stretch": ref.name, "side_txt": side_txt}))
    if f.severity != "not_assessed":  # how sure the recognition is: its score (as before the check layer)
        f = dataclasses.replace(f, confidence=round(float(min(max(score, 0.0), 1.0)), 3))
    out.append(f)
    holds = block["holds"]
    if is_photo:
        out.append(not_assessed_finding(specs["hold_too_short"], "a photo has no duration: film the whole hold to time it"))
        out.append(not_assessed_finding(specs["reps_incomplete"],
                                        "a photo has no duration: film the whole session to count repetitions"))
    else:
        if not holds:
            out.append(not_assessed_finding(specs["hold_too_short"], f"no hold lasted {coach.min_hold_s:.0f} s or more"))
        else:
            spec = specs["hold_too_short"]
            short = [h for h in holds if not h["completed"]]
            in_form = np.array([h["in_form_s"] for h in holds], float)
            ctx = {"n_short": len(short), "notice_s": ref.hold_s}
            fh = evaluate(spec, Evidence(samples=in_form, quality=0.8, context=ctx,
                                         ranges_s=tuple((h["start_s"], h["end_s"]) for h in short)))
            out.append(dataclasses.replace(fh, advice=fh.advice.format(**ctx) if fh.advice else ""))
        reps = block.get("reps_per_side", {})
        spec = specs["reps_incomplete"]
        if reps:
            txt = ", ".join(f"{s}: {reps[s]} of {ref.reps_per_side}" for s in reps)
            ctx = {"reps_txt": txt}
            fr = evaluate(spec, Evidence(samples=np.array([float(v) for v in reps.values()]),
                                         value=float(min(reps.values())), quality=0.7, context=ctx))
            adv = spec.advice.format(target=ref.reps_per_side, plural="s" if ref.reps_per_side > 1 else "",
                                     hold=ref.hold_s, where="each side" if ref.sided else "the stretch")
            out.append(dataclasses.replace(fr, advice=adv if fr.flagged else ""))
        else:
            out.append(not_assessed_finding(spec, "no repetition was found"))
    judged = judged_pose & np.array([s.in_form is not None for s in statuses])
    spec = specs["out_of_form"]
    if is_photo:
        spec = dataclasses.replace(spec, warning=None)  # one moment: a notice at most
    if not judged.any():
        reasons = [s.values.get("reason") for s in statuses if s.values.get("reason")]
        out.append(not_assessed_finding(spec, reasons[0] if reasons else "form could not be judged"))
        return out
    share = float(out_form[judged].mean())
    fault_counts = Counter(f[0] for f in failing if f)
    ctx: dict = {"angle_words": "-", "angle_value": float("nan"), "angle_unit": "", "angle_target": 0.0,
                 "angle_tolerance": 0.0, "angle_cue": ""}
    if fault_counts:
        angle = fault_counts.most_common(1)[0][0]
        a = ref.angle(angle)
        vals = np.array([s.values.get("values", {}).get(angle) for s in statuses if s.in_form is False
                         and s.values.get("failing") and s.values["failing"][0] == angle], dtype=float)
        med = float(np.nanmedian(vals)) if np.isfinite(vals).any() else float("nan")
        ctx = {"angle_words": angle.replace("_", " "), "angle_value": med, "angle_unit": UNITS[angle],
               "angle_target": a.target, "angle_tolerance": a.tolerance,
               "angle_cue": a.cue_low if med < a.target else a.cue_high}
        block["out_of_form_angle"] = angle
    value = 100.0 * share
    ranges = tuple(time_ranges(out_form & judged, t, min_duration_s=0.0 if is_photo else params.min_range_s))
    fo = evaluate(spec, Evidence(samples=np.where(judged, 100.0 * out_form, np.nan), quality=gate.quality,
                                 value=value, ranges_s=ranges, context=ctx))
    if fo.flagged:
        fo = dataclasses.replace(fo, advice=ctx["angle_cue"])
        if "adduction" in str(block.get("out_of_form_angle", "")):  # depth-based angle: less sure
            fo = dataclasses.replace(fo, confidence=round(min(fo.confidence, 0.6), 3))
    if is_photo:  # one moment: say what it shows, not a share of time
        fo = dataclasses.replace(fo, message=(
            "Good form: every angle within its tolerance." if not fo.flagged else
            f"Out of form, mostly {ctx['angle_words']}: {ctx['angle_value']:.0f} {ctx['angle_unit']} against a target "
            f"of {ctx['angle_target']:g} +- {ctx['angle_tolerance']:g}."))
    out.append(fo)
    return out
