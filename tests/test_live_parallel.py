"""ParallelLivePoseEstimator: frames handed to idle landmarkers, newest result returned, never lag."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from posture.io.extract import ParallelLivePoseEstimator
from posture.sequence import PoseFrame


class SlowFake:
    """A landmarker stand-in taking ``delay_s`` a frame and reporting the frame's time as x."""

    def __init__(self, delay_s: float, log: list):
        self.delay_s, self.log = delay_s, log
        self.lock = threading.Lock()
        self.closed = False

    def process(self, rgb, t):
        assert self.lock.acquire(blocking=False), "one landmarker must never run two frames at once"
        try:
            self.log.append((self, t))
            time.sleep(self.delay_s)
            xy = np.full((33, 2), t)
            return PoseFrame(xy_px=xy, world_m=np.zeros((33, 3)), visibility=np.ones(33), timestamp_s=t, width=4, height=4)
        finally:
            self.lock.release()

    def close(self):
        self.closed = True


def _wait_idle(est, timeout=2.0):
    end = time.monotonic() + timeout
    while any(est._busy) and time.monotonic() < end:
        time.sleep(0.005)


def test_two_landmarkers_share_the_frames_and_drop_when_both_are_busy():
    log: list = []
    fakes = iter([SlowFake(0.05, log), SlowFake(0.05, log)])
    est = ParallelLivePoseEstimator(workers=2, estimator_factory=lambda: next(fakes))
    frame = np.zeros((4, 4, 3), np.uint8)
    assert est.process(frame, 0.00) is None  # nothing finished yet
    est.process(frame, 0.01)
    est.process(frame, 0.02)  # both busy: dropped, not queued
    assert est.frames_dropped == 1
    _wait_idle(est)
    pose = est.process(frame, 0.10)
    assert pose is not None and pose.timestamp_s == 0.01  # the newest finished frame
    _wait_idle(est)
    est.close()
    used = {id(f) for f, _ in log}
    assert len(used) == 2 and est.frames_processed == 3
    for f in {f for f, _ in log}:  # each landmarker sees its frames in time order (VIDEO mode needs it)
        ts = [t for g, t in log if g is f]
        assert ts == sorted(ts)
        assert f.closed


def test_an_older_frame_finishing_late_does_not_replace_a_newer_pose():
    log: list = []
    fakes = iter([SlowFake(0.15, log), SlowFake(0.01, log)])
    est = ParallelLivePoseEstimator(workers=2, estimator_factory=lambda: next(fakes))
    frame = np.zeros((4, 4, 3), np.uint8)
    est.process(frame, 1.0)  # slow landmarker
    est.process(frame, 2.0)  # fast landmarker finishes first
    _wait_idle(est)
    assert est.process(frame, 3.0).timestamp_s == 2.0
    _wait_idle(est)
    est.close()


def test_errors_reach_the_caller():
    class Broken:
        def process(self, rgb, t):
            raise RuntimeError("model failed")

        def close(self):
            pass

    est = ParallelLivePoseEstimator(workers=1, estimator_factory=Broken)
    frame = np.zeros((4, 4, 3), np.uint8)
    est.process(frame, 0.0)
    _wait_idle(est)
    with pytest.raises(RuntimeError, match="model failed"):
        est.process(frame, 0.1)
    est.close()
