"""Walking-specific synthetic sequences with known answers, and the sample files in ``samples/walk/``.

- :func:`front_walker`: a person walking in place facing (or with their back to) the camera at an exact
  cadence, with a chosen side-to-side pelvis sway (in hip widths, peak to peak) and pelvic tilt.
- :func:`write_samples`: regenerates ``samples/walk/*.npz`` and, with ``golden_dir``, the golden reports
  ``tests/golden/walk_*.json``. Command (from the repository root)::

      .venv/bin/python -m posture.gait.synthetic samples/walk --golden tests/golden
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from posture.sequence import PoseSequence
from posture.synthetic import BodyDims, make_sequence, pose_from_angles, walker


def front_walker(cadence_spm: float = 110.0, duration_s: float = 6.0, fps: float = 30.0, *,
                 sway_hip_widths: float = 0.25, pelvic_tilt_deg: float = 0.0, view: str = "front",
                 px_per_m: float = 300.0, width: int = 1280, height: int = 720) -> tuple[PoseSequence, dict]:
    """Walking in place seen from the front/back; returns the sequence and the truth.

    Each leg lifts (hip flexion up to 40 deg, so the heel rises) during its swing half of the stride; the
    right leg swings while ``sin(phase) > 0``. The pelvis moves sideways ``sway_hip_widths`` (peak to
    peak) at stride frequency, toward the stance leg, and tilts ``pelvic_tilt_deg`` (peak) with the
    swing-side hip lower. Truth: ``cadence_spm``, ``sway_hip_widths``, ``pelvic_tilt_deg``.
    """
    n = int(round(duration_s * fps))
    t = np.arange(n) / fps
    stride_hz = cadence_spm / 120.0
    phase = 2 * np.pi * stride_hz * t
    dims = BodyDims()
    hip_w_px = dims.hip_width * dims.height_m * px_per_m
    swing_r = np.clip(np.sin(phase), 0, None)
    swing_l = np.clip(-np.sin(phase), 0, None)
    lr = 1.0 if view == "front" else -1.0  # person's left on image-right when facing the camera
    # pelvis toward the stance leg: right leg swinging -> stance on left -> toward the person's left
    sway_x = lr * 0.5 * sway_hip_widths * hip_w_px * np.sin(phase)
    pelvis = np.stack([width / 2 + sway_x, np.full(n, 360.0)], axis=1)
    tilt = pelvic_tilt_deg * np.sin(phase)  # + right hip lower while the right leg swings
    xy, world, depth = pose_from_angles(
        n, pelvis_xy_px=pelvis, px_per_m=px_per_m, view=view, pelvis_tilt_deg=tilt,
        hip_deg=(40.0 * swing_l, 40.0 * swing_r), knee_deg=(0.0, 0.0),
    )
    seq = make_sequence(xy, world, fps=fps, width=width, height=height, depth_px=depth, name=f"{view}_walker")
    return seq, {"cadence_spm": cadence_spm, "sway_hip_widths": sway_hip_widths, "pelvic_tilt_deg": pelvic_tilt_deg}


def write_samples(out_dir: str | Path, golden_dir: str | Path | None = None) -> list[Path]:
    """Write the sample landmark files (and golden reports) used by the golden tests."""
    from posture.analyses import AnalyzeOptions
    from posture.files import save_npz
    from posture.gait.analysis import analyze_walk

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    samples = {
        "walk_side_synthetic": walker(cadence_spm=108.0, duration_s=5.0, trunk_deg=4.0, head_pitch_deg=12.0)[0],
        # 200 px/m (body ~325 px): ear and eye 11.5 px apart, so looking down can be judged (issue 11's face gate)
        "walk_side_slouch_synthetic": walker(cadence_spm=96.0, duration_s=5.0, facing=-1.0, trunk_deg=18.0,
                                             neck_deg=30.0, head_pitch_deg=40.0, px_per_m=200.0)[0],
        "walk_front_synthetic": front_walker(cadence_spm=104.0, duration_s=5.0, sway_hip_widths=0.8,
                                             pelvic_tilt_deg=10.0)[0],
    }
    written = []
    for name, seq in samples.items():
        written.append(save_npz(seq, out / f"{name}.npz"))
    if golden_dir is not None:
        g = Path(golden_dir)
        g.mkdir(parents=True, exist_ok=True)
        from posture.files import load

        for name in samples:
            rep = analyze_walk(load(out / f"{name}.npz"), AnalyzeOptions(height_cm=175))
            (g / f"{name.replace('walk_', 'walk_', 1)}.json").write_text(golden_json(rep.to_dict()))
    return written


def golden_json(report_dict: dict) -> str:
    """The stable part of a report as JSON: version and provenance left out, floats rounded to 3 places."""
    import json

    d = {k: v for k, v in report_dict.items() if k not in ("posture_version", "provenance")}
    d["input"] = {k: v for k, v in d["input"].items() if k != "path"}

    def rnd(x):
        if isinstance(x, float):
            return round(x, 3)
        if isinstance(x, dict):
            return {k: rnd(v) for k, v in x.items()}
        if isinstance(x, list):
            return [rnd(v) for v in x]
        return x

    return json.dumps(rnd(d), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    args = sys.argv[1:]
    golden = None
    if "--golden" in args:
        i = args.index("--golden")
        golden = args[i + 1]
        del args[i:i + 2]
    for p in write_samples(args[0] if args else "samples/walk", golden):
        print(p)
