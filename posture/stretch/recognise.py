"""Which reference pose (if any) a person is in, on which side, with a score in [0, 1].

Only the ``key`` measures of a reference take part, each judged against a band
``key_tolerance_factor`` times wider than its form tolerance (a person doing the
stretch badly is still doing that stretch). Every key measure must lie inside
its band for a match, so a standing or walking person cannot match a floor
stretch (the trunk tilt alone rules it out), and the camera must see the body
from the side (the shipped references are all judged from the side).

Score of one key measure: ``1 - (dev / band)^2`` (1 on target, 0.56 at the form
tolerance, 0 at the band edge); the pose score is their mean times the share of
key measures that could be measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posture import landmarks as L
from posture.stretch.angles import resolve_side
from posture.stretch.reference import Reference


@dataclass(frozen=True)
class RecogniseParams:
    key_tolerance_factor: float = 1.5  # our choice: recognise poses up to 1.5x the form tolerance off target
    min_score: float = 0.4  # our choice: below this the best candidate is "no stretch"
    max_missing_key_fraction: float = 0.34  # our choice: at most a third of the key measures may be unseen
    # (shoulder width + hip width) / (2 x trunk length) in the image: our choice, set from the real photos.
    # Side-view photos measure 0.07 to 0.34 (freeexdb_One_Knee_To_Chest_1 is the most oblique),
    # front-view walking clips and alishbah_standing_yoga 0.47 to 0.53 (Winter 2009 proportions give 0.77
    # for a square-on front view).
    max_side_width_ratio: float = 0.42
    window_s: float = 1.0  # our choice: recognition uses the median of the last second
    # our choice: a held stretch is still; a key measure whose 10-90th percentile spread over the window exceeds
    # this many form tolerances is moving (walking swings the hips by about 50 deg per stride) and matches nothing
    max_spread_factor: float = 1.0
    min_span_s: float = 0.5  # our choice: in a video, judge stillness only over at least half a second of frames


DEFAULT_RECOGNISE = RecogniseParams()


@dataclass(frozen=True)
class Match:
    """Best recognised pose: ``id`` None when nothing matches; ``side`` None for side-free stretches."""

    id: str | None
    side: str | None
    score: float
    candidates: tuple[tuple[str, str | None, float], ...] = ()  # (id, side, score), best first
    # when no stretch matches: the stretch whose set-up position matches best, (id, side, score), else None
    setup: tuple[str, str | None, float] | None = None

    def to_dict(self) -> dict:
        return {"name": self.id, "side": self.side, "score": round(float(self.score), 3),
                "candidates": [{"name": i, "side": s, "score": round(float(v), 3)} for i, s, v in self.candidates]}


def view_width_ratio(xy_px: np.ndarray) -> np.ndarray:
    """(n,) (shoulder width + hip width) / (2 x trunk length), image pixels: small in side views, ~0.5+ front/back."""
    xy = np.asarray(xy_px, float)
    hip_c = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
    sh_c = (xy[:, L.LEFT_SHOULDER] + xy[:, L.RIGHT_SHOULDER]) / 2
    trunk = np.linalg.norm(sh_c - hip_c, axis=-1)
    widths = (np.linalg.norm(xy[:, L.LEFT_SHOULDER] - xy[:, L.RIGHT_SHOULDER], axis=-1)
              + np.linalg.norm(xy[:, L.LEFT_HIP] - xy[:, L.RIGHT_HIP], axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return widths / (2 * trunk)


def view_of(width_ratio: np.ndarray | float, params: RecogniseParams = DEFAULT_RECOGNISE) -> np.ndarray:
    """(n,) "side", "front_or_back" or "unknown" (NaN) from :func:`view_width_ratio`."""
    r = np.atleast_1d(np.asarray(width_ratio, float))
    out = np.full(r.shape, "unknown", dtype=object)
    out[r <= params.max_side_width_ratio] = "side"
    out[r > params.max_side_width_ratio] = "front_or_back"
    return out


def recognition_view(view_names: np.ndarray | str) -> np.ndarray:
    """(n,) posture.view names (the one view classifier) as recognition views: ``side`` stays "side", ``unknown``
    stays "unknown", front, back and three-quarter are "front_or_back" (the body-frame angles of a stretch need the
    body in profile; a three-quarter view foreshortens them)."""
    v = np.atleast_1d(np.asarray(view_names, dtype=object))
    out = np.full(v.shape, "front_or_back", dtype=object)
    out[v == "side"] = "side"
    out[v == "unknown"] = "unknown"
    return out


def sides_of(ref: Reference) -> tuple[str | None, ...]:
    return ("left", "right") if ref.sided else (None,)


def score_reference(measures: dict[str, np.ndarray], ref: Reference, side: str | None,
                    params: RecogniseParams = DEFAULT_RECOGNISE, spread: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """(n,) score in [0, 1] of being in ``ref`` with ``side`` affected; 0 where any key measure is outside its band.

    ``spread``: optional per-measure window spread (see :func:`rolling_stats`); a key
    measure spreading more than ``max_spread_factor`` tolerances also scores 0.
    """
    keys = ref.key_angles
    n = len(next(iter(measures.values())))
    total = np.zeros(n)
    present = np.zeros(n)
    affected_seen = np.zeros(n, dtype=bool)
    outside = np.zeros(n, dtype=bool)
    for a in keys:
        v = np.asarray(measures[resolve_side(a.name, side)], float)
        z = (v - a.target) / (params.key_tolerance_factor * a.tolerance)
        ok = np.isfinite(z)
        if a.name.startswith("affected_"):
            affected_seen |= ok
        total += np.where(ok, np.clip(1 - z**2, 0, 1), 0.0)
        present += ok
        outside |= ok & (np.abs(z) > 1)
        if spread is not None:
            sp = np.asarray(spread[resolve_side(a.name, side)], float)
            outside |= ~np.isnan(sp) & (sp > params.max_spread_factor * a.tolerance)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(present > 0, total / np.maximum(present, 1), 0.0) * present / len(keys)
    missing_ok = (len(keys) - present) <= params.max_missing_key_fraction * len(keys)
    if _needs_affected(ref):
        missing_ok &= affected_seen
    return np.where(outside | ~missing_ok, 0.0, score)


def recognise_series(measures: dict[str, np.ndarray], width_ratio: np.ndarray, refs: dict[str, Reference],
                     params: RecogniseParams = DEFAULT_RECOGNISE,
                     spread: dict[str, np.ndarray] | None = None,
                     views: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Best pose per frame: (ids (n,) object, sides (n,) object, scores (n,), {(id, side): scores}).

    ``measures`` should already be window-smoothed and ``spread`` their window spread (see :func:`rolling_stats`).
    Frames not seen from the side match only references that list a front or back view. ``views`` (posture.view
    names per frame) decides the view when given; otherwise the width ratio does.
    """
    n = len(width_ratio)
    view = recognition_view(views) if views is not None else view_of(width_ratio, params)
    all_scores = {}
    for ref in refs.values():
        view_ok = np.isin(view, ["side"]) if ref.views == ("side",) else np.ones(n, bool)
        if "side" not in ref.views:
            view_ok = view == "front_or_back"
        for side in sides_of(ref):
            all_scores[(ref.id, side)] = np.where(view_ok, score_reference(measures, ref, side, params, spread), 0.0)
    keys = list(all_scores)
    stack = np.stack([all_scores[k] for k in keys]) if keys else np.zeros((1, n))
    best = np.argmax(stack, axis=0)
    best_score = stack[best, np.arange(n)] if keys else np.zeros(n)
    ids = np.array([keys[b][0] if keys else None for b in best], dtype=object)
    sides = np.array([keys[b][1] if keys else None for b in best], dtype=object)
    none = best_score < params.min_score
    ids[none] = None
    sides[none] = None
    return ids, sides, best_score, all_scores


def _score_one(values: dict[str, float], ref: Reference, side: str | None, params: RecogniseParams,
               spread: dict[str, float] | None) -> float:
    """Scalar twin of :func:`score_reference` (the live path runs it for every frame, so no numpy here)."""
    keys = ref.key_angles
    total, present, affected_seen = 0.0, 0, False
    for a in keys:
        name = resolve_side(a.name, side)
        v = values.get(name, math.nan)
        if not math.isfinite(v):
            continue
        affected_seen |= a.name.startswith("affected_")
        z = (v - a.target) / (params.key_tolerance_factor * a.tolerance)
        if abs(z) > 1:
            return 0.0
        if spread is not None:
            sp = spread.get(name, math.nan)
            if not math.isnan(sp) and sp > params.max_spread_factor * a.tolerance:
                return 0.0
        total += max(0.0, 1 - z * z)
        present += 1
    if present == 0 or (len(keys) - present) > params.max_missing_key_fraction * len(keys):
        return 0.0
    if _needs_affected(ref) and not affected_seen:
        return 0.0
    return total / present * present / len(keys)


def _needs_affected(ref: Reference) -> bool:
    """A sided stretch is defined by what its stretched leg does: at least one of its ``affected_*`` key angles must
    be measured (else plain sitting, with the far leg hidden, matched the seated hip-flexor stretch)."""
    return ref.sided and any(a.name.startswith("affected_") for a in ref.key_angles)


def recognise_values(values: dict[str, float], width_ratio: float, refs: dict[str, Reference],
                     params: RecogniseParams = DEFAULT_RECOGNISE, spread: dict[str, float] | None = None,
                     view_name: str | None = None) -> Match:
    """:func:`recognise_series` for one set of values (a frame, or a window's medians); ``view_name`` (a
    posture.view name) decides the view when given."""
    if view_name is not None:
        view = str(recognition_view(view_name)[0])
    else:
        view = "unknown" if not math.isfinite(width_ratio) else (
            "side" if width_ratio <= params.max_side_width_ratio else "front_or_back")
    cands = []
    for ref in refs.values():
        if ("side" not in ref.views and view != "front_or_back") or (ref.views == ("side",) and view != "side"):
            continue
        for side in sides_of(ref):
            sc = _score_one(values, ref, side, params, spread)
            if sc > 0:
                cands.append((ref.id, side, sc))
    cands.sort(key=lambda c: -c[2])
    if not cands or cands[0][2] < params.min_score:
        return Match(None, None, 0.0, tuple(cands[:5]), setup=_best_setup(values, view, refs, params, spread))
    return Match(cands[0][0], cands[0][1], cands[0][2], tuple(cands[:5]))


def setup_references(refs: dict[str, Reference]) -> dict[str, Reference]:
    """The set-up positions of the references that define one (same ids)."""
    out = {}
    for rid, ref in refs.items():
        s = ref.setup_reference()
        if s is not None:
            out[rid] = s
    return out


def _best_setup(values: dict[str, float], view: str, refs: dict[str, Reference], params: RecogniseParams,
                spread: dict[str, float] | None) -> tuple[str, str | None, float] | None:
    best = None
    for rid, ref in setup_references(refs).items():
        if ref.views == ("side",) and view != "side":
            continue
        for side in sides_of(ref):
            sc = _score_one(values, ref, side, params, spread)
            if sc >= params.min_score and (best is None or sc > best[2]):
                best = (rid, side, sc)
    return best


def rolling_median(values: np.ndarray, timestamps_s: np.ndarray, window_s: float) -> np.ndarray:
    """Trailing median over the last ``window_s`` seconds (as the live coach sees it), NaN-aware."""
    v = np.asarray(values, float)
    t = np.asarray(timestamps_s, float)
    out = np.full_like(v, np.nan)
    start = np.searchsorted(t, t - window_s + 1e-9, side="left")
    for i in range(len(v)):
        w = v[start[i]: i + 1]
        w = w[np.isfinite(w)]
        if w.size:
            out[i] = np.median(w)
    return out


def window_stats_2d(window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column of a (frames, measures) window: (median, 10-90th percentile spread), nearest rank, NaN ignored.

    Vectorised (one sort) because the live coach calls it every frame.
    """
    w = np.asarray(window, float)
    if w.ndim == 1:
        w = w[:, None]
    srt = np.sort(w, axis=0)  # NaN sorts last
    cnt = np.isfinite(w).sum(axis=0)
    cols = np.arange(w.shape[1])

    def q(p: float) -> np.ndarray:
        idx = np.clip(np.rint(p * (cnt - 1)).astype(int), 0, None)
        return np.where(cnt > 0, srt[idx, cols], np.nan)

    return q(0.5), q(0.9) - q(0.1)


def window_stats(values: np.ndarray) -> tuple[float, float]:
    """(median, 10-90th percentile spread) of one window, ignoring NaN; (NaN, NaN) when empty."""
    med, spread = window_stats_2d(np.asarray(values, float))
    return float(med[0]), float(spread[0])


def rolling_stats(values: np.ndarray, timestamps_s: np.ndarray, window_s: float,
                  min_span_s: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Trailing-window (median, spread) per frame, as the live coach computes them (see :func:`window_stats`).

    ``values`` (n,) or (n, k): several measures at once share one sort per frame.
    Frames whose window covers less than ``min_span_s`` get an infinite spread (too early to tell stillness).
    """
    v = np.asarray(values, float)
    t = np.asarray(timestamps_s, float)
    flat = v.reshape(len(v), -1)
    med = np.full(flat.shape, np.nan)
    spread = np.full(flat.shape, np.nan)
    start = np.searchsorted(t, t - window_s + 1e-9, side="left")
    for i in range(len(v)):
        med[i], spread[i] = window_stats_2d(flat[start[i]: i + 1])
    spread[t - t[start] < min_span_s - 1e-9] = np.inf
    return med.reshape(v.shape), spread.reshape(v.shape)
