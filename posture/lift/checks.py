"""Per-repetition lifting checks and their clip-level findings.

Each check turns the kinematics of one repetition into a number (``RepMetrics``);
:func:`findings_from_reps` grades them against :class:`~posture.lift.params.LiftParams`
and writes the plain-language message and advice. Advice follows the lifting
guidance the tool is built on: test the load; feet apart, shoulders squarely over
the feet; chest forward and back straight; bend the knees and lift with the legs,
not the back; keep shoulders in line with hips and lead with the hips when turning;
hold the load close to the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posture import landmarks as L
from posture.geometry import nan_median
from posture.lift.kinematics import LiftKinematics
from posture.lift.params import DEFAULT_LIFT, LiftParams
from posture.lift.reps import Repetition
from posture.report import Finding, not_assessed
from posture.sequence import PoseSequence

FINDING_IDS = (
    "knees_not_bent", "back_bent_forward", "back_rounded", "hips_rise_first", "feet_too_narrow",
    "shoulders_not_over_feet", "heels_lift", "twisting", "leads_with_shoulders", "load_far_from_body",
)

ADVICE = {
    "knees_not_bent": "Bend your knees and lift with your legs, not your back: squat down to the load with your feet "
                      "apart, then push up through your legs.",
    "back_bent_forward": "Keep your chest forward and your back straight: lower yourself by bending your knees and hips "
                         "rather than folding forward at the waist.",
    "back_rounded": "Keep your back straight (flat) all through the lift: chest forward, brace your stomach, and bend your "
                    "knees more so you do not reach down with your back. If you cannot reach the load with a straight "
                    "back, raise it first (lift it from a higher place).",
    "hips_rise_first": "Lift with your legs, not your back: push up so that your hips and shoulders rise together, keeping "
                       "your chest up, instead of straightening your legs first.",
    "feet_too_narrow": "Stand with your feet apart, about shoulder width, for a stable base.",
    "shoulders_not_over_feet": "Step close to the load so that your shoulders are squarely over your feet when you start "
                               "to lift.",
    "heels_lift": "Keep your heels on the floor: keep your weight over the middle of your feet and widen your stance a "
                  "little if you need to.",
    "twisting": "Do not twist while lifting: keep your shoulders in line with your hips, and turn by moving your feet.",
    "leads_with_shoulders": "When you change direction, lead with your hips (step round with your feet), not your "
                            "shoulders.",
    "load_far_from_body": "Keep the load close to your body: step close to it before lifting and hold it against your "
                          "waist as you stand up.",
}


@dataclass
class RepMetrics:
    """Numbers measured in one repetition (NaN where not measurable)."""

    knee_flexion_bottom_deg: float = np.nan
    trunk_lean_bottom_deg: float = np.nan
    knee_to_trunk_ratio: float = np.nan
    back_bend_deg: float = np.nan
    back_sagitta_trunk: float = np.nan
    back_frames: int = 0
    back_trunk_mask_px: float = np.nan
    hips_first_lean_increase_deg: float = np.nan
    feet_to_shoulder_ratio: float = np.nan
    shoulders_ahead_trunk: float = np.nan
    heel_lift_frac: float = np.nan
    twist_max_deg: float = np.nan
    hand_distance_origin_px: float = np.nan
    hand_distance_destination_px: float = np.nan
    hand_height_origin_px: float = np.nan
    hand_height_destination_px: float = np.nan
    upper_arm_bottom_deg: float = np.nan
    visibility: float = np.nan
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "extra"}
        d.update(self.extra)
        return d


def _window(rep: Repetition) -> np.ndarray:
    """Frames at the bottom of a rep: bottom..liftoff, at least the bottom frame +-1."""
    lo, hi = min(rep.bottom, rep.liftoff), max(rep.bottom, rep.liftoff)
    lo, hi = max(rep.start, lo - 1), min(rep.end, hi + 1)
    return np.arange(lo, hi + 1)


def _med(x: np.ndarray, idx: np.ndarray) -> float:
    return float(nan_median(np.asarray(x, float)[idx])) if len(idx) else float("nan")


def _progress(x: np.ndarray, a: float, b: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - a) / (b - a)


def measure_rep(seq: PoseSequence, kin: LiftKinematics, rep: Repetition, back: dict[str, np.ndarray],
                params: LiftParams = DEFAULT_LIFT) -> RepMetrics:
    """Every per-rep number; checks that need a view the clip lacks stay NaN."""
    m = RepMetrics()
    win = _window(rep)
    whole = np.arange(rep.start, rep.end + 1)
    m.knee_flexion_bottom_deg = _med(kin.knee_flexion_deg, win)
    m.trunk_lean_bottom_deg = _med(kin.trunk_lean_deg, win)
    if np.isfinite(m.trunk_lean_bottom_deg) and m.trunk_lean_bottom_deg > 1:
        m.knee_to_trunk_ratio = m.knee_flexion_bottom_deg / m.trunk_lean_bottom_deg
    m.upper_arm_bottom_deg = _med(kin.upper_arm_flexion_deg, win)
    used = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]
    near = L.side_indices(kin.view.near_side)
    used += [near["knee"], near["ankle"], near["wrist"]]
    m.visibility = float(np.mean(seq.visibility[whole][:, used]))

    # rounded back: bent-over frames of the rep with a usable outline
    bent = whole[(np.abs(kin.trunk_lean_deg[whole]) >= params.back_min_trunk_lean_deg)
                 & np.isfinite(back["bend_deg"][whole]) & (back["coverage"][whole] >= 0.6)]
    m.back_frames = int(len(bent))
    if len(bent):
        m.back_bend_deg = _med(back["bend_deg"], bent)
        m.back_sagitta_trunk = _med(back["sagitta"], bent)
        m.back_trunk_mask_px = _med(back["trunk_mask_px"], bent)

    # hips rise first: the trunk tips further forward after lift-off while the hips are rising
    if rep.has_ascent and rep.end - rep.liftoff >= 3:
        asc = np.arange(rep.liftoff, rep.end + 1)
        hip = kin.hip_height_px[asc]
        rising = np.concatenate([[False], np.diff(hip) > 0])
        ref = _med(kin.trunk_lean_deg, np.arange(max(rep.start, rep.liftoff - 4), rep.liftoff + 1))  # robust to jitter
        inc = kin.trunk_lean_deg[asc] - ref
        if np.isfinite(inc).any():
            m.hips_first_lean_increase_deg = float(max(0.0, np.nanmax(np.where(rising, inc, 0.0))))

    with np.errstate(invalid="ignore", divide="ignore"):
        m.feet_to_shoulder_ratio = _med(kin.ankle_spacing_px / kin.shoulder_width_px, whole)
    m.shoulders_ahead_trunk = float(kin.shoulder_to_midfoot_px[rep.liftoff] / kin.trunk_length_px)
    # heel lift: near heel rising above the near toe, compared with standing (clearly visible frames only)
    hv = seq.visibility[:, near["heel"]] >= params.heel_min_visibility
    tv = seq.visibility[:, near["foot_index"]] >= params.heel_min_visibility
    rel = (seq.xy_px[:, near["foot_index"], 1] - seq.xy_px[:, near["heel"], 1]) / kin.body_height_px
    standing = (np.abs(kin.trunk_lean_deg) < 15) & hv & tv
    ok = whole[hv[whole] & tv[whole]]
    if len(ok) and np.isfinite(rel[ok]).any():
        ref = nan_median(rel[standing]) if standing.any() else nan_median(rel[hv & tv])
        m.heel_lift_frac = float(max(0.0, np.nanmax(rel[ok]) - ref))
    tw = np.abs(kin.twist_deg[whole])
    m.twist_max_deg = float(np.nanmax(tw)) if np.isfinite(tw).any() else float("nan")
    m.hand_distance_origin_px = _med(kin.hand_to_ankles_px, np.array([rep.liftoff]))
    m.hand_distance_destination_px = _med(kin.hand_to_ankles_px, np.array([rep.end]))
    m.hand_height_origin_px = float(kin.hand_height_px[rep.liftoff])
    m.hand_height_destination_px = float(kin.hand_height_px[rep.end])
    return m


# --------------------------------------------------------------------------- grading

def grade_value(value: float, notice: float, warning: float, higher_is_worse: bool = True) -> str:
    if not np.isfinite(value):
        return "not_assessed"
    v, n, w = (value, notice, warning) if higher_is_worse else (-value, -notice, -warning)
    return "warning" if v >= w else "notice" if v >= n else "ok"


_RANK = {"ok": 0, "notice": 1, "warning": 2}


@dataclass(frozen=True)
class RepGrade:
    severity: str
    value: float


def grade_rep(check: str, m: RepMetrics, kin: LiftKinematics, params: LiftParams = DEFAULT_LIFT,
              cm_per_px: float | None = None) -> RepGrade:
    """Severity and value of one check in one rep (``not_assessed`` when the number is missing)."""
    p = params
    if check == "knees_not_bent":
        return RepGrade(grade_value(m.knee_flexion_bottom_deg, p.knees_not_bent_notice_deg, p.knees_not_bent_warning_deg,
                               higher_is_worse=False), m.knee_flexion_bottom_deg)
    if check == "back_bent_forward":
        lean, ratio = m.trunk_lean_bottom_deg, m.knee_to_trunk_ratio
        if not (np.isfinite(lean) and np.isfinite(ratio)):
            return RepGrade("not_assessed", lean)
        sev = grade_value(lean, p.back_forward_notice_deg, p.back_forward_warning_deg)
        return RepGrade(sev if ratio < p.back_forward_max_knee_ratio else "ok", lean)
    if check == "back_rounded":
        return RepGrade(grade_value(m.back_bend_deg, p.back_bend_notice_deg, p.back_bend_warning_deg), m.back_bend_deg)
    if check == "hips_rise_first":
        return RepGrade(grade_value(m.hips_first_lean_increase_deg, p.hips_first_notice_deg, p.hips_first_warning_deg),
                        m.hips_first_lean_increase_deg)
    if check == "feet_too_narrow":
        return RepGrade(grade_value(m.feet_to_shoulder_ratio, p.feet_narrow_notice_ratio, p.feet_narrow_warning_ratio,
                               higher_is_worse=False), m.feet_to_shoulder_ratio)
    if check == "shoulders_not_over_feet":
        v = m.shoulders_ahead_trunk
        return RepGrade(grade_value(abs(v), p.shoulders_over_feet_notice, p.shoulders_over_feet_warning), v)
    if check == "heels_lift":
        return RepGrade(grade_value(m.heel_lift_frac, p.heel_lift_notice_frac, p.heel_lift_warning_frac), m.heel_lift_frac)
    if check == "twisting":
        return RepGrade(grade_value(m.twist_max_deg, p.twist_notice_deg, p.twist_warning_deg), m.twist_max_deg)
    if check == "load_far_from_body":
        h_cm = load_distance_cm(m.hand_distance_origin_px, kin, cm_per_px, params)
        return RepGrade(grade_value(h_cm, p.load_far_notice_cm, p.load_far_warning_cm), h_cm)
    raise ValueError(f"unknown check {check!r}; expected one of {', '.join(FINDING_IDS)}")


def load_distance_cm(distance_px: float, kin: LiftKinematics, cm_per_px: float | None,
                     params: LiftParams = DEFAULT_LIFT) -> float:
    """Hands-to-ankles distance in cm (user height) or in reference-person cm (fraction of height x 175 cm)."""
    if cm_per_px is not None:
        return float(distance_px * cm_per_px)
    if not np.isfinite(kin.body_height_px) or kin.body_height_px <= 0:
        return float("nan")
    return float(distance_px / kin.body_height_px * params.reference_height_cm)


# --------------------------------------------------------------------------- findings

VIEWS_NEEDED = {
    "knees_not_bent": ("side", "oblique"),
    "back_bent_forward": ("side", "oblique"),
    "back_rounded": ("side",),
    "hips_rise_first": ("side", "oblique", "front"),
    "feet_too_narrow": ("front",),
    "shoulders_not_over_feet": ("side",),
    "heels_lift": ("side",),
    "twisting": ("side", "oblique", "front"),
    "load_far_from_body": ("side",),
}
UNITS = {
    "knees_not_bent": "deg", "back_bent_forward": "deg", "back_rounded": "deg", "hips_rise_first": "deg",
    "feet_too_narrow": "ratio", "shoulders_not_over_feet": "trunk lengths", "heels_lift": "fraction of height", "twisting": "deg",
    "leads_with_shoulders": "s", "load_far_from_body": "cm",
}


def _view_reason(check: str, view: str) -> str:
    need = " or ".join(VIEWS_NEEDED[check])
    return f"this check needs a {need} view of the body; this clip looks like a {view} view"


def _threshold(check: str, p: LiftParams) -> str:
    return {
        "knees_not_bent": f"knee flexion < {p.knees_not_bent_notice_deg:.0f} deg (notice), "
                          f"< {p.knees_not_bent_warning_deg:.0f} deg (warning)",
        "back_bent_forward": f"trunk lean > {p.back_forward_notice_deg:.0f}/{p.back_forward_warning_deg:.0f} deg "
                             f"with knees bending < {p.back_forward_max_knee_ratio:.1f} x the lean",
        "back_rounded": f"back outline bend > {p.back_bend_notice_deg:.0f} deg (notice), "
                        f"> {p.back_bend_warning_deg:.0f} deg (warning)",
        "hips_rise_first": f"trunk tips > {p.hips_first_notice_deg:.0f} deg (notice), > {p.hips_first_warning_deg:.0f} deg "
                           "(warning) further forward while the hips rise",
        "feet_too_narrow": f"ankle spacing < {p.feet_narrow_notice_ratio:.1f} x shoulder width",
        "shoulders_not_over_feet": f"shoulders > {p.shoulders_over_feet_notice:.2f} trunk lengths from the mid-foot",
        "heels_lift": f"heel rises > {p.heel_lift_notice_frac:.2f} of body height above the toe",
        "twisting": f"shoulders turned > {p.twist_notice_deg:.0f} deg against the hips",
        "load_far_from_body": f"hands > {p.load_far_notice_cm:.0f} cm (notice), > {p.load_far_warning_cm:.0f} cm (warning) "
                              "in front of the ankles",
    }[check]


def _message(check: str, value: float, sev: str, n_flagged: int, n_reps: int, m: RepMetrics, cm_given: bool) -> str:
    reps = f" in {n_flagged} of {n_reps} repetition{'s' if n_reps != 1 else ''}" if n_reps > 1 else ""
    if sev == "ok":
        ok = {
            "knees_not_bent": f"You bent your knees well (about {value:.0f} degrees at the bottom).",
            "back_bent_forward": f"Your trunk leaned {value:.0f} degrees at the bottom, with the knees doing their share.",
            "back_rounded": f"Your back outline stayed straight while bent over (bend {value:.0f} degrees).",
            "hips_rise_first": "Your hips and shoulders rose together as you stood up.",
            "feet_too_narrow": f"Your feet were about {value:.1f} times shoulder width apart: a stable base.",
            "shoulders_not_over_feet": "Your shoulders were over your feet as you started to lift.",
            "heels_lift": "Your heels stayed on the floor.",
            "twisting": "You kept your shoulders in line with your hips (no twisting).",
            "load_far_from_body": f"Your hands stayed close to your body (about {value:.0f} cm in front of the ankles).",
        }
        return ok[check]
    unit_note = "" if cm_given else " (estimated for a 175 cm person; give your height for your own numbers)"
    bad = {
        "knees_not_bent": f"Your knees bent only about {value:.0f} degrees at the lowest point{reps}: you reached down mostly "
                          "by bending your back (a stoop lift).",
        "back_bent_forward": f"Your trunk leaned {value:.0f} degrees forward at the bottom{reps} while your knees bent only "
                             f"{m.knee_flexion_bottom_deg:.0f} degrees: your back did most of the bending.",
        "back_rounded": f"The outline of your back curved by about {value:.0f} degrees while you were bent over{reps}: your "
                        "back looks rounded rather than straight.",
        "hips_rise_first": f"As you stood up, your hips rose before your shoulders{reps}: your trunk tipped a further "
                           f"{value:.0f} degrees forward, so your legs straightened first and your back did the lifting.",
        "feet_too_narrow": f"Your feet were only {value:.1f} times shoulder width apart{reps}.",
        "shoulders_not_over_feet": f"As you started to lift, your shoulders were {abs(value):.2f} trunk lengths "
                                   f"{'ahead of' if value > 0 else 'behind'} the middle of your feet{reps}.",
        "heels_lift": f"Your heels came off the floor{reps} (the heel rose by about {value:.0%} of your height).",
        "twisting": f"Your shoulders turned about {value:.0f} degrees against your hips during the lift{reps}.",
        "load_far_from_body": f"Your hands were about {value:.0f} cm in front of your ankles as the lift started{reps}"
                              f"{unit_note}.",
    }
    return bad[check]


def _confidence(check: str, m_list: list[RepMetrics], kin: LiftKinematics, value: float, notice: float,
                params: LiftParams) -> float:
    vis = float(np.nanmean([m.visibility for m in m_list])) if m_list else 0.0
    view_factor = {"side": 1.0, "oblique": 0.6, "front": 0.9, "unknown": 0.3}.get(kin.view.view, 0.5)
    if check in ("twisting",) and kin.view.view == "side":
        view_factor = 0.4  # depth (world z) decides the shoulder/hip headings in a side view: noisy
    if check in ("feet_too_narrow", "hips_rise_first") and kin.view.view != "side":
        view_factor = 0.9
    base = np.clip(vis, 0.0, 1.0) * view_factor
    if check == "heels_lift":
        base = min(base, params.heel_lift_max_confidence)
    if check == "back_rounded":
        # mask outline: cap at 0.7 (it is an outline, not a spine), lower with coarse masks and few frames
        px = float(np.nanmedian([m.back_trunk_mask_px for m in m_list])) if m_list else np.nan
        frames = sum(m.back_frames for m in m_list)
        res = np.clip((px - params.back_min_trunk_mask_px) / 40.0 + 0.5, 0.0, 1.0) if np.isfinite(px) else 0.0
        base = 0.7 * base * res * min(1.0, frames / 10.0)
        margin = abs(value - notice) / 15.0 if np.isfinite(value) else 0.0
        base *= float(np.clip(0.5 + margin, 0.5, 1.0))
    return float(np.clip(base, 0.0, 1.0))


def findings_from_reps(seq: PoseSequence, kin: LiftKinematics, reps: list[Repetition], metrics: list[RepMetrics],
                       params: LiftParams = DEFAULT_LIFT, cm_per_px: float | None = None,
                       load_kg: float | None = None) -> tuple[list[Finding], list[dict[str, dict]]]:
    """Clip-level findings (worst repetition decides) and per-rep grades ``[{check: {severity, value}}]``."""
    t = seq.timestamps_s
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    view = kin.view.view
    per_rep: list[dict[str, dict]] = [{} for _ in reps]
    findings: list[Finding] = []
    p = params
    for check in FINDING_IDS:
        if check == "leads_with_shoulders":
            findings.append(turning_finding(seq, kin, params))
            continue
        unit = UNITS[check]
        thr = _threshold(check, p)
        if view not in VIEWS_NEEDED[check]:
            findings.append(not_assessed(check, _view_reason(check, view), unit, thr))
            for r in per_rep:
                r[check] = {"severity": "not_assessed", "value": None}
            continue
        if not reps:
            findings.append(not_assessed(check, "no lift (bending down and standing up) was found in the clip", unit, thr))
            continue
        if check == "twisting" and seq.n_frames == 1:
            findings.append(not_assessed(check, "twisting is a change during the lift; a photo cannot show it", unit, thr))
            continue
        if check == "back_rounded" and seq.masks is None:
            findings.append(not_assessed(check, "no person outline (segmentation mask) is available for this input; "
                                                "analyse the video itself, not a landmark file", unit, thr))
            continue
        if check == "load_far_from_body" and load_kg is None:
            arms = [m.upper_arm_bottom_deg for m in metrics]
            if np.nanmax(np.abs(np.asarray(arms, float)), initial=0.0) > p.arms_raised_deg:
                findings.append(not_assessed(check, "your arms were held out in front, as in a bodyweight squat; give the "
                                                    "load weight if you were carrying something", unit, thr))
                continue
        grades = [grade_rep(check, m, kin, params, cm_per_px) for m in metrics]
        for r, g in zip(per_rep, grades, strict=True):
            r[check] = {"severity": g.severity, "value": None if not np.isfinite(g.value) else round(float(g.value), 3)}
        assessed = [(i, g) for i, g in enumerate(grades) if g.severity != "not_assessed"]
        if not assessed:
            reason = {"back_rounded": "the back outline could not be traced while bent over (no bent-over frames, or "
                                      "the outline was incomplete)",
                      "hips_rise_first": "no complete rise from the bottom was seen (or the hips hardly moved)"}.get(
                check, "the body parts this check needs were not visible clearly enough")
            findings.append(not_assessed(check, reason, unit, thr))
            continue
        worst_i, worst = max(assessed, key=lambda ig: (_RANK[ig[1].severity],
                                                       abs(ig[1].value) if check not in ("knees_not_bent", "feet_too_narrow")
                                                       else -ig[1].value))
        flagged = [i for i, g in assessed if g.severity in ("notice", "warning")]
        ranges = tuple((round(float(t[reps[i].start]), 3), round(float(t[reps[i].end]) + dt, 3)) for i in flagged)
        notice = {"back_rounded": p.back_bend_notice_deg}.get(check, np.nan)
        conf = _confidence(check, [metrics[i] for i, _ in assessed], kin, worst.value, notice, params)
        findings.append(Finding(
            id=check, severity=worst.severity, value=round(float(worst.value), 3), unit=unit, threshold=thr,
            time_ranges_s=ranges, confidence=round(conf, 2),
            message=_message(check, worst.value, worst.severity, len(flagged), len(assessed), metrics[worst_i],
                             cm_per_px is not None),
            advice=ADVICE[check] if worst.severity != "ok" else "",
        ))
    return findings, per_rep


def turning_finding(seq: PoseSequence, kin: LiftKinematics, params: LiftParams = DEFAULT_LIFT) -> Finding:
    """leads_with_shoulders: when the hips turn by more than ``turn_min_deg``, do the shoulders turn first?

    The lag is the time shift that best aligns the shoulder heading with the hip
    heading (cross-correlation of their changes); positive = shoulders earlier.
    """
    thr = f"shoulders turning > {params.lead_notice_s:.2f} s before the hips"
    hip, sh = kin.hip_yaw_deg, kin.shoulder_yaw_deg
    ok = np.isfinite(hip) & np.isfinite(sh)
    if ok.sum() < 10:
        return not_assessed("leads_with_shoulders", "not enough frames with the hips and shoulders visible to follow a turn",
                            "s", thr)
    turn = float(np.nanpercentile(hip[ok], 95) - np.nanpercentile(hip[ok], 5))
    if turn < params.turn_min_deg:
        return not_assessed("leads_with_shoulders", f"no change of direction in this clip (the hips turned only {turn:.0f} "
                                                    "degrees)", "s", thr)
    fps = seq.fps
    h = np.interp(np.arange(len(hip)), np.flatnonzero(ok), hip[ok])
    s = np.interp(np.arange(len(sh)), np.flatnonzero(ok), sh[ok])
    dh, ds = np.diff(h), np.diff(s)
    max_lag = int(round(1.0 * fps))
    lags = np.arange(-max_lag, max_lag + 1)
    scores = [np.dot(dh[max(0, k):len(dh) + min(0, k)], ds[max(0, -k):len(ds) - max(0, k)]) for k in lags]
    lag_s = float(lags[int(np.argmax(scores))] / fps)  # >0: hip changes come later than shoulder changes
    sev = "notice" if lag_s > params.lead_notice_s else "ok"
    conf = 0.4 if kin.view.view == "side" else 0.6
    msg = (f"When you turned, your shoulders turned about {lag_s:.2f} s before your hips." if sev != "ok"
           else "When you turned, your hips and shoulders turned together.")
    return Finding(id="leads_with_shoulders", severity=sev, value=round(lag_s, 3), unit="s", threshold=thr,
                   confidence=conf, message=msg, advice=ADVICE["leads_with_shoulders"] if sev != "ok" else "")
