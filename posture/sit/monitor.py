"""Live desk monitor: time seated, time in each posture, a break reminder, drift from your baseline.

Fed one frame at a time (see :mod:`posture.live`). Timing uses the frames'
timestamps only, never the wall clock, so a recorded or synthetic stream gives
the same answer as a live one. Each gap between two frames is credited to what
the earlier frame showed, capped at ``max_frame_gap_s`` so a paused stream does
not count as sitting.

What counts as seated: a person in view who is not seen standing. From the side
we see the thighs and can tell standing from sitting; a front webcam at a desk
cannot, so there anyone in view counts as seated (our assumption). Leaving the
view, or standing, for ``break_min_s`` counts as a break and restarts the timer.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import numpy as np

from posture.checks import grade_value
from posture.geometry import nan_median
from posture.live import LiveStatus
from posture.sequence import PoseFrame, PoseSequence, VideoInfo
from posture.sit.baseline import Baseline, baseline_drift, front_features
from posture.sit.checks import CameraRoll, SittingMeasures, measure_sitting
from posture.sit.classify import POSTURES, classify_frames
from posture.sit.params import DEFAULT_DRIFT, DEFAULT_SIT, DriftParams, SitParams
from posture.sit.specs import SIT_SPECS

BREAK_CUE = "You have been sitting for {m:.0f} min: stand up and walk for a few minutes; long sitting tightens the hip flexors."
POSTURE_CUES = {
    "slouched": "Sit tall: hips to the back of the seat, chest up, ears over the shoulders.",
    "reclined": "You are leaning far back: sit up against the backrest and bring the screen closer.",
    "perched": "You are perched on the edge: slide back so the backrest supports your lower back.",
}
# The live checks, graded per (smoothed) frame with the very specs of the offline report (posture.sit.specs), in the
# order their cues are said: (finding id, measure key).
LIVE_CHECKS = (("slouching", "trunk_deg"), ("reclined", "trunk_deg"), ("forward_head", "forward_head_deg"),
               ("hips_below_knees", "thigh_deg"), ("feet_tucked", "knee_deg"))
_NO_ROLL = CameraRoll(np.nan, 0.0, 0, "not estimated live")
_MEASURES = ("trunk_deg", "forward_head_deg", "head_pitch_deg", "thigh_deg", "knee_deg", "upper_visibility", "width_ratio")


def live_grades(smoothed: dict[str, Any]) -> dict[str, str]:
    """Severity of each live check on the smoothed measures: :func:`posture.checks.grade_value` with the report's specs.

    Checks whose measure is missing this moment are left out (not judged live).
    """
    out: dict[str, str] = {}
    for fid, key in LIVE_CHECKS:
        v = smoothed.get(key, np.nan)
        if v is None or not np.isfinite(v):
            continue
        g = grade_value(SIT_SPECS[fid], float(v))
        if g != "not_assessed":
            out[fid] = g
    return out


def frame_sequence(frame: PoseFrame) -> PoseSequence:
    """A one-frame :class:`PoseSequence` of a live frame (no depth: the near side comes from visibility)."""
    return PoseSequence(
        xy_px=frame.xy_px[None], world_m=frame.world_m[None], visibility=frame.visibility[None],
        timestamps_s=np.array([frame.timestamp_s]), people_count=np.array([frame.people_count]),
        video=VideoInfo(path="<live>", fps=0.0, n_frames=1, width=frame.width, height=frame.height, is_image=True),
    )


class DeskMonitor:
    """Streaming sitting monitor (implements the live protocol of :mod:`posture.live`).

    ``break_after_min``: remind to get up after this long seated (default 30 min,
    our choice, see :class:`~posture.sit.params.SitParams`). ``baseline``: a
    :class:`~posture.sit.baseline.Baseline` of the user's good posture, to flag
    drift from it. The constructor only stores parameters.
    """

    def __init__(self, break_after_min: float = DEFAULT_SIT.break_after_min, baseline: Baseline | None = None,
                 params: SitParams = DEFAULT_SIT, drift_params: DriftParams = DEFAULT_DRIFT) -> None:
        if not break_after_min > 0:
            raise ValueError(f"break_after_min must be positive, got {break_after_min}")
        self.break_after_min = float(break_after_min)
        self.baseline = baseline
        self.params = params
        self.drift_params = drift_params
        # The webcam callback (worker thread) calls update() while the page thread reads summary(): one lock guards all.
        self._lock = threading.Lock()
        self._reset_state()

    def _reset_state(self) -> None:
        self._buffer: deque[tuple[float, dict[str, Any]]] = deque(maxlen=self.params.live_max_buffer)
        self._last_t: float | None = None
        self._last_state: str | None = None  # "seated" / "standing" / "away"
        self._last_posture: str | None = None
        self._last_drifted: tuple[str, ...] = ()
        self._n_frames = 0
        self._t_first: float | None = None
        self._time_seated_s = 0.0
        self._time_away_s = 0.0
        self._time_standing_s = 0.0
        self._time_in_posture_s = {name: 0.0 for name in (*POSTURES, "not_judged")}
        self._drift_time_s: dict[str, float] = {}
        self._bout_s = 0.0
        self._longest_bout_s = 0.0
        self._off_seat_run_s = 0.0
        self._breaks_taken = 0
        self._reminders = 0
        self._last_reminder_bout_s: float | None = None
        self._current_posture: str | None = None
        self._current_drifted: tuple[str, ...] = ()

    def reset(self) -> None:
        with self._lock:
            self._reset_state()

    # ------------------------------------------------------------------ per frame
    def _measure(self, frame: PoseFrame) -> dict[str, Any]:
        m: SittingMeasures = measure_sitting(frame_sequence(frame), self.params)
        out: dict[str, Any] = {k: float(getattr(m, k)[0]) for k in _MEASURES}
        out["view"] = str(m.view[0])
        out["world"] = float(m.uses_world[0])
        ff = front_features(frame.xy_px[None], frame.visibility[None], self.params.min_visibility)
        for k, v in ff.items():
            out[k] = float(v[0]) if out["view"] == "front" else np.nan
        if out["view"] not in ("side", "oblique") or not out["upper_visibility"] >= self.params.min_visibility:
            for k in ("trunk_deg", "forward_head_deg", "head_pitch_deg", "thigh_deg", "knee_deg"):
                out[k] = np.nan
        return out

    def _smoothed(self, t: float) -> dict[str, Any]:
        """Median of each measure over the last ``live_window_s``; the view is the latest frame's."""
        while self._buffer and self._buffer[0][0] < t - self.params.live_window_s:
            self._buffer.popleft()
        rows = [r for _, r in self._buffer]
        keys = [k for k in rows[-1] if k != "view"]
        values = np.array([[r[k] for k in keys] for r in rows], float)
        med = nan_median(values, axis=0) if len(rows) > 1 else values[0]
        out: dict[str, Any] = {"view": rows[-1]["view"]}
        out.update({k: float(v) for k, v in zip(keys, med, strict=True)})
        return out

    def _classify(self, s: dict[str, Any]) -> tuple[str | None, float, str]:
        m = SittingMeasures(
            timestamps_s=np.zeros(1), view=np.array([s["view"]], dtype=object), width_ratio=np.array([s["width_ratio"]]),
            facing=np.array([1.0]), trunk_deg=np.array([s["trunk_deg"]]), forward_head_deg=np.array([s["forward_head_deg"]]),
            neck_flexion_deg=np.array([s["forward_head_deg"] - s["trunk_deg"]]), head_pitch_deg=np.array([s["head_pitch_deg"]]),
            thigh_deg=np.array([s["thigh_deg"]]), thigh_length_fraction=np.array([np.nan]),
            thigh_status=np.array(["ok"], dtype=object), foot_pitch_deg=np.array([np.nan]),
            upper_visibility=np.array([s["upper_visibility"]]), leg_visibility=np.array([np.nan]),
            roll=_NO_ROLL, knee_deg=np.array([s.get("knee_deg", np.nan)]),
            method=np.array(["world" if s.get("world", 0.0) >= 0.5 else "pixels"], dtype=object),
        )
        c = classify_frames(m, self.params)
        return c.label[0], float(c.confidence[0]), str(c.reason[0])

    def update(self, frame: PoseFrame | None, timestamp_s: float | None = None) -> LiveStatus:
        """Take one frame (None: nobody in view) and return what to show."""
        if timestamp_s is None:
            if frame is None:
                raise ValueError("update(None) needs timestamp_s: an empty frame carries no time")
            timestamp_s = frame.timestamp_s
        t = float(timestamp_s)
        with self._lock:
            return self._update(frame, t)

    def _update(self, frame: PoseFrame | None, t: float) -> LiveStatus:
        p = self.params
        events: list[str] = []
        # 1. credit the time since the previous frame to what that frame showed
        if self._last_t is not None and t > self._last_t:
            dt = min(t - self._last_t, p.max_frame_gap_s)
            self._credit(dt, events)
        elif self._last_t is not None and t <= self._last_t:
            t = self._last_t  # out-of-order or repeated timestamp: count nothing
        if self._t_first is None:
            self._t_first = t
        self._n_frames += 1

        # 2. what this frame shows
        posture, conf, reason, smoothed, drifts = None, 0.0, "", None, {}
        if frame is None:
            state = "away"
            reason = "nobody in view"
        else:
            self._buffer.append((t, self._measure(frame)))
            smoothed = self._smoothed(t)
            if smoothed["view"] in ("none", "unknown"):
                state, reason = "away", "the person's shoulders and hips were not found"
            else:
                label, conf, reason = self._classify(smoothed)
                state = "standing" if label == "standing" else "away" if label == "lying" else "seated"
                posture = label if label in POSTURES else None
                if self.baseline is not None:
                    drifts = baseline_drift({k: smoothed.get(k, np.nan) for k in self.baseline.features},
                                            self.baseline, self.drift_params)
        if state == "seated" and self._last_state != "seated":
            events.append("sat_down")
        if posture is not None and self._last_posture is not None and posture != self._last_posture:
            events.append("posture_changed")
        drifted = tuple(k for k, d in drifts.items() if d.drifted)
        if drifted and drifted != self._last_drifted:
            events.append("posture_drift")
        self._last_t, self._last_state, self._last_drifted = t, state, drifted
        if posture is not None:
            self._last_posture = posture
        self._current_posture = posture if state == "seated" else None
        self._current_drifted = drifted
        return self._status(t, state, posture, conf, reason, smoothed, drifts, events)

    def _credit(self, dt: float, events: list[str]) -> None:
        p = self.params
        state = self._last_state
        if state == "seated":
            self._time_seated_s += dt
            self._bout_s += dt
            self._off_seat_run_s = 0.0
            self._longest_bout_s = max(self._longest_bout_s, self._bout_s)
            key = self._current_posture if self._current_posture in POSTURES else "not_judged"
            self._time_in_posture_s[key] += dt
            for k in self._current_drifted:
                self._drift_time_s[k] = self._drift_time_s.get(k, 0.0) + dt
            due = self._bout_s >= 60.0 * self.break_after_min
            again = (self._last_reminder_bout_s is None
                     or self._bout_s - self._last_reminder_bout_s >= 60.0 * p.remind_every_min)
            if due and again:
                self._reminders += 1
                self._last_reminder_bout_s = self._bout_s
                events.append("break_due")
        else:
            if state == "standing":
                self._time_standing_s += dt
            else:
                self._time_away_s += dt
            self._off_seat_run_s += dt
            if self._off_seat_run_s >= p.break_min_s and self._bout_s > 0:
                self._breaks_taken += 1
                self._bout_s = 0.0
                self._last_reminder_bout_s = None
                events.append("break_taken")

    def _status(self, t: float, state: str, posture: str | None, conf: float, reason: str,
                smoothed: dict[str, Any] | None, drifts: dict, events: list[str]) -> LiveStatus:
        bout_min = self._bout_s / 60.0
        overdue = state == "seated" and self._bout_s >= 60.0 * self.break_after_min
        if state == "away":
            headline = "Nobody in view" if reason == "nobody in view" else "Not seen clearly"
        elif state == "standing":
            headline = "Standing"
        else:
            headline = f"Seated {int(bout_min)}:{int(self._bout_s % 60):02d} min" + (f" - {posture}" if posture else "")
        drift_msgs = [d.message for d in drifts.values() if d.drifted]
        grades = live_grades(smoothed) if (smoothed is not None and state == "seated") else {}
        flagged = [fid for fid, g in grades.items() if g in ("notice", "warning")]
        if overdue:
            cue: str | None = BREAK_CUE.format(m=bout_min)
        elif drift_msgs:
            cue = drift_msgs[0][0].upper() + drift_msgs[0][1:] + "."
        elif flagged:  # the same specs, and so the same limits, as the offline report
            cue = SIT_SPECS[flagged[0]].cue
        elif posture in POSTURE_CUES:
            cue = POSTURE_CUES[posture]
        elif state == "seated" and posture is None and not (drifts and self.baseline is not None):
            # with a baseline recorded in this view, drift is the feedback: no need to nag about the view
            cue = f"Cannot judge the posture: {reason}" if reason else None
        else:
            cue = None
        if state != "seated" or (posture is None and not drifts):
            in_form = None
        else:
            in_form = (posture in ("upright", "perched") or posture is None) and not drift_msgs and not flagged
        values: dict[str, Any] = {
            "state": state, "posture": posture, "confidence": round(conf, 3),
            "seated_bout_min": round(bout_min, 2), "time_seated_min": round(self._time_seated_s / 60.0, 2),
            "break_after_min": self.break_after_min,
        }
        if smoothed is not None:
            for k in ("trunk_deg", "forward_head_deg", "head_pitch_deg", "thigh_deg"):
                values[k] = None if not np.isfinite(smoothed.get(k, np.nan)) else round(float(smoothed[k]), 1)
            values["view"] = smoothed["view"]
        if grades:
            values["grades"] = grades
        if drifts:
            values["drift"] = {k: round(d.delta, 3) for k, d in drifts.items()}
        return LiveStatus(task="sit", headline=headline, cue=cue, in_form=in_form, values=values,
                          events=tuple(events), timestamp_s=t)

    # ------------------------------------------------------------------ end
    def summary(self) -> dict[str, Any]:
        """Totals so far: time seated/away/standing, time per posture, longest bout, breaks and reminders."""
        with self._lock:
            dur = 0.0 if self._t_first is None or self._last_t is None else self._last_t - self._t_first
            return {
                "task": "sit",
                "n_frames": self._n_frames,
                "duration_s": round(dur, 3),
                "time_seated_s": round(self._time_seated_s, 3),
                "time_standing_s": round(self._time_standing_s, 3),
                "time_away_s": round(self._time_away_s, 3),
                "time_in_posture_s": {k: round(v, 3) for k, v in self._time_in_posture_s.items()},
                "current_bout_s": round(self._bout_s, 3),
                "longest_bout_s": round(self._longest_bout_s, 3),
                "breaks_taken": self._breaks_taken,
                "break_reminders": self._reminders,
                "break_after_min": self.break_after_min,
                "drift_time_s": {k: round(v, 3) for k, v in self._drift_time_s.items()},
                "baseline_view": None if self.baseline is None else self.baseline.view,
            }

