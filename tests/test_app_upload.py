"""The upload path shows the findings first (issue 15): under AppTest, with the fake analysis of
test_app_pages and the annotated video held back until the test lets it go.

Checked on every upload page: the findings are on screen while the video is still being drawn (with a
plain "drawing" placeholder), the video and the reports fill in afterwards, leaving the page and coming
back keeps the partial result, Stop keeps the findings, and a failure in a later part (video, charts,
reports) shows a plain note beside findings that stay complete.
"""

from __future__ import annotations

import threading

import pytest

from tests.test_app_pages import app, env, synthetic_video  # noqa: F401 - env is a fixture

PAGES = ["walk", "lift", "stretch", "sit"]


@pytest.fixture
def gate(monkeypatch):
    """Holds render_annotated until ``gate.set()``; records when it started."""
    import posture.io.annotate as annotate

    real = annotate.render_annotated
    ev = threading.Event()
    ev.started = threading.Event()

    def held(*a, **kw):
        ev.started.set()
        assert ev.wait(60), "the test never let the drawing go"
        return real(*a, **kw)

    monkeypatch.setattr(annotate, "render_annotated", held)
    yield ev
    ev.set()


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [w.value for w in at.warning]
    return " ".join(str(p) for p in parts) + " " + " ".join(str(c.value) for c in at.caption)


def _start(at, task: str, tmp_path, seq):
    at.file_uploader(key=f"upload-{task}").upload(f"my {task}.mp4", synthetic_video(tmp_path, seq), "video/mp4").run()
    at.button(key=f"analyse-{task}").click().run()
    job = at.session_state["jobs"][task]
    assert job.wait_findings(60), f"no findings: {job.problem}"
    return job


@pytest.mark.parametrize("task", PAGES)
def test_findings_are_shown_while_the_video_is_still_being_drawn(env, gate, tmp_path, task):  # noqa: F811
    at = app(task)
    job = _start(at, task, tmp_path, env.seq)
    assert gate.started.wait(30) and job.running  # the drawing has started and is held
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    text = _text(at)
    assert f"Results for my {task}.mp4" in " ".join(h.value for h in at.subheader)
    assert "Slouching" in text and "Walk tall" in text, text[:500]
    assert "Drawing the pose on your video" in text
    assert "Preparing the HTML and PDF reports" in text
    assert len(at.get("video")) == 0
    labels = {b.label for b in at.get("download_button")}
    assert "Report (JSON)" in labels and "Report (PDF)" not in labels  # the JSON needs only the findings
    assert job.result["pending"][0] == "media" and job.result["media"] is None
    gate.set()
    job.wait(60)
    at.run()
    assert not at.exception and not at.error
    text = _text(at)
    assert "Drawing the pose" not in text and "Preparing the HTML" not in text and "Slouching" in text
    assert len(at.get("video")) == 1
    assert {"Report (HTML)", "Report (PDF)", "Report (JSON)", "Per-frame data (CSV)"} <= {
        b.label for b in at.get("download_button")}
    record = at.session_state["results"][task]
    assert record["pending"] == () and record["media"][4:8] == b"ftyp" and record["pdf"][:5] == b"%PDF-"
    t = record["timings_s"]
    assert t["findings"] < t["media"] <= t["exports"], t  # the order this is all about
    assert record["history_id"] is not None


def test_leaving_the_page_while_drawing_keeps_the_findings(env, gate, tmp_path):  # noqa: F811
    at = app("lift")
    job = _start(at, "lift", tmp_path, env.seq)
    at.switch_page("app_pages/about.py")
    at.run()
    assert any("findings ready: my lift.mp4" in s.value for s in at.sidebar.success), [
        s.value for s in at.sidebar.success]
    at.switch_page("app_pages/lift.py")
    at.run()
    assert "Slouching" in _text(at) and "Drawing the pose on your video" in _text(at)
    gate.set()
    job.wait(60)
    at.run()
    assert len(at.get("video")) == 1 and "Drawing the pose" not in _text(at)


def test_stop_while_drawing_keeps_the_findings(env, gate, tmp_path):  # noqa: F811
    at = app("walk")
    job = _start(at, "walk", tmp_path, env.seq)
    assert gate.started.wait(30)
    at.run()
    stop = at.button(key="stop-walk")
    assert "video and reports" in stop.label
    job.cancel()
    gate.set()
    job.wait(60)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    text = _text(at)
    assert "Slouching" in text and "You stopped the drawing" in text and "Analysis stopped" not in text
    assert len(at.get("video")) == 0 and "Drawing the pose" not in text
    assert at.session_state["results"]["walk"]["pending"] == ()
    assert list(env.tmp.rglob("*")) == []  # the upload's temporary copy is gone


@pytest.mark.parametrize(("part", "target", "note"), [
    ("media", "posture.io.annotate:render_annotated", "annotated video could not be drawn"),
    ("charts", "posture.plots:report_charts", "charts could not be drawn"),
    ("exports", "posture.export:report_pdf", "Could not make the PDF report"),
])
def test_a_failure_after_the_findings_leaves_them_and_says_what_is_missing(env, tmp_path, monkeypatch, part,  # noqa: F811
                                                                          target, note):
    import importlib

    module, name = target.split(":")

    def broken(*a, **kw):
        raise RuntimeError("simulated fault")

    monkeypatch.setattr(importlib.import_module(module), name, broken)
    at = app("walk")
    job = _start(at, "walk", tmp_path, env.seq)
    job.wait(60)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    text = _text(at)
    assert "Slouching" in text and "Walk tall" in text
    assert note in text and "simulated fault" in text, text[-800:]
    assert "Traceback" not in text
    record = at.session_state["results"]["walk"]
    assert record["pending"] == () and record[f"{part}_error"] and record["history_id"] is not None
    labels = {b.label for b in at.get("download_button")}
    assert "Report (JSON)" in labels
    if part != "media":
        assert len(at.get("video")) == 1
    if part == "exports":
        assert "Report (HTML)" in labels and "Report (PDF)" not in labels
