"""Model directories and artifacts, for the people who tune them: validate, build, inspect, edit.

A *model* is what people tune: the files of ``models/default/`` (lexicon,
abbreviations, ConText, section and sentence rules, anatomy, word data, history
and symptom tables, ``meta.json`` with the name and version, ``CHANGELOG.md``).
Each file has one owner class next to the code that reads it (:data:`MODEL_FILES`
lists them). :func:`build_model` validates a model directory and compiles it into
one file, a *model artifact* (``*.chartaudit``). Everything that takes a model
(``Checker(model=...)``, ``Extractor(model_dir=...)``, ``--model``) accepts a
directory or an artifact, through :func:`model_directory`.

This package is the editing side: the pipeline never imports it; what loading a
model needs is in :mod:`chartaudit.resources`.
"""

from typing import TYPE_CHECKING, Any

from chartaudit.resources.artifact import ModelError, content_hash, is_artifact, model_directory, read_artifact
from chartaudit.resources.files import ModelFileError

if TYPE_CHECKING:
    from chartaudit.model.build import BuildReport, ModelInfo, build_model, model_info, validate_model
    from chartaudit.model.edit import add_context_rules, add_lexicon_terms, copy_model, set_model_version
    from chartaudit.model.files import MODEL_FILES, REQUIRED_FILES, Changelog

#: Where each name that needs the owners (and so the ICD-10-CM knowledge) is defined;
#: imported on first use, so that ``from chartaudit.model import ModelError`` stays cheap.
_LAZY = {
    "BuildReport": "chartaudit.model.build",
    "ModelInfo": "chartaudit.model.build",
    "build_model": "chartaudit.model.build",
    "model_info": "chartaudit.model.build",
    "validate_model": "chartaudit.model.build",
    "add_context_rules": "chartaudit.model.edit",
    "add_lexicon_terms": "chartaudit.model.edit",
    "copy_model": "chartaudit.model.edit",
    "set_model_version": "chartaudit.model.edit",
    "MODEL_FILES": "chartaudit.model.files",
    "REQUIRED_FILES": "chartaudit.model.files",
    "Changelog": "chartaudit.model.files",
}

__all__ = [
    "MODEL_FILES",
    "REQUIRED_FILES",
    "BuildReport",
    "Changelog",
    "ModelError",
    "ModelFileError",
    "ModelInfo",
    "add_context_rules",
    "add_lexicon_terms",
    "build_model",
    "content_hash",
    "copy_model",
    "is_artifact",
    "model_directory",
    "model_info",
    "read_artifact",
    "set_model_version",
    "validate_model",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
