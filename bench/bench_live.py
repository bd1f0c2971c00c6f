"""Benchmark: live (webcam) analysis rate, lag and the busy flag, one landmarker vs two in flight.

Usage:  .venv/bin/python bench/bench_live.py [VIDEO] [--seconds 10] [--task lift] [--burn N] [--model-variant full]

Plays a clip as a 30 frames/s camera at 640x480 into posture.webcam.WebcamProcessor.callback
(pose model + the task's live analyser + overlay, as the app's webcam callback does; each frame
is stamped with the time it was "taken", as a browser's frames are) and prints the frames the
model finished per second, the frames dropped, the lag of the video returned, the age of the
pose drawn on it, and whether the processor called the computer busy. ``--burn N`` starts N
processes spinning on the CPU for the duration (a loaded computer). No browser: the app's
browser test measures the real page.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT = REPO.parent / "shared" / "datasets" / "real" / "lift" / "yuyoujiang_squat.mp4"


def frames_640x480(path: str) -> list:
    import cv2

    from posture.io.video import VideoSource

    with VideoSource(path) as src:
        return [cv2.resize(f.rgb, (640, 480)) for f in src]


def _burn(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x += 1


def run(frames: list, workers: int, seconds: float, task: str, model: str) -> dict:
    import av

    from posture.io.extract import ParallelLivePoseEstimator
    from posture.webcam import WebcamProcessor, make_analyser

    proc = WebcamProcessor(lambda: ParallelLivePoseEstimator(model, num_poses=1, max_side=640, workers=workers),
                           make_analyser(task))
    proc.process_rgb(frames[0], 0.0)  # load the first model outside the timing
    time.sleep(1.5)
    av_frames = [av.VideoFrame.from_ndarray(f, format="rgb24") for f in frames]
    start = time.monotonic()
    s0 = proc.snapshot()
    i = 0
    while time.monotonic() - start < seconds:
        due = start + i / 30.0
        time.sleep(max(0.0, due - time.monotonic()))
        f = av_frames[i % len(av_frames)]
        f.pts, f.time_base = int(round((10.0 + time.monotonic() - start) * 90000)), Fraction(1, 90000)
        proc.callback(f)  # the newest camera frame, as streamlit-webrtc hands it over
        i += 1
    elapsed = time.monotonic() - start
    snap = proc.snapshot()
    proc.close()
    return {"workers": workers, "offered": snap.frames_in - s0.frames_in,
            "fps": (snap.frames_processed - s0.frames_processed) / elapsed,
            "dropped": snap.frames_dropped - s0.frames_dropped, "lag_ms": snap.lag_ms_p50,
            "pose_age_ms": snap.pose_age_ms_p50, "feedback_ms": snap.feedback_ms_p50, "busy": snap.busy,
            "callback_ms": snap.process_ms_p50}


def main() -> None:
    import os

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(DEFAULT))
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--task", default="lift", choices=["lift", "stretch", "sit", "pose"])
    ap.add_argument("--burn", type=int, default=0, help="CPU-spinning processes to run alongside")
    ap.add_argument("--model-variant", default="full", choices=["lite", "full", "heavy"])
    args = ap.parse_args()
    from posture.io.model import resolve_model_path

    model = str(resolve_model_path(variant=args.model_variant))
    frames = frames_640x480(args.video)
    print(f"model {Path(model).name}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for workers in (1, 2):
        burners = [mp.Process(target=_burn, args=(time.time() + args.seconds + 3,)) for _ in range(args.burn)]
        for b in burners:
            b.start()
        r = run(frames, workers, args.seconds, args.task, model)
        for b in burners:
            b.terminate()
        print(f"{workers} landmarker(s), {args.burn} burner(s): {r['fps']:5.1f} frames/s analysed of {r['offered']} "
              f"offered ({r['dropped']} dropped); video lag {r['lag_ms']:.0f} ms, pose {r['pose_age_ms']:.0f} ms old, "
              f"feedback {r['feedback_ms']:.0f} ms, callback {r['callback_ms']:.0f} ms; busy: {r['busy']}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
