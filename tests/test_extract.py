"""The real model on a real photo shipped by a package (scikit-image's astronaut) and on clips made from it."""

from __future__ import annotations

import numpy as np
import pytest

from posture import landmarks as L
from posture.io.extract import ExtractOptions, LivePoseEstimator, extract_pose, extract_tracks
from tests.media import write_video

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def astronaut():
    from skimage import data

    return data.astronaut()  # 512x512 RGB photo of Eileen Collins, head and torso


@pytest.fixture(scope="module")
def astronaut_png(tmp_path_factory, astronaut):
    import cv2

    p = tmp_path_factory.mktemp("img") / "astronaut.png"
    cv2.imwrite(str(p), cv2.cvtColor(astronaut, cv2.COLOR_RGB2BGR))
    return p


def test_photo_landmarks_are_plausible(model_path, astronaut_png):
    seq = extract_pose(astronaut_png, model_path)
    assert seq.video.is_image and seq.n_frames == 1 and seq.detection_rate == 1.0
    xy, vis = seq.xy_px[0], seq.visibility[0]
    # pixels, inside the 512x512 image for the visible upper body
    for i in (L.NOSE, L.LEFT_SHOULDER, L.RIGHT_SHOULDER):
        assert 0 <= xy[i, 0] < 512 and 0 <= xy[i, 1] < 512 and vis[i] > 0.9
    nose_y = xy[L.NOSE, 1]
    shoulder_y = xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1].mean()
    hip_y = xy[[L.LEFT_HIP, L.RIGHT_HIP], 1].mean()
    assert nose_y < shoulder_y < hip_y  # nose above shoulders above hips (y down)
    # she faces the camera: her left shoulder is on the image's right
    assert xy[L.LEFT_SHOULDER, 0] > xy[L.RIGHT_SHOULDER, 0]
    # world landmarks in metres: shoulder width of an adult
    w = np.linalg.norm(seq.world_m[0, L.LEFT_SHOULDER] - seq.world_m[0, L.RIGHT_SHOULDER])
    assert 0.2 < w < 0.6
    assert seq.provenance.model.endswith(".task") and seq.provenance.mediapipe_version


def test_video_mode_keeps_missing_frames_and_times(model_path, astronaut, tmp_path):
    blank = np.full_like(astronaut, 128)
    frames = [astronaut] * 4 + [blank] * 2 + [astronaut] * 4
    p = write_video(tmp_path / "a.mp4", frames, fps=10)
    seq = extract_pose(p, model_path)
    assert seq.n_frames == 10
    assert seq.found.tolist() == [True] * 4 + [False] * 2 + [True] * 4
    np.testing.assert_allclose(seq.timestamps_s, np.arange(10) / 10, atol=1e-3)
    assert np.isnan(seq.xy_px[4]).all() and (seq.visibility[4] == 0).all()


def test_rotated_phone_clip_comes_out_upright(model_path, astronaut, tmp_path):
    # A phone stores the picture sideways and a display rotation; the person must come out upright.
    stored = np.ascontiguousarray(np.rot90(astronaut, -1))  # as a sensor would store it, turned clockwise
    p = write_video(tmp_path / "r.mp4", [stored] * 3, fps=10, rotation_deg=90)
    seq = extract_pose(p, model_path)
    assert seq.video.rotation_deg == 90
    xy = seq.xy_px[0]
    assert xy[L.NOSE, 1] < xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1].mean()


def test_segmentation_masks_are_kept_when_asked(model_path, astronaut_png):
    tracks = extract_tracks(astronaut_png, model_path, ExtractOptions(output_masks=True, mask_max_side=128))
    m = tracks.select().masks
    assert m.shape == (1, 128, 128) and m.dtype == np.uint8
    assert m[0, 40:100, 40:90].mean() > 128  # her face and suit
    assert m[0, :10, :10].mean() < 64  # the background in the top-left corner


def test_live_estimator_one_frame_at_a_time(model_path, astronaut):
    live = LivePoseEstimator(model_path, max_side=256)
    try:
        out = [live.process(astronaut, t / 30) for t in range(3)]
        nobody = live.process(np.zeros_like(astronaut), 0.2)
    finally:
        live.close()
    assert all(o is not None for o in out) and nobody is None
    # coordinates are in the full frame's pixels even though the model saw a downscaled copy
    assert 150 < out[-1].xy_px[L.NOSE, 0] < 350 and out[-1].width == 512


def test_progress_is_reported_from_the_calling_thread(model_path, astronaut, tmp_path):
    """UI toolkits (Streamlit) only accept updates from their own thread: never call back from workers."""
    import threading

    p = write_video(tmp_path / "p.mp4", [astronaut] * 6, fps=10)
    calls = []
    extract_tracks(p, model_path, progress=lambda d, t: calls.append((d, t, threading.current_thread())))
    assert calls and all(th is threading.main_thread() for _, _, th in calls)
    assert calls[-1][:2] == (6, 6)


def _side_by_side(astronaut, both: bool) -> np.ndarray:
    import cv2

    half = cv2.resize(astronaut, (256, 256), interpolation=cv2.INTER_AREA)
    frame = np.full((256, 512, 3), 128, np.uint8)
    frame[:, :256] = half
    if both:
        frame[:, 256:] = half
    return frame


def test_adaptive_count_runs_again_for_a_second_person(model_path, astronaut, tmp_path):
    # One person for 1.2 s, then a second beside her: once the check sees her, the clip is run
    # again tracking two people, so the result is the fixed two-pose extraction's exactly.
    frames = [_side_by_side(astronaut, False)] * 12 + [_side_by_side(astronaut, True)] * 8
    p = write_video(tmp_path / "two.mp4", frames, fps=10)
    fixed = extract_tracks(p, model_path, ExtractOptions())
    adaptive = extract_tracks(p, model_path, ExtractOptions(adaptive_poses=True, people_check_s=0.5))
    assert fixed.people_count.max() == 2 and adaptive.n_tracks == fixed.n_tracks
    np.testing.assert_array_equal(adaptive.xy_px, fixed.xy_px)


def test_adaptive_count_keeps_one_person_alone(model_path, astronaut, tmp_path):
    p = write_video(tmp_path / "one.mp4", [_side_by_side(astronaut, False)] * 12, fps=10)
    fixed = extract_tracks(p, model_path, ExtractOptions())
    adaptive = extract_tracks(p, model_path, ExtractOptions(adaptive_poses=True, people_check_s=0.5))
    assert adaptive.n_tracks == 1 and adaptive.people_count.tolist() == [1] * 12
    a, f = adaptive.select(), fixed.select()
    # same person, landmarks within 2% of her height (one pose tracked vs the detector every frame)
    height = np.nanmax(f.xy_px[..., 1]) - np.nanmin(f.xy_px[..., 1])
    assert np.nanmedian(np.linalg.norm(a.xy_px - f.xy_px, axis=-1)) < 0.02 * height


def test_adaptive_count_is_not_in_the_cache_key_while_off():
    off = ExtractOptions().cache_fields()
    assert not {"adaptive_poses", "people_check_s", "people_check_confidence"} & set(off)
    assert ExtractOptions(adaptive_poses=True).cache_fields()["adaptive_poses"] is True


def test_adaptive_count_with_one_pose_is_the_plain_one_pose_extraction(model_path, astronaut, tmp_path):
    p = write_video(tmp_path / "one.mp4", [_side_by_side(astronaut, True)] * 6, fps=10)
    plain = extract_tracks(p, model_path, ExtractOptions(num_poses=1, adaptive_poses=False))
    adaptive = extract_tracks(p, model_path, ExtractOptions(num_poses=1, adaptive_poses=True))
    np.testing.assert_array_equal(adaptive.xy_px, plain.xy_px)  # no check, no rerun: one pose was asked for
