"""Comparing reports with golden JSON files: exact for text and integers, close for floats."""

from __future__ import annotations

import pytest


def assert_json_close(actual, expected, abs_tol: float = 1e-3, path: str = "$") -> None:
    """Recursively compare parsed JSON; the message names the first differing path."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), \
            f"{path}: keys differ {sorted(set(actual or {}) ^ set(expected))}"
        for k in expected:
            assert_json_close(actual[k], expected[k], abs_tol, f"{path}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_json_close(a, e, abs_tol, f"{path}[{i}]")
    elif isinstance(expected, float) or isinstance(actual, float):
        assert actual == pytest.approx(expected, abs=abs_tol), f"{path}: {actual} != {expected}"
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
