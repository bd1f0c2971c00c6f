"""Cache of extracted tracks, keyed by the input file's content, the model and the options.

Extraction is the slow step (about 10 to 20 frames per second on 2 cores);
re-analysing the same clip, and the real-footage tests, load from here instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

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


def save_tracks(tracks: PoseTracks, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = dict(
        xy_px=tracks.xy_px, depth_px=tracks.depth_px, world_m=tracks.world_m, visibility=tracks.visibility,
        presence=tracks.presence, timestamps_s=tracks.timestamps_s, people_count=tracks.people_count,
        meta=np.array(_meta(tracks.video, tracks.provenance)),
    )
    if tracks.masks is not None:
        arrays["masks"] = tracks.masks
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)
    return path


def load_tracks(path: str | os.PathLike[str]) -> PoseTracks:
    with np.load(path, allow_pickle=False) as z:
        d = {k: z[k] for k in z.files}
    video, prov = _parse_meta(str(d.pop("meta")), str(path))
    return PoseTracks(video=video, provenance=prov, masks=d.pop("masks", None), **d)


def cached_tracks(path: str | os.PathLike[str], options: ExtractOptions = ExtractOptions(),
                  model_path: str | os.PathLike[str] | None = None, cache_dir: str | os.PathLike[str] | None = None,
                  progress: ProgressFn | None = None) -> PoseTracks:
    """:func:`extract_tracks`, reusing a previous result for the same file, model and options."""
    model = resolve_model_path(model_path)
    root = Path(cache_dir) if cache_dir else default_cache_dir() / "tracks"
    file = root / f"{cache_key(path, model, options)}.npz"
    if file.is_file():
        try:
            return load_tracks(file)
        except (OSError, ValueError, KeyError) as e:
            log.warning("ignoring unreadable cache file %s: %s", file, e)
    tracks = extract_tracks(path, model, options, progress)
    save_tracks(tracks, file)
    return tracks


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
