"""posture batch: same reports as analyze, summaries, people.csv, failures recorded, resume, exit codes.

Inputs are synthetic landmark files (posture.synthetic), so these tests need no model and run in seconds.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posture.analyses import AnalyzeOptions
from posture.batch import (
    LANDMARKERS_PER_FILE,
    MANIFEST,
    Job,
    collect_inputs,
    default_workers,
    load_people,
    read_manifest,
    run_batch,
)
from posture.batch_summary import FINDING_PREFIX, read_summary, worst_first
from posture.cli import main
from posture.files import save
from posture.synthetic import walker

REPO = Path(__file__).resolve().parent.parent


def _walkers(folder: Path, n: int = 3, duration_s: float = 4.0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        seq, _ = walker(duration_s=duration_s, cadence_spm=100 + 5 * i)
        paths.append(save(seq, folder / f"walker_{i}.npz"))
    return paths


def _analyze_json(path: Path, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / f"analyze_{path.stem}.json"
    assert main(["analyze", str(path), "--task", "walk", "--json", str(out), "-q", *extra]) == 0
    return out.read_text()


def test_reports_are_byte_for_byte_what_analyze_writes(tmp_path):
    files = _walkers(tmp_path / "in", 2)
    res = run_batch([tmp_path / "in"], "walk", tmp_path / "out", AnalyzeOptions(height_cm=175), workers=1)
    assert res.exit_code == 0 and res.analysed == 2
    for f in files:
        assert (tmp_path / "out" / "reports" / f"{f.stem}.json").read_text() == _analyze_json(
            f, tmp_path, "--height-cm", "175")


def test_summary_csv_one_row_per_input_with_failures_recorded(tmp_path):
    _walkers(tmp_path / "in", 2)
    (tmp_path / "in" / "broken.npz").write_bytes(b"not a zip")
    missing = tmp_path / "in" / "empty.mp4"
    missing.write_bytes(b"")
    res = run_batch([tmp_path / "in"], "walk", tmp_path / "out", workers=1)
    assert res.exit_code == 2  # some inputs were bad; the batch went on
    rows = read_summary(tmp_path / "out" / "summary.csv")
    assert [Path(r["file"]).name for r in rows] == ["broken.npz", "empty.mp4", "walker_0.npz", "walker_1.npz"]
    by = {Path(r["file"]).name: r for r in rows}
    assert by["broken.npz"]["status"] == "bad_input" and "broken.npz" in by["broken.npz"]["error"]
    assert by["empty.mp4"]["status"] == "bad_input" and by["empty.mp4"]["error"]
    ok = by["walker_0.npz"]
    assert ok["status"] == "ok" and ok["view"] == "side" and ok["report"] == "reports/walker_0.json"
    assert float(ok["cadence_spm"]) == pytest.approx(100, abs=3)
    assert ok[FINDING_PREFIX + "low_cadence"] in ("ok", "notice", "warning")
    report = json.loads((tmp_path / "out" / ok["report"]).read_text())
    assert ok["result"] == report["summary"]["status"] and ok["headline"] == report["summary"]["headline"]
    html = (tmp_path / "out" / "summary.html").read_text()
    assert 'href="reports/walker_0.json"' in html and "<script>" in html and "sortable" in html


def test_worst_first_orders_by_warnings_then_notices_failures_last():
    rows = [{"file": "a", "status": "ok", "finding.x": "ok"}, {"file": "b", "status": "bad_input"},
            {"file": "c", "status": "ok", "finding.x": "notice"},
            {"file": "d", "status": "ok", "finding.x": "warning", "finding.y": "notice"}]
    assert [r["file"] for r in worst_first(rows)] == ["d", "c", "a", "b"]


def test_people_csv_sets_person_and_per_person_values(tmp_path):
    files = _walkers(tmp_path / "in", 3)
    (tmp_path / "people.csv").write_text("file,person,height_cm\nwalker_0.npz,ann,160\nin/walker_[12].npz,bob,190\n")
    res = run_batch([tmp_path / "in"], "walk", tmp_path / "out", people=tmp_path / "people.csv", workers=1)
    assert res.exit_code == 0
    rows = {Path(r["file"]).name: r for r in read_summary(tmp_path / "out" / "summary.csv")}
    assert [rows[f.name]["person"] for f in files] == ["ann", "bob", "bob"]
    heights = [json.loads((tmp_path / "out" / rows[f.name]["report"]).read_text())["provenance"]
               ["analysis_parameters"]["height_cm"] for f in files]
    assert heights == [160, 190, 190]
    assert "By person" in (tmp_path / "out" / "summary.html").read_text()


@pytest.mark.parametrize(("text", "match"), [
    ("name,person\nx.npz,a\n", "missing file"),
    ("file,person,weight\nx.npz,a,3\n", "unknown column.*weight"),
    ("file,person,height_cm\nx.npz,a,tall\n", "line 2, column height_cm"),
    ("file,person,task\nx.npz,a,juggle\n", "line 2, column task"),
])
def test_people_csv_errors_name_the_problem(tmp_path, text, match):
    from posture.errors import PostureError

    (tmp_path / "p.csv").write_text(text)
    with pytest.raises(PostureError, match=match):
        load_people(tmp_path / "p.csv")


def test_inputs_from_files_folders_and_globs(tmp_path):
    files = _walkers(tmp_path / "in" / "deep", 2)
    (tmp_path / "in" / "people.csv").write_text("file,person\n")  # not a landmark CSV: not an input
    (tmp_path / "in" / "notes.txt").write_text("x")
    assert collect_inputs([tmp_path / "in"]) == files
    assert collect_inputs([str(tmp_path / "in" / "**" / "*_1.npz"), files[1]]) == [files[1]]  # each once
    from posture.errors import PostureError

    with pytest.raises(PostureError, match="no such file"):
        collect_inputs([tmp_path / "nope.mp4"])
    with pytest.raises(PostureError, match="matches no"):
        collect_inputs([str(tmp_path / "*.mov")])


def test_rerun_skips_done_inputs_and_redoes_changed_ones(tmp_path):
    files = _walkers(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert run_batch([tmp_path / "in"], "walk", out, workers=1).analysed == 3
    os.utime(files[2], ns=(time.time_ns(), time.time_ns()))  # touched, same bytes: hashed again, still done
    again = run_batch([tmp_path / "in"], "walk", out, workers=1)
    assert (again.analysed, again.skipped, again.exit_code) == (0, 3, 0)
    # a changed file, a damaged report and changed options are each done again
    seq, _ = walker(duration_s=4.0, cadence_spm=120)
    save(seq, files[0])
    (out / "reports" / "walker_1.json").write_text('{"task": "walk", "trunc')
    res = run_batch([tmp_path / "in"], "walk", out, workers=1)
    assert (res.analysed, res.skipped) == (2, 1)
    res = run_batch([tmp_path / "in"], "walk", out, AnalyzeOptions(height_cm=170), workers=1)
    assert res.analysed == 3
    assert len((out / MANIFEST).read_text().splitlines()) == 3  # compacted: one line per input


def test_torn_manifest_line_is_ignored(tmp_path):
    _walkers(tmp_path / "in", 2)
    out = tmp_path / "out"
    run_batch([tmp_path / "in"], "walk", out, workers=1)
    with open(out / MANIFEST, "a") as f:
        f.write('{"source_abs": "/x", "sta')  # what a kill -9 in the middle of a write leaves
    assert len(read_manifest(out)) == 2
    assert run_batch([tmp_path / "in"], "walk", out, workers=1).skipped == 2


def test_local_pool_gives_the_same_reports(tmp_path):
    _walkers(tmp_path / "in", 3, duration_s=3.0)
    one = run_batch([tmp_path / "in"], "walk", tmp_path / "one", workers=1)
    two = run_batch([tmp_path / "in"], "walk", tmp_path / "two", workers=2)
    assert two.workers == 2 and one.exit_code == two.exit_code == 0
    for f in (tmp_path / "one" / "reports").iterdir():
        assert f.read_text() == (tmp_path / "two" / "reports" / f.name).read_text()


def test_pool_size_leaves_each_file_its_landmarkers():
    from posture.io.extract import ExtractOptions

    assert LANDMARKERS_PER_FILE == ExtractOptions().inference_workers
    videos = [Job(f"v{i}.mp4", "walk", AnalyzeOptions()) for i in range(20)]
    landmarks = [Job(f"v{i}.npz", "walk", AnalyzeOptions()) for i in range(10)]
    assert [default_workers(videos, c) for c in (1, 2, 3, 4, 8, 16)] == [1, 2, 2, 3, 6, 11]
    assert default_workers(videos[:1], 8) == 1
    assert default_workers(landmarks, 4) == 4


def test_cli_exit_codes_and_shared_option_validation(tmp_path, capsys):
    _walkers(tmp_path / "in", 1)
    assert main(["batch", str(tmp_path / "in"), "--task", "walk", "--out", str(tmp_path / "out"), "-q"]) == 0
    assert "1 of 1 analysed" in capsys.readouterr().out
    (tmp_path / "in" / "bad.npz").write_bytes(b"x")
    assert main(["batch", str(tmp_path / "in"), "--task", "walk", "--out", str(tmp_path / "out"), "-q"]) == 2
    assert "bad.npz" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "nothing"), "--task", "walk", "--out", str(tmp_path / "o2"), "-q"]) == 2
    (tmp_path / "people.csv").write_text("file,person,height_cm\nwalker_0.npz,ann,1000\n")  # analyze's range check
    assert main(["batch", str(tmp_path / "in"), "--task", "walk", "--out", str(tmp_path / "o4"), "-q",
                 "--people", str(tmp_path / "people.csv")]) == 2
    assert "line 2, column height_cm: '1000'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:  # analyze's own choices/validators apply to batch
        main(["batch", str(tmp_path / "in"), "--task", "juggle", "--out", str(tmp_path / "o3")])
    assert e.value.code == 2


def test_resume_after_kill_9(tmp_path):
    """Kill the batch with SIGKILL once some reports exist; the re-run skips them and finishes the rest."""
    _walkers(tmp_path / "in", 16, duration_s=20.0)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "posture", "batch", str(tmp_path / "in"), "--task", "walk", "--out", str(out),
           "--workers", "1", "-q"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(read_manifest(out)) < 2 and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = read_manifest(out)
    assert 2 <= len(done) < 16, "the batch finished before it could be killed: make the inputs longer"
    for e in done.values():  # every journalled report is complete
        json.loads((out / "reports" / f"{e['key']}.json").read_text())
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"{len(done)} already done" in r.stdout
    with open(out / "summary.csv") as f:
        assert sum(1 for _ in csv.DictReader(f)) == 16


def test_a_dead_pool_worker_costs_only_its_files(tmp_path):
    """SIGKILL one pool process mid-batch: the files in flight are recorded as errors, the rest finish; a re-run
    redoes just those."""
    import multiprocessing as mp
    import threading

    _walkers(tmp_path / "in", 12, duration_s=20.0)
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_one() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(read_manifest(out)) < 2:
            time.sleep(0.05)
        workers = [p for p in mp.active_children() if p.name.startswith("SpawnProcess")]
        if workers:
            os.kill(workers[0].pid, signal.SIGKILL)
            killed.append(workers[0].pid)

    t = threading.Thread(target=kill_one)
    t.start()
    res = run_batch([tmp_path / "in"], "walk", out, workers=2)
    t.join()
    assert killed, "no pool process to kill"
    died = [e for e in res.entries if e["status"] == "error"]
    assert 1 <= len(died) <= 2 and all("worker process died" in e["error"] for e in died)
    assert res.count("ok") == 12 - len(died) and res.exit_code == 1
    again = run_batch([tmp_path / "in"], "walk", out, workers=2)
    assert (again.analysed, again.exit_code) == (len(died), 0)


def test_warnings_about_an_input_reach_the_summary(tmp_path, monkeypatch):
    import warnings

    from posture import analyses
    from posture.errors import PostureWarning

    real = analyses.analyze_file

    def damaged(path, *a, **kw):
        warnings.warn(f"{path}: 3 frame(s) could not be decoded", PostureWarning, stacklevel=2)
        return real(path, *a, **kw)

    monkeypatch.setattr(analyses, "analyze_file", damaged)
    (src,) = _walkers(tmp_path / "in", 1)
    res = run_batch([src], "walk", tmp_path / "out", workers=1)
    assert res.exit_code == 0 and res.entries[0]["warnings"] == [f"{src}: 3 frame(s) could not be decoded"]
    (row,) = read_summary(tmp_path / "out" / "summary.csv")
    assert row["warnings"] == f"{src}: 3 frame(s) could not be decoded"
