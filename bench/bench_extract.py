"""Benchmark: posture's extraction vs the bare PoseLandmarker loop, and memory vs video length.

Usage:  .venv/bin/python bench/bench_extract.py [VIDEO] [--repeat-long 10]

Prints, in one run:
- fps of the bare loop (OpenCV decode + RGB conversion + detect_for_video, nothing else),
- fps of posture's full extraction (PyAV decode on its own thread, two landmarkers on alternate
  frames, tracking) on the same file with the same landmarker options, and their ratio (target >= 1.0);
  also posture with a single landmarker, where only decoding overlaps inference;
- peak memory (max RSS, each in a fresh process) of posture's extraction on the clip and on a
  clip 10x longer made by repeating its frames, to show memory is flat in video length.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT = REPO.parent / "shared" / "datasets" / "real" / "walk_side" / "watcharapol_gait_normal_01.mp4"


def bare_loop(path: str, options) -> tuple[int, float]:
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from posture.io.model import resolve_model_path

    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(resolve_model_path())),
        running_mode=vision.RunningMode.VIDEO, **options.landmarker_options())
    with vision.PoseLandmarker.create_from_options(opts) as lm:
        cap = cv2.VideoCapture(path)
        n = 0
        t0 = time.perf_counter()
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(n * 1000 / 30))
            n += 1
        return n, time.perf_counter() - t0


def posture_extract(path: str, options) -> tuple[int, float]:
    from posture.io.extract import PoseLandmarkerAdapter, extract_tracks

    # model loading is outside the timing, as in the bare loop
    lms = [PoseLandmarkerAdapter(mode="video", options=options) for _ in range(options.inference_workers)]
    t0 = time.perf_counter()
    tracks = extract_tracks(path, options=options, landmarkers=lms)
    dt = time.perf_counter() - t0
    for lm in lms:
        lm.close()
    return len(tracks.timestamps_s), dt


def make_long(src: str, times: int, out: Path) -> Path:
    import av

    from posture.io.video import VideoSource

    with VideoSource(src) as s:
        frames = [f.rgb for f in s]
        fps = s.info.fps or 30
    with av.open(str(out), "w") as c:
        st = c.add_stream("libx264", rate=round(fps))
        st.height, st.width = frames[0].shape[:2]
        st.pix_fmt = "yuv420p"
        for _ in range(times):
            for rgb in frames:
                for p in st.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                    c.mux(p)
        for p in st.encode():
            c.mux(p)
    return out


def peak_rss_mb(path: str) -> tuple[float, int]:
    code = (
        f"import sys, resource; sys.path.insert(0, {str(REPO)!r})\n"
        "from posture.io.extract import extract_tracks\n"
        f"t = extract_tracks({path!r})\n"
        "print(len(t.timestamps_s), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n, kb = r.stdout.split()[-2:]
    return int(kb) / 1024.0, int(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(DEFAULT))
    ap.add_argument("--repeat-long", type=int, default=10)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each loop (median reported)")
    args = ap.parse_args()
    os.environ.setdefault("GLOG_minloglevel", "2")
    import dataclasses

    from posture.io.extract import ExtractOptions

    options = ExtractOptions()
    sequential = dataclasses.replace(options, inference_workers=1)
    # alternate the runs so a busy moment on the machine hits all of them; report medians
    bare, ours, ours_seq = [], [], []
    for _ in range(args.runs):
        n_bare, t = bare_loop(args.video, options)
        bare.append(n_bare / t)
        n_ours, t = posture_extract(args.video, options)
        ours.append(n_ours / t)
        n_seq, t = posture_extract(args.video, sequential)
        ours_seq.append(n_seq / t)
    fps_bare, fps_ours, fps_seq = (float(sorted(v)[len(v) // 2]) for v in (bare, ours, ours_seq))
    result = {"video": args.video, "frames": n_ours, "num_poses": options.num_poses, "runs": args.runs,
              "bare_fps": round(fps_bare, 2), "posture_fps": round(fps_ours, 2), "ratio": round(fps_ours / fps_bare, 3),
              "posture_one_worker_fps": round(fps_seq, 2), "ratio_one_worker": round(fps_seq / fps_bare, 3)}
    print(f"bare PoseLandmarker loop             : {fps_bare:6.2f} fps ({n_bare} frames, median of {args.runs})")
    print(f"posture extraction ({options.inference_workers} landmarkers)     : {fps_ours:6.2f} fps")
    print(f"posture extraction (1 landmarker)    : {fps_seq:6.2f} fps  (decode overlap only)")
    print(f"ratio posture / bare                 : {fps_ours / fps_bare:6.3f}  (1 landmarker: {fps_seq / fps_bare:.3f})")
    if not args.skip_memory:
        with tempfile.TemporaryDirectory() as tmp:
            long = make_long(args.video, args.repeat_long, Path(tmp) / "long.mp4")
            mem_short, n1 = peak_rss_mb(args.video)
            mem_long, n2 = peak_rss_mb(str(long))
        print(f"peak memory, {n1:5d} frames : {mem_short:7.1f} MB")
        print(f"peak memory, {n2:5d} frames : {mem_long:7.1f} MB  ({args.repeat_long}x longer)")
        result.update(peak_mb_short=round(mem_short, 1), peak_mb_long=round(mem_long, 1), frames_long=n2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
