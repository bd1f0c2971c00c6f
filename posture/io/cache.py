"""Cache of extracted tracks, keyed by the input file's content, the model and the options.

Extraction is the slow step (about 10 to 20 frames per second on 2 cores);
re-analysing the same clip, and the real-footage tests, load from here instead.

Safe under several processes and app sessions at once:

- an entry is written to a uniquely named temporary file in the cache folder and
  moved into place with ``os.replace`` (atomic), so a reader sees a whole entry or none;
- while one process extracts a file, others asking for the same entry wait on a
  lock file (``fcntl.flock``, released by the OS even if the process dies) and then
  load its result instead of extracting again;
- an entry that fails to load (truncated, damaged) is deleted and rebuilt, with a
  :class:`~posture.errors.PostureWarning`;
- a cache folder that cannot be written costs the cache, never the analysis (a warning);
- the tracks returned name the path the caller gave, not the file that first filled the entry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from posture.errors import PostureError, PostureWarning
from posture.files import _meta, _parse_meta
from posture.io.extract import ExtractOptions, PoseTracks, ProgressFn, extract_tracks
from posture.io.model import default_cache_dir, resolve_model_path, sha256_file

log = logging.getLogger(__name__)
CACHE_VERSION = 3  # bump when extraction changes what it stores


def cache_key(path: str | os.PathLike[str], model_path: Path, options: ExtractOptions) -> str:
    h = hashlib.sha256()
    h.update(sha256_file(path).encode())
    h.update(sha256_file(model_path).encode())
    h.update(json.dumps(options.cache_fields(), sort_keys=True).encode())
    h.update(str(CACHE_VERSION).encode())
    return h.hexdigest()[:24]


_TRACK_ARRAYS = ("xy_px", "depth_px", "world_m", "visibility", "presence", "timestamps_s", "people_count")


def save_tracks(tracks: PoseTracks, path: str | os.PathLike[str]) -> Path:
    """Write ``tracks`` atomically: a unique temporary file in the same folder, then ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = dict(
        xy_px=tracks.xy_px, depth_px=tracks.depth_px, world_m=tracks.world_m, visibility=tracks.visibility,
        presence=tracks.presence, timestamps_s=tracks.timestamps_s, people_count=tracks.people_count,
        meta=np.array(_meta(tracks.video, tracks.provenance)),
    )
    if tracks.masks is not None:
        arrays["masks"] = tracks.masks
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp.npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def load_tracks(path: str | os.PathLike[str]) -> PoseTracks:
    """Read a cache entry; any damage raises :class:`CacheEntryError`."""
    try:
        with np.load(path, allow_pickle=False) as z:
            d = {k: z[k] for k in z.files}
        video, prov = _parse_meta(str(d.pop("meta")), str(path))
        masks = d.pop("masks", None)
        missing = set(_TRACK_ARRAYS) - set(d)
        if missing:
            raise ValueError(f"missing arrays {sorted(missing)}")
        tracks = PoseTracks(video=video, provenance=prov, masks=masks, **{k: d[k] for k in _TRACK_ARRAYS})
        n = len(tracks.timestamps_s)
        if tracks.xy_px.ndim != 4 or tracks.xy_px.shape[1:] != (n, 33, 2) or tracks.people_count.shape != (n,):
            raise ValueError(f"inconsistent shapes: xy_px {tracks.xy_px.shape}, {n} timestamps")
    except Exception as e:  # noqa: BLE001 - zip, zlib, EOF and format errors all mean a damaged entry
        raise CacheEntryError(f"{path}: damaged cache entry ({type(e).__name__}: {e})") from e
    return tracks


class CacheEntryError(PostureError):
    """A cache entry could not be read; :func:`cached_tracks` deletes and rebuilds it."""


# Our choice: a stuck extraction elsewhere delays others by at most this long; then they extract
# too (safe: writes are atomic), so nothing ever hangs on a lock.
LOCK_WAIT_S = 900.0


@contextlib.contextmanager
def _entry_lock(file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<entry>.lock`` so one process extracts while the others wait.

    Without ``fcntl`` (Windows) or on a read-only cache there is no lock: correctness
    then rests on the atomic writes alone (the same file may be extracted twice).
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        fd = os.open(file.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    log.warning("waited %.0f s for another process extracting into %s; extracting here too",
                                LOCK_WAIT_S, file)
                    break
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock


STALE_TEMP_S = 24 * 3600  # our choice: no extraction writes its result for longer than a day


def _sweep_stale_temps(root: Path) -> None:
    """Remove temporary files left by processes killed mid-write (SIGKILL, power loss), once they are old."""
    now = time.time()
    for f in root.glob("*.tmp.npz"):
        with contextlib.suppress(OSError):
            if now - f.stat().st_mtime > STALE_TEMP_S:
                f.unlink()


def _with_path(tracks: PoseTracks, path: str | os.PathLike[str]) -> PoseTracks:
    if tracks.video.path == str(path):
        return tracks
    return dataclasses.replace(tracks, video=dataclasses.replace(tracks.video, path=str(path)))


def _load_or_drop(file: Path) -> PoseTracks | None:
    """The entry at ``file``, or None when there is none; a damaged entry is deleted with a warning."""
    if not file.is_file():
        return None
    try:
        return load_tracks(file)
    except CacheEntryError as e:
        warnings.warn(f"{e}; deleted it, extracting the landmarks again", PostureWarning, stacklevel=3)
        with contextlib.suppress(OSError):
            file.unlink()
        return None


def cached_tracks(path: str | os.PathLike[str], options: ExtractOptions = ExtractOptions(),
                  model_path: str | os.PathLike[str] | None = None, cache_dir: str | os.PathLike[str] | None = None,
                  progress: ProgressFn | None = None) -> PoseTracks:
    """:func:`extract_tracks`, reusing a previous result for the same file, model and options.

    The returned tracks' ``video.path`` is ``path`` as given.
    """
    model = resolve_model_path(model_path)
    root = Path(cache_dir) if cache_dir else default_cache_dir() / "tracks"
    file = root / f"{cache_key(path, model, options)}.npz"
    tracks = _load_or_drop(file)
    if tracks is not None:
        return _with_path(tracks, path)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # reported when saving
    with _entry_lock(file):
        tracks = _load_or_drop(file)  # another process may have filled it while we waited
        if tracks is not None:
            log.info("landmarks of %s were extracted by another process meanwhile", path)
            return _with_path(tracks, path)
        _sweep_stale_temps(root)
        tracks = extract_tracks(path, model, options, progress)
        try:
            save_tracks(tracks, file)
        except OSError as e:
            warnings.warn(f"could not write the landmark cache {file} ({e.strerror or e}); the result is not cached, "
                          f"so the next run extracts again (set POSTURE_CACHE_DIR to a writable folder)",
                          PostureWarning, stacklevel=2)
    return _with_path(tracks, path)


def _extract_one(job: tuple[str, ExtractOptions, str | None, str | None]) -> str:
    path, options, model_path, cache_dir = job
    cached_tracks(path, options, model_path, cache_dir)
    return path


def prefetch(jobs: list[tuple[str | os.PathLike[str], ExtractOptions]], model_path: str | os.PathLike[str] | None = None,
             cache_dir: str | os.PathLike[str] | None = None, workers: int | None = None) -> list[str]:
    """Extract and cache several files, in parallel processes when cores allow; returns the paths extracted.

    One landmarker keeps one core busy and each extraction already runs
    ``inference_workers`` of them, so by default files run side by side only
    while there are spare cores. Files already cached are skipped.
    """
    if workers is None:
        per_file = max((o.inference_workers for _, o in jobs), default=1)
        workers = max(1, (os.cpu_count() or 2) // max(1, per_file))
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    model = resolve_model_path(model_path)
    root = Path(cache_dir) if cache_dir else default_cache_dir() / "tracks"
    todo = [(str(p), o, str(model), str(root)) for p, o in jobs if not (root / f"{cache_key(p, model, o)}.npz").is_file()]
    if len(todo) <= 1 or workers <= 1:
        return [_extract_one(j) for j in todo]
    # spawn, not fork: MediaPipe holds threads that a forked child must not inherit
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        return list(pool.map(_extract_one, sorted(todo, key=lambda j: -os.path.getsize(j[0]))))
