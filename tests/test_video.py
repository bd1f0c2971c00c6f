"""Video input: timestamps, rotation, photos, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest

from posture.errors import VideoReadError
from posture.io.video import VideoSource, iter_media, open_video, read_image, upright
from tests.media import pattern_frame, write_video


def _red_centre(rgb: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero((rgb[..., 0] > 200) & (rgb[..., 1] < 60) & (rgb[..., 2] < 60))
    return xs.mean() / rgb.shape[1], ys.mean() / rgb.shape[0]


def test_constant_rate_clip_decodes_every_frame_with_timestamps(tmp_path):
    p = write_video(tmp_path / "c.mp4", [pattern_frame(k=i) for i in range(12)], fps=25)
    with VideoSource(p) as src:
        frames = list(src)
    assert [f.index for f in frames] == list(range(12))
    np.testing.assert_allclose([f.timestamp_s for f in frames], np.arange(12) / 25, atol=1e-3)
    assert src.info.n_frames == 12 and src.info.fps == pytest.approx(25)
    assert frames[0].rgb.shape == (96, 160, 3) and frames[0].rgb.dtype == np.uint8


def test_variable_frame_rate_keeps_the_container_times(tmp_path):
    times = [0.0, 0.033, 0.066, 0.2, 0.25, 0.3, 0.5, 0.51, 0.6, 0.7]
    p = write_video(tmp_path / "vfr.mp4", [pattern_frame(k=i) for i in range(10)], times_s=times)
    with VideoSource(p) as src:
        got = [f.timestamp_s for f in src]
    np.testing.assert_allclose(got, times, atol=1e-3)


@pytest.mark.parametrize(("rotation", "expected_corner"), [(-90, (0.83, 0.17)), (90, (0.17, 0.83)), (180, (0.83, 0.83))])
def test_display_rotation_is_applied(tmp_path, rotation, expected_corner):
    # The card's red block is top-left as stored; a phone's display matrix turns it.
    p = write_video(tmp_path / "rot.mp4", [pattern_frame(k=i) for i in range(4)], rotation_deg=rotation)
    with VideoSource(p) as src:
        first = next(iter(src)).rgb
        info = src.info
    assert info.rotation_deg == rotation
    if rotation % 180:
        assert (info.width, info.height) == (96, 160)
        assert first.shape[:2] == (160, 96)
    assert _red_centre(first) == pytest.approx(expected_corner, abs=0.05)


def test_rotation_matches_opencv_auto_orientation(tmp_path):
    import cv2

    p = write_video(tmp_path / "rot.mp4", [pattern_frame(k=i) for i in range(3)], rotation_deg=-90)
    ok, bgr = cv2.VideoCapture(str(p)).read()
    assert ok
    with VideoSource(p) as src:
        ours = next(iter(src)).rgb
    assert np.abs(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(int) - ours.astype(int)).mean() < 1.0


def test_upright_turns_counter_clockwise():
    img = np.zeros((2, 3, 3), np.uint8)
    img[0, 0] = 255  # top-left
    out = upright(img, 90)  # 90 deg counter-clockwise: top-left goes to bottom-left
    assert out.shape == (3, 2, 3) and out[2, 0, 0] == 255


def test_photo_is_one_frame(tmp_path):
    import cv2

    p = tmp_path / "p.png"
    cv2.imwrite(str(p), cv2.cvtColor(pattern_frame(), cv2.COLOR_RGB2BGR))
    info, frames = iter_media(p)
    frames = list(frames)
    assert info.is_image and info.n_frames == 1 and len(frames) == 1
    assert frames[0].rgb.shape == (96, 160, 3)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: _write(d / "empty.mp4", b""), "empty"),
        (lambda d: _write(d / "notes.mp4", b"hello, not a video\n" * 50), "not a readable video"),
        (lambda d: d, "folder"),
    ],
    ids=["missing", "empty", "text", "folder"],
)
def test_bad_video_inputs_raise_one_clear_error(tmp_path, make, match):
    with pytest.raises(VideoReadError, match=match):
        with VideoSource(make(tmp_path)) as src:
            list(src)


def test_truncated_video_is_reported(tmp_path):
    p = write_video(tmp_path / "full.mp4", [pattern_frame(k=i) for i in range(60)], codec="mpeg4")
    data = p.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoReadError, match="truncated|damaged|not a readable"):
        with VideoSource(cut) as src:
            list(src)


def test_zero_frame_video_is_reported(tmp_path):
    import av

    p = tmp_path / "zero.mkv"
    with av.open(str(p), "w") as c:
        s = c.add_stream("mpeg4", rate=30)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        c.start_encoding()  # header only, no frames
    assert p.stat().st_size > 0
    with pytest.raises(VideoReadError, match="no decodable frames|not a readable|no picture size|no video"):
        with VideoSource(p) as src:
            list(src)


def test_photo_where_video_expected_says_so(tmp_path):
    import cv2

    p = tmp_path / "photo.jpg"
    cv2.imwrite(str(p), pattern_frame())
    with pytest.raises(VideoReadError, match="photo"):
        open_video(p)


def test_unreadable_image_raises(tmp_path):
    p = tmp_path / "broken.jpg"
    p.write_bytes(b"\xff\xd8\xff" + b"garbage" * 10)
    with pytest.raises(VideoReadError, match="not a readable image"):
        read_image(p)
