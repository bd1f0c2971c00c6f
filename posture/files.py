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

from posture.errors import InputFileError, PoseValidationError
from posture.landmarks import N_LANDMARKS, NAMES
from posture.sequence import MAX_FPS, PoseSequence, Provenance, VideoInfo, check_timing

FORMAT_VERSION = 1
_FIELDS = ("x_px", "y_px", "depth_px", "xw_m", "yw_m", "zw_m", "visibility", "presence")
# Our choice: bounds that no camera exceeds; beyond them the header is damaged, not exotic.
MAX_SIDE_PX = 100_000
MAX_FRAMES = 100_000_000
_REEXTRACT = "extract the landmarks again with 'posture landmarks VIDEO -o FILE'"


def check_input_file(path: str | os.PathLike[str], what: str = "input") -> Path:
    """``path`` as a Path if it is an existing, readable, non-empty file; else :class:`InputFileError`."""
    p = Path(path)
    try:
        if not p.exists():
            raise InputFileError(f"{p}: no such file; check the {what} path")
        if p.is_dir():
            raise InputFileError(f"{p}: is a folder; give the {what} file inside it")
        if p.stat().st_size == 0:
            raise InputFileError(f"{p}: the file is empty (0 bytes)")
        with open(p, "rb") as f:
            f.read(1)
    except PermissionError:
        raise InputFileError(f"{p}: permission denied; make the {what} file readable (chmod +r) or copy it") from None
    except OSError as e:
        raise InputFileError(f"{p}: cannot be read ({e.strerror or e}); check the {what} file") from None
    return p


def _meta(seq_video: VideoInfo, prov: Provenance) -> str:
    return json.dumps({"format_version": FORMAT_VERSION, "video": seq_video.to_dict(), "provenance": prov.to_dict()})


def _parse_meta(text: str, source: str) -> tuple[VideoInfo, Provenance]:
    try:
        meta = json.loads(text)
        v = meta["video"]
        video = VideoInfo(
            path=str(v["path"]), fps=float(v["fps"]), n_frames=int(v["n_frames"]), width=int(v["width"]),
            height=int(v["height"]), rotation_deg=int(v.get("rotation_deg", 0)), is_image=bool(v.get("is_image", False)),
            decode_errors=int(v.get("decode_errors", 0)),
        )
        p = meta.get("provenance", {})
        steps = tuple((s["name"], json.dumps(s["params"], sort_keys=True)) for s in p.get("steps", []))
        prov = Provenance(
            model=p.get("model", "unknown"), model_sha256=p.get("model_sha256", ""),
            mediapipe_version=p.get("mediapipe_version", ""), posture_version=p.get("posture_version", ""),
            subject=p.get("subject", ""), steps=steps,
        )
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as e:
        raise PoseValidationError(f"{source}: metadata is not a posture landmark header ({e}); {_REEXTRACT}") from e
    _check_video_facts(video, source)
    return video, prov


def _check_video_facts(v: VideoInfo, source: str) -> None:
    if not (np.isfinite(v.fps) and 0 <= v.fps <= MAX_FPS):
        raise PoseValidationError(f"{source}: header says {v.fps:g} fps, expected 0 (photo) to {MAX_FPS:g}; {_REEXTRACT}")
    if not (0 < v.width <= MAX_SIDE_PX and 0 < v.height <= MAX_SIDE_PX):
        raise PoseValidationError(
            f"{source}: header says {v.width}x{v.height} pixels, expected 1 to {MAX_SIDE_PX} a side; {_REEXTRACT}"
        )
    if not 0 <= v.n_frames <= MAX_FRAMES or v.decode_errors < 0:
        raise PoseValidationError(f"{source}: header says {v.n_frames} frames; {_REEXTRACT}")


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


_NPZ_ARRAYS = ("xy_px", "world_m", "visibility", "timestamps_s", "depth_px", "presence", "frame_index",
               "people_count", "masks")


def load_npz(path: str | os.PathLike[str]) -> PoseSequence:
    """Load a ``.npz`` written by :func:`save_npz`, validating it before anything is allocated for analysis."""
    check_input_file(path, "landmark")
    try:
        with np.load(path, allow_pickle=False) as z:
            names = list(z.files)
            missing = {"xy_px", "world_m", "visibility", "timestamps_s", "meta"} - set(names)
            if missing:
                raise PoseValidationError(
                    f"{path}: missing arrays {sorted(missing)}; found {sorted(names)}; is this a posture landmark file?"
                )
            d = {k: z[k] for k in names if k in _NPZ_ARRAYS or k == "meta"}
    except PoseValidationError:
        raise
    except Exception as e:  # noqa: BLE001 - zip, zlib, EOF, pickle and format errors all mean a damaged file
        raise PoseValidationError(
            f"{path}: not a readable .npz landmark file ({e}); the file is damaged or "
            f"truncated: {_REEXTRACT}"
        ) from e
    meta = d.pop("meta")
    if meta.ndim != 0 or meta.dtype.kind != "U":
        raise PoseValidationError(f"{path}: 'meta' must be one JSON string, got {meta.dtype} {meta.shape}; {_REEXTRACT}")
    video, prov = _parse_meta(str(meta), str(path))
    ts = d["timestamps_s"]
    if ts.ndim != 1 or ts.dtype.kind not in "iuf":
        raise PoseValidationError(f"{path}: timestamps_s must be a 1-D array of seconds, got {ts.dtype} {ts.shape}")
    if not np.all(np.isfinite(ts)):
        bad = int(np.argmax(~np.isfinite(ts)))
        raise PoseValidationError(f"{path}: timestamp of frame {bad} is {ts[bad]}; timestamps must be finite")
    check_timing(ts, video.fps, str(path))
    try:
        return PoseSequence(video=video, provenance=prov, **d)
    except PoseValidationError as e:
        raise PoseValidationError(f"{path}: {e}") from e


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


def _csv_number(cell: str, row: int, col: str, path: str | os.PathLike[str]) -> float:
    if cell == "":
        return np.nan
    try:
        return float(cell)
    except ValueError:
        raise PoseValidationError(
            f"{path}: line {row}, column {col!r} holds {cell[:20]!r}, expected a number or an empty cell"
        ) from None


def load_csv(path: str | os.PathLike[str]) -> PoseSequence:
    """Load a ``.csv`` written by :func:`save_csv`, validating every row before building the sequence."""
    check_input_file(path, "landmark")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise PoseValidationError(f"{path}: not a UTF-8 text file ({e.reason} at byte {e.start}); {_REEXTRACT}") from e
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        raise PoseValidationError(f"{path}: expected a '# {{json}}' header line first; {_REEXTRACT}")
    video, prov = _parse_meta(lines[0][2:], str(path))
    try:
        rows = list(csv.reader(lines[1:]))
    except csv.Error as e:
        raise PoseValidationError(f"{path}: not a valid CSV ({e})") from e
    if not rows:
        raise PoseValidationError(f"{path}: the column header line is missing after the '# ' line; {_REEXTRACT}")
    header, body = rows[0], rows[1:]
    expected = 3 + N_LANDMARKS * len(_FIELDS)
    if len(header) != expected:
        raise PoseValidationError(f"{path}: expected {expected} columns, got {len(header)}")
    if not body:
        raise PoseValidationError(f"{path}: no frames (only the header lines)")
    for i, r in enumerate(body):
        if len(r) != expected:
            raise PoseValidationError(f"{path}: line {i + 3} has {len(r)} cells, expected {expected}; the file is cut or edited")
    vals = np.array([[_csv_number(v, i + 3, header[j], path) for j, v in enumerate(r)] for i, r in enumerate(body)],
                    dtype=np.float64)
    for j in (0, 2):
        col = vals[:, j]
        if not np.all(np.isfinite(col)) or np.any(col != np.round(col)) or np.any(np.abs(col) > MAX_FRAMES):
            raise PoseValidationError(f"{path}: column {header[j]!r} must hold whole numbers on every line")
    ts = vals[:, 1]
    if not np.all(np.isfinite(ts)):
        bad = int(np.argmax(~np.isfinite(ts)))
        raise PoseValidationError(f"{path}: line {bad + 3} has no finite time_s; timestamps must be finite")
    check_timing(ts, video.fps, str(path))
    lm = vals[:, 3:].reshape(len(body), N_LANDMARKS, len(_FIELDS))
    try:
        return PoseSequence(
            xy_px=lm[..., 0:2], depth_px=lm[..., 2], world_m=lm[..., 3:6], visibility=np.nan_to_num(lm[..., 6]),
            presence=lm[..., 7], timestamps_s=ts, frame_index=vals[:, 0].astype(np.int64),
            people_count=vals[:, 2].astype(np.int64), video=video, provenance=prov,
        )
    except PoseValidationError as e:
        raise PoseValidationError(f"{path}: {e}") from e


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
