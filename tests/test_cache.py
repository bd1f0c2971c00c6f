"""The landmark cache: atomic unique-name writes, damaged entries rebuilt, one extraction under
concurrency, the caller's path in the result, and an unwritable cache that costs only the cache."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import posture.io.cache as cache
from posture.errors import PostureWarning
from posture.io.extract import ExtractOptions, PoseTracks
from posture.sequence import Provenance
from tests.badfiles import good_walker


def fake_tracks(path: str = "<fake>") -> PoseTracks:
    s = good_walker(1.0)
    return PoseTracks(xy_px=s.xy_px[None], depth_px=s.depth_px[None], world_m=s.world_m[None],
                      visibility=s.visibility[None], presence=s.presence[None], timestamps_s=s.timestamps_s,
                      people_count=np.ones(s.n_frames, np.int64), video=dataclasses.replace(s.video, path=path),
                      provenance=Provenance(model="fake"))


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A fake model and video, a cache folder, and an extract_tracks that counts its calls."""
    model = tmp_path / "model.task"
    model.write_bytes(b"model")
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"video bytes")
    calls = []

    def extract(path, model_path, options, progress=None):
        calls.append(str(path))
        time.sleep(0.3)  # long enough for concurrent callers to overlap
        return fake_tracks(str(path))

    monkeypatch.setattr(cache, "extract_tracks", extract)
    return dict(model=model, video=video, root=tmp_path / "cache", calls=calls)


def get(s, video=None):
    return cache.cached_tracks(video or s["video"], ExtractOptions(), model_path=s["model"], cache_dir=s["root"])


def test_concurrent_saves_to_one_entry_never_collide(tmp_path):
    # Before: every writer used '<key>.tmp.npz', so one writer's os.replace moved another's file away.
    tracks, target, errors = fake_tracks(), tmp_path / "k.npz", []

    def save():
        try:
            for _ in range(5):
                cache.save_tracks(tracks, target)
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=save) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cache.load_tracks(target).timestamps_s.shape == tracks.timestamps_s.shape
    assert [p.name for p in tmp_path.iterdir()] == ["k.npz"]  # no temporary files left behind


def test_a_damaged_entry_is_deleted_and_rebuilt_with_a_warning(setup):
    get(setup)
    (entry,) = setup["root"].glob("*.npz")
    raw = entry.read_bytes()
    entry.write_bytes(raw[: len(raw) // 3])  # truncated, as a full disk or a crash of another tool leaves it
    with pytest.warns(PostureWarning, match="damaged cache entry.*extracting the landmarks again"):
        tracks = get(setup)
    assert tracks.n_tracks == 1 and len(setup["calls"]) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get(setup)  # healed: loads without a warning and without extracting
    assert len(setup["calls"]) == 2


def test_the_result_names_the_callers_path_not_the_first_filler(setup, tmp_path):
    other = tmp_path / "same_content.mp4"
    shutil.copy(setup["video"], other)
    assert get(setup).video.path == str(setup["video"])
    assert get(setup, other).video.path == str(other)
    assert len(setup["calls"]) == 1


def test_concurrent_callers_extract_once_and_all_get_the_result(setup):
    results, errors = [], []

    def run():
        try:
            results.append(get(setup))
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 4
    assert len(setup["calls"]) == 1  # the others waited on the entry's lock, then loaded


def test_an_unwritable_cache_costs_only_the_cache(setup, monkeypatch):
    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache, "save_tracks", full)
    with pytest.warns(PostureWarning, match="could not write the landmark cache"):
        assert get(setup).n_tracks == 1


@pytest.mark.model
@pytest.mark.real
def test_four_concurrent_analyze_runs_on_an_empty_cache_all_succeed(tmp_path, model_path):
    """The issue's acceptance test: 4 x `posture analyze` at once, empty cache, same clip content under 4 names."""
    import av

    from tests.conftest import real_path
    from tests.media import write_video

    src = real_path("lift/upfall_pickup_side_stoop.mp4")
    with av.open(str(src)) as c:
        frames = [f.to_ndarray(format="rgb24", width=320, height=240)
                  for _, f in zip(range(27), c.decode(video=0), strict=False)]
    clip = write_video(tmp_path / "clip0.mp4", frames, fps=18)  # 1.5 s, small: CPU is scarce
    paths = [clip] + [Path(shutil.copy(clip, tmp_path / f"clip{i}.mp4")) for i in (1, 2, 3)]
    env = dict(os.environ, POSTURE_CACHE_DIR=str(tmp_path / "cache"), POSTURE_MODEL=str(model_path),
               PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    procs = [subprocess.Popen([sys.executable, "-m", "posture", "analyze", str(p), "--task", "walk", "-q",
                               "--json", str(tmp_path / f"r{i}.json")], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i, p in enumerate(paths)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    for i, p in enumerate(paths):
        assert json.loads((tmp_path / f"r{i}.json").read_text())["input"]["path"] == str(p)
    entries = list((tmp_path / "cache" / "tracks").glob("*.npz"))
    assert len(entries) == 1 and not list((tmp_path / "cache" / "tracks").glob("*.tmp*"))


def test_temporary_files_of_killed_writers_are_swept_once_stale(setup):
    root = setup["root"]
    root.mkdir(parents=True)
    old, fresh = root / ".abc.x1.tmp.npz", root / ".abc.x2.tmp.npz"
    for f in (old, fresh):
        f.write_bytes(b"half written")
    day_ago = time.time() - cache.STALE_TEMP_S - 60
    os.utime(old, (day_ago, day_ago))
    get(setup)
    assert not old.exists() and fresh.exists()  # a fresh one may belong to a writer still running


def test_a_stuck_lock_holder_delays_but_never_hangs_the_others(setup, monkeypatch):
    import fcntl

    monkeypatch.setattr(cache, "LOCK_WAIT_S", 0.5)
    root = setup["root"]
    root.mkdir(parents=True)
    key = cache.cache_key(setup["video"], setup["model"], ExtractOptions())
    fd = os.open(root / f"{key}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process that hangs while extracting
    try:
        t0 = time.monotonic()
        assert get(setup).n_tracks == 1
        assert 0.4 < time.monotonic() - t0 < 5
    finally:
        os.close(fd)
