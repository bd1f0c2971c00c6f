"""``analyze_stretch(seq, options) -> Report``: the offline stretch report (``--task stretch``).

Steps: clean the track (short gaps, 6 Hz zero-phase low-pass), decide which
stretch the file shows (unless the user picked one), then run the live
:class:`~posture.stretch.coach.StretchCoach` over every frame, exactly as the
webcam would, and turn its holds and form flags into findings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from posture.analyses import AnalyzeOptions
from posture.cleanup import clean_for_analysis
from posture.live import run_offline
from posture.report import Finding, Report, not_assessed, provenance_block, time_ranges
from posture.sequence import PoseSequence
from posture.signals import true_runs
from posture.stretch.angles import UNITS, measures_of, resolve_side
from posture.stretch.coach import DEFAULT_COACH, CoachParams, StretchCoach
from posture.stretch.recognise import recognise_series, rolling_median, rolling_stats, view_of, view_width_ratio
from posture.stretch.reference import Reference, load_all, load_reference, pose_phrase


@dataclass(frozen=True)
class StretchReportParams:
    out_of_form_notice_share: float = 0.2  # our choice: flag form when >20% of the time in the pose is out of form
    out_of_form_warning_share: float = 0.5  # our choice
    min_range_s: float = 0.5  # our choice: shorter out-of-form spells are not listed as time ranges


DEFAULT_REPORT = StretchReportParams()


def recognise_file(seq: PoseSequence, refs: dict[str, Reference], coach: CoachParams = DEFAULT_COACH) -> tuple[str | None, dict]:
    """The stretch a whole file shows: the id with the most time in runs lasting at least ``min_hold_s``.

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
    ids, _, _, _ = recognise_series(med, ratio, refs, coach.recognise, spread)
    if seq.n_frames == 1:
        return ids[0], ({ids[0]: 0.0} if ids[0] else {})
    dt = float(np.median(np.diff(t)))
    seconds: dict[str, float] = {}
    for rid in {i for i in ids if i is not None}:
        for a, b in true_runs(ids == rid):
            dur = t[b - 1] - t[a] + dt
            if dur >= coach.min_hold_s:
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

    ratio = view_width_ratio(clean.xy_px)
    views = view_of(ratio, coach_params.recognise)
    found = clean.found
    counts = Counter(views[found & (views != "unknown")])
    view = "unknown"
    if counts:
        top, n_top = counts.most_common(1)[0]
        view = ("side" if top == "side" else "front") if n_top >= 0.8 * sum(counts.values()) else "mixed"

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
    ids = ("stretch_recognised", "hold_too_short", "reps_incomplete", "out_of_form")
    if ref is None:
        reason = ("no stretch was recognised: film from the side with the whole body in view"
                  if view in ("side", "mixed", "unknown") else
                  "the camera sees the person from the front or back; the stretches are judged from the side")
        return [not_assessed(i, reason) for i in ids]
    t = seq.timestamps_s
    out: list[Finding] = []
    is_photo = seq.n_frames == 1
    if not in_pose.any():
        reason = f"no frame matched {pose_phrase(ref.name)} closely enough to judge it"
        cues = Counter(s.cue for s in statuses if s.cue)
        if cues:
            reason += f" (most common advice: {cues.most_common(1)[0][0]})"
        return [not_assessed(i, reason) for i in ids]
    score = block.get("score") or 0.0
    side_txt = f" ({block['side']} side)" if block.get("side") else ""
    out.append(Finding("stretch_recognised", "ok", value=round(float(score), 3), unit="score",
                       threshold=coach.recognise.min_score,
                       time_ranges_s=tuple(time_ranges(in_pose, t)), confidence=float(min(max(score, 0.0), 1.0)),
                       message=f"Seen: {ref.name}{side_txt}.", advice=""))
    holds = block["holds"]
    if is_photo:
        out.append(not_assessed("hold_too_short", "a photo has no duration: film the whole hold to time it"))
        out.append(not_assessed("reps_incomplete", "a photo has no duration: film the whole session to count repetitions"))
    else:
        short = [h for h in holds if not h["completed"]]
        if not holds:
            out.append(not_assessed("hold_too_short", f"no hold lasted {coach.min_hold_s:.0f} s or more"))
        elif short:
            worst = min(short, key=lambda h: h["in_form_s"])
            out.append(Finding(
                "hold_too_short", "notice", value=round(worst["in_form_s"], 1), unit="s", threshold=ref.hold_s,
                time_ranges_s=tuple((h["start_s"], h["end_s"]) for h in short), confidence=0.8,
                message=f"{len(short)} of {len(holds)} holds had less than {ref.hold_s:.0f} s in good form "
                        f"(shortest: {worst['in_form_s']:.0f} s).",
                advice=f"Hold each stretch for {ref.hold_s:.0f} seconds in good form, breathing slowly; "
                       "only the time in good form counts."))
        else:
            out.append(Finding("hold_too_short", "ok", value=round(min(h["in_form_s"] for h in holds), 1), unit="s",
                               threshold=ref.hold_s, confidence=0.8, message="Every hold reached the target time."))
        reps = block.get("reps_per_side", {})
        missing = {s: ref.reps_per_side - n for s, n in reps.items() if n < ref.reps_per_side}
        if missing:
            txt = ", ".join(f"{s}: {reps[s]} of {ref.reps_per_side}" for s in reps)
            out.append(Finding(
                "reps_incomplete", "notice", value=float(min(reps.values())), unit="reps", threshold=float(ref.reps_per_side),
                confidence=0.7, message=f"Completed repetitions per side: {txt}.",
                advice=f"Do {ref.reps_per_side} repetition{'s' if ref.reps_per_side > 1 else ''} of {ref.hold_s:.0f} s "
                       f"on {'each side' if ref.sided else 'the stretch'}."))
        else:
            out.append(Finding("reps_incomplete", "ok", value=float(min(reps.values())) if reps else 0.0, unit="reps",
                               threshold=float(ref.reps_per_side), confidence=0.7, message="All repetitions done."))
    judged = in_pose & np.array([s.in_form is not None for s in statuses])
    if not judged.any():
        reasons = [s.values.get("reason") for s in statuses if s.values.get("reason")]
        out.append(not_assessed("out_of_form", reasons[0] if reasons else "form could not be judged"))
        return out
    share = float(out_form[judged].mean())
    fault_counts = Counter(f[0] for f in failing if f)
    if share > params.out_of_form_notice_share or (is_photo and share > 0):
        angle = fault_counts.most_common(1)[0][0]
        spec = ref.angle(angle)
        vals = np.array([s.values.get("values", {}).get(angle) for s in statuses if s.in_form is False
                         and s.values.get("failing") and s.values["failing"][0] == angle], dtype=float)
        med = float(np.nanmedian(vals)) if np.isfinite(vals).any() else float("nan")
        cue = spec.cue_low if med < spec.target else spec.cue_high
        sev = "warning" if share > params.out_of_form_warning_share and not is_photo else "notice"
        unit = UNITS[angle]
        out.append(Finding(
            "out_of_form", sev, value=round(med, 1), unit=unit, threshold=f"{spec.target:g} +- {spec.tolerance:g} {unit}",
            time_ranges_s=tuple(time_ranges(out_form & in_pose, seq.timestamps_s,
                                            min_duration_s=0.0 if is_photo else params.min_range_s)),
            confidence=0.6 if "adduction" in angle else 0.8,
            message=(f"Out of form {share:.0%} of the time in the stretch, mostly {angle.replace('_', ' ')}: "
                     f"{med:.0f} {unit} against a target of {spec.target:g} +- {spec.tolerance:g}."),
            advice=cue))
        block["out_of_form_angle"] = angle
    else:
        out.append(Finding("out_of_form", "ok", value=round(share * 100, 1), unit="%",
                           threshold=round(params.out_of_form_notice_share * 100, 1), confidence=0.8,
                           message="Good form: every angle within its tolerance." if is_photo
                           else "Good form for most of the time in the stretch."))
    return out
