"""Run MediaPipe PoseLandmarker over a video, photo or webcam stream.

Files use VIDEO mode with the container's timestamps; photos use IMAGE mode.
Decoding runs on a second thread that feeds a small bounded queue, so decoding
overlaps inference (2 cores) and memory stays flat in video length.

Several people: the landmarker is asked for up to ``num_poses`` people per
frame; detections are linked into tracks across frames, and one subject is
chosen afterwards (``largest``: biggest and most persistent, the default;
``moving``: the one who travels farthest sideways, for walking clips; or
``x,y``: the track nearest that pixel in the frame where it first appears).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import queue
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posture import __version__
from posture.errors import NoPersonError, PoseValidationError, VideoReadError
from posture.io.model import resolve_model_path, sha256_file
from posture.io.video import Frame, VideoSource, is_image_path, read_image
from posture.landmarks import N_LANDMARKS
from posture.sequence import PoseFrame, PoseSequence, Provenance, VideoInfo

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
# "moving" subject: only tracks with at least this share of the biggest track's
# size x persistence compete. Our choice: the walking woman in sports2d_demo.mp4
# scores 0.7 of the man on the box; the false detection in marvindeng_P2_E3T5_Rear.mp4 0.25.
MOVING_MIN_SIZE_SHARE = 0.4


@dataclass(frozen=True)
class ExtractOptions:
    """Landmarker and tracking settings. Defaults are MediaPipe's unless noted."""

    num_poses: int = 2  # our choice: follow one subject while noticing a second person
    min_pose_detection_confidence: float = 0.5
    min_pose_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    output_masks: bool = False
    mask_max_side: int = 256  # our choice: enough for a back outline, ~60 kB a frame
    queue_frames: int = 6  # decoded frames waiting for inference; bounds memory
    duplicate_iou: float = 0.5  # our choice: two detections this overlapping are one person
    max_link_distance: float = 0.6  # our choice: centre jump per frame, in body sizes
    max_gap_s: float = 1.0  # our choice: a track lost longer than this ends
    # Landmarker instances run in parallel on alternate frames. Our choice: one instance keeps
    # one core busy, and the machines we target have 2 cores. 1 gives the plain sequential loop.
    inference_workers: int = 2

    def cache_fields(self) -> dict[str, object]:
        """Settings that change what extraction produces (the cache key); excludes pure plumbing."""
        d = dataclasses.asdict(self)
        d.pop("queue_frames")
        return d

    def landmarker_options(self) -> dict[str, object]:
        return {
            "num_poses": self.num_poses,
            "min_pose_detection_confidence": self.min_pose_detection_confidence,
            "min_pose_presence_confidence": self.min_pose_presence_confidence,
            "min_tracking_confidence": self.min_tracking_confidence,
            "output_segmentation_masks": self.output_masks,
        }


@dataclass(frozen=True)
class Detection:
    """One person in one frame, in pixels and metres."""

    xy_px: np.ndarray  # (33, 2)
    depth_px: np.ndarray  # (33,)
    world_m: np.ndarray  # (33, 3)
    visibility: np.ndarray  # (33,)
    presence: np.ndarray  # (33,)
    mask: np.ndarray | None = None  # (h, w) uint8

    def bbox(self) -> tuple[float, float, float, float]:
        ok = self.visibility > 0.3
        pts = self.xy_px[ok] if ok.sum() >= 4 else self.xy_px
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


class _NativeStderrSilenced:
    """Silence the C++ side's start-up chatter on file descriptor 2 (absl/TFLite logs).

    Process-wide and reference-counted: several landmarkers starting at once on
    different threads share one redirection, so the real stderr is always the one
    restored. Python exceptions are unaffected; set POSTURE_NATIVE_LOGS=1 to see the logs.
    """

    _lock = threading.Lock()
    _depth = 0
    _saved: int | None = None

    def __enter__(self) -> None:
        if os.environ.get("POSTURE_NATIVE_LOGS"):
            return
        cls = type(self)
        with cls._lock:
            cls._depth += 1
            if cls._depth > 1:
                return
            try:
                sys.stderr.flush()
                cls._saved = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            except OSError:
                cls._saved = None

    def __exit__(self, *exc: object) -> None:
        if os.environ.get("POSTURE_NATIVE_LOGS"):
            return
        cls = type(self)
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0 and cls._saved is not None:
                os.dup2(cls._saved, 2)
                os.close(cls._saved)
                cls._saved = None


def _mp():
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    return mp, BaseOptions, vision


class PoseLandmarkerAdapter:
    """Thin wrapper over ``mediapipe.tasks.python.vision.PoseLandmarker`` giving :class:`Detection` lists."""

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
        with _NativeStderrSilenced():
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
        silence = _NativeStderrSilenced() if self._first else contextlib.nullcontext()
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
            mask = _shrink_mask(masks[i].numpy_view(), mask_max_side)
        out.append(Detection(
            xy_px=np.stack([arr[:, 0] * width, arr[:, 1] * height], axis=1),
            depth_px=arr[:, 2] * width,
            world_m=world,
            visibility=np.clip(arr[:, 3], 0, 1),
            presence=np.clip(arr[:, 4], 0, 1),
            mask=mask,
        ))
    return out


def _shrink_mask(mask: np.ndarray, max_side: int) -> np.ndarray:
    import cv2

    m = np.asarray(mask, dtype=np.float32)
    if m.ndim == 3:
        m = m[..., 0]
    h, w = m.shape
    s = min(1.0, max_side / max(h, w))
    if s < 1.0:
        m = cv2.resize(m, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return np.clip(m * 255.0 + 0.5, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- tracking
@dataclass(frozen=True)
class PoseTracks:
    """Every person tracked through a clip: arrays with a leading track axis.

    ``xy_px`` (T, n, 33, 2), ``depth_px`` (T, n, 33), ``world_m`` (T, n, 33, 3),
    ``visibility``/``presence`` (T, n, 33), NaN/0 where a track is absent;
    ``masks`` (T, n, h, w) uint8 or None; ``people_count`` (n,).
    """

    xy_px: np.ndarray
    depth_px: np.ndarray
    world_m: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    timestamps_s: np.ndarray
    people_count: np.ndarray
    video: VideoInfo
    provenance: Provenance
    masks: np.ndarray | None = None

    @property
    def n_tracks(self) -> int:
        return int(self.xy_px.shape[0])

    def track(self, t: int) -> PoseSequence:
        return PoseSequence(
            xy_px=self.xy_px[t], world_m=self.world_m[t], visibility=self.visibility[t],
            timestamps_s=self.timestamps_s, video=self.video, depth_px=self.depth_px[t],
            presence=self.presence[t], people_count=self.people_count,
            masks=None if self.masks is None else self.masks[t],
            provenance=dataclasses.replace(self.provenance, subject=f"track {t} of {self.n_tracks}"),
        )

    def track_scores(self, strategy: str = "largest") -> np.ndarray:
        """(T,) score of each track under a selection strategy (higher is better)."""
        T = self.n_tracks
        scores = np.zeros(T)
        for t in range(T):
            xy = self.xy_px[t]
            found = np.isfinite(xy[:, 0, 0])
            if not found.any():
                continue
            vis = self.visibility[t][found] > 0.3
            pts = np.where(vis[..., None], xy[found], np.nan)
            height = np.nanmax(pts[..., 1], axis=1) - np.nanmin(pts[..., 1], axis=1)
            height = np.nan_to_num(height)
            if strategy == "largest":
                scores[t] = float(np.sum(height))
            elif strategy == "moving":
                scores[t] = self._walking_speed(t) * np.sqrt(found.sum())
            else:
                raise ValueError(f"unknown subject strategy {strategy!r}; expected 'largest', 'moving' or 'x,y'")
        return scores

    def _walking_speed(self, t: int, window_s: float = 0.5) -> float:
        """Median speed of a track over ``window_s`` windows: body heights per second sideways
        plus the rate of change of log(size) (walking toward or away from the camera).

        Windows rather than frame-to-frame steps keep landmark jitter out of the
        score, so a still false detection scores near zero.
        """
        xy, vis = self.xy_px[t], self.visibility[t]
        found = np.isfinite(xy[:, 0, 0])
        ok = vis > 0.3
        pts_y = np.where(ok, xy[..., 1], np.nan)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            height = np.nanmax(pts_y, axis=1) - np.nanmin(pts_y, axis=1)
            hip_x = np.nanmean(xy[:, [23, 24], 0], axis=1)
        ts = self.timestamps_s
        if found.sum() < 3 or len(ts) < 3:
            return 0.0
        fps = 1.0 / float(np.median(np.diff(ts)))
        lag = max(1, int(round(window_s * fps)))
        a, b = np.arange(len(ts) - lag), np.arange(lag, len(ts))
        good = found[a] & found[b] & (height[a] > 1) & (height[b] > 1)
        if not good.any():
            return 0.0
        a, b = a[good], b[good]
        dt = ts[b] - ts[a]
        size = np.nanmedian(height[found])
        vx = np.abs(hip_x[b] - hip_x[a]) / dt / max(size, 1.0)
        vs = np.abs(np.log(height[b] / height[a])) / dt
        return float(np.nanmedian(vx + vs))

    def select(self, subject: str = "largest") -> PoseSequence:
        """The chosen subject's :class:`PoseSequence` (see module docstring for ``subject``)."""
        if self.n_tracks == 0:
            raise NoPersonError(f"{self.video.path}: no person was found in any of {len(self.timestamps_s)} frames")
        if "," in subject:
            try:
                px, py = (float(v) for v in subject.split(","))
            except ValueError as e:
                raise ValueError(f"subject point must be 'x,y' in pixels, got {subject!r}") from e
            dists = []
            for t in range(self.n_tracks):
                first = int(np.argmax(np.isfinite(self.xy_px[t, :, 0, 0])))
                c = np.nanmean(self.xy_px[t, first], axis=0)
                dists.append(np.hypot(c[0] - px, c[1] - py))
            best = int(np.argmin(dists))
        elif subject == "moving":
            # Only substantial people compete on speed: a flickering false detection
            # (equipment, a reflection) can jitter fast but is small or short-lived.
            size = self.track_scores("largest")
            speed = self.track_scores("moving")
            speed[size < MOVING_MIN_SIZE_SHARE * size.max()] = -1.0
            best = int(np.argmax(speed))
        else:
            best = int(np.argmax(self.track_scores(subject)))
        seq = self.track(best)
        return seq.replace(
            provenance=dataclasses.replace(
                seq.provenance, subject=f"{subject}: track {best} of {self.n_tracks}"
            )
        )


def link_tracks(detections: list[list[Detection]], timestamps_s: np.ndarray, options: ExtractOptions) -> list[list[int | None]]:
    """Assign each frame's detections to tracks. Returns per-track lists of detection index per frame."""
    tracks: list[dict] = []  # {"per_frame": list, "box": (x0,y0,x1,y1), "last_t": float}
    n = len(detections)
    for f, dets in enumerate(detections):
        dets = _suppress_duplicates(dets, options.duplicate_iou)
        detections[f] = dets
        boxes = [d.bbox() for d in dets]
        candidates = []
        for ti, tr in enumerate(tracks):
            if timestamps_s[f] - tr["last_t"] > options.max_gap_s:
                continue
            for di, b in enumerate(boxes):
                candidates.append((_box_distance(tr["box"], b), ti, di))
        candidates.sort()
        used_t, used_d = set(), set()
        for cost, ti, di in candidates:
            if cost > options.max_link_distance or ti in used_t or di in used_d:
                continue
            used_t.add(ti)
            used_d.add(di)
            tracks[ti]["per_frame"][f] = di
            tracks[ti]["box"] = boxes[di]
            tracks[ti]["last_t"] = float(timestamps_s[f])
        for di, b in enumerate(boxes):
            if di not in used_d:
                per = [None] * n
                per[f] = di
                tracks.append({"per_frame": per, "box": b, "first_box": b, "first_f": f,
                               "last_t": float(timestamps_s[f])})
    return _merge_fragments(tracks, timestamps_s, options)


def _merge_fragments(tracks: list[dict], timestamps_s: np.ndarray, options: ExtractOptions) -> list[list[int | None]]:
    """Join a track that starts where another ended (same place, within ``max_gap_s``).

    MediaPipe sometimes re-detects a person as a new pose for a frame or two
    (a person leaving the frame, a duplicate detection); without this, one
    person's walk splits into pieces and subject selection sees only one.
    """
    def last_f(tr: dict) -> int:
        return max(i for i, d in enumerate(tr["per_frame"]) if d is not None)

    merged = True
    while merged:
        merged = False
        for a in tracks:
            la = last_f(a)
            for b in tracks:
                if b is a or b["first_f"] <= a["first_f"]:
                    continue
                if not (la - 2 <= b["first_f"] and timestamps_s[b["first_f"]] - timestamps_s[la] <= options.max_gap_s):
                    continue
                if _box_distance(a["box"], b["first_box"]) > options.max_link_distance:
                    continue
                for f, d in enumerate(b["per_frame"]):
                    if d is not None and (a["per_frame"][f] is None or f > la):
                        a["per_frame"][f] = d
                a["box"] = b["box"]
                tracks.remove(b)
                merged = True
                break
            if merged:
                break
    return [tr["per_frame"] for tr in tracks]


def _box_distance(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ca = ((a[0] + a[2]) / 2, (a[1] + a[3]) / 2)
    cb = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    size = max(a[3] - a[1], b[3] - b[1], a[2] - a[0], b[2] - b[0], 1.0)
    return float(np.hypot(ca[0] - cb[0], ca[1] - cb[1]) / size)


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _suppress_duplicates(dets: list[Detection], iou: float) -> list[Detection]:
    if len(dets) < 2:
        return dets
    order = sorted(range(len(dets)), key=lambda i: -float(dets[i].visibility.mean()))
    kept: list[int] = []
    for i in order:
        if all(_iou(dets[i].bbox(), dets[k].bbox()) < iou for k in kept):
            kept.append(i)
    return [dets[i] for i in sorted(kept)]


def assemble_tracks(detections: list[list[Detection]], timestamps_s: np.ndarray, video: VideoInfo,
                    provenance: Provenance, options: ExtractOptions) -> PoseTracks:
    """Detections per frame -> :class:`PoseTracks` (linking identities across frames)."""
    n = len(detections)
    assignment = link_tracks(detections, timestamps_s, options)
    T = len(assignment)
    xy = np.full((T, n, N_LANDMARKS, 2), np.nan)
    depth = np.full((T, n, N_LANDMARKS), np.nan)
    world = np.full((T, n, N_LANDMARKS, 3), np.nan)
    vis = np.zeros((T, n, N_LANDMARKS))
    pres = np.zeros((T, n, N_LANDMARKS))
    masks = None
    if options.output_masks:
        shape = next((d.mask.shape for dets in detections for d in dets if d.mask is not None), (1, 1))
        masks = np.zeros((T, n, *shape), dtype=np.uint8)
    for t, per in enumerate(assignment):
        for f, di in enumerate(per):
            if di is None:
                continue
            d = detections[f][di]
            xy[t, f], depth[t, f], world[t, f] = d.xy_px, d.depth_px, d.world_m
            vis[t, f], pres[t, f] = d.visibility, d.presence
            if masks is not None and d.mask is not None and d.mask.shape == masks.shape[2:]:
                masks[t, f] = d.mask
    people = np.array([len(d) for d in detections], dtype=np.int64)
    return PoseTracks(xy, depth, world, vis, pres, np.asarray(timestamps_s, float), people, video, provenance, masks)


# --------------------------------------------------------------------------- files
def _threaded(frames: Iterator[Frame], maxsize: int) -> Iterator[Frame]:
    """Decode on a worker thread, handing frames over through a bounded queue."""
    q: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()
    DONE = object()

    def work() -> None:
        try:
            for fr in frames:
                while not stop.is_set():
                    try:
                        q.put(fr, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(DONE)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer and re-raised there
            q.put(e)

    th = threading.Thread(target=work, name="posture-decode", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        th.join(timeout=5)


def _provenance(model_path: Path) -> Provenance:
    import mediapipe as mp

    return Provenance(
        model=model_path.name, model_sha256=sha256_file(model_path),
        mediapipe_version=getattr(mp, "__version__", "?"), posture_version=__version__,
    )


def extract_tracks(path: str | os.PathLike[str], model_path: str | os.PathLike[str] | None = None,
                   options: ExtractOptions = ExtractOptions(), progress: ProgressFn | None = None,
                   landmarkers: list[PoseLandmarkerAdapter] | None = None) -> PoseTracks:
    """Every person's landmarks through a video (or a photo, as one frame).

    Videos are decoded on one thread and, with ``options.inference_workers`` = 2,
    inferred by two landmarker instances on alternate frames (each sees a
    sequence in time order, so its own tracking works; our tracker links the
    people across both). One landmarker keeps one core busy, so on 2 cores this
    nearly doubles throughput over the plain one-landmarker loop.
    """
    if is_image_path(path):
        rgb, info = read_image(path)
        with PoseLandmarkerAdapter(model_path, mode="image", options=options) as lm:
            dets = lm.detect(rgb)
            prov = _provenance(lm.model_path)
        if progress:
            progress(1, 1)
        return assemble_tracks([dets], np.array([0.0]), info, prov, options)
    src = VideoSource(path)
    own = not landmarkers
    workers = landmarkers or [
        PoseLandmarkerAdapter(model_path, mode="video", options=options) for _ in range(max(1, options.inference_workers))
    ]
    results: dict[int, list[Detection]] = {}
    stamps: list[float] = []
    total = src.declared_frames
    try:
        with src:
            frames = _threaded(iter(src), options.queue_frames)
            if len(workers) == 1:
                for fr in frames:
                    results[fr.index] = workers[0].detect(fr.rgb, fr.timestamp_s)
                    stamps.append(fr.timestamp_s)
                    if progress:
                        progress(len(stamps), max(total, len(stamps)))
            else:
                _infer_interleaved(frames, workers, results, stamps, progress, total, options.queue_frames)
        prov = _provenance(workers[0].model_path)
    finally:
        if own:
            for w in workers:
                w.close()
    detections = [results[i] for i in range(len(stamps))]
    return assemble_tracks(detections, np.array(stamps), src.info, prov, options)


def _infer_interleaved(frames: Iterator[Frame], workers: list[PoseLandmarkerAdapter], results: dict[int, list[Detection]],
                       stamps: list[float], progress: ProgressFn | None, total: int, queue_frames: int) -> None:
    """Frame i goes to worker i % k; each worker runs on its own thread (MediaPipe releases the GIL)."""
    k = len(workers)
    queues: list[queue.Queue] = [queue.Queue(maxsize=max(2, queue_frames // k)) for _ in range(k)]
    errors: list[BaseException] = []
    done = [0]
    lock = threading.Lock()
    STOP = object()

    def work(j: int) -> None:
        while True:
            fr = queues[j].get()
            if fr is STOP:
                return
            try:
                dets = workers[j].detect(fr.rgb, fr.timestamp_s)
            except BaseException as e:  # noqa: BLE001 - re-raised on the calling thread
                errors.append(e)
                dets = []
            with lock:
                results[fr.index] = dets
                done[0] += 1

    threads = [threading.Thread(target=work, args=(j,), name=f"posture-infer-{j}", daemon=True) for j in range(k)]
    for th in threads:
        th.start()
    reported = 0

    def report() -> None:
        # Progress is reported from the calling thread only: callers such as Streamlit can
        # update their widgets from their own thread, not from our workers.
        nonlocal reported
        with lock:
            n = done[0]
        if progress and n > reported:
            reported = n
            progress(n, max(total, n))

    try:
        for fr in frames:
            if errors:
                break
            stamps.append(fr.timestamp_s)
            queues[fr.index % k].put(fr)
            report()
    finally:
        for q in queues:
            q.put(STOP)
        for th in threads:
            th.join()
    if errors:
        raise errors[0]
    report()


def extract_pose(path: str | os.PathLike[str], model_path: str | os.PathLike[str] | None = None,
                 options: ExtractOptions = ExtractOptions(), subject: str = "largest",
                 progress: ProgressFn | None = None, min_detection_rate: float = 0.0) -> PoseSequence:
    """The main subject's :class:`PoseSequence` from a video or photo.

    Raises :class:`NoPersonError` when nobody is found, or when the subject is
    found in fewer than ``min_detection_rate`` of the frames.
    """
    tracks = extract_tracks(path, model_path, options, progress)
    seq = tracks.select(subject)
    if seq.detection_rate < min_detection_rate:
        raise NoPersonError(
            f"{path}: a person was found in {seq.detection_rate:.0%} of frames, expected at least {min_detection_rate:.0%}"
        )
    return seq


__all__ = [
    "Detection", "ExtractOptions", "PoseLandmarkerAdapter", "PoseTracks", "assemble_tracks", "extract_pose",
    "extract_tracks", "link_tracks", "PoseValidationError", "VideoReadError",
]


# --------------------------------------------------------------------------- live
class LivePoseEstimator:
    """Webcam frames in, one smoothed :class:`PoseFrame` out, one call per frame.

    Runs the landmarker in VIDEO mode synchronously (so it works inside a
    streamlit-webrtc frame callback), follows the largest person, and applies a
    causal One Euro filter. Not thread-safe: give each live session its own.
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, num_poses: int = 1,
                 max_side: int | None = 640, smooth: bool = True):
        from posture.cleanup import OneEuroFilter

        self.options = ExtractOptions(num_poses=num_poses)
        self._lm = PoseLandmarkerAdapter(model_path, mode="video", options=self.options)
        self.max_side = max_side
        self.smooth = smooth
        self._f_xy = OneEuroFilter()
        self._f_w = OneEuroFilter(beta=OneEuroFilter().beta * 500)
        self.frames_processed = 0

    def close(self) -> None:
        self._lm.close()

    def process(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame | None:
        """Pose of the largest person in an upright RGB frame, or None when nobody is found."""

        h, w = rgb.shape[:2]
        scale = 1.0
        small = rgb
        if self.max_side and max(h, w) > self.max_side:
            from posture.io.video import _resize_max_side

            small = _resize_max_side(rgb, self.max_side)
            scale = w / small.shape[1]
        dets = self._lm.detect(small, timestamp_s)
        self.frames_processed += 1
        if not dets:
            self._f_xy.reset()
            self._f_w.reset()
            return None
        best = max(dets, key=lambda d: (d.bbox()[3] - d.bbox()[1]) * (d.bbox()[2] - d.bbox()[0]))
        xy, world = best.xy_px * scale, best.world_m
        if self.smooth:
            xy, world = self._f_xy(xy, timestamp_s), self._f_w(world, timestamp_s)
        return PoseFrame(xy_px=xy, world_m=world, visibility=best.visibility, timestamp_s=timestamp_s,
                         width=w, height=h, people_count=len(dets))


class ParallelLivePoseEstimator:
    """:class:`LivePoseEstimator` with several landmarkers in flight, for webcams on multi-core machines.

    One landmarker keeps one core busy (about 50 ms a frame with the full model here), so a single one
    caps live analysis near 17-20 frames/s on 2 cores, with the second core idle. ``process`` hands the
    frame to an idle landmarker (or drops it when all are busy: a slow moment never builds lag) and
    returns at once with the newest pose finished so far, which may be a frame or two older than the
    frame given (its ``timestamp_s`` says which). Results are smoothed with the causal One Euro filter in
    time order. Same ``process(rgb, timestamp_s)`` call as :class:`LivePoseEstimator`.
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, num_poses: int = 1,
                 max_side: int | None = 640, workers: int = 2, estimator_factory: Callable[[], object] | None = None):
        from concurrent.futures import ThreadPoolExecutor

        from posture.cleanup import OneEuroFilter

        make = estimator_factory or (lambda: LivePoseEstimator(model_path, num_poses, max_side, smooth=False))
        self._estimators = [make() for _ in range(max(1, workers))]
        self._busy = [False] * len(self._estimators)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=len(self._estimators), thread_name_prefix="posture-live")
        self._latest: PoseFrame | None = None
        self._latest_t = -np.inf
        self._f_xy = OneEuroFilter()
        self._f_w = OneEuroFilter(beta=OneEuroFilter().beta * 500)
        self.frames_processed = 0
        self.frames_dropped = 0
        self.error: BaseException | None = None

    def process(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame | None:
        """Queue the frame on an idle landmarker; return the newest finished pose (or None)."""
        with self._lock:
            if self.error is not None:
                err, self.error = self.error, None
                raise err
            idle = [i for i, b in enumerate(self._busy) if not b]
            if idle:
                i = idle[0]
                self._busy[i] = True
                self._pool.submit(self._run, i, rgb, float(timestamp_s))
            else:
                self.frames_dropped += 1
            return self._latest

    def _run(self, i: int, rgb: np.ndarray, t: float) -> None:
        try:
            pose = self._estimators[i].process(rgb, t)
        except BaseException as e:  # noqa: BLE001 - handed to the caller's next process()
            with self._lock:
                self._busy[i] = False
                self.error = e
            return
        with self._lock:
            self._busy[i] = False
            self.frames_processed += 1
            if t <= self._latest_t:
                return  # a slower landmarker finished an older frame: keep the newer pose
            self._latest_t = t
            if pose is None:
                self._latest = None
                self._f_xy.reset()
                self._f_w.reset()
            else:
                self._latest = dataclasses.replace(pose, xy_px=self._f_xy(pose.xy_px, t), world_m=self._f_w(pose.world_m, t))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for e in self._estimators:
            e.close()
