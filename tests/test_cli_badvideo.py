"""Damaged videos: frames that cannot be decoded are skipped and counted, reported as a warning on the
CLI and in the report (provenance.warnings); a file that is mostly damaged is refused (exit 2)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from posture.cli import main
from posture.errors import VideoReadError
from posture.files import save
from posture.io.video import VideoSource
from tests.badfiles import good_walker
from tests.media import write_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (96, 128, 3), dtype=np.uint8) for _ in range(60)]  # noise: big packets
    return write_video(tmp_path_factory.mktemp("v") / "clip.mp4", frames, fps=30)


def damaged(clip, tmp_path, share: float, name: str):
    raw = bytearray(clip.read_bytes())
    rng = np.random.default_rng(1)
    n = int(len(raw) * share)
    start = len(raw) // 2 - n // 2
    raw[start:start + n] = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    (p := tmp_path / name).write_bytes(bytes(raw))
    return p


def decode_all(path):
    with VideoSource(path) as src:
        n = sum(1 for _ in src)
        return n, src.info


def test_a_clean_clip_has_no_decode_errors(clip):
    n, info = decode_all(clip)
    assert n == 60 and info.decode_errors == 0


def test_garbage_mid_file_costs_those_frames_only_and_is_counted(clip, tmp_path):
    # Before: the first bad packet ended decoding ("decoding failed after N frames") or passed silently.
    p = damaged(clip, tmp_path, 0.08, "garbage.mp4")
    n, info = decode_all(p)
    assert info.decode_errors > 0
    assert n >= 0.6 * 60 and info.n_frames == n


def test_a_mostly_damaged_file_is_refused(clip, tmp_path):
    p = damaged(clip, tmp_path, 0.7, "ruined.mp4")
    with pytest.raises(VideoReadError, match=str(p)):
        decode_all(p)


def test_decode_errors_are_a_cli_warning_and_in_the_report(tmp_path, capsys):
    seq = good_walker()
    lm = save(seq.replace(video=dataclasses.replace(seq.video, decode_errors=7)), tmp_path / "w.npz")
    out = tmp_path / "r.json"
    assert main(["analyze", str(lm), "--task", "walk", "-q", "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "posture: warning:" in err and "7 frame(s) could not be decoded" in err
    warnings = json.loads(out.read_text())["provenance"]["warnings"]
    assert len(warnings) == 1 and "7 frame(s)" in warnings[0]
