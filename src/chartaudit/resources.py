"""Where chartaudit finds its data: the model directory and the ICD-10-CM tables.

Usage::

    from chartaudit.resources import default_model_dir
    lexicon_path = default_model_dir() / "lexicon.csv"
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root when chartaudit runs from a checkout (editable install).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


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
