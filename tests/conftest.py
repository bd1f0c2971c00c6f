"""Shared fixtures.

- The pose model and extracted landmarks are cached under pytest's cache folder
  (``.pytest_cache/d/posture``), so each real clip is run through the model once
  per checkout, not once per test. Set POSTURE_CACHE_DIR to use another folder.
- Real footage lives in ``../shared/datasets/real`` (or $POSTURE_REAL_DATA);
  tests that need it skip with a message when it is absent.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("POSTURE_REAL_DATA", REPO.parent / "shared" / "datasets" / "real"))
SKIP_REAL = f"real footage not found at {REAL} (set POSTURE_REAL_DATA to run the acceptance tests)"


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("POSTURE_CACHE_DIR"):
        cache = getattr(config, "cache", None)  # absent under -p no:cacheprovider
        folder = cache.mkdir("posture") if cache else REPO / ".pytest_cache" / "d" / "posture"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["POSTURE_CACHE_DIR"] = str(folder)


def real_path(rel: str) -> Path:
    """Path of a real clip or photo; skips the calling test when the data set is absent."""
    p = REAL / rel
    if not REAL.is_dir():
        pytest.skip(SKIP_REAL)
    if not p.exists():
        pytest.skip(f"{p} is missing from the real data set")
    return p


def real_labels(name: str) -> dict:
    """One labels file from ``real/labels`` (e.g. ``gait_events``), skipping when absent."""
    p = REAL / "labels" / f"{name}.json"
    if not p.is_file():
        pytest.skip(SKIP_REAL)
    return json.loads(p.read_text())


def _options(rel: str, masks: bool | None = None, fast: bool = False):
    from posture.io.extract import ExtractOptions

    # lift clips are analysed with person masks (see posture.analyses.TASKS); without ``fast`` the people count is
    # ExtractOptions' default, so the acceptance tests follow it if it ever changes
    opts = ExtractOptions(output_masks=rel.startswith("lift/") if masks is None else masks)
    return dataclasses.replace(opts, adaptive_poses=True) if fast else opts


@functools.cache
def _prefetch_all() -> None:
    """First real-data request of a session: extract every uncached real file, using every core."""
    from posture.io.cache import prefetch

    files = sorted(p for p in REAL.glob("*/*") if p.suffix.lower() in (".mp4", ".jpg", ".png", ".mov"))
    extracted = prefetch([(p, _options(str(p.relative_to(REAL)))) for p in files])
    if extracted:
        print(f"\nposture: extracted landmarks of {len(extracted)} real files into the cache (first run only)")


@functools.cache
def _tracks(rel: str, masks: bool, fast: bool = False):
    from posture.io.cache import cached_tracks

    _prefetch_all()
    return cached_tracks(real_path(rel), _options(rel, masks, fast))


def real_tracks(rel: str, masks: bool = False, fast: bool = False):
    """All people tracked in a real file (extracted once, then cached on disk and in memory); ``fast``: with
    the adaptive people count (``posture --fast``), a second valid set of landmarks."""
    real_path(rel)
    return _tracks(rel, masks, fast)


def real_sequence(rel: str, subject: str = "largest", masks: bool = False, fast: bool = False):
    """The followed subject's PoseSequence in a real file."""
    return real_tracks(rel, masks, fast).select(subject)


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The pose model bundle, built from the mediapipe 0.10.21 wheel on first use."""
    from posture.io.model import resolve_model_path

    return resolve_model_path()
