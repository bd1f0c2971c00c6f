"""Personal baseline: record your own good posture once, then flag drift from it.

Camera placement varies from desk to desk, so absolute angles from a webcam
can be off by a few degrees; differences from the same person's good posture,
filmed from the same place, are more trustworthy. A baseline is a small JSON
file::

    {"schema": "posture.sit.baseline/1", "view": "side", "n_frames": 90, "duration_s": 3.0,
     "source": "...", "features": {"trunk_deg": -4.1, "forward_head_deg": 9.8, "head_pitch_deg": 12.0}}

Features (medians over the recording):

- side view: ``trunk_deg``, ``forward_head_deg`` (proxy, no C7), ``head_pitch_deg``
  (see :mod:`posture.sit.checks` for signs);
- front view (a laptop webcam): ``head_height_ratio`` (ear height above the
  shoulders over shoulder width: drops when you slump or the head sinks) and
  ``shoulder_width_px`` (grows when you lean toward the screen).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from posture import landmarks as L
from posture.errors import PostureError
from posture.geometry import distance, midpoint, nan_median
from posture.sequence import PoseSequence
from posture.sit.checks import measure_sitting
from posture.sit.params import DEFAULT_DRIFT, DEFAULT_SIT, DriftParams, SitParams

SCHEMA = "posture.sit.baseline/1"
SIDE_FEATURES = ("trunk_deg", "forward_head_deg", "head_pitch_deg")
FRONT_FEATURES = ("head_height_ratio", "shoulder_width_px")
FEATURE_UNITS = {"trunk_deg": "deg", "forward_head_deg": "deg", "head_pitch_deg": "deg",
                 "head_height_ratio": "ratio", "shoulder_width_px": "px"}


class BaselineError(PostureError, ValueError):
    """A baseline cannot be recorded or read; the message says what was expected and what was found."""


def front_features(xy_px: np.ndarray, visibility: np.ndarray, min_visibility: float = DEFAULT_SIT.min_visibility
                   ) -> dict[str, np.ndarray]:
    """(n,) front-view features: ``head_height_ratio`` and ``shoulder_width_px``; NaN where ears/shoulders are hidden."""
    ok = (visibility[:, [L.LEFT_EAR, L.RIGHT_EAR, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] >= min_visibility).all(axis=1)
    sh_l, sh_r = xy_px[:, L.LEFT_SHOULDER], xy_px[:, L.RIGHT_SHOULDER]
    width = distance(sh_l, sh_r)
    ear_y = midpoint(xy_px[:, L.LEFT_EAR], xy_px[:, L.RIGHT_EAR])[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (midpoint(sh_l, sh_r)[:, 1] - ear_y) / width
    return {"head_height_ratio": np.where(ok, ratio, np.nan), "shoulder_width_px": np.where(ok, width, np.nan)}


def posture_features(seq: PoseSequence, params: SitParams = DEFAULT_SIT) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-frame view (n,) and every baseline feature (n,), NaN where the frame's view does not give it."""
    m = measure_sitting(seq, params)
    side = m.side & (m.upper_visibility >= params.min_visibility)
    feats = {"trunk_deg": np.where(side, m.trunk_deg, np.nan),
             "forward_head_deg": np.where(side, m.forward_head_deg, np.nan),
             "head_pitch_deg": np.where(side, m.head_pitch_deg, np.nan)}
    front = front_features(np.asarray(seq.xy_px, float), np.asarray(seq.visibility, float), params.min_visibility)
    is_front = m.view == "front"
    for k, v in front.items():
        feats[k] = np.where(is_front, v, np.nan)
    return m.view, feats


@dataclass(frozen=True)
class Baseline:
    """A person's good posture, as medians of :data:`SIDE_FEATURES` or :data:`FRONT_FEATURES`."""

    view: str
    features: dict[str, float]
    n_frames: int = 0
    duration_s: float = 0.0
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.view not in ("side", "front"):
            raise BaselineError(f"baseline view must be 'side' or 'front', got {self.view!r}")
        valid = SIDE_FEATURES if self.view == "side" else FRONT_FEATURES
        unknown = sorted(set(self.features) - set(valid))
        if unknown:
            raise BaselineError(f"unknown {self.view}-view baseline feature(s) {unknown}; valid: {', '.join(valid)}")
        if not self.features:
            raise BaselineError(f"a baseline needs at least one feature of {', '.join(valid)}, got none")
        for k, v in self.features.items():
            if not isinstance(v, (int, float)) or not np.isfinite(v):
                raise BaselineError(f"baseline feature {k!r} must be a finite number, got {v!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "view": self.view, "n_frames": self.n_frames, "duration_s": round(self.duration_s, 3),
                "source": self.source, "features": {k: round(float(v), 4) for k, v in self.features.items()},
                **({"extra": self.extra} if self.extra else {})}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Baseline:
        if not isinstance(d, dict):
            raise BaselineError(f"a baseline must be a JSON object, got {type(d).__name__}")
        if d.get("schema") != SCHEMA:
            raise BaselineError(f"baseline schema must be {SCHEMA!r}, got {d.get('schema')!r}")
        missing = [k for k in ("view", "features") if k not in d]
        if missing:
            raise BaselineError(f"baseline is missing {missing}")
        feats = d["features"]
        if not isinstance(feats, dict):
            raise BaselineError(f"baseline 'features' must be an object, got {type(feats).__name__}")
        return cls(view=d["view"], features={str(k): v for k, v in feats.items()}, n_frames=int(d.get("n_frames", 0)),
                   duration_s=float(d.get("duration_s", 0.0)), source=str(d.get("source", "")),
                   extra=dict(d.get("extra", {})))


def record_baseline(seq: PoseSequence, params: SitParams = DEFAULT_SIT) -> Baseline:
    """The baseline of a recording of good posture: medians over the frames of its main view (side or front).

    Raises :class:`BaselineError` when no frame is a usable side or front view.
    """
    view, feats = posture_features(seq, params)
    counts = {v: int(np.sum(view == v)) for v in ("side", "front")}
    best = max(counts, key=lambda k: counts[k])
    names = SIDE_FEATURES if best == "side" else FRONT_FEATURES
    values = {k: float(nan_median(feats[k])) for k in names}
    values = {k: v for k, v in values.items() if np.isfinite(v)}
    if counts[best] == 0 or not values:
        seen = ", ".join(f"{k}: {int(np.sum(view == k))}" for k in ("side", "front", "back", "oblique", "unknown"))
        raise BaselineError(f"no side- or front-view frame with the head and shoulders visible to record a baseline "
                            f"from (frames per view: {seen})")
    used = ~np.isnan(feats[names[0]])
    t = seq.timestamps_s[used]
    dur = float(t[-1] - t[0]) if t.size > 1 else 0.0
    return Baseline(view=best, features=values, n_frames=int(used.sum()), duration_s=dur, source=seq.video.path)


def save_baseline(baseline: Baseline, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    path.write_text(json.dumps(baseline.to_dict(), indent=2) + "\n")
    return path


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline JSON; :class:`BaselineError` when the file is missing or malformed."""
    p = Path(path)
    try:
        d = json.loads(p.read_text())
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {p}") from None
    except json.JSONDecodeError as e:
        raise BaselineError(f"baseline file {p} is not valid JSON: {e}") from None
    return Baseline.from_dict(d)


@dataclass(frozen=True)
class Drift:
    """How far one feature moved from the baseline. ``delta`` is in the feature's unit (a fraction for ratios/px)."""

    feature: str
    baseline: float
    current: float
    delta: float
    limit: float
    drifted: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "baseline": self.baseline, "current": self.current, "delta": self.delta,
                "limit": self.limit, "drifted": self.drifted, "message": self.message}


def _drift_rule(name: str, p: DriftParams) -> tuple[float, int, bool, str]:
    """(limit, direction (+1 more is worse, -1 less is worse, 0 either way), relative?, what drifting means)."""
    return {
        "trunk_deg": (p.trunk_deg, 0, False, "your trunk leans {d:+.0f} deg compared with your good posture"),
        "forward_head_deg": (p.neck_deg, +1, False, "your head is {d:.0f} deg further forward than in your good posture"),
        "head_pitch_deg": (p.head_pitch_deg, +1, False, "your head has dropped {d:.0f} deg more than in your good posture"),
        "head_height_ratio": (p.head_height_drop_fraction, -1, True,
                              "your head sits {a:.0%} lower between your shoulders than in your good posture"),
        "shoulder_width_px": (p.lean_in_fraction, +1, True, "you lean toward the screen ({a:.0%} closer than your good posture)"),
    }[name]


def drift_series(current: dict[str, np.ndarray], baseline: Baseline, params: DriftParams = DEFAULT_DRIFT
                 ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-frame (delta, drifted) of each baseline feature found in ``current`` ((n,) arrays, NaN allowed).

    Angles compare as differences (degrees); ``head_height_ratio`` and
    ``shoulder_width_px`` as relative changes (``delta`` = current / baseline - 1).
    ``drifted`` is False where the current value is NaN.
    """
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, base in baseline.features.items():
        if name not in current:
            continue
        cur = np.asarray(current[name], float)
        limit, direction, relative, _ = _drift_rule(name, params)
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = cur / float(base) - 1.0 if relative else cur - float(base)
            if direction > 0:
                drifted = delta >= limit
            elif direction < 0:
                drifted = delta <= -limit
            else:
                drifted = np.abs(delta) >= limit
        out[name] = (delta, drifted & np.isfinite(delta))
    return out


def baseline_drift(current: dict[str, float], baseline: Baseline, params: DriftParams = DEFAULT_DRIFT) -> dict[str, Drift]:
    """Drift of each feature present (finite) in both ``current`` (scalars) and ``baseline`` (see :func:`drift_series`)."""
    out: dict[str, Drift] = {}
    series = drift_series({k: np.asarray([v], float) for k, v in current.items() if v is not None}, baseline, params)
    for name, (delta, drifted) in series.items():
        d = float(delta[0])
        if not np.isfinite(d):
            continue
        limit, _, _, text = _drift_rule(name, params)
        msg = text.format(d=d, a=abs(d)) if drifted[0] else ""
        out[name] = Drift(name, float(baseline.features[name]), float(current[name]), d, float(limit), bool(drifted[0]), msg)
    return out


def drift_message(name: str, delta: float, params: DriftParams = DEFAULT_DRIFT) -> str:
    """Plain words for a drift of ``delta`` in feature ``name``."""
    _, _, _, text = _drift_rule(name, params)
    return text.format(d=delta, a=abs(delta))
