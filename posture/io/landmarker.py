"""The MediaPipe adapter: ``PoseLandmarker`` in, :class:`~posture.io.tracking.Detection` lists out.

The only module that calls the Tasks API. Coordinates leave it in pixels
(x * width, y * height, z * width) and metres, never normalised.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

from posture import __version__
from posture.io.model import resolve_model_path, sha256_file
from posture.io.native_log import NativeStderrSilenced
from posture.io.options import ExtractOptions
from posture.io.tracking import Detection
from posture.sequence import Provenance


def _mp():
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    return mp, BaseOptions, vision


class PoseLandmarkerAdapter:
    """Thin wrapper over ``mediapipe.tasks.python.vision.PoseLandmarker`` giving :class:`Detection` lists.

    Not thread-safe: one instance serves one thread at a time (each instance
    holds about 70 MB with the full model, measured: lite 59, heavy 135).
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, mode: str = "video",
                 options: ExtractOptions = ExtractOptions()):
        mp, BaseOptions, vision = _mp()
        self.model_path = Path(resolve_model_path(model_path))
        self.options = options
        running = {"video": vision.RunningMode.VIDEO, "image": vision.RunningMode.IMAGE}[mode]
        self.mode = mode
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=running,
            **options.landmarker_options(),
        )
        with NativeStderrSilenced():
            self._landmarker = vision.PoseLandmarker.create_from_options(opts)
        self._mp = mp
        self._last_ms = -1
        self._first = True

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> PoseLandmarkerAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def detect(self, rgb: np.ndarray, timestamp_s: float | None = None) -> list[Detection]:
        """People in one RGB frame; VIDEO mode needs increasing ``timestamp_s``."""
        h, w = rgb.shape[:2]
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        silence = NativeStderrSilenced() if self._first else contextlib.nullcontext()
        self._first = False
        with silence:
            if self.mode == "video":
                ms = int(round((timestamp_s or 0.0) * 1000.0))
                ms = max(ms, self._last_ms + 1)  # the Tasks API demands strictly increasing milliseconds
                self._last_ms = ms
                result = self._landmarker.detect_for_video(image, ms)
            else:
                result = self._landmarker.detect(image)
        return convert_result(result, w, h, self.options.mask_max_side if self.options.output_masks else None)


def convert_result(result, width: int, height: int, mask_max_side: int | None) -> list[Detection]:
    """MediaPipe result -> detections in pixels (x*width, y*height, z*width) and metres."""
    out = []
    masks = result.segmentation_masks or []
    for i, lms in enumerate(result.pose_landmarks):
        arr = np.array([(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in lms], dtype=np.float64)
        world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[i]], dtype=np.float64)
        mask = None
        if mask_max_side and i < len(masks):
            mask = shrink_mask(masks[i].numpy_view(), mask_max_side)
        out.append(Detection(
            xy_px=np.stack([arr[:, 0] * width, arr[:, 1] * height], axis=1),
            depth_px=arr[:, 2] * width,
            world_m=world,
            visibility=np.clip(arr[:, 3], 0, 1),
            presence=np.clip(arr[:, 4], 0, 1),
            mask=mask,
        ))
    return out


def shrink_mask(mask: np.ndarray, max_side: int) -> np.ndarray:
    """A float mask in [0, 1] -> uint8 (0-255) no larger than ``max_side`` on its long side."""
    import cv2

    m = np.asarray(mask, dtype=np.float32)
    if m.ndim == 3:
        m = m[..., 0]
    h, w = m.shape
    s = min(1.0, max_side / max(h, w))
    if s < 1.0:
        m = cv2.resize(m, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return np.clip(m * 255.0 + 0.5, 0, 255).astype(np.uint8)


def model_provenance(model_path: Path) -> Provenance:
    """Which model and library versions produced the landmarks."""
    import mediapipe as mp

    return Provenance(
        model=model_path.name, model_sha256=sha256_file(model_path),
        mediapipe_version=getattr(mp, "__version__", "?"), posture_version=__version__,
    )
