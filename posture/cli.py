"""Command line: ``python -m posture {landmarks,analyze,baseline,model} ...``.

Exit codes: 0 success; 2 bad input or usage (one line on stderr starting
``posture: error:``); 1 an unexpected failure (one line; the traceback with
``--verbose``); 130 interrupted. Options are checked when parsed (ranges and
their reasons are in ``--help``), and output paths before any extraction starts,
so a typo never costs minutes of work. Warnings about damaged but usable input
are printed as ``posture: warning: ...``.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
import traceback
import warnings
from pathlib import Path

from posture import __version__
from posture.analyses import LIMITS, NUM_POSES, check_subject
from posture.errors import OptionError, OutputPathError, PostureError, PostureWarning

log = logging.getLogger("posture")


class Progress:
    """Frames done, rate and time left on stderr, at most once a second (and at the end)."""

    def __init__(self, label: str, stream=sys.stderr, every_s: float = 1.0):
        self.label, self.stream, self.every_s = label, stream, every_s
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every_s and done < total:
            return
        self.last = now
        el = now - self.start
        rate = done / el if el > 0 else 0.0
        left = (total - done) / rate if rate > 0 else float("nan")
        end = "\n" if done >= total else "\r"
        self.stream.write(f"{self.label}: {done}/{total} frames, {rate:.1f} fps, {left:.0f} s left   {end}")
        self.stream.flush()


def _quiet_native_logs() -> None:
    # MediaPipe's C++ logging goes to stderr; keep the CLI's output readable.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# --------------------------------------------------------------------------- parse-time checks
def _ranged(name: str):
    """An argparse ``type`` for a float option checked against :data:`posture.analyses.LIMITS`."""
    limit = LIMITS[name]

    def parse(text: str) -> float:
        try:
            return limit.check(name, text)
        except OptionError:
            raise argparse.ArgumentTypeError(f"expected {limit.text()} ({limit.why}), got {text!r}") from None

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def _num_poses(text: str) -> int:
    try:
        n = float(text)
    except ValueError:
        n = math.nan
    if not (math.isfinite(n) and n == int(n) and NUM_POSES.lo <= n <= NUM_POSES.hi):
        raise argparse.ArgumentTypeError(f"expected a whole number from {NUM_POSES.lo:g} to {NUM_POSES.hi:g} "
                                         f"({NUM_POSES.why}), got {text!r}")
    return int(n)


def _subject(text: str) -> str:
    try:
        return check_subject(text)
    except OptionError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _help(name: str, what: str) -> str:
    limit = LIMITS[name]
    return f"{what}; {limit.text()} ({limit.why})".replace("%", "%%")


def check_output_path(path: str | os.PathLike[str], what: str = "output") -> Path:
    """Refuse an output path that cannot be written, before any work starts (:class:`OutputPathError`)."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise OutputPathError(f"{p}: is a folder; give a file name for the {what} (a file inside it, for example)")
    if not parent.is_dir():
        raise OutputPathError(f"{p}: the folder {parent} does not exist; create it first (mkdir -p {parent})")
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputPathError(f"{p}: the file exists and cannot be overwritten (permission denied)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(f"{p}: cannot write into {parent} (permission denied); choose another folder")
    return p


def _write_text(path: Path, text: str, what: str) -> None:
    try:
        path.write_text(text)
    except OSError as e:
        raise OutputPathError(f"{path}: could not write the {what} ({e.strerror or e})") from None


def _check_model_option(args: argparse.Namespace) -> None:
    """Check --model (or $POSTURE_MODEL) now: a garbage file must fail before decoding starts."""
    from posture.analyses import check_model_file
    from posture.io.model import ENV_MODEL

    given = getattr(args, "model", None) or os.environ.get(ENV_MODEL)
    if given:
        check_model_file(given)


def _apply_model_variant(args: argparse.Namespace) -> None:
    """--model-variant (issue 15) picks a built bundle, building it on first use, unless --model names a file."""
    variant = getattr(args, "model_variant", None)
    if variant and not getattr(args, "model", None):
        from posture.io.model import resolve_model_path

        args.model = str(resolve_model_path(variant=variant))


def _warn_decode_errors(video) -> None:
    if getattr(video, "decode_errors", 0):
        warnings.warn(f"{video.path}: {video.decode_errors} frame(s) could not be decoded or were damaged; the file "
                      "is partly corrupt", PostureWarning, stacklevel=2)


# --------------------------------------------------------------------------- commands
def cmd_model(args: argparse.Namespace) -> int:
    from posture.analyses import check_model_file
    from posture.io.model import resolve_model_path, sha256_file

    path = check_model_file(resolve_model_path(args.model))
    print(f"{path}  sha256={sha256_file(path)}")
    return 0


def cmd_landmarks(args: argparse.Namespace) -> int:
    from posture.cleanup import fill_gaps, smooth_zero_phase
    from posture.files import save
    from posture.io.extract import ExtractOptions, extract_tracks

    out = Path(args.output)
    if out.suffix.lower() not in (".npz", ".csv"):
        raise OutputPathError(f"output must end in .npz or .csv, got {out.name!r}")
    check_output_path(out, "landmark file")
    _check_model_option(args)
    opts = ExtractOptions(num_poses=args.num_poses, output_masks=args.masks, adaptive_poses=args.fast)
    progress = None if args.quiet else Progress(Path(args.input).name)
    tracks = extract_tracks(args.input, args.model, opts, progress)
    _warn_decode_errors(tracks.video)
    seq = tracks.select(args.subject)
    if args.clean:
        seq = fill_gaps(seq)
        if seq.n_frames > 1:
            seq = smooth_zero_phase(seq)
    try:
        save(seq, out)
    except OSError as e:
        raise OutputPathError(f"{out}: could not write the landmark file ({e.strerror or e})") from None
    print(
        f"{out}: {seq.n_frames} frames, person found in {seq.detection_rate:.0%}, "
        f"up to {tracks.people_count.max()} people in view, {tracks.n_tracks} track(s), "
        f"followed {seq.provenance.subject}"
    )
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from posture.analyses import AnalyzeOptions, analyze_file

    options = AnalyzeOptions(
        height_cm=args.height_cm, load_kg=args.load_kg, lift_frequency_per_min=args.lift_frequency,
        lift_duration_h=args.lift_duration_h, coupling=args.coupling, stretch=args.stretch,
        reference_path=args.reference, affected_side=args.side, baseline_path=args.baseline,
        break_after_min=args.break_after_min,
    )
    if args.json and args.json != "-":
        check_output_path(args.json, "JSON report")
    progress = None if args.quiet else Progress(Path(args.input).name)
    report = analyze_file(args.input, args.task, options, model_path=args.model, progress=progress,
                          subject=args.subject, use_cache=not args.no_cache, fast=args.fast)
    text = report.to_json()
    if args.json == "-":
        print(text)
    else:
        if args.json:
            _write_text(Path(args.json), text + "\n", "JSON report")
        _print_summary(report.to_dict())
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    from posture.analyses import load_input
    from posture.sit.baseline import record_baseline, save_baseline

    check_output_path(args.output, "baseline")
    progress = None if args.quiet else Progress(Path(args.input).name)
    seq = load_input(args.input, "sit", model_path=args.model, progress=progress, subject=args.subject,
                     fast=args.fast)
    base = record_baseline(seq)
    try:
        save_baseline(base, args.output)
    except OSError as e:
        raise OutputPathError(f"{args.output}: could not write the baseline ({e.strerror or e})") from None
    feats = ", ".join(f"{k} {v:.2f}" for k, v in base.features.items())
    print(f"{args.output}: sitting baseline from {base.n_frames} frame(s), {base.view} view: {feats}")
    return 0


def _print_summary(d: dict) -> None:
    print(f"{d['task']}: {d['input']['path']} ({d['input']['n_frames']} frames, view {d['view']})")
    for f in d["findings"]:
        mark = {"ok": "ok  ", "notice": "note", "warning": "WARN", "not_assessed": "n/a "}[f["severity"]]
        print(f"  [{mark}] {f['id']}: {f['message']}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="posture", description="Check walking, lifting, stretches and sitting from video.")
    p.add_argument("--version", action="version", version=f"posture {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens; show the traceback of a crash")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--model", help="a pose_landmarker_*.task file (default: $POSTURE_MODEL or the built one)")
        sp.add_argument("--model-variant", choices=["lite", "full", "heavy"],
                        help="which pose model to build and use when --model is not given (default full; heavy is "
                             "slower and finds small people better, lite is faster; see README)")
        sp.add_argument("--subject", default=None, type=_subject,
                        help="who to follow when several people are in view: largest, moving, or x,y in pixels "
                             "(two finite coordinates, x,y >= 0: the person nearest that point)")
        sp.add_argument("--fast", action="store_true",
                        help="faster extraction: one pose per landmarker and a look for other people once a second "
                             "(1.3-1.7x faster on two cores, 1.8x the memory; landmarks differ by about 1%% of body size, "
                             "which can move a value that sits near a limit; see README)")
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress output")
        sp.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log what happens; show the traceback of a crash")

    m = sub.add_parser("model", help="find or build the pose model and print its path")
    m.add_argument("--model", help="check this .task file instead")
    m.add_argument("--model-variant", choices=["lite", "full", "heavy"], help="build/locate this variant (default full)")
    m.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    m.set_defaults(func=cmd_model)

    lm = sub.add_parser("landmarks", help="extract the main person's landmarks to .npz or .csv")
    lm.add_argument("input", help="video or photo")
    lm.add_argument("-o", "--output", required=True, help="output file (.npz or .csv)")
    lm.add_argument("--num-poses", type=_num_poses, default=2,
                    help=f"people the model looks for per frame (default 2); {NUM_POSES.lo:g} to {NUM_POSES.hi:g} "
                         f"({NUM_POSES.why})")
    lm.add_argument("--masks", action="store_true", help="keep the person segmentation masks (.npz only)")
    lm.add_argument("--clean", action="store_true", help="fill short gaps and low-pass filter before saving")
    common(lm)
    lm.set_defaults(func=cmd_landmarks, subject="largest")

    an = sub.add_parser("analyze", help="analyse a video, photo or landmark file")
    an.add_argument("input", help="video, photo, or a .npz/.csv landmark file")
    an.add_argument("--task", required=True, choices=["walk", "lift", "stretch", "sit", "auto"])
    an.add_argument("--json", help="write the JSON report here ('-' for stdout)")
    an.add_argument("--height-cm", type=_ranged("height_cm"), help=_help("height_cm", "your height, to give distances in cm"))
    an.add_argument("--load-kg", type=_ranged("load_kg"),
                    help=_help("load_kg", "lift: load weight, enables the NIOSH lifting index"))
    an.add_argument("--lift-frequency", type=_ranged("lift_frequency_per_min"),
                    help=_help("lift_frequency_per_min", "lift: lifts per minute (NIOSH)"))
    an.add_argument("--lift-duration-h", type=_ranged("lift_duration_h"),
                    help=_help("lift_duration_h", "lift: hours of lifting per shift (NIOSH)"))
    an.add_argument("--coupling", choices=["good", "fair", "poor"], default="fair", help="lift: grip on the load")
    an.add_argument("--stretch", help="stretch: reference pose id to check (default: recognise it)")
    an.add_argument("--reference", help="stretch: your own reference pose JSON")
    an.add_argument("--side", choices=["left", "right"], help="stretch: the affected side")
    an.add_argument("--baseline", help="sit: your personal baseline JSON")
    an.add_argument("--break-after-min", type=_ranged("break_after_min"),
                    help=_help("break_after_min", "sit: remind to take a break after this many minutes"))
    an.add_argument("--no-cache", action="store_true", help="do not reuse earlier landmark extraction")
    common(an)
    an.set_defaults(func=cmd_analyze)

    bl = sub.add_parser("baseline", help="record your good sitting posture (for analyze --task sit --baseline)")
    bl.add_argument("input", help="video, photo or landmark file of you sitting well, filmed from your usual place")
    bl.add_argument("-o", "--output", required=True, help="baseline JSON to write")
    common(bl)
    bl.set_defaults(func=cmd_baseline)

    from posture.batch_cli import add_batch_parser  # issue 16: reuses analyze's options and their validators

    add_batch_parser(sub, an)
    return p


def _one_line(text: object, limit: int = 400) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _quiet_native_logs()
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, PostureWarning):
            print(f"posture: warning: {_one_line(message)}", file=sys.stderr)
        elif args.verbose:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", PostureWarning)
            _apply_model_variant(args)
            return int(args.func(args) or 0)
    except PostureError as e:
        print(f"posture: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("posture: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the last resort: one line, the traceback only when asked
        if args.verbose:
            traceback.print_exc()
        print(f"posture: unexpected error: {type(e).__name__}: {_one_line(e, 300)} "
              "(this is a bug in posture; run again with --verbose for the traceback and report it)", file=sys.stderr)
        return 1
    finally:
        warnings.showwarning = shown


if __name__ == "__main__":
    sys.exit(main())
