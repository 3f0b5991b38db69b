"""The configuration of a model: ``meta.json``, its name, version and each component's config.

``meta.json`` names the model and its version and, like spaCy's ``config.cfg``,
carries each pipeline component's tunable configuration under ``components``
(``targets``, ``context``, ``fuzzy``, ``words``). :class:`ModelConfig` owns the file: it
holds the schema (the keys each component may have) and refuses a key it does
not know, naming the allowed ones.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from chartaudit.resources import icd10cm_dir
from chartaudit.resources.files import FileCheck, ModelFile

#: A model version: MAJOR.MINOR.PATCH, optionally with a pre-release or build suffix.
VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.-]+)?$")

#: The keys of each component's configuration (``components.<name>``), and of the
#: objects nested in it ("targets.word_forms"). models/README.md says what each does.
COMPONENT_KEYS: dict[str, tuple[str, ...]] = {
    "targets": (
        "max_phrase_tokens", "skip_words", "stop_phrases", "drop_patterns", "optional_words",
        "reorder_prepositions", "reorder_max_head_tokens", "reorder_max_tail_tokens", "edge_words",
        "split_conjunctions", "max_synonym_variants", "synonyms", "word_forms", "organ_findings", "coordination",
        "index",
    ),
    "targets.index": (
        "artifact", "skip_main_terms", "stop_main_terms", "short_forms", "plurals", "max_phrase_tokens",
        "max_alias_nodes", "max_variants", "stop_words", "stop_phrases", "min_single_word_length",
        "neoplasm_phrases", "max_rank_long",
    ),
    "targets.word_forms": ("suffix_rules", "words", "min_length", "not_before"),
    "targets.organ_findings": ("nouns", "organs"),
    "targets.coordination": ("conjunctions", "max_modifiers"),
    "context": ("section_assertions",),
    "words": ("enabled", "artifact", "function_words", "weak_words", "cut_words", "min_words", "max_window_words", "max_windows"),
    "fuzzy": (
        "enabled", "artifact", "max_phrase_words", "threshold", "typo_threshold", "min_typo_length",
        "min_single_typo_length", "min_indel_length", "prepositions", "max_tail_words", "max_candidates",
        "known_words", "top_k", "stem_length", "rare_count", "max_rows", "min_correction_count", "correction_ratio",
    ),
}


class ModelConfig(ModelFile):
    """``meta.json``: the model's name and version, and the configuration of each component.

    data (dict[str, Any]): The parsed file.
    """

    FILE_NAME = "meta.json"
    DESCRIPTION = "name, version, description, per-component configuration"
    REQUIRED = True
    MISSING = "an unnamed model with the built-in configuration"
    KEYS: ClassVar[tuple[str, ...]] = ("name", "version", "changelog", "icd10cm_terms", "components")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.data.get("version", ""))

    @property
    def description(self) -> str:
        return str(self.data.get("description", ""))

    @property
    def icd10cm_terms(self) -> str | None:
        """The generated ICD-10-CM terms file (in ``models/icd10cm/``) the model names, if any."""
        terms = self.data.get("icd10cm_terms")
        return None if terms is None else str(terms)

    def component_config(self, component: str) -> dict[str, Any]:
        """The configuration of one component (an empty dict when the file gives none).

        component (str): "targets", "context", "fuzzy" or "words".
        RETURNS (dict[str, Any]): A copy of ``components.<component>``.
        """
        return dict(self.data.get("components", {}).get(component, {}))

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any]:
        meta = check.parse_json()
        if meta is None:
            return {}
        if not isinstance(meta, dict):
            check.problem("must be a JSON object", line=1)
            return {}
        check.known_keys(meta, cls.KEYS)
        for key in ("name", "version"):
            if not isinstance(meta.get(key), str) or not meta[key].strip():
                check.problem(f"\"{key}\" must be a non-empty string")
        version = meta.get("version")
        if isinstance(version, str) and version.strip() and not VERSION_PATTERN.match(version):
            check.problem(f"version {version!r} is not MAJOR.MINOR.PATCH", value=version)
        components = meta.get("components", {})
        if not isinstance(components, dict):
            check.problem("\"components\" must be an object of component name -> configuration")
        else:
            cls._check_components(components, check)
        terms_file = meta.get("icd10cm_terms")
        if terms_file is not None and check.validating and not (icd10cm_dir() / str(terms_file)).is_file():
            check.problem(f"icd10cm_terms {terms_file!r} is not a file in {icd10cm_dir()}", value=terms_file)
        return meta

    @staticmethod
    def _check_components(components: dict[str, Any], check: FileCheck) -> None:
        names = [name for name in COMPONENT_KEYS if "." not in name]
        check.known_keys(components, names, "components")
        for name, config in components.items():
            if name not in COMPONENT_KEYS or name.startswith("_"):
                continue
            if not isinstance(config, dict):
                check.problem(f"components.{name}: must be an object", value=name)
                continue
            check.known_keys(config, COMPONENT_KEYS[name], f"components.{name}")
            for key, value in config.items():
                nested = COMPONENT_KEYS.get(f"{name}.{key}")
                if nested is not None and isinstance(value, dict):
                    check.known_keys(value, nested, f"components.{name}.{key}")

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ModelConfig":
        return cls(data)

    @classmethod
    def when_missing(cls) -> "ModelConfig":
        return cls({"name": "unnamed", "version": "0.0.0", "components": {}})
