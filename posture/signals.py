"""Small helpers on per-frame signals."""

from __future__ import annotations

import numpy as np


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in a 1-D mask; ``stop`` is exclusive."""
    padded = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(padded.astype(int))
    return [(int(a), int(b)) for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True)]
