"""posture batch --engine ray: a local Ray with 2 CPUs, the same reports as the local engine, resume, no shared files.

Skips with a message starting "RAY TESTS SKIPPED" when ray is not importable
(it is pinned in requirements.txt; elsewhere: pip install 'posture[cluster]').
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

ray = pytest.importorskip(
    "ray", reason="RAY TESTS SKIPPED: ray is not importable (pip install -r requirements.txt, or 'posture[cluster]')")

from posture.analyses import AnalyzeOptions  # noqa: E402
from posture.batch import Job, run_batch  # noqa: E402
from posture.batch_ray import node_model_path, ray_task  # noqa: E402
from posture.batch_summary import read_summary  # noqa: E402
from posture.files import save  # noqa: E402
from posture.synthetic import walker  # noqa: E402

from .conftest import REAL, real_path, real_tracks  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module: 2 CPUs (as in CI), no dashboard; workers import this checkout."""
    if ray.is_initialized():
        ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(REPO), "POSTURE_CACHE_DIR": os.environ["POSTURE_CACHE_DIR"]}})
    yield
    ray.shutdown()


def _walkers(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [save(walker(duration_s=3.0, cadence_spm=100 + 5 * i)[0], folder / f"w{i}.npz") for i in range(n)]


def test_ray_engine_writes_what_the_local_engine_writes(tmp_path, local_ray):
    _walkers(tmp_path / "in", 3)
    (tmp_path / "in" / "broken.npz").write_bytes(b"garbage")
    opts = AnalyzeOptions(height_cm=180)
    local = run_batch([tmp_path / "in"], "walk", tmp_path / "local", opts, workers=1)
    remote = run_batch([tmp_path / "in"], "walk", tmp_path / "ray", opts, engine="ray")
    assert local.exit_code == remote.exit_code == 2
    assert [e["status"] for e in remote.entries] == ["bad_input", "ok", "ok", "ok"]
    assert "broken.npz" in remote.entries[0]["error"] and "posture-batch-" not in remote.entries[0]["error"]
    for f in (tmp_path / "local" / "reports").iterdir():
        here, there = f.read_text().splitlines(), (tmp_path / "ray" / "reports" / f.name).read_text().splitlines()
        assert here == there, f"{f.name}: first difference " + next(
            (f"{a!r} != {b!r}" for a, b in zip(here, there, strict=False) if a != b), "in length")

    def rows(name: str) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in read_summary(tmp_path / name / "summary.csv")]

    assert rows("ray") == rows("local")
    again = run_batch([tmp_path / "in"], "walk", tmp_path / "ray", opts, engine="ray")
    assert (again.analysed, again.skipped) == (0, 4)  # resumed: nothing to do


def test_shared_fs_mode_reads_paths_on_the_worker(tmp_path, local_ray):
    _walkers(tmp_path / "in", 2)
    res = run_batch([tmp_path / "in"], "walk", tmp_path / "out", engine="ray", ray_options={"shared_fs": True})
    assert res.exit_code == 0 and res.count("ok") == 2


def test_a_node_runs_as_many_files_as_the_local_pool(local_ray):
    from posture.batch import FILE_CORES
    from posture.batch_ray import default_cpus_per_file

    per_file = default_cpus_per_file(ray)
    assert int(2 // per_file) == math.ceil(2 / FILE_CORES) == 2  # the 2-CPU local Ray: 2 files at once


def test_worker_needs_only_the_bytes_not_the_path(tmp_path):
    (src,) = _walkers(tmp_path / "in", 1)
    job = Job(source="/driver/only/clinic/w0.npz", task="walk", options=AnalyzeOptions())
    res = ray_task(job, src.read_bytes(), None, "", True)
    assert res["status"] == "ok" and '"task": "walk"' in res["report_json"]
    bad = ray_task(job, b"garbage", None, "", True)
    assert bad["status"] == "bad_input" and bad["error"].startswith("/driver/only/clinic/w0.npz")


def test_model_bytes_are_written_once_per_node(tmp_path, monkeypatch):
    import hashlib

    from posture import batch_ray

    monkeypatch.setenv("POSTURE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(batch_ray, "_NODE_MODELS", {})
    data = b"pretend model"
    sha = hashlib.sha256(data).hexdigest()
    first = node_model_path(data, sha, "pose_landmarker_x.task")
    assert Path(first).name == "pose_landmarker_x.task"  # the report's provenance names the model file
    mtime = os.stat(first).st_mtime_ns
    monkeypatch.setattr(batch_ray, "_NODE_MODELS", {})  # a second worker process on the same node
    assert node_model_path(data, sha, "pose_landmarker_x.task") == first and os.stat(first).st_mtime_ns == mtime
    assert Path(first).read_bytes() == data


@pytest.mark.real
def test_dev_lift_clips_one_row_per_clip_on_both_engines(tmp_path, local_ray):
    folder = real_path("lift")
    clips = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".mp4", ".jpg"))
    for p in clips:  # landmarks from the shared cache (extracted once per checkout)
        real_tracks(str(p.relative_to(REAL)), masks=True)
    local = run_batch([folder], "lift", tmp_path / "local", AnalyzeOptions(load_kg=10), workers=1)
    remote = run_batch([folder], "lift", tmp_path / "ray", AnalyzeOptions(load_kg=10), engine="ray")
    for res in (local, remote):
        rows = read_summary(res.out_dir / "summary.csv")
        assert sorted(Path(r["file"]).name for r in rows) == [p.name for p in clips]
        assert all(r["status"] in ("ok", "bad_input") for r in rows)
        assert all(r["reba_score"] for r in rows if r["status"] == "ok" and r["view"] == "side")
    for f in (tmp_path / "local" / "reports").iterdir():
        assert f.read_text() == (tmp_path / "ray" / "reports" / f.name).read_text()


def test_cli_starts_and_stops_its_own_local_ray(tmp_path):
    """`posture batch --engine ray` with no Ray running: starts one (workers import this checkout), then stops it."""
    import subprocess
    import sys

    _walkers(tmp_path / "in", 2)
    r = subprocess.run([sys.executable, "-m", "posture", "batch", str(tmp_path / "in"), "--task", "walk", "--out",
                        str(tmp_path / "out"), "--engine", "ray"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr[-2000:]
    assert "2 of 2 analysed" in r.stdout and "(ray)" in r.stdout
    assert [row["status"] for row in read_summary(tmp_path / "out" / "summary.csv")] == ["ok", "ok"]
