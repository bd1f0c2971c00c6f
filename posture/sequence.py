"""The one pose container every analysis takes: :class:`PoseSequence`.

Axes (n = frames, 33 = BlazePose landmarks, see :mod:`posture.landmarks`):

- ``xy_px``        (n, 33, 2) float64, image pixels of the upright frame, x right, y down.
- ``depth_px``     (n, 33)    float64, MediaPipe's relative depth scaled to pixels
  (same scale as x; smaller is nearer the camera; origin at the hip centre).
- ``world_m``      (n, 33, 3) float64, metres, origin at the hip centre, y down
  (MediaPipe world landmarks).
- ``visibility``   (n, 33)    float64 in [0, 1], likelihood the point is visible.
- ``presence``     (n, 33)    float64 in [0, 1], likelihood the point is in the frame.
- ``timestamps_s`` (n,)       float64, strictly increasing, from the container (VFR safe).
- ``frame_index``  (n,)       int64, decoded-frame number counted from 0.
- ``people_count`` (n,)       int64, how many people the model saw in that frame.
- ``masks``        optional (n, h, w) uint8, person segmentation (0..255) of the
  followed subject, downscaled; ``None`` unless asked for.

Frames where the subject was not found are kept, with NaN coordinates and zero
visibility. Arrays are read-only: every clean-up step returns a new sequence and
records itself in ``provenance.steps``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from posture.errors import PoseValidationError
from posture.landmarks import N_LANDMARKS


@dataclass(frozen=True)
class VideoInfo:
    """Facts about the source, as decoded (width/height after rotation)."""

    path: str
    fps: float
    n_frames: int
    width: int
    height: int
    rotation_deg: int = 0
    is_image: bool = False
    decode_errors: int = 0  # packets the decoder could not decode or frames it flagged damaged

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps if self.fps > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["duration_s"] = round(self.duration_s, 4)
        return d


@dataclass(frozen=True)
class Provenance:
    """Where a sequence came from: model, versions, and every processing step."""

    model: str = "unknown"
    model_sha256: str = ""
    mediapipe_version: str = ""
    posture_version: str = ""
    subject: str = ""
    steps: tuple[tuple[str, str], ...] = ()

    def with_step(self, name: str, **params: Any) -> Provenance:
        """A copy with one more step, its parameters stored as sorted JSON."""
        return dataclasses.replace(self, steps=self.steps + ((name, json.dumps(params, sort_keys=True)),))

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["steps"] = [{"name": n, "params": json.loads(p)} for n, p in self.steps]
        return d


@dataclass(frozen=True)
class PoseFrame:
    """One frame of one person, for live (streaming) analysers fed a frame at a time.

    Same units and conventions as :class:`PoseSequence`: ``xy_px`` (33, 2) pixels,
    ``world_m`` (33, 3) metres, ``visibility`` (33,) in [0, 1]; ``width``/``height``
    of the upright frame.
    """

    xy_px: np.ndarray
    world_m: np.ndarray
    visibility: np.ndarray
    timestamp_s: float
    width: int
    height: int
    people_count: int = 1

    def __post_init__(self) -> None:
        for name, shape in (("xy_px", (N_LANDMARKS, 2)), ("world_m", (N_LANDMARKS, 3)), ("visibility", (N_LANDMARKS,))):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.shape != shape:
                raise PoseValidationError(f"PoseFrame.{name} must have shape {shape}, got {arr.shape}")
            object.__setattr__(self, name, arr)


def _as_array(name: str, value: Any, dtype: type) -> np.ndarray:
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"dtype {arr.dtype}")
        if np.dtype(dtype).kind in "iu" and arr.dtype.kind == "f":
            if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
                raise TypeError("non-integer values")
        return arr.astype(dtype, copy=False)
    except (TypeError, ValueError, OverflowError) as e:
        raise PoseValidationError(f"{name} must hold numbers ({np.dtype(dtype).name}), got {e}") from None


# Frame intervals a camera really produces. Our choice: 1000 frames/s covers the high-speed modes of
# phones (960 fps); one frame a minute covers time-lapse desk monitoring. Outside these, a landmark
# file's timestamps are damaged, and window lengths in frames (seconds x fps) would explode.
MAX_FPS = 1000.0
MAX_FRAME_INTERVAL_S = 60.0


def check_timing(timestamps_s: np.ndarray, container_fps: float, source: str) -> None:
    """Refuse timestamps or a frame rate no camera produces (median interval, container fps).

    Raises :class:`PoseValidationError` naming ``source``. Call it at the boundary
    (loading a file, starting an analysis) before anything sized by fps is allocated.
    """
    fps = float(container_fps)
    if not np.isfinite(fps) or fps < 0 or fps > MAX_FPS:
        raise PoseValidationError(
            f"{source}: frame rate {fps:g} fps is not one a camera records (expected 0 for a photo, or up to "
            f"{MAX_FPS:g}); the metadata is damaged: extract the landmarks again from the video"
        )
    ts = np.asarray(timestamps_s, dtype=np.float64)
    if ts.size > 1:
        dt = float(np.median(np.diff(ts)))
        if not (0.999 / MAX_FPS <= dt <= 1.001 * MAX_FRAME_INTERVAL_S):  # tolerate float rounding at the limits
            raise PoseValidationError(
                f"{source}: frames are a median {dt:.3g} s apart; expected {1.0 / MAX_FPS:g} to "
                f"{MAX_FRAME_INTERVAL_S:g} s ({MAX_FPS:g} down to one frame a minute); the timestamps are damaged: "
                "extract the landmarks again, or re-encode the video at a steady frame rate"
            )


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class PoseSequence:
    """A validated track of one person's 33 landmarks over time (see module docstring)."""

    xy_px: np.ndarray
    world_m: np.ndarray
    visibility: np.ndarray
    timestamps_s: np.ndarray
    video: VideoInfo
    depth_px: np.ndarray | None = None
    presence: np.ndarray | None = None
    frame_index: np.ndarray | None = None
    people_count: np.ndarray | None = None
    masks: np.ndarray | None = None
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        xy = _as_array("xy_px", self.xy_px, np.float64)
        if xy.ndim != 3 or xy.shape[1:] != (N_LANDMARKS, 2):
            raise PoseValidationError(f"xy_px must have shape (n, {N_LANDMARKS}, 2), got {xy.shape}")
        n = xy.shape[0]
        if n == 0:
            raise PoseValidationError("a PoseSequence needs at least one frame, got 0")

        def check(name: str, value: Any, shape: tuple[int, ...], dtype: type, fill: float | None) -> np.ndarray:
            if value is None:
                if fill is None:
                    raise PoseValidationError(f"{name} is required")
                return np.full(shape, fill, dtype=dtype)
            arr = _as_array(name, value, dtype)
            if arr.shape != shape:
                raise PoseValidationError(f"{name} must have shape {shape}, got {arr.shape}")
            return arr

        world = check("world_m", self.world_m, (n, N_LANDMARKS, 3), np.float64, None)
        vis = check("visibility", self.visibility, (n, N_LANDMARKS), np.float64, None)
        ts = check("timestamps_s", self.timestamps_s, (n,), np.float64, None)
        depth = check("depth_px", self.depth_px, (n, N_LANDMARKS), np.float64, np.nan)
        pres = check("presence", self.presence, (n, N_LANDMARKS), np.float64, np.nan)
        fidx = self.frame_index if self.frame_index is not None else np.arange(n)
        fidx = check("frame_index", fidx, (n,), np.int64, None)
        people = check("people_count", self.people_count, (n,), np.int64, -1)
        for name, arr in (("xy_px", xy), ("world_m", world), ("depth_px", depth)):
            if np.isinf(arr).any():
                bad = int(np.argmax(np.isinf(arr).reshape(n, -1).any(axis=1)))
                raise PoseValidationError(f"{name} holds an infinite value at frame {bad}; use NaN for a missing landmark")
        if np.any(~np.isfinite(ts)):
            raise PoseValidationError("timestamps_s must be finite")
        if n > 1 and np.any(np.diff(ts) <= 0):
            bad = int(np.argmax(np.diff(ts) <= 0))
            raise PoseValidationError(
                f"timestamps_s must increase strictly; frame {bad + 1} has {ts[bad + 1]:.6f} s after {ts[bad]:.6f} s"
            )
        finite_vis = vis[np.isfinite(vis)]
        if finite_vis.size and (finite_vis.min() < 0 or finite_vis.max() > 1):
            raise PoseValidationError(
                f"visibility must lie in [0, 1], got range [{finite_vis.min():.3f}, {finite_vis.max():.3f}]"
            )
        masks = self.masks
        if masks is not None:
            masks = np.asarray(masks, dtype=np.uint8)
            if masks.ndim != 3 or masks.shape[0] != n:
                raise PoseValidationError(f"masks must have shape (n={n}, h, w), got {masks.shape}")
            masks = _readonly(masks)
        for name, arr in (
            ("xy_px", xy), ("world_m", world), ("visibility", np.nan_to_num(vis)), ("timestamps_s", ts),
            ("depth_px", depth), ("presence", pres), ("frame_index", fidx), ("people_count", people),
        ):
            object.__setattr__(self, name, _readonly(arr))
        object.__setattr__(self, "masks", masks)

    # ------------------------------------------------------------------ facts
    @property
    def n_frames(self) -> int:
        return int(self.xy_px.shape[0])

    @property
    def found(self) -> np.ndarray:
        """(n,) bool: the subject was found in the frame (any landmark is finite)."""
        return np.isfinite(self.xy_px[:, :, 0]).any(axis=1)

    @property
    def detection_rate(self) -> float:
        """Share of frames in which the subject was found, 0..1."""
        return float(self.found.mean())

    @property
    def fps(self) -> float:
        """Frame rate from the real timestamps (median interval), falling back to the container's."""
        if self.n_frames > 1:
            dt = float(np.median(np.diff(self.timestamps_s)))
            if dt > 0:
                return 1.0 / dt
        return float(self.video.fps)

    @property
    def max_people(self) -> int:
        return int(self.people_count.max()) if self.people_count.size else 0

    # ---------------------------------------------------------------- editing
    def replace(self, step: str | None = None, step_params: dict[str, Any] | None = None, **changes: Any) -> PoseSequence:
        """A new validated sequence with some fields changed, optionally recording a step."""
        if step is not None:
            changes["provenance"] = self.provenance.with_step(step, **(step_params or {}))
        return dataclasses.replace(self, **changes)

    def slice(self, start: int, stop: int) -> PoseSequence:
        """Frames ``start:stop`` (positions in this sequence, not frame numbers)."""
        sl = slice(start, stop)
        return dataclasses.replace(
            self,
            xy_px=self.xy_px[sl], world_m=self.world_m[sl], visibility=self.visibility[sl],
            timestamps_s=self.timestamps_s[sl], depth_px=self.depth_px[sl], presence=self.presence[sl],
            frame_index=self.frame_index[sl], people_count=self.people_count[sl],
            masks=None if self.masks is None else self.masks[sl],
        )

    def frame(self, i: int) -> PoseFrame | None:
        """Frame ``i`` as a :class:`PoseFrame` (None where the subject was not found)."""
        if not np.isfinite(self.xy_px[i]).any():
            return None
        return PoseFrame(
            xy_px=self.xy_px[i], world_m=self.world_m[i], visibility=self.visibility[i],
            timestamp_s=float(self.timestamps_s[i]), width=self.video.width, height=self.video.height,
            people_count=int(max(self.people_count[i], 1)),
        )

    def point_px(self, index: int, min_visibility: float = 0.0) -> np.ndarray:
        """(n, 2) pixel track of one landmark; NaN where visibility < ``min_visibility``."""
        p = np.array(self.xy_px[:, index, :])
        p[self.visibility[:, index] < min_visibility] = np.nan
        return p
