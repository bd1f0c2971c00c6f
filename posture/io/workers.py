"""The one concurrency design for files and webcams: landmarker threads fed through small queues.

One MediaPipe landmarker keeps one core busy and is not thread-safe, so each
worker thread owns its own (made on that thread, on its first job, so opening a
page or a file never waits for every model) and runs the jobs given to it in
the order given: a VIDEO-mode landmarker sees its frames in time order.

Two ways to hand work over, one per use:
- files: ``submit(job, worker=i % k)`` blocks while that worker's queue is full
  (back-pressure keeps memory flat) and every frame is processed;
- webcams: ``submit(job)`` gives the job to an idle worker, or returns False at
  once when all are busy, so a slow moment drops frames instead of building lag.

MediaPipe releases the GIL while it infers, so the threads really run in parallel.
Decoding runs on its own thread too (:func:`decode_ahead`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

R = TypeVar("R")
T = TypeVar("T")
_STOP = object()


def _noop(resource: object) -> None:
    return None


class WorkerPool(Generic[R]):
    """``workers`` threads, each owning one resource made by ``make(j)`` on its own thread.

    A job is a callable taking the worker's resource. Exceptions from a job are kept in
    :attr:`errors` (in order) for the caller to raise on its own thread; the worker goes on.
    ``close()`` finishes queued jobs, then closes every resource that has a ``close``.
    """

    def __init__(self, make: Callable[[int], R], workers: int = 2, queue_size: int = 2,
                 name: str = "posture-infer", close_resources: bool = True):
        self._make = make
        self._close_resources = close_resources
        self.n_workers = max(1, int(workers))
        self._queues: list[queue.Queue] = [queue.Queue(maxsize=max(1, queue_size)) for _ in range(self.n_workers)]
        self._lock = threading.Lock()
        self._pending = [0] * self.n_workers  # jobs given and not finished, per worker
        self.errors: list[BaseException] = []
        self._closed = False
        self._threads = [threading.Thread(target=self._run, args=(j,), name=f"{name}-{j}", daemon=True)
                         for j in range(self.n_workers)]
        for th in self._threads:
            th.start()

    @property
    def busy(self) -> list[bool]:
        """Per worker: does it have a job queued or running?"""
        with self._lock:
            return [p > 0 for p in self._pending]

    def submit(self, job: Callable[[R], None], worker: int | None = None) -> bool:
        """Queue ``job`` on ``worker`` (blocking while its queue is full), or with ``worker=None``
        on an idle worker; returns False, without queueing, when every worker is busy."""
        with self._lock:
            if self._closed:
                raise RuntimeError("this worker pool is closed")
            if worker is None:
                idle = [j for j, p in enumerate(self._pending) if p == 0]
                if not idle:
                    return False
                worker = idle[0]
            self._pending[worker] += 1
        self._queues[worker].put(job)
        return True

    def warm(self) -> None:
        """Make every worker's resource now (each on its own thread, side by side), not on its first job."""
        for j in range(self.n_workers):
            self.submit(_noop, worker=j)

    def _run(self, j: int) -> None:
        resource = None
        made = False
        try:
            while True:
                job = self._queues[j].get()
                if job is _STOP:
                    return
                try:
                    if not made:
                        resource, made = self._make(j), True
                    job(resource)
                except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                    with self._lock:
                        self.errors.append(e)
                finally:
                    with self._lock:
                        self._pending[j] -= 1
        finally:
            if made and self._close_resources and hasattr(resource, "close"):
                resource.close()

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Block until no job is queued or running (True), or ``timeout_s`` passed (False)."""
        import time

        end = None if timeout_s is None else time.monotonic() + timeout_s
        while any(self.busy):
            if end is not None and time.monotonic() > end:
                return False
            time.sleep(0.002)
        return True

    def close(self) -> None:
        """Finish the queued jobs, stop the threads and close the resources (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for q in self._queues:
            q.put(_STOP)
        for th in self._threads:
            th.join()


def decode_ahead(items: Iterator[T], maxsize: int) -> Iterator[T]:
    """Iterate ``items`` produced on a worker thread, at most ``maxsize`` ahead of the consumer.

    Used for decoding, so decoding overlaps inference while memory stays bounded.
    An exception from the producer is re-raised in the consumer.
    """
    q: queue.Queue = queue.Queue(maxsize=max(1, maxsize))
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer and re-raised there
            q.put(e)

    th = threading.Thread(target=work, name="posture-decode", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        th.join(timeout=5)
