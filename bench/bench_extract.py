"""Benchmark: posture's extraction against the loop a user would write, as whole processes.

Usage:  .venv/bin/python bench/bench_extract.py [VIDEO ...] [--runs 5] [--model-variant full] [--long 10]

Each configuration runs as its own process (imports, model loading, decoding and inference:
what a user waits for), the configurations alternate run by run so a busy moment on the machine
hits all of them, and the median of ``--runs`` is printed:
- bare loop, 1 pose: OpenCV decode + ``PoseLandmarker`` VIDEO mode, default ``num_poses=1``, one
  thread (the reference: every ratio is against it);
- bare loop, 2 poses: the same with ``num_poses=2`` (what posture asked MediaPipe for until now);
- posture, fixed count (the default): ``extract_tracks`` with two people tracked on every frame;
- posture --fast (adaptive count): one pose per landmarker plus a people check every second.
Columns: wall time, CPU time (user + system, less sensitive to other load), peak memory (max
RSS), frames with a person; then wall speed-up (bare wall / wall; target >= 1.8), CPU ratio
(target <= 1.1) and memory ratio (target <= 1.3). The load average before and after is printed
because the machine may be shared. ``--long N`` adds peak memory on a clip N times longer. Last, the
resident memory after each step (imports, each landmarker) shows what two landmarkers alone cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
REAL = REPO.parent / "shared" / "datasets" / "real"
DEFAULTS = [REAL / "walk_side" / "watcharapol_gait_normal_01.mp4", REAL / "walk_side" / "gpjatk_p17_side.mp4"]
CONFIGS = {
    "bare1": "bare loop, 1 pose",
    "bare2": "bare loop, 2 poses",
    "fixed": "posture (default, 2 poses)",
    "adaptive": "posture --fast (adaptive)",
}


# --------------------------------------------------------------------------- child processes
def child_bare(path: str, num_poses: int, model: str) -> dict:
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=model),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=num_poses)
    found = n = 0
    with vision.PoseLandmarker.create_from_options(opts) as lm:
        cap = cv2.VideoCapture(path)
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            res = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(n * 1000 / fps))
            found += bool(res.pose_landmarks)
            n += 1
    return {"frames": n, "found": found}


def child_posture(path: str, adaptive: bool, model: str) -> dict:
    import numpy as np

    from posture.io.extract import ExtractOptions, extract_tracks

    tracks = extract_tracks(path, model, ExtractOptions(adaptive_poses=adaptive))
    return {"frames": int(len(tracks.timestamps_s)), "found": int(np.sum(tracks.people_count > 0))}


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024.0


def child_stages(path: str, model: str) -> dict:
    """Resident memory after each step a two-landmarker extraction takes: where the memory goes."""
    import numpy as np

    out = {"start": _rss_mib()}
    import cv2  # noqa: F401
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    out["python + cv2 + mediapipe"] = _rss_mib()
    import av  # noqa: F401

    out["+ PyAV (posture decodes with it)"] = _rss_mib()
    img = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((540, 960, 3), np.uint8))
    keep = []
    for name, mode, n in (("+ landmarker 1 (VIDEO, 2 poses)", "video", 2), ("+ landmarker 2 (VIDEO, 2 poses)", "video", 2),
                          ("+ people check (IMAGE, 3 poses; adaptive only)", "image", 3)):
        lm = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=model), num_poses=n,
            running_mode=vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE))
        lm.detect_for_video(img, 0) if mode == "video" else lm.detect(img)
        keep.append(lm)
        out[name] = _rss_mib()
    return out


def print_stages(model: str, bare_peak_mib: float | None) -> None:
    """One child process, resident memory after each step, and what two landmarkers alone cost."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "stages", "-", "--model", model]
    env = dict(os.environ, GLOG_minloglevel="2", PYTHONPATH=str(REPO))
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    stages = json.loads(out.strip().splitlines()[-1])
    print("\nresident memory, step by step (MiB; one child process, a 960x540 frame):")
    prev = 0.0
    for k, v in stages.items():
        print(f"  {k:48s} {v:6.0f}  (+{v - prev:.0f})")
        prev = v
    one = stages["+ landmarker 1 (VIDEO, 2 poses)"] - stages["+ PyAV (posture decodes with it)"]
    two = stages["+ landmarker 2 (VIDEO, 2 poses)"] - stages["+ landmarker 1 (VIDEO, 2 poses)"]
    if bare_peak_mib:
        print(f"  a second landmarker alone adds {two:.0f} MiB: {(bare_peak_mib + two) / bare_peak_mib:.2f}x the plain "
              f"loop's {bare_peak_mib:.0f} MiB peak before any frame is decoded (the first, with the runtime, "
              f"added {one:.0f})")


def run_child(config: str, path: str, model: str) -> dict:
    """One whole process: wall time, CPU time and peak memory from the kernel's accounting."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", config, path, "--model", model]
    env = dict(os.environ, GLOG_minloglevel="2", PYTHONPATH=str(REPO))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise RuntimeError(f"{config} on {path} failed (status {status})")
    res = json.loads(out.strip().splitlines()[-1])
    res.update(wall_s=wall, cpu_s=ru.ru_utime + ru.ru_stime, peak_mib=ru.ru_maxrss / 1024.0)
    return res


# --------------------------------------------------------------------------- report
def bench_clip(path: str, model: str, runs: int, configs: list[str]) -> dict:
    rows: dict[str, list[dict]] = {c: [] for c in configs}
    for _ in range(runs):
        for c in configs:
            rows[c].append(run_child(c, path, model))
    return {c: {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s", "peak_mib")}
            | {"frames": rs[0]["frames"], "found": rs[0]["found"], "runs": [round(r["wall_s"], 2) for r in rs]}
            for c, rs in rows.items()}


def print_table(path: str, med: dict, runs: int) -> None:
    ref = med["bare1"]
    print(f"\n{Path(path).name}: {ref['frames']} frames, median of {runs} whole-process runs, alternating")
    print(f"{'':28s} {'wall s':>7s} {'CPU s':>7s} {'peak MiB':>8s} {'found':>6s} | {'speed-up':>8s} {'CPU x':>6s} {'mem x':>6s}")
    for c, m in med.items():
        print(f"{CONFIGS[c]:28s} {m['wall_s']:7.2f} {m['cpu_s']:7.2f} {m['peak_mib']:8.0f} {m['found']:6d} | "
              f"{ref['wall_s'] / m['wall_s']:8.2f} {m['cpu_s'] / ref['cpu_s']:6.2f} {m['peak_mib'] / ref['peak_mib']:6.2f}")
    print("targets for posture: speed-up >= 1.8, CPU x <= 1.1, mem x <= 1.3 (against the 1-pose bare loop)")


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="*", default=[str(p) for p in DEFAULTS])
    ap.add_argument("--runs", type=int, default=5, help="whole-process runs of each configuration (median shown)")
    ap.add_argument("--model-variant", default="full", choices=["lite", "full", "heavy"])
    ap.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated subset of {','.join(CONFIGS)}")
    ap.add_argument("--long", type=int, default=0, help="also peak memory on a clip this many times longer")
    ap.add_argument("--json", help="append the medians as JSON lines to this file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        path = args.videos[0]
        if args.child == "stages":
            res = child_stages(path, args.model)
        else:
            res = (child_bare(path, 1 if args.child == "bare1" else 2, args.model) if args.child.startswith("bare")
                   else child_posture(path, args.child == "adaptive", args.model))
        print(json.dumps(res))
        return
    from posture.io.model import resolve_model_path

    model = str(resolve_model_path(variant=args.model_variant))
    configs = ["bare1"] + [c for c in args.configs.split(",") if c in CONFIGS and c != "bare1"]
    print(f"model {Path(model).name}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    bare_peaks = []
    for video in args.videos:
        med = bench_clip(video, model, args.runs, configs)
        print_table(video, med, args.runs)
        bare_peaks.append(med["bare1"]["peak_mib"])
        if args.json:
            with open(args.json, "a") as f:
                f.write(json.dumps({"video": video, "model": Path(model).name, "runs": args.runs,
                                    "loadavg_after": os.getloadavg(), "medians": med}) + "\n")
        if args.long > 1:
            with tempfile.TemporaryDirectory() as tmp:
                long = make_long(video, args.long, Path(tmp) / "long.mp4")
                for c in ("fixed", "adaptive"):
                    r = run_child(c, str(long), model)
                    print(f"peak memory, {CONFIGS[c]}, {r['frames']} frames ({args.long}x longer): {r['peak_mib']:.0f} MiB")
    print_stages(model, min(bare_peaks) if bare_peaks else None)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
