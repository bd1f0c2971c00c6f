"""Regenerate samples/: synthetic landmark tracks with known answers, and landmarks posture extracted
from a public-domain photo that a package ships (scikit-image's astronaut, NASA).

    .venv/bin/python scripts/make_samples.py          # synthetic only
    .venv/bin/python scripts/make_samples.py --model  # also run the pose model on the photo

Nothing here copies third-party footage: real clips stay in ../shared/datasets/real.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from posture.files import save  # noqa: E402
from posture.synthetic import static_pose, walker  # noqa: E402

SAMPLES = REPO / "samples"


def synthetic() -> None:
    out = SAMPLES / "synthetic"
    out.mkdir(parents=True, exist_ok=True)
    seq, _ = walker(cadence_spm=110, duration_s=6.0, fps=30.0)
    save(seq, out / "walker_110spm_side.npz")
    seq, _ = walker(cadence_spm=100, duration_s=6.0, fps=30.0, trunk_deg=20.0, head_pitch_deg=30.0)
    save(seq, out / "walker_100spm_trunk20_head30.npz")
    save(static_pose(30, trunk_deg=20.0), out / "standing_trunk20.csv")


def extracted() -> None:
    import cv2
    from skimage import data

    from posture.io.extract import extract_pose

    out = SAMPLES / "extracted"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        img = Path(tmp) / "astronaut.png"
        cv2.imwrite(str(img), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
        seq = extract_pose(img)
    save(seq.replace(video=type(seq.video)(**{**seq.video.__dict__, "path": "skimage.data.astronaut()"})),
         out / "astronaut_photo.csv")


def per_task() -> None:
    """Each analysis's own samples and golden reports (generators live with the analyses)."""
    from posture.gait.synthetic import write_samples
    from posture.sit.synthetic import make_samples

    write_samples(SAMPLES / "walk", REPO / "tests" / "golden")
    make_samples(SAMPLES / "sit")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="store_true", help="also extract landmarks from the astronaut photo")
    args = ap.parse_args()
    synthetic()
    per_task()
    if args.model:
        extracted()
