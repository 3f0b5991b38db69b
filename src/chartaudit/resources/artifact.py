"""Model artifacts and model directories: what the pipeline needs to *load* a model.

A model is a directory of files (``models/default/``) or a *model artifact*
(``*.chartaudit``: gzip'd JSON holding every file of a directory, the model's name
and version, and a content hash), which :func:`chartaudit.model.build_model`
writes. Everything that takes a model (``Checker(model=...)``,
``Extractor(model_dir=...)``, ``--model``) goes through :func:`model_directory`:
a directory is used as it is, an artifact is verified and unpacked once into a
content-addressed directory of the cache, so the extraction pipeline stays cached
per directory and batch workers share it.

Nothing here edits or validates a model; that is :mod:`chartaudit.model`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

from chartaudit.resources import default_model_dir

logger = logging.getLogger(__name__)

#: The first key of every artifact and its format version.
ARTIFACT_FORMAT = "chartaudit-model"
ARTIFACT_FORMAT_VERSION = 1
#: The file name ending ``build-model`` gives an artifact written into a directory.
ARTIFACT_SUFFIX = ".chartaudit"
#: Largest file a model directory may hold (a lexicon of ~100,000 rows fits).
MAX_FILE_BYTES = 20_000_000


class ModelError(ValueError):
    """A model directory or artifact that cannot be used; ``str()`` is one line naming the file.

    problems (list[str]): Every problem found, each naming its file; the message is
        the first one, with the number of the others.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems) or ["unknown problem"]
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(self.problems[0] + suffix)


def model_file_names(model_dir: Path) -> list[str]:
    """The files that make up a model directory: regular, not hidden, not temporary; sorted."""
    return sorted(
        entry.name for entry in model_dir.iterdir()
        if entry.is_file() and not entry.name.startswith((".", "~")) and not entry.name.endswith((".pyc", ".tmp"))
    )


def read_model_files(model_dir: Path) -> dict[str, bytes]:
    """Every file of a model directory, as bytes (an artifact stores them as they are).

    RAISES (ModelError): For a file larger than :data:`MAX_FILE_BYTES`.
    """
    files: dict[str, bytes] = {}
    for name in model_file_names(model_dir):
        path = model_dir / name
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ModelError([f"{path}: {size:,} bytes, more than the {MAX_FILE_BYTES:,} a model file may hold"])
        files[name] = path.read_bytes()
    return files


def content_hash(files: Mapping[str, bytes | str]) -> str:
    """The SHA-256 of a model's files: their names and contents, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        value = files[name]
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        digest.update(name.encode("utf-8") + b"\0" + str(len(data)).encode("ascii") + b"\0" + data)
    return digest.hexdigest()


def read_artifact(path: str | Path) -> dict[str, Any]:
    """Read and verify a model artifact (format, format version, content hash).

    path (str | Path): The ``*.chartaudit`` file.
    RETURNS (dict[str, Any]): The bundle: name, version, content_hash, and ``contents``
        (file name -> bytes).
    RAISES (ModelError): When it is not a readable, intact artifact.
    """
    artifact = Path(path)
    try:
        with gzip.open(artifact, "rb") as stream:
            bundle = json.loads(stream.read())
    except FileNotFoundError:
        raise ModelError([f"{path}: no such model directory or artifact"]) from None
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError([f"{path}: not a model directory or a chartaudit model artifact"]) from None
    if not isinstance(bundle, dict) or bundle.get("format") != ARTIFACT_FORMAT:
        raise ModelError([f"{path}: not a chartaudit model artifact"])
    if bundle.get("format_version") != ARTIFACT_FORMAT_VERSION:
        raise ModelError([f"{path}: artifact format {bundle.get('format_version')!r}, this chartaudit reads "
                          f"{ARTIFACT_FORMAT_VERSION}; rebuild it with `chartaudit build-model`"])
    try:
        contents = {name: text.encode("utf-8") for name, text in bundle["files"].items()}
        contents.update({name: base64.b64decode(data) for name, data in bundle.get("binary_files", {}).items()})
    except (KeyError, AttributeError, TypeError, ValueError):
        contents = {}
    if not contents or content_hash(contents) != bundle.get("content_hash"):
        raise ModelError([f"{path}: content hash mismatch; the artifact is damaged, rebuild it"])
    bundle["contents"] = contents
    return bundle


def cache_dir() -> Path:
    """Where artifacts are unpacked: ``CHARTAUDIT_CACHE``, else ``$XDG_CACHE_HOME/chartaudit`` or ``~/.cache/chartaudit``."""
    override = os.environ.get("CHARTAUDIT_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chartaudit"


def _unpacked(target: Path, digest: str) -> bool:
    marker = target / ".content_hash"
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == digest


def unpack(bundle: dict[str, Any]) -> Path:
    """Write an artifact's files into its content-addressed directory (once) and return it.

    The files go to a staging directory that is renamed into place, so processes
    unpacking the same artifact at once (batch workers) never see a half-written model.

    bundle (dict[str, Any]): What :func:`read_artifact` returned.
    RETURNS (Path): The directory (in :func:`cache_dir`, else in the temporary directory).
    RAISES (ModelError): When no directory can be written.
    """
    digest = str(bundle["content_hash"])
    for name in bundle["contents"]:
        if Path(name).name != name or name.startswith("."):
            raise ModelError([f"artifact file name {name!r} is not a plain file name"])
    for root in (cache_dir() / "models", Path(tempfile.gettempdir()) / "chartaudit-models"):
        target = root / digest[:24]
        if _unpacked(target, digest):
            return target
        try:
            root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=root))
            for name, data in bundle["contents"].items():
                (staging / name).write_bytes(data)
            (staging / ".content_hash").write_text(digest, encoding="utf-8")
            if target.exists() and not _unpacked(target, digest):
                shutil.rmtree(target, ignore_errors=True)  # a stale, half-written copy
            try:
                os.replace(staging, target)
            except OSError:  # another process unpacked it first
                shutil.rmtree(staging, ignore_errors=True)
            if _unpacked(target, digest):
                logger.debug("Unpacked model %s into %s", digest[:12], target)
                return target
        except OSError as error:
            logger.warning("Cannot unpack the model into %s (%s); trying another directory", root,
                           type(error).__name__)
    raise ModelError([f"cannot unpack model {bundle.get('name')!r}: no writable cache directory"])


def is_artifact(path: str | Path) -> bool:
    """True when ``path`` is a file that starts like a gzip'd model artifact (a cheap test, not a verification)."""
    candidate = Path(path)
    if not candidate.is_file():
        return False
    with candidate.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def model_directory(model: str | Path | None) -> Path:
    """The directory the pipeline loads for a model: a source directory as is, an artifact unpacked.

    model (str | Path | None): A model directory, an artifact, or None (or "") for the default model.
    RETURNS (Path): A directory of model files.
    RAISES (ModelError): For a path that is neither (one line naming it).
    """
    if model is None or str(model) == "":
        return default_model_dir()
    path = Path(model)
    if path.is_dir():
        return path
    if not path.exists():
        raise ModelError([f"{model}: no such model directory or artifact"])
    return unpack(read_artifact(path))
