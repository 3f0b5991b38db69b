"""The files a model directory may hold: the ordered registry of their owner classes.

Each file has one owner class, next to the code that reads it; the owner holds
the file's name, a one-line description, whether it is required, its schema and
its loader (see :mod:`chartaudit.resources.files`). :data:`MODEL_FILES` lists
them in the order :func:`chartaudit.model.validate_model` checks them: the
configuration and the lexicon first (others refer to them), the changelog last.
"""

from __future__ import annotations

import re
from pathlib import Path

from chartaudit.extract.config import ModelConfig
from chartaudit.extract.context.rules import ContextRules, TemporalityRules
from chartaudit.extract.laterality.rules import LateralityRules
from chartaudit.extract.lexicon import Abbreviations, Lexicon
from chartaudit.extract.sections.rules import SectionRules
from chartaudit.extract.sentences.rules import SentenceRules
from chartaudit.knowledge.tables import HistoryCodes, SymptomTable
from chartaudit.resources.files import FileCheck, ModelFile
from chartaudit.resources.words import WordRules


class Changelog(ModelFile):
    """``CHANGELOG.md``: what changed in each version, for people.

    A release has a ``## <version>`` heading; changes not released yet are listed
    under ``## Unreleased``. A missing file, or no heading for the version of
    ``meta.json``, is a warning, never a problem.
    """

    FILE_NAME = "CHANGELOG.md"
    DESCRIPTION = "what changed in each version"
    UNRELEASED_HEADING = "## Unreleased"

    @classmethod
    def check(cls, check: FileCheck) -> None:
        meta = check.earlier.get(ModelConfig.FILE_NAME)
        version = str(meta.get("version", "")) if isinstance(meta, dict) else ""
        if not re.search(rf"^##\s*\[?{re.escape(version)}\]?(\s|$)", check.text, re.MULTILINE):
            check.warning(f"no \"## {version}\" heading for the version in {ModelConfig.FILE_NAME}")

    @classmethod
    def from_dir(cls, model_dir: Path | str) -> str:
        """The changelog's text ("" when the model has none)."""
        path = cls.path_in(model_dir)
        return path.read_text(encoding="utf-8") if path.is_file() else ""


#: Every model file's owner, in the order they are checked.
MODEL_FILES: tuple[type[ModelFile], ...] = (
    ModelConfig,
    Lexicon,
    Abbreviations,
    LateralityRules,
    ContextRules,
    HistoryCodes,
    WordRules,
    SectionRules,
    SentenceRules,
    SymptomTable,
    TemporalityRules,
    Changelog,
)

#: Files that must be present for a directory to count as a model.
REQUIRED_FILES: tuple[str, ...] = tuple(owner.FILE_NAME for owner in MODEL_FILES if owner.REQUIRED)
