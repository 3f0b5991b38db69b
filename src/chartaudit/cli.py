"""The ``chartaudit`` command: check, audit, evaluate, lookup.

Exit status: 0 on success whatever is found; 2 on bad usage or unreadable input,
with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from chartaudit import __version__
from chartaudit.model import ModelError
from chartaudit.types import SETTINGS

logger = logging.getLogger("chartaudit")

EXIT_OK = 0
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage or unreadable input: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage dump
        raise UsageError(message)


def _read_note(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise UsageError(f"{source}: no such file") from None
        except IsADirectoryError:
            raise UsageError(f"{source}: is a directory, not a note file") from None
        except OSError as error:
            raise UsageError(f"{source}: cannot be read ({error.strerror})") from None
    return data.decode("utf-8", errors="replace")


def _policies(paths: Sequence[str] | None):
    if not paths:
        return None
    from chartaudit.knowledge import PolicyError, load_policies

    try:
        return load_policies(list(paths))
    except PolicyError as error:
        raise UsageError(str(error)) from None


# -- check ------------------------------------------------------------------------


def command_check(args: argparse.Namespace) -> int:
    note = _read_note(args.note)
    policies = _policies(args.policy)
    from chartaudit.checker import Checker

    checker = Checker(model=args.model)
    result = checker.check(note, dx=" ".join(args.dx), px=" ".join(args.px or []), setting=args.setting,
                           policies=[policies] if policies else None)
    from chartaudit.report import result_json, result_text

    sys.stdout.write((result_json(result) if args.format == "json" else result_text(result)) + "\n")
    return EXIT_OK


# -- audit ------------------------------------------------------------------------


def _progress_bar(total_hint: int | None = None):
    """A progress callback on stderr (count, rate, ETA) when it is a terminal, else None.

    The callback takes (encounters just finished, fraction of the input read or None).
    """
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    done = [0]

    def update(count: int, fraction: float | None = None) -> None:
        done[0] += count
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = done[0] / elapsed
        eta = ""
        if total_hint and rate:
            eta = f", {100 * done[0] / total_hint:.0f}%, ETA {max(total_hint - done[0], 0) / rate:.0f} s"
        elif fraction:
            eta = f", {100 * fraction:.0f}%, ETA {elapsed * (1 - fraction) / fraction:.0f} s"
        sys.stderr.write(f"\r{done[0]:,} encounters, {rate:.1f}/s{eta}   ")
        sys.stderr.flush()

    return update


class _StopSignals:
    """While active, SIGTERM (like SIGINT) becomes KeyboardInterrupt, so that the audit unwinds,
    stops its workers and keeps its finished chunks; a second signal during that cleanup exits
    at once.

    The handler raises wherever the main thread is. Raised inside a finalizer (``__del__``, a
    weakref callback or a generator closed by the garbage collector), Python swallows the
    KeyboardInterrupt and prints "Exception ignored in ..." with a traceback: the audit would
    then run to the end and exit 0. So that message is silenced for a stop signal, and
    :meth:`between_chunks` raises again at the next chunk: a stop is never lost.
    """

    def __init__(self) -> None:
        self.received: list[int] = []
        self._previous_handlers: dict[int, Any] = {}
        self._previous_hook: Callable[[Any], Any] | None = None

    def _stop(self, signum: int, frame: object) -> None:
        if self.received:  # already stopping: no second traceback, no waiting
            os._exit(128 + signum)
        self.received.append(signum)
        raise KeyboardInterrupt

    def _unraisable(self, unraisable: Any) -> None:
        if self.received and issubclass(unraisable.exc_type, KeyboardInterrupt):
            return  # our own stop, raised in a finalizer: between_chunks raises it again
        assert self._previous_hook is not None
        self._previous_hook(unraisable)

    def __enter__(self) -> _StopSignals:
        if threading.current_thread() is threading.main_thread():  # only it may set handlers
            self._previous_handlers = {number: signal.signal(number, self._stop)
                                       for number in (signal.SIGINT, signal.SIGTERM)}
            self._previous_hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return self

    def __exit__(self, *exc_info: object) -> None:
        for number, handler in self._previous_handlers.items():
            signal.signal(number, handler)
        if self._previous_hook is not None:
            sys.unraisablehook = self._previous_hook

    def between_chunks(self, progress: Callable[..., None] | None) -> Callable[..., None]:
        """A progress callback that first raises KeyboardInterrupt if a stop signal has come."""
        def update(count: int, fraction: float | None = None) -> None:
            if self.received:
                raise KeyboardInterrupt
            if progress is not None:
                progress(count, fraction)

        return update


def command_audit(args: argparse.Namespace) -> int:
    from chartaudit.batch import AuditJob, ColumnMap, WorkerDied, run_audit
    from chartaudit.batch.runner import input_rows, usable_cores
    from chartaudit.formats import FormatError

    if args.workers < 0 or args.chunk_size < 1:
        raise UsageError("--workers must be >= 0 and --chunk-size >= 1")
    policies = tuple(str(Path(p)) for p in (args.policy or []))
    _policies(policies)  # fail early, in one line, on a bad policy file
    columns = ColumnMap(id=args.id_col, note=args.note_col, dx=args.dx_col, px=args.px_col,
                        setting=args.setting_col, note_path=args.note_path_col)
    cores = usable_cores()
    workers = args.workers or cores
    if workers > cores and not (args.engine == "dask" and args.scheduler):
        sys.stderr.write(f"chartaudit: notice: --workers {workers} is more than the {cores} usable cores: "
                         f"using {cores}\n")
        workers = cores
    job = AuditJob(input=Path(args.input), output=Path(args.out), columns=columns, policies=policies,
                   model=args.model, workers=workers, chunk_size=args.chunk_size,
                   summary=Path(args.summary) if args.summary else None, resume=args.resume,
                   engine=args.engine, scheduler=args.scheduler,
                   note_root=Path(args.note_root) if args.note_root else None)
    stop = _StopSignals()
    try:
        with stop:
            total = input_rows(job.input) if job.input.exists() else None
            summary = run_audit(job, progress=stop.between_chunks(_progress_bar(total)))
    except FormatError as error:  # an unusable input, output or option (BatchInputError included)
        raise UsageError(str(error)) from None
    except WorkerDied as error:
        sys.stderr.write(f"chartaudit: error: {error}\n")
        return 1
    except KeyboardInterrupt:
        number = stop.received[0] if stop.received else signal.SIGINT
        kept = (f"; finished chunks are kept in {job.work_dir}: rerun with --resume to continue"
                if job.work_dir.is_dir() else "")
        end_of_progress = "\n" if sys.stderr.isatty() else ""
        sys.stderr.write(f"{end_of_progress}chartaudit: interrupted by {signal.Signals(number).name}{kept}\n")
        return 128 + number
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for line in summary.lines():
        sys.stderr.write(line + "\n")
    return EXIT_OK


# -- evaluate ---------------------------------------------------------------------


def command_evaluate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{args.file}: no such file")
    from chartaudit.checker import Checker
    from chartaudit.evaluation import EVALUATION_FORMATS, detect_format, evaluate

    kind = args.format if args.format != "auto" else detect_format(path)
    if kind not in EVALUATION_FORMATS:
        raise UsageError(f"{args.file}: cannot tell its format; give --format "
                         + " or ".join(sorted(EVALUATION_FORMATS)))
    options = {"limit": args.limit} if args.limit else {}
    report = evaluate(kind, path, Checker(model=args.model), **options)
    if args.half:
        if not hasattr(report, "select"):
            raise UsageError(f"--half is supported for NegEx files only, not {kind}")
        parity = 0 if args.half == "even" else 1
        report = report.select(lambda row: row.index % 2 == parity)
    sys.stdout.write(report.table() + "\n")
    if args.flags:
        if not hasattr(report, "flag_lines"):
            raise UsageError(f"--flags is supported for CodiEsp files only, not {kind}")
        for split in sorted({document.split for document in report.documents}):
            sys.stdout.write("\n" + "\n".join(report.flag_lines(args.flags, args.flag_type or (), split)) + "\n")
    if args.errors:
        sys.stdout.write("\n".join(report.error_lines(args.errors)) + "\n")
    return EXIT_OK


# -- build-model ------------------------------------------------------------------


MODEL_HELP = "model directory or built model artifact (default: models/default)"


def _model_argument(value: str) -> str:
    """argparse type of ``--model``: an existing model directory or artifact (checked cheaply)."""
    from chartaudit.model import REQUIRED_FILES, is_artifact

    path = Path(value)
    if path.is_dir():
        if not any((path / name).is_file() for name in REQUIRED_FILES):
            raise argparse.ArgumentTypeError(f"{value}: not a model directory (no {' or '.join(REQUIRED_FILES)})")
        return value
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{value}: no such model directory or artifact")
    if not is_artifact(path):
        raise argparse.ArgumentTypeError(f"{value}: not a model directory or a built model artifact")
    return value


def command_build_model(args: argparse.Namespace) -> int:
    """Validate a model directory and compile it into one artifact; exit 2 on the first problem."""
    from chartaudit.model import build_model

    source = Path(args.source)
    if not source.is_dir():
        raise UsageError(f"{args.source}: not a model directory")
    try:
        report = build_model(source, Path(args.output))
    except ModelError as error:
        raise UsageError(str(error)) from None
    for warning in report.warnings:
        sys.stderr.write(f"chartaudit: warning: {warning}\n")
    info = report.info
    sys.stdout.write(f"{report.artifact}: {info.name} {info.version}, {len(info.files)} files, "
                     f"{report.size_bytes:,} bytes, content {info.content_hash[:12]} "
                     f"(validated and built in {report.seconds:.2f} s)\n")
    return EXIT_OK


# -- lookup -----------------------------------------------------------------------


def command_lookup(args: argparse.Namespace) -> int:
    """One line per code: code, billable or header, where it was found, description."""
    from chartaudit.extract.lookup import TermLookup

    lookup = TermLookup.load()
    knowledge = lookup.knowledge
    for hit in lookup.search(" ".join(args.query), limit=args.limit):
        billable = "billable" if knowledge.is_billable(hit.code) else "header"
        sys.stdout.write(f"{hit.code:<9} {billable:<9} {hit.source:<13} {hit.description}\n")
    return EXIT_OK


# -- parser -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="chartaudit", description="Check clinical notes against billed ICD-10-CM codes.")
    parser.add_argument("--verbose", "-v", action="store_true", help="log progress (never note text)")
    parser.add_argument("--version", action="version", version=f"chartaudit {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = commands.add_parser("check", help="check one note against its codes")
    check.add_argument("--note", required=True, help="note file, or - for standard input")
    check.add_argument("--dx", required=True, nargs="+", help="diagnosis codes (separated by ; , or spaces)")
    check.add_argument("--px", nargs="*", default=[], help="procedure codes (CPT/HCPCS)")
    check.add_argument("--setting", default="outpatient", type=str.lower, choices=SETTINGS,
                       help="outpatient (default) or inpatient")
    check.add_argument("--policy", action="append", help="coverage policy CSV (may be repeated)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--model", type=_model_argument, help=MODEL_HELP)
    check.set_defaults(handler=command_check)

    audit = commands.add_parser("audit", help="audit a batch of encounters")
    audit.add_argument("input", help="encounters: .csv, .parquet (file or directory), .jsonl or .xlsx")
    audit.add_argument("-o", "--out", required=True,
                       help="findings: .csv, .parquet, .jsonl, .xlsx, or a directory (partitioned Parquet)")
    audit.add_argument("--policy", action="append", help="coverage policy CSV (may be repeated)")
    audit.add_argument("--summary", help="write one row per encounter to this file")
    audit.add_argument("--workers", type=int, default=0,
                       help="worker processes (default, and at most: the usable cores)")
    audit.add_argument("--chunk-size", type=int, default=200, help="encounters per chunk (default: 200)")
    audit.add_argument("--model", type=_model_argument, help=MODEL_HELP)
    audit.add_argument("--id-col", default="encounter_id")
    audit.add_argument("--note-col", default="note_text")
    audit.add_argument("--dx-col", default="dx_codes")
    audit.add_argument("--px-col", default="px_codes")
    audit.add_argument("--setting-col", default="setting")
    audit.add_argument("--note-path-col", default="note_path")
    audit.add_argument("--note-root", help="the folder note_path files must lie in, symlinks followed "
                                           "(default: the input file's folder)")
    audit.add_argument("--resume", action="store_true",
                       help="continue an interrupted run from its finished chunks (OUT.parts/)")
    audit.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="local worker processes (default) or a Dask cluster")
    audit.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    audit.set_defaults(handler=command_audit)

    evaluate = commands.add_parser("evaluate", help="measure the checker on gold data")
    evaluate.add_argument("file", help="gold data: encounters JSONL, NegEx TSV or CodiEsp JSONL")
    evaluate.add_argument("--format", choices=("auto", "encounters", "negex", "codiesp"), default="auto",
                          help="gold data format (default: from the file's extension and first record)")
    evaluate.add_argument("--errors", type=int, default=0, help="list the N worst cases")
    evaluate.add_argument("--limit", type=int, default=0, help="evaluate only the first N records")
    evaluate.add_argument("--flags", type=int, default=0,
                          help="CodiEsp: list the N most frequent (finding type, code) flags on gold codes per split, "
                               "with what each names and the note's words")
    evaluate.add_argument("--flag-type", action="append", metavar="TYPE",
                          help="with --flags: only this finding type (repeatable)")
    evaluate.add_argument("--half", choices=("even", "odd"),
                          help="NegEx: score only the even or odd data rows (0-based), to check generalisation")
    evaluate.add_argument("--model", type=_model_argument, help=MODEL_HELP)
    evaluate.set_defaults(handler=command_evaluate)

    build = commands.add_parser("build-model", help="validate a model directory and compile it into one artifact")
    build.add_argument("source", help="model directory (such as models/default or an edited copy)")
    build.add_argument("output", help="artifact file to write (such as tuned.chartaudit), or a directory")
    build.set_defaults(handler=command_build_model)

    lookup = commands.add_parser(
        "lookup", help="search ICD-10-CM by code or words (abbreviations, lexicon, Alphabetic Index and titles)")
    lookup.add_argument("query", nargs="+")
    lookup.add_argument("--limit", type=int, default=15)
    lookup.set_defaults(handler=command_lookup)
    return parser


def _exit_at_once(code: int) -> None:
    """End the program now, its standard streams and log handlers flushed, without tearing the
    interpreter down: that frees the model's millions of objects one by one (~1.3 s after an
    audit of MTSamples), work nobody waits for once the outputs are closed."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, or a stream already closed
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status. Called as the program (``argv`` None), a finished local
    audit ends the process at once (:func:`_exit_at_once`): its outputs are closed by then."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            raise UsageError("a command is required: check, audit, evaluate, lookup or build-model (see chartaudit --help)")
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                            format="chartaudit: %(levelname)s: %(message)s")
        code = args.handler(args)
        if argv is None and args.handler is command_audit and code == EXIT_OK and args.engine != "dask":
            _exit_at_once(code)
        return code
    except UsageError as error:
        sys.stderr.write(f"chartaudit: error: {error}\n")
        return EXIT_USAGE
    except ModelError as error:  # a damaged model artifact found while loading it
        sys.stderr.write(f"chartaudit: error: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("chartaudit: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
