"""The combination table: built from the Alphabetic Index's "with" subterms and the tabular notes; read at run time."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from chartaudit.knowledge import Icd10cm
from chartaudit.knowledge.alphabetic_index import read_index
from chartaudit.knowledge.combinations import CombinationTable
from chartaudit.knowledge.combinations_build import CombinationBuilder, IndexCodes, main, write_combinations

#: A few rows of the flattened Index, as ../shared/data/icd10cm_index_2025/index.csv holds them.
INDEX = """RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code
1,D,0,"Diabetes, diabetic",,,(mellitus) (sugar),E11.9
2,D,1,with,,,,
3,D,2,chronic kidney disease,,,,E11.22
4,D,2,peripheral angiopathy,,,,E11.51
5,D,3,with gangrene,,,,E11.52
6,D,1,type 1,,,,E10.9
7,D,2,with,,,,
8,D,3,chronic kidney disease,,,,E10.22
9,D,1,due to,,,,
10,D,2,drug or chemical,,,,E09.9
11,D,3,with,,,,
12,D,4,chronic kidney disease,,,,E09.22
13,D,0,"Disease, diseased",,,,
14,D,1,kidney,,,,N28.9
15,D,2,chronic,,,,N18.9
16,F,0,"Failure, failed",,,,
17,F,1,heart,,,(congestive),I50.9
18,H,0,"Hypertension, hypertensive",,,(accelerated) (benign) (essential),I10
19,H,1,with,,,,
20,H,2,heart failure,,,(congestive),I11.0
21,H,1,kidney,,,,I12.9
22,H,2,with,,,,
23,H,3,stage 1 through stage 4 chronic kidney disease,,,,I12.9
24,D,0,"Disorder, disturbance",,,,
25,D,1,anxiety,,,,F41.9
26,D,2,mixed,,,,
27,D,3,with depression,,,(mild),F41.8
28,G,0,"Gangrene, gangrenous",,,,I96
"""


class Notes:
    """The tabular notes the build reads from simple-icd-10-cm, for the codes of INDEX."""

    def own(self, code: str) -> list[tuple[frozenset[str], list[str]]]:
        return {
            "E11.22": [(frozenset({"stage", "chroni", "kidney"}), ["N18.1-N18.6"])],
            "I11.0": [(frozenset({"heart", "failur"}), ["I50"])],
            "I12.9": [(frozenset({"stage", "chroni", "kidney"}), ["N18.1-N18.4", "N18.9"])],
        }.get(code, [])

    def coded_first(self, code: str) -> list[tuple[frozenset[str], list[str]]]:
        return []

    def first_of(self, code: str) -> list[str]:
        return []


@pytest.fixture(scope="module")
def combinations(tmp_path_factory) -> dict[str, list]:
    path = tmp_path_factory.mktemp("index") / "index.csv"
    path.write_text(INDEX, encoding="utf-8")
    found = CombinationBuilder(read_index(path), Icd10cm.load(), Notes()).run()
    entries: dict[str, list] = {}
    for combination in found:
        entries.setdefault(combination.code, []).append(combination)
    return entries


def test_with_subterms_give_the_base_and_partner_codes(combinations):
    (ckd,) = combinations["E11.22"]
    assert ckd.bases == ["E11.9"] and ckd.partners == [("chronic kidney disease", ["N18.1-N18.6"])]
    (heart,) = combinations["I11.0"]
    assert heart.bases == ["I10"]  # "(essential)" is a nonessential modifier of the base
    assert heart.partners == [("heart failure", ["I50"])]


def test_a_partner_without_notes_is_coded_by_the_index(combinations):
    (gangrene,) = [c for c in combinations["E11.52"] if len(c.partners) == 2]
    assert gangrene.partners == [("peripheral angiopathy", []), ("gangrene", ["I96"])]


def test_the_base_is_the_nearest_coded_term_else_the_main_term(combinations):
    assert combinations["I12.9"][0].bases == ["I10"]  # "kidney" is I12.9 itself
    assert combinations["E10.22"][0].bases == ["E10.9"]  # not E11.9: a type 2 code names a type 1 never


def test_due_to_and_uncoded_modifiers_give_no_combination(combinations):
    assert "E09.22" not in combinations  # below "due to": the provider must state the cause
    assert "F41.8" not in combinations  # "mixed, with depression": no coded term right above


def test_the_table_round_trips(tmp_path: Path, combinations) -> None:
    found = [c for entries in combinations.values() for c in entries]
    table = {"format": 1, "meta": {}, "combinations": [c.to_json() for c in found]}
    path = tmp_path / "combinations.json.gz"
    write_combinations(table, path)
    assert json.loads(gzip.open(path).read())["combinations"] == table["combinations"]
    loaded = CombinationTable.read(path)
    assert len(loaded) == len(found)
    assert {c.code for c in loaded.with_base("I10")} == {"I11.0", "I12.9"}
    assert loaded.bases_of("E11.22") == {"E11.9"}
    assert loaded.entries("E11.22")[0].partners[0].matches("N18.31")
    assert not loaded.entries("E11.22")[0].partners[0].matches("N19")


def test_a_missing_table_is_empty(tmp_path: Path) -> None:
    assert len(CombinationTable.read(tmp_path / "none.json.gz")) == 0


def test_the_committed_table_holds_the_guideline_combinations() -> None:
    table = Icd10cm.load().combinations()
    assert table.bases_of("I13.0") >= {"I10"}
    assert any(len(entry.partners) == 2 for entry in table.entries("I13.0"))
    assert "E11.9" in table.bases_of("E11.22") and "J44.9" in table.bases_of("J44.0")


def test_index_phrases_read_in_clinical_order(tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_text(INDEX, encoding="utf-8")
    codes = IndexCodes(read_index(path), Icd10cm.load())
    assert codes.phrase_code("chronic kidney disease") == "N18.9"
    assert codes.phrase_code("heart failure") == "I50.9"
    assert codes.phrase_code("kidney chronic disease") is None


def test_without_the_index_the_build_keeps_the_committed_table(tmp_path: Path) -> None:
    out = tmp_path / "combinations.json.gz"
    out.write_bytes(b"kept")
    assert main(["--index", str(tmp_path / "no-index.csv"), "--out", str(out)]) == 0
    assert out.read_bytes() == b"kept"
