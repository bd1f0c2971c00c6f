"""The check layer: every finding of every task is a declarative :class:`CheckSpec` graded by one evaluator.

A spec says what a check needs (body parts, views, how big the person must be, how many frames, steps or
repetitions), what a body can plausibly produce, where the notice and warning limits lie and where they
come from, which direction is worse, and the words (message, advice, live cue, what to change when the
camera cannot show it). Analyses measure; this module judges. Offline reports and live coaches call the
same specs, so a fix to a limit or a gate reaches both.

The evaluator, in order (:func:`evaluate`):

1. **Gates** (:func:`gate_frames`, per frame): the spec's body parts are visible (visibility and, where the
   model gives it, presence >= ``min_visibility``), inside the image by ``EDGE_MARGIN_FRACTION`` of its smaller
   side, the body is at least ``min_body_px`` tall, and the frame's view is one of ``views``. Then the number
   of samples (frames, steps or repetitions) must reach ``min_samples``. A check that fails a gate is
   ``not_assessed`` with the reason and the spec's ``camera_hint`` as advice.
2. **Plausibility**: samples outside ``plausible`` (what a human body does) are measurement failures. If the
   value graded, or more than half of the samples, fall outside, the check is ``not_assessed`` and the
   failure is logged; it is never ``ok``, ``notice`` or ``warning``.
3. **Grading**: the value (median of the samples, the worst sample, or the share of flagged samples, per
   ``aggregate``) against ``notice`` and ``warning`` in the direction ``worse``.
4. **Confidence** (one formula, documented in :func:`confidence`): landmark quality x margin to the nearest
   limit (against the measure's typical error widened by the spread of the samples) x amount of evidence.
   A value within one typical error of a limit is called borderline in its message.

The report's ``summary`` block (:func:`summarize`) counts judged and not-judged checks, so nothing says
"nothing flagged" unless enough checks were judged.
"""

from __future__ import annotations

import logging
import math
import string
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from posture import landmarks as L
from posture.report import Finding, summarize  # noqa: F401  (summarize: the summary block lives with the report)
from posture.sequence import PoseFrame, PoseSequence
from posture.view import ViewTrack, body_height_px, frame_view, overall_view

logger = logging.getLogger(__name__)

MIN_VISIBILITY = 0.5  # our choice: MediaPipe visibility/presence are likelihoods; below 0.5 more likely hidden
EDGE_MARGIN_FRACTION = 0.01  # our choice: a point within 1% of the image edge is likely cut off or guessed
AGGREGATES = ("median", "worst", "share", "value")
SAMPLE_WORDS = {"frames": ("frame", "frames"), "steps": ("step", "steps"),
                "repetitions": ("repetition", "repetitions"), "seconds": ("second", "seconds"),
                "contacts": ("foot landing", "foot landings"), "holds": ("hold", "holds")}

# Body parts a spec can name; a part is seen when either side is (or both, with ``both_sides``).
PARTS: dict[str, tuple[int, ...]] = {
    "nose": (L.NOSE,), "ear": (L.LEFT_EAR, L.RIGHT_EAR), "eye": (L.LEFT_EYE, L.RIGHT_EYE),
    "shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), "elbow": (L.LEFT_ELBOW, L.RIGHT_ELBOW),
    "wrist": (L.LEFT_WRIST, L.RIGHT_WRIST), "hip": (L.LEFT_HIP, L.RIGHT_HIP), "knee": (L.LEFT_KNEE, L.RIGHT_KNEE),
    "ankle": (L.LEFT_ANKLE, L.RIGHT_ANKLE), "heel": (L.LEFT_HEEL, L.RIGHT_HEEL),
    "toe": (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX),
}


@dataclass(frozen=True)
class CheckSpec:
    """One finding, declared once: what it needs, what is plausible, its limits with sources, its words.

    Message templates are ``str.format`` strings; they may use ``{value}``, ``{abs_value}``, ``{unit}``,
    ``{notice}``, ``{warning}``, ``{share}`` (0..1), ``{n}`` (samples judged), ``{n_flagged}`` and any key
    the analysis passes in ``context``.
    """

    id: str
    title: str  # plain name for people: "Slouching"
    unit: str  # unit of the value: "deg", "steps/min", "ratio", ...
    parts: tuple[str, ...]  # body parts that must be visible (keys of PARTS)
    views: tuple[str, ...]  # views it can be judged from (posture.view names); () = any view
    plausible: tuple[float, float]  # what a human body can produce, same unit; outside = measurement failure
    notice: float | None  # first limit; None = never flagged (information only)
    warning: float | None  # second limit; None = a notice at most
    worse: str  # "above" (higher is worse) or "below"
    source: str  # where the limits come from (paper, standard, or "our choice: ...")
    uncertainty: float  # typical error of the value, same unit (sets the margin of the confidence)
    message_ok: str
    message_flag: str
    advice: str
    camera_hint: str  # what to change when the camera cannot show it
    cue: str = ""  # short live cue when flagged ("Bend your knees")
    aggregate: str = "median"  # how samples make the value: median | worst | share | value (given by the analysis)
    min_share: float = 0.5  # aggregate "share": flagged when at least this share of samples is past the limit
    sample_kind: str = "frames"  # frames | steps | repetitions | seconds | contacts | holds
    min_samples: int = 1  # samples needed to judge
    min_body_px: float = 0.0  # body height (pixels) below which the parts are too small to measure
    both_sides: bool = False  # parts must be seen on both sides (front-view checks)
    # what a value past the top of the plausible range may be, when more than a failure ("{value:.0f} steps/min
    # is faster than walking: running, or steps counted twice"); None: "outside what a body does"
    implausible_above: str | None = None

    def __post_init__(self) -> None:
        if self.worse not in ("above", "below"):
            raise ValueError(f"{self.id}: worse must be 'above' or 'below', got {self.worse!r}")
        if self.aggregate not in AGGREGATES:
            raise ValueError(f"{self.id}: aggregate must be one of {AGGREGATES}, got {self.aggregate!r}")
        if self.sample_kind not in SAMPLE_WORDS:
            raise ValueError(f"{self.id}: sample_kind must be one of {tuple(SAMPLE_WORDS)}, got {self.sample_kind!r}")
        unknown = [p for p in self.parts if p not in PARTS]
        if unknown:
            raise ValueError(f"{self.id}: unknown body parts {unknown}; valid: {', '.join(PARTS)}")
        lo, hi = self.plausible
        if not lo < hi:
            raise ValueError(f"{self.id}: plausible range must be (low, high) with low < high, got {self.plausible}")
        if self.notice is not None and self.warning is not None:
            ordered = self.warning >= self.notice if self.worse == "above" else self.warning <= self.notice
            if not ordered:
                raise ValueError(f"{self.id}: warning {self.warning} must lie beyond notice {self.notice} "
                                 f"(worse {self.worse})")
        if self.uncertainty <= 0:
            raise ValueError(f"{self.id}: uncertainty must be positive, got {self.uncertainty}")

    def with_limits(self, notice: float | None = None, warning: float | None = None) -> CheckSpec:
        """A copy with other limits (presets such as ``older_adult``)."""
        return replace(self, notice=self.notice if notice is None else notice,
                       warning=self.warning if warning is None else warning)

    def landmarks(self) -> tuple[int, ...]:
        return tuple(i for p in self.parts for i in PARTS[p])


# ------------------------------------------------------------------------------------------------ registry
REGISTRY: dict[str, CheckSpec] = {}  # finding id -> its spec (the first registered, when tasks share an id)
TASK_REGISTRY: dict[str, dict[str, CheckSpec]] = {}  # task -> finding id -> spec


def register(*specs: CheckSpec, task: str = "") -> tuple[CheckSpec, ...]:
    """Add specs to the registry; returns them for the caller's table.

    Two tasks may share an id (``slouching`` while walking and while sitting) when it means the same thing:
    the same unit. Within one task an id is registered once (again only with the same spec).
    """
    for s in specs:
        old = REGISTRY.get(s.id)
        if old is not None and old.unit != s.unit:
            raise ValueError(f"check id {s.id!r} is registered twice with different meanings "
                             f"({old.unit!r} and {s.unit!r})")
        mine = TASK_REGISTRY.setdefault(task, {})
        if s.id in mine and mine[s.id] != s and (mine[s.id].title, mine[s.id].unit) != (s.title, s.unit):
            raise ValueError(f"check id {s.id!r} is registered twice with different meanings in task {task!r}")
        mine[s.id] = s
        REGISTRY.setdefault(s.id, s)
    return specs


def spec_for(finding_id: str, task: str = "") -> CheckSpec | None:
    """The spec behind a finding of ``task`` (any task's spec of that id when the task did not register it)."""
    return TASK_REGISTRY.get(task, {}).get(finding_id) or REGISTRY.get(finding_id)


def title(finding_id: str, task: str = "") -> str:
    """The plain name of a finding id (the id with spaces when no spec is registered)."""
    s = spec_for(finding_id, task)
    return s.title if s else finding_id.replace("_", " ").capitalize()


# ------------------------------------------------------------------------------------------------ grading
def grade_value(spec: CheckSpec, value: float) -> str:
    """Severity of one value: ``ok``, ``notice``, ``warning``, or ``not_assessed`` when NaN or implausible.

    The live coaches call this on each frame's (or repetition's) value; the offline evaluator calls it on
    the clip's value. One grading for both.
    """
    if value is None or not math.isfinite(value) or not is_plausible(spec, value):
        return "not_assessed"
    if spec.notice is None:
        return "ok"
    sign = 1.0 if spec.worse == "above" else -1.0
    if spec.warning is not None and sign * (value - spec.warning) >= 0:
        return "warning"
    if sign * (value - spec.notice) >= 0:
        return "notice"
    return "ok"


def past_limit(spec: CheckSpec, values: np.ndarray) -> np.ndarray:
    """(k,) bool: each value is at or past the notice limit (False for NaN or when the spec has no limit)."""
    v = np.asarray(values, float)
    if spec.notice is None:
        return np.zeros(v.shape, bool)
    with np.errstate(invalid="ignore"):
        return (v >= spec.notice) if spec.worse == "above" else (v <= spec.notice)


def is_plausible(spec: CheckSpec, value: float | np.ndarray) -> bool | np.ndarray:
    lo, hi = spec.plausible
    v = np.asarray(value, float)
    with np.errstate(invalid="ignore"):
        out = np.isfinite(v) & (v >= lo) & (v <= hi)
    return bool(out) if out.ndim == 0 else out


# ------------------------------------------------------------------------------------------------ gates
@dataclass(frozen=True)
class Gate:
    """Per-frame result of the evidence gates of one spec."""

    usable: np.ndarray  # (n,) bool: every gate passed
    quality: np.ndarray  # (n,) landmark quality 0..1 (lowest visibility among the needed parts)
    reason: str | None  # why frames failed, the gate that removed most of them (None when every frame passed)

    @property
    def any(self) -> bool:
        return bool(self.usable.any())


def _part_quality(vis: np.ndarray, pres: np.ndarray, inside: np.ndarray, part: str, both: bool) -> np.ndarray:
    """(n,) quality of one body part: the best side's (or, with ``both``, the worse side's) visibility,
    0 where the point is outside the image or the model says it is absent."""
    idx = PARTS[part]
    q = np.where(inside[:, idx], np.minimum(vis[:, idx], np.where(np.isfinite(pres[:, idx]), pres[:, idx], 1.0)), 0.0)
    return q.min(axis=1) if both else q.max(axis=1)


def gate_frames(spec: CheckSpec, seq: PoseSequence, views: ViewTrack | None = None,
                mask: np.ndarray | None = None, mask_reason: str = "") -> Gate:
    """Per-frame evidence gates of ``spec`` on ``seq`` (see the module docstring).

    ``mask`` restricts the frames further (e.g. "inside a gait cycle", "seated"); ``mask_reason`` says in
    plain words what it requires, for the not-assessed reason.
    """
    n = seq.n_frames
    xy = np.asarray(seq.xy_px, float)
    vis = np.nan_to_num(np.asarray(seq.visibility, float))
    pres = np.asarray(seq.presence, float)
    w, h = seq.video.width, seq.video.height
    margin = EDGE_MARGIN_FRACTION * min(w, h)
    with np.errstate(invalid="ignore"):
        inside = ((xy[..., 0] >= margin) & (xy[..., 0] <= w - margin)
                  & (xy[..., 1] >= margin) & (xy[..., 1] <= h - margin))
    quality = np.ones(n)
    out_of_frame = np.zeros(n, bool)
    for p in spec.parts:
        q = _part_quality(vis, pres, inside, p, spec.both_sides)
        q_in = _part_quality(vis, pres, np.ones_like(inside), p, spec.both_sides)
        out_of_frame |= (q < MIN_VISIBILITY) & (q_in >= MIN_VISIBILITY)
        quality = np.minimum(quality, q)
    seen = quality >= MIN_VISIBILITY
    found = np.isfinite(xy).any(axis=(1, 2))
    height = views.body_height_px if views is not None else body_height_px(xy, vis, MIN_VISIBILITY)
    with np.errstate(invalid="ignore"):
        big = ~(height < spec.min_body_px)  # NaN height passes here; the visibility gate catches it
    view_ok = np.ones(n, bool) if (not spec.views or views is None) else np.isin(views.view, spec.views)
    extra = np.ones(n, bool) if mask is None else np.asarray(mask, bool)
    usable = found & seen & big & view_ok & extra
    reason = None
    if not usable.all():
        # The view gate is blamed for the frames the check wanted (the mask) that it removed; only when the mask
        # holds no found frame at all (a front view has no seated side-view frames) for every frame of the wrong
        # view. Counting wrong-view frames outside a non-empty mask (a walker turning between side passes) named
        # the view for a side clip: "needs a side view; this clip shows a side view".
        view_scope = extra if (found & extra).any() else found
        losses = [
            (int((~found).sum()), "no person was found"),
            (int((found & ~view_ok & view_scope).sum()), _view_words(spec, views, found & ~view_ok & view_scope)),
            (int((found & view_ok & out_of_frame).sum()), f"the {_parts_words(spec)} left the picture"),
            (int((found & view_ok & ~seen & ~out_of_frame).sum()), f"the {_parts_words(spec)} were not clearly visible"),
            (int((found & view_ok & seen & ~big).sum()),
             f"the person was too small in the picture (under {spec.min_body_px:.0f} px tall; this check needs "
             f"at least that to measure)"),
            (int((found & view_ok & seen & big & ~extra).sum()), mask_reason or "those frames do not show this movement"),
        ]
        reason = max(losses, key=lambda x: x[0])[1]
    return Gate(usable=usable, quality=np.where(found, quality, 0.0), reason=reason)


def gate_frame(spec: CheckSpec, frame: PoseFrame | None) -> tuple[bool, float, str | None]:
    """Live: the gates of one frame -> (usable, quality, reason)."""
    if frame is None:
        return False, 0.0, "no person in view"
    xy = np.asarray(frame.xy_px, float)
    vis = np.nan_to_num(np.asarray(frame.visibility, float))
    margin = EDGE_MARGIN_FRACTION * min(frame.width, frame.height)
    with np.errstate(invalid="ignore"):
        inside = ((xy[:, 0] >= margin) & (xy[:, 0] <= frame.width - margin)
                  & (xy[:, 1] >= margin) & (xy[:, 1] <= frame.height - margin))[None]
    pres = np.full((1, vis.size), np.nan)
    q = min((float(_part_quality(vis[None], pres, inside, p, spec.both_sides)[0]) for p in spec.parts), default=1.0)
    if q < MIN_VISIBILITY:
        return False, q, f"keep your {_parts_words(spec)} in the picture"
    if spec.views and frame_view(frame) not in spec.views:
        return False, q, spec.camera_hint or _view_words(spec, None)
    height = float(body_height_px(xy[None], vis[None], MIN_VISIBILITY)[0])
    if height < spec.min_body_px:
        return False, q, "come closer to the camera"
    return True, q, None


def _parts_words(spec: CheckSpec) -> str:
    names = {"toe": "toes", "heel": "heels", "ear": "ears", "eye": "eyes", "nose": "face"}
    words = [names.get(p, p + "s") for p in spec.parts]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else (words[0] if words else "body")


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _or(words: tuple[str, ...] | list[str]) -> str:
    words = list(words)
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else (words[0] if words else "")


def _view_words(spec: CheckSpec, views: ViewTrack | None, frames: np.ndarray | None = None) -> str:
    """Why the view gate failed, naming the view of the ``frames`` it removed (the whole clip by default)."""
    need = _a(_or(spec.views)) if spec.views else "any"
    seen = ""
    if views is not None:
        main = overall_view(views.view if frames is None else views.view[frames])
        if main != "unknown":
            where = "this clip shows" if frames is None or frames.all() else "the frames that matter show"
            seen = f"; {where} {_a(main)} view"
    return f"this check needs {need} view of the body{seen}"


# ------------------------------------------------------------------------------------------------ confidence
def confidence(spec: CheckSpec, value: float, severity: str, samples: np.ndarray, quality: float) -> float:
    """How sure a graded finding is, 0..1: ``quality x margin x amount``.

    - ``quality``: median landmark quality (lowest visibility of the needed parts) over the judged frames;
    - ``margin = 0.5 + 0.5 * min(1, d / u)``: ``d`` is the distance from the value to the nearest limit that
      decides its grade, ``u = sqrt(uncertainty^2 + (spread / sqrt(k))^2)`` with ``spread`` the robust
      standard deviation (1.4826 x MAD) of the ``k`` samples; 0.5 means a coin toss at the limit;
    - ``amount = min(1, k / (2 x min_samples))`` for events (steps, foot landings, repetitions, holds): full
      weight from twice the minimum evidence; 1 for frames and seconds of a held posture, where one clear
      frame (a photo) shows the posture as well as many.
    For ``share`` checks ``d`` is measured on the median sample, so the same formula holds.
    """
    s = np.asarray(samples, float)
    s = s[np.isfinite(s)]
    k = max(int(s.size), 1)
    spread = 1.4826 * float(np.median(np.abs(s - np.median(s)))) if s.size >= 2 else 0.0
    u = math.sqrt(spec.uncertainty ** 2 + (spread / math.sqrt(k)) ** 2)
    m = margin(spec, value, severity, u)
    events = spec.sample_kind not in ("frames", "seconds")
    amount = min(1.0, k / (2.0 * max(spec.min_samples, 1))) if events else 1.0
    return float(np.clip(quality, 0.0, 1.0) * m * amount)


def margin(spec: CheckSpec, value: float, severity: str, u: float) -> float:
    """0.5..1: how far ``value`` sits from the limit(s) that decide its grade, in units of ``u``."""
    limits = [x for x in (spec.notice, spec.warning) if x is not None]
    if not limits or not math.isfinite(value) or u <= 0:
        return 1.0 if not limits else 0.5
    if severity == "ok":
        d = abs(value - spec.notice)
    elif severity == "notice":
        d = min(abs(value - x) for x in limits)
    else:
        d = abs(value - (spec.warning if spec.warning is not None else spec.notice))
    return float(0.5 + 0.5 * min(1.0, d / u))


# ------------------------------------------------------------------------------------------------ evaluator
@dataclass(frozen=True)
class Evidence:
    """What a check's grade rests on.

    ``samples``: (k,) one number per frame, step or repetition, in the spec's unit (NaN = not measured there);
    they are gated (``min_samples``), checked for plausibility and give the spread of the confidence.
    ``quality``: (k,) or scalar landmark quality 0..1 of those samples.
    ``times_s``: optional (k, 2) start/end of each sample, for the time ranges of flagged samples.
    ``value``: the graded value when the analysis computes it otherwise (``aggregate == "value"``, e.g.
    cadence from the count of steps over the walking time, with per-step cadences as samples).
    ``gate_reason``: why there are too few samples (from :func:`gate_frames`), for the not-assessed text.
    ``context``: extra fields for the message templates.
    """

    samples: np.ndarray
    quality: np.ndarray | float = 1.0
    times_s: np.ndarray | None = None
    value: float | None = None
    gate_reason: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    ranges_s: tuple[tuple[float, float], ...] | None = None  # flagged time ranges, when the analysis knows better


def not_assessed_finding(spec: CheckSpec, reason: str, value: float | None = None) -> Finding:
    """The finding of a check that could not be judged: the reason, and what to change."""
    return Finding(id=spec.id, severity="not_assessed", value=None if value is None else _round(value),
                   unit=spec.unit, threshold=spec.notice, confidence=0.0, message=f"Not assessed: {reason}.",
                   advice=spec.camera_hint, reason=reason, title=spec.title,
                   warning_threshold=spec.warning, worse=spec.worse)


def evaluate(spec: CheckSpec, ev: Evidence) -> Finding:
    """Gates, plausibility, grading, confidence: one :class:`Finding` (see the module docstring)."""
    raw = np.atleast_1d(np.asarray(ev.samples, float))
    q = np.broadcast_to(np.asarray(ev.quality, float), raw.shape) if raw.size else np.zeros(0)
    measured = np.isfinite(raw)
    kind_many = SAMPLE_WORDS[spec.sample_kind][1]
    n_measured = int(measured.sum())
    if n_measured < spec.min_samples:
        return not_assessed_finding(spec, _too_few(spec, n_measured, ev.gate_reason))
    plausible = measured & is_plausible(spec, raw)
    n_bad = int((measured & ~plausible).sum())
    if n_bad:
        logger.warning("%s: %d of %d %s outside the plausible range %s %s", spec.id, n_bad, n_measured, kind_many,
                       spec.plausible, spec.unit)
    if n_bad * 2 > n_measured:
        return _implausible(spec, float(np.nanmedian(raw[measured])), n_bad, n_measured)
    if int(plausible.sum()) < spec.min_samples:
        return not_assessed_finding(spec, _too_few(spec, int(plausible.sum()), ev.gate_reason))
    samples, quality = raw[plausible], q[plausible]
    flags = past_limit(spec, samples)
    share = float(flags.mean()) if samples.size else 0.0

    if spec.aggregate == "value":
        value = float("nan") if ev.value is None else float(ev.value)
        if not math.isfinite(value):
            return not_assessed_finding(spec, ev.gate_reason or f"too few {kind_many} to measure it")
        if not is_plausible(spec, value):
            return _implausible(spec, value, 1, 1)
        severity = grade_value(spec, value)
    elif spec.aggregate == "worst":
        value = float(samples.max() if spec.worse == "above" else samples.min())
        severity = grade_value(spec, value)
    elif spec.aggregate == "share":
        value = float(np.median(samples[flags])) if share >= spec.min_share and flags.any() else float(np.median(samples))
        if share >= spec.min_share and spec.notice is not None:
            if spec.warning is None:  # a notice at most (comparing with None raised TypeError)
                past_warning = np.zeros(samples.shape, bool)
            else:
                past_warning = (samples >= spec.warning) if spec.worse == "above" else (samples <= spec.warning)
            severity = "warning" if spec.warning is not None and float(past_warning.mean()) >= spec.min_share else "notice"
        else:
            severity = "ok"
    else:  # median
        value = float(np.median(samples))
        severity = grade_value(spec, value)

    qual = float(np.median(quality)) if quality.size else 1.0
    conf = confidence(spec, value, severity, samples if samples.size else np.array([value]), qual)
    flagged = severity in ("notice", "warning")
    ranges: tuple[tuple[float, float], ...] = ()
    if flagged:
        if ev.ranges_s is not None:
            ranges = tuple(ev.ranges_s)
        elif ev.times_s is not None and samples.size:
            t = np.asarray(ev.times_s, float).reshape(-1, 2)[plausible]
            ranges = _merge_ranges([(float(a), float(b)) for (a, b), f in zip(t, flags, strict=True) if f])
    ctx = {"value": value, "abs_value": abs(value), "unit": spec.unit, "notice": spec.notice, "warning": spec.warning,
           "share": share, "n": int(samples.size), "n_flagged": int(flags.sum()), **ev.context}
    message = _format(spec.message_flag if flagged else spec.message_ok, ctx)
    if spec.notice is not None and abs(value - spec.notice) < spec.uncertainty and spec.aggregate != "share":
        message += (f" This is close to the {_num(spec.notice)} {spec.unit} limit (within the measurement's "
                    f"typical error of {_num(spec.uncertainty)} {spec.unit}), so treat it as borderline.")
    return Finding(id=spec.id, severity=severity, value=_round(value), unit=spec.unit, threshold=spec.notice,
                   time_ranges_s=ranges, confidence=round(conf, 3), message=message,
                   advice=spec.advice if flagged else "", title=spec.title, warning_threshold=spec.warning,
                   worse=spec.worse)


def _too_few(spec: CheckSpec, n: int, gate_reason: str | None) -> str:
    one, many = SAMPLE_WORDS[spec.sample_kind]
    have = f"{n} {one if n == 1 else many}"
    need = f"{spec.min_samples} {one if spec.min_samples == 1 else many}"
    if n == 0 and gate_reason:  # the reason is the news: "only 0 frames could be judged" says nothing
        return gate_reason
    base = f"only {have} could be judged; this check needs at least {need}"
    return f"{base} ({gate_reason})" if gate_reason else base


def _implausible(spec: CheckSpec, value: float, n_bad: int, n: int) -> Finding:
    lo, hi = spec.plausible
    logger.warning("%s: value %.4g %s outside the plausible range [%g, %g]: not assessed", spec.id, value, spec.unit,
                   lo, hi)
    if spec.implausible_above and value > hi:
        return not_assessed_finding(spec, spec.implausible_above.format(value=value, lo=lo, hi=hi))
    reason = (f"the measurement failed: {_num(value)} {spec.unit} is outside what a body does "
              f"({_num(lo)} to {_num(hi)} {spec.unit})")
    if n > 1:
        reason += f" in {n_bad} of {n} {SAMPLE_WORDS[spec.sample_kind][1]}"
    return not_assessed_finding(spec, reason)


def _merge_ranges(ranges: list[tuple[float, float]], gap_s: float = 0.3) -> tuple[tuple[float, float], ...]:
    out: list[list[float]] = []
    for a, b in sorted(ranges):
        if out and a - out[-1][1] <= gap_s:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((round(a, 3), round(b, 3)) for a, b in out)


def _round(v: float) -> float:
    if not math.isfinite(v):
        return v
    return round(float(v), 3 if abs(v) < 10 else 2)


def _num(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.0f}" if abs(v) >= 10 else f"{v:.2g}" if abs(v) < 1 else f"{v:.1f}"


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, ctx: dict[str, Any]) -> str:
    """``str.format`` that leaves unknown fields visible instead of raising (a missing context key is a bug
    to see in the text, not a crash in front of a user)."""
    try:
        return string.Formatter().vformat(template, (), _Defaults(ctx))
    except (ValueError, TypeError) as e:  # a None into a float format
        logger.warning("message template of %r failed: %s", template, e)
        return template


def ids(specs: Iterable[CheckSpec]) -> tuple[str, ...]:
    return tuple(s.id for s in specs)
