"""Benchmark: how fast chartaudit starts when it needs no pipeline.

Goals (issue 12): ``python -X importtime -c "import chartaudit"`` under 0.3 s and
``chartaudit --help`` under 0.5 s from process start, medians of 5 interleaved rounds.
Also times ``chartaudit lookup`` and lists the heavy packages (spaCy, pandas,
Streamlit) each command imported: none should be. Prints the figures, asserts nothing.

    .venv/bin/python benchmarks/bench_startup.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
HEAVY = ("spacy", "pandas", "streamlit", "pyarrow", "sklearn")
logger = logging.getLogger("bench_startup")

#: (label, code run with ``python -c``): each prints the heavy packages it imported.
COMMANDS = {
    "import chartaudit": "import chartaudit",
    "chartaudit --help": "from chartaudit.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    "chartaudit lookup": "from chartaudit.cli import main\nmain(['lookup', 'shoulder pain'])",
}
REPORT = "\nimport sys\nprint('HEAVY:' + ','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)"


def run(code: str, importtime: bool = False) -> tuple[float, str]:
    """(wall seconds from process start, stderr) of ``python [-X importtime] -c code``."""
    arguments = [PYTHON, *(["-X", "importtime"] if importtime else []), "-c", code + REPORT.format(heavy=HEAVY)]
    started = time.perf_counter()
    completed = subprocess.run(arguments, capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - started, completed.stderr


def cumulative_import(stderr: str, module: str = "chartaudit") -> float:
    """Seconds ``-X importtime`` reports for importing ``module`` and everything it imports."""
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)$", line)
        if match and match.group(2) == module:
            return int(match.group(1)) / 1e6
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    walls: dict[str, list[float]] = {label: [] for label in COMMANDS}
    imports: list[float] = []
    heavy: dict[str, str] = {}
    for _ in range(args.rounds):  # interleaved: each round runs every command once
        for label, code in COMMANDS.items():
            seconds, stderr = run(code, importtime=label == "import chartaudit")
            walls[label].append(seconds)
            heavy[label] = next((line[6:] for line in stderr.splitlines() if line.startswith("HEAVY:")), "?")
            if label == "import chartaudit":
                imports.append(cumulative_import(stderr))
    goals = {"import chartaudit": 0.3, "chartaudit --help": 0.5}
    logger.info("%d rounds, medians (range), from process start:", args.rounds)
    logger.info("  -X importtime, cumulative for chartaudit: %.3f s (%.3f-%.3f)",
                statistics.median(imports), min(imports), max(imports))
    for label, values in walls.items():
        goal = f"   goal < {goals[label]} s" if label in goals else ""
        logger.info("  %-20s %.3f s (%.3f-%.3f)%s; heavy packages imported: %s", label, statistics.median(values),
                    min(values), max(values), goal, heavy[label] or "none")


if __name__ == "__main__":
    main()
