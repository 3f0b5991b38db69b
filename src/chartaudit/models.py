"""Model directories and built model artifacts: validate, build, load, copy, edit.

A *model* is what people tune: the files of ``models/default/`` (lexicon,
abbreviations, ConText, section and sentence rules, anatomy, history and
symptom tables, ``meta.json`` with the name and version, ``CHANGELOG.md``).
``build_model`` validates a model directory and compiles it into one file, a
*model artifact* (``*.chartaudit``: gzip'd JSON holding every file of the
directory, the name, version and a content hash). Everything that takes a model
(``Checker(model=...)``, ``Extractor(model_dir=...)``, ``--model``) accepts a
directory or an artifact: :func:`model_directory` turns an artifact into a
content-addressed directory in the cache (unpacked once per content hash), so
the extraction pipeline stays cached per directory.

Usage::

    from chartaudit.models import add_lexicon_terms, build_model, copy_model
    work = copy_model("models/default", "out/my_model")
    add_lexicon_terms(work, {"ticker trouble": "I49.9"})
    report = build_model(work, "out/my_model.chartaudit")
    Checker(model=report.artifact)
"""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from chartaudit.resources import default_model_dir
from chartaudit.resources.artifact import (
    ARTIFACT_FORMAT,
    ARTIFACT_FORMAT_VERSION,
    ARTIFACT_SUFFIX,
    ModelError,
    content_hash,
    is_artifact,
    model_directory,
    model_file_names,
    read_artifact,
    read_model_files,
)

logger = logging.getLogger(__name__)

META_FILE = "meta.json"
LEXICON_FILE = "lexicon.csv"
CHANGELOG_FILE = "CHANGELOG.md"
UNRELEASED_HEADING = "## Unreleased"

#: The files a model directory may hold and what each is for (``models/README.md`` has the schemas).
MODEL_FILES: dict[str, str] = {
    META_FILE: "name, version, description, per-component settings",
    LEXICON_FILE: "phrase -> ICD-10-CM code or concept",
    "abbreviations.json": "tokenizer special cases and short form -> lexicon phrase",
    "context_rules.json": "medSpaCy ConText rules (negation, uncertainty, history, family, hypothetical)",
    "temporality_rules.json": "NegEx temporality: ConText rules, sections and chronic conditions (onset over ~2 weeks ago)",
    "section_rules.json": "section header rules",
    "sentence_rules.json": "sentence splitter rules",
    "anatomy.json": "side words and body sites",
    "history_codes.json": "personal- and family-history Z codes per condition",
    "symptom_integral.json": "symptoms integral to a diagnosis (guideline I.B.5)",
    CHANGELOG_FILE: "what changed in each version",
}
#: Files that must be present for a directory to count as a model.
REQUIRED_FILES: tuple[str, ...] = (META_FILE, LEXICON_FILE)

_VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.-]+)?$")
_CONTEXT_DIRECTIONS = frozenset({"FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"})


@dataclass
class ModelInfo:
    """What a model is: name, version, content hash and files.

    Usage::

        info = model_info("models/default"); info.version
    """

    name: str
    version: str
    description: str
    content_hash: str
    files: list[str]
    source: str
    kind: str  # "directory" or "artifact"


@dataclass
class BuildReport:
    """The result of :func:`build_model`.

    Usage::

        report = build_model(src, out); report.artifact, report.seconds
    """

    artifact: Path
    info: ModelInfo
    warnings: list[str] = field(default_factory=list)
    size_bytes: int = 0
    seconds: float = 0.0


# -- reading a model directory --------------------------------------------------------


#: File endings that must be UTF-8 text (they are validated); other files are carried as bytes.
TEXT_SUFFIXES: tuple[str, ...] = (".json", ".csv", ".tsv", ".md", ".txt")


def _text_files(model_dir: Path, files: Mapping[str, bytes]) -> dict[str, str]:
    """The text files of a model (by ending), decoded; a file that is not UTF-8 is a problem."""
    texts: dict[str, str] = {}
    for name, data in files.items():
        if not name.lower().endswith(TEXT_SUFFIXES):
            continue
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ModelError([f"{model_dir / name}: line {line}: not UTF-8 text"]) from None
    return texts


# -- validation ----------------------------------------------------------------------


def _line_of(text: str, value: Any) -> int | None:
    """The line of ``text`` where ``value`` (JSON-encoded) first appears, if it does."""
    for needle in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        index = text.find(needle)
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return None


def _where(name: str, text: str, value: Any, label: str) -> str:
    line = _line_of(text, value)
    return f"{name}: line {line}: {label}" if line else f"{name}: {label}"


def _rule_lines(text: str) -> list[int]:
    """The line of each rule of a medSpaCy rule list: each rule has exactly one ``"literal"`` key."""
    return [text.count("\n", 0, match.start()) + 1 for match in re.finditer(r'"literal"\s*:', text)]


def _rule_where(name: str, lines: list[int], index: int, label: str) -> str:
    return f"{name}: line {lines[index]}: {label}" if index < len(lines) else f"{name}: {label}"


def _parse_json(name: str, text: str, problems: list[str]) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(f"{name}: line {error.lineno} column {error.colno}: malformed JSON ({error.msg})")
        return None


def _compile_regex(name: str, text: str, pattern: Any, label: str, problems: list[str], flags: int = 0) -> None:
    if not isinstance(pattern, str):
        problems.append(_where(name, text, pattern, f"{label}: the pattern must be a string"))
        return
    try:
        re.compile(pattern, flags)
    except re.error as error:
        problems.append(_where(name, text, pattern, f"{label}: regular expression {pattern!r} does not compile ({error})"))


def _check_meta(text: str, problems: list[str]) -> dict[str, Any]:
    meta = _parse_json(META_FILE, text, problems)
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        problems.append(f"{META_FILE}: line 1: must be a JSON object")
        return {}
    for key in ("name", "version"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            problems.append(f"{META_FILE}: \"{key}\" must be a non-empty string")
    version = meta.get("version")
    if isinstance(version, str) and version.strip() and not _VERSION_PATTERN.match(version):
        problems.append(_where(META_FILE, text, version, f"version {version!r} is not MAJOR.MINOR.PATCH"))
    if not isinstance(meta.get("components", {}), dict):
        problems.append(f"{META_FILE}: \"components\" must be an object of component name -> settings")
    terms_file = meta.get("icd10cm_terms")
    if terms_file is not None:
        from chartaudit.resources import icd10cm_dir

        if not (icd10cm_dir() / str(terms_file)).is_file():
            problems.append(_where(META_FILE, text, terms_file,
                                   f"icd10cm_terms {terms_file!r} is not a file in {icd10cm_dir()}"))
    return meta


def _check_lexicon(text: str, is_code: Callable[[str], bool], problems: list[str]) -> set[str]:
    """Check ``lexicon.csv`` row by row; return its phrases (lower-cased)."""
    phrases: set[str] = set()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        problems.append(f"{LEXICON_FILE}: line 1: empty file; the header is phrase,code,concept")
        return phrases
    except csv.Error as error:
        problems.append(f"{LEXICON_FILE}: line 1: {error}")
        return phrases
    missing = [column for column in ("phrase", "code", "concept") if column not in header]
    if missing:
        problems.append(f"{LEXICON_FILE}: line 1: header lacks {', '.join(missing)} (expected phrase,code,concept)")
        return phrases
    position = {column: header.index(column) for column in ("phrase", "code", "concept")}
    try:
        for row in reader:
            line = reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            cells = {column: (row[index].strip() if index < len(row) else "") for column, index in position.items()}
            if cells["phrase"].startswith("#"):
                continue
            if not cells["phrase"]:
                problems.append(f"{LEXICON_FILE}: line {line}: the phrase is empty")
                continue
            if len(row) > len(header):
                problems.append(f"{LEXICON_FILE}: line {line}: {len(row)} columns, the header has {len(header)} "
                                "(quote a phrase or concept that holds a comma)")
            code = cells["code"]
            for part in (piece.strip() for piece in code.split("|") if code):
                if not part or not is_code(part):
                    problems.append(f"{LEXICON_FILE}: line {line}: code {part!r} of {cells['phrase']!r} "
                                    "is not an ICD-10-CM 2026 code (several codes are separated by |)")
            if not code and not cells["concept"]:
                problems.append(f"{LEXICON_FILE}: line {line}: {cells['phrase']!r} has neither a code nor a concept")
            phrases.add(" ".join(cells["phrase"].lower().split()))
    except csv.Error as error:
        problems.append(f"{LEXICON_FILE}: line {reader.line_num}: {error}")
    return phrases


def _check_abbreviations(name: str, text: str, lexicon_phrases: set[str], problems: list[str],
                         warnings: list[str]) -> None:
    data = _parse_json(name, text, problems)
    if data is None:
        return
    if not isinstance(data, dict):
        problems.append(f"{name}: line 1: must be a JSON object")
        return
    special_cases = data.get("special_cases", [])
    if not isinstance(special_cases, list) or not all(isinstance(item, str) and item.strip() for item in special_cases):
        problems.append(f"{name}: \"special_cases\" must be a list of non-empty strings")
    abbreviations = data.get("abbreviations", {})
    if not isinstance(abbreviations, dict):
        problems.append(f"{name}: \"abbreviations\" must be an object of short form -> long form")
        return
    for short_form, value in abbreviations.items():
        if isinstance(value, dict):
            long_form, not_followed_by = value.get("long"), value.get("not_followed_by", [])
            if not isinstance(not_followed_by, list) or not all(isinstance(item, str) for item in not_followed_by):
                problems.append(_where(name, text, short_form, f"{short_form!r}: not_followed_by must be a list of strings"))
        else:
            long_form = value
        if not isinstance(long_form, str) or not long_form.strip():
            problems.append(_where(name, text, short_form, f"{short_form!r}: the long form must be a non-empty string"))
        elif lexicon_phrases and " ".join(long_form.lower().split()) not in lexicon_phrases:
            warnings.append(_where(name, text, short_form,
                                   f"{short_form!r}: long form {long_form!r} is not a lexicon phrase; it is skipped"))


def _rules_with_literals(name: str, text: str, key: str, problems: list[str]
                         ) -> Iterator[tuple[int, str, dict[str, Any], str, list[int]]]:
    """The rules of a ``{key: [...]}`` JSON file that are objects with a literal, as
    (index, label, rule, literal, rule lines); problems with the others are reported."""
    data = _parse_json(name, text, problems)
    if data is None:
        return
    rules = data.get(key) if isinstance(data, dict) else None
    if not isinstance(rules, list):
        problems.append(f"{name}: line 1: must be an object with a \"{key}\" list")
        return
    lines = _rule_lines(text)
    for index, rule in enumerate(rules):
        label = f"{key}[{index}]"
        if not isinstance(rule, dict):
            problems.append(f"{name}: {label}: must be an object")
            continue
        literal = rule.get("literal")
        if not isinstance(literal, str) or not literal.strip():
            problems.append(_rule_where(name, lines, index, f"{label}: \"literal\" must be a non-empty string"))
            continue
        yield index, label, rule, literal, lines


def _check_context_rules(name: str, text: str, problems: list[str]) -> None:
    from chartaudit.extract.context import rules as context_rules

    if name == context_rules.TemporalityRules.FILE_NAME:
        categories = set(context_rules.TEMPORALITY_CATEGORIES)
    else:  # categories that set a flag, and those that only shape scopes (RECENT ends a historical scope)
        categories = set(context_rules.CATEGORY_FLAGS) | set(getattr(context_rules, "SCOPE_ONLY_CATEGORIES", ()))
    for index, label, rule, literal, lines in _rules_with_literals(name, text, "context_rules", problems):
        label = f"{label} {literal!r}"
        if rule.get("category") not in categories:
            problems.append(_rule_where(name, lines, index, f"{label}: category {rule.get('category')!r} is not one of "
                                                             f"{', '.join(sorted(categories))}"))
        if rule.get("direction", "BIDIRECTIONAL") not in _CONTEXT_DIRECTIONS:
            problems.append(_rule_where(name, lines, index, f"{label}: direction {rule.get('direction')!r} is not one of "
                                                             f"{', '.join(sorted(_CONTEXT_DIRECTIONS))}"))
        pattern = rule.get("pattern")
        if isinstance(pattern, str):
            _compile_regex(name, text, pattern, label, problems, re.IGNORECASE)
        elif pattern is not None and not (isinstance(pattern, list) and all(isinstance(token, dict) for token in pattern)):
            problems.append(_rule_where(name, lines, index, f"{label}: pattern must be a regular expression or a list of "
                                                             "token patterns"))
        max_scope = rule.get("max_scope")
        if max_scope is not None and (not isinstance(max_scope, int) or max_scope < 1):
            problems.append(_rule_where(name, lines, index, f"{label}: max_scope must be a positive integer"))


def _check_section_rules(name: str, text: str, problems: list[str]) -> None:
    for index, label, rule, literal, lines in _rules_with_literals(name, text, "section_rules", problems):
        category = rule.get("category")
        if not isinstance(category, str) or not category.strip():
            problems.append(_rule_where(name, lines, index, f"{label} {literal!r}: \"category\" must be a non-empty string"))
        if rule.get("pattern") is not None:
            _compile_regex(name, text, rule["pattern"], f"{label} {literal!r}", problems, re.IGNORECASE)


def _check_sentence_rules(name: str, text: str, problems: list[str]) -> None:
    data = _parse_json(name, text, problems)
    if data is None:
        return
    if not isinstance(data, dict):
        problems.append(f"{name}: line 1: must be a JSON object")
        return
    if "bullet_pattern" in data:
        _compile_regex(name, text, data["bullet_pattern"], "bullet_pattern", problems, re.MULTILINE)
    for key in ("terminal_punctuation",):
        if key in data and not isinstance(data[key], str):
            problems.append(_where(name, text, key, f"\"{key}\" must be a string"))
    if "non_terminal_abbreviations" in data and not isinstance(data["non_terminal_abbreviations"], list):
        problems.append(_where(name, text, "non_terminal_abbreviations", "\"non_terminal_abbreviations\" must be a list"))


def _check_code_table(name: str, text: str, is_code: Callable[[str], bool], problems: list[str]) -> None:
    """history_codes.json / symptom_integral.json: every code they name must be ICD-10-CM."""
    from chartaudit.knowledge.codes import normalize_pattern

    data = _parse_json(name, text, problems)
    if not isinstance(data, dict):
        if data is not None:
            problems.append(f"{name}: line 1: must be a JSON object")
        return
    if name == "history_codes.json":
        for key, value in data.items():
            if key.startswith("_"):
                continue
            if normalize_pattern(key) is None or not isinstance(value, dict):
                problems.append(_where(name, text, key, f"{key!r} is not a code prefix or range with personal/family codes"))
                continue
            for role in ("personal", "family"):
                code = value.get(role)
                if code is not None and (not isinstance(code, str) or not is_code(code)):
                    problems.append(_where(name, text, key, f"{key!r}: {role} code {code!r} is not an ICD-10-CM code"))
    else:
        symptom_codes = data.get("symptom_codes", [])
        for raw in symptom_codes if isinstance(symptom_codes, list) else [symptom_codes]:
            if normalize_pattern(raw) is None:
                problems.append(_where(name, text, raw, f"symptom_codes: {raw!r} is not a code prefix"))
        rules = data.get("rules", [])
        if not isinstance(rules, list):
            problems.append(f"{name}: \"rules\" must be a list")
            return
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict) or normalize_pattern(rule.get("symptom")) is None:
                problems.append(f"{name}: rules[{index}]: needs a \"symptom\" code prefix")
                continue
            diagnoses = rule.get("diagnoses")
            if not isinstance(diagnoses, list) or any(normalize_pattern(item) is None for item in diagnoses):
                problems.append(_where(name, text, rule["symptom"],
                                       f"rules[{index}] {rule['symptom']!r}: \"diagnoses\" must be a list of code prefixes or ranges"))


def _check_loads(model_dir: Path, names: Iterable[str], problems: list[str]) -> None:
    """Run the loaders the pipeline itself uses, so that what validates also loads."""
    from chartaudit.extract.context.rules import ContextRules, TemporalityRules
    from chartaudit.extract.laterality.rules import LateralityRules
    from chartaudit.extract.lexicon import Abbreviations, Lexicon
    from chartaudit.extract.sections.rules import SectionRules
    from chartaudit.extract.sentences.rules import SentenceRules

    loaders: dict[str, Callable[[], Any]] = {
        owner.FILE_NAME: (lambda owner=owner: owner.from_dir(model_dir))
        for owner in (Lexicon, Abbreviations, ContextRules, TemporalityRules, SectionRules, SentenceRules,
                      LateralityRules)
    }
    for name in names:
        loader = loaders.get(name)
        if loader is None:
            continue
        try:
            loader()
        except Exception as error:  # noqa: BLE001 - any loader failure is a model problem
            problems.append(f"{name}: cannot be loaded: {type(error).__name__}: {' '.join(str(error).split())[:200]}")


def validate_model(model_dir: str | Path) -> tuple[ModelInfo, list[str]]:
    """Check every file of a model directory; raise :class:`ModelError` on the first problems.

    Checks: required files present, JSON well-formed, each resource's schema,
    lexicon codes (and history codes) valid ICD-10-CM 2026 codes, regular
    expressions compile, and the pipeline's own loaders accept every file.

    model_dir (str | Path): The model directory.
    RETURNS (tuple[ModelInfo, list[str]]): What the model is, and warnings.

    Usage::

        info, warnings = validate_model("models/default")
    """
    directory = Path(model_dir)
    if not directory.is_dir():
        raise ModelError([f"{model_dir}: not a model directory"])
    raw_files = read_model_files(directory)
    files = _text_files(directory, raw_files)
    problems: list[str] = [f"{name}: missing (a model directory needs {', '.join(REQUIRED_FILES)})"
                           for name in REQUIRED_FILES if name not in files]
    if problems:
        raise ModelError([str(directory / problem) for problem in problems])
    warnings: list[str] = []
    from chartaudit.knowledge import Icd10cm

    knowledge = Icd10cm.load()
    meta = _check_meta(files[META_FILE], problems)
    lexicon_phrases = _check_lexicon(files[LEXICON_FILE], knowledge.is_valid, problems)
    for name, text in files.items():
        if name == "abbreviations.json":
            _check_abbreviations(name, text, lexicon_phrases, problems, warnings)
        elif name in ("context_rules.json", "temporality_rules.json"):
            _check_context_rules(name, text, problems)
        elif name == "section_rules.json":
            _check_section_rules(name, text, problems)
        elif name == "sentence_rules.json":
            _check_sentence_rules(name, text, problems)
        elif name in ("history_codes.json", "symptom_integral.json"):
            _check_code_table(name, text, knowledge.is_valid, problems)
        elif name.endswith(".json") and name != META_FILE:
            _parse_json(name, text, problems)
    if not problems:
        _check_loads(directory, files, problems)
    if problems:  # each problem starts with its file name: name the file by its path
        raise ModelError([str(directory / problem) for problem in problems])
    version = str(meta.get("version", ""))
    changelog = files.get(CHANGELOG_FILE)
    if changelog is None:
        warnings.append(f"{CHANGELOG_FILE}: missing; record what changed in each version there")
    elif not re.search(rf"^##\s*\[?{re.escape(version)}\]?(\s|$)", changelog, re.MULTILINE):
        warnings.append(f"{CHANGELOG_FILE}: no \"## {version}\" heading for the version in {META_FILE}")
    info = ModelInfo(name=str(meta.get("name", "")), version=version, description=str(meta.get("description", "")),
                     content_hash=content_hash(raw_files), files=sorted(raw_files), source=str(directory),
                     kind="directory")
    return info, warnings


# -- building and loading artifacts -------------------------------------------------------


def build_model(model_dir: str | Path, output: str | Path) -> BuildReport:
    """Validate a model directory and compile it into one artifact file.

    model_dir (str | Path): The model directory.
    output (str | Path): The artifact to write; when it is an existing directory,
        ``<name>-<version>.chartaudit`` inside it.
    RETURNS (BuildReport): The artifact path, what the model is, warnings, size and time.
    RAISES (ModelError): When validation fails (nothing is written).

    Usage::

        build_model("models/default", "dist/default.chartaudit").info.content_hash
    """
    started = time.perf_counter()
    info, warnings = validate_model(model_dir)
    files = read_model_files(Path(model_dir))
    texts = _text_files(Path(model_dir), files)
    if content_hash(files) != info.content_hash:
        raise ModelError([f"{model_dir}: changed while it was being built; build again"])
    target = Path(output)
    if target.is_dir():
        target = target / f"{info.name}-{info.version}{ARTIFACT_SUFFIX}"
    from chartaudit import __version__

    bundle = {
        "format": ARTIFACT_FORMAT,
        "format_version": ARTIFACT_FORMAT_VERSION,
        "name": info.name,
        "version": info.version,
        "description": info.description,
        "content_hash": info.content_hash,
        "built_with": f"chartaudit {__version__}",
        "files": {name: data.decode("utf-8") for name, data in files.items() if name in texts},
        "binary_files": {name: base64.b64encode(data).decode("ascii") for name, data in files.items()
                         if name not in texts},
    }
    payload = json.dumps(bundle, ensure_ascii=False, sort_keys=True).encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as stream:
        stream.write(payload)
    os.replace(temporary, target)
    info = ModelInfo(**{**info.__dict__, "source": str(target), "kind": "artifact"})
    report = BuildReport(artifact=target, info=info, warnings=warnings, size_bytes=target.stat().st_size,
                         seconds=time.perf_counter() - started)
    logger.info("Built model %s %s (%s) into %s", info.name, info.version, info.content_hash[:12], target)
    return report


def model_info(model: str | Path | None = None) -> ModelInfo:
    """Name, version and content hash of a model directory or artifact (no validation).

    Usage::

        model_info("models/default").version  # '0.1.0'
    """
    path = Path(model) if model else default_model_dir()
    if path.is_dir():
        files = read_model_files(path)
        kind = "directory"
    else:
        bundle = read_artifact(path)
        files, kind = bundle["contents"], "artifact"
    try:
        meta = json.loads(files.get(META_FILE, b"{}").decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    return ModelInfo(name=str(meta.get("name", "")), version=str(meta.get("version", "")),
                     description=str(meta.get("description", "")), content_hash=content_hash(files),
                     files=sorted(files), source=str(path), kind=kind)


# -- editing a copy ------------------------------------------------------------------------


def copy_model(source: str | Path | None, destination: str | Path, *, overwrite: bool = False) -> Path:
    """Copy a model (directory or artifact) into a new directory to edit.

    source (str | Path | None): The model to copy; the default model when None.
    destination (str | Path): The new directory (must not exist unless ``overwrite``).
    RETURNS (Path): The new model directory.

    Usage::

        work = copy_model(None, "out/tuned")
    """
    target = Path(destination)
    if target.exists():
        if not overwrite:
            raise ModelError([f"{destination}: already exists"])
        shutil.rmtree(target)
    source_dir = model_directory(source)
    target.mkdir(parents=True)
    for name in model_file_names(source_dir):
        shutil.copyfile(source_dir / name, target / name)
    return target


def add_lexicon_terms(model_dir: str | Path, terms: Mapping[str, str | None] | Iterable[tuple[str, str | None, str]]) -> int:
    """Append rows to a model directory's ``lexicon.csv`` (edit a copy, not ``models/default``).

    terms: phrase -> ICD-10-CM code (None for a concept without a code), or
        (phrase, code, concept) rows.
    RETURNS (int): The number of rows added.

    Usage::

        add_lexicon_terms("out/tuned", {"ticker trouble": "I49.9"})
    """
    path = Path(model_dir) / LEXICON_FILE
    rows: list[tuple[str, str, str]] = []
    items = terms.items() if isinstance(terms, Mapping) else terms
    for item in items:
        phrase, code, concept = (item[0], item[1], item[0]) if len(item) == 2 else item  # type: ignore[misc]
        rows.append((str(phrase).strip(), (code or "").strip(), str(concept or phrase).strip()))
    existing = path.read_text(encoding="utf-8") if path.exists() else "phrase,code,concept\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    separator = "" if existing.endswith("\n") else "\n"
    path.write_text(existing + separator + buffer.getvalue(), encoding="utf-8")
    return len(rows)


def add_context_rules(model_dir: str | Path, rules: Iterable[Mapping[str, Any]]) -> int:
    """Append ConText rules to a model directory's ``context_rules.json`` (edit a copy).

    rules: medSpaCy rule objects: ``literal``, ``category`` (NEGATED_EXISTENCE,
        POSSIBLE_EXISTENCE, HISTORICAL, HYPOTHETICAL, FAMILY), ``direction``
        (FORWARD, BACKWARD, BIDIRECTIONAL, TERMINATE, PSEUDO), optional ``pattern``.
    RETURNS (int): The number of rules added.

    Usage::

        add_context_rules("out/tuned", [{"literal": "not complaining of",
                                         "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}])
    """
    path = Path(model_dir) / "context_rules.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"context_rules": []}
    added = [dict(rule) for rule in rules]
    data.setdefault("context_rules", []).extend(added)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(added)


def set_model_version(model_dir: str | Path, version: str, change: str, *, name: str | None = None) -> None:
    """Set ``meta.json``'s version (and optionally name) and add a ``CHANGELOG.md`` entry.

    Usage::

        set_model_version("out/tuned", "0.1.1", "Added ticker trouble -> I49.9.", name="tuned")
    """
    if not _VERSION_PATTERN.match(version):
        raise ModelError([f"version {version!r} is not MAJOR.MINOR.PATCH"])
    directory = Path(model_dir)
    meta_path = directory / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["version"] = version
    if name:
        meta["name"] = name
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    changelog_path = directory / CHANGELOG_FILE
    text = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else "# Changelog\n"
    unreleased = re.search(rf"^{re.escape(UNRELEASED_HEADING)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    pending = unreleased.group(1).strip() if unreleased else ""
    entry = f"## {version}\n\n- {change.strip()}\n" + (f"{pending}\n" if pending else "") + "\n"
    if unreleased:  # the release takes the Unreleased lines; Unreleased starts empty again
        text = text[:unreleased.start()] + f"{UNRELEASED_HEADING}\n\n" + entry + text[unreleased.end():]
    else:
        match = re.search(r"^## ", text, re.MULTILINE)
        text = text[:match.start()] + entry + text[match.start():] if match else text.rstrip("\n") + "\n\n" + entry
    changelog_path.write_text(text, encoding="utf-8")
