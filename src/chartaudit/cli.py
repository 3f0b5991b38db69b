"""The ``chartaudit`` command: check, audit, evaluate, lookup.

Usage::

    chartaudit check --note visit.txt --dx "R07.9, M25.511"
    chartaudit audit claims.csv --out findings.csv --policy data/samples/demo_policy.csv
    chartaudit evaluate data/samples/encounters.jsonl
    chartaudit lookup "shoulder pain"
    chartaudit build-model models/default dist/default.chartaudit

Exit status: 0 on success whatever is found; 2 on bad usage or unreadable input,
with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Sequence

from chartaudit import __version__
from chartaudit.model import ModelError

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


def _format_text(result) -> str:
    lines = [f"Setting: {result.setting}"]
    lines.append("")
    lines.append("Billed diagnosis codes")
    width = max((len(c.code) for c in result.codes), default=7)
    for code in result.codes:
        status = code.status.replace("_", " ")
        billable = "" if code.billable or code.status == "invalid" else " (not billable)"
        lines.append(f"  {code.code:<{width}}  {status:<20} {code.description[:60]}{billable}")
        for evidence in code.evidence[:3]:
            section = f" [{evidence.section.replace('_', ' ')}]" if evidence.section else ""
            lines.append(f"  {'':<{width}}    \"{' '.join(evidence.text.split())}\" "
                         f"({evidence.assertion}{', fuzzy match' if evidence.source == 'fuzzy' else ''}){section}")
    if result.procedures:
        lines.append("")
        lines.append("Procedures")
        for procedure in result.procedures:
            policies = f" ({', '.join(procedure.policy_ids)})" if procedure.policy_ids else ""
            lines.append(f"  {procedure.code:<{width}}  {procedure.status.replace('_', ' ')}{policies}")
    lines.append("")
    if not result.findings:
        lines.append("No findings: the note supports every billed code.")
    else:
        lines.append(f"Findings ({len(result.findings)})")
        for finding in result.findings:
            code = f" {finding.code}" if finding.code else ""
            related = f" -> {finding.related_code}" if finding.related_code else ""
            lines.append(f"  [{finding.severity}] {finding.type}{code}{related}")
            lines.append(f"    {finding.message}")
            if finding.suggestion:
                lines.append(f"    Suggestion: {finding.suggestion}")
            if finding.guideline:
                lines.append(f"    Guideline: {finding.guideline}")
    return "\n".join(lines)


def command_check(args: argparse.Namespace) -> int:
    note = _read_note(args.note)
    policies = _policies(args.policy)
    from chartaudit.checker import Checker

    checker = Checker(model=args.model)
    result = checker.check(note, dx=" ".join(args.dx), px=" ".join(args.px or []), setting=args.setting,
                           policies=[policies] if policies else None)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_format_text(result) + "\n")
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


def command_audit(args: argparse.Namespace) -> int:
    from chartaudit.batch import AuditJob, BatchInputError, ColumnMap, run_audit
    from chartaudit.batch.io import input_rows
    from chartaudit.batch.runner import WorkerDied

    if args.workers < 0 or args.chunk_size < 1:
        raise UsageError("--workers must be >= 0 and --chunk-size >= 1")
    policies = tuple(str(Path(p)) for p in (args.policy or []))
    _policies(policies)  # fail early, in one line, on a bad policy file
    columns = ColumnMap(id=args.id_col, note=args.note_col, dx=args.dx_col, px=args.px_col,
                        setting=args.setting_col, note_path=args.note_path_col)
    job = AuditJob(input=Path(args.input), output=Path(args.out), columns=columns, policies=policies,
                   model=args.model, workers=args.workers or _default_workers(), chunk_size=args.chunk_size,
                   summary=Path(args.summary) if args.summary else None, resume=args.resume,
                   engine=args.engine, scheduler=args.scheduler)
    try:
        total = input_rows(job.input) if job.input.exists() else None
        summary = run_audit(job, progress=_progress_bar(total))
    except BatchInputError as error:
        raise UsageError(str(error)) from None
    except WorkerDied as error:
        sys.stderr.write(f"chartaudit: error: {error}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"\nchartaudit: finished chunks are kept in {job.work_dir}; "
                         "rerun with --resume to continue\n")
        raise
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for line in summary.lines():
        sys.stderr.write(line + "\n")
    return EXIT_OK


def _default_workers() -> int:
    import os

    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


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
    from chartaudit.knowledge import Icd10cm

    knowledge = Icd10cm.load()
    query = " ".join(args.query)
    for code, description in knowledge.search(query, limit=args.limit):
        billable = "billable" if knowledge.is_billable(code) else "header"
        sys.stdout.write(f"{code:<9} {billable:<9} {description}\n")
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
    check.add_argument("--setting", default="outpatient", help="outpatient (default) or inpatient")
    check.add_argument("--policy", action="append", help="coverage policy CSV (may be repeated)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--model", type=_model_argument, help=MODEL_HELP)
    check.set_defaults(handler=command_check)

    audit = commands.add_parser("audit", help="audit a batch of encounters")
    audit.add_argument("input", help="encounters: .csv, .parquet (file or directory) or .jsonl")
    audit.add_argument("-o", "--out", required=True,
                       help="findings: .csv, .parquet, .jsonl, .xlsx, or a directory (partitioned Parquet)")
    audit.add_argument("--policy", action="append", help="coverage policy CSV (may be repeated)")
    audit.add_argument("--summary", help="write one row per encounter to this file")
    audit.add_argument("--workers", type=int, default=0, help="worker processes (default: all cores)")
    audit.add_argument("--chunk-size", type=int, default=200, help="encounters per chunk (default: 200)")
    audit.add_argument("--model", type=_model_argument, help=MODEL_HELP)
    audit.add_argument("--id-col", default="encounter_id")
    audit.add_argument("--note-col", default="note_text")
    audit.add_argument("--dx-col", default="dx_codes")
    audit.add_argument("--px-col", default="px_codes")
    audit.add_argument("--setting-col", default="setting")
    audit.add_argument("--note-path-col", default="note_path")
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
    evaluate.add_argument("--half", choices=("even", "odd"),
                          help="NegEx: score only the even or odd data rows (0-based), to check generalisation")
    evaluate.add_argument("--model", type=_model_argument, help=MODEL_HELP)
    evaluate.set_defaults(handler=command_evaluate)

    build = commands.add_parser("build-model", help="validate a model directory and compile it into one artifact")
    build.add_argument("source", help="model directory (such as models/default or an edited copy)")
    build.add_argument("output", help="artifact file to write (such as tuned.chartaudit), or a directory")
    build.set_defaults(handler=command_build_model)

    lookup = commands.add_parser("lookup", help="search ICD-10-CM by code or words")
    lookup.add_argument("query", nargs="+")
    lookup.add_argument("--limit", type=int, default=15)
    lookup.set_defaults(handler=command_lookup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            raise UsageError("a command is required: check, audit, evaluate, lookup or build-model (see chartaudit --help)")
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                            format="chartaudit: %(levelname)s: %(message)s")
        return args.handler(args)
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
