"""The four analyses behind one entry point, shared by the CLI and the app.

Each task names the function that analyses a :class:`PoseSequence`, which
person to follow when several are in view, and whether it needs segmentation
masks. Analyses are imported only when used.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from posture.errors import PostureError
from posture.report import Report
from posture.sequence import PoseSequence

LANDMARK_SUFFIXES = (".npz", ".csv")


@dataclass(frozen=True)
class AnalyzeOptions:
    """What the user tells us beyond the video. ``None`` means not given."""

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


def run_analysis(task: str, seq: PoseSequence, options: AnalyzeOptions = AnalyzeOptions()) -> Report:
    """Analyse an extracted sequence with one task's analysis."""
    spec = get_task(task)
    module, func = spec.target.split(":")
    return getattr(importlib.import_module(module), func)(seq, options)


def load_input(path: str | os.PathLike[str], task: str, model_path: str | None = None, progress=None,
               subject: str | None = None, use_cache: bool = True) -> PoseSequence:
    """The subject's sequence from a video, photo or saved landmark file, for ``task`` ("auto" allowed)."""
    if Path(path).suffix.lower() in LANDMARK_SUFFIXES:
        from posture.files import load

        return load(path)
    from posture.io.cache import cached_tracks
    from posture.io.extract import ExtractOptions, extract_tracks

    spec = TASKS.get(task)
    opts = ExtractOptions(output_masks=bool(spec and spec.masks))
    if use_cache:
        tracks = cached_tracks(path, opts, model_path=model_path, progress=progress)
    else:
        tracks = extract_tracks(path, model_path, opts, progress)
    return tracks.select(subject or (spec.subject if spec else "largest"))


def analyze_file(path: str | os.PathLike[str], task: str, options: AnalyzeOptions = AnalyzeOptions(),
                 model_path: str | None = None, progress=None, subject: str | None = None,
                 use_cache: bool = True) -> Report:
    """Extract (or load) landmarks and run one task; ``task="auto"`` guesses it from the movement."""
    if task == "auto":
        from posture.auto import guess_task

        seq = load_input(path, "auto", model_path, progress, subject, use_cache)
        task = guess_task(seq)
        if TASKS[task].masks or TASKS[task].subject != "largest":
            seq = load_input(path, task, model_path, None, subject, use_cache)
    else:
        get_task(task)
        seq = load_input(path, task, model_path, progress, subject, use_cache)
    return run_analysis(task, seq, options)
