"""The user's history of analyses in a local SQLite database, so they can see progress.

- Path: the ``path`` argument, else ``$POSTURE_HISTORY``, else ``history.sqlite3``
  in the user's data folder (platformdirs, e.g. ``~/.local/share/posture``).
- Schema versioned in ``PRAGMA user_version``; an older schema is migrated,
  a newer one is refused (never rewritten).
- Every write is one transaction: an entry is stored whole or not at all.
- Integrity: before writing, a database that fails SQLite's ``quick_check`` (or is
  not a database at all) is never written into: it is kept, renamed to
  ``<name>.damaged-<UTC time>``, a new history is started at the same path, and a
  :class:`~posture.errors.PostureWarning` says where the old file is and how to
  recover its entries (``sqlite3 OLD .recover``). Reading a damaged file raises
  :class:`HistoryError` and leaves it as it is. Rows whose JSON is damaged are
  skipped with a warning.
- A locked or unwritable database raises :class:`HistoryError` with a plain
  message; the file is left as it was, and the app keeps working without history.
Stored per entry: date (UTC), task, source file name (not the video), view,
flat metrics, findings (id, severity, value, unit) and the full JSON report.

For the app (issue 17): the stored report also keeps its chart series (rounded,
at most :data:`MAX_SERIES_POINTS` points each), so :meth:`History.report`
reopens a past analysis in full; :meth:`History.add_live` stores a live coach
session's summary; :func:`posture.present.trend_metrics` adds the numbers the
History page plots by default (seconds held in form, share of time upright).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from posture.errors import PostureError, PostureWarning
from posture.export import flat_metrics
from posture.report import Finding, Report, _clean

SCHEMA_VERSION = 1
MAX_SERIES_POINTS = 600  # our choice: enough for a readable chart, small enough to keep the file light
ENV_HISTORY = "POSTURE_HISTORY"
BUSY_TIMEOUT_S = 2.0  # our choice: wait this long for another writer before saying "locked"

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS analyses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_utc TEXT NOT NULL,
    task TEXT NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    view TEXT NOT NULL DEFAULT 'unknown',
    metrics_json TEXT NOT NULL DEFAULT '{}',
    findings_json TEXT NOT NULL DEFAULT '[]',
    report_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS analyses_task_time ON analyses (task, created_utc);
"""


class HistoryError(PostureError):
    """The history database cannot be used; the message says why and what to do."""


# Files that passed quick_check in this process, by (path, inode, size, mtime): re-checked whenever
# the file changes, so a check costs one pass over the file per write, not per read.
_CHECKED: set[tuple[str, int, int, int]] = set()
_CHECKED_LOCK = threading.Lock()
_DAMAGE_WORDS = ("not a database", "malformed", "corrupt")


def default_history_path() -> Path:
    env = os.environ.get(ENV_HISTORY)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("posture", appauthor=False)) / "history.sqlite3"


@dataclass(frozen=True)
class Entry:
    id: int
    created_utc: str
    task: str
    source_name: str
    view: str
    metrics: dict[str, Any]
    findings: list[dict[str, Any]]

    @property
    def flagged(self) -> list[str]:
        return [f["id"] for f in self.findings if f.get("severity") in ("notice", "warning")]


class History:
    """A handle on one history database. Cheap to create; opens a connection per call (thread-safe)."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path else default_history_path()

    # ------------------------------------------------------------------ plumbing
    def _explain(self, e: Exception) -> HistoryError:
        msg = str(e).lower()
        if "locked" in msg or "busy" in msg:
            why = "it is locked by another program (another posture window?). Try again in a moment"
        elif any(w in msg for w in _DAMAGE_WORDS):
            why = ("the file is damaged. It was left untouched; the next analysis saved keeps it as "
                   f"{self.path.name}.damaged-<date> and starts a new history (your analyses still work)")
        elif "readonly" in msg or "read-only" in msg or "permission" in msg or "unable to open" in msg:
            why = "it cannot be written here. Choose another history file or check the folder's permissions"
        else:
            why = str(e)
        return HistoryError(f"history database {self.path}: {why}")

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (sqlite3.Error, OSError) as e:
            raise self._explain(e) from e
        con.text_factory = lambda b: b.decode("utf-8", "replace")  # a damaged text cell spoils its row, not the query
        return con

    @contextmanager
    def _connect(self, mode: str = "write") -> Iterator[sqlite3.Connection]:
        """A connection to a database that passed its integrity check.

        ``mode``: "read" or "edit" refuse a damaged file (HistoryError, file untouched);
        "write" (adding an entry) keeps it under a new name and starts a new history.
        """
        con = self._open()
        try:
            damage = self._damage(con)
            if damage:
                if mode != "write":
                    raise self._explain(sqlite3.DatabaseError(f"database disk image is malformed ({damage[0]})"))
                con.close()
                self._move_aside(*damage)
                con = self._open()
            self._ensure_schema(con)
            yield con
        except sqlite3.Error as e:
            raise self._explain(e) from e
        finally:
            con.close()

    def _damage(self, con: sqlite3.Connection) -> tuple[str, int] | None:
        """(what quick_check found, the file's inode) when the database is damaged, else None.

        A locked database is not damage: its error propagates (and is explained as locked).
        """
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        key = (str(self.path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns)
        with _CHECKED_LOCK:
            if key in _CHECKED:
                return None
        try:
            rows = con.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.DatabaseError as e:
            if any(w in str(e).lower() for w in _DAMAGE_WORDS):
                return str(e), st.st_ino
            raise
        lines = [x.strip() for r in rows for x in str(r[0]).splitlines() if x.strip() and not x.startswith("***")]
        found = "; ".join(lines[:2]) + ("; ..." if len(lines) > 2 else "")
        if found != "ok":
            return found, st.st_ino
        with _CHECKED_LOCK:
            _CHECKED.add(key)
        return None

    def _move_aside(self, damage: str, inode: int) -> None:
        """Keep a damaged database under a new name (with its journal files); the next open starts a new one."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        k = 1
        while dest.exists():
            k += 1
            dest = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{k}")
        try:
            if os.stat(self.path).st_ino != inode:
                return  # another process moved it aside meanwhile and started a new history
            os.replace(self.path, dest)
            for suffix in ("-journal", "-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, dest.with_name(dest.name + suffix))
        except FileNotFoundError:
            return
        except OSError as e:
            raise HistoryError(f"history database {self.path} is damaged ({damage}) and could not be moved aside "
                               f"({e.strerror or e}); rename it yourself to start a new history") from None
        warnings.warn(
            f"history database {self.path} failed its integrity check ({damage}); it was not written into but kept "
            f"as {dest}, and a new history was started. To recover its entries: sqlite3 {dest} .recover | "
            f"sqlite3 recovered.sqlite3", PostureWarning, stacklevel=5)

    def _ensure_schema(self, con: sqlite3.Connection) -> None:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"history database {self.path} has schema version {version}, newer than this posture "
                f"understands ({SCHEMA_VERSION}); update posture or choose another history file"
            )
        if version < SCHEMA_VERSION:
            con.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _SCHEMA_V1.strip().split(";"):
                    if stmt.strip():
                        con.execute(stmt)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ API
    def add(self, report: Report, source_name: str = "", when: datetime | None = None) -> int:
        """Store one analysis (one transaction); returns its id."""
        from posture.present import trend_metrics

        d = report.to_dict()
        if report.series:
            d["series"] = _compact_series(report.series)
        metrics = flat_metrics(d["metrics"])
        metrics.update(trend_metrics(d))
        return self._insert(d, report.task, source_name, report.view, metrics, when)

    def add_live(self, task: str, summary: dict[str, Any], source_name: str = "Live coach",
                 when: datetime | None = None) -> int:
        """Store a live coach session's summary (one transaction); returns its id."""
        from posture.present import live_findings, live_headline, trend_metrics

        findings = live_findings(task, summary)
        d = {"task": task, "live": True, "view": "unknown", "input": {"path": source_name, "n_frames": 0},
             "metrics": {k: v for k, v in summary.items() if not isinstance(v, (list, dict))},
             "findings": findings, "summary": {"status": "flagged" if findings else "nothing_flagged",
                                               "headline": live_headline(task, summary)},
             "live_session": summary}
        if task == "stretch":
            d["stretch"] = summary  # the same block an offline stretch report has
        metrics = flat_metrics(d["metrics"])
        metrics.update(trend_metrics(d))
        metrics["live_session"] = True
        return self._insert(_clean(d), task, source_name, "unknown", metrics, when)

    def report(self, entry_id: int):
        """A stored analysis as a :class:`~posture.report.Report` (with its chart series), or None."""
        d = self.report_json(entry_id)
        return None if d is None else report_from_json(d)

    def _insert(self, d: dict[str, Any], task: str, source_name: str, view: str, metrics: dict[str, Any],
                when: datetime | None) -> int:
        created = (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        findings = [{k: f.get(k) for k in ("id", "severity", "value", "unit")} for f in d.get("findings", [])]
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute(
                    "INSERT INTO analyses (created_utc, task, source_name, view, metrics_json, findings_json, report_json) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (created, task, source_name, view, json.dumps(metrics), json.dumps(findings), json.dumps(d)),
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return int(cur.lastrowid)

    def entries(self, task: str | None = None) -> list[Entry]:
        """Stored analyses, oldest first, optionally of one task."""
        q = "SELECT id, created_utc, task, source_name, view, metrics_json, findings_json FROM analyses"
        args: tuple = ()
        if task:
            q += " WHERE task = ?"
            args = (task,)
        with self._connect("read") as con:
            rows = con.execute(q + " ORDER BY created_utc, id", args).fetchall()
        out, bad = [], []
        for r in rows:
            try:
                metrics, findings = json.loads(r[5]), json.loads(r[6])
                if not isinstance(metrics, dict) or not isinstance(findings, list) or \
                        not all(isinstance(f, dict) for f in findings):
                    raise ValueError("wrong JSON types")
                out.append(Entry(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), metrics, findings))
            except (ValueError, TypeError):
                bad.append(r[0])
        if bad:
            warnings.warn(f"history database {self.path}: skipped {len(bad)} damaged entr{'y' if len(bad) == 1 else 'ies'} "
                          f"(id {', '.join(map(str, bad[:10]))}{'...' if len(bad) > 10 else ''}); the others are shown",
                          PostureWarning, stacklevel=2)
        return out

    def report_json(self, entry_id: int) -> dict[str, Any] | None:
        """The stored JSON report of one entry; None (with a warning when damaged) if it cannot be read."""
        with self._connect("read") as con:
            row = con.execute("SELECT report_json FROM analyses WHERE id = ?", (entry_id,)).fetchone()
        if not row:
            return None
        try:
            d = json.loads(row[0])
            if not isinstance(d, dict):
                raise ValueError("not a JSON object")
        except ValueError as e:
            warnings.warn(f"history database {self.path}: the report of entry {entry_id} is damaged ({e}); skipped",
                          PostureWarning, stacklevel=2)
            return None
        return d

    def delete(self, entry_ids: int | list[int]) -> int:
        """Delete entries by id (one transaction); returns how many were deleted."""
        ids = [entry_ids] if isinstance(entry_ids, int) else list(entry_ids)
        if not ids:
            return 0
        with self._connect("edit") as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                n = con.execute(f"DELETE FROM analyses WHERE id IN ({','.join('?' * len(ids))})", ids).rowcount
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return int(n)

    def trend(self, task: str, metric: str) -> list[tuple[str, float]]:
        """(date, value) of one flat metric (e.g. ``heel_first_share``) over the task's entries."""
        out = []
        for e in self.entries(task):
            v = e.metrics.get(metric)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append((e.created_utc, float(v)))
        return out

    def metric_names(self, task: str) -> list[str]:
        """Numeric metrics seen in the task's entries, most frequent first."""
        counts: dict[str, int] = {}
        for e in self.entries(task):
            for k, v in e.metrics.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    counts[k] = counts.get(k, 0) + 1
        return sorted(counts, key=lambda k: (-counts[k], k))


# ------------------------------------------------------------------ reopening (app, issue 17)
def _compact_series(series: dict[str, Any]) -> dict[str, Any]:
    """Chart series made JSON-light: at most MAX_SERIES_POINTS points, values rounded to 3 decimals."""
    import numpy as np

    out = {}
    for name, s in series.items():
        t = np.asarray(s.get("time_s", ()), float)
        v = np.asarray(s.get("values", ()), float)
        if t.shape != v.shape or t.size == 0:
            continue
        step = max(1, int(np.ceil(t.size / MAX_SERIES_POINTS)))
        meta = {k: x for k, x in s.items() if k not in ("time_s", "values")}
        out[name] = _clean(dict(meta, time_s=np.round(t[::step], 3), values=np.round(v[::step], 3)))
    return out


def report_from_json(d: dict[str, Any]) -> Report:
    """A :class:`Report` rebuilt from its stored JSON (findings, metrics, task blocks, chart series)."""
    import numpy as np

    from posture.sequence import VideoInfo

    inp = d.get("input") or {}
    n = int(inp.get("n_frames") or 0)
    video = VideoInfo(path=str(inp.get("path") or ""), fps=float(inp.get("fps") or 0.0), n_frames=n,
                      width=int(inp.get("width") or 0), height=int(inp.get("height") or 0),
                      rotation_deg=int(inp.get("rotation_deg") or 0), is_image=n == 1)
    import dataclasses

    findings = []
    extra = {fl.name for fl in dataclasses.fields(Finding)} - {"id", "severity", "value", "unit", "threshold",
                                                               "time_ranges_s", "confidence", "message", "advice",
                                                               "reason"}
    for f in d.get("findings") or []:
        findings.append(Finding(
            id=str(f.get("id")), severity=str(f.get("severity")), value=f.get("value"), unit=f.get("unit") or "",
            threshold=f.get("threshold"), time_ranges_s=tuple(tuple(r) for r in f.get("time_ranges_s") or ()),
            confidence=float(f.get("confidence") or 0.0), message=f.get("message") or "", advice=f.get("advice") or "",
            reason=f.get("reason") or (None if f.get("severity") != "not_assessed" else "not given"),
            **{k: f[k] for k in extra if f.get(k) is not None}))  # newer fields (title, worse, ...) when stored
    known = {"task", "posture_version", "input", "view", "segments", "events", "metrics", "findings", "provenance",
             "notice", "red_flags", "series", "summary"}
    series = {k: dict(s, time_s=np.asarray(s.get("time_s") or [], float),
                      values=np.asarray([np.nan if x is None else x for x in s.get("values") or []], float))
              for k, s in (d.get("series") or {}).items()}
    view = d.get("view") if d.get("view") in ("side", "front", "back", "mixed", "unknown") else "unknown"
    rep = Report(task=str(d.get("task")), video=video, view=view, segments=list(d.get("segments") or []),
                 events=dict(d.get("events") or {}), metrics=dict(d.get("metrics") or {}), findings=findings,
                 blocks={k: v for k, v in d.items() if k not in known}, provenance=dict(d.get("provenance") or {}),
                 series=series)
    return rep
