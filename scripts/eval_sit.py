"""Evaluate the sitting analysis on the real dev photos and clips against the hand labels.

Usage (from the repository root)::

    .venv/bin/python scripts/eval_sit.py [--real ../shared/datasets/real] [--json out.json]

One row per labelled file in ``labels/sit.json``: the label, the posture we call (and its confidence),
whether that is right, hips vs knees, the key angles (trunk from vertical, forward-head proxy, thigh from
horizontal, camera roll applied), the view, the share of frames judged, and the findings that were
flagged or not assessed. A label that is not one of our classes (``sit-to-stand repetitions``) is scored
as: standing time found, and the seated frames judged upright or perched, or no sitting posture called because
the person keeps moving (standing up and sitting down).

Landmarks come from the extraction cache (POSTURE_CACHE_DIR, default .pytest_cache/d/posture).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CLASSES = ("upright", "slouched", "reclined", "perched")


def expected_posture(label: str) -> tuple[str, ...]:
    """The posture classes a label accepts (the first word of the label when it is one of ours)."""
    first = label.split()[0].strip(",(")
    if first in CLASSES:
        return (first,)
    if "sit-to-stand" in label:
        return ("upright", "perched")
    return ()


def hips_ok(label: str, got: str) -> bool | None:
    if not label:
        return None
    accepted = {w.strip() for w in label.replace(" or ", ",").split(",")}
    return got in accepted


def fmt(v, nd: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def evaluate_file(real: Path, rel: str, lab: dict) -> dict:
    from posture.analyses import AnalyzeOptions
    from posture.io.cache import cached_tracks
    from posture.io.extract import ExtractOptions
    from posture.sit.analysis import analyze_sit

    seq = cached_tracks(real / "sit" / rel, ExtractOptions(output_masks=False)).select("largest")
    rep = analyze_sit(seq, AnalyzeOptions()).to_dict()
    sitting = rep.get("sitting", {})
    m = rep.get("metrics", {})
    posture = sitting.get("posture")
    want = expected_posture(lab.get("posture", ""))
    right = posture in want if want else None
    times = sitting.get("time_in_posture_s", {})
    if "sit-to-stand" in lab.get("posture", ""):
        # not a posture class: right when the stand-ups are found and no slouch or recline is called; "no sitting
        # posture, the person keeps moving" is right too (rule widened after issue 13 added the moving label)
        moving_reason = posture is None and "moving" in str(sitting.get("reason", ""))
        right = (bool(right) or moving_reason) and times.get("standing", 0.0) > 0.5
    flagged = [f["id"] + ":" + f["severity"][0] for f in rep["findings"] if f["severity"] in ("notice", "warning")]
    na = [f["id"] for f in rep["findings"] if f["severity"] == "not_assessed"]
    world = sitting.get("world_angles", {}) or {}
    return {
        "file": rel, "label": lab.get("posture", ""), "posture": posture, "confidence": sitting.get("confidence"),
        "right": right, "hips_label": lab.get("hips_vs_knees", ""), "hips": sitting.get("hips_vs_knees"),
        "hips_right": hips_ok(lab.get("hips_vs_knees", ""), sitting.get("hips_vs_knees", "")),
        "trunk": m.get("trunk_lean_deg"), "head": m.get("forward_head_deg"), "thigh": m.get("thigh_angle_deg"),
        "roll": m.get("camera_roll_deg"), "view": rep.get("view"), "judged": sitting.get("share_judged"),
        "method": sitting.get("method", "pixels"),
        "world_trunk": world.get("trunk_deg"), "world_thigh": world.get("thigh_deg"),
        "pixel_angles": sitting.get("pixel_angles", {}), "world_angles": world,
        "standing_s": times.get("standing"), "flagged": flagged, "not_assessed": na,
        "reason": sitting.get("reason"),
    }


def print_pixel_vs_world(rows: list[dict]) -> None:
    """Side-view files: the pixel (side-view) and world-landmark (three-quarter) methods on the same frames."""
    keys = ("trunk_deg", "forward_head_deg", "thigh_deg", "knee_deg")
    print("\npixel vs world angles on the side-view files (medians over the judged frames, deg; world - pixel):")
    print(f"{'file':34s} " + " ".join(f"{k[:-4]:>22s}" for k in keys))
    diffs: dict[str, list[float]] = {k: [] for k in keys}
    for r in rows:
        if r["view"] not in ("side", "mixed") or not r["pixel_angles"]:
            continue
        cells = []
        for k in keys:
            p, w = r["pixel_angles"].get(k), r["world_angles"].get(k)
            if p is None or w is None:
                cells.append(f"{'-':>22s}")
                continue
            diffs[k].append(w - p)
            cells.append(f"{p:7.1f} {w:7.1f} {w - p:+6.1f}")
        print(f"{r['file'][:34]:34s} " + " ".join(cells))
    rms = {k: (sum(d * d for d in v) / len(v)) ** 0.5 for k, v in diffs.items() if v}
    print("RMS world - pixel: " + ", ".join(f"{k[:-4]} {v:.1f} deg (n={len(diffs[k])})" for k, v in rms.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", default=str(REPO.parent / "shared" / "datasets" / "real"))
    ap.add_argument("--json", help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    os.environ.setdefault("POSTURE_CACHE_DIR", str(REPO / ".pytest_cache" / "d" / "posture"))
    real = Path(args.real)
    labels = json.loads((real / "labels" / "sit.json").read_text())
    rows = [evaluate_file(real, rel, lab) for rel, lab in labels.items() if not rel.startswith("_")]

    hdr = (f"{'file':34s} {'label':18s} {'result':9s} {'conf':>5s} {'ok':>3s} {'hips lab/got':24s} {'trunk':>6s} "
           f"{'head':>6s} {'thigh':>6s} {'roll':>5s} {'w.trk':>6s} {'w.thi':>6s} {'method':7s} {'view':8s} {'judg':>5s}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        ok = "-" if r["right"] is None else ("yes" if r["right"] else "NO")
        hips = f"{r['hips_label'][:12]}/{r['hips'] or '-'}"
        print(f"{r['file'][:34]:34s} {r['label'][:18]:18s} {str(r['posture'])[:9]:9s} {fmt(r['confidence'], 2):>5s} "
              f"{ok:>3s} {hips[:24]:24s} {fmt(r['trunk']):>6s} {fmt(r['head']):>6s} {fmt(r['thigh']):>6s} "
              f"{fmt(r['roll'], 0):>5s} {fmt(r['world_trunk']):>6s} {fmt(r['world_thigh']):>6s} {r['method'][:7]:7s} "
              f"{str(r['view'])[:8]:8s} {fmt(r['judged'], 2):>5s}")
    print()
    for r in rows:
        extra = f"  reason: {r['reason']}" if r["reason"] else ""
        print(f"{r['file'][:34]:34s} flagged: {', '.join(r['flagged']) or '-'}; not assessed: "
              f"{', '.join(r['not_assessed']) or '-'}{extra}")
    print_pixel_vs_world(rows)
    scored = [r for r in rows if r["right"] is not None]
    n_right = sum(bool(r["right"]) for r in scored)
    hips_scored = [r for r in rows if r["hips_right"] is not None]
    print(f"\nposture right: {n_right}/{len(scored)} ({n_right / max(len(scored), 1):.0%}); hips vs knees right: "
          f"{sum(bool(r['hips_right']) for r in hips_scored)}/{len(hips_scored)}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
