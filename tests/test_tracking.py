"""Following one subject among several people (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from posture.errors import NoPersonError
from posture.io.options import ExtractOptions
from posture.io.tracking import Detection, assemble_tracks, count_people, is_someone_else
from posture.sequence import Provenance, VideoInfo
from posture.synthetic import pose_from_angles

VIDEO = VideoInfo(path="<t>", fps=30, n_frames=0, width=1280, height=720)


def det(cx: float, cy: float, scale: float = 1.0) -> Detection:
    xy, world, depth = pose_from_angles(1, pelvis_xy_px=(cx, cy), px_per_m=200 * scale)
    return Detection(xy_px=xy[0], depth_px=depth[0], world_m=world[0], visibility=np.full(33, 0.9),
                     presence=np.full(33, 0.9))


def build(frames):
    t = np.arange(len(frames)) / 30
    return assemble_tracks([list(f) for f in frames], t, VIDEO, Provenance(), ExtractOptions())


def test_two_people_crossing_keep_their_identity():
    # A walks left->right at y=400, B stands still (smaller) at x=700; order in the model output flips.
    frames = []
    for i in range(60):
        a, b = det(200 + 15 * i, 400), det(700, 380, 0.6)
        frames.append([a, b] if i % 2 else [b, a])
    tracks = build(frames)
    assert tracks.n_tracks == 2
    walker = tracks.select("moving")
    hip_x = walker.xy_px[:, 23, 0]
    assert np.all(np.diff(hip_x) > 0)  # always the walker, never B
    assert tracks.people_count.tolist() == [2] * 60
    still = tracks.select("700,380")
    assert np.allclose(still.xy_px[:, 23, 0], 700)


def test_largest_prefers_big_and_persistent():
    frames = [[det(300, 400, 1.2)] + ([det(900, 400, 0.5)] if i < 30 else []) for i in range(40)]
    seq = build(frames).select("largest")
    assert np.allclose(seq.xy_px[:, 23, 0], 300)


def test_duplicate_detections_of_one_person_count_once():
    frames = [[det(300, 400), det(302, 401)] for _ in range(10)]
    tracks = build(frames)
    assert tracks.n_tracks == 1 and tracks.people_count.max() == 1


def test_a_missed_frame_stays_in_the_track_as_missing():
    frames = [[det(300 + 5 * i, 400)] if i != 5 else [] for i in range(12)]
    seq = build(frames).select("largest")
    assert seq.n_frames == 12 and not seq.found[5] and seq.found.sum() == 11


def test_fragments_of_one_walk_are_merged():
    # the model re-detects the walker as a "new" person after a 10-frame dropout
    frames = [[det(200 + 10 * i, 400)] if not 20 <= i < 30 else [] for i in range(60)]
    tracks = build(frames)
    assert tracks.n_tracks == 1


def test_no_person_anywhere_is_an_error():
    with pytest.raises(NoPersonError, match="no person was found in any of 5 frames"):
        build([[] for _ in range(5)]).select()


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="unknown subject strategy"):
        build([[det(300, 400)]]).select("tallest")


def test_tracking_needs_no_mediapipe():
    import subprocess
    import sys

    code = "import sys, posture.io.tracking; print('mediapipe' in sys.modules or 'cv2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_people_check_counts_people_not_detections():
    subject, same_subject, other = det(300, 400), det(303, 402), det(900, 400, 0.8)
    assert count_people([subject, same_subject, other], max_distance=0.6) == 2
    assert not is_someone_else(same_subject, [subject], max_distance=0.6)
    assert is_someone_else(other, [subject], max_distance=0.6)
    assert not is_someone_else(other, [], max_distance=0.6)  # nobody followed: nobody to confuse
