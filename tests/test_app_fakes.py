"""Fakes shared by the app tests: a report in the shared contract made from a synthetic walker,
a fake ``webrtc_streamer`` and a fake live analyser. The tests here check the fakes themselves
follow the contracts they stand in for."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import numpy as np

from posture import landmarks as L
from posture.geometry import angle_from_vertical_deg, midpoint
from posture.live import LiveStatus
from posture.report import Finding, Report, not_assessed, provenance_block, time_ranges
from posture.sequence import PoseSequence
from posture.synthetic import walker

SLOUCH_FROM_S = 2.0


def slouching_walker() -> PoseSequence:
    seq, _ = walker(cadence_spm=100.0, duration_s=4.0, trunk_deg=20.0, width=640, height=480, px_per_m=100.0)
    return seq


def fake_report(seq: PoseSequence, task: str = "walk") -> Report:
    """A report as an analysis would give: a trunk-lean series, a flagged finding after 2 s, events."""
    t = np.asarray(seq.timestamps_s)
    hip = midpoint(seq.xy_px[:, L.LEFT_HIP], seq.xy_px[:, L.RIGHT_HIP])
    sh = midpoint(seq.xy_px[:, L.LEFT_SHOULDER], seq.xy_px[:, L.RIGHT_SHOULDER])
    lean = angle_from_vertical_deg(hip, sh, 1.0)
    flagged = t >= SLOUCH_FROM_S
    ranges = tuple(time_ranges(flagged, t))
    findings = [
        Finding("slouching", "warning", float(np.median(lean)), "deg", 10.0, ranges, 0.8,
                "You lean forward while walking.", "Walk tall: imagine a string pulling the top of your head up."),
        Finding("low_cadence", "ok", 100.0, "steps/min", 90.0, (), 0.9, "Your cadence is normal.", ""),
        not_assessed("hip_sway", "needs a front or back view"),
    ]
    events = {"initial_contacts": [{"frame": int(i), "time_s": float(t[i]), "foot": "left", "contact": "heel",
                                    "confidence": 0.9} for i in range(10, seq.n_frames, 36)]}
    series = {"trunk_lean_deg": {"time_s": t, "values": lean, "unit": "deg", "label": "Trunk lean",
                                 "threshold": 10.0, "finding": "slouching"}}
    return Report(task=task, video=seq.video, view="side", segments=[{"start_s": 0.0, "end_s": float(t[-1])}],
                  events=events, metrics={"cadence_spm": 100.0, "heel_first_share": 0.9,
                                          "trunk": {"lean_deg": float(np.median(lean))}},
                  findings=findings, provenance=provenance_block(seq), series=series)


class FakeCoach:
    """A live analyser following posture.live's protocol: cue 'Straighten up' when the trunk leans > 10 deg."""

    def __init__(self, task: str = "stretch"):
        self.task = task
        self._lock = threading.Lock()
        self.frames = 0

    def update(self, frame, timestamp_s=None) -> LiveStatus:
        with self._lock:
            if frame is None:
                return LiveStatus(self.task, "Step into view", None, None, timestamp_s=timestamp_s or 0.0)
            self.frames += 1
            hip = midpoint(frame.xy_px[L.LEFT_HIP], frame.xy_px[L.RIGHT_HIP])
            sh = midpoint(frame.xy_px[L.LEFT_SHOULDER], frame.xy_px[L.RIGHT_SHOULDER])
            lean = float(angle_from_vertical_deg(hip, sh, 1.0))
            bad = lean > 10
            return LiveStatus(self.task, f"Holding: {self.frames} frames", "Straighten up" if bad else "Good, keep going",
                              not bad, {"trunk_lean_deg": lean}, ("rep_completed",) if self.frames % 5 == 0 else (),
                              frame.timestamp_s)

    def summary(self) -> dict:
        with self._lock:
            return {"frames": self.frames}


class FakePoseEstimator:
    """Stands in for LivePoseEstimator: returns one fixed synthetic pose for every frame."""

    def __init__(self, seq: PoseSequence | None = None):
        self.seq = seq or slouching_walker()
        self.calls = 0

    def process(self, rgb, timestamp_s):
        self.calls += 1
        fr = self.seq.frame(self.calls % self.seq.n_frames)
        h, w = rgb.shape[:2]
        return type(fr)(xy_px=fr.xy_px * [w / fr.width, h / fr.height], world_m=fr.world_m, visibility=fr.visibility,
                        timestamp_s=timestamp_s, width=w, height=h)

    def close(self):
        pass


class FakeWebrtc:
    """Replaces streamlit_webrtc.webrtc_streamer under AppTest; records the callback it was given."""

    def __init__(self, playing: bool = False):
        self.calls: list[dict] = []
        self.playing = playing

    def __call__(self, key, **kwargs):
        self.calls.append({"key": key, **kwargs})
        return SimpleNamespace(state=SimpleNamespace(playing=self.playing, signalling=False))


def test_fake_report_follows_the_contract():
    seq = slouching_walker()
    rep = fake_report(seq)
    d = json.loads(rep.to_json())
    assert {"task", "input", "view", "findings", "events", "metrics", "provenance"} <= set(d)
    slouch = rep.finding("slouching")
    assert slouch.flagged and slouch.time_ranges_s[0][0] >= SLOUCH_FROM_S - 0.05
    assert rep.series["trunk_lean_deg"]["values"].shape == (seq.n_frames,)


def test_fake_coach_cues_on_lean():
    seq = slouching_walker()
    coach = FakeCoach()
    st = coach.update(seq.frame(0), 0.0)
    assert st.cue == "Straighten up" and st.in_form is False
    assert coach.update(None, 0.1).headline == "Step into view"
