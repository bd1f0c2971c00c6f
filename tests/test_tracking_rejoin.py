"""One person who leaves the picture and comes back is one subject (PoseTracks.select joins the pieces)."""

from __future__ import annotations

import numpy as np

from tests.test_tracking import build, det


def _walk_out_and_back(gap: int = 30, other=None):
    """A walker crosses left->right (frames 0-39), is gone for ``gap`` frames, then crosses right->left."""
    frames = []
    for i in range(40):
        frames.append([det(100 + 25 * i, 400)])
    for _ in range(gap):
        frames.append([])
    for i in range(40):
        frames.append([det(1100 - 25 * i, 400)])
    if other is not None:
        frames = [f + other(k) for k, f in enumerate(frames)]
    return frames


def test_a_walker_coming_back_is_joined():
    tracks = build(_walk_out_and_back())
    assert tracks.n_tracks == 2
    seq = tracks.select("moving")
    assert seq.found.sum() == 80 and "coming back" in seq.provenance.subject


def test_a_brief_flicker_is_not_joined():
    frames = _walk_out_and_back(gap=60)
    frames[55] = [det(600, 420)]  # one frame of something else, well apart from both passes
    seq = build(frames).select("moving")
    assert not seq.found[55] and seq.found.sum() == 80


def test_no_join_while_someone_else_is_in_view():
    # a second person standing at the left during the second half only: the returning piece could be them
    tracks = build(_walk_out_and_back(other=lambda k: [det(150, 380, 0.9)] if k >= 40 else []))
    seq = tracks.select("moving")
    assert seq.found.sum() == 40 and "coming back" not in seq.provenance.subject
    assert np.all(np.diff(seq.xy_px[:40, 23, 0]) > 0)
