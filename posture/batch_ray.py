"""``posture batch --engine ray``: one Ray task per file (``pip install 'posture[cluster]'``).

- **No shared filesystem assumed.** The driver reads each input and passes its
  bytes as the task's argument (Ray moves them through its object store); with
  ``shared_fs=True`` the worker opens the path itself. Results (the report JSON,
  tens of kB) come back to the driver, which writes everything in ``--out``.
- **The model once per node.** The driver resolves the model (building it on
  first use), puts its bytes in the object store once, and the first task on each
  node writes them to that node's cache folder under a file lock; later tasks there
  find the file. Nodes never fetch or build the model themselves.
- **Ray's own machinery**: retries of tasks whose worker or node died
  (``max_retries``), scheduling by CPUs (each task asks for ``cpus_per_file``,
  by default so that a node runs as many files as the local pool would:
  :func:`default_cpus_per_file`), and the dashboard when wanted (off unless
  ``dashboard=True``).
- At most ``2 x`` the cluster's concurrent tasks, and at most ``max_in_flight_bytes``
  of file contents (1 GiB), are in flight, so the driver's memory and object store
  stay bounded however long the batch.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from posture.batch import FILE_CORES, Job, analyse_job
from posture.errors import PostureError

log = logging.getLogger(__name__)

RAY_PIN = "ray==2.60.0"  # the version tested (pyproject extra `cluster`, requirements.txt)
_NODE_MODELS: dict[str, str] = {}  # per worker process: model sha256 -> local path


def _import_ray():
    try:
        import ray
    except ImportError as e:
        raise PostureError(f"--engine ray needs Ray: pip install 'posture[cluster]' (or {RAY_PIN}) ({e})") from None
    return ray


def node_model_path(model_bytes: bytes, sha256: str, name: str = "model.task") -> str:
    """This node's copy of the driver's model: written once (under a lock, atomically), then reused.

    Kept under its own file name (reports name the model file in their provenance).
    """
    if sha256 in _NODE_MODELS and os.path.isfile(_NODE_MODELS[sha256]):
        return _NODE_MODELS[sha256]
    from filelock import FileLock  # a dependency of ray

    from posture.batch import write_atomic
    from posture.io.model import default_cache_dir, sha256_file

    folder = default_cache_dir() / "batch_models" / sha256[:24]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name).name
    with FileLock(str(path) + ".lock"):
        if not (path.is_file() and sha256_file(path) == sha256):
            write_atomic(path, model_bytes)
    _NODE_MODELS[sha256] = str(path)
    return str(path)


def ray_task(job: Job, data: bytes | None, model: bytes | str | None, model_sha256: str, use_cache: bool,
             model_name: str = "model.task", frames_queue=None) -> dict[str, Any]:
    """What runs on a Ray worker: place the model, then :func:`posture.batch.analyse_job`.

    ``frames_queue``: a ``ray.util.queue.Queue`` for (key, frames done, total), at most
    twice a second; a full queue drops updates rather than slow the work.
    """
    os.environ.setdefault("GLOG_minloglevel", "2")
    model_path = node_model_path(model, model_sha256, model_name) if isinstance(model, bytes) else model
    progress = None
    if frames_queue is not None:
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.5 or done >= total:
                last[0] = now
                try:
                    frames_queue.put_nowait((job.key, done, total))
                except Exception:  # noqa: BLE001 - queue full or gone: progress is optional
                    pass
    return analyse_job(job, model_path, use_cache, data=data, progress=progress)


def default_cpus_per_file(ray) -> float:
    """CPUs a file's task asks for, so that a node runs ``ceil(cores / FILE_CORES)`` files, like the local pool.

    Worked out on the smallest node (a bigger one then runs at least its share);
    Ray accepts fractional CPUs.
    """
    sizes = [float(n.get("Resources", {}).get("CPU", 0)) for n in ray.nodes() if n.get("Alive")]
    node = min((c for c in sizes if c > 0), default=FILE_CORES)
    return node / math.ceil(node / FILE_CORES - 1e-9)


def run_ray(jobs: list[Job], model_path: str | None = None, use_cache: bool = True, address: str | None = None,
            shared_fs: bool = False, max_retries: int = 2, dashboard: bool = False, num_cpus: int | None = None,
            progress: bool = False, max_in_flight_bytes: int = 1 << 30,
            cpus_per_file: float | None = None, frames: Callable[[str, int, int], None] | None = None
            ) -> Iterator[tuple[Job, dict[str, Any]]]:
    """Yield ``(job, result)`` as Ray tasks finish; starts (and stops) a local Ray unless one is running."""
    if not jobs:
        return
    ray = _import_ray()
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": dashboard, "log_to_driver": progress, "configure_logging": False}
        if address:
            kwargs["address"] = address
        else:
            # a local Ray: its workers must import this checkout's posture like the driver does
            kwargs["num_cpus"] = num_cpus
            root = str(Path(__file__).resolve().parent.parent)
            kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": os.pathsep.join(
                p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}}
        ray.init(**kwargs)
        started = True
    try:
        yield from _submit_all(ray, jobs, model_path, use_cache, shared_fs, max_retries, progress, max_in_flight_bytes,
                               cpus_per_file, frames)
    finally:
        if started:
            ray.shutdown()


def _submit_all(ray, jobs: list[Job], model_path: str | None, use_cache: bool, shared_fs: bool, max_retries: int,
                progress: bool, max_in_flight_bytes: int, cpus_per_file: float | None,
                frames: Callable[[str, int, int], None] | None = None) -> Iterator[tuple[Job, dict[str, Any]]]:
    model: bytes | str | None = None
    model_sha, model_name = "", "model.task"
    if not all(j.is_landmark_file for j in jobs):
        from posture.io.model import resolve_model_path, sha256_file

        local = resolve_model_path(model_path)  # built here once if needed; nodes get a copy, never build
        model_sha, model_name = sha256_file(local), local.name
        model = str(local) if shared_fs else ray.put(local.read_bytes())
    remote = ray.remote(max_retries=max_retries)(ray_task)
    queue = None
    if frames is not None:
        from ray.util.queue import Queue

        queue = Queue(maxsize=1000)  # a small actor: workers' frame counts for the progress line
    cpus = float(ray.cluster_resources().get("CPU", 1))
    cpus_per_file = cpus_per_file or default_cpus_per_file(ray)
    in_flight = max(2, int(2 * cpus // cpus_per_file))
    todo = list(jobs)
    pending: dict[Any, tuple[Job, int]] = {}
    sent = 0  # bytes of the files in flight, held in the driver's object store until their task is done
    if progress:
        sys.stderr.write(f"ray: {cpus:g} CPUs, {cpus_per_file:g} per file, up to {in_flight} files in flight\n")
    while todo or pending:
        while todo and len(pending) < in_flight and (sent < max_in_flight_bytes or not pending):
            job = todo.pop(0)
            per_task = 1 if job.is_landmark_file else cpus_per_file
            try:
                data = None if shared_fs else Path(job.source).read_bytes()
            except OSError as e:
                yield job, {"status": "bad_input", "error": f"{job.source}: cannot read ({e.strerror or e})"}
                continue
            ref = remote.options(num_cpus=min(per_task, cpus)).remote(job, data, model, model_sha, use_cache, model_name, queue)
            pending[ref] = (job, len(data or b""))
            sent += len(data or b"")
        if not pending:
            continue
        done, _ = ray.wait(list(pending), num_returns=1, timeout=1.0)
        if queue is not None:
            try:
                for key, d, t in queue.get_nowait_batch(queue.qsize()):
                    frames(key, d, t)
            except Exception:  # noqa: BLE001 - progress is optional
                pass
        for ref in done:
            job, size = pending.pop(ref)
            sent -= size
            try:
                yield job, ray.get(ref)
            except ray.exceptions.RayError as e:  # the task's worker or node died more than max_retries times
                first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                yield job, {"status": "error", "error": f"ray: {type(e).__name__}: {first}"}
