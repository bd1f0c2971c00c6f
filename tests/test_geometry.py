"""Closed-form geometry: angles in pixels with y pointing down."""

from __future__ import annotations

import numpy as np
import pytest

from posture.geometry import (
    absolute_angle_from_vertical_deg,
    angle_from_horizontal_deg,
    angle_from_vertical_deg,
    flexion_deg,
    joint_angle_deg,
    nan_median,
)


def test_joint_angle_right_angle_and_straight():
    assert joint_angle_deg([0, 0], [1, 0], [1, 1]) == pytest.approx(90)
    assert joint_angle_deg([0, 0], [1, 0], [2, 0]) == pytest.approx(180)
    assert flexion_deg([0, 0], [1, 0], [2, 0]) == pytest.approx(0)
    assert joint_angle_deg([0, 0, 0], [1, 0, 0], [1, 0, 1]) == pytest.approx(90)


def test_angles_are_vectorised_and_nan_safe():
    a = np.array([[0, 0], [np.nan, 0]])
    b = np.array([[1, 0], [1, 0]])
    c = np.array([[1, 1], [1, 1]])
    out = joint_angle_deg(a, b, c)
    assert out[0] == pytest.approx(90) and np.isnan(out[1])


@pytest.mark.parametrize(("facing", "dx", "expected"), [(1, 1, 45), (1, -1, -45), (-1, -1, 45), (-1, 1, -45)])
def test_signed_lean_from_vertical_follows_facing(facing, dx, expected):
    # upper point one pixel up (y down) and dx across: 45 degrees, positive when ahead
    assert angle_from_vertical_deg([0, 0], [dx, -1], facing) == pytest.approx(expected)


def test_lean_of_30_degrees():
    up = np.array([np.sin(np.radians(30)), -np.cos(np.radians(30))]) * 100
    assert angle_from_vertical_deg([0, 0], up) == pytest.approx(30)
    assert absolute_angle_from_vertical_deg([0, 0], up) == pytest.approx(30)


def test_angle_from_horizontal_positive_up():
    assert angle_from_horizontal_deg([0, 0], [1, -1]) == pytest.approx(45)
    assert angle_from_horizontal_deg([0, 0], [-1, -1], facing=-1) == pytest.approx(45)


def test_nan_median_all_nan_is_quiet(recwarn):
    assert np.isnan(nan_median(np.array([np.nan, np.nan])))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
