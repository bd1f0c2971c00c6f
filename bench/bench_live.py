"""Benchmark: live (webcam) analysis rate, one landmarker vs two in flight.

Usage:  .venv/bin/python bench/bench_live.py [VIDEO] [--seconds 10] [--task lift]

Plays a clip as a 30 frames/s camera at 640x480 into posture.webcam.WebcamProcessor
(pose model + the task's live analyser + overlay, as the app's webcam callback does)
and prints the rate of frames the model finished, the frames dropped, and the delay
from a frame's arrival to the pose shown for it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT = REPO.parent / "shared" / "datasets" / "real" / "lift" / "yuyoujiang_squat.mp4"


def frames_640x480(path: str) -> list:
    import cv2

    from posture.io.video import VideoSource

    with VideoSource(path) as src:
        return [cv2.resize(f.rgb, (640, 480)) for f in src]


def run(frames: list, workers: int, seconds: float, task: str) -> dict:
    from posture.io.extract import LivePoseEstimator, ParallelLivePoseEstimator
    from posture.webcam import WebcamProcessor, make_analyser

    if workers == 1:
        factory = lambda: LivePoseEstimator(num_poses=1, max_side=640)  # noqa: E731
    else:
        factory = lambda: ParallelLivePoseEstimator(num_poses=1, max_side=640, workers=workers)  # noqa: E731
    proc = WebcamProcessor(factory, make_analyser(task))
    proc.process_rgb(frames[0], 0.0)  # load the model outside the timing
    time.sleep(1.0)
    start = time.monotonic()
    done0 = proc.snapshot().frames_processed
    i = 0
    delays = []
    while time.monotonic() - start < seconds:
        due = start + i / 30.0
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
        t = 1.0 + i / 30.0
        proc.process_rgb(frames[i % len(frames)], t)
        est = proc._estimator
        latest = getattr(est, "_latest", None)
        if latest is not None:
            delays.append((t - latest.timestamp_s) * 1000.0)
        i += 1
    elapsed = time.monotonic() - start
    snap = proc.snapshot()
    proc.close()
    done = snap.frames_processed - done0
    return {"workers": workers, "frames_offered": i, "frames_analysed": done, "fps": done / elapsed,
            "pose_age_ms_p50": sorted(delays)[len(delays) // 2] if delays else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(DEFAULT))
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--task", default="lift", choices=["lift", "stretch", "sit", "pose"])
    args = ap.parse_args()
    frames = frames_640x480(args.video)
    for workers in (1, 2):
        r = run(frames, workers, args.seconds, args.task)
        age = "" if r["pose_age_ms_p50"] is None else f", pose shown is {r['pose_age_ms_p50']:.0f} ms old (median)"
        print(f"{workers} landmarker(s): {r['fps']:5.1f} frames/s analysed "
              f"({r['frames_analysed']} of {r['frames_offered']} offered at 30/s){age}")


if __name__ == "__main__":
    main()
