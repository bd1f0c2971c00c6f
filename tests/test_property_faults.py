"""Property-based fault tests (hypothesis): whatever damage a cache entry or a history database
takes, and whatever text an option gets, the result is a working value, a rebuilt entry, a new
history, or a posture error: never another exception."""

from __future__ import annotations

import argparse
import math
import shutil
import warnings
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import posture.io.cache as cache
from posture.analyses import LIMITS, AnalyzeOptions
from posture.cli import _ranged
from posture.errors import OptionError, PostureError
from posture.history import History, HistoryError
from posture.io.extract import ExtractOptions
from tests.test_cache import fake_tracks

FAULTS = settings(max_examples=30, deadline=timedelta(seconds=10), derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

number_texts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "-inf", "1e9", "0", "-0", "", " ", "1,5", "0x10", "1_000", "١٧٠", "170cm"]),
    st.text(max_size=8),
)


@FAULTS
@given(name=st.sampled_from(sorted(LIMITS)), text=number_texts)
def test_option_parsers_return_a_value_in_range_or_refuse(name, text):
    lim = LIMITS[name]
    try:
        v, message = _ranged(name)(text), ""
    except argparse.ArgumentTypeError as e:
        v, message = None, str(e)
    if message:
        assert f"{lim.lo:g} to {lim.hi:g}" in message
    else:
        assert math.isfinite(v) and lim.lo <= v <= lim.hi


@FAULTS
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6), st.text(max_size=4)))
def test_analyze_options_hold_only_values_in_range(value):
    for name in LIMITS:
        try:
            opts = AnalyzeOptions(**{name: value})
        except OptionError:
            continue
        v = getattr(opts, name)
        assert math.isfinite(v) and v <= LIMITS[name].hi


@pytest.fixture(scope="module")
def entry(tmp_path_factory):
    d = tmp_path_factory.mktemp("entry")
    return cache.save_tracks(fake_tracks(), d / "k.npz").read_bytes()


@FAULTS
@given(data=st.data())
def test_any_damaged_cache_entry_is_loaded_or_rebuilt(tmp_path_factory, entry, monkeypatch_module, data):
    d = tmp_path_factory.mktemp("c")
    model, video = d / "m.task", d / "v.mp4"
    model.write_bytes(b"m")
    video.write_bytes(b"v")
    key = cache.cache_key(video, model, ExtractOptions())
    raw = bytearray(entry)
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        for k in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=10)):
            raw[k] ^= data.draw(st.integers(1, 255))
    (d / "tracks").mkdir()
    (d / "tracks" / f"{key}.npz").write_bytes(bytes(raw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracks = cache.cached_tracks(video, ExtractOptions(), model_path=model, cache_dir=d / "tracks")
    assert tracks.video.path == str(video) and tracks.n_tracks == 1


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    mp.setattr(cache, "extract_tracks", lambda path, model, options, progress=None: fake_tracks(str(path)))
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def history_file(tmp_path_factory):
    from tests.test_app_fakes import fake_report, slouching_walker

    rep = fake_report(slouching_walker())
    p = tmp_path_factory.mktemp("h") / "h.db"
    h = History(p)
    for i in range(12):
        h.add(rep, f"{i}.mp4")
    return p.read_bytes(), rep


@FAULTS
@given(data=st.data())
def test_a_damaged_history_gives_entries_a_new_history_or_a_history_error(tmp_path_factory, history_file, data):
    raw, rep = bytearray(history_file[0]), history_file[1]
    for k in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=40)):
        raw[k] ^= data.draw(st.integers(1, 255))
    d = tmp_path_factory.mktemp("hf")
    p = d / "h.db"
    p.write_bytes(bytes(raw))
    h = History(p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            h.entries()
        except HistoryError:
            pass
        try:
            new_id = h.add(rep, "new.mp4")  # never into a damaged file: kept aside, new history started
        except HistoryError:
            return
        try:
            names = [e.source_name for e in h.entries()]
        except PostureError:
            names = None  # damage that quick_check cannot see may still make reads fail cleanly
    if list(d.glob("h.db.damaged-*")):
        assert names == ["new.mp4"] and new_id == 1
    shutil.rmtree(d, ignore_errors=True)
