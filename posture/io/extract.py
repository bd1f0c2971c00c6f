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
    is_someone_else,
    link_tracks,
)
from posture.io.video import VideoSource, is_image_path, read_image
from posture.io.workers import WorkerPool, decode_ahead
from posture.sequence import PoseSequence

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
# The people check compares what it sees in frame f with the people the landmarkers follow in frame
# f - FOLLOWED_LAG_FRAMES: usually finished by then (about the frames in flight with the default
# queue), and a person moves far less than a body size in 7 frames. A constant, not derived from
# queue_frames, so the queue stays pure plumbing (outside the cache key).
FOLLOWED_LAG_FRAMES = 7


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
    src = VideoSource(path)
    shown = [0]  # progress already shown: a restarted pass never makes it go backwards

    def shown_progress(n: int, total: int) -> None:
        if progress and n > shown[0]:
            shown[0] = n
            progress(n, total)

    if options.adaptive_poses and options.num_poses > 1 and not landmarkers:  # one pose asked: already the cheap path
        try:
            return _video_pass(src, model, options, 0, None, shown_progress)
        except _SecondPersonError as e:
            log.info("%s: a second person at %.2f s; running again tracking up to %d people",
                     path, e.timestamp_s, options.num_poses)
            src = VideoSource(path)
    return _video_pass(src, model, options, 1, landmarkers, shown_progress)


class _SecondPersonError(Exception):
    """The people check saw someone the one-pose landmarkers do not follow."""

    def __init__(self, timestamp_s: float):
        super().__init__(timestamp_s)
        self.timestamp_s = timestamp_s


def _video_pass(src: VideoSource, model: Path, options: ExtractOptions, level: int,
                landmarkers: list[PoseLandmarkerAdapter] | None, progress: ProgressFn) -> PoseTracks:
    """One pass over a video. ``level`` 1: landmarkers track up to ``options.num_poses`` people.
    ``level`` 0: one pose each plus the people check; raises :class:`_SecondPersonError` when it sees
    a second person (the caller then starts again at level 1: a landmarker started mid-clip
    loses small people that one tracking since the start keeps, measured on marvindeng_P2_E3T5_Rear.mp4)."""
    k = len(landmarkers) if landmarkers else max(1, options.inference_workers)
    lm_options = dataclasses.replace(options, num_poses=1) if level == 0 else options
    results: dict[int, list[Detection]] = {}
    stamps: list[float] = []
    finished = threading.Condition()
    done = [0]

    def make(j: int) -> PoseLandmarkerAdapter:
        return landmarkers[j] if landmarkers else PoseLandmarkerAdapter(model, mode="video", options=lm_options)

    def job(index: int, rgb: np.ndarray, t: float) -> Callable[[PoseLandmarkerAdapter], None]:
        def run(landmarker: PoseLandmarkerAdapter) -> None:
            dets = landmarker.detect(rgb, t)
            with finished:
                results[index] = dets
                done[0] += 1
                finished.notify_all()
        return run

    def followed_at(index: int) -> list[Detection]:
        """The landmarkers' people in frame ``index``, waiting for it if need be (rarely: it is
        ``FOLLOWED_LAG_FRAMES`` back). A fixed frame, not the newest finished one, keeps the
        result independent of thread timing."""
        if index < 0:
            return []
        with finished:
            while index not in results and not pool.errors:
                finished.wait(0.1)
            return list(results.get(index, []))

    total = src.declared_frames

    def report() -> None:
        # Progress is reported from the calling thread only: callers such as Streamlit can
        # update their widgets from their own thread, not from our workers.
        with finished:
            n = done[0]
        progress(n, max(total, n))

    seen_at: list[float] = []  # when the check saw someone the landmarkers do not follow

    def make_checker(j: int) -> PoseLandmarkerAdapter:
        check_options = dataclasses.replace(
            # one slot more than the trackers: a duplicate of the subject cannot crowd out a second person
            options, num_poses=options.num_poses + 1,
            min_pose_detection_confidence=options.people_check_confidence,
            min_pose_presence_confidence=options.people_check_confidence)
        return PoseLandmarkerAdapter(model, mode="image", options=check_options)

    def check(index: int, rgb: np.ndarray, t: float) -> Callable[[PoseLandmarkerAdapter], None]:
        def run(checker: PoseLandmarkerAdapter) -> None:
            if seen_at:
                return
            # the check only counts: its poses (IMAGE mode, no tracking) never enter the result
            people = checker.detect(rgb)
            followed = followed_at(index - FOLLOWED_LAG_FRAMES)
            if count_people(people, options.max_link_distance) >= 2 or any(
                    is_someone_else(p, followed, options.max_link_distance) for p in people):
                seen_at.append(t)
        return run

    next_check_t = -np.inf
    pool = WorkerPool(make, workers=k, queue_size=max(2, options.queue_frames // k), close_resources=not landmarkers)
    # The check runs on its own thread: the frames it looks at and the frame it compares with are
    # fixed, so whether the clip runs again does not depend on thread timing, only when we notice.
    checks = WorkerPool(make_checker, workers=1, queue_size=4, name="posture-check") if level == 0 else None
    pool.warm()  # every landmarker (and the checker) starts loading now, side by side
    if checks is not None:
        checks.warm()
    try:
        with src:
            for fr in decode_ahead(iter(src), options.queue_frames):
                if pool.errors or (checks is not None and (checks.errors or seen_at)):
                    break
                stamps.append(fr.timestamp_s)
                pool.submit(job(fr.index, fr.rgb, fr.timestamp_s), worker=fr.index % k)
                if checks is not None and fr.timestamp_s >= next_check_t:
                    next_check_t = fr.timestamp_s + options.people_check_s
                    checks.submit(check(fr.index, fr.rgb, fr.timestamp_s), worker=0)
                report()
    finally:
        pool.close()
        if checks is not None:
            checks.close()
    for errors in (pool.errors, checks.errors if checks is not None else []):
        if errors:
            raise errors[0]
    if seen_at:
        raise _SecondPersonError(seen_at[0])
    report()
    detections = [results[i] for i in range(len(stamps))]
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
