"""Evaluate stretch recognition on the real dev photos and clips against the hand labels.

Usage (from the repository root)::

    .venv/bin/python scripts/eval_stretch.py [--real ../shared/datasets/real] [--json out.json]

One row per labelled file in ``labels/stretch.json``: the label (null = none of our stretches), what we
recognise (stretch, side, score), whether that is right, the set-up position if one was seen, and the key
angles over the frames in the stretch (or over the whole file when nothing was recognised): trunk tilt,
chest direction, hip and knee flexion of both legs, thigh adduction and ankle-to-other-knee distance,
plus the shoulder-rotation angle that tells a lying twist from a piriformis stretch.

Landmarks come from the extraction cache (POSTURE_CACHE_DIR, default .pytest_cache/d/posture).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def label_stretch(lab: dict) -> str | None:
    s = lab.get("stretch")
    return None if s is None else str(s).split()[0]


def _med(x: np.ndarray) -> float | None:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else None


def evaluate_file(real: Path, rel: str, lab: dict) -> dict:
    from posture.analyses import AnalyzeOptions
    from posture.io.cache import cached_tracks
    from posture.io.extract import ExtractOptions
    from posture.stretch.analysis import analyze_stretch
    from posture.stretch.angles import measures_of

    seq = cached_tracks(real / "stretch" / rel, ExtractOptions(output_masks=False)).select("largest")
    rep_obj = analyze_stretch(seq, AnalyzeOptions())
    rep = rep_obj.to_dict()
    block = rep.get("stretch", {})
    name, side, score = block.get("name"), block.get("side"), block.get("score")
    want = label_stretch(lab)
    right = name == want
    rec = next((f for f in rep["findings"] if f["id"] == "stretch_recognised"), {})
    m = measures_of(seq)
    in_pose = rep_obj.series.get("in_pose", {}).get("values")
    rows = np.asarray(in_pose, float) > 0.5 if in_pose is not None and np.any(np.asarray(in_pose) > 0.5) else \
        np.ones(seq.n_frames, bool)
    if rows.size != seq.n_frames:
        rows = np.ones(seq.n_frames, bool)
    if name is None and seq.n_frames > 1:  # nothing recognised: look at the moments of most hip flexion (the peak)
        peak = np.fmax(m["left_hip_flexion_deg"], m["right_hip_flexion_deg"])
        if np.isfinite(peak).any():
            rows = np.nan_to_num(peak, nan=-1e9) >= np.nanpercentile(peak, 80)
    aff = side if side in ("left", "right") else None
    oth = None if aff is None else ("right" if aff == "left" else "left")

    def leg(measure: str, s: str | None) -> float | None:
        if s is None:
            return None
        return _med(m[f"{s}_{measure}"][rows])

    if aff is None:  # no side: show the leg with more hip flexion as "a", the other as "b"
        hl, hr = _med(m["left_hip_flexion_deg"][rows]), _med(m["right_hip_flexion_deg"][rows])
        aff = "left" if (hl or -1e9) >= (hr or -1e9) else "right"
        oth = "right" if aff == "left" else "left"
    angles = {
        "trunk_tilt": _med(m["trunk_tilt_deg"][rows]), "front_tilt": _med(m["front_tilt_deg"][rows]),
        "hip_a": leg("hip_flexion_deg", aff), "knee_a": leg("knee_flexion_deg", aff),
        "hip_b": leg("hip_flexion_deg", oth), "knee_b": leg("knee_flexion_deg", oth),
        "add_a": leg("thigh_adduction_deg", aff), "ankle_knee_a": leg("ankle_to_opposite_knee_ratio", aff),
        "shoulder_roll": _med(m["trunk_twist_deg"][rows]) if "trunk_twist_deg" in m else None,
    }
    return {"file": rel, "label": want, "side_label": lab.get("side"), "result": name, "side": side, "score": score,
            "confidence": rec.get("confidence"), "right": right, "setup": (block.get("setup_seen") or {}).get("id"),
            "holds": len(block.get("holds", [])), "leg_a": aff, "angles": angles,
            "reason": rec.get("reason")}


def fmt(v, nd: int = 0) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", default=str(REPO.parent / "shared" / "datasets" / "real"))
    ap.add_argument("--json", help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    os.environ.setdefault("POSTURE_CACHE_DIR", str(REPO / ".pytest_cache" / "d" / "posture"))
    real = Path(args.real)
    labels = json.loads((real / "labels" / "stretch.json").read_text())
    rows = [evaluate_file(real, rel, lab) for rel, lab in labels.items() if not rel.startswith("_")]

    hdr = (f"{'file':36s} {'label':20s} {'result':20s} {'side':5s} {'score':>5s} {'conf':>5s} {'ok':>3s} "
           f"{'setup':14s} {'trunk':>5s} {'front':>5s} {'hipA':>5s} {'kneeA':>5s} {'hipB':>5s} {'kneeB':>5s} "
           f"{'addA':>5s} {'ank/k':>5s} {'twist':>5s} {'holds':>5s}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        a = r["angles"]
        ok = "yes" if r["right"] else "NO"
        print(f"{r['file'][:36]:36s} {str(r['label'])[:20]:20s} {str(r['result'])[:20]:20s} {str(r['side'] or '-')[:5]:5s} "
              f"{fmt(r['score'], 2):>5s} {fmt(r['confidence'], 2):>5s} {ok:>3s} {str(r['setup'] or '-')[:14]:14s} "
              f"{fmt(a['trunk_tilt']):>5s} {fmt(a['front_tilt']):>5s} {fmt(a['hip_a']):>5s} {fmt(a['knee_a']):>5s} "
              f"{fmt(a['hip_b']):>5s} {fmt(a['knee_b']):>5s} {fmt(a['add_a']):>5s} {fmt(a['ankle_knee_a'], 2):>5s} "
              f"{fmt(a['shoulder_roll']):>5s} {r['holds']:5d}")
    n = sum(bool(r["right"]) for r in rows)
    print(f"\nrecognition right (or correctly none): {n}/{len(rows)} ({n / max(len(rows), 1):.0%}); angles are medians over "
          "the frames in the stretch (nothing recognised: over the 20% of frames with the most hip flexion);\n"
          "A = the stretched leg, or the leg with more hip flexion when none")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
