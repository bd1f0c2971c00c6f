"""Evaluate the walking analysis on the real dev clips against the hand labels.

Usage (from the repository root)::

    .venv/bin/python scripts/eval_gait.py [--real ../shared/datasets/real] [--tolerance 3]

Per side clip: initial-contact recall and precision within +-tolerance frames, mean absolute timing error
(frames and ms), foot agreement, heel-first agreement, cadence error against the labels, and whether the
slouch / looking-down flags match the labels. Front/back clips: the view found and the hip-sway metrics.
Landmarks come from the extraction cache (POSTURE_CACHE_DIR, default .pytest_cache/d/posture), so the
first run on a new checkout runs the pose model on every clip.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", default=str(REPO.parent / "shared" / "datasets" / "real"))
    ap.add_argument("--tolerance", type=int, default=3)
    args = ap.parse_args(argv)
    os.environ.setdefault("POSTURE_CACHE_DIR", str(REPO / ".pytest_cache" / "d" / "posture"))

    from posture.analyses import TASKS, AnalyzeOptions
    from posture.gait.analysis import analyze_walk
    from posture.gait.evaluate import score_clip
    from posture.io.cache import cached_tracks
    from posture.io.extract import ExtractOptions

    real = Path(args.real)
    labels = json.loads((real / "labels" / "gait_events.json").read_text())
    views = json.loads((real / "labels" / "views.json").read_text())
    subject = TASKS["walk"].subject

    rows = []
    for clip, lab in labels.items():
        if clip.startswith("_"):
            continue
        seq = cached_tracks(real / "walk_side" / clip, ExtractOptions(output_masks=False)).select(subject)
        rep = analyze_walk(seq, AnalyzeOptions())
        rows.append(score_clip(clip, rep, lab, seq.fps, args.tolerance))

    hdr = (f"{'clip':34s} {'lab':>3s} {'det':>3s} {'rec':>5s} {'prec':>5s} {'MAE fr':>6s} {'MAE ms':>6s} {'foot':>5s} "
           f"{'heel':>5s} {'cad lab':>7s} {'cad det':>7s} {'cad err':>7s} {'slouch':>10s} {'look down':>10s}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r.clip[:34]:34s} {r.n_labelled:3d} {r.n_detected:3d} {r.recall:5.2f} {r.precision:5.2f} "
              f"{r.mean_abs_error_frames:6.2f} {r.mean_abs_error_ms:6.1f} {r.foot_agreement:5.2f} {r.heel_first_agreement:5.2f} "
              f"{r.cadence_labels_spm:7.1f} {r.cadence_detected_spm:7.1f} {r.cadence_error_spm:+7.1f} "
              f"{r.slouch_label + '/' + ('flag' if r.slouch_flagged else 'ok'):>10s} "
              f"{r.head_down_label + '/' + ('flag' if r.looking_down_flagged else 'ok'):>10s}")
    import numpy as np

    print("-" * len(hdr))
    print(f"mean timing error {np.nanmean([r.mean_abs_error_frames for r in rows]):.2f} frames; "
          f"mean |cadence error| {np.nanmean([abs(r.cadence_error_spm) for r in rows]):.1f} steps/min; "
          f"flags agree {sum(r.slouch_ok and r.looking_down_ok for r in rows)}/{len(rows)} clips")

    print("\nfront/back clips")
    for rel, view in views.items():
        if not rel.startswith("walk_front/"):
            continue
        for subj in (subject, "largest"):
            seq = cached_tracks(real / rel, ExtractOptions(output_masks=False)).select(subj)
            rep = analyze_walk(seq, AnalyzeOptions())
            m = rep.metrics
            print(f"  {rel:40s} subject={subj:8s} label={view:6s} found={rep.view:8s} "
                  f"hip_sway={m.get('hip_sway_ratio')} pelvic_obliquity_range_deg={m.get('pelvic_obliquity_range_deg')} "
                  f"cadence={m.get('cadence_spm')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
