"""Vectorised geometry on landmark arrays (pixels or metres, never normalised x,y).

Image convention: x to the right, y DOWN. All functions accept arrays of any
leading shape and return NaN where an input is NaN.
"""

from __future__ import annotations

import numpy as np


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.asarray(a, float) + np.asarray(b, float)) / 2.0


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle ABC at vertex ``b`` in degrees, 0..180 (180 = straight), for 2-D or 3-D points."""
    u = np.asarray(a, float) - np.asarray(b, float)
    v = np.asarray(c, float) - np.asarray(b, float)
    nu = np.linalg.norm(u, axis=-1)
    nv = np.linalg.norm(v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * v, axis=-1) / (nu * nv)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def flexion_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Joint flexion in degrees: 0 when A-B-C is straight, 90 at a right angle."""
    return 180.0 - joint_angle_deg(a, b, c)


def angle_from_vertical_deg(lower: np.ndarray, upper: np.ndarray, facing: np.ndarray | float = 1.0) -> np.ndarray:
    """Signed angle of the segment lower->upper from the upward vertical, image pixels, degrees.

    Positive when ``upper`` is ahead of ``lower`` in the facing direction
    (``facing`` = +1 facing image-right, -1 facing image-left); range -180..180.
    Example: trunk lean = angle_from_vertical_deg(hip_centre, shoulder_centre, facing),
    positive forward.
    """
    d = np.asarray(upper, float) - np.asarray(lower, float)
    return np.degrees(np.arctan2(d[..., 0] * np.asarray(facing, float), -d[..., 1]))


def angle_from_horizontal_deg(a: np.ndarray, b: np.ndarray, facing: np.ndarray | float = 1.0) -> np.ndarray:
    """Signed angle of segment a->b above the horizontal, image pixels, degrees.

    Positive when ``b`` is higher in the image than ``a`` (y down), with the
    horizontal axis pointing in the facing direction; range -180..180.
    """
    d = np.asarray(b, float) - np.asarray(a, float)
    return np.degrees(np.arctan2(-d[..., 1], d[..., 0] * np.asarray(facing, float)))


def absolute_angle_from_vertical_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle of segment a->b from the vertical axis, 0..90 degrees, either direction."""
    d = np.asarray(b, float) - np.asarray(a, float)
    return np.degrees(np.arctan2(np.abs(d[..., 0]), np.abs(d[..., 1])))


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(a, float) - np.asarray(b, float), axis=-1)


def nan_median(x: np.ndarray, axis: int | None = None) -> float | np.ndarray:
    """Median ignoring NaN; NaN (without a warning) when everything is NaN."""
    x = np.asarray(x, float)
    if not np.isfinite(x).any():
        return np.nan if axis is None else np.full(np.delete(x.shape, axis), np.nan)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(x, axis=axis)
