"""Clean-up steps: gap filling limits, zero-phase smoothing, One Euro, leg-swap repair."""

from __future__ import annotations

import numpy as np
import pytest

from posture import landmarks as L
from posture.cleanup import (
    OneEuroFilter,
    clean_for_analysis,
    detect_leg_swaps,
    fill_gaps,
    fix_leg_swaps,
    lowpass_zero_phase,
    smooth_causal,
    smooth_zero_phase,
)
from posture.synthetic import make_sequence, walker


def _line_sequence(n=30, fps=30.0):
    t = np.arange(n) / fps
    xy = np.zeros((n, 33, 2))
    xy[..., 0] = 100 + 50 * t[:, None]
    xy[..., 1] = 200.0
    return make_sequence(xy, fps=fps)


def test_short_gap_is_interpolated_long_gap_is_left():
    seq = _line_sequence()
    xy = np.array(seq.xy_px)
    vis = np.array(seq.visibility)
    xy[5:8] = np.nan  # 3 frames = 0.1 s gap (0.133 s between bounding frames)
    xy[15:25] = np.nan  # 10 frames: too long
    vis[5:8] = 0
    vis[15:25] = 0
    out = fill_gaps(seq.replace(xy_px=xy, visibility=vis), max_gap_s=0.25)
    np.testing.assert_allclose(out.xy_px[5:8], seq.xy_px[5:8], atol=1e-9)
    assert np.isnan(out.xy_px[15:25]).all()
    assert (out.visibility[5:8] < seq.visibility[4]).all()  # filled frames are marked less certain
    assert out.provenance.steps[-1][0] == "fill_gaps" and '"frames_filled": 3' in out.provenance.steps[-1][1]


def test_gap_at_the_edges_is_not_extrapolated():
    seq = _line_sequence()
    xy = np.array(seq.xy_px)
    xy[:2] = np.nan
    out = fill_gaps(seq.replace(xy_px=xy))
    assert np.isnan(out.xy_px[:2]).all()


def test_zero_phase_lowpass_removes_noise_without_lag():
    fs = 60.0
    t = np.arange(600) / fs
    clean = np.sin(2 * np.pi * 1.0 * t)
    rng = np.random.default_rng(0)
    noisy = clean + 0.2 * rng.standard_normal(t.size)
    out = lowpass_zero_phase(noisy, fs, cutoff_hz=6.0)
    # white noise keeps about sqrt(6 / 30) = 0.45 of its std below a 6 Hz cut-off at 60 Hz
    assert np.std(out - clean) < 0.5 * np.std(noisy - clean)
    # no lag: the cross-correlation peak is at zero shift
    lags = np.arange(-10, 11)
    corr = [np.dot(np.roll(out, k)[20:-20], clean[20:-20]) for k in lags]
    assert lags[int(np.argmax(corr))] == 0


def test_lowpass_keeps_nan_and_filters_each_run():
    x = np.concatenate([np.ones(50), [np.nan] * 3, np.ones(50) * 2])
    out = lowpass_zero_phase(x, 30.0, 6.0)
    assert np.isnan(out[50:53]).all()
    np.testing.assert_allclose(out[:50], 1.0, atol=1e-6)
    np.testing.assert_allclose(out[53:], 2.0, atol=1e-6)


def test_smooth_zero_phase_records_parameters():
    seq = smooth_zero_phase(_line_sequence(), cutoff_hz=5.0)
    assert seq.provenance.steps[-1][0] == "smooth_zero_phase"
    assert '"cutoff_hz": 5.0' in seq.provenance.steps[-1][1]


def test_one_euro_passes_constant_and_follows_a_step():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    for i in range(10):
        assert f(np.array([3.0]), i / 30)[0] == pytest.approx(3.0)
    outs = [f(np.array([10.0]), (10 + i) / 30)[0] for i in range(120)]
    assert 3.0 < outs[0] < 10.0  # it lags (causal) ...
    assert outs[-1] == pytest.approx(10.0, abs=0.05)  # ... and converges
    assert all(np.diff(outs) >= -1e-12)


def test_one_euro_reduces_jitter_on_a_still_point():
    rng = np.random.default_rng(1)
    f = OneEuroFilter()
    raw = 100 + rng.standard_normal((300, 2))
    out = np.array([f(raw[i], i / 30) for i in range(300)])
    assert out[50:].std() < 0.5 * raw[50:].std()


def test_smooth_causal_runs_frame_by_frame():
    seq, _ = walker(duration_s=2.0)
    out = smooth_causal(seq)
    assert out.n_frames == seq.n_frames and out.provenance.steps[-1][0] == "smooth_causal"
    # causal: the first frame is untouched
    np.testing.assert_allclose(out.xy_px[0], seq.xy_px[0])


def _swap_frames(seq, frames):
    xy = np.array(seq.xy_px)
    for a, b in L.LEG_PAIRS:
        xy[frames, a], xy[frames, b] = seq.xy_px[frames, b], seq.xy_px[frames, a]
    return seq.replace(xy_px=xy)


def test_leg_swap_is_detected_and_repaired_exactly():
    seq, _ = walker(cadence_spm=110, duration_s=4.0)
    frames = np.arange(40, 44)
    bad = _swap_frames(seq, frames)
    swapped = detect_leg_swaps(bad)
    assert np.flatnonzero(swapped).tolist() == frames.tolist()
    fixed = fix_leg_swaps(bad)
    np.testing.assert_allclose(fixed.xy_px, seq.xy_px, atol=1e-9)


def test_a_lasting_flip_is_left_alone():
    # From frame 40 to the end the labels stay exchanged: no telling which labelling is right.
    seq, _ = walker(cadence_spm=110, duration_s=4.0)
    bad = _swap_frames(seq, np.arange(40, seq.n_frames))
    assert not detect_leg_swaps(bad).any()
    assert not detect_leg_swaps(_swap_frames(seq, np.arange(40, 60)), max_episode_s=0.5).any()  # 0.67 s: too long
    assert detect_leg_swaps(_swap_frames(seq, np.arange(40, 60)), max_episode_s=1.0).sum() == 20


def test_no_swaps_are_invented_in_a_clean_walk():
    seq, _ = walker(cadence_spm=100, duration_s=6.0)
    assert not detect_leg_swaps(seq).any()


def test_clean_for_analysis_chains_the_steps():
    seq, _ = walker(duration_s=2.0)
    out = clean_for_analysis(seq, side_view=True)
    assert [s[0] for s in out.provenance.steps] == ["fill_gaps", "fix_leg_swaps", "smooth_zero_phase"]
