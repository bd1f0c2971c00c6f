"""Many files, one command: ``posture batch INPUT... --task T --out DIR``.

Every input gets the JSON report ``posture analyze`` would write (the same call,
:func:`posture.analyses.analyze_file`), in ``DIR/reports/``; ``summary.csv`` and
``summary.html`` (see :mod:`posture.batch_summary`) list one row per input.

Resume: ``DIR/manifest.jsonl`` is a journal with one JSON line per finished
input (its content SHA-256, the SHA-256 of the options that shape its report,
the status, and the SHA-256 of the report file). Reports are written to a
temporary name and renamed, then the journal line is appended and fsynced, so a
``kill -9`` at any moment leaves either a complete report with its line or a file
that is simply done again; a torn last line is ignored on reading. Re-running the
same command skips every input whose line matches and whose report is intact.

Engines: ``local`` runs a process pool sized to the machine (:func:`default_workers`);
``ray`` (:mod:`posture.batch_ray`) runs one Ray task per file. Either way the
driver, this module, writes everything in ``DIR``.
"""

from __future__ import annotations

import csv
import dataclasses
import fnmatch
import glob
import hashlib
import json
import logging
import math
import os
import re
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from posture import __version__
from posture.analyses import LANDMARK_SUFFIXES, TASKS, AnalyzeOptions
from posture.errors import PostureError, PostureWarning
from posture.io.model import sha256_file  # one file hash for the model check and the batch journal

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
INPUT_SUFFIXES = VIDEO_SUFFIXES + PHOTO_SUFFIXES + LANDMARK_SUFFIXES
MANIFEST = "manifest.jsonl"
REPORTS = "reports"
# Landmarkers one file runs: ExtractOptions().inference_workers (kept in sync by a test, so this
# module does not import posture.io at import time). One landmarker keeps one core busy.
LANDMARKERS_PER_FILE = 2
# Cores one file keeps busy on average, measured: its two landmarkers fill both cores only part of the time
# (model loading, decoder start, tracking and the analysis are serial). 8 dev clips, one process on a quiet
# 2-vCPU machine: 26.3 CPU-s in 17.8 s of wall time = 1.48 cores (docs/scale_out.md). Files per machine =
# ceil(cores / FILE_CORES), local pool and Ray alike.
FILE_CORES = 1.5

ProgressFn = Callable[[int, int], None]

# people.csv columns -> AnalyzeOptions fields (or "task"/"subject"). "file" and "person" are the key columns.
PEOPLE_COLUMNS = {
    "height_cm": "height_cm", "load_kg": "load_kg", "lift_frequency": "lift_frequency_per_min",
    "lift_frequency_per_min": "lift_frequency_per_min", "lift_duration_h": "lift_duration_h", "coupling": "coupling",
    "stretch": "stretch", "side": "affected_side", "break_after_min": "break_after_min", "task": "task",
    "subject": "subject",
}


# ----------------------------------------------------------------------------- inputs
def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _is_landmark_csv(path: Path) -> bool:
    """A posture landmark CSV starts with a ``# {json}`` line; other CSVs in a folder (people.csv) are not inputs."""
    try:
        with open(path, "rb") as f:
            return f.read(3) == b"# {"
    except OSError:
        return False


def _wanted(path: Path, skip: set[Path]) -> bool:
    if not path.is_file() or path.resolve() in skip or any(p in skip for p in path.resolve().parents):
        return False
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _is_landmark_csv(path)
    return suffix in INPUT_SUFFIXES


def collect_inputs(specs: Iterable[str | os.PathLike[str]], skip: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Files named, files under folders (recursively) and glob matches, in order, each once.

    A named file is kept whatever its type (a bad one fails on its own row). Inside
    folders and globs only videos, photos and landmark files are taken, and nothing
    under ``skip`` (the output folder, people.csv). A folder or glob with nothing in
    it, or a named path that does not exist, raises :class:`PostureError`.
    """
    skip_set = {Path(s).resolve() for s in skip}
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            out.append(p)

    for spec in specs:
        text = os.fspath(spec)
        p = Path(text).expanduser()
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if _wanted(q, skip_set))
            if not found:
                raise PostureError(f"{text}: folder holds no video, photo or landmark file ({', '.join(INPUT_SUFFIXES)})")
            for q in found:
                add(q)
        elif p.exists():
            add(p)
        elif _is_glob(text):
            found = sorted(Path(q) for q in glob.glob(os.path.expanduser(text), recursive=True))
            found = [q for q in found if _wanted(q, skip_set)]
            if not found:
                raise PostureError(f"{text}: pattern matches no video, photo or landmark file")
            for q in found:
                add(q)
        else:
            raise PostureError(f"{text}: no such file or folder")
    return out


# ----------------------------------------------------------------------------- people.csv
@dataclass(frozen=True)
class PersonRow:
    """One people.csv row: which file(s), whose, and the values that differ per person."""

    file: str  # a path (relative to people.csv's folder), a file name, or a glob on the file name
    person: str
    values: tuple[tuple[str, Any], ...] = ()  # (AnalyzeOptions field or "task"/"subject", value)

    def matches(self, path: Path, base: Path) -> bool:
        """A cell with a folder part is matched against the whole path (relative to ``base``), else the file name."""
        if "/" in self.file or os.sep in self.file:
            pattern = Path(self.file).expanduser()
            pattern = pattern if pattern.is_absolute() else base / pattern
            if _is_glob(self.file):
                return fnmatch.fnmatchcase(str(path.resolve()), os.path.normpath(str(pattern)))
            return pattern.resolve() == path.resolve()
        return fnmatch.fnmatchcase(path.name, self.file) if _is_glob(self.file) else path.name == self.file


@dataclass(frozen=True)
class People:
    rows: tuple[PersonRow, ...]
    base: Path  # folder of people.csv: relative paths in it are relative to here

    def lookup(self, path: Path) -> PersonRow | None:
        """The first row naming this file (an exact path or name beats a glob)."""
        exact = [r for r in self.rows if not _is_glob(r.file) and r.matches(path, self.base)]
        if exact:
            return exact[0]
        return next((r for r in self.rows if _is_glob(r.file) and r.matches(path, self.base)), None)


def load_people(path: str | os.PathLike[str], convert: Mapping[str, Callable[[str], Any]] | None = None) -> People:
    """Read people.csv: columns ``file`` and ``person`` (required), then any of :data:`PEOPLE_COLUMNS`.

    ``convert`` maps a column to a function that parses and validates a cell (the
    CLI passes the validators of the matching ``analyze`` options); by default numbers
    are parsed as floats. An empty cell means "use the command-line value".
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise PostureError(f"{path}: cannot read the people file ({e})") from e
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in ("file", "person") if c not in cols]
    if missing:
        raise PostureError(f"{path}: people file needs the columns file and person; missing {', '.join(missing)} "
                           f"(columns found: {', '.join(cols) or 'none'})")
    unknown = [c for c in cols if c not in PEOPLE_COLUMNS and c not in ("file", "person")]
    if unknown:
        raise PostureError(f"{path}: unknown column(s) {', '.join(unknown)}; expected file, person and any of "
                           f"{', '.join(PEOPLE_COLUMNS)}")
    convert = dict(convert or {})
    rows = []
    for i, raw in enumerate(reader, start=2):
        cells = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not cells.get("file"):
            raise PostureError(f"{path} line {i}: the file cell is empty")
        values = []
        for col, value in cells.items():
            if col in ("file", "person") or not value:
                continue
            fn = convert.get(col, _default_convert(col))
            try:
                values.append((PEOPLE_COLUMNS[col], fn(value)))
            except Exception as e:  # noqa: BLE001 - any validator error is the user's cell: say which
                raise PostureError(f"{path} line {i}, column {col}: {value!r} is not valid ({e})") from None
        rows.append(PersonRow(cells["file"], cells.get("person") or Path(cells["file"]).stem, tuple(values)))
    return People(tuple(rows), path.resolve().parent)


def _default_convert(col: str) -> Callable[[str], Any]:
    if col in ("task",):
        def task(v: str) -> str:
            if v not in TASKS and v != "auto":
                raise ValueError(f"expected one of {', '.join(TASKS)} or auto")
            return v
        return task
    if col in ("coupling", "stretch", "side", "subject"):
        return str

    def number(v: str) -> float:
        x = float(v)
        if not math.isfinite(x) or x < 0:
            raise ValueError("expected a finite number >= 0")
        return x
    return number


# ----------------------------------------------------------------------------- jobs
@dataclass(frozen=True)
class Job:
    """One input of a batch: what to analyse, how, and where its report goes."""

    source: str  # the input path as found
    task: str
    options: AnalyzeOptions
    person: str = ""
    subject: str | None = None
    key: str = ""  # report file stem, unique within the output folder
    content_sha256: str = ""  # "" until hashed: the worker hashes what it reads (see plan_jobs)
    options_sha256: str = ""
    size: int = -1  # bytes and modification time when planned, to trust an earlier hash without re-reading
    mtime_ns: int = -1
    fast: bool = False  # extraction with the adaptive people count (posture analyze --fast)

    @property
    def is_landmark_file(self) -> bool:
        return Path(self.source).suffix.lower() in LANDMARK_SUFFIXES


def options_sha256(task: str, options: AnalyzeOptions, subject: str | None, model_sha256: str = "",
                   use_cache: bool = True, fast: bool = False) -> str:
    """Hash of everything besides the file's bytes that shapes its report (files named in options by content)."""
    opts = dataclasses.asdict(options)
    for k in ("baseline_path", "reference_path"):
        if opts.get(k):
            try:
                opts[k] = sha256_file(opts[k])
            except OSError:
                opts[k] = f"missing:{opts[k]}"
    blob = {"task": task, "options": opts, "subject": subject, "model": model_sha256, "posture": __version__}
    if fast:  # only when set, so batches run before --fast existed still resume
        blob["fast"] = True
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "input"


def _report_key(path: Path, taken: set[str]) -> str:
    """``clip``, else ``folder__clip``, else ``clip-<hash>``: readable and unique."""
    for cand in (_slug(path.stem), _slug(f"{path.parent.name}__{path.stem}")):
        if cand not in taken:
            return cand
    return f"{_slug(path.stem)}-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]}"


def plan_jobs(inputs: list[Path], task: str, options: AnalyzeOptions, people: People | None = None,
              subject: str | None = None, model_sha256: str = "", manifest: Mapping[str, dict] | None = None,
              use_cache: bool = True, fast: bool = False) -> list[Job]:
    """One :class:`Job` per input: per-person values applied, report names fixed.

    Content hashes: an input the manifest already knows with the same size and
    modification time keeps its recorded hash (like make and rsync: no re-reading of
    a folder of videos to resume); one it knows that has changed is hashed here, to
    decide whether to skip it; a new input is hashed by the worker that reads it, so
    a first run starts at once and the hashing is spread over the workers.
    """
    manifest = manifest or {}
    taken = {e["key"] for e in manifest.values() if "key" in e}
    jobs = []
    own: set[str] = set()
    for p in inputs:
        row = people.lookup(p) if people else None
        values = dict(row.values) if row else {}
        job_task = values.pop("task", task)
        job_subject = values.pop("subject", subject)
        opts = dataclasses.replace(options, **values) if values else options
        prev = manifest.get(str(p.resolve()))
        if prev and prev.get("key") and prev["key"] not in own:
            key = prev["key"]
        else:
            key = _report_key(p, taken | own)
        own.add(key)
        digest, size, mtime_ns = "", -1, -1
        try:
            st = p.stat()
            size, mtime_ns = st.st_size, st.st_mtime_ns
            if prev and (prev.get("size"), prev.get("mtime_ns")) == (size, mtime_ns):
                digest = prev.get("content_sha256", "")
            elif prev:
                digest = sha256_file(p)
        except OSError:
            pass  # the worker reports it as bad input
        jobs.append(Job(source=str(p), task=job_task, options=opts, person=row.person if row else "",
                        subject=job_subject, key=key, content_sha256=digest,
                        options_sha256=options_sha256(job_task, opts, job_subject, model_sha256, use_cache, fast),
                        size=size, mtime_ns=mtime_ns, fast=fast))
    return jobs


# ----------------------------------------------------------------------------- one file (runs in a worker)
def analyse_job(job: Job, model_path: str | None = None, use_cache: bool = True, data: bytes | None = None,
                progress: ProgressFn | None = None) -> dict[str, Any]:
    """Analyse one input exactly as ``posture analyze`` does; never raises.

    ``data``: the file's bytes, when the worker cannot read ``job.source`` (no shared
    filesystem): they are written to a private temporary file for the analysis.
    Returns ``{"status": "ok", "report_json": ...}`` or ``{"status": "bad_input" | "error",
    "error": one line}``, with wall and CPU seconds and the host that did the work.
    """
    import socket

    from posture.analyses import analyze_file

    t0, c0 = time.monotonic(), time.process_time()
    out: dict[str, Any] = {}
    path = job.source
    try:
        with tempfile.TemporaryDirectory(prefix="posture-batch-") as tmp, \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PostureWarning)
            path = job.source
            if data is not None:
                path = str(Path(tmp) / f"input{Path(job.source).suffix.lower()}")
                Path(path).write_bytes(data)
                out["content_sha256"] = hashlib.sha256(data).hexdigest()
            elif not job.content_sha256:
                out["content_sha256"] = sha256_file(path)  # OSError: reported like analyze would
            report = analyze_file(path, job.task, job.options, model_path=model_path, progress=progress,
                                  subject=job.subject, use_cache=use_cache, fast=job.fast)
            if report.video.path == path or not job.is_landmark_file:  # the user's path, never a temporary copy
                report.video = dataclasses.replace(report.video, path=job.source)
            out.update(status="ok", report_json=report.to_json())
            notes = [_name_source(str(w.message), path, job.source) for w in caught if issubclass(w.category, PostureWarning)]
            if notes:  # usable but suspicious input (e.g. damaged frames): kept for the summary's warnings column
                out["warnings"] = list(dict.fromkeys(notes))
    except PostureError as e:
        out.update(status="bad_input", error=_name_source(str(e), path, job.source))
    except OSError as e:  # not found, a folder, no permission: the user's input
        out.update(status="bad_input", error=f"{job.source}: cannot read ({e.strerror or e})")
    except Exception as e:  # noqa: BLE001 - one file's bug must not stop the batch; recorded with its traceback
        out.update(status="error", error=_name_source(f"{type(e).__name__}: {e}", path, job.source),
                   traceback=traceback.format_exc())
    out.update(elapsed_s=round(time.monotonic() - t0, 3), cpu_s=round(time.process_time() - c0, 3),
               host=socket.gethostname(), pid=os.getpid())
    return out


def _name_source(message: str, path: str, source: str) -> str:
    """An error about the worker's temporary copy names the user's file instead; one line."""
    message = message.replace(path, source) if path != source else message
    return " ".join(message.split())


# ----------------------------------------------------------------------------- local engine
def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(jobs: list[Job], cores: int | None = None) -> int:
    """Processes for the local pool: ``ceil(cores / FILE_CORES)``, at least 1, at most one per file.

    Each file keeps its LANDMARKERS_PER_FILE landmarkers on alternate frames (what
    ``analyze`` does, so the reports are the same, and the last file of a batch still
    uses every core), but one file keeps only about 1.5 cores busy; so a 2-core machine
    runs 2 files at once (faster than 1 in 6 of 8 paired runs, by up to 16%: docs/scale_out.md), 8 cores 6.
    Landmark files need no model: one core each.
    """
    cores = cores or available_cores()
    per_file = 1 if jobs and all(j.is_landmark_file for j in jobs) else FILE_CORES
    return max(1, min(len(jobs) or 1, math.ceil(cores / per_file - 1e-9)))


_PROGRESS_QUEUE = None


def _init_worker(queue) -> None:  # runs once in each pool process
    global _PROGRESS_QUEUE
    _PROGRESS_QUEUE = queue


def _pool_task(job: Job, model_path: str | None, use_cache: bool) -> dict[str, Any]:
    queue, last = _PROGRESS_QUEUE, [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if queue is not None and (now - last[0] >= 0.5 or done >= total):
            last[0] = now
            queue.put((job.key, done, total))

    return analyse_job(job, model_path, use_cache, progress=progress)


def run_local(jobs: list[Job], workers: int, model_path: str | None = None, use_cache: bool = True,
              frames: Callable[[str, int, int], None] | None = None) -> Iterator[tuple[Job, dict[str, Any]]]:
    """Yield ``(job, result)`` as files finish: in this process for 1 worker, else a spawned pool.

    At most ``workers`` files are in flight, so a dead worker process costs only those
    (recorded as errors; the pool is rebuilt for the rest).
    """
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield job, analyse_job(job, model_path, use_cache,
                                   progress=(lambda d, t, k=job.key: frames(k, d, t)) if frames else None)
        return
    import multiprocessing as mp
    import queue as queue_mod
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")  # not fork: MediaPipe holds threads a forked child must not inherit
    todo = list(jobs)
    q = ctx.Queue()
    try:
        while todo:
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                     initargs=(q,)) as pool:
                running: dict[Any, Job] = {}
                broken = False
                while (todo or running) and not broken:
                    while todo and len(running) < workers and not broken:
                        try:
                            running[pool.submit(_pool_task, todo[0], model_path, use_cache)] = todo[0]
                            todo.pop(0)
                        except BrokenProcessPool:  # a worker died since the last result: not this job's fault
                            broken = True
                    done, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
                    while True:
                        try:
                            key, d, t = q.get_nowait()
                        except (queue_mod.Empty, OSError, EOFError):
                            break
                        if frames:
                            frames(key, d, t)
                    for fut in done:
                        job = running.pop(fut)
                        try:
                            yield job, fut.result()
                        except BrokenProcessPool:
                            broken = True
                            yield job, {"status": "error", "error": "the worker process died (out of memory or killed)"}
                if broken:  # the pool marks its unfinished futures failed; ones that finished keep their result
                    wait(running, timeout=30)
                    for fut, job in running.items():
                        try:
                            res = fut.result(timeout=0)
                        except Exception:  # noqa: BLE001 - BrokenProcessPool, or not settled in time
                            res = {"status": "error", "error": "the worker process died (out of memory or killed)"}
                        yield job, res
    finally:
        q.close()


# ----------------------------------------------------------------------------- the manifest
def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, dict]:
    """Last journal entry per source (absolute path); torn or garbled lines are skipped."""
    path = Path(out_dir) / MANIFEST
    entries: dict[str, dict] = {}
    if not path.is_file():
        return entries
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                e = json.loads(line)
                entries[e["source_abs"]] = e
            except (ValueError, KeyError, TypeError):
                continue
    return entries


def _append_line(path: Path, entry: dict) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a unique temporary name in the same folder, fsync, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the reports from the rest of a team
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def compact_manifest(out_dir: Path, entries: Mapping[str, dict]) -> None:
    """Rewrite the journal with one line per source (atomically), so reruns do not grow it."""
    write_atomic(out_dir / MANIFEST, "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries.values()))


def is_complete(job: Job, entry: dict | None, out_dir: Path, retry_failed: bool = False) -> bool:
    """Whether ``job`` is already done: same content and options, and its report intact (or a deterministic bad input)."""
    if not entry or not job.content_sha256 or entry.get("content_sha256") != job.content_sha256 \
            or entry.get("options_sha256") != job.options_sha256:
        return False
    if entry.get("status") == "bad_input":
        return not retry_failed
    if entry.get("status") != "ok":
        return False
    report = out_dir / REPORTS / f"{entry['key']}.json"
    try:
        return sha256_file(report) == entry.get("report_sha256")
    except OSError:
        return False


# ----------------------------------------------------------------------------- the driver
@dataclass
class BatchResult:
    out_dir: Path
    entries: list[dict] = field(default_factory=list)  # one per input, in input order
    analysed: int = 0
    skipped: int = 0
    wall_s: float = 0.0
    workers: int = 1
    engine: str = "local"

    def count(self, status: str) -> int:
        return sum(e.get("status") == status for e in self.entries)

    @property
    def exit_code(self) -> int:
        """0 all analysed; 1 when any file hit an unexpected error (a bug); else 2 when some inputs were bad."""
        if self.count("error"):
            return 1
        return 2 if self.count("bad_input") else 0


class BatchProgress:
    """Files done, rate and time left on stderr, plus frames of the files in flight (at most once a second)."""

    def __init__(self, n_files: int, stream=sys.stderr, every_s: float = 1.0):
        self.n, self.stream, self.every_s = n_files, stream, every_s
        self.done = 0
        self.start = time.monotonic()
        self.frames: dict[str, tuple[int, int]] = {}
        self.last = 0.0

    def file_done(self, job: Job, entry: dict) -> None:
        self.done += 1
        self.frames.pop(job.key, None)
        el = time.monotonic() - self.start
        rate = self.done / el * 60 if el > 0 else 0.0
        left = (self.n - self.done) / (rate / 60) if rate > 0 else float("nan")
        what = entry["status"] if entry["status"] != "ok" else f"ok, {entry.get('n_flagged', 0)} flagged"
        if entry.get("warnings"):
            what += f", warning: {entry['warnings'][0]}"
        err = entry.get("error") or ""
        err = "" if not err else f": {err}" if job.source not in err else f" ({err})"
        self.stream.write(f"\r[{self.done}/{self.n}] {job.source}: {what}{err} ({entry.get('elapsed_s', 0):.1f} s) "
                          f"· {rate:.1f} files/min · {left:.0f} s left\n")
        self.stream.flush()

    def frame(self, key: str, done: int, total: int) -> None:
        self.frames[key] = (done, total)
        now = time.monotonic()
        if now - self.last < self.every_s:
            return
        self.last = now
        running = ", ".join(f"{k} {d}/{t} frames" for k, (d, t) in list(self.frames.items())[:4])
        self.stream.write(f"\r  [{self.done}/{self.n} files] {running}   ")
        self.stream.flush()


def run_batch(inputs: list[str | os.PathLike[str]], task: str, out_dir: str | os.PathLike[str],
              options: AnalyzeOptions = AnalyzeOptions(), people: str | os.PathLike[str] | People | None = None,
              subject: str | None = None, model_path: str | None = None, use_cache: bool = True, fast: bool = False,
              engine: str = "local", workers: int | None = None, retry_failed: bool = False, force: bool = False,
              progress: bool = False, ray_options: Mapping[str, Any] | None = None,
              people_convert: Mapping[str, Callable[[str], Any]] | None = None) -> BatchResult:
    """Analyse every input, write reports, the manifest and the summaries in ``out_dir``; see the module docstring."""
    from posture.batch_summary import write_summaries

    t0 = time.monotonic()
    out = Path(out_dir)
    try:
        (out / REPORTS).mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise PostureError(f"{out}: cannot write the output folder ({e})") from e
    if task != "auto":
        from posture.analyses import get_task

        get_task(task)
    if engine not in ("local", "ray"):
        raise PostureError(f"unknown engine {engine!r}; expected local or ray")
    table = people if isinstance(people, People) or people is None else load_people(people, people_convert)
    skip = [out] + ([Path(people)] if people is not None and not isinstance(people, People) else [])
    paths = collect_inputs(inputs, skip=skip)
    manifest = read_manifest(out)
    model_sha = ""
    model_given = model_path or os.environ.get("POSTURE_MODEL")  # else the built bundle, pinned by hash in model.py
    if model_given:
        try:
            model_sha = sha256_file(model_given)
        except OSError as e:
            raise PostureError(f"pose model {model_given} cannot be read ({e})") from e
    jobs = plan_jobs(paths, task, options, table, subject, model_sha, manifest, use_cache, fast)
    todo = [j for j in jobs if force or not is_complete(j, manifest.get(str(Path(j.source).resolve())), out, retry_failed)]
    todo.sort(key=lambda j: -j.size)  # biggest first: a long video started last would hold up the end of the batch
    result = BatchResult(out, skipped=len(jobs) - len(todo), engine=engine)
    bar = BatchProgress(len(todo)) if progress and todo else None
    if progress and result.skipped:
        sys.stderr.write(f"{result.skipped} of {len(jobs)} input(s) already done in {out} (same content and options): "
                         "skipped\n")
    if engine == "ray":
        from posture.batch_ray import run_ray

        result.workers = 0
        stream = run_ray(todo, model_path=model_path, use_cache=use_cache, frames=bar.frame if bar else None,
                         **dict(ray_options or {}))
    else:
        result.workers = workers or default_workers(todo)
        stream = run_local(todo, result.workers, model_path, use_cache, frames=bar.frame if bar else None)
    journal = out / MANIFEST
    try:
        for job, res in stream:
            entry = _record(job, res, out)
            manifest[entry["source_abs"]] = entry
            _append_line(journal, entry)
            result.analysed += 1
            if bar:
                bar.file_done(job, entry)
            if res.get("traceback"):
                log.error("%s failed unexpectedly:\n%s", job.source, res["traceback"])
    finally:
        result.entries = [manifest.get(str(Path(j.source).resolve()), _missing_entry(j)) for j in jobs]
        if hasattr(stream, "close"):
            stream.close()
        compact_manifest(out, manifest)
        write_summaries(out, result.entries)
        result.wall_s = time.monotonic() - t0
    return result


def _record(job: Job, res: dict[str, Any], out: Path) -> dict[str, Any]:
    """Write the report (atomically) and return the journal entry for this input."""
    entry: dict[str, Any] = {
        "source": job.source, "source_abs": str(Path(job.source).resolve()), "key": job.key, "person": job.person,
        "task": job.task, "content_sha256": res.get("content_sha256") or job.content_sha256,
        "options_sha256": job.options_sha256, "size": job.size, "mtime_ns": job.mtime_ns,
        "status": res.get("status", "error"), "error": res.get("error"), "elapsed_s": res.get("elapsed_s"),
        "cpu_s": res.get("cpu_s"), "host": res.get("host"), "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if res.get("warnings"):
        entry["warnings"] = res["warnings"]
    if entry["status"] == "ok":
        text = res["report_json"] + "\n"  # byte for byte what `posture analyze --json` writes
        path = out / REPORTS / f"{job.key}.json"
        write_atomic(path, text)
        entry["report_sha256"] = hashlib.sha256(text.encode()).hexdigest()
        d = json.loads(text)
        entry["task"] = d.get("task", job.task)
        entry["n_flagged"] = sum(f.get("severity") in ("notice", "warning") for f in d.get("findings", []))
    return entry


def _missing_entry(job: Job) -> dict[str, Any]:
    """An input the run never reached (interrupted)."""
    return {"source": job.source, "source_abs": str(Path(job.source).resolve()), "key": job.key, "person": job.person,
            "task": job.task, "status": "not_run", "error": "not analysed yet (the batch was interrupted)"}
