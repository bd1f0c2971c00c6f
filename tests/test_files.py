"""Landmark files round-trip losslessly (npz) or to 5 decimals (csv); bad files say why."""

from __future__ import annotations

import numpy as np
import pytest

from posture.errors import PoseValidationError, PostureError
from posture.files import load, save
from posture.synthetic import walker
from tests import badfiles


@pytest.fixture
def seq():
    s, _ = walker(duration_s=1.0)
    xy = np.array(s.xy_px)
    xy[3] = np.nan  # a missing frame must survive the round trip
    vis = np.array(s.visibility)
    vis[3] = 0
    return s.replace(step="demo", step_params={"k": 2}, xy_px=xy, visibility=vis)


def test_npz_round_trip_is_exact(tmp_path, seq):
    back = load(save(seq, tmp_path / "a.npz"))
    np.testing.assert_array_equal(back.xy_px, seq.xy_px)
    np.testing.assert_array_equal(back.world_m, seq.world_m)
    np.testing.assert_array_equal(back.timestamps_s, seq.timestamps_s)
    assert back.video == seq.video
    assert back.provenance == seq.provenance


def test_csv_round_trip(tmp_path, seq):
    path = save(seq, tmp_path / "a.csv")
    header = path.read_text().splitlines()[1].split(",")
    assert header[:4] == ["frame", "time_s", "people", "nose_x_px"]
    back = load(path)
    np.testing.assert_allclose(back.xy_px, seq.xy_px, atol=1e-5, equal_nan=True)
    np.testing.assert_allclose(back.visibility, seq.visibility, atol=1e-5)
    assert back.video == seq.video and back.provenance.steps == seq.provenance.steps


def test_masks_survive_npz(tmp_path, seq):
    masks = np.zeros((seq.n_frames, 8, 6), np.uint8)
    masks[:, 2:5, 1:4] = 255
    back = load(save(seq.replace(masks=masks), tmp_path / "m.npz"))
    np.testing.assert_array_equal(back.masks, masks)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("x.txt", b"", "must end in .npz or .csv"),
        ("x.npz", b"not a zip", "not a readable .npz"),
        ("x.csv", b"frame,time_s\n", "header line"),
    ],
)
def test_bad_landmark_files(tmp_path, name, content, match):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(PoseValidationError, match=match):
        load(p)


@pytest.mark.parametrize("case", sorted(badfiles.LANDMARK_CASES))
def test_damaged_landmark_files_raise_a_posture_error_naming_the_file(tmp_path, case):
    build, match = badfiles.LANDMARK_CASES[case]
    path = build(tmp_path)
    with pytest.raises(PostureError, match=match) as e:
        load(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


def test_one_frame_csv_loads(tmp_path, seq):
    back = load(save(seq.slice(0, 1), tmp_path / "one.csv"))
    assert back.n_frames == 1


def test_extra_arrays_in_an_npz_are_ignored(tmp_path, seq):
    p = save(seq, tmp_path / "a.npz")
    with np.load(p) as z:
        d = dict(z)
    np.savez(p, **d, notes=np.arange(3))
    assert load(p).n_frames == seq.n_frames


def test_frame_rates_at_the_limits_load(tmp_path):
    from posture.synthetic import walker

    for fps in (1000.0, 1.0 / 60.0):  # a high-speed phone mode; a frame a minute
        seq, _ = walker(duration_s=max(0.2, 3 / fps), fps=fps)
        assert load(save(seq, tmp_path / "x.npz")).n_frames == seq.n_frames
