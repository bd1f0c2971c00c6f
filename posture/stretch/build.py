"""Build your own reference pose from a photo or a few seconds of video of the correct pose.

Typical use: a physiotherapist positions you, a photo or a 5 s clip is taken,
and the result is saved as a reference JSON that the coach then checks you
against (``--stretch path/to/mine.json``). Targets are the median of each
measure over the clip; tolerances are the larger of a floor (jitter and small
day-to-day differences) and a multiple of the spread seen in the clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture.errors import ReferencePoseError
from posture.sequence import PoseSequence
from posture.stretch.angles import UNITS, measures_of, resolve_side
from posture.stretch.reference import Reference, load_reference, parse_reference

# Measures used when no template stretch is given: the whole-body and per-leg angles
# that are defined for any side-view pose (adduction is left out: it depends on depth).
DEFAULT_MEASURES: tuple[str, ...] = (
    "trunk_tilt_deg", "front_tilt_deg", "affected_hip_flexion_deg", "affected_knee_flexion_deg",
    "other_hip_flexion_deg", "other_knee_flexion_deg",
)
_GENERIC_CUES = {
    "trunk_tilt_deg": ("Bring your trunk more upright, as in your reference.", "Lean your trunk further, as in your reference."),
    "front_tilt_deg": ("Turn your chest as in your reference.", "Turn your chest as in your reference."),
}


@dataclass(frozen=True)
class BuildParams:
    min_tolerance_deg: float = 10.0  # our choice: below about 10 deg MediaPipe jitter alone would fail the pose
    min_tolerance_ratio: float = 0.15  # our choice, for the *_ratio measures (thigh lengths)
    spread_multiple: float = 3.0  # our choice: 3 x the clip's standard deviation
    key_max_tolerance_deg: float = 30.0  # our choice: measures looser than this do not define the pose


DEFAULT_BUILD = BuildParams()


def _cues(name: str) -> tuple[str, str]:
    if name in _GENERIC_CUES:
        return _GENERIC_CUES[name]
    words = name.replace("_deg", "").replace("_ratio", "").replace("_", " ")
    return (f"Increase your {words}, as in your reference.", f"Reduce your {words}, as in your reference.")


def build_reference(seq: PoseSequence, id: str, name: str, affected_side: str | None = None,
                    template: str | Reference | None = None, hold_s: float = 30.0, reps_per_side: int = 4,
                    params: BuildParams = DEFAULT_BUILD, source: str = "built from the user's own photo or clip") -> Reference:
    """A validated :class:`Reference` from ``seq`` (a photo or a short clip of the correct pose).

    ``affected_side`` says which leg is being stretched (None: a side-free pose,
    legs judged with ``mean_*``). ``template`` (a shipped stretch id or Reference)
    supplies the measure list, key flags and cue texts; without it
    :data:`DEFAULT_MEASURES` and generic cues are used. Raises
    :class:`ReferencePoseError` when a key measure cannot be measured in the clip.
    """
    tmpl = load_reference(template) if template is not None else None
    m = measures_of(seq)
    sided = affected_side is not None
    if tmpl is not None:
        specs = [(a.name, a.key, a.cue_low, a.cue_high) for a in tmpl.angles]
        sided = tmpl.sided
        if sided and affected_side is None:
            raise ReferencePoseError(f"{tmpl.id} is side-aware: say which side is stretched in the clip (affected_side)")
    else:
        names = [n if sided else n.replace("affected_", "mean_") for n in DEFAULT_MEASURES if sided or not n.startswith("other_")]
        specs = [(n, None, *_cues(n)) for n in names]
    angles = {}
    for n, key, low, high in specs:
        v = np.asarray(m[resolve_side(n, affected_side)], float)
        v = v[np.isfinite(v)]
        if v.size == 0:
            if key:
                raise ReferencePoseError(f"{n} cannot be measured in the clip (landmarks not visible); film from the side")
            continue
        floor = params.min_tolerance_ratio if UNITS[n] != "deg" else params.min_tolerance_deg
        tol = max(floor, params.spread_multiple * float(np.std(v)))
        if key is None:
            key = UNITS[n] == "deg" and tol <= params.key_max_tolerance_deg
        angles[n] = {"target": round(float(np.median(v)), 1 if UNITS[n] == "deg" else 2), "tolerance": round(tol, 2),
                     "key": bool(key), "cue_low": low, "cue_high": high,
                     "source": f"{source}: median of {v.size} frame(s), "
                               f"tolerance max({floor:g}, {params.spread_multiple:g} x SD)"}
    data = {
        "id": id, "name": name, "views": ["side"], "sided": sided, "hold_s": tmpl.hold_s if tmpl else hold_s,
        "reps_per_side": tmpl.reps_per_side if tmpl else reps_per_side, "angles": angles,
        "description": tmpl.description if tmpl else f"Your own reference pose, {source}.",
        "posture": tmpl.posture if tmpl else "", "sources": [source],
        "instructions": list(tmpl.instructions) if tmpl else [],
    }
    return parse_reference(data, f"<built {id}>")
