"""The model data: every code is real ICD-10-CM 2026, files load, the runtime stays light."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest

from chartaudit.resources import default_model_dir, icd10cm_dir
from chartaudit.resources.words import WordRules

MODEL = default_model_dir()


@pytest.fixture(scope="module")
def icd():
    return pytest.importorskip("simple_icd_10_cm")


def lexicon_rows() -> list[dict[str, str]]:
    with (MODEL / "lexicon.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_lexicon_codes_exist_in_icd10cm_2026(icd) -> None:
    rows = lexicon_rows()
    assert len(rows) >= 300
    # An empty code is a concept without a code ("non-smoker"; models/README.md).
    codes = [code.rstrip("-") for row in rows for code in row["code"].split("|") if code]
    invalid = [code for code in codes if not icd.is_valid_item(code) or icd.is_chapter(code)]
    assert invalid == []
    assert all(row["concept"] for row in rows)


def test_lexicon_has_no_duplicate_phrases() -> None:
    phrase_key = WordRules.from_dir(MODEL).phrase_key
    phrases = [phrase_key(row["phrase"].split()) for row in lexicon_rows()]
    assert len(phrases) == len(set(phrases))


def test_abbreviation_long_forms_are_lexicon_phrases() -> None:
    phrases = {row["phrase"].lower() for row in lexicon_rows()}
    data = json.loads((MODEL / "abbreviations.json").read_text(encoding="utf-8"))
    for short_form, value in data["abbreviations"].items():
        long_form = value if isinstance(value, str) else value["long"]
        assert long_form.lower() in phrases, short_form


def test_generated_terms_file(icd) -> None:
    import gzip

    path = icd10cm_dir() / "terms-2026.json.gz"
    assert path.stat().st_size < 5_000_000
    data = json.loads(gzip.open(path).read())
    assert data["meta"]["phrase_count"] > 30_000
    for base, sides in list(data["families"].items())[::200]:
        assert icd.is_valid_item(base)
        assert all(icd.is_valid_item(code) for code in sides.values())
    assert data["families"]["M25.51"] == {"right": "M25.511", "left": "M25.512", "unspecified": "M25.519"}
    sample = [line.split("\t")[1] for group in list(data["terms"].values())[::50] for line in group.split("\n")]
    for codes in sample:
        assert all(icd.is_valid_item(code) for code in codes.split(","))


def test_meta() -> None:
    meta = json.loads((MODEL / "meta.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", meta["version"])
    changelog = (MODEL / meta["changelog"]).read_text(encoding="utf-8")
    assert "## Unreleased" in changelog
    assert f"## {meta['version']}" in changelog


def test_context_and_section_rules_load() -> None:
    from chartaudit.extract.context.rules import ContextRules, load_context_rules
    from chartaudit.extract.sections import SectionRules

    rules = load_context_rules(MODEL)
    assert {rule.category for rule in rules} <= ContextRules.CATEGORIES
    categories = SectionRules.from_json(MODEL / "section_rules.json").categories
    assert {"assessment_and_plan", "family_history", "other"} <= categories


def test_runtime_imports_no_quickumls_nor_simple_icd() -> None:
    code = (
        "import sys\n"
        "from chartaudit.extract import Extractor\n"
        "Extractor().extract('Denies chest pain.')\n"
        "bad = [name for name in ('quickumls', 'nltk', 'scipy', 'simple_icd_10_cm') if name in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_package_import_is_lazy() -> None:
    code = "import sys\nimport chartaudit.extract\nprint('spacy' in sys.modules)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
