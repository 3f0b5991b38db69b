"""Run a batch audit: stream chunks through worker processes (or Dask), in input order, resumably.

Every finished chunk is saved as a part in a work directory beside the output
(``OUT.parts/NNNNNN.findings.parquet``, its findings with the ``input_row`` of each,
written to a temporary name and renamed; a chunk's per-encounter summary is computed
again from it and the chunk's encounter ids). ``--resume`` skips the parts already there
when the manifest (input size and mtime, options) still matches. At the end the parts
are concatenated in order into a temporary file that is renamed into place, and the
work directory is removed.
"""

from __future__ import annotations

import ctypes
import gc
import json
import logging
import math
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
import zlib
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from chartaudit import formats
from chartaudit.batch.columns import ColumnMap, findings_arrow_schema, summary_arrow_schema
from chartaudit.batch.partition import ROW_COLUMN, audit_frame, summary_frame
from chartaudit.checker import cached_checker
from chartaudit.formats import FormatError
from chartaudit.report import FINDING_COLUMNS

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
#: Chunks in flight per worker: enough to keep workers busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
#: Progress callback: (encounters just finished, fraction of the input read or None).
Progress = Callable[[int, "float | None"], None]


class BatchInputError(FormatError):
    """An audit that cannot start (options, resume, engine): the message is one line."""


class WorkerDied(RuntimeError):
    """A worker process died mid-run; the finished chunks are kept for ``--resume``."""


@dataclass
class AuditJob:
    """What to audit and how (``engine``: ``local`` processes or ``dask``)."""

    input: Path
    output: Path
    columns: ColumnMap = field(default_factory=ColumnMap)
    policies: tuple[str, ...] = ()
    model: str | None = None
    workers: int = 1
    chunk_size: int = 500
    summary: Path | None = None
    default_setting: str = "outpatient"
    resume: bool = False
    engine: str = "local"
    scheduler: str | None = None
    #: The folder every ``note_path`` file must lie in (symlinks followed); default: the input's folder.
    note_root: Path | None = None

    @property
    def base_dir(self) -> Path:
        """The folder relative ``note_path`` cells are read from: the input file's folder."""
        return self.input.resolve().parent

    @property
    def resolved_note_root(self) -> Path:
        """The note root with every symbolic link followed."""
        return Path(os.path.realpath(self.note_root if self.note_root is not None else self.base_dir))

    @property
    def work_dir(self) -> Path:
        """The sidecar directory of finished parts (kept when a run is interrupted)."""
        return self.output.with_name(self.output.name + ".parts")

    def manifest(self) -> dict[str, Any]:
        """What a part depends on: the input file(s), chunking, columns, model and policies."""
        return {
            "format": 3,
            "input": str(self.input.resolve()),
            "input_files": _file_stamps(self.input),
            "chunk_size": self.chunk_size,
            "columns": asdict(self.columns),
            "model": str(Path(self.model).resolve()) if self.model else None,
            "policies": [_file_stamps(Path(policy)) for policy in self.policies],
            "default_setting": self.default_setting,
            "note_root": str(self.resolved_note_root),
        }


def _file_stamps(path: Path) -> list[list[Any]]:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    stamps = []
    for file in files:
        stat = file.stat()
        stamps.append([str(file.relative_to(path)) if path.is_dir() else file.name, stat.st_size, stat.st_mtime_ns])
    return stamps


@dataclass
class AuditSummary:
    """The closing figures of a batch audit."""

    encounters: int = 0
    clean: int = 0
    needs_review: int = 0
    input_errors: int = 0
    resumed_chunks: int = 0
    findings_by_type: Counter = field(default_factory=Counter)

    def add_frame(self, summaries: pd.DataFrame) -> None:
        """Count the summary rows of a chunk (see :func:`~chartaudit.batch.partition.summary_frame`)."""
        self.encounters += len(summaries)
        statuses = Counter(summaries["status"].tolist())
        self.clean += statuses.get("clean", 0)
        self.needs_review += statuses.get("needs_review", 0)
        self.input_errors += statuses.get("input_error", 0)
        for column in summaries.columns:
            if column.startswith("n_"):
                total = int(summaries[column].sum())
                if total:
                    self.findings_by_type[column[2:]] += total

    def lines(self) -> list[str]:
        """The summary as lines for people (no note text)."""
        lines = [f"{self.encounters:,} encounters: {self.clean:,} clean, {self.needs_review:,} need review, "
                 f"{self.input_errors:,} with input errors"]
        if self.resumed_chunks:
            lines.append(f"resumed: {self.resumed_chunks:,} chunks were already done")
        for kind, count in self.findings_by_type.most_common():
            lines.append(f"  {kind:<24} {count:>8,}")
        return lines


def iter_input(path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
    """The input in chunks of at most ``chunk_size`` rows, with the fraction read so far.

    A file that turns out to be malformed part-way (a quote never closed in a CSV) raises a
    one-line :class:`FormatError` naming it, not the parser's traceback.
    """
    try:
        yield from formats.input_format(path).read_chunks(path, chunk_size)
    except FormatError:
        raise
    except Exception as error:  # noqa: BLE001 - csv, OS and pyarrow errors alike
        raise FormatError(f"{path}: cannot be read ({formats.first_line(error)})") from None


def usable_cores() -> int:
    """The cores this process may use: its CPU affinity, lowered by a cgroup v2 CPU quota when one is set."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text(encoding="ascii").split()[:2]
        if quota != "max":
            cores = min(cores, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def validate_columns(path: Path, columns: ColumnMap) -> list[str]:
    """Check the required columns before any work; returns the available columns."""
    available = formats.read_columns(path)
    if not available:
        raise FormatError(f"{path}: the file is empty (no header row)")
    missing = [name for name in columns.required(available) if name not in available]
    if missing:
        raise FormatError(f"{path}: missing column {missing[0]!r} (found: {', '.join(available[:12])})")
    return available


def input_rows(path: Path) -> int | None:
    """The number of input rows when it is known without reading the data (Parquet), else None."""
    try:
        return formats.input_format(path).row_count(path)
    except Exception:  # noqa: BLE001 - validate_columns reports an unreadable input, in one line
        return None


# -- workers ------------------------------------------------------------------------


def _process_chunk(payload: tuple[pd.DataFrame, ColumnMap, str | None, tuple[str, ...], str, str, str]
                   ) -> pd.DataFrame:
    """Worker: audit one chunk with :func:`audit_frame`; returns plain data (a findings frame)."""
    frame, columns, model, policies, base_dir, default_setting, note_root = payload
    return audit_frame(frame, columns, model, policies, base_dir, default_setting, row_numbers=True,
                       note_root=note_root)


#: A short note that loads what the first real note would (trie branches, fuzzy index).
_WARM_UP_NOTE = "Chest pain, worse on exertion. Denies shortness of breath. History of hypertension."


def _warm_worker(model: str | None, policies: tuple[str, ...]) -> None:
    cached_checker(model, policies).check(_WARM_UP_NOTE, ["R07.9"])


#: The garbage collector's youngest-generation threshold during a one-process audit (Python's default: 700).
_RUN_GC_THRESHOLD = 20_000

#: prctl(2) option: the signal a process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1
#: Seconds between two checks, in a worker, that its parent is still alive.
PARENT_CHECK_SECONDS = 1.0


def _exit_with_parent(parent_pid: int) -> None:
    """Make this worker end when the audit's main process ends, however it ends.

    On Linux the kernel sends SIGTERM when the parent dies (``PR_SET_PDEATHSIG``);
    everywhere, a daemon thread also checks once a second that the parent is the same
    process and exits at once when it is not. Ctrl-C is the parent's to handle: the
    worker ignores SIGINT (no traceback from a worker), and the parent stops it with
    SIGTERM, whose default action (not a handler inherited from the parent) ends it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the liveness check below still applies
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="chartaudit-parent-check", daemon=True).start()


def _start_worker(parent_pid: int, model: str | None, policies: tuple[str, ...]) -> None:
    """Worker initializer: end with the parent, then build (or reuse) and warm the pipeline; the
    worker's garbage collector runs as in a one-process audit (:data:`_RUN_GC_THRESHOLD`)."""
    _exit_with_parent(parent_pid)
    _warm_worker(model, policies)
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _RUN_GC_THRESHOLD), *thresholds[1:])


def _stop_workers(pools: list[ProcessPoolExecutor]) -> None:
    """Terminate the worker processes of interrupted pools at once (their chunks are discarded)."""
    for pool in pools:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.terminate()
    for pool in pools:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.join(timeout=5)


class _Chunk:
    """A chunk of the input: its index, encounter ids, input fraction, and its findings to come."""

    def __init__(self, index: int, ids: list[str], fraction: float | None, result: Any) -> None:
        self.index, self.ids, self.fraction, self.result = index, ids, fraction, result


def _chunk_ids(frame: pd.DataFrame, columns: ColumnMap) -> list[str]:
    if columns.id not in frame.columns:
        return [""] * len(frame)
    return ["" if value is None or (isinstance(value, float) and value != value) else str(value)
            for value in frame[columns.id].tolist()]


def _pending_chunks(job: AuditJob, done: set[int], submit: Callable[[tuple], Any], in_flight: int,
                    result_of: Callable[[Any], pd.DataFrame]) -> Iterator[_Chunk]:
    """Read chunks, submit those not done, and yield them in input order as they finish.

    At most ``in_flight`` chunks are read ahead of the writer: memory stays bounded
    (``multiprocessing.Pool.imap`` would read the whole input ahead).
    """
    base_dir, note_root = str(job.base_dir), str(job.resolved_note_root)
    queue: deque[_Chunk] = deque()
    for index, (frame, fraction) in enumerate(iter_input(job.input, job.chunk_size)):
        ids = _chunk_ids(frame, job.columns)
        if index in done:
            queue.append(_Chunk(index, ids, fraction, None))
        else:
            payload = (frame, job.columns, job.model, job.policies, base_dir, job.default_setting, note_root)
            queue.append(_Chunk(index, ids, fraction, submit(payload)))
        del frame
        while len(queue) > in_flight or (queue and queue[0].result is None):
            chunk = queue.popleft()
            if chunk.result is not None:
                chunk.result = result_of(chunk.result)
            yield chunk
    while queue:
        chunk = queue.popleft()
        if chunk.result is not None:
            chunk.result = result_of(chunk.result)
        yield chunk


def _chunks_local(job: AuditJob, done: set[int]) -> Iterator[_Chunk]:
    if job.workers <= 1:
        # Load the model before the first chunk, then take what it holds (tables, terms, tries)
        # out of the garbage collector's reach for the run: each full collection would walk it all.
        # A note makes tens of thousands of short-lived objects, so the youngest generation is
        # collected less often too (fewer collections promote less into the older ones).
        _warm_worker(job.model, job.policies)
        thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(max(thresholds[0], _RUN_GC_THRESHOLD), *thresholds[1:])
        try:
            yield from _pending_chunks(job, done, _process_chunk, 0, lambda result: result)
        finally:
            gc.set_threshold(*thresholds)  # the caller's process (the viewer's, say) collects as before
            gc.unfreeze()
        return
    start_method = "fork" if os.name == "posix" else "spawn"
    context = multiprocessing.get_context(start_method)
    if start_method == "fork":
        # Build (and warm) the pipeline once, here: forked workers inherit it instead of
        # each spending a second or more building their own. Then freeze what exists so
        # far out of the garbage collector's reach (as the gc docs advise before a fork):
        # a worker's collections would otherwise write to, and so copy, every inherited page.
        _warm_worker(job.model, job.policies)
        gc.freeze()
    # One single-process pool per worker, so that each row can be sent to a chosen worker:
    # the same note always goes to the same one, whose note cache then sees every repeat.
    # A process pool fails loudly (BrokenProcessPool) when its worker dies, e.g. killed for
    # memory; multiprocessing.Pool would wait forever for the lost chunk.
    pools: list[ProcessPoolExecutor] = []
    finished = False
    try:
        for _ in range(job.workers):
            pools.append(ProcessPoolExecutor(1, mp_context=context, initializer=_start_worker,
                                             initargs=(os.getpid(), job.model, job.policies)))

        def submit(payload: tuple) -> list[tuple[Any, Any]]:
            frame, rest = payload[0], payload[1:]
            return [(positions, pools[worker].submit(_process_chunk, (frame.iloc[positions], *rest)))
                    for worker, positions in enumerate(worker_shares(frame, job.columns, len(pools)))
                    if len(positions)]

        try:
            yield from _pending_chunks(job, done, submit, job.workers * IN_FLIGHT_PER_WORKER, _merge_shares)
            finished = True
        except BrokenProcessPool:
            raise WorkerDied(f"a worker process died (out of memory?); finished chunks are kept in "
                             f"{job.work_dir}: rerun with --resume") from None
    finally:
        if not finished:  # an error, Ctrl-C or SIGTERM: stop the workers now, not after their chunks
            _stop_workers(pools)
        for pool in pools:
            pool.shutdown(wait=finished, cancel_futures=not finished)
        gc.unfreeze()  # the caller's objects are collectable again (e.g. in a notebook)


def worker_shares(frame: pd.DataFrame, columns: ColumnMap, workers: int) -> list[Any]:
    """The row positions of a chunk each worker gets, by a checksum of the row's note
    (its text, else its note path): the same note always goes to the same worker.
    """
    count = len(frame)
    notes = frame[columns.note].tolist() if columns.note in frame.columns else [None] * count
    paths = frame[columns.note_path].tolist() if columns.note_path in frame.columns else [None] * count
    owners = np.empty(count, dtype=np.int64)
    for position, (note, path) in enumerate(zip(notes, paths)):
        key = note if isinstance(note, str) else path if isinstance(path, str) else str(position)
        owners[position] = zlib.crc32(key.encode("utf-8", "surrogatepass")) % workers
    return [np.flatnonzero(owners == worker) for worker in range(workers)]


def _merge_shares(shares: list[tuple[Any, Any]]) -> pd.DataFrame:
    """The findings of a chunk's shares as one frame in input order (``input_row`` of the chunk)."""
    parts = []
    for positions, future in shares:
        part = future.result()
        part[ROW_COLUMN] = positions[part[ROW_COLUMN].to_numpy()] if len(part) else part[ROW_COLUMN]
        parts.append(part)
    non_empty = [part for part in parts if len(part)] or parts[:1]
    merged = pd.concat(non_empty, ignore_index=True) if len(non_empty) > 1 else non_empty[0].reset_index(drop=True)
    return merged.sort_values(ROW_COLUMN, kind="stable").reset_index(drop=True)


def _chunks_dask(job: AuditJob, done: set[int]) -> Iterator[_Chunk]:
    """The same chunks on a Dask cluster (``job.scheduler``, or a local cluster of ``job.workers``)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise BatchInputError("--engine dask needs dask[distributed]: pip install 'dask[distributed]'") from None
    if not logger.isEnabledFor(logging.INFO):  # Dask's INFO lines (~35 a run) only with --verbose
        for name in ("distributed", "dask"):
            logging.getLogger(name).setLevel(logging.WARNING)
    cluster = None
    if job.scheduler:
        try:
            client = Client(job.scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as error:
            raise BatchInputError(f"{job.scheduler}: cannot reach the Dask scheduler ({type(error).__name__})") from None
    else:
        cluster = LocalCluster(n_workers=max(1, job.workers), threads_per_worker=1, processes=job.workers > 1,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or job.workers)
        yield from _pending_chunks(
            job, done,
            lambda payload: client.submit(audit_frame, *payload[:-1], row_numbers=True, note_root=payload[-1],
                                          pure=False),
            workers * IN_FLIGHT_PER_WORKER, lambda future: future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- the run ------------------------------------------------------------------------


def _part_schema() -> Any:
    """A part's schema: the findings' columns and the ``input_row`` of each finding."""
    import pyarrow as pa

    return findings_arrow_schema().append(pa.field(ROW_COLUMN, pa.int64()))


def _store(frame: pd.DataFrame, path: Path, schema: Any) -> None:
    """Write a chunk's part atomically (the rename marks the chunk done)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    temporary = path.with_name(path.name + ".tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, path)


def _part_path(work_dir: Path, index: int) -> Path:
    return work_dir / f"{index:06d}.findings.parquet"


def _prepare_work_dir(job: AuditJob) -> set[int]:
    """Create (or, on resume, check) the work directory; returns the indexes of finished chunks."""
    work_dir, manifest = job.work_dir, job.manifest()
    manifest_path = work_dir / MANIFEST
    if job.resume and manifest_path.exists():
        try:
            saved = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = None
        if saved != manifest:
            raise BatchInputError(
                f"{work_dir}: its parts come from another input file or other options; "
                "rerun without --resume to start over")
        for leftover in work_dir.glob("*.tmp"):
            leftover.unlink(missing_ok=True)
        done = {int(path.name.split(".")[0]) for path in work_dir.glob("*.findings.parquet")}
        logger.info("resuming: %d chunks already done", len(done))
        return done
    if job.resume:
        logger.warning("nothing to resume in %s: starting from the beginning", work_dir)
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir()
    temporary = manifest_path.with_name(MANIFEST + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(temporary, manifest_path)
    return set()


def _real(path: Path) -> Path:
    """The path with every symbolic link followed (the path need not exist)."""
    return Path(os.path.realpath(path))


def _overlap(first: Path, second: Path) -> bool:
    """True when two paths are the same file (symlinks and hard links included) or one holds the other."""
    real_first, real_second = _real(first), _real(second)
    if real_first == real_second or real_first in real_second.parents or real_second in real_first.parents:
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist yet
        return False


def check_paths(job: AuditJob) -> None:
    """Refuse, before any work, an output, summary or work directory that is an input or another output.

    Inputs are the encounters file (or directory), the policy files and the model.
    Raises :class:`BatchInputError` with one line naming both paths.
    """
    inputs = [("the input", job.input), *(("the policy file", Path(policy)) for policy in job.policies)]
    if job.model:
        inputs.append(("the model", Path(job.model)))
    outputs = [("--out", job.output)]
    if job.summary is not None:
        outputs.append(("--summary", job.summary))
    outputs.append(("the work directory", job.work_dir))
    for position, (name, path) in enumerate(outputs):
        for input_name, input_path in inputs:
            if _overlap(path, input_path):
                raise BatchInputError(f"{name} {path} would overwrite {input_name} {input_path}: "
                                      "choose another output name")
        for other_name, other_path in outputs[position + 1:]:
            if _overlap(path, other_path):
                raise BatchInputError(f"{name} {path} and {other_name} {other_path} would overwrite each other: "
                                      "give each output its own name")


def run_audit(job: AuditJob, progress: Progress | None = None) -> AuditSummary:
    """Run a whole audit; the output appears (atomically) only when it is complete.

    Raises :class:`BatchInputError` (one line naming the file) before any work when an
    input or output cannot be used, or when an output would overwrite an input or
    another output.
    """
    check_paths(job)
    validate_columns(job.input, job.columns)
    if job.note_root is not None and not job.note_root.is_dir():
        raise BatchInputError(f"--note-root {job.note_root}: no such directory")
    output_format = formats.check_output(job.output)
    summary_format = formats.check_output(job.summary) if job.summary is not None else None
    if job.engine not in ("local", "dask"):
        raise BatchInputError(f"unknown engine {job.engine!r}: use local or dask")
    done = _prepare_work_dir(job)
    started = time.monotonic()
    chunks = _chunks_dask(job, done) if job.engine == "dask" else _chunks_local(job, done)
    findings_schema, summary_schema, part_schema = findings_arrow_schema(), summary_arrow_schema(), _part_schema()
    summary = AuditSummary()
    count = 0
    # The outputs are written as the chunks come, in input order (a temporary file each,
    # renamed into place at the end); the parts in the work directory are what --resume reads.
    writer = output_format.writer(job.output, findings_schema)
    summary_writer = summary_format.writer(job.summary, summary_schema) if summary_format is not None else None
    try:
        for chunk in chunks:
            count += 1
            part_path = _part_path(job.work_dir, chunk.index)
            if chunk.result is not None:
                result = chunk.result
                _store(result, part_path, part_schema)
            else:
                result = _read_part(part_path)
            summaries = summary_frame(chunk.ids, result)
            writer.write(result[FINDING_COLUMNS])
            summary.add_frame(summaries)
            if summary_writer is not None:
                summary_writer.write(summaries)
            if progress is not None:
                progress(len(chunk.ids), chunk.fraction)
        writer.close()
        if summary_writer is not None:
            summary_writer.close()
    except BaseException:
        writer.abort()
        if summary_writer is not None:
            summary_writer.abort()
        raise
    finally:
        chunks.close()  # stops the workers now (after an error or an interruption), not when collected
    logger.info("audited %d chunks in %.1f s", count, time.monotonic() - started)
    summary.resumed_chunks = len(done & set(range(count)))
    shutil.rmtree(job.work_dir, ignore_errors=True)
    return summary


def _frame(table: Any) -> pd.DataFrame:
    """A part's table as a frame; null offsets stay <NA> integers, not NaN floats."""
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def _read_part(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return _frame(pq.read_table(path))



__all__ = ["AuditJob", "AuditSummary", "BatchInputError", "WorkerDied", "run_audit"]
