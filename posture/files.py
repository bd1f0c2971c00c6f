"""Save and load pose sequences: ``.npz`` (everything, lossless) and ``.csv`` (one row per frame).

These let analyses and tests run without the model. The CSV has one row per
frame: ``frame, time_s, people`` then, for each landmark name,
``<name>_x_px, <name>_y_px, <name>_depth_px, <name>_xw_m, <name>_yw_m, <name>_zw_m,
<name>_visibility, <name>_presence``; video facts and provenance go in ``#`` comment
lines at the top as JSON.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np

from posture.errors import PoseValidationError
from posture.landmarks import N_LANDMARKS, NAMES
from posture.sequence import PoseSequence, Provenance, VideoInfo

FORMAT_VERSION = 1
_FIELDS = ("x_px", "y_px", "depth_px", "xw_m", "yw_m", "zw_m", "visibility", "presence")


def _meta(seq_video: VideoInfo, prov: Provenance) -> str:
    return json.dumps({"format_version": FORMAT_VERSION, "video": seq_video.to_dict(), "provenance": prov.to_dict()})


def _parse_meta(text: str, source: str) -> tuple[VideoInfo, Provenance]:
    try:
        meta = json.loads(text)
        v = meta["video"]
        video = VideoInfo(
            path=v["path"], fps=float(v["fps"]), n_frames=int(v["n_frames"]), width=int(v["width"]),
            height=int(v["height"]), rotation_deg=int(v.get("rotation_deg", 0)), is_image=bool(v.get("is_image", False)),
        )
        p = meta.get("provenance", {})
        steps = tuple((s["name"], json.dumps(s["params"], sort_keys=True)) for s in p.get("steps", []))
        prov = Provenance(
            model=p.get("model", "unknown"), model_sha256=p.get("model_sha256", ""),
            mediapipe_version=p.get("mediapipe_version", ""), posture_version=p.get("posture_version", ""),
            subject=p.get("subject", ""), steps=steps,
        )
    except (ValueError, KeyError, TypeError) as e:
        raise PoseValidationError(f"{source}: metadata is not a posture landmark header ({e})") from e
    return video, prov


def save_npz(seq: PoseSequence, path: str | os.PathLike[str]) -> Path:
    """Write ``seq`` losslessly to a compressed ``.npz``."""
    path = Path(path)
    arrays = dict(
        xy_px=seq.xy_px, world_m=seq.world_m, visibility=seq.visibility, timestamps_s=seq.timestamps_s,
        depth_px=seq.depth_px, presence=seq.presence, frame_index=seq.frame_index, people_count=seq.people_count,
        meta=np.array(_meta(seq.video, seq.provenance)),
    )
    if seq.masks is not None:
        arrays["masks"] = seq.masks
    np.savez_compressed(path, **arrays)
    return path


def load_npz(path: str | os.PathLike[str]) -> PoseSequence:
    try:
        with np.load(path, allow_pickle=False) as z:
            d = {k: z[k] for k in z.files}
    except (OSError, ValueError) as e:
        raise PoseValidationError(f"{path}: not a readable .npz landmark file ({e})") from e
    missing = {"xy_px", "world_m", "visibility", "timestamps_s", "meta"} - set(d)
    if missing:
        raise PoseValidationError(f"{path}: missing arrays {sorted(missing)}; found {sorted(d)}")
    video, prov = _parse_meta(str(d.pop("meta")), str(path))
    return PoseSequence(video=video, provenance=prov, **d)


def to_csv_text(seq: PoseSequence) -> str:
    buf = io.StringIO()
    buf.write("# " + _meta(seq.video, seq.provenance) + "\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["frame", "time_s", "people"] + [f"{n}_{f}" for n in NAMES for f in _FIELDS])
    stacked = np.concatenate(
        [seq.xy_px, seq.depth_px[..., None], seq.world_m, seq.visibility[..., None], seq.presence[..., None]], axis=2
    ).reshape(seq.n_frames, -1)
    for i in range(seq.n_frames):
        row = [int(seq.frame_index[i]), f"{seq.timestamps_s[i]:.6f}", int(seq.people_count[i])]
        row += ["" if not np.isfinite(v) else f"{v:.5f}" for v in stacked[i]]
        w.writerow(row)
    return buf.getvalue()


def save_csv(seq: PoseSequence, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    path.write_text(to_csv_text(seq))
    return path


def load_csv(path: str | os.PathLike[str]) -> PoseSequence:
    text = Path(path).read_text()
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        raise PoseValidationError(f"{path}: expected a '# {{json}}' header line first")
    video, prov = _parse_meta(lines[0][2:], str(path))
    rows = list(csv.reader(lines[1:]))
    header, body = rows[0], rows[1:]
    expected = 3 + N_LANDMARKS * len(_FIELDS)
    if len(header) != expected:
        raise PoseValidationError(f"{path}: expected {expected} columns, got {len(header)}")
    vals = np.array([[float(v) if v != "" else np.nan for v in r] for r in body], dtype=np.float64)
    if vals.size == 0:
        raise PoseValidationError(f"{path}: no frames")
    lm = vals[:, 3:].reshape(len(body), N_LANDMARKS, len(_FIELDS))
    return PoseSequence(
        xy_px=lm[..., 0:2], depth_px=lm[..., 2], world_m=lm[..., 3:6], visibility=np.nan_to_num(lm[..., 6]),
        presence=lm[..., 7], timestamps_s=vals[:, 1], frame_index=vals[:, 0].astype(np.int64),
        people_count=vals[:, 2].astype(np.int64), video=video, provenance=prov,
    )


def save(seq: PoseSequence, path: str | os.PathLike[str]) -> Path:
    """Save by extension: ``.npz`` or ``.csv``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        return save_npz(seq, path)
    if suffix == ".csv":
        return save_csv(seq, path)
    raise PoseValidationError(f"{path}: landmark files must end in .npz or .csv, got {suffix!r}")


def load(path: str | os.PathLike[str]) -> PoseSequence:
    """Load by extension: ``.npz`` or ``.csv``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        return load_npz(path)
    if suffix == ".csv":
        return load_csv(path)
    raise PoseValidationError(f"{path}: landmark files must end in .npz or .csv, got {suffix!r}")
