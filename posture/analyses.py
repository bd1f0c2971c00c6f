"""The four analyses behind one entry point, shared by the CLI and the app.

Each task names the function that analyses a :class:`PoseSequence`, which
person to follow when several are in view, and whether it needs segmentation
masks. Analyses are imported only when used.

This is also the input boundary: options, input files, the model file and the
sequence handed to an analysis are checked here, so every analysis can trust
what it gets. Every refusal is a :class:`~posture.errors.PostureError` naming
the input and what to do; usable-but-damaged input (frames the decoder could not
decode) gives a :class:`~posture.errors.PostureWarning` and a line in the
report's ``provenance.warnings``.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from posture.errors import (
    ModelUnavailableError,
    NoPersonError,
    OptionError,
    PostureError,
    PostureWarning,
)
from posture.report import Report
from posture.sequence import PoseSequence, check_timing

LANDMARK_SUFFIXES = (".npz", ".csv")


@dataclass(frozen=True)
class Limit:
    """The accepted range of a numeric option and why; ``lo_open`` excludes ``lo`` itself."""

    lo: float
    hi: float
    unit: str
    why: str
    lo_open: bool = False

    def text(self) -> str:
        if self.lo_open and self.lo == 0:
            return f"positive, at most {self.hi:g} {self.unit}"
        return f"{'more than ' if self.lo_open else ''}{self.lo:g} to {self.hi:g} {self.unit}"

    def check(self, name: str, value: float) -> float:
        """``value`` as a float if it is a finite number within the range, else :class:`OptionError`."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise OptionError(f"{name} must be a number ({self.text()}), got {value!r}") from None
        low_ok = v > self.lo if self.lo_open else v >= self.lo
        if not math.isfinite(v) or not low_ok or v > self.hi:
            raise OptionError(f"{name} must be {self.text()} ({self.why}), got {value!r}")
        return v


# The ranges the CLI accepts, with the reasons shown in --help. Sources: NIOSH revised lifting
# equation (Waters et al. 1993, Applications Manual 1994) for load, frequency and duration; the
# rest are our own choices, stated in ``why``.
LIMITS: dict[str, Limit] = {
    "height_cm": Limit(50, 250, "cm", "standing height from a small child to the tallest adults; "
                       "it turns pixels into centimetres"),
    "load_kg": Limit(0, 100, "kg", "a load one person lifts by hand; NIOSH's load constant is 23 kg"),
    "lift_frequency_per_min": Limit(0.2, 15, "lifts per minute", "the span of the NIOSH frequency table"),
    "lift_duration_h": Limit(0, 8, "hours", "NIOSH duration categories cover up to an 8-hour shift"),
    "break_after_min": Limit(1, 240, "minutes", "a reminder sooner than a minute is noise; later than 4 hours "
                             "is no reminder at all"),
}
# The library accepts any positive break interval up to the CLI's maximum, so short test clips can
# trigger the reminder; the CLI and the app ask for whole minutes.
LIBRARY_LIMITS: dict[str, Limit] = {
    **LIMITS,
    "break_after_min": Limit(0, 240, "minutes", LIMITS["break_after_min"].why, lo_open=True),
}
NUM_POSES = Limit(1, 5, "people", "the model needs at least one; more than five slows extraction for "
                  "analyses that follow one person")
SUBJECT_STRATEGIES = ("largest", "moving")
COUPLINGS = ("good", "fair", "poor")
SIDES = ("left", "right")


@dataclass(frozen=True)
class AnalyzeOptions:
    """What the user tells us beyond the video. ``None`` means not given.

    Validated on construction (:class:`OptionError` with the range and its reason;
    see :data:`LIMITS`): a height of 1e9 cm or a NaN duration never reaches an analysis.
    """

    height_cm: float | None = None  # scales pixels to centimetres (step length, NIOSH H/V/D)
    load_kg: float | None = None  # lift: weight of the load, enables the NIOSH lifting index
    lift_frequency_per_min: float | None = None  # lift: NIOSH frequency
    lift_duration_h: float | None = None  # lift: NIOSH duration category, hours of lifting per shift
    coupling: str = "fair"  # lift: NIOSH/REBA coupling quality: good, fair or poor
    stretch: str | None = None  # stretch: reference pose id to check against (else recognised)
    reference_path: str | None = None  # stretch: a custom reference pose JSON
    affected_side: str | None = None  # stretch: "left"/"right" side being treated
    baseline_path: str | None = None  # sit: a personal baseline JSON
    break_after_min: float | None = None  # sit: break reminder after this many minutes seated

    def __post_init__(self) -> None:
        for name, limit in LIBRARY_LIMITS.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, limit.check(name, value))
        if self.coupling not in COUPLINGS:
            raise OptionError(f"coupling must be one of {', '.join(COUPLINGS)}, got {self.coupling!r}")
        if self.affected_side is not None and self.affected_side not in SIDES:
            raise OptionError(f"affected_side must be left or right, got {self.affected_side!r}")


@dataclass(frozen=True)
class TaskSpec:
    name: str
    target: str  # "module:function", called as function(seq, options) -> Report
    subject: str  # which person to follow: see posture.io.extract.PoseTracks.select
    masks: bool  # needs person segmentation masks
    title: str


TASKS: dict[str, TaskSpec] = {
    "walk": TaskSpec("walk", "posture.gait.analysis:analyze_walk", "moving", False, "Walking"),
    "lift": TaskSpec("lift", "posture.lift.analysis:analyze_lift", "largest", True, "Lifting"),
    "stretch": TaskSpec("stretch", "posture.stretch.analysis:analyze_stretch", "largest", False, "Stretches"),
    "sit": TaskSpec("sit", "posture.sit.analysis:analyze_sit", "largest", False, "Sitting"),
}


def get_task(name: str) -> TaskSpec:
    try:
        return TASKS[name]
    except KeyError:
        raise PostureError(f"unknown task {name!r}; expected one of {', '.join(TASKS)} or auto") from None


# --------------------------------------------------------------------------- input checks
def check_subject(subject: str) -> str:
    """``largest``, ``moving`` or ``x,y`` (two finite, non-negative pixel coordinates), else :class:`OptionError`."""
    s = str(subject).strip()
    if s in SUBJECT_STRATEGIES:
        return s
    parts = s.split(",")
    if len(parts) == 2:
        try:
            x, y = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if math.isfinite(x) and math.isfinite(y) and x >= 0 and y >= 0:
                return f"{x:g},{y:g}"
            raise OptionError(f"subject point {s!r} must be two finite pixel coordinates inside the picture (x,y >= 0)")
    raise OptionError(f"subject must be largest, moving, or x,y in pixels (e.g. 320,240), got {s!r}")


def check_model_file(path: str | os.PathLike[str]) -> Path:
    """``path`` if it looks like a MediaPipe ``.task`` bundle (a zip holding ``.tflite`` networks)."""
    import zipfile

    p = Path(path)
    hint = "give a pose_landmarker_*.task file, or leave out --model (and $POSTURE_MODEL) to use the built one"
    if not p.is_file():
        raise ModelUnavailableError(f"pose model {p}: no such file; {hint}")
    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise ModelUnavailableError(f"pose model {p}: not a .task model bundle ({e}); {hint}") from None
    if not any(n.endswith(".tflite") for n in names):
        raise ModelUnavailableError(f"pose model {p}: a zip without .tflite networks, not a pose model; {hint}")
    return p


def read_json_object(path: str | os.PathLike[str], what: str, how: str) -> dict:
    """Parse a user's JSON file (a baseline, a reference pose) into a dict, or raise :class:`OptionError`.

    ``what`` names the file for the message; ``how`` says how to make a good one.
    """
    from posture.files import check_input_file

    p = check_input_file(path, what)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise OptionError(f"{p}: the {what} file is not UTF-8 text ({e.reason} at byte {e.start}); {how}") from None
    except json.JSONDecodeError as e:
        raise OptionError(f"{p}: the {what} file is not valid JSON ({e.msg}, line {e.lineno}); {how}") from None
    except OSError as e:
        raise OptionError(f"{p}: the {what} file cannot be read ({e.strerror or e}); {how}") from None
    if not isinstance(data, dict):
        raise OptionError(f"{p}: the {what} file must hold a JSON object, got a {type(data).__name__}; {how}")
    return data


def check_option_files(options: AnalyzeOptions) -> None:
    """Read the baseline and reference files now, so a bad one fails before any extraction."""
    if options.baseline_path:
        how = "record one with 'posture baseline VIDEO -o FILE'"
        read_json_object(options.baseline_path, "baseline", how)
        from posture.sit.baseline import load_baseline

        try:
            base = load_baseline(options.baseline_path)
            bad = [k for k, v in base.features.items()
                   if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)]
        except PostureError as e:
            raise OptionError(f"{options.baseline_path}: {e}; {how}") from None
        except (TypeError, ValueError, AttributeError) as e:
            raise OptionError(f"{options.baseline_path}: not a posture sitting baseline ({e}); {how}") from None
        if bad:
            raise OptionError(f"{options.baseline_path}: baseline features {bad} are not finite numbers; {how}")
    if options.reference_path:
        how = "start from a file in reference_poses/"
        read_json_object(options.reference_path, "reference pose", how)
        from posture.stretch.reference import load_reference

        try:
            load_reference(options.reference_path)
        except PostureError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as e:
            raise OptionError(f"{options.reference_path}: not a posture reference pose ({e}); {how}") from None


def input_warnings(seq: PoseSequence) -> list[str]:
    """Plain-language warnings about usable but damaged input (empty when all is well)."""
    out = []
    lost = int(seq.video.decode_errors)
    if lost:
        out.append(f"{seq.video.path}: {lost} frame(s) could not be decoded or were damaged; the file is partly "
                   f"corrupt, so results cover only the {seq.n_frames} frames that could be read")
    return out


def check_sequence(seq: PoseSequence) -> None:
    """Refuse a sequence no analysis can use: damaged timing, or no person in any frame.

    One rule for every task: a sequence without a single frame where the person was
    found raises :class:`NoPersonError` (exit 2 on the CLI).
    """
    check_timing(seq.timestamps_s, seq.video.fps, seq.video.path)
    if not seq.found.any():
        raise NoPersonError(
            f"no person was found in {seq.video.path} (0 of {seq.n_frames} frames); film the whole body, "
            "in good light, with nobody else closer to the camera"
        )


# --------------------------------------------------------------------------- entry points
def run_analysis(task: str, seq: PoseSequence, options: AnalyzeOptions = AnalyzeOptions()) -> Report:
    """Analyse an extracted sequence with one task's analysis (after the boundary checks)."""
    spec = get_task(task)
    check_sequence(seq)
    module, func = spec.target.split(":")
    report = getattr(importlib.import_module(module), func)(seq, options)
    notes = input_warnings(seq)
    if notes:
        report.provenance = {**report.provenance, "warnings": list(report.provenance.get("warnings", [])) + notes}
    return report


def analyze_sequence(seq: PoseSequence, task: str, options: AnalyzeOptions = AnalyzeOptions()) -> Report:
    """:func:`run_analysis`, with ``task="auto"`` guessing the task from the movement first.

    (For a file, :func:`analyze_file` also re-extracts with the guessed task's masks and subject.)
    """
    if task == "auto":
        from posture.auto import guess_task

        check_sequence(seq)
        task = guess_task(seq)
    return run_analysis(task, seq, options)


def load_input(path: str | os.PathLike[str], task: str, model_path: str | None = None, progress=None,
               subject: str | None = None, use_cache: bool = True, fast: bool = False) -> PoseSequence:
    """The subject's sequence from a video, photo or saved landmark file, for ``task`` ("auto" allowed).

    ``fast`` extracts with the adaptive people count (:attr:`ExtractOptions.adaptive_poses`).
    Warns (:class:`PostureWarning`) when frames could not be decoded.
    """
    seq = _load_sequence(path, task, model_path, progress, subject, use_cache, fast)
    for note in input_warnings(seq):
        warnings.warn(note, PostureWarning, stacklevel=2)
    return seq


def _load_sequence(path: str | os.PathLike[str], task: str, model_path: str | None, progress,
                   subject: str | None, use_cache: bool, fast: bool = False) -> PoseSequence:
    from posture.files import check_input_file

    check_input_file(path)
    if subject is not None:
        subject = check_subject(subject)
    if Path(path).suffix.lower() in LANDMARK_SUFFIXES:
        from posture.files import load

        seq = load(path)
    else:
        from posture.io.cache import cached_tracks
        from posture.io.extract import ExtractOptions, extract_tracks
        from posture.io.model import resolve_model_path

        model = check_model_file(resolve_model_path(model_path))
        spec = TASKS.get(task)
        opts = ExtractOptions(output_masks=bool(spec and spec.masks), adaptive_poses=fast)
        if use_cache:
            tracks = cached_tracks(path, opts, model_path=model, progress=progress)
        else:
            tracks = extract_tracks(path, model, opts, progress)
        seq = tracks.select(subject or (spec.subject if spec else "largest"))
    if seq.video.path != str(path):  # the report names the file the user gave, not the one a cache or file recorded
        seq = seq.replace(video=dataclasses.replace(seq.video, path=str(path)))
    return seq


def analyze_file(path: str | os.PathLike[str], task: str, options: AnalyzeOptions = AnalyzeOptions(),
                 model_path: str | None = None, progress=None, subject: str | None = None,
                 use_cache: bool = True, fast: bool = False) -> Report:
    """Extract (or load) landmarks and run one task; ``task="auto"`` guesses it from the movement.

    ``fast``: the adaptive people count (:attr:`ExtractOptions.adaptive_poses`, see the README).

    Options files are checked before the (slow) extraction starts.
    """
    check_option_files(options)
    if task == "auto":
        from posture.auto import guess_task

        seq = load_input(path, "auto", model_path, progress, subject, use_cache, fast)
        check_sequence(seq)
        task = guess_task(seq)
        if TASKS[task].masks or TASKS[task].subject != "largest":
            seq = _load_sequence(path, task, model_path, None, subject, use_cache, fast)  # warned once already
    else:
        get_task(task)
        seq = load_input(path, task, model_path, progress, subject, use_cache, fast)
    return run_analysis(task, seq, options)
