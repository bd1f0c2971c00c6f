"""Live lifting coach: the same rep finding and core checks, one webcam frame at a time.

:class:`LiftCoach` follows the shoulder height with the hysteresis of
:mod:`posture.lift.reps` against a standing reference learnt from a bounded
history, and at the end of every repetition (back up to standing) grades the
knee bend, forward lean and hips-first rise of that repetition and gives one cue.
The rounded-back check needs the segmentation mask and is not run live.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import numpy as np

from posture import landmarks as L
from posture.geometry import angle_from_vertical_deg, flexion_deg, midpoint
from posture.lift.checks import ADVICE, grade_value
from posture.lift.kinematics import ANKLE_TO_EAR_FRACTION, SHOULDER_HEIGHT_FRACTION
from posture.lift.params import DEFAULT_LIFT, LiftParams
from posture.live import LiveStatus
from posture.sequence import PoseFrame

_RANK = {"ok": 0, "notice": 1, "warning": 2, "not_assessed": -1}
_CUES = {
    "knees_not_bent": "Bend your knees - lift with your legs, not your back.",
    "back_bent_forward": "Chest up, back straight - bend at the knees rather than folding forward.",
    "hips_rise_first": "Push up so hips and shoulders rise together.",
}


class LiftCoach:
    """Live analyser for lifting (see module docstring). Thread-safe: ``update`` runs on the webcam
    worker thread while the page thread reads ``summary``; one lock guards all state."""

    def __init__(self, params: LiftParams = DEFAULT_LIFT, history_s: float = 20.0, max_rep_s: float = 15.0):
        self.params = params
        self.history_s = history_s
        self.max_rep_s = max_rep_s
        self._lock = threading.Lock()
        self._history: deque = deque()  # (t, shoulder_height, body_height) for the standing reference
        self._rep: list[dict[str, float]] = []  # frames of the rep in progress (bounded by max_rep_s)
        self._down = False
        self._facing_votes = 0.0
        self._floor_y = np.nan
        self._reps: list[dict[str, Any]] = []
        self._last_cue: str | None = None

    # ------------------------------------------------------------------ per frame
    def _measure(self, f: PoseFrame) -> dict[str, float] | None:
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

    def _grade_rep(self) -> dict[str, Any]:
        p = self.params
        rep = self._rep
        sh = np.array([x["sh_h"] for x in rep])
        hip = np.array([x["hip_h"] for x in rep])
        lean = np.array([x["lean"] for x in rep])
        knee = np.array([x["knee"] for x in rep])
        b = int(np.argmin(sh))
        win = slice(max(0, b - 1), b + 2)
        knee_b, lean_b = float(np.median(knee[win])), float(np.median(lean[win]))
        lo = int(np.flatnonzero(hip <= hip.min() + p.bottom_band_frac * max(np.ptp(hip), 1e-9)).max())
        ref = float(np.median(lean[max(0, lo - 4):lo + 1]))
        rising = np.concatenate([[False], np.diff(hip[lo:]) > 0])
        inc = float(max(0.0, np.max(np.where(rising, lean[lo:] - ref, 0.0)))) if len(rising) else 0.0
        ratio = knee_b / lean_b if lean_b > 1 else np.inf
        fwd = grade_value(lean_b, p.back_forward_notice_deg, p.back_forward_warning_deg)
        grades = {
            "knees_not_bent": (grade_value(knee_b, p.knees_not_bent_notice_deg, p.knees_not_bent_warning_deg, False), knee_b),
            "back_bent_forward": (fwd if ratio < p.back_forward_max_knee_ratio else "ok", lean_b),
            "hips_rise_first": (grade_value(inc, p.hips_first_notice_deg, p.hips_first_warning_deg), inc),
        }
        worst = max(grades, key=lambda k: _RANK[grades[k][0]])
        sev = grades[worst][0]
        return {"index": len(self._reps) + 1, "start_s": rep[0]["t"], "end_s": rep[-1]["t"],
                "bottom_s": rep[b]["t"], "knee_flexion_bottom_deg": knee_b, "trunk_lean_bottom_deg": lean_b,
                "hips_first_lean_increase_deg": inc,
                "findings": {k: {"severity": v[0], "value": round(v[1], 2)} for k, v in grades.items()},
                "cue": _CUES[worst] if sev in ("notice", "warning") else "Good lift - knees bent, lifted with the legs.",
                "advice": ADVICE[worst] if sev in ("notice", "warning") else "", "in_form": sev not in ("notice", "warning")}

    def update(self, frame: PoseFrame | None, timestamp_s: float | None = None) -> LiveStatus:
        with self._lock:
            t = float(timestamp_s if timestamp_s is not None else (frame.timestamp_s if frame is not None else 0.0))
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
            if self._down or m["sh_h"] < up_level:
                self._rep.append(m)
                while self._rep and t - self._rep[0]["t"] > self.max_rep_s:
                    self._rep.pop(0)
            if not self._down and m["sh_h"] <= down_level:
                self._down = True
            elif self._down and m["sh_h"] >= up_level:
                self._down = False
                if len(self._rep) >= 3 and self._rep[-1]["t"] - self._rep[0]["t"] >= self.params.rep_min_duration_s:
                    result = self._grade_rep()
                    self._reps.append(result)
                    cue, in_form = result["cue"], result["in_form"]
                    self._last_cue = cue
                    events = ("rep_completed",)
                self._rep = []
            elif not self._down and m["sh_h"] >= up_level:
                self._rep = []
            return LiveStatus(
                task="lift", headline=f"Lifts: {len(self._reps)}", cue=cue, in_form=in_form, events=events,
                values={"trunk_lean_deg": round(m["lean"], 1), "knee_flexion_deg": round(m["knee"], 1),
                        "phase": "down" if self._down else "up"},
                timestamp_s=t,
            )

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {"task": "lift", "rep_count": len(self._reps), "repetitions": [dict(r) for r in self._reps]}
