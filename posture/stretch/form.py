"""Form checking: per angle, how far from the target and whether within tolerance; an in-form flag with hysteresis.

``check_form`` is pure (one set of values against one reference and side).
:class:`FormTracker` adds hysteresis for streams: the flag turns on when every
measure is within its tolerance and turns off only when one goes beyond its
tolerance plus a margin, so landmark jitter at the edge does not flicker it.
"cannot judge" (``in_form`` None) comes with the reason and what to do: wrong
camera view, or the landmarks a key measure needs are not visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from posture.stretch.angles import resolve_side
from posture.stretch.reference import Reference


@dataclass(frozen=True)
class FormParams:
    hysteresis_fraction: float = 0.2  # our choice: leave "in form" only 20% of the tolerance past the edge (4 deg on 20)


DEFAULT_FORM = FormParams()


@dataclass(frozen=True)
class AngleCheck:
    name: str
    value: float | None
    target: float
    tolerance: float
    deviation: float | None  # value - target; None when not measurable
    within: bool | None  # None when not measurable
    cue: str | None  # what to change, when outside


@dataclass(frozen=True)
class FormResult:
    """Outcome for one frame: ``judgeable`` False means "cannot judge", with ``reason``."""

    judgeable: bool
    within: bool | None
    checks: tuple[AngleCheck, ...] = ()
    reason: str | None = None
    failing: tuple[str, ...] = ()  # angle names outside tolerance, worst first
    cue: str | None = None  # the cue of the worst failing angle (or the view advice)

    @property
    def deviations(self) -> dict[str, float | None]:
        return {c.name: c.deviation for c in self.checks}


def check_form(values: dict[str, float], ref: Reference, side: str | None, view: str = "side",
               margin_fraction: float = 0.0, max_missing_key_fraction: float = 0.34) -> FormResult:
    """Judge ``values`` (measure name -> value, left_/right_ names) against ``ref`` with ``side`` affected.

    ``margin_fraction`` widens every tolerance (the hysteresis exit band). "Cannot
    judge" when more than ``max_missing_key_fraction`` of the key measures cannot
    be measured (the same allowance as recognition); unmeasurable non-key
    measures are skipped and reported with ``within`` None.
    """
    if view not in ref.views:
        want = " or ".join(ref.views)
        return FormResult(False, None, reason=f"the camera sees you from the {view.replace('_', ' ')}; "
                          f"{ref.name} is judged from the {want}", cue=ref.view_cue)
    if ref.sided and side not in ("left", "right"):
        return FormResult(False, None, reason="which leg is being stretched is not known yet",
                          cue="Say which side you are stretching, or get into the stretch so I can see it.")
    checks = []
    missing_key = []
    for a in ref.angles:
        v = values.get(resolve_side(a.name, side))
        if v is None or not math.isfinite(v):
            checks.append(AngleCheck(a.name, None, a.target, a.tolerance, None, None, None))
            if a.key:
                missing_key.append(a.name)
            continue
        dev = v - a.target
        ok = abs(dev) <= a.tolerance * (1 + margin_fraction)
        cue = None if ok else (a.cue_low if dev < 0 else a.cue_high)
        checks.append(AngleCheck(a.name, v, a.target, a.tolerance, dev, ok, cue))
    if len(missing_key) > max_missing_key_fraction * len(ref.key_angles):
        return FormResult(False, None, tuple(checks),
                          reason=f"cannot see the body parts needed for {', '.join(missing_key)}",
                          cue=ref.view_cue)
    bad = sorted((c for c in checks if c.within is False), key=lambda c: -abs(c.deviation) / c.tolerance)
    return FormResult(True, not bad, tuple(checks), failing=tuple(c.name for c in bad),
                      cue=bad[0].cue if bad else None)


@dataclass
class FormTracker:
    """Hysteresis on the overall in-form flag; feed one :class:`FormResult` per frame (not thread-safe alone)."""

    params: FormParams = DEFAULT_FORM
    in_form: bool = field(default=False)

    def update(self, values: dict[str, float], ref: Reference, side: str | None,
               view: str = "side") -> tuple[bool | None, FormResult]:
        strict = check_form(values, ref, side, view)
        if not strict.judgeable:
            self.in_form = False
            return None, strict
        if self.in_form:
            loose = check_form(values, ref, side, view, margin_fraction=self.params.hysteresis_fraction)
            self.in_form = bool(loose.within)
        else:
            self.in_form = bool(strict.within)
        return self.in_form, strict

    def reset(self) -> None:
        self.in_form = False
