"""Each model file's owner class: a good file loads; an unknown key is refused with one
line naming the file and the allowed keys, at run time and by validation alike."""

from __future__ import annotations

import ast
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chartaudit.compare.specificity import SpecificityRules
from chartaudit.extract.config import COMPONENT_KEYS, ModelConfig
from chartaudit.extract.context.rules import ContextRules, TemporalityRules
from chartaudit.extract.evidence.tables import (AllergyCodes, BmiCodes, DrugClasses, EncounterTerms, ExternalCauses,
                                                StatusTerms)
from chartaudit.extract.fuzzy import FuzzyConfig
from chartaudit.extract.laterality.rules import LateralityRules
from chartaudit.extract.lexicon import Abbreviations, Lexicon
from chartaudit.extract.sections.rules import SectionRules
from chartaudit.extract.sentences.rules import SentenceRules
from chartaudit.knowledge.tables import HistoryCodes, ScreeningCodes, SymptomTable
from chartaudit.model import MODEL_FILES, Changelog, ModelError, ModelFileError, validate_model
from chartaudit.resources import PROJECT_ROOT, default_model_dir
from chartaudit.resources.files import ModelFile
from chartaudit.resources.words import WordRules

DEFAULT = default_model_dir()


def _top(data: dict[str, Any]) -> None:
    data["frobnicate"] = 1


def _first_rule(key: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[key][0]["frobnicate"] = 1
    return change


def _component(data: dict[str, Any]) -> None:
    data["components"]["targets"]["frobnicate"] = 1


def _abbreviation_entry(data: dict[str, Any]) -> None:
    data["abbreviations"]["PE"] = {"long": data["abbreviations"]["PE"]["long"], "frobnicate": []}


def _section_metadata(data: dict[str, Any]) -> None:
    rule = next(rule for rule in data["section_rules"] if rule.get("metadata"))
    rule["metadata"]["frobnicate"] = True


def _history_entry(data: dict[str, Any]) -> None:
    data["C50"]["frobnicate"] = "Z85.3"


def _drug_class(data: dict[str, Any]) -> None:
    data["classes"]["Z79.01"]["frobnicate"] = []


def _allergy_class(data: dict[str, Any]) -> None:
    data["classes"]["Z88.0"]["frobnicate"] = []


def _bmi_patterns(data: dict[str, Any]) -> None:
    data["patterns"]["frobnicate"] = []


#: (owner, how to break its default file with an unknown key, the keys the message must name)
JSON_CASES: list[tuple[type[ModelFile], Callable[[dict[str, Any]], None], tuple[str, ...]]] = [
    (ModelConfig, _top, ModelConfig.KEYS),
    (ModelConfig, _component, COMPONENT_KEYS["targets"]),
    (Abbreviations, _top, Abbreviations.KEYS),
    (Abbreviations, _abbreviation_entry, Abbreviations.ENTRY_KEYS),
    (LateralityRules, _top, LateralityRules.KEYS),
    (ContextRules, _top, ContextRules.KEYS),
    (ContextRules, _first_rule("context_rules"), ("literal", "category", "direction", "terminated_by")),
    (TemporalityRules, _top, TemporalityRules.KEYS),
    (TemporalityRules, _first_rule("context_rules"), ("literal", "category", "direction", "terminated_by")),
    (SectionRules, _top, SectionRules.KEYS),
    (SectionRules, _first_rule("section_rules"), SectionRules.RULE_KEYS),
    (SectionRules, _section_metadata, SectionRules.METADATA_KEYS),
    (SentenceRules, _top, SentenceRules.KEYS),
    (HistoryCodes, _history_entry, HistoryCodes.ENTRY_KEYS),
    (SymptomTable, _top, SymptomTable.KEYS),
    (SymptomTable, _first_rule("rules"), SymptomTable.RULE_KEYS),
    (WordRules, _top, WordRules.KEYS),
    (SpecificityRules, _top, SpecificityRules.KEYS),
    (DrugClasses, _top, DrugClasses.KEYS),
    (DrugClasses, _drug_class, DrugClasses.CLASS_KEYS),
    (AllergyCodes, _top, AllergyCodes.KEYS),
    (AllergyCodes, _allergy_class, AllergyCodes.CLASS_KEYS),
    (StatusTerms, _top, tuple(StatusTerms.TABLES)),
    (EncounterTerms, _top, tuple(EncounterTerms.TABLES)),
    (ExternalCauses, _top, tuple(ExternalCauses.TABLES)),
    (BmiCodes, _top, BmiCodes.KEYS),
    (BmiCodes, _bmi_patterns, BmiCodes.SCALES),
]


@pytest.fixture()
def model(tmp_path: Path) -> Path:
    """A copy of the default model to break."""
    return Path(shutil.copytree(DEFAULT, tmp_path / "model"))


def _rewrite(owner: type[ModelFile], model: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """Change the owner's JSON file of a model copy; return its path."""
    path = owner.path_in(model)
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _one_line(error: Exception) -> str:
    message = str(error)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("owner", MODEL_FILES, ids=lambda owner: owner.FILE_NAME)
def test_the_default_file_loads(owner: type[ModelFile]) -> None:
    assert owner.path_in(DEFAULT).is_file()
    assert owner.from_dir(DEFAULT) is not None


@pytest.mark.parametrize(("owner", "change", "allowed"), JSON_CASES,
                         ids=lambda value: getattr(value, "FILE_NAME", getattr(value, "__name__", "")))
def test_an_unknown_key_is_refused_naming_the_allowed_ones(model: Path, owner: type[ModelFile],
                                                          change: Callable[[dict[str, Any]], None],
                                                          allowed: tuple[str, ...]) -> None:
    path = _rewrite(owner, model, change)
    with pytest.raises(ModelFileError) as raised:
        owner.from_dir(model)
    message = _one_line(raised.value)
    assert message.startswith(f"{path}: line ")
    assert "unknown key 'frobnicate'; allowed: " in message
    assert all(key in message.split("allowed: ", 1)[1] for key in allowed), message
    with pytest.raises(ModelError) as validated:  # build-model says the same
        validate_model(model)
    assert _one_line(validated.value).startswith(message)


@pytest.mark.parametrize(("owner", "change", "message"), [
    (DrugClasses, lambda d: d["classes"].__setitem__("I10", {"name": "x", "drugs": ["lisinopril"]}),
     "I10 is not a code of kind drug"),
    (DrugClasses, lambda d: d["classes"]["Z79.01"]["drugs"].append("Warfarin"), "'warfarin' is listed twice"),
    (DrugClasses, lambda d: d["classes"]["Z79.01"].__setitem__("colour", "red"), "unknown key 'colour'"),
    (StatusTerms, lambda d: d["curated"].__setitem__("hypertension", "I10"), "I10 is not a code of kind status"),
    (StatusTerms, lambda d: d["curated"].__setitem__("cabg", "Z95.1"), "'cabg' is listed twice"),
    (EncounterTerms, lambda d: d["screening"].__setitem__("annual exam again", "Z00.00"),
     "Z00.00 is not a code of kind screening"),
    (ExternalCauses, lambda d: d["mechanisms"].__setitem__("fracture", "S52.5"), "not a code of kind external_cause"),
    (BmiCodes, lambda d: d["adult"].insert(3, [21.5, 22.5, "Z68.22"]), "overlaps the range before it"),
    (BmiCodes, lambda d: d["patterns"]["adult"].append("BMI (\\d+)"), "has no group named 'value'"),
    (ScreeningCodes, lambda d: d.__setitem__("C18", "Z85.038"), "is not a screening code"),
])
def test_a_bad_evidence_table_entry_is_refused_with_one_line(model, owner, change, message):
    path = _rewrite(owner, model, change)
    with pytest.raises(ModelFileError) as raised:
        owner.from_dir(model)
    assert message in _one_line(raised.value)
    assert str(raised.value).startswith(str(path))


def test_an_unknown_lexicon_column_is_refused(model: Path) -> None:
    path = Lexicon.path_in(model)
    path.write_text(path.read_text(encoding="utf-8").replace("phrase,code,concept", "phrase,code,concept,colour", 1),
                    encoding="utf-8")
    with pytest.raises(ModelFileError) as raised:
        Lexicon.from_dir(model)
    assert _one_line(raised.value) == f"{path}: line 1: unknown column 'colour'; allowed: phrase, code, concept"


def test_a_good_lexicon_loads(tmp_path: Path) -> None:
    path = tmp_path / Lexicon.FILE_NAME
    path.write_text('phrase,code,concept\n# a comment,,\ntummy ache,R10.9,Abdominal pain\nnon-smoker,,Non-smoker\n'
                    '"pain, dull",R52,\n', encoding="utf-8")
    assert Lexicon.from_csv(path).rows == [("tummy ache", "R10.9", "Abdominal pain"), ("non-smoker", None, "Non-smoker"),
                                           ("pain, dull", "R52", "pain, dull")]


def test_anatomy_sides_must_be_the_classification_sides(model: Path) -> None:
    path = LateralityRules.path_in(model)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sides"]["rt"] = "dexter"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"sides 'rt': side 'dexter' is not one of right, left, bilateral"):
        LateralityRules.from_dir(model)


def test_lexical_condition_nouns_must_map_words_to_nouns(model: Path) -> None:
    path = _rewrite(WordRules, model, lambda data: data["condition_nouns"].update({"infectious": ["infection"]}))
    with pytest.raises(ModelFileError, match=r"condition_nouns.* must be an object of adjective -> noun"):
        WordRules.from_dir(model)
    assert WordRules.from_dir(DEFAULT).condition_word("infectious") == "infection"
    assert path.is_file()


def test_section_groups_name_categories_of_the_rules(model: Path) -> None:
    path = SectionRules.path_in(model)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["groups"]["assessment"].append("assesment")
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"groups 'assessment': 'assesment' is not the category of any section rule"):
        SectionRules.from_dir(model)
    groups = SectionRules.from_dir(DEFAULT).groups
    assert {"assessment", "assessment_and_plan", "plan"} <= groups["assessment"]
    assert "past_medical_history" in groups["non_assessment"]


def test_changelog_without_the_version_heading_is_a_warning(model: Path) -> None:
    path = Changelog.path_in(model)
    path.write_text(path.read_text(encoding="utf-8").replace("## 0.1.0", "## 0.0.9"), encoding="utf-8")
    assert validate_model(model)[1] == ['CHANGELOG.md: no "## 0.1.0" heading for the version in meta.json']


def test_the_registry_names_each_file_once_and_covers_the_default_model() -> None:
    names = [owner.FILE_NAME for owner in MODEL_FILES]
    assert len(names) == len(set(names))
    assert set(names) == {path.name for path in DEFAULT.iterdir() if path.is_file()}
    assert all(owner.DESCRIPTION for owner in MODEL_FILES)
    readme = (PROJECT_ROOT / "models" / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in names)


def test_the_fuzzy_configuration_keys_are_the_schema() -> None:
    fields = set(FuzzyConfig.__dataclass_fields__)
    assert fields <= set(COMPONENT_KEYS["fuzzy"])
    assert set(COMPONENT_KEYS["fuzzy"]) - fields == {"max_phrase_words"}  # read by the index build


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", ["resources", "knowledge", "extract", "compare"])
def test_the_pipeline_never_imports_the_editing_side(package: str) -> None:
    source = PROJECT_ROOT / "src" / "chartaudit" / package
    for path in source.rglob("*.py"):
        imported = _imported_modules(path)
        assert not {name for name in imported if name == "chartaudit.model" or name.startswith("chartaudit.model.")}, path
