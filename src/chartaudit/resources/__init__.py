"""Where chartaudit finds its data, and what a model is made of: the lowest layer.

This module gives the paths (the model directories, the ICD-10-CM tables, the
samples). Its submodules hold what every layer above needs to *load* a model,
and nothing that edits one (that is :mod:`chartaudit.model`):

* :mod:`~chartaudit.resources.artifact`: model artifacts (``*.chartaudit``) and
  :func:`~chartaudit.resources.artifact.model_directory`, which turns a model
  (directory or artifact) into a directory of model files;
* :mod:`~chartaudit.resources.files`: :class:`~chartaudit.resources.files.ModelFile`,
  the base of the class that owns each model file (its name, schema, loading),
  and :class:`~chartaudit.resources.files.ModelFileError`;
* :mod:`~chartaudit.resources.words`: the one word normaliser and the lexical data
  of ``lexical.json``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root when chartaudit runs from a checkout (editable install).
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def models_root() -> Path:
    """The ``models/`` directory; ``CHARTAUDIT_MODELS`` overrides it."""
    override = os.environ.get("CHARTAUDIT_MODELS")
    return Path(override) if override else PROJECT_ROOT / "models"


def default_model_dir() -> Path:
    """The editable default model: lexicon, abbreviations, context and section rules."""
    return models_root() / "default"


def icd10cm_dir() -> Path:
    """Precomputed ICD-10-CM knowledge and generated target terms."""
    return models_root() / "icd10cm"


def samples_dir() -> Path:
    """The demo encounters and demo policy shipped in ``data/samples``."""
    return PROJECT_ROOT / "data" / "samples"


def shared_data_dir() -> Path | None:
    """Public evaluation data beside the project (``../shared/data``), when present."""
    override = os.environ.get("CHARTAUDIT_SHARED_DATA")
    candidate = Path(override) if override else PROJECT_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None
