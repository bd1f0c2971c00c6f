"""The report contract shared by every analysis, the CLI and the app.

``Report.to_dict()`` gives::

    {"task", "posture_version",
     "input": {"path", "fps", "n_frames", "duration_s", "width", "height", "rotation_deg"},
     "view": "side"|"front"|"back"|"mixed"|"unknown",
     "segments": [...], "events": {...}, "metrics": {...},
     "findings": [{"id", "severity", "value", "unit", "threshold", "time_ranges_s",
                   "confidence", "message", "advice"}],
     ...task blocks ("repetitions", "reba", "niosh", "stretch", "sitting"),
     "provenance": {...}, "notice": "...", "red_flags": [...]}

Severity is one of ``ok``, ``notice``, ``warning`` or ``not_assessed`` (with a
``reason``). Frame numbers count decoded frames from 0.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from posture import __version__
from posture.sequence import PoseSequence, VideoInfo
from posture.signals import true_runs

SEVERITIES = ("ok", "notice", "warning", "not_assessed")
VIEWS = ("side", "front", "back", "oblique", "mixed", "unknown")  # posture.view names, plus "mixed"

NOT_A_DIAGNOSIS = (
    "posture describes how your body moved in this video. It informs; it does not diagnose. "
    "If something hurts, ask a physiotherapist or doctor."
)
RED_FLAGS = (
    "Severe pain that lasts more than two weeks: see a doctor.",
    "Trouble walking, or a leg that gives way: see a doctor.",
    "Difficulty controlling your bowel or bladder, or numbness around the groin: get urgent medical help.",
    "Weakness or numbness in a leg that gets worse: see a doctor.",
)


def _clean(x: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None, tuples to lists."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return _clean(x.tolist())
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return None if not math.isfinite(v) else round(v, 4)
    if isinstance(x, np.bool_):
        return bool(x)
    if hasattr(x, "to_dict"):
        return _clean(x.to_dict())
    return x


@dataclass(frozen=True)
class Finding:
    """One thing we saw: what, how much, where in the video, how sure, and what to do."""

    id: str
    severity: str
    value: float | None = None
    unit: str = ""
    threshold: float | str | None = None
    time_ranges_s: tuple[tuple[float, float], ...] = ()
    confidence: float = 0.0
    message: str = ""
    advice: str = ""
    reason: str | None = None  # why it was not assessed
    title: str = ""  # plain name for people ("Slouching"); from the check's spec
    warning_threshold: float | None = None  # second limit, when the check has one
    worse: str = ""  # "above" or "below": which side of the thresholds is worse

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        if self.severity == "not_assessed" and not self.reason:
            raise ValueError(f"finding {self.id!r} is not_assessed but gives no reason")
        if not 0.0 <= float(self.confidence) <= 1.0:
            raise ValueError(f"confidence must lie in [0, 1], got {self.confidence}")

    @property
    def flagged(self) -> bool:
        return self.severity in ("notice", "warning")

    def to_dict(self) -> dict[str, Any]:
        d = {
            "id": self.id, "severity": self.severity, "value": self.value, "unit": self.unit,
            "threshold": self.threshold, "time_ranges_s": [list(r) for r in self.time_ranges_s],
            "confidence": self.confidence, "message": self.message, "advice": self.advice,
        }
        if self.reason:
            d["reason"] = self.reason
        if self.title:
            d["title"] = self.title
        if self.worse:
            d["warning_threshold"] = self.warning_threshold
            d["worse"] = self.worse
        return _clean(d)


def margin_confidence(value: float, threshold: float, uncertainty: float) -> float:
    """How sure a threshold call is, from the value's distance to the threshold, 0.5..1.

    0.5 at the threshold (a coin toss), 1.0 once the value is ``uncertainty``
    (the measure's typical error, same unit) or more away from it. Multiply it
    into a finding's confidence so that borderline calls say they are borderline.
    """
    if not (np.isfinite(value) and np.isfinite(threshold)) or uncertainty <= 0:
        return 0.5
    return float(0.5 + 0.5 * min(1.0, abs(value - threshold) / uncertainty))


def not_assessed(id: str, reason: str, unit: str = "", threshold: float | str | None = None) -> Finding:
    """A finding we could not judge, with the reason in plain words."""
    return Finding(id=id, severity="not_assessed", unit=unit, threshold=threshold, confidence=0.0,
                   message=f"Not assessed: {reason}", advice="", reason=reason)


def input_block(video: VideoInfo) -> dict[str, Any]:
    return _clean({
        "path": video.path, "fps": video.fps, "n_frames": video.n_frames, "duration_s": video.duration_s,
        "width": video.width, "height": video.height, "rotation_deg": video.rotation_deg,
    })


@dataclass
class Report:
    """An analysis result; ``to_dict``/``to_json`` give the shared JSON contract."""

    task: str
    video: VideoInfo
    view: str = "unknown"
    segments: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    blocks: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict)  # per-frame traces for plots; not in the JSON

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}, got {self.view!r}")

    def finding(self, id: str) -> Finding | None:
        return next((f for f in self.findings if f.id == id), None)

    @property
    def flagged_ids(self) -> list[str]:
        return [f.id for f in self.findings if f.flagged]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "task": self.task,
            "posture_version": __version__,
            "input": input_block(self.video),
            "view": self.view,
            "segments": self.segments,
            "events": self.events,
            "metrics": self.metrics,
            "findings": [f.to_dict() for f in self.findings],
            "summary": summarize(self.findings),
        }
        for k, v in self.blocks.items():
            d[k] = v
        d["provenance"] = self.provenance
        d["notice"] = NOT_A_DIAGNOSIS
        d["red_flags"] = list(RED_FLAGS)
        return _clean(d)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


def summarize(findings: Iterable[Any], title: Callable[[Any], str] | None = None) -> dict[str, Any]:
    """The report's ``summary`` block: what was flagged, what could not be judged and why.

    ``findings`` are :class:`Finding` objects or their JSON dicts (a report read back from a file); ``title``
    names a finding for the headline (default: its own ``title``, else its id in words).

    ``status`` is ``flagged`` when any check is a notice or warning; ``nothing_flagged`` only when at least
    half of the checks (and at least one) were judged; otherwise ``not_enough_judged`` with the most common
    reason. ``flagged`` lists ids worst first (warnings, then notices, each by confidence).
    """
    def get(f: Any, key: str) -> Any:
        return f.get(key) if isinstance(f, dict) else getattr(f, key, None)

    name = title or (lambda f: get(f, "title") or str(get(f, "id")).replace("_", " "))
    fs = list(findings)
    rank = {"warning": 0, "notice": 1}
    flagged = sorted((f for f in fs if get(f, "severity") in rank),
                     key=lambda f: (rank[get(f, "severity")], -(get(f, "confidence") or 0.0)))
    na = [f for f in fs if get(f, "severity") == "not_assessed"]
    judged = [f for f in fs if get(f, "severity") != "not_assessed"]
    n = len(fs)
    reasons = Counter(_short_reason(get(f, "reason") or "") for f in na)
    main_reason = reasons.most_common(1)[0][0] if reasons else None
    if flagged:
        status = "flagged"
        names = [name(f).lower() for f in flagged]
        headline = f"{len(flagged)} thing{'s' if len(flagged) > 1 else ''} to work on: " + ", ".join(names) + "."
        if na:
            headline += f" {len(na)} of {n} checks could not be judged."
    elif judged and 2 * len(judged) >= n:
        status = "nothing_flagged"
        headline = f"Nothing flagged in the {len(judged)} checks we could judge."
        if na:
            headline += f" {len(na)} could not be judged."
    else:
        status = "not_enough_judged"
        headline = f"Could not judge most checks ({len(na)} of {n})" + (f": {main_reason}." if main_reason else ".")
    return {"status": status, "headline": headline, "n_checks": n, "n_judged": len(judged),
            "n_flagged": len(flagged), "n_not_assessed": len(na), "flagged": [get(f, "id") for f in flagged],
            "not_assessed": [get(f, "id") for f in na], "main_reason": main_reason}


def _short_reason(reason: str) -> str:
    """The reason without a trailing parenthesis of detail, so equal causes count together."""
    r = reason.strip().rstrip(".")
    return r.split(" (")[0] if " (" in r else r


def provenance_block(seq: PoseSequence, **params: Any) -> dict[str, Any]:
    """Provenance of a report: the sequence's model/versions/steps plus analysis parameters."""
    d = seq.provenance.to_dict()
    d["analysis_parameters"] = params
    return _clean(d)


def time_ranges(mask: np.ndarray, timestamps_s: np.ndarray, min_duration_s: float = 0.0,
                merge_gap_s: float = 0.0) -> list[tuple[float, float]]:
    """Start/end times (s) of True runs in a per-frame mask, merging runs closer than ``merge_gap_s``."""
    mask = np.asarray(mask, bool)
    t = np.asarray(timestamps_s, float)
    if mask.size == 0:
        return []
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    ranges: list[list[float]] = []
    for s, stop in true_runs(mask):
        a, b = float(t[s]), float(t[stop - 1]) + dt
        if ranges and a - ranges[-1][1] <= merge_gap_s + 1e-9:  # tolerate float rounding of frame times
            ranges[-1][1] = b
        else:
            ranges.append([a, b])
    return [(round(a, 3), round(b, 3)) for a, b in ranges if b - a >= min_duration_s - 1e-9]
