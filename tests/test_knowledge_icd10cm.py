"""The precomputed ICD-10-CM tables: validity, hierarchy, hints, sides, Excludes1, history, search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chartaudit.knowledge import Icd10cm
from chartaudit.knowledge.codes import matches_pattern
from chartaudit.knowledge.tables import HistoryCodes, SymptomTable
from chartaudit.resources import default_model_dir, icd10cm_dir


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Icd10cm:
    """The shipped tables; built into a temporary file when the checkout lacks them."""
    path = icd10cm_dir() / "icd10cm-2026.json.gz"
    if not path.is_file():
        from chartaudit.knowledge.build import build_tables, write_tables

        path = tmp_path_factory.mktemp("icd10cm") / "icd10cm-2026.json.gz"
        write_tables(build_tables(), path)
    return Icd10cm.load(path)


def test_load_is_cached_per_path(kb: Icd10cm) -> None:
    assert Icd10cm.load(kb.path) is kb


def test_counts_match_the_2026_tables(kb: Icd10cm) -> None:
    assert len(kb) == 98186
    assert sum(1 for _ in kb.billable_codes()) == 74719


@pytest.mark.parametrize(
    ("code", "valid", "billable"),
    [
        ("M25.511", True, True),
        ("m25511", True, True),
        ("M25.5", True, False),
        ("M25", True, False),
        ("E11", True, False),
        ("E11.9", True, True),
        ("I10", True, True),
        ("S93.401", True, False),
        ("S93.401A", True, True),
        ("S01.01XA", True, True),
        ("B99", True, False),  # a category that shares its name with its block
        ("QA0.0101", True, True),
        ("C00-C96", False, False),  # a block
        ("13", False, False),  # a chapter
        ("XYZ", False, False),
        ("R07.99", False, False),
        ("M25.5111", False, False),
        ("", False, False),
    ],
)
def test_valid_and_billable(kb: Icd10cm, code: str, valid: bool, billable: bool) -> None:
    assert kb.is_valid(code) is valid
    assert kb.is_billable(code) is billable


def test_descriptions_including_derived_seventh_characters(kb: Icd10cm) -> None:
    assert kb.description("M25.511") == "Pain in right shoulder"
    assert kb.description("S93.401A") == "Sprain of unspecified ligament of right ankle, initial encounter"
    assert kb.description("S01.01XS") == "Laceration without foreign body of scalp, sequela"
    assert kb.description("XYZ") == ""
    assert kb.normalize("m25511") == "M25.511"


def test_hierarchy(kb: Icd10cm) -> None:
    assert kb.parent("M25.511") == "M25.51"
    assert kb.parent("M25") is None
    assert kb.parent("S01.01XA") == "S01.01"
    assert kb.parent("H21.1X1") == "H21.1X"  # a subcategory that itself ends in X
    assert kb.ancestors("M25.511") == ["M25.51", "M25.5", "M25"]
    assert kb.children("S93.401") == ["S93.401A", "S93.401D", "S93.401S"]
    assert kb.children("M25.511") == []
    assert kb.is_ancestor("M25.5", "M25.511")
    assert not kb.is_ancestor("M25.511", "M25.511")
    assert not kb.is_ancestor("M25.511", "M25.5")
    assert kb.related("M25.51", "M25.511") and kb.related("M25.511", "M25.51")
    assert not kb.related("M25.511", "M25.512")
    assert kb.billable_descendants("M25.51") == ["M25.511", "M25.512", "M25.519"]
    assert kb.billable_descendants("M25.511") == ["M25.511"]
    assert len(kb.billable_descendants("S52", limit=10)) == 10
    assert kb.category("m25511") == "M25"


def test_billable_hint_names_what_is_missing(kb: Icd10cm) -> None:
    seventh = kb.billable_hint("S93.401")
    assert "7th character" in seventh and "A (initial encounter)" in seventh and "S93.401A" in seventh
    placeholder = kb.billable_hint("S01.01")
    assert "placeholder X" in placeholder and "S01.01XA" in placeholder
    more = kb.billable_hint("M25.5")
    assert more.startswith("M25.5 needs more characters") and "M25.50" in more and "M25.51-" in more
    assert "7th character" in kb.billable_hint("S93.40")
    assert kb.billable_hint("M25.511") == ""
    assert kb.billable_hint("XYZ") == ""


def test_default_billable(kb: Icd10cm) -> None:
    assert kb.default_billable("E11") == "E11.9"
    assert kb.default_billable("M25.5") == "M25.50"
    assert kb.default_billable("M25.51") == "M25.519"
    assert kb.default_billable("S93.40") == "S93.409A"
    assert kb.default_billable("I10") == "I10"
    assert kb.default_billable("XYZ") is None


@pytest.mark.parametrize(
    ("code", "nearest"),
    [("M25.5111", "M25.511"), ("R07.99", "R07.9"), ("S01.01A", "S01.01XA"), ("XYZ", None), ("1234", None)],
)
def test_nearest_valid(kb: Icd10cm, code: str, nearest: str | None) -> None:
    assert kb.nearest_valid(code) == nearest


def test_laterality_from_titles_with_a_side_axis(kb: Icd10cm) -> None:
    assert kb.laterality("M25.511") == "right"
    assert kb.laterality("M25.512") == "left"
    assert kb.laterality("M25.519") == "unspecified"
    assert kb.laterality("H40.1131") == "bilateral"
    assert kb.laterality("M17.0") == "bilateral"
    assert kb.laterality("M25.51") is None  # "Pain in shoulder" states no side
    assert kb.laterality("I50.1") is None  # "Left ventricular failure" is not a side
    assert kb.laterality("E11.9") is None


def test_laterality_siblings(kb: Icd10cm) -> None:
    assert kb.laterality_siblings("M25.511") == {"right": "M25.511", "left": "M25.512", "unspecified": "M25.519"}
    assert kb.laterality_siblings("S93.401A") == {
        "right": "S93.401A",
        "left": "S93.402A",
        "unspecified": "S93.409A",
    }
    assert kb.laterality_siblings("H10.11") == {
        "right": "H10.11",
        "left": "H10.12",
        "bilateral": "H10.13",
        "unspecified": "H10.10",
    }
    assert kb.laterality_siblings("M17.11")["bilateral"] == "M17.0"
    assert kb.laterality_siblings("E11.9") == {}


def test_with_laterality(kb: Icd10cm) -> None:
    assert kb.with_laterality("M25.511", "left") == "M25.512"
    assert kb.with_laterality("M25.51", "right") == "M25.511"
    assert kb.with_laterality("S93.401A", "left") == "S93.402A"
    assert kb.with_laterality("M17.11", "bilateral") == "M17.0"
    assert kb.with_laterality("E11.9", "left") is None


def test_unspecified_and_more_specific(kb: Icd10cm) -> None:
    assert kb.is_unspecified("M25.519")
    assert kb.is_unspecified("R07.9")
    assert not kb.is_unspecified("M25.511")
    assert kb.more_specific("M25.519") == ["M25.511", "M25.512"]
    assert kb.more_specific("S93.409A") == ["S93.401A", "S93.402A"]
    assert "R07.89" in kb.more_specific("R07.9") and "R07.9" not in kb.more_specific("R07.9")
    assert kb.more_specific("M25.511") == []


def test_excludes1_notes_and_patterns(kb: Icd10cm) -> None:
    notes = dict(kb.excludes1_notes("E11.9"))
    assert notes["type 1 diabetes mellitus (E10.-)"] == ["E10"]  # inherited from E11
    assert notes["gestational diabetes (O24.4-)"] == ["O24.4"]
    i10 = dict(kb.excludes1_notes("I10"))
    assert i10["hypertensive disease complicating pregnancy, childbirth and the puerperium (O10-O11, O13-O16)"] == [
        "O10-O11",
        "O13-O16",
    ]
    assert i10["primary pulmonary hypertension (I27.0)"] == ["I27.0"]  # from block I10-I1A
    assert kb.note_patterns("diabetes mellitus (E08-E13 with .42)") == ["E08.42", "E09.42", "E10.42", "E11.42",
                                                                       "E13.42"]
    assert kb.note_patterns("open skull fracture (S02.- with 7th character B)") == []


@pytest.mark.parametrize(
    ("first", "second", "owner"),
    [
        ("E11.9", "E10.9", "E11.9"),  # each category excludes the other: the first code's note
        ("E10.9", "E11.9", "E10.9"),
        ("M54.50", "S39.012A", "M54.50"),  # one direction only: low back pain excludes low back strain
        ("S39.012A", "M54.50", "M54.50"),
        ("I10", "O10.013", "I10"),
        ("O10.013", "I10", "I10"),
        ("E11.9", "O24.410", "E11.9"),
        ("N39.0", "N30.00", "N39.0"),
        ("G63", "E11.42", "G63"),  # "(E08-E13 with .42)"
    ],
)
def test_excludes1_conflict_in_both_orders(kb: Icd10cm, first: str, second: str, owner: str) -> None:
    conflict = kb.excludes1_conflict(first, second)
    assert conflict is not None
    assert conflict[0] == owner
    assert {conflict[0], conflict[1]} == {first, second}
    assert conflict[2]


@pytest.mark.parametrize(("first", "second"), [("E11.9", "I10"), ("R07.9", "I21.9"), ("E11.9", "E11.9"),
                                               ("E11.9", "XYZ"), ("I10", "I11.9")])
def test_no_excludes1_conflict(kb: Icd10cm, first: str, second: str) -> None:
    assert kb.excludes1_conflict(first, second) is None


@pytest.mark.parametrize(
    ("code", "personal", "family"),
    [
        ("I21.9", "I25.2", "Z82.49"),
        ("I22.0", "I25.2", "Z82.49"),
        ("C50.911", "Z85.3", "Z80.3"),
        ("C18.9", "Z85.038", "Z80.0"),
        ("C34.90", "Z85.118", "Z80.1"),
        ("C61", "Z85.46", "Z80.42"),
        ("C92.00", "Z85.6", "Z80.6"),
        ("I63.9", "Z86.73", "Z82.3"),
        ("I26.99", "Z86.711", "Z82.49"),
        ("I82.409", "Z86.718", "Z82.49"),
        ("E11.9", None, "Z83.3"),
        ("I10", None, "Z82.49"),
        ("I25.10", None, "Z82.49"),
        ("J45.909", "Z87.09", "Z82.5"),
        ("N18.30", None, "Z84.19"),
        ("F10.20", None, "Z81.1"),
        ("F32.A", "Z86.59", "Z81.8"),
        ("G40.909", "Z86.69", "Z82.0"),
        ("Q21.0", "Z87.74", "Z82.79"),
        ("N39.0", "Z87.440", "Z84.2"),
        ("A15.0", "Z86.11", "Z83.1"),
        ("K35.80", None, None),
        ("R07.9", None, None),
        ("XYZ", None, None),
    ],
)
def test_history_codes(kb: Icd10cm, code: str, personal: str | None, family: str | None) -> None:
    assert kb.history_codes(code) == (personal, family)


def test_history_table_uses_valid_keys_and_billable_z_codes(kb: Icd10cm) -> None:
    path = HistoryCodes.path_in(default_model_dir())
    assert "_comment" in json.loads(path.read_text(encoding="utf-8"))
    rules = HistoryCodes.from_json(path).rules
    assert len(rules) > 100
    for pattern, personal, family in rules:
        for end in pattern.split("-"):
            assert kb.is_valid(end), pattern
        for code in (personal, family):
            assert code is None or kb.is_billable(code), (pattern, code)


def test_history_rules_prefer_the_most_specific(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_text(json.dumps({
        "_comment": "test",
        "C00-C96": {"personal": "Z85.9", "family": "Z80.9"},
        "C50": {"personal": "Z85.3", "family": "Z80.3"},
        "C91-C95": {"personal": "Z85.6", "family": "Z80.6"},
    }), encoding="utf-8")
    assert [pattern for pattern, _, _ in HistoryCodes.from_json(path).rules] == ["C50", "C91-C95", "C00-C96"]


def test_symptoms(kb: Icd10cm) -> None:
    assert kb.is_symptom("R07.9")
    assert kb.is_symptom("r0789")
    assert kb.is_symptom("M25.511")
    assert kb.is_symptom("M54.50")
    assert kb.is_symptom("M79.604")
    assert not kb.is_symptom("I21.9")
    assert not kb.is_symptom("M17.11")
    assert kb.symptom_integral_to("R07.9", "I21.4")
    assert kb.symptom_integral_to("R05.9", "J18.9")
    assert kb.symptom_integral_to("R50.9", "N39.0")
    assert kb.symptom_integral_to("R30.0", "N39.0")
    assert kb.symptom_integral_to("M54.50", "M51.16")
    assert kb.symptom_integral_to("M25.561", "M17.11")
    assert not kb.symptom_integral_to("M25.512", "M17.11")  # shoulder pain is not part of knee OA
    assert not kb.symptom_integral_to("M25.562", "M17.11")  # nor is left knee pain part of right knee OA
    assert not kb.symptom_integral_to("R05.9", "I21.4")
    assert kb.symptom_note("R05.9", "J18.9")


def test_symptom_table_uses_valid_codes(kb: Icd10cm) -> None:
    table = SymptomTable.from_dir(default_model_dir())
    rules, prefixes = table.rules, table.prefixes
    assert len(rules) > 25
    for rule in rules:
        for pattern in (rule.symptom, *rule.diagnoses):
            for end in pattern.split("-"):
                assert kb.is_valid(end), pattern
        assert rule.note
    for prefix in prefixes:
        assert kb.is_valid(prefix) and not prefix.startswith("R")
        assert any(matches_pattern(code, prefix) for code in kb.billable_descendants(prefix))


def test_search_by_code_prefix(kb: Icd10cm) -> None:
    results = kb.search("m255", limit=5)
    assert results[0] == ("M25.5", "Pain in joint")
    assert all(code.startswith("M25.5") for code, _ in results)
    assert [code for code, _ in kb.search("M25.51")] == ["M25.51", "M25.511", "M25.512", "M25.519"]
    assert kb.search("S93.401A") == [("S93.401A", kb.description("S93.401A"))]


def test_search_finds_plural_and_british_queries_by_their_lemma(kb: Icd10cm) -> None:
    """A query word is looked up by its lemma (the model's word normaliser) as the start of title words."""
    assert [code for code, _ in kb.search("allergies", limit=5)] == [code for code, _ in kb.search("allergy", limit=5)]
    assert "T78.40XA" in {code for code, _ in kb.search("allergies", limit=5)}  # Allergy, unspecified
    assert kb.search("kidney stones")[0][0] == "N20.0"  # Calculus of kidney (inclusion term: kidney stone)
    assert kb.search("calculi", limit=3)[0][0] == "N20.0"  # an irregular plural
    assert "D64.9" in {code for code, _ in kb.search("anaemia", limit=5)}  # Anemia, unspecified


def test_search_by_words(kb: Icd10cm) -> None:
    assert {code for code, _ in kb.search("shoulder pain", limit=3)} == {"M25.511", "M25.512", "M25.519"}
    assert kb.search("right shoulder pain")[0][0] == "M25.511"
    assert kb.search("high blood pressure")[0][0] == "I10"  # an inclusion term
    ankle = [code for code, _ in kb.search("sprain right ankle initial", limit=50)]
    assert "S93.401A" in ankle and all(code.endswith("A") for code in ankle)
    assert kb.search("") == [] and kb.search("zzzzqqq") == [] and kb.search("of the") == []
    assert len(kb.search("pain", limit=7)) == 7


def test_inclusion_terms(kb: Icd10cm) -> None:
    terms = kb.inclusion_terms("I10")
    assert "high blood pressure" in terms
    assert "Gestational diabetes mellitus NOS" in kb.inclusion_terms("O24.4")
    assert kb.inclusion_terms("XYZ") == []


def test_sections(kb: Icd10cm) -> None:
    names = [name for name, _ in kb.sections("M1A.071")]
    assert names[0] == "M05-M14" and names[-1] == "13"
    assert [name for name, _ in kb.sections("B99.9")][0] == "B99"


def test_every_method_answers_no_for_unknown_input(kb: Icd10cm) -> None:
    for bad in ("", "XYZ", "C00-C96", "13", "M25.5111", "\x00", "é"):
        assert not kb.is_valid(bad) and not kb.is_billable(bad)
        assert kb.description(bad) == "" and kb.billable_hint(bad) == ""
        assert kb.parent(bad) is None and kb.ancestors(bad) == [] and kb.children(bad) == []
        assert kb.laterality(bad) is None and kb.laterality_siblings(bad) == {}
        assert kb.with_laterality(bad, "right") is None and kb.more_specific(bad) == []
        assert kb.excludes1_notes(bad) == [] and kb.excludes1_conflict(bad, "E11.9") is None
        assert kb.billable_descendants(bad) == [] and kb.inclusion_terms(bad) == []
        assert not kb.related(bad, bad) and not kb.is_ancestor(bad, "E11.9")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=12))
def test_methods_never_raise_on_any_string(kb: Icd10cm, text: str) -> None:
    kb.is_valid(text)
    kb.is_billable(text)
    kb.description(text)
    kb.nearest_valid(text)
    kb.history_codes(text)
    kb.is_symptom(text)
    kb.symptom_integral_to(text, text)
    kb.search(text, limit=3)
    kb.laterality(text)
