"""One view module: closed-form views of the synthetic body, and invariance of the rule itself."""

from __future__ import annotations

import numpy as np
import pytest

from posture import transforms as T
from posture.synthetic import make_sequence, pose_from_angles, static_pose, walker
from posture.view import classify_views, frame_view, overall_view


def test_side_view_and_facing_of_the_synthetic_body():
    right = classify_views(static_pose(n=10, facing=1.0))
    left = classify_views(static_pose(n=10, facing=-1.0))
    assert set(right.view) == {"side"} and set(left.view) == {"side"}
    assert np.all(right.facing == 1.0) and np.all(left.facing == -1.0)
    assert right.overall() == "side"


@pytest.mark.parametrize("view", ["front", "back"])
def test_front_and_back_views(view):
    xy, world, depth = pose_from_angles(5, view=view)
    seq = make_sequence(xy, world, depth_px=depth)
    assert set(classify_views(seq).view) == {view}
    assert frame_view(seq.frame(0)) == view


def test_view_rule_is_invariant_to_scale_mirror_fps_and_pan():
    seq, _ = walker(cadence_spm=100, duration_s=3.0, fps=30.0)
    base = classify_views(seq)
    assert base.overall() == "side"
    for t in (T.scale(seq, 0.5), T.mirror(seq), T.resample(seq, 60.0), T.pan(seq, 200.0)):
        assert classify_views(t).overall() == "side"
    assert np.all(classify_views(T.mirror(seq)).facing == -base.facing)
    assert np.allclose(classify_views(T.scale(seq, 0.5)).body_height_px, 0.5 * base.body_height_px, rtol=1e-6)


def test_overall_view_words():
    assert overall_view(np.array(["side"] * 8 + ["front"] * 2, dtype=object)) == "mixed"
    assert overall_view(np.array(["side"] * 9 + ["front"] * 1, dtype=object)) == "side"
    assert overall_view(np.array(["unknown"] * 3, dtype=object)) == "unknown"
    assert overall_view(np.array(["oblique"] * 3 + ["side"], dtype=object)) == "oblique"


def test_majority_smoothing_removes_single_frame_flips():
    seq = static_pose(n=31)
    xy = np.array(seq.xy_px)
    from posture import landmarks as L
    xy[15, L.LEFT_SHOULDER, 0] += 300  # one frame looks wide
    track = classify_views(seq.replace(xy_px=xy))
    assert track.view[15] == "side"


# ------------------------------------------------------------------------------------------------ transforms
def test_mirror_twice_is_the_identity():
    seq, _ = walker(duration_s=1.0)
    back = T.mirror(T.mirror(seq))
    assert np.allclose(back.xy_px, seq.xy_px) and np.allclose(back.visibility, seq.visibility)


def test_resample_keeps_positions_at_the_original_times():
    seq, _ = walker(duration_s=2.0, fps=30.0)
    up = T.resample(seq, 120.0)
    assert up.fps == pytest.approx(120.0) and up.n_frames == 240
    # every 4th frame of the 120 fps copy is an original frame
    assert np.allclose(up.xy_px[::4], seq.xy_px, atol=1e-6)
    down = T.resample(seq, 24.0)
    assert down.n_frames == 48 and down.video.fps == 24.0


def test_scale_pan_jitter_and_crop():
    seq = static_pose(n=5)
    half = T.scale(seq, 0.5)
    from posture import landmarks as L
    d = lambda s: np.linalg.norm(s.xy_px[:, L.LEFT_HIP] - s.xy_px[:, L.LEFT_SHOULDER], axis=-1)  # noqa: E731
    assert np.allclose(d(half), 0.5 * d(seq))
    panned = T.pan(seq, 30.0)
    assert np.allclose(panned.xy_px[:, :, 0] - seq.xy_px[:, :, 0], -30.0 * seq.timestamps_s[:, None])
    noisy = T.jitter(seq, 0.004, seed=1)
    assert 0 < np.std(noisy.xy_px - seq.xy_px) < 5
    cropped = T.crop_below(seq)
    assert cropped.video.height < seq.video.height
    assert np.all(cropped.visibility[:, L.LEFT_ANKLE] < 0.1) and np.all(cropped.visibility[:, L.LEFT_SHOULDER] > 0.9)


# ------------------------------------------------------------------------------------------------ real footage
@pytest.mark.real
def test_view_of_every_labelled_walk():
    """labels/views.json: every labelled walk gets its view (TUG and the side-on treadmill walk are side)."""
    from tests.conftest import real_labels, real_sequence

    labels = {k: v for k, v in real_labels("views").items() if not k.startswith("_")}
    wrong = {}
    for rel, want in labels.items():
        got = classify_views(real_sequence(rel, subject="moving")).overall()
        if got != want:
            wrong[rel] = got
    assert not wrong, f"views wrong on {len(wrong)} of {len(labels)}: {wrong}"


@pytest.mark.real
@pytest.mark.parametrize(("rel", "want"), [
    ("sit/nvinay_straight_hf.jpg", "side"), ("sit/slouched_laptop_folding_chair.jpg", "side"),
    ("lift/jeffchen_deadlift_good.mp4", "side"), ("lift/deadlift_front_gym.mp4", "front"),
    ("stretch/freeexdb_Childs_Pose_0.jpg", "side"), ("sit/upfall_sitting_cam2.mp4", "side"),
])
def test_view_held_out_files(rel, want):
    """Files not used to choose the limits (the walks were): sitting photos, lifts, a stretch."""
    from tests.conftest import real_sequence

    assert classify_views(real_sequence(rel)).overall() == want
