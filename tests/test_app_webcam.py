"""The webcam processor on its own: timing figures from an injected clock, lag baseline, errors, swaps."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from posture.webcam import PoseOnlyAnalyser, WebcamProcessor, make_analyser
from tests.test_app_fakes import FakeCoach, FakePoseEstimator


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def frame_at(cam_t: float):
    import av

    f = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
    f.pts, f.time_base = int(round(cam_t * 90000)), Fraction(1, 90000)
    return f


def test_fps_and_lag_come_from_the_clock():
    clock = Clock()
    proc = WebcamProcessor(FakePoseEstimator, FakeCoach(), clock=clock)
    for i in range(31):  # 31 frames 1/20 s apart, each returned 10 ms after the previous frame's lag
        clock.t = 100.0 + i * 0.05 + 0.01 * (i >= 20)
        proc.callback(frame_at(i * 0.05))
    snap = proc.snapshot()
    assert snap.frames_processed == 31 and snap.frames_in == 31
    assert snap.fps == pytest.approx(30 / 1.51, rel=1e-6)
    assert snap.lag_ms_p50 == pytest.approx(0.0, abs=1e-6)  # most frames at the baseline
    assert max(proc._lag_raw) - proc._lag_base == pytest.approx(0.01)


def test_a_restarted_stream_restarts_the_lag_baseline():
    clock = Clock()
    proc = WebcamProcessor(FakePoseEstimator, FakeCoach(), clock=clock)
    for i in range(5):
        clock.t = 100.0 + i * 0.05
        proc.callback(frame_at(50.0 + i * 0.05))
    clock.t = 200.0  # STOP, START 100 s later: the browser's camera clock starts again near 0
    for i in range(5):
        clock.t = 200.0 + i * 0.05 + 0.2
        proc.callback(frame_at(i * 0.05))
    assert proc.snapshot().lag_ms_p50 == pytest.approx(0.0, abs=1e-6)


def test_cues_are_recorded_when_they_change_and_events_are_kept():
    proc = WebcamProcessor(FakePoseEstimator, FakeCoach())
    for i in range(10):
        proc.process_rgb(np.zeros((48, 64, 3), np.uint8), i / 30)
    snap = proc.snapshot()
    assert [c for _, c in snap.recent_cues] == ["Straighten up"]
    assert [e for _, e in snap.recent_events] == ["rep_completed", "rep_completed"]
    assert snap.summary == {"frames": 10}


def test_swapping_the_analyser_restarts_counts_but_keeps_the_model():
    made = []

    def factory():
        made.append(FakePoseEstimator())
        return made[-1]

    proc = WebcamProcessor(factory, FakeCoach())
    proc.process_rgb(np.zeros((48, 64, 3), np.uint8), 0.0)
    proc.set_analyser(FakeCoach("lift"))
    assert proc.snapshot().frames_processed == 0 and proc.snapshot().status is None
    proc.process_rgb(np.zeros((48, 64, 3), np.uint8), 0.1)
    assert proc.snapshot().status["task"] == "lift" and len(made) == 1


def test_errors_are_reported_and_the_frame_passes_through():
    class Broken(FakeCoach):
        def update(self, frame, timestamp_s=None):
            raise KeyError("bad landmark")

    proc = WebcamProcessor(FakePoseEstimator, Broken())
    rgb = np.full((48, 64, 3), 9, np.uint8)
    assert proc.process_rgb(rgb, 0.0) is rgb
    assert "KeyError" in proc.snapshot().error


def test_no_person_gives_the_step_into_view_status():
    class Nobody:
        def process(self, rgb, ts):
            return None

    proc = WebcamProcessor(Nobody, PoseOnlyAnalyser("sit"))
    proc.process_rgb(np.zeros((48, 64, 3), np.uint8), 0.0)
    assert proc.snapshot().status["headline"] == "Step into view"


def test_unknown_live_task_is_refused():
    with pytest.raises(ValueError, match="stretch, lift, sit"):
        make_analyser("dance")


def test_posture_package_does_not_import_streamlit():
    import subprocess
    import sys

    code = ("import sys, posture, posture.webcam, posture.history, posture.export, posture.plots, "
            "posture.io.render, posture.io.annotate; print('streamlit' in sys.modules, 'cv2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]  # no streamlit, and cv2 only loads when something is drawn
