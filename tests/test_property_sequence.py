"""Property-based tests (hypothesis): PoseSequence validates any input into a sequence or a
PoseValidationError, never another exception; landmark files round-trip; damaged files give
posture errors only.

Also the strategies shared with tests/test_property_analyses.py: random but valid-shaped sequences
with NaN runs, one frame, constant poses, huge coordinates and uneven timestamps.
Examples are derandomized (the same on every run) and few, so the suite stays fast and stable.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posture.errors import PoseValidationError, PostureError
from posture.files import load, save
from posture.sequence import PoseSequence, VideoInfo

N = 33
FAST = settings(max_examples=40, deadline=timedelta(seconds=5), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# ------------------------------------------------------------------------------------------ strategies
floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@st.composite
def raw_arrays(draw):
    """Arbitrary (possibly invalid) arrays for PoseSequence: wrong shapes, inf, NaN, bad timestamps."""
    n = draw(st.integers(0, 6))
    shape_xy = draw(st.sampled_from([(n, N, 2), (n, N, 3), (n, 32, 2), (n,)]))
    fill = draw(floats)
    xy = np.full(shape_xy, fill)
    ts = np.array(draw(st.lists(floats, min_size=max(n - 1, 0), max_size=n + 1)), float)
    vis = np.full((n, N), draw(st.floats(-1, 2)))
    world = np.full((n, N, 3), draw(floats))
    return dict(xy_px=xy, world_m=world, visibility=vis, timestamps_s=ts)


@st.composite
def timestamps(draw, n: int, min_dt: float = 0.002, max_dt: float = 2.0):
    """Strictly increasing, uneven timestamps (a steady rate, or every interval drawn anew)."""
    t0 = draw(st.floats(0, 1000))
    if draw(st.booleans()):
        dt = np.full(max(n - 1, 0), draw(st.floats(min_dt, max_dt)))
    else:
        dt = np.array(draw(st.lists(st.floats(min_dt, max_dt), min_size=max(n - 1, 0), max_size=max(n - 1, 0))))
    return t0 + np.concatenate([[0.0], np.cumsum(dt)])


@st.composite
def sequences(draw, base: PoseSequence | None = None, max_frames: int = 60):
    """A valid-shaped PoseSequence: a real-looking base (or random points) with damage applied:
    NaN runs, a constant pose, one frame, huge or tiny coordinates, uneven timestamps."""
    if base is not None and draw(st.integers(0, 3)) > 0:  # mostly the real-looking base
        if draw(st.integers(0, 2)) > 0:
            seq = base  # the whole clip, so analyses get far enough to judge something
        else:
            start = draw(st.integers(0, base.n_frames - 1))
            stop = draw(st.integers(start + 1, min(base.n_frames, start + max_frames)))
            seq = base.slice(start, stop)
        xy, world, vis = np.array(seq.xy_px), np.array(seq.world_m), np.array(seq.visibility)
        n = seq.n_frames
        video = seq.video
        own_ts = np.array(seq.timestamps_s)
    else:
        n = draw(st.integers(1, max_frames))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        xy = rng.uniform(0, 1000, (n, N, 2))
        world = rng.uniform(-1, 1, (n, N, 3))
        vis = rng.uniform(0, 1, (n, N))
        own_ts = np.arange(n) / 30.0
        video = VideoInfo(path="<random>", fps=30.0, n_frames=n, width=1280, height=720)
    kind = draw(st.sampled_from(["as_is", "nan_runs", "constant", "scale", "all_but_one_nan", "low_visibility"]))
    if kind == "nan_runs":
        for _ in range(draw(st.integers(1, 4))):
            a = draw(st.integers(0, n - 1))
            b = draw(st.integers(a, n))
            cols = draw(st.sampled_from([slice(None), slice(0, 11), slice(23, 33), slice(11, 23)]))
            xy[a:b, cols] = np.nan
            world[a:b, cols] = np.nan
            vis[a:b, cols] = 0
    elif kind == "constant":
        xy[:] = xy[0]
        world[:] = world[0]
        vis[:] = vis[0]
    elif kind == "scale":
        s = draw(st.sampled_from([1e-6, 1e-3, 1e3, 1e6, 1e9]))
        xy = xy * s
        world = world * s
    elif kind == "all_but_one_nan":
        keep = draw(st.integers(0, n - 1))
        mask = np.arange(n) != keep
        xy[mask] = np.nan
        world[mask] = np.nan
        vis[mask] = 0
    elif kind == "low_visibility":
        vis = vis * draw(st.floats(0, 0.5))
    ts = own_ts if draw(st.booleans()) else draw(timestamps(n))
    return PoseSequence(xy_px=xy, world_m=world, visibility=np.nan_to_num(vis), timestamps_s=ts,
                        video=dataclasses.replace(video, n_frames=n))


# ------------------------------------------------------------------------------------------ properties
@FAST
@given(raw_arrays())
def test_pose_sequence_validates_anything_into_a_sequence_or_a_posture_error(kw):
    try:
        seq = PoseSequence(video=VideoInfo("x", 30.0, 3, 100, 100), **kw)
    except PoseValidationError as e:
        message = str(e)
    else:
        message = ""
    assert "\n" not in message
    if message:
        return
    assert seq.n_frames >= 1 and np.all(np.diff(seq.timestamps_s) > 0)
    assert not np.isinf(seq.xy_px).any() and not np.isinf(seq.world_m).any()
    assert seq.visibility.min() >= 0 and seq.visibility.max() <= 1


@FAST
@given(seq=sequences(), suffix=st.sampled_from([".npz", ".csv"]))
def test_landmark_files_round_trip(tmp_path_factory, seq, suffix):
    path = save(seq, tmp_path_factory.mktemp("rt") / f"s{suffix}")
    back = load(path)
    assert back.n_frames == seq.n_frames and back.video == seq.video
    if suffix == ".npz":
        np.testing.assert_array_equal(back.xy_px, seq.xy_px)
        np.testing.assert_array_equal(back.timestamps_s, seq.timestamps_s)
    else:  # 5 decimals for coordinates, 6 for time; NaN stays NaN
        np.testing.assert_allclose(back.xy_px, seq.xy_px, atol=6e-6, rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(back.timestamps_s, seq.timestamps_s, atol=6e-7)
        assert np.array_equal(np.isnan(back.xy_px), np.isnan(seq.xy_px))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from tests.badfiles import good_walker

    d = tmp_path_factory.mktemp("fuzz")
    seq = good_walker(1.0)
    return {s: save(seq, d / f"w{s}").read_bytes() for s in (".npz", ".csv")}


@FAST
@given(suffix=st.sampled_from([".npz", ".csv"]), data=st.data())
def test_damaged_landmark_files_give_posture_errors_only(tmp_path_factory, saved, suffix, data):
    raw = bytearray(saved[suffix])
    how = data.draw(st.sampled_from(["truncate", "flip", "splice"]))
    if how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif how == "flip":
        for k in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=20)):
            raw[k] ^= data.draw(st.integers(1, 255))
    else:
        at = data.draw(st.integers(0, len(raw)))
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=200))
    path = tmp_path_factory.mktemp("bad") / f"x{suffix}"
    path.write_bytes(bytes(raw))
    try:
        seq = load(path)
    except PostureError as e:
        message = str(e)
    else:
        message = ""
        assert seq.n_frames >= 1  # a harmless change (e.g. inside a number) may still load
    assert "\n" not in message
