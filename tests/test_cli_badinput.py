"""Bad input on the command line: exit 2 with one line naming the input and what to do, never a traceback.

The corpus of damaged files is built here in tmp_path (tests/badfiles.py); nothing runs the model:
the extraction functions are replaced by ones that fail the test if called, which also proves that
options and output paths are checked before any work starts.
"""

from __future__ import annotations

import json

import pytest

from posture.cli import main
from posture.files import save
from tests import badfiles


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as e:  # argparse refuses at parse time
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def error_line(err: str) -> str:
    lines = [x for x in err.splitlines() if "error:" in x]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def no_extraction(monkeypatch):
    """Make any extraction fail the test: bad input must be refused before it."""
    import posture.io.cache as cache
    import posture.io.extract as extract

    def boom(*a, **k):
        raise AssertionError("extraction started before the bad input was refused")

    monkeypatch.setattr(extract, "extract_tracks", boom)
    monkeypatch.setattr(cache, "cached_tracks", boom)
    monkeypatch.setattr(cache, "extract_tracks", boom)


@pytest.fixture
def lm(tmp_path):
    return str(save(badfiles.good_walker(), tmp_path / "w.npz"))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--height-cm", "1e9"], "expected 50 to 250 cm"),
        (["--height-cm", "-5"], "expected 50 to 250 cm"),
        (["--height-cm", "0"], "expected 50 to 250 cm"),
        (["--height-cm", "nan"], "expected 50 to 250 cm"),
        (["--height-cm", "inf"], "expected 50 to 250 cm"),
        (["--height-cm", "tall"], "expected 50 to 250 cm"),
        (["--load-kg", "-1"], "expected 0 to 100 kg"),
        (["--lift-frequency", "-3"], "0.2 to 15 lifts per minute"),
        (["--lift-frequency", "nan"], "0.2 to 15 lifts per minute"),
        (["--lift-duration-h", "-1"], "0 to 8 hours"),
        (["--lift-duration-h", "nan"], "0 to 8 hours"),
        (["--break-after-min", "0"], "1 to 240 minutes"),
        (["--subject", "abc"], "largest, moving, or x,y"),
        (["--subject", "1,2,3"], "largest, moving, or x,y"),
        (["--subject", "nan,5"], "two finite pixel coordinates"),
        (["--subject=-1,5"], "two finite pixel coordinates"),
    ],
)
def test_bad_options_are_refused_at_parse_time(args, match, lm, capsys, no_extraction):
    code, _, err = run(["analyze", lm, "--task", "lift", *args], capsys)
    assert code == 2
    assert match in error_line(err)


def test_bad_num_poses_is_refused_at_parse_time(tmp_path, capsys, no_extraction):
    for n in ("0", "6", "1.5", "x"):
        code, _, err = run(["landmarks", "v.mp4", "-o", str(tmp_path / "x.npz"), "--num-poses", n], capsys)
        assert code == 2 and "whole number from 1 to 5" in error_line(err)


def test_help_gives_every_range_and_its_reason(capsys):
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for rng in ("50 to 250 cm", "0 to 100 kg", "0.2 to 15 lifts per minute", "0 to 8 hours", "1 to 240 minutes"):
        assert rng + " (" in text


@pytest.mark.parametrize("case", sorted(badfiles.LANDMARK_CASES))
def test_damaged_landmark_files_exit_2_naming_the_file(case, tmp_path, capsys):
    build, match = badfiles.LANDMARK_CASES[case]
    path = build(tmp_path)
    code, _, err = run(["analyze", str(path), "--task", "walk", "-q"], capsys)
    line = error_line(err)
    assert code == 2 and str(path) in line
    assert line.startswith("posture: error:")


@pytest.mark.parametrize("task", ["walk", "lift", "sit", "stretch", "auto"])
def test_all_nan_landmarks_exit_2_no_person_for_every_task(task, tmp_path, capsys):
    path = badfiles.all_nan_npz(tmp_path)
    code, _, err = run(["analyze", str(path), "--task", task, "-q"], capsys)
    assert code == 2
    assert f"no person was found in {path}" in error_line(err)


def test_missing_folder_and_unreadable_inputs(tmp_path, capsys, monkeypatch, no_extraction):
    code, _, err = run(["analyze", str(tmp_path / "nope.mp4"), "--task", "walk"], capsys)
    assert code == 2 and "no such file" in error_line(err)
    (tmp_path / "dir.mp4").mkdir()
    code, _, err = run(["analyze", str(tmp_path / "dir.mp4"), "--task", "walk"], capsys)
    assert code == 2 and "is a folder" in error_line(err)
    video = tmp_path / "locked.mp4"
    video.write_bytes(b"\0" * 100)
    import posture.files as files

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "open", denied, raising=False)  # chmod 000 does not stop root
    code, _, err = run(["analyze", str(video), "--task", "walk"], capsys)
    assert code == 2 and "permission denied" in error_line(err)


def test_output_paths_are_checked_before_any_extraction(tmp_path, capsys, no_extraction):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\0" * 100)
    for argv in (["analyze", str(video), "--task", "walk", "--json", str(tmp_path / "no" / "r.json")],
                 ["landmarks", str(video), "-o", str(tmp_path / "no" / "x.npz")],
                 ["baseline", str(video), "-o", str(tmp_path / "no" / "b.json")]):
        code, _, err = run(argv, capsys)
        assert code == 2 and "does not exist; create it first" in error_line(err)
    code, _, err = run(["analyze", str(video), "--task", "walk", "--json", str(tmp_path)], capsys)
    assert code == 2 and "is a folder" in error_line(err)


def test_a_garbage_model_is_refused(tmp_path, capsys, no_extraction, monkeypatch):
    junk = tmp_path / "some.txt"
    junk.write_text("not a model")
    code, out, err = run(["model", "--model", str(junk)], capsys)
    assert code == 2 and "not a .task model bundle" in error_line(err) and "sha256" not in out
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\0" * 100)
    code, _, err = run(["analyze", str(video), "--task", "walk", "--model", str(junk)], capsys)
    assert code == 2 and "not a .task model bundle" in error_line(err)
    monkeypatch.setenv("POSTURE_MODEL", str(junk))
    code, _, err = run(["landmarks", str(video), "-o", str(tmp_path / "x.npz")], capsys)
    assert code == 2 and str(junk) in error_line(err)


def test_bad_baseline_and_reference_files(tmp_path, lm, capsys):
    wrong_types = tmp_path / "types.json"
    wrong_types.write_text(json.dumps({"schema": "posture.sit.baseline/1", "view": "side", "features": {"a": "x"},
                                       "n_frames": "many"}))
    code, _, err = run(["analyze", lm, "--task", "sit", "--baseline", str(wrong_types)], capsys)
    assert code == 2 and str(wrong_types) in error_line(err)
    (tmp_path / "dir.json").mkdir()
    code, _, err = run(["analyze", lm, "--task", "sit", "--baseline", str(tmp_path / "dir.json")], capsys)
    assert code == 2 and "is a folder" in error_line(err)
    latin = tmp_path / "ref.json"
    latin.write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    code, _, err = run(["analyze", lm, "--task", "stretch", "--reference", str(latin)], capsys)
    assert code == 2 and "not UTF-8" in error_line(err)


def test_unexpected_errors_exit_1_with_one_line_and_traceback_only_when_verbose(lm, capsys, monkeypatch):
    from posture import analyses

    def bug(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(analyses, "run_analysis", bug)
    code, _, err = run(["analyze", lm, "--task", "walk", "-q"], capsys)
    assert code == 1 and "Traceback" not in err
    assert "unexpected error: ZeroDivisionError: boom" in err and "--verbose" in err
    code, _, err = run(["analyze", lm, "--task", "walk", "-q", "--verbose"], capsys)
    assert code == 1 and "Traceback" in err


def test_a_photo_for_walking_is_a_report_that_judged_nothing(tmp_path, capsys):
    """Issue 10: a photo on the walking task gives not_assessed findings that say what to film, never an error."""
    import dataclasses
    import json

    seq = badfiles.good_walker().slice(0, 1)
    photo = save(seq.replace(video=dataclasses.replace(seq.video, is_image=True, fps=0.0)), tmp_path / "photo.npz")
    out = tmp_path / "r.json"
    code, _, _ = run(["analyze", str(photo), "--task", "walk", "-q", "--json", str(out)], capsys)
    report = json.loads(out.read_text())
    assert code == 0 and report["summary"]["status"] == "not_enough_judged"
    assert all(f["severity"] == "not_assessed" and "a photo shows one moment" in f["reason"] for f in report["findings"])
    code, _, _ = run(["analyze", str(photo), "--task", "sit", "-q"], capsys)
    assert code == 0  # sitting is judged from a photo
