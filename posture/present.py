"""Numbers and words for people: one place that turns report values into what the app, the video overlay,
the HTML/PDF reports and the history show, so they all agree.

- :func:`fmt_value` writes a value with its unit and sensible rounding ("41°", "40% of your height",
  "101 steps/min", "0.59 s", "1.2 m/s (4.3 km/h)").
- :func:`threshold_sentence` writes a finding's measurement against its limit as a sentence, saying when a
  value sits right on the limit instead of printing "measured 0.6, threshold 0.6".
- :func:`summary_of` gives the report's ``summary`` block (the contract in ``posture.report``); for reports
  made before that block existed it is computed from the findings the same way.
- :func:`finding_title` gives a finding's plain name.

Pure functions, no Streamlit, no drawing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SEVERITY_WORDS = {"warning": "Needs attention", "notice": "Worth a look", "ok": "Fine", "not_assessed": "Not assessed"}
SEVERITY_RANK = {"warning": 0, "notice": 1, "ok": 2, "not_assessed": 3}


@dataclass(frozen=True)
class UnitStyle:
    """How a unit is shown: value x ``scale``, ``decimals`` places, then ``suffix`` (no space when it starts with °/%)."""

    suffix: str
    scale: float = 1.0
    decimals: int = 1
    axis: str = ""  # axis label of a chart ("degrees"); defaults to the suffix


# Our choice, for readability: precision a person can use, not what the model resolves.
UNITS: dict[str, UnitStyle] = {
    "deg": UnitStyle("°", decimals=0, axis="degrees"),
    "degrees": UnitStyle("°", decimals=0, axis="degrees"),
    "steps/min": UnitStyle(" steps/min", decimals=0),
    "spm": UnitStyle(" steps/min", decimals=0),
    "s": UnitStyle(" s", decimals=1, axis="seconds"),
    "whole s": UnitStyle(" s", decimals=0, axis="seconds"),
    "min": UnitStyle(" min", decimals=0, axis="minutes"),
    "share": UnitStyle("%", scale=100.0, decimals=0, axis="% of the time"),
    "fraction": UnitStyle("%", scale=100.0, decimals=0, axis="%"),
    "fraction of height": UnitStyle("% of your height", scale=100.0, decimals=0, axis="% of your height"),
    "%": UnitStyle("%", decimals=0),
    "pct": UnitStyle("%", decimals=0),
    "ratio": UnitStyle("", decimals=2, axis="ratio"),
    "m": UnitStyle(" m", decimals=2, axis="metres"),
    "cm": UnitStyle(" cm", decimals=0, axis="cm"),
    "m/s": UnitStyle(" m/s", decimals=2, axis="m/s"),
    "kg": UnitStyle(" kg", decimals=1),
    "score": UnitStyle("", decimals=0, axis="score"),
    "px": UnitStyle(" px", decimals=0, axis="pixels"),
    "trunk lengths": UnitStyle(" trunk lengths", decimals=2),
    "hip widths": UnitStyle(" hip widths", decimals=2),
    "reps": UnitStyle(" reps", decimals=0),
    "count": UnitStyle("", decimals=0),
}


def unit_style(unit: str | None) -> UnitStyle:
    u = (unit or "").strip()
    return UNITS.get(u) or UNITS.get(u.lower()) or UnitStyle(f" {u}" if u else "", decimals=2, axis=u)


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def fmt_number(v: float, decimals: int) -> str:
    """``v`` rounded to ``decimals`` places; values of 100 or more lose their decimals; no "-0"."""
    if abs(v) >= 100:
        decimals = 0
    s = f"{v:.{decimals}f}"
    return "0" if s.strip("-0.") == "" else s


def fmt_value(v: Any, unit: str | None = "", *, with_unit: bool = True) -> str:
    """A value as a person reads it (see module docstring); ``"-"`` for None/NaN; text passes through."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if not is_number(v):
        return str(v)
    st = unit_style(unit)
    if (unit or "") == "m/s":
        return f"{float(v):.1f} m/s ({float(v) * 3.6:.1f} km/h)" if with_unit else f"{float(v):.1f}"
    if (unit or "") == "m" and abs(float(v)) < 2:  # a step of 0.40 m reads better as 40 cm
        return f"{float(v) * 100:.0f} cm" if with_unit else f"{float(v) * 100:.0f}"
    text = fmt_number(float(v) * st.scale, st.decimals)
    return text + st.suffix if with_unit else text


def axis_label(label: str, unit: str | None) -> str:
    st = unit_style(unit)
    ax = st.axis or st.suffix.strip()
    return f"{label} ({ax})" if ax else label


def plain_threshold(text: str) -> str:
    """A threshold written as text, made readable: units as symbols, no doubled spaces."""
    out = str(text).replace(" deg", "°").replace("deg)", "°)")
    return " ".join(out.split())


def threshold_sentence(value: Any, threshold: Any, unit: str | None, severity: str) -> str:
    """The measurement against its limit, as a sentence ("Measured 41°; the limit is 20°.").

    When value and limit look the same after rounding, it says the value sits right on the limit, so a
    flagged "0.6 against 0.6" is explained rather than looking like a mistake.
    """
    parts = []
    if is_number(value):
        parts.append(f"Measured {fmt_value(value, unit)}")
    if isinstance(threshold, str) and threshold.strip():
        t = plain_threshold(threshold)
        parts.append(f"flagged when {t[0].lower() + t[1:]}" if parts else f"Flagged when {t}")
    elif is_number(threshold):
        tv = fmt_value(threshold, unit)
        if is_number(value) and fmt_value(value, unit) == tv:
            parts.append(f"right on the limit of {tv}" + (", so it counts as flagged" if severity in ("notice", "warning")
                                                          else ", so it just passes"))
        else:
            parts.append(f"the limit is {tv}")
    if not parts:
        return ""
    return "; ".join(parts) + "."


# Modules that register the tasks' check specs (imported on first need, e.g. by the History page).
SPEC_MODULES = ("posture.gait.checks", "posture.lift.checks", "posture.sit.specs", "posture.stretch.specs")


def _registry() -> dict:
    try:
        from posture import checks
    except ImportError:  # older versions without the check layer
        return {}
    reg = getattr(checks, "REGISTRY", {})
    if not getattr(_registry, "loaded", False):
        import importlib

        for name in SPEC_MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a task being rewritten must not cost the names of the others
                pass
        _registry.loaded = True  # type: ignore[attr-defined]
    return reg


def finding_title(finding: Any) -> str:
    """The plain name of a finding ("Slouching"): its own ``title``, else the check registry's, else the id in words.

    Takes a :class:`~posture.report.Finding`, its JSON dict, or an id.
    """
    if not isinstance(finding, str):
        own = _get(finding, "title")
        if isinstance(own, str) and own.strip():
            return own
        finding = str(_get(finding, "id"))
    finding_id = finding
    spec = _registry().get(finding_id)
    return spec.title if spec is not None else finding_id.replace("_", " ").strip().capitalize()


def spec_of(finding_id: str | None):
    """The check spec (``posture.checks.CheckSpec``) of a finding id, or None."""
    return _registry().get(finding_id) if finding_id else None


def worse_side(finding_id: str | None) -> str | None:
    """``"above"`` or ``"below"`` (which side of the limit is worse) from the check registry, else None."""
    if not finding_id:
        return None
    return getattr(_registry().get(finding_id), "worse", None)


def measure_name(name: str) -> str:
    """A measure's id or label as words: "affected_hip_flexion_deg" -> "Hip flexion, treated side"."""
    import re

    words = re.sub(r"[_\s]+", " ", str(name)).strip()
    words = re.sub(r"\s+(deg|degrees|px|s|ratio|pct|spm)$", "", words)
    side = ""
    for prefix, label in (("affected ", "treated side"), ("other ", "other side")):
        if words.lower().startswith(prefix):
            words, side = words[len(prefix):], label
    words = words[:1].upper() + words[1:]
    return f"{words}, {side}" if side else words


def for_photo(text: str, is_photo: bool) -> str:
    """Words about a clip said of a photo when the input is one."""
    if not is_photo or not text:
        return text
    for a, b in (("in this clip", "in this photo"), ("in this video", "in this photo"), ("this clip", "this photo"),
                 ("this video", "this photo"), ("the clip", "the photo"), ("the video", "the photo")):
        text = text.replace(a, b)
    return text


# ----------------------------------------------------------------------------- summary
def _get(f: Any, key: str, default: Any = None) -> Any:
    return f.get(key, default) if isinstance(f, Mapping) else getattr(f, key, default)


def summary_from_findings(findings: Iterable[Any]) -> dict[str, Any]:
    """The ``summary`` block computed from findings (objects or dicts), as ``Report.to_dict()`` gives it, with
    findings named by :func:`finding_title` (older reports carry no titles)."""
    from posture.report import summarize

    return summarize(findings, title=finding_title)


def summary_of(report: Any) -> dict[str, Any]:
    """The report's ``summary`` block (a :class:`~posture.report.Report` or its JSON dict)."""
    _registry()  # the report's own summary names findings from the check specs: make sure they are loaded
    d = report if isinstance(report, Mapping) else report.to_dict()
    return d.get("summary") or summary_from_findings(d.get("findings", []))


# ----------------------------------------------------------------------------- key numbers
# (label, metric key or dotted suffix, unit) per task, in the order a person reads them. Our choice.
KEY_NUMBERS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "walk": (("Cadence", "cadence_spm", "steps/min"), ("Step length", "step_length_m", "m"),
             ("Walking speed", "walking_speed_m_s", "m/s"), ("Time per step", "step_time_s", "s"),
             ("Landings heel first", "heel_first_share", "share")),
    "lift": (("Repetitions", "rep_count", "count"), ("REBA score, worst moment", "reba_worst", "score"),
             ("REBA score, typical", "reba_typical", "score"), ("NIOSH lifting index", "niosh_lifting_index", "ratio"),
             ("Knee bend at the bottom", "knee_flexion_bottom_deg", "deg"),
             ("Trunk lean at the bottom", "trunk_lean_bottom_deg", "deg")),
    "sit": (("Trunk lean", "trunk_lean_deg", "deg"), ("Head forward", "forward_head_deg", "deg"),
            ("Thigh angle", "thigh_angle_deg", "deg"), ("Time upright", "share_upright", "share")),
    "stretch": (),
}


def flat(d: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts flattened to ``a.b`` keys (scalars only)."""
    out: dict[str, Any] = {}
    if isinstance(d, Mapping):
        for k, v in d.items():
            if isinstance(v, Mapping):
                out.update(flat(v, f"{prefix}{k}."))
            elif v is None or isinstance(v, (str, int, float, bool)):
                out[f"{prefix}{k}"] = v
    return out


def metric(metrics: Mapping[str, Any], key: str) -> Any:
    """A metric by key or dotted suffix (``reba_worst`` finds ``reba.reba_worst`` too)."""
    f = flat(metrics)
    if key in f:
        return f[key]
    return next((v for k, v in f.items() if k.endswith("." + key)), None)


def share_upright(d: Mapping[str, Any]) -> float | None:
    """Share of judged sitting time spent upright, from the report's ``sitting`` block (None if unknown)."""
    sitting = d.get("sitting") if isinstance(d.get("sitting"), Mapping) else {}
    times = sitting.get("time_in_posture_s") or {}
    total = sum(v for v in times.values() if is_number(v))
    if not total:
        return None
    return float(sum(v for k, v in times.items() if is_number(v) and k in ("upright", "good", "neutral")) / total)


def stretch_title(stretch_id: str) -> str:
    """A stretch's display name from its reference pose ("Kneeling hip-flexor stretch"), else the id in words."""
    try:
        from posture.stretch.reference import load_reference

        return str(load_reference(stretch_id).name)
    except Exception:  # noqa: BLE001 - an unknown or custom id still gets a readable name
        return stretch_id.replace("_", " ").capitalize()


def stretch_numbers(block: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Holds per side with seconds in form, reps done of the target, main fault, from a stretch block/summary."""
    if not isinstance(block, Mapping):
        return []
    out: list[tuple[str, str]] = []
    name = block.get("name")
    if name:
        out.append(("Stretch", stretch_title(str(name))
                    + (f" ({block['side']})" if block.get("side") not in (None, "both") else "")))
    holds = [h for h in block.get("holds") or [] if isinstance(h, Mapping)]
    target_reps = block.get("target_reps_per_side")
    target_s = block.get("hold_target_s")
    reps = block.get("reps_per_side") or {}
    sides = list(reps) or sorted({str(h.get("side") or "both") for h in holds})
    for side in sides:
        hs = [h for h in holds if str(h.get("side") or "both") == side]
        secs = ", ".join(f"{float(h.get('in_form_s') or 0):.0f} s" for h in hs) or "none"
        done = reps.get(side, sum(1 for h in hs if h.get("completed")))
        label = "Holds" if side == "both" else f"Holds, {side} side"
        text = f"{done} of {target_reps} done" if target_reps else f"{done} done"
        text += f" · seconds in good form: {secs}" + (f" (target {float(target_s):.0f} s each)" if target_s else "")
        out.append((label, text))
    faults = Counter()
    for h in holds:
        for k, v in (h.get("faults_s") or {}).items():
            if is_number(v):
                faults[k] += float(v)
    if faults:
        k, v = faults.most_common(1)[0]
        out.append(("Main thing to fix", f"{measure_name(k)} (out of range for {v:.1f} s)" if v < 10
                    else f"{measure_name(k)} (out of range for {v:.0f} s)"))
    elif holds:
        out.append(("Main thing to fix", "nothing: your form held"))
    return out


def key_numbers(report: Any) -> list[tuple[str, str]]:
    """``(label, text)`` of the numbers that matter for the report's task, those present only."""
    d = report if isinstance(report, Mapping) else report.to_dict()
    task = d.get("task", "")
    metrics = dict(d.get("metrics") or {})
    if task == "sit" and metric(metrics, "share_upright") is None:
        su = share_upright(d)
        if su is not None:
            metrics["share_upright"] = su
    out = []
    for label, key, unit in KEY_NUMBERS.get(task, ()):
        v = metric(metrics, key)
        if is_number(v):
            out.append((label, fmt_value(float(v), unit)))
    if task == "stretch":
        rows = stretch_numbers(d.get("stretch"))
        if int((d.get("input") or {}).get("n_frames") or 0) == 1:  # a photo shows the pose, not a hold
            rows = [r for r in rows if r[0] == "Stretch"]
        out += rows
    if task == "sit" and isinstance(d.get("sitting"), Mapping) and d["sitting"].get("posture"):
        out.insert(0, ("Posture", str(d["sitting"]["posture"]).replace("_", " ")))
    return out


# ----------------------------------------------------------------------------- history and live sessions
# The measure whose trend shows progress, per task (the History page's default). Our choice (issue 17).
TREND_DEFAULTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "walk": (("cadence_spm", "Cadence", "steps/min"), ("trunk_lean_deg", "Trunk lean while walking", "deg")),
    "lift": (("reba_worst", "REBA score, worst moment (lower is better)", "score"),
             ("rep_count", "Repetitions", "count")),
    "stretch": (("seconds_in_form", "Seconds held in good form", "whole s"), ("reps_done", "Repetitions done", "count")),
    "sit": (("share_upright", "Share of time sitting upright", "share"),
            ("trunk_lean_deg", "Trunk lean", "deg")),
}
SITTING_UPRIGHT = ("upright",)


def trend_metrics(d: Mapping[str, Any]) -> dict[str, Any]:
    """Numbers the History page plots by default, derived from a report's JSON or a live session."""
    task = d.get("task")
    out: dict[str, Any] = {}
    if task == "stretch":
        block = d.get("stretch") if isinstance(d.get("stretch"), Mapping) else {}
        holds = [h for h in block.get("holds") or [] if isinstance(h, Mapping)]
        if holds or block.get("name"):
            out["seconds_in_form"] = round(sum(float(h.get("in_form_s") or 0) for h in holds), 1)
            reps = block.get("reps_per_side") or {}
            out["reps_done"] = int(sum(v for v in reps.values() if is_number(v)))
        if block.get("name"):
            out["stretch_name"] = str(block["name"])
    elif task == "sit":
        su = share_upright(d)
        sitting = d.get("sitting") if isinstance(d.get("sitting"), Mapping) else {}
        live = d.get("live_session") if isinstance(d.get("live_session"), Mapping) else {}
        if su is None and live.get("time_in_posture_s"):
            su = share_upright({"sitting": live})
        if su is None and sitting.get("posture"):  # a photo: one moment, upright or not
            su = 1.0 if sitting["posture"] in SITTING_UPRIGHT else 0.0
        if su is not None:
            out["share_upright"] = round(su, 3)
    elif task == "lift":
        live = d.get("live_session") if isinstance(d.get("live_session"), Mapping) else {}
        if is_number(live.get("rep_count")):
            out["rep_count"] = int(live["rep_count"])
    return out


def live_rows(task: str, summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A live session's summary as ``(label, text)`` rows a person reads."""
    if task == "stretch":
        rows = stretch_numbers(summary)
        return rows or [("Stretch", "no stretch was recognised in this session")]
    if task == "lift":
        reps = [r for r in summary.get("repetitions") or [] if isinstance(r, Mapping)]
        rows = [("Repetitions", str(summary.get("rep_count", len(reps))))]
        faults = Counter(str(fid) for r in reps for fid in (r.get("flagged") or []))
        if reps:
            bad = sum(1 for r in reps if r.get("flagged"))
            rows.append(("Repetitions with something to fix", f"{bad} of {len(reps)}"))
        if faults:
            fid, n = faults.most_common(1)[0]
            rows.append(("Main thing to fix", f"{finding_title(fid)} ({n} of {len(reps)} repetitions)"))
        elif reps:
            rows.append(("Main thing to fix", "nothing: every repetition looked fine"))
        return rows
    if task == "sit":
        rows = []
        for label, key in (("Time seated", "time_seated_s"), ("Longest stretch of sitting", "longest_bout_s"),
                           ("Time away or standing", "time_away_s")):
            if is_number(summary.get(key)):
                rows.append((label, _duration(float(summary[key]))))
        times = summary.get("time_in_posture_s") or {}
        total = sum(v for v in times.values() if is_number(v))
        if total:
            rows.append(("How you sat", ", ".join(f"{k} {v / total:.0%}" for k, v in
                                                  sorted(times.items(), key=lambda kv: -kv[1]) if is_number(v))))
        if is_number(summary.get("breaks_taken")):
            rows.append(("Breaks taken", str(int(summary["breaks_taken"]))))
        return rows
    return [(k.replace("_", " ").capitalize(), fmt_value(v)) for k, v in summary.items()
            if isinstance(v, (int, float, str)) and not isinstance(v, bool)]


def _duration(s: float) -> str:
    return f"{s:.0f} s" if s < 90 else f"{s / 60:.0f} min"


def live_findings(task: str, summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Findings (JSON) of a live session: the main fault of a stretch session, when there was one."""
    if task != "stretch":
        return []
    faults: Counter = Counter()
    for h in summary.get("holds") or []:
        for k, v in ((h or {}).get("faults_s") or {}).items():
            if is_number(v):
                faults[k] += float(v)
    if not faults:
        return []
    k, v = faults.most_common(1)[0]
    return [{"id": str(k), "severity": "notice", "value": round(v, 1), "unit": "s", "threshold": None,
             "time_ranges_s": [], "confidence": 0.5, "message": f"Out of form for {v:.0f} s: {measure_name(k).lower()}.",
             "advice": ""}]


def live_headline(task: str, summary: Mapping[str, Any]) -> str:
    """One line about a live session for its top line and the History table."""
    rows = dict(live_rows(task, summary))
    if task == "stretch":
        holds = [(k.replace("Holds, ", "").replace("Holds", "").strip(), v.split(" · ")[0]) for k, v in rows.items()
                 if k.startswith("Holds")]
        text = "; ".join(f"{side}: {done}" if side else done for side, done in holds)
        return f"{rows.get('Stretch', 'Stretch session')}: " + (text if holds else "no hold recorded") + "."
    if task == "lift":
        return f"Live lifting session: {rows.get('Repetitions', '0')} repetitions."
    if task == "sit":
        return f"Desk session: seated {rows.get('Time seated', '0 s')}."
    return "Live session."


def worth_saving(task: str, summary: Mapping[str, Any]) -> bool:
    """Whether a live session did anything worth keeping (a START/STOP with nobody in the pose is not)."""
    if task == "stretch":
        return any(float((h or {}).get("duration_s") or (h or {}).get("in_form_s") or 0) > 0
                   for h in summary.get("holds") or [])
    if task == "lift":
        return bool(summary.get("rep_count"))
    if task == "sit":
        return float(summary.get("time_seated_s") or 0) >= 60.0
    return bool(summary)
