"""Drawing and the annotated video: pixels land where the landmarks are, the MP4 is H.264 that browsers play."""

from __future__ import annotations

import numpy as np
import pytest

from posture import landmarks as L
from posture.io.annotate import key_frame_times, landmarks_for_finding, overlay_at, render_annotated
from posture.io.render import (
    DEFAULT_STYLE,
    annotate_frame,
    draw_live_status,
    draw_skeleton,
    encode_jpeg,
    video_frame_from_rgb,
)
from tests.media import write_video
from tests.test_app_fakes import SLOUCH_FROM_S, fake_report, slouching_walker


@pytest.fixture(scope="module")
def seq():
    return slouching_walker()


def test_skeleton_is_drawn_on_the_bones_and_leaves_the_input_alone(seq):
    img = np.zeros((480, 640, 3), np.uint8)
    fr = seq.frame(0)
    out = draw_skeleton(img, fr.xy_px, fr.visibility)
    assert img.max() == 0  # input untouched
    mid = ((fr.xy_px[L.LEFT_HIP] + fr.xy_px[L.LEFT_SHOULDER]) / 2).round().astype(int)
    assert tuple(out[mid[1], mid[0]]) == DEFAULT_STYLE.bone_rgb
    far = out[5:15, 5:15]
    assert far.max() == 0  # nothing drawn away from the body


def test_invisible_landmarks_are_not_drawn(seq):
    img = np.zeros((480, 640, 3), np.uint8)
    fr = seq.frame(0)
    out = draw_skeleton(img, fr.xy_px, np.zeros(33))
    assert out.max() == 0


def test_highlighted_joints_use_the_fault_colour(seq):
    img = np.zeros((480, 640, 3), np.uint8)
    fr = seq.frame(0)
    out = draw_skeleton(img, fr.xy_px, fr.visibility, highlight=[L.LEFT_KNEE])
    k = fr.xy_px[L.LEFT_KNEE].round().astype(int)
    assert tuple(out[k[1], k[0]]) == DEFAULT_STYLE.fault_rgb


def test_bad_image_is_refused_with_shapes_named():
    with pytest.raises(ValueError, match=r"RGB uint8.*\(4, 4\)"):
        draw_skeleton(np.zeros((4, 4), np.uint8), np.zeros((33, 2)))


def test_live_banner_marks_the_top_left():
    img = np.full((480, 640, 3), 200, np.uint8)
    out = draw_live_status(img, "Hold 12 / 30 s", "Straighten your back", in_form=False)
    assert (out[:30, :100] != 200).any()
    assert (out[-50:, -50:] == 200).all()


def test_overlay_follows_the_report_in_time(seq):
    rep = fake_report(seq)
    before = overlay_at(rep, SLOUCH_FROM_S - 0.5)
    after = overlay_at(rep, SLOUCH_FROM_S + 0.5)
    assert before.faults == () and after.faults == ("Slouching",)
    assert after.values[0][0] == "Trunk lean" and after.values[0][3] is True and before.values[0][3] is False
    assert set(landmarks_for_finding("slouching")) >= {L.LEFT_SHOULDER, L.LEFT_HIP}
    assert L.LEFT_HEEL in landmarks_for_finding("not_heel_first")
    assert landmarks_for_finding("something_else") == ()
    assert key_frame_times(rep)[0][0] > SLOUCH_FROM_S


def test_annotate_frame_draws_values_and_faults(seq):
    img = np.zeros((480, 640, 3), np.uint8)
    fr = seq.frame(0)
    out = annotate_frame(img, fr.xy_px, fr.visibility, [("Trunk lean", 20.0, "deg", True)], ["Slouching"])
    assert (out[:20, :20] > 0).any()  # value panel top-left
    assert (out[-20:, :20] > 0).any()  # fault panel bottom-left


def test_annotated_video_is_h264_mp4_with_every_frame(tmp_path, seq):
    import av

    frames = [np.full((480, 640, 3), 40 + i % 50, np.uint8) for i in range(seq.n_frames)]
    src = write_video(tmp_path / "src.mp4", frames, fps=30.0)
    rep = fake_report(seq)
    out = tmp_path / "annotated.mp4"
    done = []
    res = render_annotated(src, seq, rep, out, progress=lambda d, t: done.append((d, t)))
    assert res.frames_written == seq.n_frames and done[-1][0] == seq.n_frames
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.codec_context.pix_fmt == "yuv420p"
        decoded = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
    assert len(decoded) == seq.n_frames
    assert out.read_bytes()[4:8] == b"ftyp"
    # the key frame is a moment after the slouch starts, with the fault panel drawn
    assert res.key_frames and res.key_frames[0].time_s >= SLOUCH_FROM_S
    kf = res.key_frames[0].rgb
    assert (kf != frames[0][: kf.shape[0], : kf.shape[1]]).any()


def test_annotated_photo_is_a_png(tmp_path, seq):
    import cv2

    one = seq.slice(0, 1)
    src = tmp_path / "photo.png"
    cv2.imwrite(str(src), np.full((480, 640, 3), 90, np.uint8))
    rep = fake_report(one)
    object.__setattr__(rep.video, "is_image", True)
    res = render_annotated(src, one, rep, tmp_path / "a.png")
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(res.key_frames) == 1


def test_av_frame_round_trip_keeps_timing():
    import av

    src = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
    src.pts = 1234
    from fractions import Fraction

    src.time_base = Fraction(1, 90000)
    out = video_frame_from_rgb(np.ones((48, 64, 3), np.uint8), like=src)
    assert out.pts == 1234 and out.time_base == Fraction(1, 90000)
    assert encode_jpeg(np.zeros((8, 8, 3), np.uint8))[:3] == b"\xff\xd8\xff"


def test_overlay_and_csv_agree_and_read_like_the_cards(seq):
    """Before: the overlay said "Hip height above the floor: 0 fraction of height" where the CSV had 0.40."""
    from posture.export import frames_table
    from posture.io.annotate import overlay_at
    from posture.present import fmt_value
    from tests.test_app_fakes import fake_report

    rep = fake_report(seq)
    t = np.asarray(seq.timestamps_s)
    rep.series["hip_height"] = {"time_s": t, "values": np.full(t.size, 0.4), "unit": "fraction of height",
                                "label": "Hip height above the floor"}
    k = 30
    ov = overlay_at(rep, float(t[k]))
    label, value, unit, _ = next(v for v in ov.values if v[0] == "Hip height above the floor")
    row = frames_table(seq, rep).iloc[k]
    assert value == pytest.approx(row["hip_height_fraction_of_height"])
    assert fmt_value(value, unit) == "40% of your height"
    assert "Slouching" in ov.faults  # plain finding names on the video, as on the cards
