"""Per-frame posture traces while walking: pure, vectorised, NaN in gives NaN out.

Side views (``facing`` = +1 walking toward image-right, -1 toward image-left):

- :func:`trunk_lean_deg`: hip centre -> shoulder centre from vertical, degrees, + forward.
- :func:`forward_head_deg`: shoulder centre -> ear centre from vertical, degrees, + ear ahead of the
  shoulder. A PROXY for forward head posture: MediaPipe has no C7 landmark.
- :func:`head_pitch_deg`: ear centre -> nose below the horizontal, degrees, + nose down. About 10 deg when
  the head is upright (see :class:`~posture.gait.params.PostureParams`).

Front/back views:

- :func:`pelvis_sway_ratio`: lateral pelvis position relative to its running mean, in hip widths.
- :func:`pelvic_obliquity_deg`: hip line from horizontal, degrees, + the person's right hip lower.
- :func:`trunk_side_lean_deg`: hip centre -> shoulder centre from vertical, degrees, unsigned.
"""

from __future__ import annotations

import numpy as np

from posture import landmarks as L
from posture.geometry import absolute_angle_from_vertical_deg, angle_from_horizontal_deg, angle_from_vertical_deg, midpoint


def _centre(xy: np.ndarray, a: int, b: int) -> np.ndarray:
    return midpoint(xy[..., a, :], xy[..., b, :])


def trunk_lean_deg(xy_px: np.ndarray, facing: float | np.ndarray) -> np.ndarray:
    """(n,) trunk lean from vertical, degrees, positive forward (side view)."""
    return angle_from_vertical_deg(_centre(xy_px, L.LEFT_HIP, L.RIGHT_HIP),
                                   _centre(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), facing)


def forward_head_deg(xy_px: np.ndarray, facing: float | np.ndarray) -> np.ndarray:
    """(n,) shoulder-to-ear line from vertical, degrees, + ear ahead of the shoulder (proxy; side view)."""
    return angle_from_vertical_deg(_centre(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
                                   _centre(xy_px, L.LEFT_EAR, L.RIGHT_EAR), facing)


def head_pitch_deg(xy_px: np.ndarray, facing: float | np.ndarray) -> np.ndarray:
    """(n,) ear-to-nose line below the horizontal, degrees, + looking down (side view)."""
    return -angle_from_horizontal_deg(_centre(xy_px, L.LEFT_EAR, L.RIGHT_EAR), xy_px[..., L.NOSE, :], facing)


def hip_width_px(xy_px: np.ndarray) -> np.ndarray:
    """(n,) distance between the hip landmarks, pixels."""
    return np.linalg.norm(xy_px[..., L.LEFT_HIP, :] - xy_px[..., L.RIGHT_HIP, :], axis=-1)


def _running_mean(x: np.ndarray, window: int, whole: bool = False) -> np.ndarray:
    """Centred running mean ignoring NaN, same length. With ``whole``, NaN wherever the window is not
    complete (clip edges, gaps): a truncated window would not cancel a drift."""
    x = np.asarray(x, float)
    ok = np.isfinite(x)
    w = max(int(window), 1)
    k = np.ones(min(w, max(len(x), 1)))  # np.convolve "same" returns the longer input's length
    num = np.convolve(np.where(ok, x, 0.0), k, mode="same")
    den = np.convolve(ok.astype(float), k, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    out[~ok] = np.nan
    if whole:
        out[den < w - 0.5] = np.nan
    return out


def pelvis_sway_ratio(xy_px: np.ndarray, window_frames: int) -> np.ndarray:
    """(n,) lateral pelvis offset from its running mean over ``window_frames`` (about one stride), in hip widths.

    Image-x only, so it suits front and back views. A centred mean over one whole stride cancels both the
    stride's own sway and any steady drift (walking off-centre, a panning camera); frames whose window is not
    complete are NaN, because a truncated window would not cancel the drift. The hip width is averaged over
    the same window, so a walker who grows or shrinks in the image keeps the same scale.
    """
    x = _centre(xy_px, L.LEFT_HIP, L.RIGHT_HIP)[..., 0]
    width = _running_mean(hip_width_px(xy_px), window_frames)  # per frame: the walker may approach or recede
    return (x - _running_mean(x, window_frames, whole=True)) / width


def pelvic_obliquity_deg(xy_px: np.ndarray) -> np.ndarray:
    """(n,) hip line from horizontal, degrees, positive when the person's right hip is lower in the image.

    Works the same seen from the front or the back: the sign follows the image y of each hip.
    """
    lh, rh = xy_px[..., L.LEFT_HIP, :], xy_px[..., L.RIGHT_HIP, :]
    dy = rh[..., 1] - lh[..., 1]  # + right hip lower (y down)
    dx = np.abs(rh[..., 0] - lh[..., 0])
    return np.degrees(np.arctan2(dy, dx))


def trunk_side_lean_deg(xy_px: np.ndarray) -> np.ndarray:
    """(n,) unsigned trunk angle from vertical in the image plane (front/back view), degrees."""
    return absolute_angle_from_vertical_deg(_centre(xy_px, L.LEFT_HIP, L.RIGHT_HIP),
                                            _centre(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER))


def signed_trunk_side_lean_deg(xy_px: np.ndarray) -> np.ndarray:
    """(n,) trunk angle from vertical in the image plane, degrees, + shoulders toward image-right."""
    return angle_from_vertical_deg(_centre(xy_px, L.LEFT_HIP, L.RIGHT_HIP),
                                   _centre(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), 1.0)


def heel_lift_px(xy_px: np.ndarray) -> dict[str, np.ndarray]:
    """Heel heights above the lower heel, pixels, per foot (for plots)."""
    yl, yr = xy_px[..., L.LEFT_HEEL, 1], xy_px[..., L.RIGHT_HEEL, 1]
    ground = np.fmax(yl, yr)
    return {"left": ground - yl, "right": ground - yr}


def eye_ear_px(xy_px: np.ndarray) -> np.ndarray:
    """(n,) distance from the ear centre to the eye centre, pixels: the lever of :func:`head_down_deg`."""
    return np.linalg.norm(_centre(xy_px, L.LEFT_EYE, L.RIGHT_EYE) - _centre(xy_px, L.LEFT_EAR, L.RIGHT_EAR), axis=-1)


def head_down_deg(xy_px: np.ndarray, facing: float | np.ndarray, eye_ear_neutral_deg: float = -13.0) -> np.ndarray:
    """(n,) head tipped down from level, degrees, + down (side view): the ear-to-eye line's angle below the
    horizontal minus its angle with the head level (``eye_ear_neutral_deg``, the line rises ~13 deg then).

    Uses the eyes, not the nose: a mask or a blurred face moves MediaPipe's nose more than its eyes.
    """
    return -angle_from_horizontal_deg(_centre(xy_px, L.LEFT_EAR, L.RIGHT_EAR), _centre(xy_px, L.LEFT_EYE, L.RIGHT_EYE),
                                      facing) - eye_ear_neutral_deg
