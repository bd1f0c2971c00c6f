"""samples/ holds what scripts/make_samples.py makes: they load, and the synthetic ones still match the generator."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from posture import landmarks as L
from posture.files import load
from posture.synthetic import static_pose, walker

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_synthetic_samples_match_the_generator():
    seq, _ = walker(cadence_spm=110, duration_s=6.0, fps=30.0)
    np.testing.assert_allclose(load(SAMPLES / "synthetic" / "walker_110spm_side.npz").xy_px, seq.xy_px)
    seq, _ = walker(cadence_spm=100, duration_s=6.0, fps=30.0, trunk_deg=20.0, head_pitch_deg=30.0)
    np.testing.assert_allclose(load(SAMPLES / "synthetic" / "walker_100spm_trunk20_head30.npz").xy_px, seq.xy_px)
    np.testing.assert_allclose(load(SAMPLES / "synthetic" / "standing_trunk20.csv").xy_px,
                               static_pose(30, trunk_deg=20.0).xy_px, atol=1e-5)


def test_extracted_photo_landmarks_are_plausible():
    seq = load(SAMPLES / "extracted" / "astronaut_photo.csv")
    xy = seq.xy_px[0]
    assert seq.n_frames == 1 and seq.video.is_image
    assert xy[L.NOSE, 1] < xy[L.LEFT_SHOULDER, 1] < xy[L.LEFT_HIP, 1]
    assert seq.provenance.model.endswith(".task")
