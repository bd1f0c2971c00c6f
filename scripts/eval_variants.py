"""Accuracy and speed of each pose-model variant (lite, full, heavy) on the labelled dev set (issue 15).

Usage (from the repository root; heavy runs belong under the shared CPU lock)::

    .venv/bin/python scripts/eval_variants.py [--variants lite,full,heavy] [--tasks walk,lift,sit,stretch]
                                              [--speed] [--speed-only] [--json out.json] [--real ../shared/datasets/real]

For every variant it runs the existing evaluators' own per-file code with that variant's landmarks:
``scripts/eval_lift.py``, ``eval_sit.py`` and ``eval_stretch.py`` through their ``evaluate_file``, and for walking
``posture.gait.evaluate.score_clip`` on the clips of ``labels/gait_events.json`` exactly as ``scripts/eval_gait.py``
analyses them (``walk`` subject, default options, tolerance 3 frames), pooled the same way as its "all" row.
The variant is chosen by ``POSTURE_MODEL_VARIANT``, which :func:`posture.io.cache.cached_tracks` resolves,
so each variant's landmarks are cached under their own key (the key hashes the model file); every track that
comes back is checked to carry the variant's bundle name and SHA-256 in its provenance, so a run never
silently scores the wrong model. The first run of a variant extracts every dev file with it (heavy: about
3x full's CPU); split it with ``--tasks`` / ``--variants`` so each locked run stays short.

Prints one markdown table (rows: task and measure; columns: variants):

- walk: contact recall / precision / mean timing error, strike agreement (3 classes), cadence within 3 steps/min;
- lift: files judged right of scored (eval_lift's rule), and per check the scored files whose flag matches the label;
- sit: postures right of labelled (eval_sit's rule), hips vs knees right;
- stretch: recognised right (or rightly none) of labelled (eval_stretch's rule);
- with ``--speed``: CPU ms per frame and peak memory of one landmarker (VIDEO mode, ``num_poses=1``) on the first
  frames of two 960x540 dev walks, each variant in its own fresh process, alternating, median of ``--speed-runs``;
  memory is the peak resident size the first landmarker adds (with the MediaPipe runtime it loads) and what a
  second one in the same process adds (posture's extraction runs two);

then every file whose verdict (or walking contact count / cadence) differs between variants, naming the check.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

VARIANTS = ("lite", "full", "heavy")
TASKS = ("walk", "lift", "sit", "stretch")
SPEED_CLIPS = ("walk_side/watcharapol_gait_normal_01.mp4", "walk_side/gpjatk_p17_side.mp4")  # both 960x540
TOLERANCE_FRAMES = 3  # eval_gait.py's default


# --------------------------------------------------------------------------- which model really ran
class ModelCheck:
    """Wraps ``posture.io.cache.cached_tracks`` so every track returned is checked against the variant's bundle."""

    def __init__(self) -> None:
        import posture.io.cache as cache

        self.cache = cache
        self.original = cache.cached_tracks
        self.expected: tuple[str, str] | None = None
        self.seen: dict[str, int] = {}

    def use(self, variant: str) -> None:
        from posture.io.model import resolve_model_path, sha256_file

        os.environ["POSTURE_MODEL_VARIANT"] = variant
        path = resolve_model_path(variant=variant, build=False)  # never fetches: the bundles must be built already
        self.expected = (path.name, sha256_file(path))

    def __enter__(self) -> ModelCheck:
        def checked(*args, **kwargs):
            tracks = self.original(*args, **kwargs)
            got = (tracks.provenance.model, tracks.provenance.model_sha256)
            if got != self.expected:
                raise RuntimeError(f"{args[0]}: landmarks from {got[0]} ({got[1][:12]}), expected {self.expected[0]}")
            self.seen[got[0]] = self.seen.get(got[0], 0) + 1
            return tracks

        self.cache.cached_tracks = checked  # the evaluators import it inside their functions, so they get this one
        return self

    def __exit__(self, *exc) -> None:
        self.cache.cached_tracks = self.original


# --------------------------------------------------------------------------- accuracy per task
def eval_walk(real: Path) -> list[dict]:
    import posture.io.cache as cache
    from posture.analyses import TASKS as ANALYSES
    from posture.analyses import AnalyzeOptions
    from posture.gait.analysis import analyze_walk
    from posture.gait.evaluate import score_clip
    from posture.io.extract import ExtractOptions

    labels = json.loads((real / "labels" / "gait_events.json").read_text())
    views = json.loads((real / "labels" / "views.json").read_text())
    rows = []
    for clip, lab in labels.items():
        if clip.startswith("_"):
            continue
        rel = f"walk_side/{clip}"
        seq = cache.cached_tracks(real / rel, ExtractOptions(output_masks=False)).select(ANALYSES["walk"].subject)
        r = score_clip(clip, analyze_walk(seq, AnalyzeOptions()), lab, seq.fps, TOLERANCE_FRAMES,
                       view_label=views.get(rel, "?"))
        rows.append({"file": clip, "n_labelled": r.n_labelled, "n_detected": r.n_detected, "n_matched": r.n_matched,
                     "mae_ms": r.mean_abs_error_ms, "strike": r.strike_agreement, "n_strike": r.n_strike,
                     "cadence_err": r.cadence_error_spm, "view_ok": bool(r.view_ok)})
    return rows


def _wmean(vals: list[float], weights: list[float]) -> float:
    pairs = [(v, w) for v, w in zip(vals, weights, strict=True) if w and math.isfinite(v)]
    return sum(v * w for v, w in pairs) / sum(w for _, w in pairs) if pairs else float("nan")


def walk_summary(rows: list[dict]) -> dict:
    """Pooled as eval_gait.py's "all" row: contacts pooled, timing and strike weighted by matches / strikes."""
    lab = sum(r["n_labelled"] for r in rows)
    det = sum(r["n_detected"] for r in rows)
    mat = sum(r["n_matched"] for r in rows)
    cad = [abs(r["cadence_err"]) for r in rows]
    return {"recall": mat / lab if lab else float("nan"), "precision": mat / det if det else float("nan"),
            "contacts": f"{mat} of {lab} labelled, {det} found",
            "mae_ms": _wmean([r["mae_ms"] for r in rows], [r["n_matched"] for r in rows]),
            "strike": _wmean([r["strike"] for r in rows], [r["n_strike"] for r in rows]),
            "cadence_ok": sum(math.isfinite(c) and c <= 3.0 for c in cad), "n": len(rows),
            "view_ok": sum(r["view_ok"] for r in rows)}


def _guard(task: str, name: str, fn, *args) -> dict | None:
    """One file's row, or a row saying the file failed (a failure is a result of the variant, not a crash)."""
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - e.g. NoPersonError when a variant finds nobody in a photo
        return {"file": name, "error": f"{type(e).__name__}: {e}"[:120]}


def eval_lift(real: Path) -> list[dict]:
    import eval_lift as ev

    labels = json.loads((real / "labels" / "lift.json").read_text())
    rows = []
    for name, lab in labels.items():
        if name.startswith("_"):
            continue
        row = _guard("lift", name, ev.evaluate_file, real, name, lab)
        if "error" in row:
            row["verdict"] = "wrong" if ev.judge(lab, set())[0] else None  # scored files count as wrong
        row["agree"] = lift_check_agreement(lab, set(row.get("flagged", [])), ev) if row.get("verdict") else {}
        rows.append(row)
    return rows


def lift_check_agreement(label: dict, flagged: set[str], ev) -> dict[str, bool]:
    """Per check the label speaks about: does our flag (notice or warning) match it? Same reading as eval_lift.judge:
    ``expected_flags`` must be flagged; ``expected_not_flags``, and every check of a good-form lift, must not."""
    out = {}
    good = ev.is_good_form(label)
    for check in ev.SHORT:
        if check in label.get("expected_flags", []):
            out[check] = check in flagged
        elif good or check in label.get("expected_not_flags", []):
            out[check] = check not in flagged
    return out


def eval_sit(real: Path) -> list[dict]:
    import eval_sit as ev

    labels = json.loads((real / "labels" / "sit.json").read_text())
    rows = []
    for rel, lab in labels.items():
        if rel.startswith("_"):
            continue
        row = _guard("sit", rel, ev.evaluate_file, real, rel, lab)
        if "error" in row:
            row["right"] = False if ev.expected_posture(lab.get("posture", "")) else None
            row["hips_right"] = False if lab.get("hips_vs_knees") else None
        rows.append(row)
    return rows


def eval_stretch(real: Path) -> list[dict]:
    import eval_stretch as ev

    labels = json.loads((real / "labels" / "stretch.json").read_text())
    rows = []
    for rel, lab in labels.items():
        if rel.startswith("_"):
            continue
        row = _guard("stretch", rel, ev.evaluate_file, real, rel, lab)
        if "error" in row:
            row["right"] = ev.label_stretch(lab) is None and "NoPerson" in row["error"]
        rows.append(row)
    return rows


EVALUATORS = {"walk": eval_walk, "lift": eval_lift, "sit": eval_sit, "stretch": eval_stretch}


# --------------------------------------------------------------------------- speed (one landmarker, fresh process)
def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def speed_child(variant: str, clip: str, n_frames: int) -> dict:
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from posture.io.model import resolve_model_path

    cap = cv2.VideoCapture(clip)
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while len(frames) < n_frames:
        ok, bgr = cap.read()
        if not ok:
            break
        if bgr.shape[:2] != (540, 960):
            bgr = cv2.resize(bgr, (960, 540))
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    rss0 = _status_mib("VmRSS")
    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(resolve_model_path(
        variant=variant, build=False))), running_mode=vision.RunningMode.VIDEO, num_poses=1)
    found = 0
    with vision.PoseLandmarker.create_from_options(opts) as lm:
        c0, w0 = time.process_time(), time.perf_counter()
        for i, rgb in enumerate(frames):
            res = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(i * 1000 / fps))
            found += bool(res.pose_landmarks)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        hwm = _status_mib("VmHWM")
        # a second landmarker in the same process: what each further one costs once the runtime is loaded
        with vision.PoseLandmarker.create_from_options(opts) as lm2:
            for i, rgb in enumerate(frames[:30]):
                lm2.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(i * 1000 / fps))
            hwm2 = _status_mib("VmHWM")
    n = max(len(frames), 1)
    return {"cpu_ms": 1000 * cpu / n, "wall_ms": 1000 * wall / n, "mem_mib": hwm - rss0, "mem2_mib": hwm2 - hwm,
            "frames": len(frames), "found": found}


def measure_speed(real: Path, variants: list[str], runs: int, n_frames: int) -> dict[str, dict]:
    """Median over ``runs`` per variant and clip; variants alternate run by run so a busy moment hits all of them."""
    got: dict[tuple[str, str], list[dict]] = {}
    env = dict(os.environ, GLOG_minloglevel="2", PYTHONPATH=str(REPO))
    for _ in range(runs):
        for clip in SPEED_CLIPS:
            for v in variants:
                out = subprocess.run([sys.executable, __file__, "--speed-child", v, str(real / clip), str(n_frames)],
                                     capture_output=True, text=True, env=env, check=True)
                got.setdefault((v, clip), []).append(json.loads(out.stdout.strip().splitlines()[-1]))
    res: dict[str, dict] = {}
    for v in variants:
        per_clip = {clip: {k: statistics.median(r[k] for r in got[(v, clip)])
                           for k in ("cpu_ms", "wall_ms", "mem_mib", "mem2_mib")} for clip in SPEED_CLIPS}
        res[v] = {"per_clip": per_clip, "found": {c: got[(v, c)][0]["found"] for c in SPEED_CLIPS},
                  "frames": {c: got[(v, c)][0]["frames"] for c in SPEED_CLIPS}}
    return res


# --------------------------------------------------------------------------- report
def _pct(x: float) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.2f}"


def _range(vals: list[float], fmt: str) -> str:
    lo, hi = min(vals), max(vals)
    return format(lo, fmt) if format(lo, fmt) == format(hi, fmt) else f"{format(lo, fmt)}-{format(hi, fmt)}"


def table(results: dict[str, dict], speed: dict[str, dict] | None, variants: list[str]) -> list[str]:
    out = ["| task | measure | " + " | ".join(variants) + " |", "|---|---|" + "---|" * len(variants)]

    def row(task: str, measure: str, cells: list[str]) -> None:
        out.append(f"| {task} | {measure} | " + " | ".join(cells) + " |")

    have = lambda t: all(t in results.get(v, {}) for v in variants)  # noqa: E731
    if have("walk"):
        s = {v: walk_summary(results[v]["walk"]) for v in variants}
        n = s[variants[0]]["n"]
        row("walk", f"contact recall / precision ({n} clips, +-{TOLERANCE_FRAMES} frames)",
            [f"{_pct(s[v]['recall'])} / {_pct(s[v]['precision'])}" for v in variants])
        row("walk", "contacts matched of labelled, found", [s[v]["contacts"] for v in variants])
        row("walk", "contact timing, mean abs error", [f"{s[v]['mae_ms']:.0f} ms" for v in variants])
        row("walk", "strike agreement (heel/flat/forefoot)", [_pct(s[v]["strike"]) for v in variants])
        row("walk", "cadence within 3 steps/min", [f"{s[v]['cadence_ok']}/{n}" for v in variants])
        row("walk", "view right", [f"{s[v]['view_ok']}/{n}" for v in variants])
    if have("lift"):
        cells = []
        for v in variants:
            scored = [r for r in results[v]["lift"] if r.get("verdict")]
            cells.append(f"{sum(r['verdict'] == 'right' for r in scored)}/{len(scored)}")
        row("lift", "files judged right of scored", cells)
        checks = sorted({c for v in variants for r in results[v]["lift"] for c in r.get("agree", {})})
        for c in checks:
            cells = []
            for v in variants:
                ag = [r["agree"][c] for r in results[v]["lift"] if c in r.get("agree", {})]
                cells.append(f"{sum(ag)}/{len(ag)}")
            row("lift", f"check `{c}` agrees with label", cells)
    if have("sit"):
        cells, hips = [], []
        for v in variants:
            sc = [r for r in results[v]["sit"] if r.get("right") is not None]
            cells.append(f"{sum(bool(r['right']) for r in sc)}/{len(sc)}")
            hs = [r for r in results[v]["sit"] if r.get("hips_right") is not None]
            hips.append(f"{sum(bool(r['hips_right']) for r in hs)}/{len(hs)}")
        row("sit", "posture right of labelled", cells)
        row("sit", "hips vs knees right", hips)
    if have("stretch"):
        row("stretch", "recognised right (or rightly none) of labelled",
            [f"{sum(bool(r['right']) for r in results[v]['stretch'])}/{len(results[v]['stretch'])}" for v in variants])
    if speed and all(v in speed for v in variants):
        clips = ", ".join(Path(c).stem for c in SPEED_CLIPS)
        row("speed", f"CPU ms per frame, one landmarker, 960x540 ({clips})",
            [_range([p["cpu_ms"] for p in speed[v]["per_clip"].values()], ".0f") for v in variants])
        row("speed", "wall ms per frame, same", [_range([p["wall_ms"] for p in speed[v]["per_clip"].values()], ".0f")
                                                 for v in variants])
        row("memory", "peak memory, first landmarker incl. the runtime it loads (MiB)",
            [_range([p["mem_mib"] for p in speed[v]["per_clip"].values()], ".0f") for v in variants])
        row("memory", "peak memory added by a second landmarker (MiB)",
            [_range([p["mem2_mib"] for p in speed[v]["per_clip"].values()], ".0f") for v in variants])
    return out


def differences(results: dict[str, dict], variants: list[str]) -> list[str]:
    """Files where the variants disagree: the verdict, and for lifts the checks that flip; for walks the counts."""
    out = []
    for task in TASKS:
        if not all(task in results.get(v, {}) for v in variants):
            continue
        by_file = {v: {r["file"]: r for r in results[v][task]} for v in variants}
        for name in by_file[variants[0]]:
            rs = {v: by_file[v].get(name, {}) for v in variants}
            if task == "walk":
                desc = {v: f"{r['n_matched']}/{r['n_labelled']} matched, {r['n_detected']} found, cadence "
                        f"{r['cadence_err']:+.1f}" for v, r in rs.items()}
                if len({(r["n_matched"], r["n_detected"], abs(r["cadence_err"]) <= 3) for r in rs.values()}) > 1:
                    out.append(f"- walk `{name}`: " + "; ".join(f"{v} {d}" for v, d in desc.items()))
                continue
            key = "verdict" if task == "lift" else "right"
            verdicts = {v: r.get("error") or r.get(key) for v, r in rs.items()}
            detail = ""
            if task == "lift":
                flags = {v: set(r.get("flagged", [])) for v, r in rs.items()}
                flips = sorted(set.union(*flags.values()) - set.intersection(*flags.values()))
                if flips:
                    detail = "; flag differs on " + ", ".join(
                        f"`{c}` ({'/'.join(v for v in variants if c in flags[v])} flag it)" for c in flips)
            elif task == "sit":
                detail = "; " + ", ".join(f"{v} {rs[v].get('posture')}" for v in variants)
            elif task == "stretch":
                detail = "; " + ", ".join(f"{v} {rs[v].get('result')}" for v in variants)
            if len({str(x) for x in verdicts.values()}) > 1 or (task == "lift" and detail):
                out.append(f"- {task} `{name}` (label {rs[variants[0]].get('label')}): "
                           + ", ".join(f"{v} {verdicts[v]}" for v in variants) + detail)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", default=str(REPO.parent / "shared" / "datasets" / "real"))
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--speed", action="store_true", help="also time one landmarker per variant (run under the CPU lock)")
    ap.add_argument("--speed-only", action="store_true", help="only the timing")
    ap.add_argument("--speed-runs", type=int, default=3)
    ap.add_argument("--speed-frames", type=int, default=120)
    ap.add_argument("--json", help="also write every per-file row and the timings here")
    ap.add_argument("--speed-child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.speed_child:
        v, clip, n = args.speed_child
        print(json.dumps(speed_child(v, clip, int(n))))
        return 0
    os.environ.setdefault("POSTURE_CACHE_DIR", str(REPO / ".pytest_cache" / "d" / "posture"))
    if os.environ.get("POSTURE_MODEL"):
        ap.error("unset POSTURE_MODEL: it overrides the variant")
    import logging

    logging.disable(logging.WARNING)
    from posture.errors import PostureWarning

    warnings.simplefilter("ignore", PostureWarning)
    real = Path(args.real)
    variants = [v for v in args.variants.split(",") if v]
    tasks = [] if args.speed_only else [t for t in args.tasks.split(",") if t]
    bad = sorted(set(variants) - set(VARIANTS)) + sorted(set(tasks) - set(TASKS))
    if bad:
        ap.error(f"unknown variant or task {bad}")
    t_start = time.perf_counter()
    load_before = os.getloadavg()
    results: dict[str, dict] = {}
    with ModelCheck() as check:
        for v in variants:
            check.use(v)
            for task in tasks:
                t0 = time.perf_counter()
                results.setdefault(v, {})[task] = EVALUATORS[task](real)
                print(f"[{v} {task}: {time.perf_counter() - t0:.0f} s]", file=sys.stderr, flush=True)
    speed = measure_speed(real, variants, args.speed_runs, args.speed_frames) if (args.speed or args.speed_only) \
        else None
    load_after = os.getloadavg()
    print("\n".join(table(results, speed, variants)))
    diffs = differences(results, variants) if len(variants) > 1 else []
    if diffs:
        print("\nFiles where the variants disagree:\n")
        print("\n".join(diffs))
    print(f"\nlandmark tracks checked per model: {check.seen}; load average before {load_before[0]:.2f}, after "
          f"{load_after[0]:.2f}; {time.perf_counter() - t_start:.0f} s; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "speed": speed, "load": [load_before, load_after]},
                                              indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
