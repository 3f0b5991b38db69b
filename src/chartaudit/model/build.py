"""Validate a model directory, compile it into an artifact, and say what a model is.

:func:`validate_model` runs the check of every file's owner (:data:`MODEL_FILES`),
then each owner's own loader, so what validates also loads. :func:`build_model`
validates and writes the artifact that :func:`chartaudit.resources.artifact.read_artifact`
reads back.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from chartaudit.extract.config import ModelConfig
from chartaudit.model.files import MODEL_FILES, REQUIRED_FILES, Changelog
from chartaudit.resources import default_model_dir
from chartaudit.resources.artifact import (
    ARTIFACT_FORMAT,
    ARTIFACT_FORMAT_VERSION,
    ARTIFACT_SUFFIX,
    ModelError,
    content_hash,
    read_artifact,
    read_model_files,
)
from chartaudit.resources.files import FileCheck

logger = logging.getLogger(__name__)

#: File endings that must be UTF-8 text (they are validated); other files are carried as bytes.
TEXT_SUFFIXES: tuple[str, ...] = (".json", ".csv", ".tsv", ".md", ".txt")


@dataclass
class ModelInfo:
    """What a model is: name, version, content hash and files.

    kind (str): "directory" or "artifact".
    """

    name: str
    version: str
    description: str
    content_hash: str
    files: list[str]
    source: str
    kind: str


@dataclass
class BuildReport:
    """The result of :func:`build_model`: the artifact, what the model is, warnings, size and time."""

    artifact: Path
    info: ModelInfo
    warnings: list[str] = field(default_factory=list)
    size_bytes: int = 0
    seconds: float = 0.0


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


def _check_loads(model_dir: Path, names: set[str], problems: list[str]) -> None:
    """Run each present file's own loader (the one the pipeline uses)."""
    for owner in MODEL_FILES:
        if owner.FILE_NAME not in names:
            continue
        try:
            owner.from_dir(model_dir)
        except Exception as error:  # noqa: BLE001 - any loader failure is a model problem
            problems.append(f"{owner.FILE_NAME}: cannot be loaded: {type(error).__name__}: "
                            f"{' '.join(str(error).split())[:200]}")


def validate_model(model_dir: str | Path) -> tuple[ModelInfo, list[str]]:
    """Check every file of a model directory; raise :class:`ModelError` on the first problems.

    Checks: required files present, JSON well-formed, each file's schema (its
    owner's: no unknown key), lexicon codes (and history codes) valid ICD-10-CM 2026
    codes, regular expressions compile, and the pipeline's own loaders accept every
    file. Other ``.json`` files must be well-formed.

    model_dir (str | Path): The model directory.
    RETURNS (tuple[ModelInfo, list[str]]): What the model is, and warnings.
    RAISES (ModelError): One line naming the first problem's file and line.
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
    from chartaudit.knowledge import Icd10cm

    is_code = Icd10cm.load().is_valid
    warnings: list[str] = []
    earlier: dict[str, Any] = {}
    for owner in MODEL_FILES:
        text = files.get(owner.FILE_NAME)
        if text is None:
            continue
        check = FileCheck(owner.FILE_NAME, text, is_code=is_code, earlier=earlier)
        earlier[owner.FILE_NAME] = owner.check(check)
        problems += check.problems
        warnings += check.warnings
    owned = {owner.FILE_NAME for owner in MODEL_FILES}
    for name, text in files.items():
        if name not in owned and name.endswith(".json"):
            check = FileCheck(name, text)
            check.parse_json()
            problems += check.problems
    if not problems:
        _check_loads(directory, set(files), problems)
    if problems:  # each problem starts with its file name: name the file by its path
        raise ModelError([str(directory / problem) for problem in problems])
    if Changelog.FILE_NAME not in files:
        warnings.append(f"{Changelog.FILE_NAME}: missing; {Changelog.MISSING}")
    meta = earlier.get(ModelConfig.FILE_NAME) or {}
    info = ModelInfo(name=str(meta.get("name", "")), version=str(meta.get("version", "")),
                     description=str(meta.get("description", "")), content_hash=content_hash(raw_files),
                     files=sorted(raw_files), source=str(directory), kind="directory")
    return info, warnings


def build_model(model_dir: str | Path, output: str | Path) -> BuildReport:
    """Validate a model directory and compile it into one artifact file (gzip'd JSON, reproducible).

    model_dir (str | Path): The model directory.
    output (str | Path): The artifact to write; when it is an existing directory,
        ``<name>-<version>.chartaudit`` inside it.
    RETURNS (BuildReport): The artifact path, what the model is, warnings, size and time.
    RAISES (ModelError): When validation fails (nothing is written).
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

    model (str | Path | None): A model directory or artifact; the default model when None.
    """
    path = Path(model) if model else default_model_dir()
    if path.is_dir():
        files = read_model_files(path)
        kind = "directory"
    else:
        bundle = read_artifact(path)
        files, kind = bundle["contents"], "artifact"
    try:
        meta = json.loads(files.get(ModelConfig.FILE_NAME, b"{}").decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    return ModelInfo(name=str(meta.get("name", "")), version=str(meta.get("version", "")),
                     description=str(meta.get("description", "")), content_hash=content_hash(files),
                     files=sorted(files), source=str(path), kind=kind)
