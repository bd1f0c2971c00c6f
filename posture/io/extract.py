"""Run MediaPipe PoseLandmarker over a video or photo: every person's landmarks, one subject chosen.

Files use VIDEO mode with the container's timestamps; photos use IMAGE mode.
Decoding runs on its own thread, and ``inference_workers`` landmarkers run on
alternate frames (:mod:`posture.io.workers`: one landmarker keeps one core busy).

Several people: with ``ExtractOptions.adaptive_poses`` the landmarkers track one
pose each (MediaPipe then skips its person detector while that person is tracked)
and a separate IMAGE-mode landmarker checks every ``people_check_s`` for other
people; from the first check that sees two people on, the landmarkers track up to
``num_poses`` people, as they do all along without ``adaptive_poses``. Detections
are linked into tracks across frames (:mod:`posture.io.tracking`, pure NumPy), and
one subject is chosen afterwards (``largest``: biggest and most persistent, the
default; ``moving``: the one who travels farthest, for walking clips; or ``x,y``:
the track nearest that pixel in the frame where it first appears).

The module layout: :mod:`~posture.io.options` (settings), :mod:`~posture.io.landmarker`
(the MediaPipe adapter), :mod:`~posture.io.native_log` (stderr silencer),
:mod:`~posture.io.tracking`, :mod:`~posture.io.workers` (threads) and
:mod:`~posture.io.live_pose` (webcams). Their public names are re-exported here.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from posture.errors import NoPersonError, PoseValidationError, VideoReadError
from posture.io.landmarker import PoseLandmarkerAdapter, convert_result, model_provenance
from posture.io.live_pose import LivePoseEstimator, ParallelLivePoseEstimator
from posture.io.model import resolve_model_path
from posture.io.options import ExtractOptions
from posture.io.tracking import (
    MOVING_MIN_SIZE_SHARE,
    Detection,
    PoseTracks,
    assemble_tracks,
    count_people,
    link_tracks,
    merge_detections,
)
from posture.io.video import VideoSource, is_image_path, read_image
from posture.io.workers import WorkerPool, decode_ahead
from posture.sequence import PoseSequence

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


class _Slot:
    """A worker's landmarker and which people count (0: one pose, 1: ``num_poses``) it was made for."""

    def __init__(self, landmarker: PoseLandmarkerAdapter | None = None, level: int = -1):
        self.landmarker, self.level = landmarker, level

    def close(self) -> None:
        if self.landmarker is not None:
            self.landmarker.close()


def extract_tracks(path: str | os.PathLike[str], model_path: str | os.PathLike[str] | None = None,
                   options: ExtractOptions = ExtractOptions(), progress: ProgressFn | None = None,
                   landmarkers: list[PoseLandmarkerAdapter] | None = None) -> PoseTracks:
    """Every person's landmarks through a video (or a photo, as one frame).

    Videos are decoded on one thread and, with ``options.inference_workers`` = 2,
    inferred by two landmarker instances on alternate frames (each sees a
    sequence in time order, so its own tracking works; our tracker links the
    people across both). ``landmarkers`` (already made, one per worker, not closed
    here) fixes the landmarkers used, e.g. to time inference without model loading;
    it turns the adaptive people count off.
    """
    if is_image_path(path):
        rgb, info = read_image(path)
        with PoseLandmarkerAdapter(model_path, mode="image", options=options) as lm:
            dets = lm.detect(rgb)
            prov = model_provenance(lm.model_path)
        if progress:
            progress(1, 1)
        return assemble_tracks([dets], np.array([0.0]), info, prov, options)
    model = Path(resolve_model_path(model_path)) if not landmarkers else landmarkers[0].model_path
    adaptive = options.adaptive_poses and not landmarkers
    # level 0: one pose per landmarker (adaptive, until the check sees a second person); level 1: num_poses
    level_options = [dataclasses.replace(options, num_poses=1), options]
    k = len(landmarkers) if landmarkers else max(1, options.inference_workers)

    def make_slot(j: int) -> _Slot:
        return _Slot(landmarkers[j], 1) if landmarkers else _Slot()

    results: dict[int, list[Detection]] = {}
    extra: dict[int, list[Detection]] = {}
    stamps: list[float] = []
    lock = threading.Lock()
    done = [0]

    def job(index: int, rgb: np.ndarray, t: float, level: int) -> Callable[[_Slot], None]:
        def run(slot: _Slot) -> None:
            if slot.level != level:  # first frame, or the people count went up: a landmarker for it
                slot.close()
                slot.landmarker = None
                slot.landmarker = PoseLandmarkerAdapter(model, mode="video", options=level_options[level])
                slot.level = level
            dets = slot.landmarker.detect(rgb, t)
            with lock:
                results[index] = dets
                done[0] += 1
        return run

    src = VideoSource(path)
    total = src.declared_frames
    reported = 0

    def report() -> None:
        # Progress is reported from the calling thread only: callers such as Streamlit can
        # update their widgets from their own thread, not from our workers.
        nonlocal reported
        with lock:
            n = done[0]
        if progress and n > reported:
            reported = n
            progress(n, max(total, n))

    checker: PoseLandmarkerAdapter | None = None
    level = 0 if adaptive else 1
    next_check_t = -np.inf
    pool = WorkerPool(make_slot, workers=k, queue_size=max(2, options.queue_frames // k),
                      close_resources=not landmarkers)
    try:
        with src:
            for fr in decode_ahead(iter(src), options.queue_frames):
                if pool.errors:
                    break
                if level == 0 and fr.timestamp_s >= next_check_t:
                    if checker is None:
                        check_options = dataclasses.replace(options, num_poses=max(2, options.num_poses))
                        checker = PoseLandmarkerAdapter(model, mode="image", options=check_options)
                    people = checker.detect(fr.rgb)
                    extra[fr.index] = people
                    next_check_t = fr.timestamp_s + options.people_check_s
                    if count_people(people, options.duplicate_iou) >= 2:
                        log.debug("%s: a second person at %.2f s; tracking up to %d people from here",
                                  path, fr.timestamp_s, options.num_poses)
                        level = 1
                        checker.close()
                        checker = None
                stamps.append(fr.timestamp_s)
                pool.submit(job(fr.index, fr.rgb, fr.timestamp_s, level), worker=fr.index % k)
                report()
    finally:
        pool.close()
        if checker is not None:
            checker.close()
    if pool.errors:
        raise pool.errors[0]
    report()
    detections = [merge_detections(results[i], extra.get(i, []), options.duplicate_iou) for i in range(len(stamps))]
    return assemble_tracks(detections, np.array(stamps), src.info, model_provenance(model), options)


def extract_pose(path: str | os.PathLike[str], model_path: str | os.PathLike[str] | None = None,
                 options: ExtractOptions = ExtractOptions(), subject: str = "largest",
                 progress: ProgressFn | None = None, min_detection_rate: float = 0.0) -> PoseSequence:
    """The main subject's :class:`PoseSequence` from a video or photo.

    Raises :class:`NoPersonError` when nobody is found, or when the subject is
    found in fewer than ``min_detection_rate`` of the frames.
    """
    tracks = extract_tracks(path, model_path, options, progress)
    seq = tracks.select(subject)
    if seq.detection_rate < min_detection_rate:
        raise NoPersonError(
            f"{path}: a person was found in {seq.detection_rate:.0%} of frames, expected at least {min_detection_rate:.0%}"
        )
    return seq


__all__ = [
    "Detection", "ExtractOptions", "LivePoseEstimator", "MOVING_MIN_SIZE_SHARE", "ParallelLivePoseEstimator",
    "PoseLandmarkerAdapter", "PoseTracks", "PoseValidationError", "ProgressFn", "VideoReadError", "assemble_tracks",
    "convert_result", "extract_pose", "extract_tracks", "link_tracks",
]
