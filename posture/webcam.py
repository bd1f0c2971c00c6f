"""The live webcam processor: pose model + a live analyser + overlay, handed results to the page.

streamlit-webrtc calls :meth:`WebcamProcessor.callback` on a worker thread for
every frame. The processor object is kept in ``st.session_state`` and captured
by that callback, because script globals are rebuilt on every rerun (counters
would reset whenever the user clicks something). The page never touches the
model or the analyser: it reads :meth:`snapshot`, a copy made under the lock,
so the worker thread and the script thread never share mutable state.

No Streamlit here; the webrtc glue lives in the app's pages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from posture.live import LiveStatus
from posture.sequence import PoseFrame

log = logging.getLogger(__name__)

LIVE_TASKS = ("stretch", "lift", "sit")
# Shown on the video and in the side panel while feedback lags (Snapshot.busy / busy_message).
BUSY_MESSAGE = "Your computer is busy: feedback is delayed"
ENV_RTC = "POSTURE_RTC_CONFIGURATION"


def rtc_configuration(env: dict[str, str] | None = None) -> dict[str, Any]:
    """WebRTC configuration for the webcam: no STUN/TURN by default, so nothing leaves the machine.

    Loopback and LAN use need no ICE servers. For remote use set ``$POSTURE_RTC_CONFIGURATION`` to
    JSON, e.g. ``{"iceServers": [{"urls": ["stun:stun.example.org:3478"]},
    {"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}]}``.
    Raises ValueError on malformed JSON (the app shows it rather than silently going online).
    """
    import json
    import os

    raw = (env if env is not None else os.environ).get(ENV_RTC, "").strip()
    if not raw:
        return {"iceServers": []}
    try:
        cfg = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ValueError(f"${ENV_RTC} is not valid JSON ({e}); expected e.g. {{\"iceServers\": []}}") from e
    if not isinstance(cfg, dict) or not isinstance(cfg.get("iceServers", []), list):
        raise ValueError(f"${ENV_RTC} must be a JSON object with an 'iceServers' list, got {raw[:80]!r}")
    cfg.setdefault("iceServers", [])
    return cfg


class PoseOnlyAnalyser:
    """Fallback live analyser when a task's coach is not available: says whether a person is in view."""

    def __init__(self, task: str = "pose", note: str = ""):
        self.task, self.note = task, note
        self._lock = threading.Lock()
        self._seen = 0

    def update(self, frame: PoseFrame | None, timestamp_s: float | None = None) -> LiveStatus:
        with self._lock:
            t = frame.timestamp_s if frame is not None else (timestamp_s or 0.0)
            if frame is None:
                return LiveStatus(self.task, "Step into view", "Stand so your whole body is in the picture", None,
                                  timestamp_s=t)
            self._seen += 1
            return LiveStatus(self.task, "Person in view", self.note or None, None,
                              {"frames_with_person": self._seen}, timestamp_s=t)

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {"frames_with_person": self._seen}


def make_analyser(task: str, **params: Any):
    """The live analyser for ``task`` (``stretch``, ``lift``, ``sit``); a :class:`PoseOnlyAnalyser` if it is missing."""
    try:
        if task == "stretch":
            from posture.stretch.coach import StretchCoach

            return StretchCoach(stretch=params.get("stretch"), affected_side=params.get("affected_side"))
        if task == "lift":
            from posture.lift.live import LiftCoach

            return LiftCoach()
        if task == "sit":
            from posture.sit.monitor import DeskMonitor

            kw = {"break_after_min": params["break_after_min"]} if params.get("break_after_min") else {}
            return DeskMonitor(**kw)
    except ImportError as e:
        log.warning("live %s coach unavailable (%s); showing the pose only", task, e)
        return PoseOnlyAnalyser(task, note=f"The live {task} coach is not available in this version.")
    raise ValueError(f"unknown live task {task!r}; expected one of {', '.join(LIVE_TASKS)}")


@dataclass(frozen=True)
class Snapshot:
    """What the page shows, copied under the lock."""

    status: dict[str, Any] | None
    frames_in: int
    frames_processed: int
    fps: float  # processed frames per second over the last few seconds
    process_ms_p50: float  # time in the callback per frame (model + analyser + drawing)
    lag_ms_p50: float  # delay added in the app beyond the fastest frame seen; not end to end (see WebcamProcessor)
    recent_cues: tuple[tuple[float, str], ...] = ()
    recent_events: tuple[tuple[float, str], ...] = ()
    error: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    frame_size: tuple[int, int] | None = None
    # how much older than the frame it is drawn on the shown pose is (two landmarkers in flight
    # return the newest finished pose, typically a frame or two back)
    pose_age_ms_p50: float = float("nan")
    # Feedback delay (lag of the frame shown + age of the pose drawn on it) over the last
    # ``busy_window_s``; ``busy`` while it is over ``max_lag_s`` or many frames arrive too late
    # to process (see WebcamProcessor). The page shows ``busy_message`` as it is.
    feedback_ms_p50: float = float("nan")
    busy: bool = False
    busy_message: str | None = None
    frames_dropped: int = 0  # frames not given to the model: late on arrival, or every landmarker busy


class WebcamProcessor:
    """Per-session live pipeline; see module docstring.

    ``estimator_factory()`` returns an object with ``process(rgb, timestamp_s) -> PoseFrame | None``
    (a :class:`posture.io.extract.LivePoseEstimator`); it is created on the first frame, on the
    worker thread, so opening the page never waits for the model. ``analyser`` follows the
    :mod:`posture.live` protocol.

    Lag: a frame's camera time (``frame.time``) is compared with the wall clock when it arrives and
    when its processed copy is returned; the smallest arrival offset seen is taken as the transport
    baseline, so ``lag`` is the extra delay added by queueing and processing. It cannot see the rest of
    the chain (browser encode, network, aiortc's jitter buffer and decode, aiortc's encode, browser
    decode and display: the camera clock's origin is unknown here), nor a queue that never empties.
    bench/bench_live_browser.py measures camera to screen in the browser: about 80 ms on a quiet 2-core
    machine where this ``lag`` says 2-5 ms.

    Keeping up under load: a frame arriving more than ``max_lag_s`` behind the baseline is not
    processed (the model, the analyser and the skeleton are skipped; the last status is drawn with
    :data:`BUSY_MESSAGE`), so a backlog drains at once instead of growing; a background estimator
    (:class:`posture.io.extract.ParallelLivePoseEstimator`) also drops frames while every landmarker
    is busy. ``Snapshot.busy`` is set while the feedback delay (lag + pose age) over the last
    ``busy_window_s`` is above ``max_lag_s``, or more than a quarter of its frames were late, and it
    stays set for ``busy_window_s`` after, so the message does not flicker.
    """

    window_s = 3.0  # our choice: frame-rate window long enough to be stable, short enough to react
    restart_gap_s = 2.0  # our choice: no frame for this long means the stream was stopped and restarted
    max_lag_s = 0.3  # issue 15: feedback later than this feels detached from the movement
    busy_window_s = 2.0  # our choice: long enough not to flag one slow frame, short enough to clear soon
    late_share_busy = 0.25  # our choice: a quarter of the frames arriving late is a busy computer
    # The transport baseline is the smallest arrival offset of the last this many seconds, not of the
    # whole session: a remote camera's clock drifts against ours (tens of ppm), and an all-time minimum
    # would eventually call every frame late. Our choice: long enough to outlast a busy spell.
    baseline_window_s = 30.0

    def __init__(self, estimator_factory: Callable[[], Any], analyser=None, draw: bool = True,
                 clock: Callable[[], float] = time.monotonic):
        self._estimator_factory = estimator_factory
        self._estimator = None
        self._analyser = analyser if analyser is not None else PoseOnlyAnalyser()
        self.draw = draw
        self._clock = clock
        self._lock = threading.Lock()  # guards everything below: the worker thread writes, the page reads
        self._model_lock = threading.Lock()  # one frame at a time through the (not thread-safe) model
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._status: LiveStatus | None = None
        self._frames_in = 0
        self._frames_done = 0
        self._done_times: deque[float] = deque(maxlen=600)
        self._proc_s: deque[float] = deque(maxlen=300)
        self._lag_raw: deque[float] = deque(maxlen=300)
        self._lag_base: float | None = None
        self._arrival_offsets: deque[tuple[float, float]] = deque(maxlen=2000)  # (wall time, offset)
        self._last_cam: tuple[float, float] | None = None  # (camera time, wall time) of the last frame
        self._cues: deque[tuple[float, str]] = deque(maxlen=20)
        self._events: deque[tuple[float, str]] = deque(maxlen=20)
        self._error: str | None = None
        self._t0: float | None = None
        self._last_ts = -1.0
        self._size: tuple[int, int] | None = None
        # model results counted so far, for estimators that run frames in the background
        self._model_done = int(getattr(getattr(self, "_estimator", None), "frames_processed", 0) or 0)
        self._model_dropped = int(getattr(getattr(self, "_estimator", None), "frames_dropped", 0) or 0)
        self._pose_age_s: deque[float] = deque(maxlen=300)
        self._last_pose_age_s = 0.0
        self._feedback: deque[tuple[float, float]] = deque(maxlen=600)  # (wall time, feedback delay s)
        self._arrivals: deque[tuple[float, bool]] = deque(maxlen=600)  # (wall time, arrived late?)
        self._busy_until = -float("inf")
        self._frames_dropped = 0

    # ------------------------------------------------------------------ control (page thread)
    def set_analyser(self, analyser) -> None:
        """Swap the live analyser (e.g. the user picked another stretch); counters restart."""
        with self._lock:
            self._analyser = analyser
            self._reset_counters()

    @property
    def analyser(self):
        with self._lock:
            return self._analyser

    def close(self) -> None:
        with self._model_lock:
            if self._estimator is not None and hasattr(self._estimator, "close"):
                self._estimator.close()
            self._estimator = None

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self._clock()
            recent = [t for t in self._done_times if now - t <= self.window_s]
            fps = 0.0
            if len(recent) >= 2 and recent[-1] > recent[0]:
                fps = (len(recent) - 1) / (recent[-1] - recent[0])
            lag = [x - (self._lag_base or 0.0) for x in self._lag_raw]
            summary: dict[str, Any] = {}
            try:
                summary = dict(self._analyser.summary())
            except Exception as e:  # noqa: BLE001 - a broken summary must not break the page
                summary = {"error": str(e)}
            busy = self._busy(now)
            feedback = [d for t, d in self._feedback if now - t <= self.busy_window_s]
            return Snapshot(
                status=self._status.to_dict() if self._status else None,
                frames_in=self._frames_in, frames_processed=self._frames_done, fps=fps,
                process_ms_p50=float(np.median(self._proc_s) * 1000) if self._proc_s else float("nan"),
                lag_ms_p50=float(np.median(lag) * 1000) if lag else float("nan"),
                recent_cues=tuple(self._cues), recent_events=tuple(self._events), error=self._error,
                summary=summary, frame_size=self._size,
                pose_age_ms_p50=float(np.median(self._pose_age_s) * 1000) if self._pose_age_s else float("nan"),
                feedback_ms_p50=float(np.median(feedback) * 1000) if feedback else float("nan"),
                busy=busy, busy_message=BUSY_MESSAGE if busy else None, frames_dropped=self._frames_dropped,
            )

    def _busy(self, now: float) -> bool:
        """Busy test (see class docstring); call with the lock held."""
        recent = [d for t, d in self._feedback if now - t <= self.busy_window_s]
        late = [x for t, x in self._arrivals if now - t <= self.busy_window_s]
        if (recent and float(np.median(recent)) > self.max_lag_s) or (
                len(late) >= 5 and sum(late) > self.late_share_busy * len(late)):
            self._busy_until = now + self.busy_window_s
        return now < self._busy_until

    # ------------------------------------------------------------------ work (worker thread)
    def process_rgb(self, rgb: np.ndarray, timestamp_s: float | None = None) -> np.ndarray:
        """Pose, analyser and overlay for one upright RGB frame; returns the frame to show."""
        start = self._clock()
        with self._lock:
            self._frames_in += 1
            if self._t0 is None:
                self._t0 = start
            analyser = self._analyser
        ts = (start - self._t0) if timestamp_s is None else float(timestamp_s)
        out = rgb
        try:
            with self._model_lock:
                if self._estimator is None:
                    self._estimator = self._estimator_factory()
                ts = max(ts, self._last_ts + 1e-3)  # the model needs increasing times
                self._last_ts = ts
                pose = self._estimator.process(rgb, ts)
                model_done = getattr(self._estimator, "frames_processed", None)
                model_dropped = getattr(self._estimator, "frames_dropped", None)
            status = analyser.update(pose, ts)
            if self.draw:
                with self._lock:
                    busy = self._busy(self._clock())
                out = self._draw(rgb, pose, status, BUSY_MESSAGE if busy else None)
        except Exception as e:  # noqa: BLE001 - keep the stream alive; the page shows the error
            log.exception("live frame failed")
            with self._lock:
                self._error = f"{type(e).__name__}: {e}"
            return rgb
        end = self._clock()
        with self._lock:
            if analyser is self._analyser:
                prev_cue = self._status.cue if self._status else None
                self._status = status
                if status.cue and status.cue != prev_cue:
                    self._cues.append((ts, status.cue))
                for ev in status.events:
                    self._events.append((ts, ev))
            # Count frames the model finished: a background estimator (ParallelLivePoseEstimator)
            # returns at once and may drop frames, so callback calls would overstate the rate.
            if isinstance(model_done, int):
                new = max(0, model_done - self._model_done)
                self._model_done = model_done
            else:
                new = 1
            self._frames_done += new
            self._done_times.extend([end] * new)
            if isinstance(model_dropped, int):
                self._frames_dropped += max(0, model_dropped - self._model_dropped)
                self._model_dropped = model_dropped
            self._last_pose_age_s = 0.0
            if pose is not None:
                self._last_pose_age_s = max(0.0, ts - pose.timestamp_s)
                self._pose_age_s.append(self._last_pose_age_s)
            self._proc_s.append(end - start)
            self._size = (int(rgb.shape[1]), int(rgb.shape[0]))
        return out

    @staticmethod
    def _draw(rgb: np.ndarray, pose: PoseFrame | None, status: LiveStatus, busy: str | None = None) -> np.ndarray:
        from posture.io.render import draw_live_status, draw_skeleton
        from posture.live import hold_countdown_s

        out = rgb
        if pose is not None:
            out = draw_skeleton(out, pose.xy_px, pose.visibility)
        return draw_live_status(out, status.headline, status.cue, status.in_form,
                                countdown_s=hold_countdown_s(status.values), busy=busy)

    def _skip_late(self, rgb: np.ndarray) -> np.ndarray:
        """A frame that arrived too late: no model, no analyser; the last status and the busy note."""
        with self._lock:
            self._frames_in += 1
            self._frames_dropped += 1
            status = self._status
        if not self.draw or status is None:
            return rgb
        try:
            from posture.io.render import draw_live_status

            return draw_live_status(rgb, status.headline, None, status.in_form, busy=BUSY_MESSAGE)
        except Exception:  # noqa: BLE001 - a late frame is shown as it is rather than break the stream
            log.exception("drawing a late frame failed")
            return rgb

    def _arrive(self, cam_t: float | None) -> bool:
        """Record a frame's arrival; True when it is more than ``max_lag_s`` behind the baseline."""
        if cam_t is None:
            return False
        with self._lock:
            now = self._clock()
            offset = now - float(cam_t)
            # A new stream (STOP then START) restarts the camera clock: start the lag baseline afresh.
            if self._last_cam is not None and (cam_t < self._last_cam[0] or now - self._last_cam[1] > self.restart_gap_s):
                self._lag_base = None
                self._lag_raw.clear()
                self._arrival_offsets.clear()
            self._last_cam = (float(cam_t), now)
            self._arrival_offsets.append((now, offset))
            while now - self._arrival_offsets[0][0] > self.baseline_window_s:
                self._arrival_offsets.popleft()
            self._lag_base = min(o for _, o in self._arrival_offsets)
            late = offset - self._lag_base > self.max_lag_s
            self._arrivals.append((now, late))
            return late

    def callback(self, frame):
        """The ``video_frame_callback`` for streamlit-webrtc: ``av.VideoFrame`` in, annotated ``av.VideoFrame`` out."""
        from posture.io.live_pose import video_frame_i420

        cam_t = getattr(frame, "time", None)
        late = self._arrive(cam_t)
        rgb = frame.to_ndarray(format="rgb24")
        out = self._skip_late(rgb) if late else self.process_rgb(rgb)
        if cam_t is not None:
            with self._lock:
                now = self._clock()
                lag = now - float(cam_t) - (self._lag_base or 0.0)
                self._lag_raw.append(now - float(cam_t))
                if not late:
                    self._feedback.append((now, lag + self._last_pose_age_s))
        return video_frame_i420(out, like=frame)
