"""One camera-view classifier for every task: which way the camera sees the body, frame by frame.

The same words mean the same thing in every report:

- ``side``: the camera sees the body in profile (shoulders and hips overlap in the image);
- ``front`` / ``back``: the camera faces the chest / the back (shoulders and hips wide apart);
- ``oblique``: in between (the body turned roughly 25-55 deg from a side view);
- ``unknown``: shoulders and hips not seen well enough to tell.

The classifier reads how far the body is turned from square-on (``yaw``, 0 facing toward or away from
the camera, 90 in profile) from MediaPipe's world landmarks, which are camera-aligned metres: the angle
of the shoulder axis and of the hip axis out of the image plane, averaged. On the 15 labelled dev walks
(``labels/views.json``) profile frames measure 47-88 deg (median per clip; 71-84 for all but the stylised
treadmill walk) and front/back frames 3-13 deg, so frames at 45 deg or more are ``side`` (turned less than
halfway from profile), 25 deg or less ``front``/``back``, and ``oblique`` in between. The yaw does not
depend on the person's size, position, the frame rate or a mirror, and works for lying bodies.

Where world landmarks are missing (a landmark file without them, a synthetic 2-D pose) the pixel width
ratio stands in: the wider of the shoulder and hip widths over the trunk length (about 0 in profile). On
the same walks profile clips measure 0.07-0.32 (median; 0.44 for the stylised treadmill walk) and
front/back clips 0.65-0.79, so ``side`` <= 0.4 and ``front``/``back`` >= 0.55.

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
    side_min_yaw_deg: float = 45.0  # our choice: turned less than halfway from profile; dev walks, see module doc
    frontal_max_yaw_deg: float = 25.0  # our choice: within 25 deg of square-on; dev front/back walks measure 3-13
    side_max_width_ratio: float = 0.4  # fallback without world landmarks; dev side walks 0.07-0.32 (median)
    front_min_width_ratio: float = 0.55  # fallback without world landmarks; dev front/back walks 0.65-0.79 (median)
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


def world_yaw_deg(world_m: np.ndarray, min_width_m: float = 0.08) -> np.ndarray:
    """(n,) how far the body is turned from square-on, degrees: 0 facing toward or away from the camera,
    90 in profile; mean of the shoulder axis and the hip axis, from world landmarks (metres).

    MediaPipe's world landmarks are camera-aligned (x right, y down, z away from the camera), so the angle
    of a left-right axis out of the image plane is ``atan2(|dz|, |dx|)``. NaN where the shoulders or hips are
    closer together than ``min_width_m`` in 3-D (no usable world landmarks, e.g. a synthetic 2-D pose).
    """
    w = np.asarray(world_m, float)

    def axis(a: int, b: int) -> np.ndarray:
        d = w[..., a, :] - w[..., b, :]
        width = np.linalg.norm(d, axis=-1)
        with np.errstate(invalid="ignore"):
            yaw = np.degrees(np.arctan2(np.abs(d[..., 2]), np.abs(d[..., 0])))
            return np.where(width >= min_width_m, yaw, np.nan)

    both = np.stack([axis(L.LEFT_SHOULDER, L.RIGHT_SHOULDER), axis(L.LEFT_HIP, L.RIGHT_HIP)])
    n_ok = np.isfinite(both).sum(axis=0)
    return np.where(n_ok > 0, np.nansum(both, axis=0) / np.maximum(n_ok, 1), np.nan)


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


def classify_frames(yaw_deg: np.ndarray, ratio: np.ndarray, left_on_image_right: np.ndarray, seen: np.ndarray,
                    params: ViewParams = DEFAULT_VIEW) -> np.ndarray:
    """(n,) view names from the world yaw (the pixel width ratio where the yaw is NaN), the shoulder order
    (facing the camera, the person's left shoulder is on the image right) and whether the torso was seen."""
    yaw, ratio = np.asarray(yaw_deg, float), np.asarray(ratio, float)
    world = np.isfinite(yaw)
    with np.errstate(invalid="ignore"):
        side = np.where(world, yaw >= params.side_min_yaw_deg, ratio <= params.side_max_width_ratio)
        wide = np.where(world, yaw <= params.frontal_max_yaw_deg, ratio >= params.front_min_width_ratio)
    out = np.full(ratio.shape, "oblique", dtype=object)
    out[side] = "side"
    out[wide & left_on_image_right] = "front"
    out[wide & ~left_on_image_right] = "back"
    out[~(np.asarray(seen, bool) & (world | np.isfinite(ratio)))] = "unknown"
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
    yaw_deg: np.ndarray  # body turned from square-on, 0 facing/away .. 90 profile (world landmarks; NaN without)
    width_ratio: np.ndarray  # segment width over trunk length (pixels)
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
    yaw = world_yaw_deg(seq.world_m)
    names = classify_frames(yaw, ratio, left_right, seen, params)
    window = int(round(params.smooth_s * seq.fps)) | 1 if seq.n_frames > 1 else 1
    names = _majority(names, window)
    return ViewTrack(view=names, yaw_deg=yaw, width_ratio=ratio, facing=facing_direction(xy, vis, params.min_visibility),
                     body_height_px=body_height_px(xy, vis, params.min_visibility))


def frame_view(frame: PoseFrame, params: ViewParams = DEFAULT_VIEW) -> str:
    """The view of one live frame (same rule as :func:`classify_views`, without smoothing)."""
    xy = np.asarray(frame.xy_px, float)[None]
    vis = np.asarray(frame.visibility, float)[None]
    seen = np.nanmax(vis[:, _TORSO], axis=1) >= params.min_visibility
    yaw = world_yaw_deg(np.asarray(frame.world_m, float)[None])
    return str(classify_frames(yaw, width_ratio(xy), xy[:, L.LEFT_SHOULDER, 0] > xy[:, L.RIGHT_SHOULDER, 0], seen,
                               params)[0])


def median_body_height_px(track: ViewTrack, mask: np.ndarray | None = None) -> float:
    """Median body height (pixels) over ``mask``; NaN when the body was not seen there."""
    h = track.body_height_px if mask is None else track.body_height_px[np.asarray(mask, bool)]
    return float(nan_median(h)) if h.size else float("nan")
