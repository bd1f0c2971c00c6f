"""A small corpus of damaged and hostile input files, built in a test's tmp_path (never shipped).

Each builder writes one file from a valid synthetic walker and returns its path;
:data:`LANDMARK_CASES` maps a case name to (builder, message that the error must contain).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np

from posture.files import save
from posture.sequence import PoseSequence
from posture.synthetic import walker


def good_walker(duration_s: float = 2.0) -> PoseSequence:
    seq, _ = walker(duration_s=duration_s)
    return seq


def _npz(d: Path, name: str = "w.npz") -> Path:
    return save(good_walker(), d / name)


def _csv_lines(d: Path) -> list[str]:
    return save(good_walker(), d / "w.csv").read_text().splitlines()


def truncated_npz(d: Path) -> Path:
    raw = _npz(d).read_bytes()
    (p := d / "truncated.npz").write_bytes(raw[: len(raw) // 2])
    return p


def garbled_npz(d: Path) -> Path:
    raw = bytearray(_npz(d).read_bytes())
    for k in range(2000, 6000):
        raw[k] ^= 0x55
    (p := d / "garbled.npz").write_bytes(bytes(raw))
    return p


def text_npz(d: Path) -> Path:
    (p := d / "text.npz").write_text("not a zip")
    return p


def missing_array_npz(d: Path) -> Path:
    seq = good_walker()
    np.savez(p := d / "missing.npz", xy_px=seq.xy_px)
    return p


def ragged_csv(d: Path) -> Path:
    lines = _csv_lines(d)
    (p := d / "ragged.csv").write_text("\n".join(lines[:3] + [lines[3][:200]] + lines[4:]) + "\n")
    return p


def header_only_csv(d: Path) -> Path:
    (p := d / "header_only.csv").write_text("\n".join(_csv_lines(d)[:2]) + "\n")
    return p


def meta_only_csv(d: Path) -> Path:
    (p := d / "meta_only.csv").write_text(_csv_lines(d)[0] + "\n")
    return p


def text_cell_csv(d: Path) -> Path:
    lines = _csv_lines(d)
    cells = lines[5].split(",")
    cells[10] = "abc"
    (p := d / "text_cell.csv").write_text("\n".join(lines[:5] + [",".join(cells)] + lines[6:]) + "\n")
    return p


def latin1_csv(d: Path) -> Path:
    (p := d / "latin1.csv").write_bytes("\n".join(_csv_lines(d)).replace("walker", "caf\xe9").encode("latin-1"))
    return p


def microsecond_npz(d: Path) -> Path:
    seq = good_walker()
    return save(seq.replace(timestamps_s=np.arange(seq.n_frames) * 1e-6), d / "microseconds.npz")


def fps_1e9_npz(d: Path) -> Path:
    seq = good_walker()
    return save(seq.replace(video=dataclasses.replace(seq.video, fps=1e9)), d / "fps1e9.npz")


def all_nan_npz(d: Path) -> Path:
    seq = good_walker()
    return save(seq.replace(xy_px=np.full_like(seq.xy_px, np.nan), world_m=np.full_like(seq.world_m, np.nan),
                            visibility=np.zeros_like(seq.visibility)), d / "all_nan.npz")


def folder_npz(d: Path) -> Path:
    (p := d / "folder.npz").mkdir()
    return p


LANDMARK_CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "truncated npz": (truncated_npz, "not a readable .npz"),
    "garbled npz": (garbled_npz, "not a readable .npz"),
    "text npz": (text_npz, "not a readable .npz"),
    "npz missing arrays": (missing_array_npz, "missing arrays"),
    "ragged csv": (ragged_csv, "line 4 has"),
    "header-only csv": (header_only_csv, "no frames"),
    "meta-only csv": (meta_only_csv, "column header line is missing"),
    "text cell csv": (text_cell_csv, "holds 'abc'"),
    "latin-1 csv": (latin1_csv, "not a UTF-8"),
    "1 microsecond apart": (microsecond_npz, "median 1e-06 s apart"),
    "fps 1e9": (fps_1e9_npz, "1e\\+09 fps"),
    "a folder": (folder_npz, "is a folder"),
}
