"""``python -m posture.sit``: record a personal sitting baseline, or regenerate the sitting samples.

    python -m posture.sit baseline GOOD_POSTURE.mp4 -o my_baseline.json   # then: posture analyze ... --baseline my_baseline.json
    python -m posture.sit samples samples/sit
"""

from __future__ import annotations

import argparse
import sys

from posture.errors import PostureError


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m posture.sit", description="Sitting tools: personal baseline, samples.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("baseline", help="record your good sitting posture from a video, photo or landmark file")
    b.add_argument("input", help="video, photo, or .npz/.csv landmark file of you sitting well, filmed from your usual place")
    b.add_argument("-o", "--output", required=True, help="baseline JSON to write")
    b.add_argument("--model", help="a pose_landmarker_*.task file")
    s = sub.add_parser("samples", help="regenerate the synthetic sitting samples")
    s.add_argument("out_dir")
    args = p.parse_args(argv)
    try:
        if args.command == "baseline":
            from posture.analyses import load_input
            from posture.sit.baseline import record_baseline, save_baseline

            seq = load_input(args.input, "sit", model_path=args.model)
            base = record_baseline(seq)
            save_baseline(base, args.output)
            feats = ", ".join(f"{k} {v:.2f}" for k, v in base.features.items())
            print(f"baseline ({base.view} view, {base.n_frames} frames): {feats} -> {args.output}")
        else:
            from posture.sit.synthetic import make_samples

            for path in make_samples(args.out_dir):
                print(path)
    except PostureError as e:
        print(f"posture.sit: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
