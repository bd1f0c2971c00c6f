"""PoseSequence validates itself, is immutable, and records its processing steps."""

from __future__ import annotations

import numpy as np
import pytest

from posture.errors import PoseValidationError
from posture.sequence import PoseSequence, VideoInfo
from posture.synthetic import static_pose

VIDEO = VideoInfo(path="x", fps=30, n_frames=3, width=100, height=100)


def _arrays(n=3):
    return dict(xy_px=np.zeros((n, 33, 2)), world_m=np.zeros((n, 33, 3)), visibility=np.ones((n, 33)),
                timestamps_s=np.arange(n) / 30.0, video=VIDEO)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"xy_px": np.zeros((3, 32, 2))}, r"xy_px must have shape \(n, 33, 2\), got \(3, 32, 2\)"),
        ({"world_m": np.zeros((3, 33, 2))}, r"world_m must have shape \(3, 33, 3\)"),
        ({"visibility": np.ones((2, 33))}, r"visibility must have shape \(3, 33\)"),
        ({"timestamps_s": np.array([0.0, 0.1, 0.1])}, "increase strictly; frame 2"),
        ({"timestamps_s": np.array([0.0, np.nan, 0.2])}, "finite"),
        ({"visibility": np.full((3, 33), 1.5)}, r"visibility must lie in \[0, 1\]"),
        ({"xy_px": np.zeros((0, 33, 2))}, "at least one frame"),
        ({"masks": np.zeros((2, 4, 4))}, "masks must have shape"),
    ],
)
def test_invalid_sequences_say_expected_and_actual(change, match):
    kw = _arrays()
    kw.update(change)
    with pytest.raises(PoseValidationError, match=match):
        PoseSequence(**kw)


def test_arrays_are_read_only_and_replace_records_steps():
    seq = PoseSequence(**_arrays())
    with pytest.raises(ValueError, match="read-only"):
        seq.xy_px[0, 0, 0] = 1.0
    new = seq.replace(step="demo", step_params={"a": 1}, xy_px=np.ones((3, 33, 2)))
    assert new.provenance.steps == (("demo", '{"a": 1}'),)
    assert seq.provenance.steps == ()
    assert new.xy_px[0, 0, 0] == 1.0 and seq.xy_px[0, 0, 0] == 0.0


def test_missing_frames_are_kept_not_dropped():
    kw = _arrays(4)
    xy = np.zeros((4, 33, 2))
    xy[2] = np.nan
    kw.update(xy_px=xy, visibility=np.ones((4, 33)), timestamps_s=np.arange(4) / 30)
    seq = PoseSequence(**kw)
    assert seq.n_frames == 4
    assert seq.found.tolist() == [True, True, False, True]
    assert seq.detection_rate == pytest.approx(0.75)
    assert seq.frame(2) is None and seq.frame(1) is not None


def test_fps_comes_from_real_timestamps():
    kw = _arrays(5)
    kw["timestamps_s"] = np.array([0.0, 0.04, 0.08, 0.12, 0.16])
    assert PoseSequence(**kw).fps == pytest.approx(25.0)


def test_slice_and_frame():
    seq = static_pose(10, trunk_deg=10)
    part = seq.slice(2, 5)
    assert part.n_frames == 3 and part.frame_index.tolist() == [2, 3, 4]
    f = seq.frame(0)
    assert f.xy_px.shape == (33, 2) and f.width == 1280
