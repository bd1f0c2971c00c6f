"""Reference poses: typed, validated records loaded from ``reference_poses/<id>.json``.

The schema is documented in ``reference_poses/README.md``. :func:`load_reference`
accepts a stretch id (``"knee_to_chest"``), a path, or an already-parsed dict,
and raises :class:`~posture.errors.ReferencePoseError` naming the valid values
when something is wrong (an unknown angle name lists every valid one).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from posture.errors import ReferencePoseError
from posture.landmarks import INDEX
from posture.stretch.angles import MEASURE_NAMES, UNITS

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "reference_poses"
STRETCH_IDS: tuple[str, ...] = (
    "piriformis_supine", "hip_flexor_kneeling", "gluteal_figure_four", "childs_pose", "knee_to_chest",
    "hamstring_standing", "hamstring_seated", "hip_flexor_standing", "hip_flexor_seated",
)
VALID_VIEWS = ("side", "front", "back")
_TOP_KEYS = {
    "id", "name", "description", "views", "sided", "posture", "hold_s", "hold_max_s", "reps_per_side",
    "required_landmarks", "angles", "sources", "instructions", "view_cue", "setup",
}
_REQUIRED_TOP = ("id", "name", "views", "sided", "hold_s", "reps_per_side", "angles")
_ANGLE_KEYS = {"target", "tolerance", "key", "cue_low", "cue_high", "source"}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class AngleSpec:
    """One measure of a reference: target +- tolerance (degrees, or thigh lengths for ``*_ratio``).

    ``key`` measures define the pose for recognition; all measures are checked
    for form. ``cue_low`` is said when the value is below ``target - tolerance``,
    ``cue_high`` when above.
    """

    name: str
    target: float
    tolerance: float
    key: bool
    cue_low: str
    cue_high: str
    source: str

    @property
    def unit(self) -> str:
        return UNITS[self.name]


@dataclass(frozen=True)
class Reference:
    id: str
    name: str
    views: tuple[str, ...]
    sided: bool
    hold_s: float
    reps_per_side: int
    angles: tuple[AngleSpec, ...]
    description: str = ""
    posture: str = ""
    hold_max_s: float | None = None
    required_landmarks: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    instructions: tuple[str, ...] = ()
    view_cue: str = "Place the camera at your side, at hip height, so your whole body is in view."
    # The set-up position: the stretch's key angles with these replaced (e.g. the knee bent but not yet pulled
    # across); recognised only when the stretch itself is not, and answered with ``setup_cue`` (the last step).
    setup_angles: tuple[AngleSpec, ...] = ()
    setup_cue: str = ""
    path: str = field(default="", compare=False)

    def setup_reference(self) -> Reference | None:
        """The set-up position as a reference of its own (same id), or None when the stretch defines none."""
        if not self.setup_angles:
            return None
        over = {a.name: a for a in self.setup_angles}
        angles = tuple(over.pop(a.name, a) for a in self.angles) + tuple(over.values())
        return replace(self, angles=angles, setup_angles=())

    def angle(self, name: str) -> AngleSpec:
        for a in self.angles:
            if a.name == name:
                return a
        raise KeyError(f"{self.id} has no angle {name!r}; it has {', '.join(a.name for a in self.angles)}")

    @property
    def key_angles(self) -> tuple[AngleSpec, ...]:
        return tuple(a for a in self.angles if a.key)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("path")
        d["views"] = list(self.views)
        d["angles"] = {a["name"]: {k: v for k, v in a.items() if k != "name"} for a in d["angles"]}
        for k in ("required_landmarks", "sources", "instructions"):
            d[k] = list(d[k])
        if d["hold_max_s"] is None:
            d.pop("hold_max_s")
        setup = d.pop("setup_angles")
        cue = d.pop("setup_cue")
        if setup:
            d["setup"] = {"cue": cue, "angles": {a["name"]: {k: v for k, v in a.items() if k != "name"} for a in setup}}
        return d


def _fail(where: str, msg: str) -> ReferencePoseError:
    return ReferencePoseError(f"{where}: {msg}")


def _number(where: str, key: str, value: Any, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise _fail(where, f"{key} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise _fail(where, f"{key} must be > 0, got {value!r}")
    return float(value)


def parse_reference(data: dict[str, Any], where: str = "<reference>") -> Reference:
    """Validate a parsed reference dict and return a :class:`Reference` (see the module docstring)."""
    if not isinstance(data, dict):
        raise _fail(where, f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _fail(where, f"unknown field(s) {unknown}; valid fields are {sorted(_TOP_KEYS)}")
    missing = [k for k in _REQUIRED_TOP if k not in data]
    if missing:
        raise _fail(where, f"missing required field(s) {missing}")
    rid = data["id"]
    if not isinstance(rid, str) or not _ID_RE.match(rid):
        raise _fail(where, f"id must be lower_snake_case text, got {rid!r}")
    where = f"{where} ({rid})"
    views = data["views"]
    if not isinstance(views, list) or not views or any(v not in VALID_VIEWS for v in views):
        raise _fail(where, f"views must be a non-empty list drawn from {list(VALID_VIEWS)}, got {views!r}")
    if not isinstance(data["sided"], bool):
        raise _fail(where, f"sided must be true or false, got {data['sided']!r}")
    sided = data["sided"]
    hold_s = _number(where, "hold_s", data["hold_s"], positive=True)
    hold_max_s = data.get("hold_max_s")
    if hold_max_s is not None:
        hold_max_s = _number(where, "hold_max_s", hold_max_s, positive=True)
        if hold_max_s < hold_s:
            raise _fail(where, f"hold_max_s ({hold_max_s}) must be >= hold_s ({hold_s})")
    reps = data["reps_per_side"]
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise _fail(where, f"reps_per_side must be an integer >= 1, got {reps!r}")
    landmarks = data.get("required_landmarks", [])
    bad = [n for n in landmarks if n not in INDEX]
    if bad:
        raise _fail(where, f"unknown landmark name(s) {bad}; valid names are {sorted(INDEX)}")

    angles_in = data["angles"]
    if not isinstance(angles_in, dict) or not angles_in:
        raise _fail(where, "angles must be a non-empty object {name: {target, tolerance, ...}}")
    specs = []
    for name, spec in angles_in.items():
        if name not in MEASURE_NAMES:
            raise _fail(where, f"unknown angle {name!r}; valid angle names are: {', '.join(MEASURE_NAMES)}")
        if not sided and (name.startswith("affected_") or name.startswith("other_")):
            raise _fail(where, f"angle {name!r} is side-aware but the reference has sided=false; use mean_* or set sided")
        aw = f"{where} angle {name!r}"
        if not isinstance(spec, dict):
            raise _fail(aw, f"expected an object, got {spec!r}")
        unknown = sorted(set(spec) - _ANGLE_KEYS)
        if unknown:
            raise _fail(aw, f"unknown field(s) {unknown}; valid fields are {sorted(_ANGLE_KEYS)}")
        for k in ("target", "tolerance"):
            if k not in spec:
                raise _fail(aw, f"missing {k!r}")
        cues = {k: spec.get(k, "") for k in ("cue_low", "cue_high")}
        for k, v in cues.items():
            if not isinstance(v, str) or not v.strip():
                raise _fail(aw, f"{k} must be a non-empty sentence to say to the user, got {v!r}")
        specs.append(AngleSpec(
            name=name, target=_number(aw, "target", spec["target"]),
            tolerance=_number(aw, "tolerance", spec["tolerance"], positive=True),
            key=bool(spec.get("key", False)), cue_low=cues["cue_low"], cue_high=cues["cue_high"],
            source=str(spec.get("source", "")),
        ))
    if not any(s.key for s in specs):
        raise _fail(where, "at least one angle must have \"key\": true (it defines the pose for recognition)")
    setup_specs, setup_cue = _parse_setup(data.get("setup"), where)
    return Reference(
        setup_angles=setup_specs, setup_cue=setup_cue,
        id=rid, name=str(data["name"]), views=tuple(views), sided=sided, hold_s=hold_s, reps_per_side=reps,
        angles=tuple(specs), description=str(data.get("description", "")), posture=str(data.get("posture", "")),
        hold_max_s=hold_max_s, required_landmarks=tuple(landmarks), sources=tuple(data.get("sources", [])),
        instructions=tuple(data.get("instructions", [])),
        view_cue=str(data.get("view_cue", Reference.view_cue)), path=where,
    )


def _parse_angle(aw: str, name: str, spec: Any, need_cues: bool) -> AngleSpec:
    if name not in MEASURE_NAMES:
        raise _fail(aw, f"unknown angle {name!r}; valid angle names are: {', '.join(MEASURE_NAMES)}")
    if not isinstance(spec, dict):
        raise _fail(aw, f"expected an object, got {spec!r}")
    unknown = sorted(set(spec) - _ANGLE_KEYS)
    if unknown:
        raise _fail(aw, f"unknown field(s) {unknown}; valid fields are {sorted(_ANGLE_KEYS)}")
    for k in ("target", "tolerance"):
        if k not in spec:
            raise _fail(aw, f"missing {k!r}")
    cues = {k: spec.get(k, "") for k in ("cue_low", "cue_high")}
    if need_cues:
        for k, v in cues.items():
            if not isinstance(v, str) or not v.strip():
                raise _fail(aw, f"{k} must be a non-empty sentence to say to the user, got {v!r}")
    return AngleSpec(name=name, target=_number(aw, "target", spec["target"]),
                     tolerance=_number(aw, "tolerance", spec["tolerance"], positive=True),
                     key=bool(spec.get("key", True if not need_cues else False)), cue_low=str(cues["cue_low"]),
                     cue_high=str(cues["cue_high"]), source=str(spec.get("source", "")))


def _parse_setup(setup: Any, where: str) -> tuple[tuple[AngleSpec, ...], str]:
    """The optional ``setup`` block: {"cue": "...", "angles": {name: {target, tolerance, source}}} (all key)."""
    if setup is None:
        return (), ""
    sw = f"{where} setup"
    if not isinstance(setup, dict) or set(setup) - {"cue", "angles"}:
        raise _fail(sw, f"expected {{\"cue\": ..., \"angles\": {{...}}}}, got {setup!r}")
    cue = setup.get("cue")
    if not isinstance(cue, str) or not cue.strip():
        raise _fail(sw, f"cue must be a non-empty sentence (the last step to say), got {cue!r}")
    angles = setup.get("angles")
    if not isinstance(angles, dict) or not angles:
        raise _fail(sw, "angles must be a non-empty object {name: {target, tolerance}}")
    specs = tuple(replace(_parse_angle(f"{sw} angle {n!r}", n, a, need_cues=False), key=True) for n, a in angles.items())
    return specs, cue


def load_reference(source: str | os.PathLike[str] | dict[str, Any] | Reference) -> Reference:
    """A reference from a stretch id, a JSON path, a parsed dict, or a Reference (returned as is)."""
    if isinstance(source, Reference):
        return source
    if isinstance(source, dict):
        return parse_reference(source)
    text = str(source)
    path = Path(text)
    if not path.suffix and os.sep not in text and "/" not in text:
        path = REFERENCE_DIR / f"{text}.json"
        if not path.is_file():
            known = sorted(p.stem for p in REFERENCE_DIR.glob("*.json"))
            raise ReferencePoseError(f"unknown stretch {text!r}; known stretches are: {', '.join(known)}")
    if not path.is_file():
        raise ReferencePoseError(f"reference file {path} does not exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ReferencePoseError(f"{path}: not valid JSON ({e})") from e
    return parse_reference(data, str(path))


def load_all(directory: str | os.PathLike[str] = REFERENCE_DIR) -> dict[str, Reference]:
    """Every ``*.json`` reference in a folder, by id (the shipped ones by default)."""
    refs = {}
    for p in sorted(Path(directory).glob("*.json")):
        ref = load_reference(p)
        if ref.id != p.stem:
            raise ReferencePoseError(f"{p}: id {ref.id!r} does not match the file name {p.stem!r}")
        refs[ref.id] = ref
    return refs


def save_reference(ref: Reference, path: str | os.PathLike[str]) -> Path:
    """Write a reference as JSON (validated again on the way out)."""
    d = ref.to_dict()
    parse_reference(d, str(path))
    p = Path(path)
    p.write_text(json.dumps(d, indent=2) + "\n", encoding="utf-8")
    return p


def pose_phrase(name: str) -> str:
    """A stretch name ready for a sentence: "the kneeling hip-flexor stretch", but "my knee to chest" as is."""
    low = name.strip().lower()
    return low if low.startswith(("my ", "your ", "the ", "a ")) else f"the {low}"
