"""Write the tuning notebooks (outputs stripped) from the cells below.

Edit the cells here, not the ``.ipynb`` files, then run::

    .venv/bin/python notebooks/make_notebooks.py

Usage::

    python notebooks/make_notebooks.py            # rewrites 01_tune_extractor.ipynb, 02_audit_analysis.ipynb
    python notebooks/make_notebooks.py --check    # exit 1 when the committed notebooks differ
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
import os
import sys
import tempfile
from pathlib import Path


def find_repository_root(start: Path) -> Path:
    """The chartaudit checkout holding ``start``: the first folder up with pyproject.toml and models/."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "models" / "default").is_dir():
            return folder
    raise FileNotFoundError("Run this notebook inside the chartaudit repository (or its notebooks/ folder).")


ROOT = find_repository_root(Path.cwd().resolve())
SAMPLES = ROOT / "data" / "samples"
# Public evaluation data lives beside the project, never in it, and is used only when present.
SHARED = Path(os.environ.get("CHARTAUDIT_SHARED_DATA") or ROOT.parent / "shared" / "data")
SHARED = SHARED if SHARED.is_dir() else None
# Everything this notebook writes goes here, never into the repository.
OUT = Path(os.environ.get("CHARTAUDIT_NOTEBOOK_OUT") or tempfile.mkdtemp(prefix="chartaudit-notebook-"))
OUT.mkdir(parents=True, exist_ok=True)
print("repository:", ROOT.name, "| public data:", "present" if SHARED else "absent", "| output folder:", OUT)'''

TUNE_CELLS: list[tuple[str, str]] = [
    ("markdown", """\
# Tune the extractor

The checker reads a note with rules and a lexicon that live as data in a *model
directory* (`models/default/`, described in `models/README.md`). This notebook

1. loads the synthetic samples (and, when it is there, the public data in `../shared/data`),
2. evaluates the checker,
3. shows its errors with the note highlighted,
4. adds a term and a ConText rule to a **copy** of the model,
5. re-evaluates, and saves the copy as a versioned, built model artifact that
   `Checker(model=...)` and `chartaudit ... --model` load.

It never changes `models/default`; to change the default model, edit its files, add a
line under "Unreleased" in `models/default/CHANGELOG.md` and run `make test`."""),
    ("code", SETUP + '''

# Records taken from each public data set (kept small so that the notebook runs in CI).
PUBLIC_LIMIT = int(os.environ.get("CHARTAUDIT_NOTEBOOK_LIMIT", "25"))'''),
    ("code", '''\
import importlib.util
import json

import pandas as pd
from IPython.display import HTML, Markdown, display

from chartaudit import Checker
from chartaudit.evaluation import EVALUATION_FORMATS, evaluate
from chartaudit.model import model_info

DEFAULT_MODEL = ROOT / "models" / "default"
checker = Checker(model=DEFAULT_MODEL)
base_info = model_info(DEFAULT_MODEL)
print(f"model {base_info.name} {base_info.version} (content {base_info.content_hash[:12]})")'''),
    ("markdown", "## 1. The data\n\n`data/samples/encounters.jsonl`: synthetic encounters with the findings a reviewer expects."),
    ("code", '''\
SAMPLE_FILE = SAMPLES / "encounters.jsonl"
encounters = [json.loads(line) for line in SAMPLE_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
sample_table = pd.DataFrame(
    {
        "encounter_id": [e["encounter_id"] for e in encounters],
        "setting": [e.get("setting") for e in encounters],
        "dx_codes": [", ".join(e.get("dx_codes") or []) for e in encounters],
        "expected": [", ".join(sorted({item["type"] for item in e.get("expected", [])})) or "(clean)" for e in encounters],
    }
)
print(len(sample_table), "encounters")
sample_table.head(8)'''),
    ("markdown", "## 2. Evaluate\n\nPrecision and recall per finding type on the samples."),
    ("code", '''\
def totals(report) -> dict[str, int]:
    """True positives, false positives and false negatives over all finding types."""
    counts = report.counts.values()
    return {
        "tp": sum(c.true_positive for c in counts),
        "fp": sum(c.false_positive for c in counts),
        "fn": sum(c.false_negative for c in counts),
    }


base_report = evaluate("encounters", SAMPLE_FILE, checker)
print(base_report.table())
base_totals = totals(base_report)
assert base_report.encounters == len(encounters)'''),
    ("markdown", """\
When `../shared/data` is present, the public sets are evaluated too (first
`PUBLIC_LIMIT` records; set `CHARTAUDIT_NOTEBOOK_LIMIT=0` for all of them). Each is
skipped when its file or its evaluator is missing."""),
    ("code", '''\
PUBLIC_SETS = {"negex": "negex_dev.tsv", "codiesp": "codiesp_en_traindev.jsonl"}


def evaluator_present(kind: str) -> bool:
    module_name = EVALUATION_FORMATS.get(kind, ":").split(":")[0]
    return bool(module_name) and importlib.util.find_spec(module_name) is not None


public_reports = {}
for kind, file_name in PUBLIC_SETS.items():
    path = SHARED / file_name if SHARED else None
    if path is None or not path.is_file():
        print(f"{kind}: {file_name} is not in ../shared/data, skipped")
    elif not evaluator_present(kind):
        print(f"{kind}: no evaluator in this version of chartaudit, skipped")
    else:
        public_reports[kind] = evaluate(kind, path, checker, limit=PUBLIC_LIMIT)
        print(f"== {kind} ({file_name}, first {PUBLIC_LIMIT or 'all'} records)")
        print(public_reports[kind].table())'''),
    ("markdown", """\
The CodiEsp table (case reports whose gold codes a professional coder assigned) ends with
two tables that say where to work next: the **gold codes not supported, by cause** (no
term found, documented only as negated, past, in a relative, uncertain, or on another
side) and the **flags on gold codes** by finding type, from which the false-alarm rate
above (documents with any flag on a correctly coded claim) is counted. As a frame:"""),
    ("code", '''\
if "codiesp" in public_reports:
    import pandas as pd

    overall = public_reports["codiesp"].overall
    causes = pd.DataFrame({"missed gold codes": pd.Series(overall.miss_causes, dtype="int64")})
    causes = causes.sort_values("missed gold codes", ascending=False)
    causes["share of gold codes"] = (causes["missed gold codes"] / max(overall.gold, 1)).round(3)
    display(causes)'''),
    ("markdown", """\
## 3. Look at the errors

Each encounter where the checker and the expected findings disagree, with the note
highlighted: green supports a billed code, red is evidence behind a finding, yellow is
documented but not billed; struck-through text is negated. Hover a highlight for its
codes, assertion and section."""),
    ("code", '''\
from chartaudit.report import html as render

by_id = {e["encounter_id"]: e for e in encounters}


def check_encounter(active_checker: Checker, encounter: dict):
    policies = [str(SAMPLES / name) for name in encounter.get("policy_files", [])]
    return active_checker.check(encounter.get("note_text") or "", dx=encounter.get("dx_codes", []),
                                px=encounter.get("px_codes", []), setting=encounter.get("setting", "outpatient"),
                                policies=policies)


legend = render.legend_html()
worst = sorted(base_report.errors, key=lambda error: -(len(error.missed) + len(error.extra)))[:5]
print(len(base_report.errors), "encounters with errors;", len(worst), "shown")
for error in worst:
    encounter = by_id[error.encounter_id]
    result = check_encounter(checker, encounter)
    missed = "; ".join(f"{m['type']} {m.get('code') or ''}" for m in error.missed) or "none"
    extra = "; ".join(f"{m['type']} {m.get('code') or ''}" for m in error.extra) or "none"
    display(Markdown(f"**{error.encounter_id}** ({encounter.get('description', '')}): "
                     f"billed {', '.join(encounter.get('dx_codes') or [])} | missed: {missed} | extra: {extra}"))
    display(HTML(legend + render.highlight_note(encounter.get("note_text") or "", result)))'''),
    ("markdown", """\
## 4. Tune: a term the model does not know

A colloquial complaint the lexicon lacks leaves its billed code unsupported. (The
first phrase of the list that the current model misses is used, so the demonstration
keeps working as the default lexicon grows.)"""),
    ("code", '''\
CODE = "R10.9"  # Unspecified abdominal pain
CONCEPT = "Abdominal pain"
CANDIDATE_PHRASES = ["tummy ache", "sore tummy", "bellyache", "tummy pains"]


def tuning_note(phrase: str) -> str:
    return (f"CC: {phrase} x 2 days.\\nHPI: 9 y/o with {phrase} since Sunday, eating less. No fever.\\n"
            f"Assessment: {phrase}, likely viral. Plan: fluids, return if worse.")


def code_status(active_checker: Checker, phrase: str) -> str:
    result = active_checker.check(tuning_note(phrase), dx=[CODE])
    return next(code.status for code in result.codes if code.code == CODE)


phrase = next((p for p in CANDIDATE_PHRASES if code_status(checker, p) == "unsupported"), None)
assert phrase is not None, "the default model already knows every candidate phrase: add a new one to the list"
before = checker.check(tuning_note(phrase), dx=[CODE])
print(f"{phrase!r} with {CODE} billed:", [f"{f.type} {f.code}" for f in before.findings])
display(HTML(render.highlight_note(tuning_note(phrase), before)))'''),
    ("markdown", """\
Quick trial without touching any file: `add_terms` extends one checker's lexicon at
run time."""),
    ("code", '''\
trial = Checker(model=DEFAULT_MODEL)
trial.add_terms({phrase: CODE})
print("run-time term:", code_status(trial, phrase))
assert code_status(trial, phrase) == "supported"
assert code_status(checker, phrase) == "unsupported"  # other checkers are not affected'''),
    ("markdown", """\
And a ConText rule: a negation cue the rules lack (again the first candidate the
current model misses; skipped when it knows them all)."""),
    ("code", '''\
CUE_CANDIDATES = ["not complaining of", "is spared from", "is without complaint of"]


def negated(active_checker: Checker, cue: str) -> bool:
    mentions = active_checker.extract(f"HPI: Patient {cue} chest pain today.")
    return any(m.negated for m in mentions if "chest pain" in m.text.lower())


cue = next((c for c in CUE_CANDIDATES if not negated(checker, c)), None)
print("negation cue to add:", cue)'''),
    ("markdown", """\
## 5. Save the change in a copy of the model

Copy the model, add the lexicon row (and the rule), give the copy a new version with a
changelog line, then validate and build it with `build_model` (what `chartaudit
build-model SRC OUT` runs)."""),
    ("code", '''\
from chartaudit.model import (
    add_context_rules,
    add_lexicon_terms,
    build_model,
    copy_model,
    set_model_version,
)

work = copy_model(DEFAULT_MODEL, OUT / "tuned_model", overwrite=True)
add_lexicon_terms(work, [(phrase, CODE, CONCEPT)])
changes = [f"Lexicon: {phrase!r} -> {CODE}."]
if cue:
    add_context_rules(work, [{"literal": cue, "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}])
    changes.append(f"ConText: negation cue {cue!r}.")
major, minor, patch = (int(part) for part in base_info.version.split(".")[:3])
new_version = f"{major}.{minor + 1}.0"
set_model_version(work, new_version, " ".join(changes), name="chartaudit_tuned")

build = build_model(work, OUT / "tuned.chartaudit")
print(f"{build.artifact.name}: {build.info.name} {build.info.version}, {build.size_bytes:,} bytes, "
      f"content {build.info.content_hash[:12]}")
for warning in build.warnings:
    print("warning:", warning)
changelog = (work / "CHANGELOG.md").read_text(encoding="utf-8")
print(changelog[changelog.index(f"## {new_version}"):][:400])'''),
    ("markdown", "## 6. Load the built model and re-evaluate"),
    ("code", '''\
tuned = Checker(model=build.artifact)
after = tuned.check(tuning_note(phrase), dx=[CODE])
print(f"{phrase!r} with {CODE} billed, tuned model:", [f"{f.type} {f.code}" for f in after.findings] or "no findings")
display(HTML(render.highlight_note(tuning_note(phrase), after)))
assert code_status(tuned, phrase) == "supported", "the new lexicon term did not change the answer"
if cue:
    assert negated(tuned, cue), "the new ConText rule did not negate the mention"

tuned_report = evaluate("encounters", SAMPLE_FILE, tuned)
tuned_totals = totals(tuned_report)
pd.DataFrame({"default": base_totals, "tuned": tuned_totals})'''),
    ("code", '''\
# The tuned model must not lose what the default model found.
assert tuned_totals["tp"] >= base_totals["tp"], (base_totals, tuned_totals)'''),
    ("markdown", """\
The next run (a new process) loads the saved artifact with `--model`, like any other
`chartaudit` command:"""),
    ("code", '''\
import subprocess

note_file = OUT / "tuning_note.txt"
note_file.write_text(tuning_note(phrase), encoding="utf-8")
command = [sys.executable, "-m", "chartaudit.cli", "check", "--note", str(note_file), "--dx", CODE,
           "--model", str(build.artifact), "--format", "json"]
completed = subprocess.run(command, capture_output=True, text=True, check=False)
assert completed.returncode == 0, completed.stderr
statuses = {code["code"]: code["status"] for code in json.loads(completed.stdout)["codes"]}
print("chartaudit check --model", build.artifact.name, "->", statuses)
assert statuses[CODE] == "supported"'''),
    ("markdown", """\
To make a change part of the default model, edit `models/default/` itself (the same
files), add a line under "Unreleased" in `models/default/CHANGELOG.md`, and run
`make test`. To ship a tuned model, keep its directory under version control and hand
out the artifact `chartaudit build-model` writes."""),
]

AUDIT_CELLS: list[tuple[str, str]] = [
    ("markdown", """\
# Audit analysis

Run a batch audit on the synthetic samples (or set `CHARTAUDIT_FINDINGS` to an
existing audit's findings file, and `CHARTAUDIT_SUMMARY` to its `--summary` file),
load the output with pandas and chart it with matplotlib. The charts are images drawn in
the kernel and saved in the notebook: opening it fetches nothing from anywhere."""),
    ("code", SETUP),
    ("code", '''\
import subprocess

%matplotlib inline
import matplotlib.pyplot as plt
import pandas as pd

# Static images (PNG) drawn here: no JavaScript library is loaded from a CDN to show them.
# (The inline backend is named: a kernel started by a process that imported Streamlit
# inherits MPLBACKEND=Agg, which would draw nothing.)
plt.rcParams.update({"figure.dpi": 100, "axes.spines.top": False, "axes.spines.right": False})


def bar_chart(counts: pd.Series, title: str, colors: list[str] | None = None) -> None:
    """Horizontal bars, largest at the top, each labelled with its count."""
    counts = counts.sort_values()
    figure, axes = plt.subplots(figsize=(7, 0.35 * len(counts) + 1.0))
    bars = axes.barh([str(label) for label in counts.index], counts.to_numpy(), color=colors or "#4c78a8")
    axes.bar_label(bars, padding=3)
    axes.set_title(title, loc="left")
    axes.set_xlabel(counts.name or "")
    plt.show()

FINDINGS = Path(os.environ["CHARTAUDIT_FINDINGS"]) if os.environ.get("CHARTAUDIT_FINDINGS") else None
SUMMARY = Path(os.environ["CHARTAUDIT_SUMMARY"]) if os.environ.get("CHARTAUDIT_SUMMARY") else None
if FINDINGS is None:
    FINDINGS, SUMMARY = OUT / "findings.parquet", OUT / "summary.parquet"
    command = [sys.executable, "-m", "chartaudit.cli", "audit", str(SAMPLES / "encounters.jsonl"),
               "--out", str(FINDINGS), "--summary", str(SUMMARY), "--workers", "1",
               "--policy", str(SAMPLES / "demo_policy.csv")]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    print(completed.stderr.strip())'''),
    ("code", '''\
def read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if suffix in (".jsonl", ".ndjson"):
        return pd.read_json(path, lines=True, dtype=False)
    if suffix == ".xlsx":
        return pd.read_excel(path, dtype=str)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


findings = read_table(FINDINGS)
print(f"{len(findings):,} findings in {findings['encounter_id'].nunique():,} encounters")
findings.head()'''),
    ("markdown", "## Clean encounters and those that need review"),
    ("code", '''\
REVIEW_SEVERITIES = {"error", "warning"}

if SUMMARY is not None and SUMMARY.is_file() and "status" in read_table(SUMMARY).columns:
    encounters = read_table(SUMMARY)[["encounter_id", "status"]]
else:  # derive the status from the findings (encounters without findings are not in them)
    def status_of(group: pd.DataFrame) -> str:
        if (group["type"] == "input_error").any():
            return "input_error"
        return "needs_review" if group["severity"].isin(REVIEW_SEVERITIES).any() else "clean"

    encounters = findings.groupby("encounter_id").apply(status_of).rename("status").reset_index()

status_counts = encounters["status"].value_counts().rename_axis("status").reset_index(name="encounters")
assert status_counts["encounters"].sum() == len(encounters)
assert set(findings["encounter_id"]) <= set(encounters["encounter_id"])
status_counts'''),
    ("code", '''\
STATUS_COLORS = {"clean": "#2b8a3e", "needs_review": "#e67700", "input_error": "#868e96"}
by_status = status_counts.set_index("status")["encounters"].sort_values()
bar_chart(by_status, "Encounters by status", [STATUS_COLORS.get(status, "#4c78a8") for status in by_status.index])'''),
    ("markdown", "## Findings by type"),
    ("code", '''\
by_type = pd.crosstab(findings["type"], findings["severity"])
by_type = by_type.loc[by_type.sum(axis=1).sort_values().index]
SEVERITY_COLORS = {"error": "#c92a2a", "warning": "#e67700", "info": "#1971c2"}
axes = by_type.plot.barh(stacked=True, figsize=(7, 0.35 * len(by_type) + 1.0),
                         color=[SEVERITY_COLORS.get(severity, "#868e96") for severity in by_type.columns])
axes.set_title("Findings by type and severity", loc="left")
axes.set_xlabel("findings")
axes.set_ylabel("")
plt.show()'''),
    ("markdown", "## The codes most often billed without support"),
    ("code", '''\
unsupported = findings[findings["type"] == "unsupported_code"]
top_codes = unsupported["code"].value_counts().head(15).rename("findings")
print(f"{len(unsupported):,} unsupported codes, {unsupported['code'].nunique():,} distinct")
if len(top_codes):
    bar_chart(top_codes, "Most often unsupported codes (unsupported_code findings)")'''),
    ("markdown", "## Which findings occur together"),
    ("code", '''\
per_encounter = pd.crosstab(findings["encounter_id"], findings["type"]).clip(upper=1)
co_occurrence = per_encounter.T.dot(per_encounter)
figure, axes = plt.subplots(figsize=(8, 7))
image = axes.imshow(co_occurrence.to_numpy(), cmap="Blues")
axes.set_xticks(range(len(co_occurrence.columns)), co_occurrence.columns, rotation=60, ha="right")
axes.set_yticks(range(len(co_occurrence.index)), co_occurrence.index)
for row, column in ((r, c) for r in range(co_occurrence.shape[0]) for c in range(co_occurrence.shape[1])):
    axes.text(column, row, int(co_occurrence.iat[row, column]), ha="center", va="center", fontsize=7)
figure.colorbar(image, ax=axes, label="encounters")
axes.set_title("Encounters with both finding types", loc="left")
plt.show()'''),
]


def make_notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A notebook of the given (kind, source) cells, without outputs.

    Usage::

        make_notebook([("markdown", "# Title"), ("code", "1 + 1")])
    """
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    for index, (kind, source) in enumerate(cells):
        cell = new_markdown_cell(source) if kind == "markdown" else new_code_cell(source)
        cell["id"] = f"cell-{index:02d}"
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return notebook


NOTEBOOKS = {"01_tune_extractor.ipynb": TUNE_CELLS, "02_audit_analysis.ipynb": AUDIT_CELLS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a notebook file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for name, cells in NOTEBOOKS.items():
        text = nbformat.writes(make_notebook(cells)) + "\n"
        path = HERE / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        sys.stderr.write(f"out of date: {', '.join(stale)}; run python notebooks/make_notebooks.py\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
