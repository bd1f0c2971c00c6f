"""Webcam poses, one frame at a time: a synchronous estimator and one with landmarkers in flight; and the
returned frame in the pixel format the WebRTC encoder wants."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from posture.io.landmarker import PoseLandmarkerAdapter
from posture.io.options import ExtractOptions
from posture.io.workers import WorkerPool
from posture.sequence import PoseFrame


class LivePoseEstimator:
    """Webcam frames in, one smoothed :class:`PoseFrame` out, one call per frame.

    Runs the landmarker in VIDEO mode synchronously (so it works inside a
    streamlit-webrtc frame callback), follows the largest person, and applies a
    causal One Euro filter. Not thread-safe: give each live session its own.
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, num_poses: int = 1,
                 max_side: int | None = 640, smooth: bool = True):
        from posture.cleanup import OneEuroFilter

        self.options = ExtractOptions(num_poses=num_poses)
        self._lm = PoseLandmarkerAdapter(model_path, mode="video", options=self.options)
        self.max_side = max_side
        self.smooth = smooth
        self._f_xy = OneEuroFilter()
        self._f_w = OneEuroFilter(beta=OneEuroFilter().beta * 500)
        self.frames_processed = 0

    def close(self) -> None:
        self._lm.close()

    def process(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame | None:
        """Pose of the largest person in an upright RGB frame, or None when nobody is found."""

        h, w = rgb.shape[:2]
        scale = 1.0
        small = rgb
        if self.max_side and max(h, w) > self.max_side:
            from posture.io.video import _resize_max_side

            small = _resize_max_side(rgb, self.max_side)
            scale = w / small.shape[1]
        dets = self._lm.detect(small, timestamp_s)
        self.frames_processed += 1
        if not dets:
            self._f_xy.reset()
            self._f_w.reset()
            return None
        best = max(dets, key=lambda d: (d.bbox()[3] - d.bbox()[1]) * (d.bbox()[2] - d.bbox()[0]))
        xy, world = best.xy_px * scale, best.world_m
        if self.smooth:
            xy, world = self._f_xy(xy, timestamp_s), self._f_w(world, timestamp_s)
        return PoseFrame(xy_px=xy, world_m=world, visibility=best.visibility, timestamp_s=timestamp_s,
                         width=w, height=h, people_count=len(dets))


class ParallelLivePoseEstimator:
    """:class:`LivePoseEstimator` with several landmarkers in flight, for webcams on multi-core machines.

    One landmarker keeps one core busy (about 50 ms a frame with the full model here), so a single one
    caps live analysis near 17-20 frames/s on 2 cores, with the second core idle. ``process`` hands the
    frame to an idle landmarker (or drops it when all are busy: a slow moment never builds lag) and
    returns at once with the newest pose finished so far, which may be a frame or two older than the
    frame given (its ``timestamp_s`` says which). Results are smoothed with the causal One Euro filter in
    time order. Same ``process(rgb, timestamp_s)`` call as :class:`LivePoseEstimator`; the threads are
    a :class:`~posture.io.workers.WorkerPool`, the same design as file extraction.
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, num_poses: int = 1,
                 max_side: int | None = 640, workers: int = 2, estimator_factory: Callable[[], object] | None = None):
        from posture.cleanup import OneEuroFilter

        make = estimator_factory or (lambda: LivePoseEstimator(model_path, num_poses, max_side, smooth=False))
        self._pool: WorkerPool = WorkerPool(lambda j: make(), workers=workers, queue_size=1, name="posture-live")
        self._lock = threading.Lock()  # guards the newest pose, its filters and the counters
        self._latest: PoseFrame | None = None
        self._latest_t = -np.inf
        self._f_xy = OneEuroFilter()
        self._f_w = OneEuroFilter(beta=OneEuroFilter().beta * 500)
        self.frames_processed = 0
        self.frames_dropped = 0
        self._errors_seen = 0

    @property
    def n_workers(self) -> int:
        return self._pool.n_workers

    @property
    def _busy(self) -> list[bool]:
        return self._pool.busy

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        return self._pool.wait_idle(timeout_s)

    def process(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame | None:
        """Queue the frame on an idle landmarker; return the newest finished pose (or None)."""
        errors = self._pool.errors
        if len(errors) > self._errors_seen:
            self._errors_seen = len(errors)
            raise errors[-1]
        t = float(timestamp_s)
        if not self._pool.submit(lambda est: self._finish(t, est.process(rgb, t))):
            with self._lock:
                self.frames_dropped += 1
        with self._lock:
            return self._latest

    def _finish(self, t: float, pose: PoseFrame | None) -> None:
        with self._lock:
            self.frames_processed += 1
            if t <= self._latest_t:
                return  # a slower landmarker finished an older frame: keep the newer pose
            self._latest_t = t
            if pose is None:
                self._latest = None
                self._f_xy.reset()
                self._f_w.reset()
            else:
                self._latest = dataclasses.replace(pose, xy_px=self._f_xy(pose.xy_px, t), world_m=self._f_w(pose.world_m, t))

    def close(self) -> None:
        self._pool.close()


def video_frame_i420(rgb: np.ndarray, like=None):
    """An ``av.VideoFrame`` in yuv420p from an upright RGB frame, keeping the timing (pts, time_base) of ``like``.

    aiortc's VP8 encoder wants yuv420p; handed RGB, it converts every frame it sends with swscale (about
    1.6 ms at 640x480 here, a third of its encoding time in a profile under CPU load). OpenCV makes the
    same conversion (BT.601 limited range, within one level) in about 0.3 ms. Odd sizes, which 4:2:0
    cannot hold exactly, are left to PyAV as RGB.
    """
    import av
    import cv2

    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    if h % 2 or w % 2:
        out = av.VideoFrame.from_ndarray(rgb, format="rgb24")
    else:
        out = av.VideoFrame.from_ndarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420), format="yuv420p")
    if like is not None:
        out.pts = like.pts
        out.time_base = like.time_base if like.time_base is not None else Fraction(1, 90000)
    return out
