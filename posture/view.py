"""One camera-view classifier for every task: which way the camera sees the body, frame by frame.

The same words mean the same thing in every report:

- ``side``: the camera sees the body in profile (shoulders and hips overlap in the image);
- ``front`` / ``back``: the camera faces the chest / the back (shoulders and hips wide apart);
- ``oblique``: in between (the body turned roughly 25-55 deg from a side view);
- ``unknown``: shoulders and hips not seen well enough to tell.

The classifier uses only image pixels: the wider of the shoulder and hip widths over the trunk length
(hip centre to shoulder centre). A segment's true width is about 0.9 trunk lengths (Winter 2009, table
4.1: shoulder width 0.259 H, hip-to-shoulder 0.288 H); seen at an angle ``a`` from the side it shrinks to
about ``0.9 * sin(a)``. The ratio does not depend on the person's size, position or the frame rate, and
does not change under a left-right mirror, so a rule built on it holds for any placement of the person.
Lying bodies work too: the ratio uses distances, not image axes.

Facing (``+1`` image-right, ``-1`` image-left, NaN unknown) comes from the nose ahead of the ears, then the
toes ahead of the heels. Front vs back: facing the camera, MediaPipe puts the person's left shoulder on the
image right. Body height is the vertical extent of the visible key landmarks, in pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture import landmarks as L
from posture.geometry import distance, midpoint, nan_median
from posture.sequence import PoseFrame, PoseSequence

VIEW_NAMES = ("side", "front", "back", "oblique", "unknown")

# Landmarks whose extent gives the body height in pixels (head to feet).
BODY_POINTS = (L.NOSE, L.LEFT_EAR, L.RIGHT_EAR, L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP,
               L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL,
               L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX)
_TORSO = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)


@dataclass(frozen=True)
class ViewParams:
    """Limits of the view classifier (ratios are segment width over trunk length in the image)."""

    min_visibility: float = 0.5  # our choice: MediaPipe's visibility is a likelihood; below 0.5 more likely hidden
    side_max_width_ratio: float = 0.4  # our choice: 0.9*sin(a) = 0.4 at a = 26 deg from a true profile; side-view
    # frames of the dev walks, lifts and sitting photos measure 0.05-0.35
    front_min_width_ratio: float = 0.75  # our choice: 0.9*sin(a) = 0.75 at a = 56 deg, i.e. within about 35 deg of
    # facing the camera; front and back walks of the dev set measure 0.8-1.1
    smooth_s: float = 0.5  # our choice: a view lasts at least about a step; shorter flips are majority-voted away


DEFAULT_VIEW = ViewParams()


def width_ratio(xy_px: np.ndarray) -> np.ndarray:
    """(n,) wider of shoulder and hip width over trunk length, pixels over pixels; ~0 in profile, ~0.9 square on."""
    xy = np.asarray(xy_px, float)
    sh_w = distance(xy[..., L.LEFT_SHOULDER, :], xy[..., L.RIGHT_SHOULDER, :])
    hip_w = distance(xy[..., L.LEFT_HIP, :], xy[..., L.RIGHT_HIP, :])
    trunk = distance(midpoint(xy[..., L.LEFT_HIP, :], xy[..., L.RIGHT_HIP, :]),
                     midpoint(xy[..., L.LEFT_SHOULDER, :], xy[..., L.RIGHT_SHOULDER, :]))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.fmax(sh_w, hip_w) / trunk
    return np.where(trunk > 0, r, np.nan)


def body_height_px(xy_px: np.ndarray, visibility: np.ndarray, min_visibility: float = 0.0) -> np.ndarray:
    """(n,) vertical extent (pixels) of the key body landmarks with visibility >= ``min_visibility``; NaN if none."""
    xy = np.asarray(xy_px, float)[..., BODY_POINTS, :]
    vis = np.asarray(visibility, float)[..., BODY_POINTS]
    y = np.where(vis >= min_visibility, xy[..., 1], np.nan)
    x = np.where(vis >= min_visibility, xy[..., 0], np.nan)
    with np.errstate(all="ignore"):
        ok = np.isfinite(y).any(axis=-1)
        h = np.where(ok, np.nanmax(np.where(ok[..., None], y, 0.0), axis=-1)
                     - np.nanmin(np.where(ok[..., None], y, 0.0), axis=-1), np.nan)
        w = np.where(ok, np.nanmax(np.where(ok[..., None], x, 0.0), axis=-1)
                     - np.nanmin(np.where(ok[..., None], x, 0.0), axis=-1), np.nan)
    # a lying or bent-over body is long in x: its size is its larger extent
    return np.fmax(h, w)


def facing_direction(xy_px: np.ndarray, visibility: np.ndarray, min_visibility: float = 0.5) -> np.ndarray:
    """(n,) +1 facing image-right, -1 image-left, NaN unknown: nose ahead of the ears, else toes ahead of heels."""
    xy = np.asarray(xy_px, float)
    vis = np.asarray(visibility, float)
    ear_ok = np.fmax(vis[..., L.LEFT_EAR], vis[..., L.RIGHT_EAR]) >= min_visibility
    ear_x = np.where(vis[..., L.LEFT_EAR] >= vis[..., L.RIGHT_EAR], xy[..., L.LEFT_EAR, 0], xy[..., L.RIGHT_EAR, 0])
    face_ok = ear_ok & (vis[..., L.NOSE] >= min_visibility)
    by_face = np.sign(xy[..., L.NOSE, 0] - ear_x)
    toe = midpoint(xy[..., L.LEFT_FOOT_INDEX, 0], xy[..., L.RIGHT_FOOT_INDEX, 0])
    heel = midpoint(xy[..., L.LEFT_HEEL, 0], xy[..., L.RIGHT_HEEL, 0])
    foot_ok = np.minimum.reduce([vis[..., i] for i in (L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX,
                                                       L.RIGHT_FOOT_INDEX)]) >= min_visibility
    by_feet = np.where(foot_ok, np.sign(toe - heel), np.nan)
    out = np.where(face_ok & (by_face != 0), by_face, by_feet)
    return np.where(np.isfinite(out) & (out != 0), out, np.nan).astype(float)


def classify_width(ratio: np.ndarray, left_on_image_right: np.ndarray, seen: np.ndarray,
                   params: ViewParams = DEFAULT_VIEW) -> np.ndarray:
    """(n,) view names from the width ratio, the shoulder order and whether the torso was seen."""
    ratio = np.asarray(ratio, float)
    out = np.full(ratio.shape, "oblique", dtype=object)
    with np.errstate(invalid="ignore"):
        out[ratio <= params.side_max_width_ratio] = "side"
        wide = ratio >= params.front_min_width_ratio
    out[wide & left_on_image_right] = "front"
    out[wide & ~left_on_image_right] = "back"
    out[~(np.asarray(seen, bool) & np.isfinite(ratio))] = "unknown"
    return out


def _majority(names: np.ndarray, window: int) -> np.ndarray:
    """Running majority of view names over a centred window (ties keep the frame's own name)."""
    if window <= 1 or len(names) <= 2:
        return names
    codes = np.array([VIEW_NAMES.index(v) for v in names])
    onehot = np.eye(len(VIEW_NAMES))[codes]
    half = window // 2
    padded = np.pad(onehot, ((half + 1, half), (0, 0)))
    csum = np.cumsum(padded, axis=0)
    counts = csum[window:] - csum[:-window]  # row i: frames i-half .. i+half (zeros beyond the ends)
    best = counts.argmax(axis=1)
    keep = counts[np.arange(len(codes)), codes] >= counts.max(axis=1)
    return np.array([VIEW_NAMES[c] for c in np.where(keep, codes, best)], dtype=object)


@dataclass(frozen=True)
class ViewTrack:
    """Per-frame view facts of a sequence (all arrays (n,))."""

    view: np.ndarray  # object array of VIEW_NAMES
    width_ratio: np.ndarray  # segment width over trunk length
    facing: np.ndarray  # +1 image-right, -1 image-left, NaN unknown
    body_height_px: np.ndarray  # vertical (or, lying, horizontal) extent of the body, pixels

    @property
    def n_frames(self) -> int:
        return int(len(self.view))

    def share(self, name: str) -> float:
        """Share of the frames where the person was seen that have this view."""
        seen = self.view != "unknown"
        return float(np.mean(self.view[seen] == name)) if seen.any() else 0.0

    def overall(self) -> str:
        """The clip's view for the report: see :func:`overall_view`."""
        return overall_view(self.view)

    def main_facing(self, mask: np.ndarray | None = None) -> float:
        """+1 or -1: the facing of most frames in ``mask`` (all frames by default); 0 when unknown."""
        f = self.facing if mask is None else self.facing[np.asarray(mask, bool)]
        s = float(np.sign(np.nansum(f))) if np.isfinite(f).any() else 0.0
        return s


def overall_view(views: np.ndarray, min_share: float = 0.2) -> str:
    """One word for a clip: ``side``/``front``/``back``/``oblique`` when one view holds the clip, ``mixed`` when
    two of side/front/back each hold at least ``min_share`` of the seen frames, ``unknown`` when nothing was seen."""
    v = np.asarray(views, dtype=object)
    seen = v[v != "unknown"]
    if seen.size == 0:
        return "unknown"
    shares = {k: float(np.mean(seen == k)) for k in ("side", "front", "back", "oblique")}
    if sum(shares[k] >= min_share for k in ("side", "front", "back")) >= 2:
        return "mixed"
    return max(shares, key=shares.get)


def classify_views(seq: PoseSequence, params: ViewParams = DEFAULT_VIEW) -> ViewTrack:
    """Per-frame view, facing and body size of ``seq`` (pixels only; invariant to scale, shift, mirror, fps)."""
    xy = np.asarray(seq.xy_px, float)
    vis = np.asarray(seq.visibility, float)
    ratio = width_ratio(xy)
    seen = np.nanmax(vis[:, _TORSO], axis=1) >= params.min_visibility
    left_right = xy[:, L.LEFT_SHOULDER, 0] > xy[:, L.RIGHT_SHOULDER, 0]
    names = classify_width(ratio, left_right, seen, params)
    window = int(round(params.smooth_s * seq.fps)) | 1 if seq.n_frames > 1 else 1
    names = _majority(names, window)
    return ViewTrack(view=names, width_ratio=ratio, facing=facing_direction(xy, vis, params.min_visibility),
                     body_height_px=body_height_px(xy, vis, params.min_visibility))


def frame_view(frame: PoseFrame, params: ViewParams = DEFAULT_VIEW) -> str:
    """The view of one live frame (same rule as :func:`classify_views`, without smoothing)."""
    xy = np.asarray(frame.xy_px, float)[None]
    vis = np.asarray(frame.visibility, float)[None]
    seen = np.nanmax(vis[:, _TORSO], axis=1) >= params.min_visibility
    return str(classify_width(width_ratio(xy), xy[:, L.LEFT_SHOULDER, 0] > xy[:, L.RIGHT_SHOULDER, 0], seen,
                              params)[0])


def median_body_height_px(track: ViewTrack, mask: np.ndarray | None = None) -> float:
    """Median body height (pixels) over ``mask``; NaN when the body was not seen there."""
    h = track.body_height_px if mask is None else track.body_height_px[np.asarray(mask, bool)]
    return float(nan_median(h)) if h.size else float("nan")
