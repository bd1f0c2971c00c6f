"""The command line: exit codes, one-line reasons, files written."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from posture.cli import main
from posture.files import load, save
from posture.synthetic import walker


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "posture", *args], capture_output=True, text=True, timeout=300, env=env)


def test_bad_input_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    r = run_cli("landmarks", str(bad), "-o", str(tmp_path / "x.npz"), "-q")
    assert r.returncode == 2
    err = [line for line in r.stderr.splitlines() if line.startswith("posture: error:")]
    assert len(err) == 1 and "not a readable video" in err[0]
    assert not (tmp_path / "x.npz").exists()


def test_wrong_output_suffix(tmp_path, capsys):
    assert main(["landmarks", str(tmp_path / "in.mp4"), "-o", str(tmp_path / "x.txt"), "-q"]) == 2
    assert "must end in .npz or .csv" in capsys.readouterr().err


def test_usage_errors_exit_2():
    r = run_cli("analyze", "x.mp4", "--task", "juggle")
    assert r.returncode == 2 and "invalid choice" in r.stderr


@pytest.mark.model
def test_landmarks_on_a_photo_writes_a_loadable_file(tmp_path, model_path):
    import cv2
    from skimage import data

    img = tmp_path / "astronaut.jpg"
    cv2.imwrite(str(img), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    for suffix in (".npz", ".csv"):
        out = tmp_path / f"lm{suffix}"
        assert main(["landmarks", str(img), "-o", str(out), "-q"]) == 0
        seq = load(out)
        assert seq.n_frames == 1 and seq.detection_rate == 1.0


def test_analyze_accepts_a_landmark_file(tmp_path, monkeypatch, capsys):
    # The analysis itself is tested elsewhere: here the CLI's wiring and the JSON it writes.
    from posture import analyses
    from posture.report import Finding, Report

    seq, _ = walker(duration_s=1.0)
    lm = save(seq, tmp_path / "w.npz")

    def fake(task, s, options):
        assert s.n_frames == seq.n_frames and options.height_cm == 170
        return Report(task=task, video=s.video, view="side",
                      findings=[Finding("demo", "notice", 1.0, "deg", 0.5, ((0.0, 1.0),), 0.8, "seen", "do")])

    monkeypatch.setattr(analyses, "run_analysis", fake)
    out = tmp_path / "r.json"
    assert main(["analyze", str(lm), "--task", "walk", "--height-cm", "170", "--json", str(out), "-q"]) == 0
    d = json.loads(out.read_text())
    assert d["task"] == "walk" and d["view"] == "side" and d["findings"][0]["id"] == "demo"
    assert set(d["input"]) == {"path", "fps", "n_frames", "duration_s", "width", "height", "rotation_deg"}
    assert "[note] demo: seen" in capsys.readouterr().out
    assert np.isfinite(d["input"]["fps"])


def test_baseline_command_writes_a_loadable_baseline(tmp_path):
    from posture.sit.baseline import load_baseline
    from posture.sit.synthetic import seated_sequence

    lm = save(seated_sequence(30), tmp_path / "good.npz")
    out = tmp_path / "me.json"
    assert main(["baseline", str(lm), "-o", str(out), "-q"]) == 0
    assert load_baseline(out).n_frames == 30
