"""Linking people across frames and choosing the subject: pure NumPy, no MediaPipe.

Each frame's :class:`Detection` list (from any landmarker, or made up in a test) is
linked into tracks by box distance, fragments of one person are merged, and
:class:`PoseTracks` holds every track; ``select`` picks the subject (``largest``,
``moving`` or ``x,y``; see :meth:`PoseTracks.select`).
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from posture.errors import NoPersonError
from posture.io.options import ExtractOptions
from posture.landmarks import N_LANDMARKS
from posture.sequence import PoseSequence, Provenance, VideoInfo

# "moving" subject: only tracks with at least this share of the biggest track's
# size x persistence compete. Our choice: the walking woman in sports2d_demo.mp4
# scores 0.7 of the man on the box; the false detection in marvindeng_P2_E3T5_Rear.mp4 0.25.
MOVING_MIN_SIZE_SHARE = 0.4
# One person leaving the picture and coming back: a later track of at least this long (our choice: about a
# step; the dev clips' false detections and duplicate re-detections last 1-5 frames) ...
REJOIN_MIN_S = 0.3
# ... with nobody else in view for more than this share of its frames (our choice), joins the subject.
REJOIN_MAX_OTHERS_SHARE = 0.2


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
        joined = self._comes_back(best) if "," not in subject else [best]
        seq = self.track(best) if len(joined) == 1 else self._joined(joined)
        what = f"track {best} of {self.n_tracks}" if len(joined) == 1 else \
            f"tracks {', '.join(map(str, joined))} of {self.n_tracks} (one person leaving and coming back)"
        return seq.replace(provenance=dataclasses.replace(seq.provenance, subject=f"{subject}: {what}"))

    def _comes_back(self, best: int) -> list[int]:
        """The subject's track plus the tracks of the same person after leaving the picture and coming back.

        A track joins when it never shares a frame with the subject or with any track already joined (one
        person cannot be in two places), lasts at least ``REJOIN_MIN_S`` and is at least
        ``MOVING_MIN_SIZE_SHARE`` of the subject's median body height (a flickering false detection stays out),
        and no other track is in view for more than ``REJOIN_MAX_OTHERS_SHARE`` of its frames (with a second
        person around, a piece could be them).
        """
        found = np.isfinite(self.xy_px[:, :, 0, 0])  # (T, n)
        height = np.array([self._median_height(t) for t in range(self.n_tracks)])
        dt = float(np.median(np.diff(self.timestamps_s))) if len(self.timestamps_s) > 1 else 1.0
        taken = found[best].copy()
        out = [best]
        for t in np.argsort(-self.track_scores("largest")):
            t = int(t)
            if t == best or found[t].sum() * dt < REJOIN_MIN_S or (found[t] & taken).any():
                continue
            if not height[t] >= MOVING_MIN_SIZE_SHARE * height[best]:
                continue
            others = np.delete(found, out + [t], axis=0).any(axis=0)
            if others[found[t]].mean() > REJOIN_MAX_OTHERS_SHARE:
                continue
            out.append(t)
            taken |= found[t]
        return sorted(out)

    def _median_height(self, t: int) -> float:
        xy, vis = self.xy_px[t], self.visibility[t]
        found = np.isfinite(xy[:, 0, 0])
        if not found.any():
            return 0.0
        pts = np.where((vis[found] > 0.3)[..., None], xy[found], np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return float(np.nanmedian(np.nanmax(pts[..., 1], axis=1) - np.nanmin(pts[..., 1], axis=1)))

    def _joined(self, tracks: list[int]) -> PoseSequence:
        """One sequence from tracks that never share a frame (each frame from the track present there)."""
        found = np.isfinite(self.xy_px[tracks, :, 0, 0])  # (k, n)
        pick = np.where(found.any(axis=0), np.argmax(found, axis=0), 0)
        src = np.asarray(tracks)[pick]
        frames = np.arange(self.xy_px.shape[1])

        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[src, frames]

        return PoseSequence(
            xy_px=take(self.xy_px), world_m=take(self.world_m), visibility=take(self.visibility),
            timestamps_s=self.timestamps_s, video=self.video, depth_px=take(self.depth_px),
            presence=take(self.presence), people_count=self.people_count, masks=take(self.masks),
            provenance=self.provenance,
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


def count_people(detections: list[Detection], max_distance: float) -> int:
    """People in one frame's detections: detections whose boxes are within ``max_distance``
    body sizes of one another (centre to centre) count as one person."""
    kept: list[Detection] = []
    for d in detections:
        if not kept or is_someone_else(d, kept, max_distance):
            kept.append(d)
    return len(kept)


def is_someone_else(detection: Detection, followed: list[Detection], max_distance: float) -> bool:
    """Is ``detection`` a person other than those ``followed`` (box centres farther apart than
    ``max_distance`` body sizes from each)? False when nobody is followed: nobody to be confused with."""
    return bool(followed) and all(_box_distance(detection.bbox(), f.bbox()) > max_distance for f in followed)
