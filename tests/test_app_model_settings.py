"""The sidebar's "Pose model" settings (issue 15): the chosen variant reaches uploads and the webcam, the faster
extraction reaches uploads, and a variant that cannot be prepared says so and keeps the full model."""

from __future__ import annotations

import pytest

from tests import test_app_pages as pages
from tests.test_app_pages import app, synthetic_video


@pytest.fixture
def env(tmp_path, monkeypatch):
    """test_app_pages' set-up: private history and temp folder, fake webrtc, fake analysis."""
    return pages.env._get_wrapped_function()(tmp_path, monkeypatch)

PATHS = {"full": "/models/full.task", "lite": "/models/lite.task", "heavy": "/models/heavy.task"}


@pytest.fixture
def variants(monkeypatch):
    import model_settings

    asked = []

    def fake(variant: str) -> str:
        asked.append(variant)
        if variant == "heavy":
            raise RuntimeError("npm could not reach the registry")
        return PATHS[variant]

    monkeypatch.setattr(model_settings, "_variant_path", fake)
    return asked


@pytest.fixture(autouse=True)
def _pages_on_path(monkeypatch):
    import sys
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "app_pages"))
    sys.modules.pop("model_settings", None)


def _job_args(env, monkeypatch, tmp_path, at, task="walk"):
    import analysis_job

    seen = {}
    real_init = analysis_job.AnalysisJob.__init__

    def spy(self, *a, **kw):
        real_init(self, *a, **kw)
        seen.update(model=a[6], fast=self.fast)

    monkeypatch.setattr(analysis_job.AnalysisJob, "__init__", spy)
    at.file_uploader(key=f"upload-{task}").upload("w.mp4", synthetic_video(tmp_path, env.seq), "video/mp4").run()
    at.button(key=f"analyse-{task}").click().run()
    at.session_state["jobs"][task].wait(120)  # a job still drawing at exit would take the interpreter down with it
    return seen


def test_defaults_are_the_full_model_and_the_fixed_people_count(env, variants, monkeypatch, tmp_path):
    at = app("walk")
    assert at.sidebar.selectbox(key="model_variant").value == "full"
    assert at.sidebar.checkbox(key="fast_extraction").value is False
    assert _job_args(env, monkeypatch, tmp_path, at) == {"model": PATHS["full"], "fast": False}


def test_lite_and_faster_uploads_reach_the_analysis(env, variants, monkeypatch, tmp_path):
    at = app("walk")
    at.sidebar.selectbox(key="model_variant").set_value("lite").run()
    at.sidebar.checkbox(key="fast_extraction").check().run()
    assert _job_args(env, monkeypatch, tmp_path, at) == {"model": PATHS["lite"], "fast": True}


def test_a_variant_that_cannot_be_prepared_says_so_and_keeps_full(env, variants, monkeypatch, tmp_path):
    at = app("walk")
    at.sidebar.selectbox(key="model_variant").set_value("heavy").run()
    assert _job_args(env, monkeypatch, tmp_path, at)["model"] == PATHS["full"]
    at.run()
    errors = " ".join(e.value for e in at.sidebar.error)
    assert "could not be prepared" in errors and "npm could not reach the registry" in errors
    assert not at.exception


def test_the_webcam_reloads_its_model_when_another_is_chosen(env, variants):
    at = app("lift")
    first = at.session_state["webcam-proc-lift"]
    assert at.session_state["webcam-proc-lift-model"] == PATHS["full"]
    at.run()
    assert at.session_state["webcam-proc-lift"] is first  # a rerun keeps the loaded model
    at.sidebar.selectbox(key="model_variant").set_value("lite").run()
    assert at.session_state["webcam-proc-lift"] is not first
    assert at.session_state["webcam-proc-lift-model"] == PATHS["lite"]


def test_the_starting_choice_resolves_as_the_command_line_does(monkeypatch):
    """$POSTURE_MODEL (an official .task file) or $POSTURE_MODEL_VARIANT still decide the model until another
    variant is picked in the sidebar."""
    from pathlib import Path

    import model_settings

    import posture.io.model

    monkeypatch.setattr(posture.io.model, "resolve_model_path",
                        lambda model_path=None, build=True, variant=None: Path(f"/m/{variant or 'as-the-cli'}.task"))
    model_settings._variant_path.clear()
    try:
        assert model_settings._variant_path(model_settings.DEFAULT_VARIANT) == "/m/as-the-cli.task"
        other = next(v for v in ("lite", "heavy") if v != model_settings.DEFAULT_VARIANT)
        assert model_settings._variant_path(other) == f"/m/{other}.task"
    finally:
        model_settings._variant_path.clear()
