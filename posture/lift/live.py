"""Live lifting coach: the offline per-repetition grading, run on each repetition as soon as it ends.

:class:`LiftCoach` follows the shoulder height frame by frame with the hysteresis of
:mod:`posture.lift.reps` against a standing reference learnt from a bounded history, only to know *when* a
repetition has ended (back up to standing). It then builds a :class:`~posture.sequence.PoseSequence` from the
frames it kept (the repetition plus the standing moments before it) and grades that repetition with
:func:`posture.lift.analysis.lift_reps`: the same cleaning, view classification (:mod:`posture.view`),
kinematics, gates and :func:`posture.checks.grade_value` of the same specs as the offline report. There is no
second grading here. The rounded-back check needs the person mask and is not run live (``not_assessed``).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import numpy as np
import scipy.signal  # noqa: F401  (the clean-up's filter imports it lazily: 2-4 s; load it here, not mid-session)

from posture import landmarks as L
from posture.analyses import AnalyzeOptions
from posture.geometry import angle_from_vertical_deg, flexion_deg, midpoint
from posture.lift.analysis import lift_reps
from posture.lift.checks import FINDING_IDS, SPEC_BY_ID
from posture.lift.kinematics import ANKLE_TO_EAR_FRACTION, SHOULDER_HEIGHT_FRACTION
from posture.lift.params import DEFAULT_LIFT, LiftParams
from posture.live import LiveStatus
from posture.sequence import PoseFrame, PoseSequence, Provenance, VideoInfo

_RANK = {"ok": 0, "notice": 1, "warning": 2, "not_assessed": -1}
GOOD_CUE = "Good lift - knees bent, lifted with the legs."


class LiftCoach:
    """Live analyser for lifting (see module docstring). Thread-safe: ``update`` runs on the webcam
    worker thread while the page thread reads ``summary``; one lock guards all state."""

    def __init__(self, params: LiftParams = DEFAULT_LIFT, history_s: float = 20.0, max_rep_s: float = 15.0,
                 lead_in_s: float = 1.5, settle_frames: int = 3, options: AnalyzeOptions | None = None):
        self.params = params
        self.history_s = history_s
        self.max_rep_s = max_rep_s
        self.lead_in_s = lead_in_s  # standing time kept before a repetition, as the offline clip has it
        # frames kept after a repetition ends before it is graded: the offline clean-up filters without lag, so
        # the last frames of a window sit on the filter's edge; three frames (0.1-0.17 s) settle it
        self.settle_frames = settle_frames
        self.options = options or AnalyzeOptions()
        self._pending: list[float] | None = None  # [repetition start, frames still to wait]
        self._lock = threading.Lock()
        self._history: deque = deque()  # (t, shoulder_height, body_height) for the standing reference
        self._frames: deque = deque()  # (t, PoseFrame | None): the bounded buffer a repetition is graded from
        self._rep_start_t: float | None = None
        self._down = False
        self._facing_votes = 0.0
        self._floor_y = np.nan
        self._reps: list[dict[str, Any]] = []
        self._last_cue: str | None = None

    # ------------------------------------------------------------------ per frame
    def _measure(self, f: PoseFrame) -> dict[str, float] | None:
        """Shoulder and hip heights for the repetition trigger, and angles for the side panel (not graded)."""
        xy, vis = f.xy_px, f.visibility
        mv = self.params.min_visibility
        if min(vis[L.LEFT_HIP], vis[L.RIGHT_HIP]) < mv and max(vis[L.LEFT_HIP], vis[L.RIGHT_HIP]) < mv:
            return None
        sh = midpoint(xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER])
        hip = midpoint(xy[L.LEFT_HIP], xy[L.RIGHT_HIP])
        ear = midpoint(xy[L.LEFT_EAR], xy[L.RIGHT_EAR])
        self._facing_votes += float(np.sign(xy[L.NOSE, 0] - ear[0]))
        facing = 1.0 if self._facing_votes >= 0 else -1.0
        left_vis = vis[[L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE]].sum()
        side = "left" if left_vis >= vis[[L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE]].sum() else "right"
        i = L.side_indices(side)
        if min(vis[i["knee"]], vis[i["ankle"]]) < self.params.knee_min_visibility:
            return None
        feet_y = xy[[L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX], 1]
        lowest = float(np.nanmax(feet_y))
        self._floor_y = lowest if not np.isfinite(self._floor_y) else 0.9 * self._floor_y + 0.1 * lowest
        segs = (np.linalg.norm(xy[i["ankle"]] - xy[i["knee"]]) + np.linalg.norm(xy[i["knee"]] - xy[i["hip"]])
                + np.linalg.norm(xy[i["hip"]] - xy[i["shoulder"]]) + np.linalg.norm(xy[i["shoulder"]] - xy[i["ear"]]))
        return {
            "t": f.timestamp_s, "sh_h": self._floor_y - sh[1], "hip_h": self._floor_y - hip[1],
            "lean": float(angle_from_vertical_deg(hip, sh, facing)),
            "knee": float(flexion_deg(xy[i["hip"]], xy[i["knee"]], xy[i["ankle"]])),
            "body": float(segs / ANKLE_TO_EAR_FRACTION),
        }

    def _reference(self) -> tuple[float, float]:
        h = np.array([x[1] for x in self._history])
        b = np.array([x[2] for x in self._history])
        body = float(np.percentile(b, 90))
        top = max(float(np.percentile(h, 95)), 0.9 * SHOULDER_HEIGHT_FRACTION * body)
        return top, body

    def _window(self, t_from: float) -> PoseSequence | None:
        """The kept frames from ``t_from`` on as a PoseSequence (frames without a person as NaN)."""
        kept = [(t, f) for t, f in self._frames if t >= t_from]
        frames = [f for _, f in kept if f is not None]
        if len(frames) < 3:
            return None
        n = len(kept)
        xy = np.full((n, L.N_LANDMARKS, 2), np.nan)
        world = np.full((n, L.N_LANDMARKS, 3), np.nan)
        vis = np.zeros((n, L.N_LANDMARKS))
        for k, (_, f) in enumerate(kept):
            if f is not None:
                xy[k], world[k], vis[k] = f.xy_px, f.world_m, f.visibility
        ts = np.array([t for t, _ in kept], float)
        fps = 1.0 / float(np.median(np.diff(ts))) if n > 1 else 30.0
        video = VideoInfo(path="<webcam>", fps=fps, n_frames=n, width=frames[0].width, height=frames[0].height)
        return PoseSequence(xy_px=xy, world_m=world, visibility=vis, timestamps_s=ts, video=video,
                            provenance=Provenance(model="live", subject="live"))

    def _grade_rep(self, t_start: float) -> dict[str, Any] | None:
        """Grade the repetition that just ended with the offline per-repetition grading (one grading)."""
        seq = self._window(t_start - self.lead_in_s)
        if seq is None:
            return None
        lr = lift_reps(seq, self.options, self.params)
        done = [k for k, r in enumerate(lr.reps) if r.complete]
        if not done:
            return None
        k = done[-1]
        rep, m, grades = lr.reps[k], lr.metrics[k], lr.per_rep[k]
        flagged = [fid for fid in FINDING_IDS if grades.get(fid, {}).get("severity") in ("notice", "warning")]
        worst = max(flagged, key=lambda fid: _RANK[grades[fid]["severity"]]) if flagged else None
        t = lr.seq.timestamps_s
        return {"index": len(self._reps) + 1, "start_s": float(t[rep.start]), "end_s": float(t[rep.end]),
                "bottom_s": float(t[rep.bottom]), "knee_flexion_bottom_deg": m.knee_flexion_bottom_deg,
                "trunk_lean_bottom_deg": m.trunk_lean_bottom_deg,
                "hips_first_lean_increase_deg": m.hips_first_lean_increase_deg,
                "findings": {fid: dict(g) for fid, g in grades.items()},
                "flagged": flagged,
                "cue": SPEC_BY_ID[worst].cue if worst else GOOD_CUE,
                "advice": SPEC_BY_ID[worst].advice if worst else "", "in_form": worst is None}

    def update(self, frame: PoseFrame | None, timestamp_s: float | None = None) -> LiveStatus:
        with self._lock:
            t = float(timestamp_s if timestamp_s is not None else (frame.timestamp_s if frame is not None else 0.0))
            self._frames.append((t, frame))
            while self._frames and t - self._frames[0][0] > self.history_s:
                self._frames.popleft()
            m = self._measure(frame) if frame is not None else None
            if m is None:
                return LiveStatus(task="lift", headline=f"Lifts: {len(self._reps)}", in_form=None, timestamp_s=t,
                                  cue="Step back so your whole body, feet included, is in view (side-on is best).")
            self._history.append((t, m["sh_h"], m["body"]))
            while self._history and t - self._history[0][0] > self.history_s:
                self._history.popleft()
            top, body = self._reference()
            down_level = top - self.params.rep_down_frac * body
            up_level = top - self.params.rep_up_frac * body
            events: tuple[str, ...] = ()
            cue = self._last_cue
            in_form: bool | None = None
            if m["sh_h"] < up_level and self._rep_start_t is None:
                self._rep_start_t = t
            if self._rep_start_t is not None and t - self._rep_start_t > self.max_rep_s:
                self._rep_start_t, self._down = None, False  # too long to be one lift: start over
            if not self._down and m["sh_h"] <= down_level:
                self._down = True
            elif self._down and m["sh_h"] >= up_level:
                self._down = False
                start, self._rep_start_t = self._rep_start_t, None
                if start is not None and t - start >= self.params.rep_min_duration_s:
                    self._pending = [start, self.settle_frames]
            elif not self._down and m["sh_h"] >= up_level:
                self._rep_start_t = None
            if self._pending is not None:
                self._pending[1] -= 1
            if self._pending is not None and (self._pending[1] < 0 or self._down):
                start, self._pending = self._pending[0], None
                result = self._grade_rep(start)
                if result is not None:
                    self._reps.append(result)
                    cue, in_form = result["cue"], result["in_form"]
                    self._last_cue = cue
                    events = ("rep_completed",)
            return LiveStatus(
                task="lift", headline=f"Lifts: {len(self._reps)}", cue=cue, in_form=in_form, events=events,
                values={"trunk_lean_deg": round(m["lean"], 1), "knee_flexion_deg": round(m["knee"], 1),
                        "phase": "down" if self._down else "up"},
                timestamp_s=t,
            )

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {"task": "lift", "rep_count": len(self._reps), "repetitions": [dict(r) for r in self._reps]}
