"""The live coach for someone on the floor: big overlay, spoken cues (rate-limited), hold countdown,
STOP shows a readable summary saved to History; History reopens past results in full."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from posture.live import CueSpeaker, LiveStatus, SpeechParams, hold_countdown_s
from tests.test_app_fakes import FakePoseEstimator, fake_report, slouching_walker
from tests.test_app_pages import _frame, app, env  # noqa: F401 - the env fixture

HOLDING = {"in_pose": True, "hold_in_form_s": 12.0, "hold_target_s": 30.0}


def status(cue=None, in_form=None, events=(), **values):
    return {"headline": "x", "cue": cue, "in_form": in_form, "events": list(events), "values": values}


def test_countdown_from_the_status_values():
    assert hold_countdown_s(HOLDING) == 18.0
    assert hold_countdown_s({"hold_in_form_s": 40.0, "hold_target_s": 30.0}) == 0.0
    assert hold_countdown_s({"in_pose": False, "hold_in_form_s": 1.0, "hold_target_s": 30.0}) is None
    assert hold_countdown_s({}) is None and hold_countdown_s(None) is None


def test_speaker_says_one_cue_every_few_seconds_and_never_repeats_soon():
    sp = CueSpeaker(SpeechParams(min_gap_s=4.0, repeat_after_s=15.0))
    bad = status("Straighten your back", in_form=False)
    assert sp.next(bad, 0.0) == "Straighten your back"
    assert sp.next(status("Bend your knee", in_form=False), 1.0) is None  # too soon after the last one
    assert sp.next(status("Bend your knee", in_form=False), 4.5) == "Bend your knee"
    assert sp.next(bad, 9.0) is None  # the same sentence again only after 15 s
    assert sp.next(bad, 15.5) == "Straighten your back"
    assert sp.next(status("Good", in_form=True), 30.0) is None  # in form: nothing to correct


def test_speaker_counts_down_a_hold_and_restarts_for_the_next_one():
    sp = CueSpeaker()
    said = []
    for t in range(0, 40):  # a 30 s hold seen once a second, then a new hold
        held = float(t) if t <= 30 else float(t - 31)
        text = sp.next(status(None, in_form=True, in_pose=True, hold_in_form_s=held, hold_target_s=30.0), float(t),
                       ("hold_target_reached",) if t == 30 else ())
        if text:
            said.append((t, text))
    assert said == [(20, "10 seconds left."), (25, "5 seconds left."), (30, "Well done, that's the hold. Relax.")]


def test_speaker_starts_at_the_nearest_mark_when_it_first_sees_a_hold_late():
    sp = CueSpeaker()
    assert sp.next(status(None, in_form=True, in_pose=True, hold_in_form_s=27.0, hold_target_s=30.0), 0.0) == \
        "5 seconds left."


def text_rows(img: np.ndarray, rows: slice) -> np.ndarray:
    """Rows (of the given slice) holding bright or coloured text pixels."""
    band = img[rows].astype(int)
    return (band.max(axis=2) > 200).any(axis=1)


def test_live_overlay_is_big_enough_to_read_from_the_floor():
    from posture.io.render import draw_live_status

    img = np.full((480, 640, 3), 90, np.uint8)
    out = draw_live_status(img, "Child's pose: 12 / 30 s, rep 2 of 4", "Sit back toward your heels", False,
                           countdown_s=17.4)
    lit = text_rows(out, slice(0, 200))
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, lit.astype(int), 0])))[::2]
    assert max(runs) >= 20, f"text lines only {runs} px tall at 480 px"  # 20+ px capitals: readable from 3 m
    yellow = (out[..., 0] > 200) & (out[..., 1] > 170) & (out[..., 2] < 80)
    assert yellow.sum() > 1500  # the out-of-form cue in high-contrast yellow
    corner = out[380:, 480:]
    assert (corner.max(axis=2) > 230).sum() > 800  # the big countdown "18 s" bottom-right


class FakeStretchCoach:
    """The real coach's protocol and summary shape: one 'hold' that reaches 31 s in form on the left."""

    task = "stretch"

    def __init__(self):
        self._lock = threading.Lock()
        self.frames = 0
        self.finished = False

    def update(self, frame, timestamp_s=None):
        with self._lock:
            self.frames += 1
            return LiveStatus("stretch", f"Piriformis (left): {self.frames} / 30 s, rep 1 of 4", None, True,
                              {"in_pose": True, "hold_in_form_s": float(self.frames), "hold_target_s": 30.0},
                              timestamp_s=timestamp_s or 0.0)

    def finish(self):
        self.finished = True
        return []

    def summary(self):
        holds = [{"side": "left", "start_s": 0.0, "end_s": 33.0, "duration_s": 33.0, "in_form_s": 31.0,
                  "completed": True, "main_fault": "knee_low", "faults_s": {"knee_low": 2.0}}] if self.finished else []
        return {"name": "piriformis_supine", "side": "left", "score": 0.9, "holds": holds,
                "reps_per_side": {"left": len(holds), "right": 0}, "target_reps_per_side": 4, "hold_target_s": 30.0}


def test_stop_shows_a_readable_summary_and_saves_it_to_history(env, monkeypatch):  # noqa: F811
    import posture.webcam as webcam
    from posture.history import History

    monkeypatch.setattr(webcam, "make_analyser", lambda t, **kw: FakeStretchCoach())
    env.webrtc.playing = True
    at = app("stretch")
    proc = at.session_state["webcam-proc-stretch"]
    proc._estimator_factory = FakePoseEstimator
    cb = next(c for c in env.webrtc.calls if c["key"] == "live-stretch")["video_frame_callback"]
    for i in range(5):
        cb(_frame(np.zeros((480, 640, 3), np.uint8), 3000 * i))
    at.run()
    assert any("Piriformis (left)" in m.value for m in at.markdown)
    env.webrtc.playing = False  # STOP
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    md = " ".join(m.value for m in at.markdown)
    assert "Your session" in md and "Piriformis stretch (lying) (left)" in md
    table = at.table[0].value.to_csv()
    assert "1 of 4 done" in table and "31 s" in table and "Knee low" in table
    assert "{" not in table and not at.json  # no raw JSON dump
    assert any("Saved to History" in s.value for s in at.success)
    entries = History(env.history).entries()
    assert len(entries) == 1 and entries[0].metrics["seconds_in_form"] == 31.0 and entries[0].metrics["live_session"]
    at.run()  # another rerun does not save it twice
    assert len(History(env.history).entries()) == 1
    env.webrtc.playing = True  # START again: a fresh session
    at.run()
    assert proc.analyser.frames == 0 and "live-done-stretch" not in at.session_state
    # History shows it, with its trend of seconds held in form
    at.switch_page("app_pages/history.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "live session" in next(t.value for t in at.table if "what was found" in t.value.columns).to_string()
    assert at.selectbox(key="history-metric-stretch").value == "seconds_in_form"
    at.selectbox(key="history-open").set_value(entries[0].id).run()
    assert "1 of 4 done" in at.table[-1].value.to_csv()


def test_speech_html_speaks_once_and_mute_cancels():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app_pages"))
    from app_ui import speech_html

    on = speech_html("Straighten your back", 3, muted=False)
    assert '"Straighten your back"' in on and "speechSynthesis" in on and "uid=3" in on
    assert "cancel" in speech_html(None, 3, muted=True)
    assert "http" not in on  # nothing leaves the machine
    with_wav = speech_html("Relax", 4, muted=False, wav=b"RIFF0000WAVE")
    assert "data:audio/wav;base64,UklGRjAwMDBXQVZF" in with_wav and "getVoices" in with_wav


def test_espeak_makes_a_wav_on_this_computer_when_installed():
    import shutil
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app_pages"))
    from app_ui import espeak_wav

    if not (shutil.which("espeak-ng") or shutil.which("espeak")):
        pytest.skip("espeak-ng is not installed: the browser's own speech is used")
    wav = espeak_wav("Ten seconds left.")
    assert wav[:4] == b"RIFF" and len(wav) > 10_000


def test_history_reopens_a_past_report_in_full(env, tmp_path):  # noqa: F811
    from posture.history import History

    seq = slouching_walker()
    rep = fake_report(seq)
    hid = History(env.history).add(rep, source_name="old walk.mp4")
    back = History(env.history).report(hid)
    assert [f.id for f in back.findings] == [f.id for f in rep.findings]
    assert np.allclose(back.series["trunk_lean_deg"]["values"], rep.series["trunk_lean_deg"]["values"], atol=1e-3)
    at = app("history")
    assert at.selectbox(key="history-metric-walk").value == "cadence_spm"
    at.selectbox(key="history-open").set_value(hid).run()
    assert not at.exception, [e.value for e in at.exception]
    md = " ".join(m.value for m in at.markdown) + " ".join(m.value for m in at.subheader)
    assert "Results for old walk.mp4" in md and "Slouching" in md
    assert len(at.get("image")) >= 2  # the trend and the reopened chart
    assert "•" not in next(t.value for t in at.table if "what was found" in t.value.columns).to_string()


def test_a_photo_on_the_walk_page_is_refused_plainly_with_what_to_do(env):  # noqa: F811
    import cv2

    ok, jpg = cv2.imencode(".jpg", np.full((48, 64, 3), 120, np.uint8))
    at = app("walk")
    up = at.file_uploader(key="upload-walk")
    assert "a photo cannot show your steps" in up.proto.help
    up.upload("me.jpg", jpg.tobytes(), "image/jpeg").run()
    at.button(key="analyse-walk").click().run()
    assert not at.exception
    text = at.error[0].value
    assert "me.jpg is a photo" in text and "What to do" in text and "Traceback" not in text
    assert "jobs" not in at.session_state or "walk" not in at.session_state["jobs"]


def test_an_analysis_that_crashes_shows_what_to_do_not_a_traceback(env, tmp_path, monkeypatch):  # noqa: F811
    import posture.analyses as analyses
    from tests.test_app_pages import click_analyse, synthetic_video

    def boom(task, s, options=None):
        raise ValueError("operands could not be broadcast together with shapes (180,) (12,)")

    monkeypatch.setattr(analyses, "run_analysis", boom)
    at = app("lift")
    at.file_uploader(key="upload-lift").upload("short.mp4", synthetic_video(tmp_path, env.seq), "video/mp4").run()
    click_analyse(at, "lift")
    assert not at.exception
    text = at.error[0].value
    assert "What to do" in text and "Traceback" not in text


def test_leaving_the_page_mid_analysis_keeps_the_job_and_shows_it_on_return(env, tmp_path, monkeypatch):  # noqa: F811
    import time as _time

    import posture.analyses as analyses
    from tests.test_app_fakes import fake_report
    from tests.test_app_pages import synthetic_video

    gate = threading.Event()

    def slow(task, s, options=None):
        gate.wait(30)
        return fake_report(s, task)

    monkeypatch.setattr(analyses, "run_analysis", slow)
    at = app("lift")
    at.file_uploader(key="upload-lift").upload("squat.mp4", synthetic_video(tmp_path, env.seq), "video/mp4").run()
    at.button(key="analyse-lift").click().run()
    job = at.session_state["jobs"]["lift"]
    assert job.running
    at.switch_page("app_pages/about.py")
    at.run()  # the user reads About meanwhile: the job keeps going and the sidebar says so
    assert any("Analysing squat.mp4" in i.value for i in at.sidebar.info)
    gate.set()
    job.wait(30)
    _time.sleep(0.1)
    at.switch_page("app_pages/lift.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Results for squat.mp4" in " ".join(m.value for m in at.subheader)


def test_a_missing_pose_model_is_explained_not_a_traceback(env, tmp_path, monkeypatch):  # noqa: F811
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app_pages"))
    import app_ui

    from posture.errors import ModelUnavailableError
    from tests.test_app_pages import synthetic_video

    def no_model():
        raise ModelUnavailableError("no pose model found and it could not be built offline; set POSTURE_MODEL")

    monkeypatch.setattr(app_ui, "model_path", no_model)
    at = app("walk")
    at.file_uploader(key="upload-walk").upload("w.mp4", synthetic_video(tmp_path, env.seq), "video/mp4").run()
    at.button(key="analyse-walk").click().run()
    assert not at.exception
    assert "POSTURE_MODEL" in at.error[0].value and "What to do" in at.error[0].value
