"""Edit a copy of a model: copy it, add lexicon terms and ConText rules, set its version.

Edit a copy (:func:`copy_model`), never ``models/default`` in place; then
:func:`chartaudit.model.build_model` validates it and compiles it into an artifact.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any, Iterable, Mapping

from chartaudit.extract.config import VERSION_PATTERN, ModelConfig
from chartaudit.extract.context.rules import ContextRules
from chartaudit.extract.lexicon import Lexicon
from chartaudit.model.files import Changelog
from chartaudit.resources.artifact import ModelError, model_directory, model_file_names


def copy_model(source: str | Path | None, destination: str | Path, *, overwrite: bool = False) -> Path:
    """Copy a model (directory or artifact) into a new directory to edit.

    source (str | Path | None): The model to copy; the default model when None.
    destination (str | Path): The new directory (must not exist unless ``overwrite``).
    RETURNS (Path): The new model directory.
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
    """Append rows to a model directory's ``lexicon.csv``.

    terms: phrase -> ICD-10-CM code (None for a concept without a code), or
        (phrase, code, concept) rows.
    RETURNS (int): The number of rows added.
    """
    path = Lexicon.path_in(model_dir)
    rows: list[tuple[str, str, str]] = []
    items = terms.items() if isinstance(terms, Mapping) else terms
    for item in items:
        phrase, code, concept = (item[0], item[1], item[0]) if len(item) == 2 else item  # type: ignore[misc]
        rows.append((str(phrase).strip(), (code or "").strip(), str(concept or phrase).strip()))
    existing = path.read_text(encoding="utf-8") if path.exists() else ",".join(Lexicon.COLUMNS) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    separator = "" if existing.endswith("\n") else "\n"
    path.write_text(existing + separator + buffer.getvalue(), encoding="utf-8")
    return len(rows)


def add_context_rules(model_dir: str | Path, rules: Iterable[Mapping[str, Any]]) -> int:
    """Append ConText rules to a model directory's ``context_rules.json``.

    rules: medSpaCy rule objects: ``literal``, ``category`` (NEGATED_EXISTENCE,
        POSSIBLE_EXISTENCE, HISTORICAL, HYPOTHETICAL, FAMILY), ``direction``
        (FORWARD, BACKWARD, BIDIRECTIONAL, TERMINATE, PSEUDO), optional ``pattern``.
    RETURNS (int): The number of rules added.
    """
    path = ContextRules.path_in(model_dir)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"context_rules": []}
    added = [dict(rule) for rule in rules]
    data.setdefault("context_rules", []).extend(added)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(added)


def set_model_version(model_dir: str | Path, version: str, change: str, *, name: str | None = None) -> None:
    """Set ``meta.json``'s version (and optionally name) and add a ``CHANGELOG.md`` entry.

    The new version's entry takes the lines listed under "Unreleased", which starts empty again.

    RAISES (ModelError): For a version that is not MAJOR.MINOR.PATCH.
    """
    if not VERSION_PATTERN.match(version):
        raise ModelError([f"version {version!r} is not MAJOR.MINOR.PATCH"])
    meta_path = ModelConfig.path_in(model_dir)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["version"] = version
    if name:
        meta["name"] = name
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    changelog_path = Changelog.path_in(model_dir)
    text = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else "# Changelog\n"
    heading = Changelog.UNRELEASED_HEADING
    unreleased = re.search(rf"^{re.escape(heading)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    pending = unreleased.group(1).strip() if unreleased else ""
    entry = f"## {version}\n\n- {change.strip()}\n" + (f"{pending}\n" if pending else "") + "\n"
    if unreleased:  # the release takes the Unreleased lines; Unreleased starts empty again
        text = text[:unreleased.start()] + f"{heading}\n\n" + entry + text[unreleased.end():]
    else:
        match = re.search(r"^## ", text, re.MULTILINE)
        text = text[:match.start()] + entry + text[match.start():] if match else text.rstrip("\n") + "\n\n" + entry
    changelog_path.write_text(text, encoding="utf-8")
