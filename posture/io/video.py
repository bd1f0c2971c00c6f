"""Decode videos, photos and webcam frames into upright RGB frames with real timestamps.

Only this package (``posture.io``) imports PyAV/OpenCV/MediaPipe. Frames are
streamed (memory does not grow with video length); timestamps come from the
container's presentation times, so variable-frame-rate phone clips are timed
correctly; the display-matrix rotation of phone clips is applied, so portrait
clips come out upright. Anything that cannot be decoded raises
:class:`~posture.errors.VideoReadError` with a one-line reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posture.errors import VideoReadError
from posture.sequence import VideoInfo

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".mpg", ".mpeg", ".3gp", ".y4m"})
# A container that declares N frames but yields fewer than this share was cut short.
TRUNCATED_SHARE = 0.9  # our choice: tolerates encoders that over-declare by a few frames
# Packets that fail to decode are skipped and counted (VideoInfo.decode_errors); when more than this
# share of the frames were lost or flagged damaged, the file is refused. Our choice: "most".
MAX_DAMAGED_SHARE = 0.5


@dataclass(frozen=True)
class Frame:
    """One upright RGB frame: ``rgb`` is (height, width, 3) uint8."""

    index: int
    timestamp_s: float
    rgb: np.ndarray


def is_image_path(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def _check_file(path: Path) -> None:
    if not path.exists():
        raise VideoReadError(f"{path}: no such file")
    if path.is_dir():
        raise VideoReadError(f"{path}: is a folder, expected a video or image file")
    if path.stat().st_size == 0:
        raise VideoReadError(f"{path}: the file is empty (0 bytes)")


def upright(rgb: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Apply a display rotation (degrees counter-clockwise, multiple of 90) to an image."""
    k = (int(round(rotation_deg / 90.0))) % 4
    return np.ascontiguousarray(np.rot90(rgb, k)) if k else rgb


def read_image(path: str | os.PathLike[str]) -> tuple[np.ndarray, VideoInfo]:
    """A photo as an upright RGB array (EXIF orientation applied) and its facts."""
    import cv2

    path = Path(path)
    _check_file(path)
    data = np.fromfile(str(path), dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)  # IMREAD_COLOR honours EXIF orientation
    if bgr is None:
        raise VideoReadError(f"{path}: not a readable image (expected {', '.join(sorted(IMAGE_SUFFIXES))})")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    return rgb, VideoInfo(path=str(path), fps=0.0, n_frames=1, width=w, height=h, rotation_deg=0, is_image=True)


class VideoSource:
    """A video file opened for streaming decode; iterate to get :class:`Frame` objects.

    ``info`` holds the container's facts before decoding (``n_frames`` is the
    declared count, corrected once iteration ends). Use as a context manager.
    """

    def __init__(self, path: str | os.PathLike[str], max_side: int | None = None):
        import av

        self.path = Path(path)
        _check_file(self.path)
        self.max_side = max_side
        try:
            self._container = av.open(str(self.path))
        except (av.error.FFmpegError, OSError, UnicodeDecodeError) as e:
            raise VideoReadError(f"{self.path}: not a readable video ({type(e).__name__}: {e})") from e
        if not self._container.streams.video:
            self._container.close()
            raise VideoReadError(f"{self.path}: the file holds no video stream")
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        ctx = self._stream.codec_context
        rate = self._stream.average_rate or self._stream.guessed_rate or 0
        fps = float(rate) if rate else 0.0
        self.declared_frames = int(self._stream.frames or 0)
        if self.declared_frames == 0 and self._stream.duration and self._stream.time_base and fps:
            self.declared_frames = int(round(float(self._stream.duration * self._stream.time_base) * fps))
        w, h = int(ctx.width or 0), int(ctx.height or 0)
        if w == 0 or h == 0:
            self._container.close()
            raise VideoReadError(f"{self.path}: video stream has no picture size (width={w}, height={h})")
        self.rotation_deg = self._probe_rotation()
        if self.rotation_deg % 180:
            w, h = h, w
        self.info = VideoInfo(
            path=str(self.path), fps=fps, n_frames=self.declared_frames, width=w, height=h,
            rotation_deg=self.rotation_deg,
        )
        self.decoded_frames = 0
        self.decode_errors = 0  # packets that failed to decode plus frames the decoder flagged corrupt

    def _probe_rotation(self) -> int:
        # Rotation lives in the stream's display matrix; PyAV reports it per frame,
        # so read the first frame and seek back to the start.
        try:
            for frame in self._container.decode(self._stream):
                rot = int(round(getattr(frame, "rotation", 0) or 0)) % 360
                rot = rot - 360 if rot > 180 else rot  # report in (-180, 180]
                break
            else:
                rot = 0
            self._container.seek(0, stream=self._stream)
        except Exception:  # noqa: BLE001 - a broken first frame is reported by __iter__
            rot = 0
            self._reopen()
        return rot

    def _reopen(self) -> None:
        import av

        self._container.close()
        self._container = av.open(str(self.path))
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def __iter__(self) -> Iterator[Frame]:
        import av

        last_t = -np.inf
        fallback_dt = 1.0 / self.info.fps if self.info.fps > 0 else 1.0 / 30.0
        self._reopen()  # always decode from the first packet, whatever the probe left behind
        self.decode_errors = 0
        try:
            for frame in self._decode_tolerant():
                t = frame.time
                if t is None or not np.isfinite(t) or t <= last_t:
                    # missing or repeated timestamps: step on by the nominal frame time
                    t = (last_t + fallback_dt) if np.isfinite(last_t) else 0.0
                last_t = float(t)
                rgb = frame.to_ndarray(format="rgb24")
                rgb = upright(rgb, self.rotation_deg)
                if self.max_side and max(rgb.shape[:2]) > self.max_side:
                    rgb = _resize_max_side(rgb, self.max_side)
                yield Frame(index=self.decoded_frames, timestamp_s=last_t, rgb=rgb)
                self.decoded_frames += 1
        except av.error.FFmpegError as e:
            raise VideoReadError(
                f"{self.path}: decoding failed after {self.decoded_frames} frames ({type(e).__name__}: {e}); "
                "the file is damaged or truncated"
            ) from e
        if self.decoded_frames == 0:
            raise VideoReadError(f"{self.path}: the video has no decodable frames")
        seen = self.decoded_frames + self._failed_packets
        if self.decode_errors > MAX_DAMAGED_SHARE * seen:
            raise VideoReadError(
                f"{self.path}: {self.decode_errors} of {seen} frames could not be decoded or are damaged; "
                "the file is corrupt: copy or export it again from the camera or phone"
            )
        if self.declared_frames and self.decoded_frames < TRUNCATED_SHARE * self.declared_frames:
            raise VideoReadError(
                f"{self.path}: truncated: the container declares {self.declared_frames} frames "
                f"but only {self.decoded_frames} could be decoded"
            )
        self.info = VideoInfo(
            path=self.info.path, fps=self.info.fps, n_frames=self.decoded_frames,
            width=self.info.width, height=self.info.height, rotation_deg=self.info.rotation_deg,
            decode_errors=self.decode_errors,
        )

    def _decode_tolerant(self):
        """Decoded frames, packet by packet: a packet the decoder rejects is skipped and counted,
        so a damaged stretch in the middle costs those frames, not the rest of the file."""
        import av

        self._failed_packets = 0
        for packet in self._container.demux(self._stream):
            try:
                frames = packet.decode()
            except av.error.EOFError:
                break
            except av.error.InvalidDataError:
                self.decode_errors += 1
                self._failed_packets += 1
                continue
            for frame in frames:
                if frame.is_corrupt:
                    self.decode_errors += 1
                yield frame


def _resize_max_side(rgb: np.ndarray, max_side: int) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    s = max_side / max(h, w)
    return cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def open_video(path: str | os.PathLike[str]) -> VideoSource:
    """Open a video for streaming; a photo given here raises VideoReadError saying so."""
    if is_image_path(path):
        raise VideoReadError(f"{path}: this is a photo, expected a video (use an image-aware call such as read_media)")
    return VideoSource(path)


def iter_media(path: str | os.PathLike[str]) -> tuple[VideoInfo, Iterator[Frame]]:
    """Facts and frames of a video or photo (a photo is one frame at t=0)."""
    if is_image_path(path):
        rgb, info = read_image(path)
        return info, iter([Frame(index=0, timestamp_s=0.0, rgb=rgb)])
    src = VideoSource(path)
    return src.info, iter(src)
