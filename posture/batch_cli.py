"""The ``posture batch`` subcommand (registered by :func:`posture.cli.build_parser`).

The options it shares with ``analyze`` (height, load, lift frequency and duration,
coupling, stretch, reference, side, baseline, break, model, subject, quiet, no-cache,
task, model variant, fast) are the very argparse actions of the ``analyze`` parser, so they carry the same
validators and help; people.csv cells are checked with the same validators.
"""

from __future__ import annotations

import argparse
import sys

# analyze's option dests that batch takes over unchanged
SHARED = ("task", "height_cm", "load_kg", "lift_frequency", "lift_duration_h", "coupling", "stretch", "reference",
          "side", "baseline", "break_after_min", "no_cache", "model", "model_variant", "fast", "subject", "quiet")
# people.csv column -> analyze option dest whose validator parses that cell
PEOPLE_VALIDATORS = {"height_cm": "height_cm", "load_kg": "load_kg", "lift_frequency": "lift_frequency",
                     "lift_frequency_per_min": "lift_frequency", "lift_duration_h": "lift_duration_h",
                     "coupling": "coupling", "side": "side", "break_after_min": "break_after_min", "subject": "subject",
                     "task": "task"}


def add_batch_parser(sub: argparse._SubParsersAction, analyze: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``batch`` to ``sub``, reusing ``analyze``'s shared options (and their validators)."""
    b = sub.add_parser(
        "batch", help="analyse many files: one JSON report each, summary.csv and summary.html; resumes",
        description="Analyse many videos, photos or landmark files with the same task. Each input gets the report "
                    "'analyze --json' writes (in OUT/reports/), plus OUT/summary.csv and OUT/summary.html. Re-running "
                    "the same command skips inputs already done (same content and options), so an interrupted batch "
                    "resumes. Exit 0 when every input was analysed, 2 when some were bad input (the summary says "
                    "which), 1 when one failed unexpectedly.")
    b.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files, folders (searched recursively) or quoted glob patterns such as 'clips/**/*.mp4'")
    b.add_argument("--out", required=True, help="output folder (created if missing)")
    b.add_argument("--people", help="CSV with columns file, person and optionally task, height_cm, load_kg, "
                                     "lift_frequency, lift_duration_h, coupling, stretch, side, break_after_min, subject: "
                                     "per-person values override the command line for the files they name "
                                     "(a file name, a path relative to the CSV, or a glob)")
    b.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local: a process pool on this machine (default); ray: one Ray task per file "
                        "(pip install 'posture[cluster]')")
    b.add_argument("--workers", type=_positive_int,
                   help="local engine: processes (default: cores // 2, since each file runs two landmarkers)")
    b.add_argument("--ray-address", help="ray engine: cluster address ('auto' for a running cluster; default: start a "
                                         "local Ray)")
    b.add_argument("--shared-fs", action="store_true",
                   help="ray engine: workers read the input paths themselves (else the driver sends each file's bytes)")
    b.add_argument("--ray-max-retries", type=int, default=2,
                   help="ray engine: Ray re-runs a task this many times when its worker or node dies (default 2)")
    b.add_argument("--ray-cpus-per-file", type=float,
                   help="ray engine: CPUs each file's task asks Ray for (default: the local pool's rule)")
    b.add_argument("--ray-dashboard", action="store_true",
                   help="ray engine: start Ray's dashboard with a local Ray (needs ray[default])")
    b.add_argument("--retry-failed", action="store_true", help="analyse again inputs that failed as bad input last time")
    b.add_argument("--force", action="store_true", help="analyse every input again, even those already done")
    for action in analyze._actions:  # the same Action objects: same flags, validators and help
        if action.dest in SHARED:
            b._add_action(action)
    b.set_defaults(func=cmd_batch, people_convert=people_validators(analyze))
    return b


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {n}")
    return n


def people_validators(parser: argparse.ArgumentParser) -> dict:
    """people.csv column -> a function that parses a cell with the matching option's validator and choices."""
    by_dest = {a.dest: a for a in parser._actions}

    def make(action: argparse.Action):
        def convert(text: str):
            value = action.type(text) if action.type else text
            if action.choices is not None and value not in action.choices:
                raise ValueError(f"expected one of {', '.join(map(str, action.choices))}")
            return value
        return convert

    return {col: make(by_dest[dest]) for col, dest in PEOPLE_VALIDATORS.items() if dest in by_dest}


def cmd_batch(args: argparse.Namespace) -> int:
    from posture.analyses import AnalyzeOptions
    from posture.batch import run_batch

    options = AnalyzeOptions(
        height_cm=args.height_cm, load_kg=args.load_kg, lift_frequency_per_min=args.lift_frequency,
        lift_duration_h=args.lift_duration_h, coupling=args.coupling, stretch=args.stretch,
        reference_path=args.reference, affected_side=args.side, baseline_path=args.baseline,
        break_after_min=args.break_after_min,
    )
    ray_options = {"address": args.ray_address, "shared_fs": args.shared_fs, "max_retries": args.ray_max_retries,
                   "dashboard": args.ray_dashboard, "progress": not args.quiet}
    if args.ray_cpus_per_file:
        ray_options["cpus_per_file"] = args.ray_cpus_per_file
    result = run_batch(args.inputs, args.task, args.out, options, people=args.people, subject=args.subject,
                       model_path=args.model, use_cache=not args.no_cache, fast=args.fast, engine=args.engine,
                       workers=args.workers,
                       retry_failed=args.retry_failed, force=args.force, progress=not args.quiet,
                       ray_options=ray_options if args.engine == "ray" else None,
                       people_convert=args.people_convert)
    n = len(result.entries)
    ok, bad, err = result.count("ok"), result.count("bad_input"), result.count("error")
    where = f"{result.engine}" + (f", {result.workers} worker(s)" if result.engine == "local" else "")
    print(f"{args.out}: {ok} of {n} analysed ({result.analysed} now, {result.skipped} already done), {bad} bad input, "
          f"{err} failed; {result.wall_s:.1f} s ({where}); summary.csv, summary.html")
    for e in result.entries:
        if e.get("status") not in ("ok",):
            err = e.get("error") or ""
            print(f"  {e['status']}: " + (err if e["source"] in err else f"{e['source']}: {err}"), file=sys.stderr)
    return result.exit_code
