"""``--fast``: the adaptive people count (issue 15) reaches extraction from the CLI, the API and batch."""

from __future__ import annotations

from pathlib import Path

import pytest

from posture import analyses
from posture.analyses import AnalyzeOptions
from posture.batch import Job, options_sha256, plan_jobs
from posture.cli import build_parser
from posture.synthetic import walker


@pytest.mark.parametrize("argv", [
    ["analyze", "x.mp4", "--task", "walk"], ["landmarks", "x.mp4", "-o", "x.npz"],
    ["baseline", "x.jpg", "-o", "b.json"], ["batch", "x.mp4", "--out", "o", "--task", "walk"],
])
def test_every_extracting_command_takes_fast_and_defaults_to_the_fixed_count(argv):
    p = build_parser()
    if argv[0] == "baseline":
        name = next(n for n, sp in p._subparsers._group_actions[0].choices.items() if sp.get_default("func").__name__
                    == "cmd_baseline")
        argv = [name, *argv[1:]]
    assert p.parse_args(argv).fast is False
    assert p.parse_args([*argv, "--fast"]).fast is True


@pytest.mark.parametrize("fast", [False, True])
def test_analyze_file_asks_extraction_for_the_adaptive_count_only_with_fast(monkeypatch, tmp_path, fast):
    seen = []
    seq, _ = walker(duration_s=3.0, fps=30.0)

    class Tracks:
        def select(self, subject):
            return seq

    def fake_cached_tracks(path, options, model_path=None, progress=None):
        seen.append(options)
        return Tracks()

    import posture.io.cache

    monkeypatch.setattr(posture.io.cache, "cached_tracks", fake_cached_tracks)
    monkeypatch.setattr(analyses, "check_model_file", lambda p: p)
    monkeypatch.setattr("posture.io.model.resolve_model_path", lambda p=None, **kw: Path("model.task"))
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0" * 64)
    monkeypatch.setattr("posture.files.check_input_file", lambda p: None)
    report = analyses.analyze_file(clip, "walk", AnalyzeOptions(), fast=fast)
    assert report.task == "walk"
    assert [o.adaptive_poses for o in seen] == [fast]


def test_batch_jobs_carry_fast_and_their_resume_key_changes_only_with_it(tmp_path):
    clip = tmp_path / "a.npz"
    clip.write_bytes(b"x")
    plain = plan_jobs([clip], "walk", AnalyzeOptions())
    fast = plan_jobs([clip], "walk", AnalyzeOptions(), fast=True)
    assert not plain[0].fast and fast[0].fast
    # a batch run before --fast existed resumes: the key without fast is what it always was
    assert plain[0].options_sha256 == options_sha256("walk", AnalyzeOptions(), None)
    assert fast[0].options_sha256 != plain[0].options_sha256
    assert Job(source="a", task="walk", options=AnalyzeOptions()).fast is False
