"""The files a model directory may hold: the ordered registry of their owner classes.

Each file has one owner class, next to the code that reads it; the owner holds
the file's name, a one-line description, whether it is required, its schema and
its loader (see :mod:`chartaudit.resources.files`). :data:`MODEL_FILES` lists
them in the order :func:`chartaudit.model.validate_model` checks them: the
configuration and the lexicon first (others refer to them), the changelog last.
"""

from __future__ import annotations

import re

from chartaudit.compare.specificity import SpecificityRules
from chartaudit.extract.config import ModelConfig
from chartaudit.extract.context.rules import ContextRules, TemporalityRules
from chartaudit.extract.evidence.tables import (AllergyCodes, BmiCodes, DrugClasses, EncounterTerms, ExternalCauses,
                                                StatusTerms)
from chartaudit.extract.laterality.rules import LateralityRules
from chartaudit.extract.lexicon import Abbreviations, Lexicon
from chartaudit.extract.sections.rules import SectionRules
from chartaudit.extract.sentences.rules import SentenceRules
from chartaudit.knowledge.tables import HistoryCodes, ScreeningCodes, SymptomTable
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
    MISSING = "record what changed in each version there"

    @classmethod
    def check(cls, check: FileCheck) -> str:
        meta = check.earlier.get(ModelConfig.FILE_NAME)
        version = str(meta.get("version", "")) if isinstance(meta, dict) else ""
        if not re.search(rf"^##\s*\[?{re.escape(version)}\]?(\s|$)", check.text, re.MULTILINE):
            check.warning(f"no \"## {version}\" heading for the version in {ModelConfig.FILE_NAME}")
        return check.text

    @classmethod
    def from_data(cls, data: str) -> str:
        return data

    @classmethod
    def when_missing(cls) -> str:
        return ""


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
    SpecificityRules,
    ScreeningCodes,
    DrugClasses,
    AllergyCodes,
    StatusTerms,
    EncounterTerms,
    ExternalCauses,
    BmiCodes,
    Changelog,
)

#: Files that must be present for a directory to count as a model.
REQUIRED_FILES: tuple[str, ...] = tuple(owner.FILE_NAME for owner in MODEL_FILES if owner.REQUIRED)
