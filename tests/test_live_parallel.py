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


# --------------------------------------------------------------------------- the webcam processor under load
class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def frame_at(cam_t: float, shape=(48, 64, 3)):
    from fractions import Fraction

    import av

    f = av.VideoFrame.from_ndarray(np.zeros(shape, np.uint8), format="rgb24")
    f.pts, f.time_base = int(round(cam_t * 90000)), Fraction(1, 90000)
    return f


class CountingFake:
    def __init__(self):
        self.calls = 0

    def process(self, rgb, t):
        self.calls += 1
        return PoseFrame(xy_px=np.full((33, 2), 10.0), world_m=np.zeros((33, 3)), visibility=np.ones(33),
                         timestamp_s=t, width=rgb.shape[1], height=rgb.shape[0])


def test_late_frames_skip_the_model_and_the_computer_is_called_busy():
    from posture.webcam import BUSY_MESSAGE, PoseOnlyAnalyser, WebcamProcessor

    clock, est = Clock(), CountingFake()
    proc = WebcamProcessor(lambda: est, PoseOnlyAnalyser("lift"), clock=clock)
    for i in range(10):  # on time
        clock.t = 100.0 + i / 30
        proc.callback(frame_at(i / 30))
    assert est.calls == 10 and not proc.snapshot().busy and proc.snapshot().busy_message is None
    for i in range(10, 20):  # a backlog: each frame reaches us 0.5 s after the camera took it
        clock.t = 100.0 + i / 30 + 0.5
        proc.callback(frame_at(i / 30))
    snap = proc.snapshot()
    assert est.calls == 10 and snap.frames_dropped == 10 and snap.frames_in == 20  # skipped, not processed
    assert snap.busy and snap.busy_message == BUSY_MESSAGE
    for i in range(20, 140):  # on time again for 4 s: processed, and the message clears
        clock.t = 100.0 + i / 30
        proc.callback(frame_at(i / 30))
    snap = proc.snapshot()
    assert est.calls == 130 and not snap.busy and snap.feedback_ms_p50 == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(("model_s", "busy"), [(0.1, False), (0.45, True)])
def test_a_slow_landmarker_drops_frames_keeps_the_video_on_time_and_says_when_feedback_lags(model_s, busy):
    """Real threads and time: a camera at 30 frames/s, two landmarkers taking ``model_s`` a frame
    (a loaded computer). Frames are dropped, never queued: the video returned stays on time (lag
    < 300 ms) and the pose drawn is about one inference old; over 300 ms is reported as busy."""
    from posture.webcam import PoseOnlyAnalyser, WebcamProcessor

    log: list = []
    proc = WebcamProcessor(
        lambda: ParallelLivePoseEstimator(workers=2, estimator_factory=lambda: SlowFake(model_s, log)),
        PoseOnlyAnalyser("lift"))
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < 2.0:
        due = start + i / 30
        time.sleep(max(0.0, due - time.monotonic()))
        proc.callback(frame_at(time.monotonic() - start))  # the newest camera frame, as streamlit-webrtc gives
        i += 1
    snap = proc.snapshot()
    proc.close()
    assert snap.frames_dropped > 0 and snap.frames_processed < snap.frames_in
    assert snap.lag_ms_p50 < 300
    # the newest finished pose: one inference old, plus up to half one (two landmarkers staggered)
    assert model_s * 1000 * 0.8 < snap.pose_age_ms_p50 < model_s * 1000 * 1.5 + 100
    assert snap.busy is busy


def test_a_drifting_camera_clock_is_not_called_late_forever():
    # The camera's clock runs 0.1% slow against ours (far more than real drift, to be quick): over
    # 10 minutes offsets grow by 0.6 s. A baseline of the last 30 s keeps the frames on time.
    from posture.webcam import PoseOnlyAnalyser, WebcamProcessor

    clock, est = Clock(), CountingFake()
    proc = WebcamProcessor(lambda: est, PoseOnlyAnalyser("sit"), draw=False, clock=clock)
    for i in range(0, 600 * 10):  # 10 frames/s for 10 minutes
        cam_t = i / 10
        clock.t = 100.0 + cam_t * 1.001
        proc.callback(frame_at(cam_t))
    snap = proc.snapshot()
    assert snap.frames_dropped == 0 and est.calls == 6000 and not snap.busy


def test_the_app_relays_webcam_video_unbuffered(monkeypatch):
    """Video goes through streamlit-webrtc's relay keeping only the newest frame (a queue there grew the lag
    to seconds under CPU load, bench/bench_live_browser.py); audio keeps the library's buffering."""
    from types import SimpleNamespace

    pytest.importorskip("streamlit_webrtc")
    import streamlit_webrtc.relay as relay_mod

    from app_pages import app_ui

    calls = []

    class FakeRelay:
        def subscribe(self, track, buffered=True):
            calls.append((track.kind, buffered))
            return track

    fake = FakeRelay()
    monkeypatch.setattr(relay_mod, "get_global_relay", lambda: fake)
    assert app_ui._newest_frames_only() and app_ui._newest_frames_only()  # installing twice wraps once
    fake.subscribe(SimpleNamespace(kind="video"))
    fake.subscribe(SimpleNamespace(kind="audio"))
    assert calls == [("video", False), ("audio", True)]


def test_returned_frames_are_i420_with_the_camera_frames_timing():
    """The webcam callback hands the encoder yuv420p (no per-frame swscale there); colours survive the trip."""
    from fractions import Fraction

    av = pytest.importorskip("av")
    from posture.io.live_pose import video_frame_i420

    rgb = np.zeros((480, 640, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, 640)[None, :]
    rgb[..., 1] = np.linspace(0, 255, 480)[:, None]
    rgb[..., 2] = 128
    like = av.VideoFrame.from_ndarray(rgb, format="rgb24")
    like.pts, like.time_base = 12345, Fraction(1, 90000)
    out = video_frame_i420(rgb, like)
    assert out.format.name == "yuv420p" and (out.width, out.height) == (640, 480)
    assert out.pts == 12345 and out.time_base == Fraction(1, 90000)
    assert np.abs(out.to_ndarray(format="rgb24").astype(int) - rgb).mean() < 3
    odd = video_frame_i420(rgb[:479, :639])
    assert odd.format.name == "rgb24" and (odd.width, odd.height) == (639, 479)


def test_received_video_frames_leave_the_jitter_buffer_on_their_last_packet():
    """With the app's jitter buffer a frame is handed on when its marked last packet arrives (aiortc waits
    for the next frame's first packet); a gap still holds it back; audio-style buffers are untouched."""
    pytest.importorskip("aiortc")
    from aiortc import rtcrtpreceiver
    from aiortc.rtp import RtpPacket

    from app_pages import app_ui

    original = rtcrtpreceiver.JitterBuffer
    try:
        assert app_ui._frames_on_their_last_packet() and app_ui._frames_on_their_last_packet()
        jb = rtcrtpreceiver.JitterBuffer(capacity=128, is_video=True)

        def packet(seq, ts, marker, data):
            p = RtpPacket(sequence_number=seq, timestamp=ts, marker=marker)
            p._data = data
            return p

        assert jb.add(packet(10, 1000, 0, b"a"))[1] is None
        frame = jb.add(packet(11, 1000, 1, b"b"))[1]
        assert frame is not None and frame.data == b"ab" and frame.timestamp == 1000
        assert jb.add(packet(13, 4000, 1, b"d"))[1] is None  # packet 12 is missing: wait for it
        frame = jb.add(packet(12, 4000, 0, b"c"))[1]
        assert frame is not None and frame.data == b"cd"
        audio = rtcrtpreceiver.JitterBuffer(capacity=16, prefetch=4)
        assert audio.add(packet(1, 10, 1, b"x"))[1] is None  # prefetching buffers keep aiortc's rule
    finally:
        rtcrtpreceiver.JitterBuffer = original
