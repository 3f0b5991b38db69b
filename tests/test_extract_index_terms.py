"""Alphabetic Index terms: the builder on a tiny inline Index, and the matcher on the committed artifact."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.targets.index_build import (
    CodeChecker,
    IndexPhrases,
    IndexSettings,
    build_index_terms,
    essential_term,
    organism_binomials,
    split_term,
)
from chartaudit.extract.targets.index_terms import PackedGroups, combination_pairs
from chartaudit.extract.terms import TermEntry, TermTrie
from chartaudit.knowledge.alphabetic_index import parse_rows
from chartaudit.resources import default_model_dir
from chartaudit.resources.words import WordRules

phrase_key = WordRules.from_dir(default_model_dir()).phrase_key
from chartaudit.knowledge import Icd10cm

#: (Level, Term, See, SeeAlso, NonEssModif, Code), in the Index's depth-first order.
INDEX_ROWS = [
    (0, "Abdominalgia", "Pain, abdominal", "", "", ""),
    (0, "Attack, attacks", "", "", "", ""),
    (1, "heart", "infarct, myocardium", "", "", ""),
    (0, "Bedsore", "Ulcer, pressure, by site", "", "", ""),
    (0, "Deformity", "", "", "", "Q89.9"),
    (1, "limb", "", "", "(acquired)", "M21.90"),
    (2, "flat foot", "", "", "", "M21.4-"),
    (0, "Diabetes, diabetic", "", "", "(mellitus) (sugar)", "E11.9"),
    (1, "type 2", "", "", "", "E11.9"),
    (2, "with", "", "", "", ""),
    (3, "chronic kidney disease", "", "", "", "E11.22"),
    (3, "nephropathy", "", "", "", "E11.21"),
    (3, "retired complication", "", "", "", "U12.9"),
    (0, "Disease", "", "", "", "R69"),
    (1, "heart", "", "", "", "I51.9"),
    (0, "Flat", "", "", "", ""),
    (1, "foot", "", "Deformity, limb, flat foot", "", ""),
    (0, "History", "", "", "", ""),
    (1, "personal", "", "", "", "Z92.89"),
    (2, "asthma", "", "", "", "Z87.09"),
    (0, "Hemorrhoids", "", "", "(bleeding) (without mention of degree)", "K64.9"),
    (0, "Infarct, infarction", "", "", "", ""),
    (1, "myocardium, myocardial", "", "", "(acute) (with stated duration of 4 weeks or less)", "I21.9"),
    (0, "May", "", "", "(-Hegglin)", "D72.0"),
    (0, "Pain", "", "Painful", "(s)", "R52"),
    (1, "abdominal", "", "", "", "R10.9"),
    (2, "lower", "", "", "", "R10.30"),
    (3, "right quadrant", "", "", "", "R10.31"),
    (2, "specified NEC", "", "", "", "R10.84"),
    (0, "Thyromegaly", "", "", "", "E01.0"),
    (0, "Enlargement, enlarged", "", "", "", ""),
    (1, "thyroid", "", "", "", "E04.9"),
    (0, "Ulcer, ulcerated, ulcerating", "", "", "", "L98.49"),
    (1, "pressure", "", "", "(pressure area)", "L89.9-"),
    (2, "sacral region", "", "", "(tailbone)", "L89.15-"),
]


@pytest.fixture(scope="module")
def knowledge() -> Icd10cm:
    return Icd10cm.load()


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory, knowledge: Icd10cm) -> dict:
    path = tmp_path_factory.mktemp("index") / "index.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["RowID", "Letter", "Level", "Term", "See", "SeeAlso", "NonEssModif", "Code"])
        for number, (level, term, see, see_also, modifiers, code) in enumerate(INDEX_ROWS, start=1):
            writer.writerow([number, term[0], level, term, see, see_also, modifiers, code])
    return build_index_terms(Path(path), knowledge=knowledge, known={"thyroid enlargement"})


def lookup(table: dict, phrase: str) -> list[str] | None:
    """The codes the artifact gives a phrase (as notes are normalised), or None."""
    key = phrase_key(phrase.split())
    first_word, _, rest = key.partition(" ")
    for line in PackedGroups(table["words"], table["blocks"]).group(first_word).split("\n"):
        found_rest, _, codes = line.partition("\t")
        if line and found_rest == rest:
            return codes.split(",")
    return None


@pytest.mark.parametrize(
    ("phrase", "codes"),
    [
        ("thyromegaly", ["E01.0"]),
        ("lower abdominal pain", ["R10.30"]),  # modifiers before the head, deepest first
        ("right lower quadrant abdominal pain", ["R10.31"]),  # a side subterm joins its parent
        ("abdominal pain right lower quadrant", ["R10.31"]),
        ("RLQ pain", ["R10.31"]),  # short forms
        ("abdominal pain RLQ", ["R10.31"]),
        ("abdominalgia", ["R10.9"]),  # "see" followed
        ("heart attack", ["I21.9"]),  # "see" to a lower-case, two-part reference
        ("myocardial infarction", ["I21.9"]),  # alternatives of both terms
        ("infarct of myocardium", ["I21.9"]),  # "X of Y"
        ("bleeding hemorrhoid", ["K64.9"]),  # a nonessential modifier is optional
        ("bedsore", ["L89.9"]),  # "L89.9-" kept as its category
        ("flat foot", ["M21.4"]),  # "see also" gives the code of a term without one
        ("flat feet", ["M21.4"]),  # irregular plural of the last word
        ("heart disease", ["I51.9"]),
        ("type 2 diabetes", ["E11.9"]),
        ("diabetes type 2", ["E11.9"]),  # the Index order, for a head that is not generic
        ("enlarged thyroid", ["E04.9"]),  # the head's adjective before its one modifier
        ("enlargement thyroid", ["E04.9"]),  # the Index order
        ("type 2 diabetes with nephropathy", ["E11.21"]),  # a connector stays after its head
        ("may - hegglin", ["D72.0"]),  # a glued modifier belongs to the term (tokenised "may - hegglin")
    ],
)
def test_builder_phrases(table: dict, phrase: str, codes: list[str]) -> None:
    assert lookup(table, phrase) == codes


@pytest.mark.parametrize(
    "phrase",
    [
        "pain",  # a generic main term alone (stop_main_terms)
        "pain abdominal lower",  # nor in the Index order ("disease, heart" is not how notes say it)
        "thyroid enlargement",  # a phrase another source gives (the tables, the lexicon) wins there
        "disease",
        "may",  # a short everyday word
        "personal history asthma",  # History is skipped with its subterms (ConText reads histories)
        "asthma personal history",
        "acute abdominal",  # an adjective alternative of the main term never ends a phrase
        "specified abdominal pain",  # a residual subterm ("specified NEC") gives no phrase
        "retired complication type 2 diabetes",
    ],
)
def test_builder_leaves_out(table: dict, phrase: str) -> None:
    assert lookup(table, phrase) is None


def test_builder_combination_pairs_and_codes(table: dict, knowledge: Icd10cm) -> None:
    pairs = combination_pairs(table)
    assert ("diabete type 2", "E11.9", "with", "chronic kidney disease", "E11.22") in pairs
    assert [pair for pair in pairs if pair[3] == "retired complication"] == []
    used = set(table["descriptions"].split("\n"))
    assert "E11.21\tType 2 diabetes mellitus with diabetic nephropathy" in used
    assert all(knowledge.is_valid(line.split("\t")[0]) for line in used)
    assert table["meta"]["phrase_count"] > 30


def test_code_checker(knowledge: Icd10cm) -> None:
    check = CodeChecker(knowledge)
    assert check("M21.4-") == "M21.4"  # completed later by side, kept as the category
    assert check("E01.0") == "E01.0"
    assert check("U12.9") is None  # not in the 2026 tables, nor any code of its category
    assert check("E11.99") == "E11.9"  # not in the 2026 tables: the longest valid code it extends
    assert check("R10.319") == "R10.31"  # retired: the nearest valid ancestor of the same category
    assert check("not a code") is None


def test_term_helpers() -> None:
    assert split_term("Abdomen, abdominal") == [["abdomen", "abdominal"]]
    assert split_term("chest, congenital") == [["chest"], ["congenital"]]
    node = parse_rows([{"RowID": "1", "Level": "0", "Term": "Plus", "NonEssModif": "(and minus) hand (intrinsic)"}])[0]
    assert essential_term(node) == "Plus hand"
    phrases = dict(IndexPhrases(IndexSettings()).expand(["Abscess", "brain"]))
    assert {"brain abscess", "abscess brain", "abscess of brain"} <= set(phrases)


def test_an_organism_is_also_written_with_its_genus_initial() -> None:
    rows = [{"RowID": "1", "Level": "0", "Term": "Infection"},
            {"RowID": "2", "Level": "1", "Term": "Helicobacter pylori", "Code": "A04.8"},
            {"RowID": "3", "Level": "1", "Term": "California virus", "Code": "A83.5"},
            {"RowID": "4", "Level": "1", "Term": "Achilles tendinitis"},
            {"RowID": "5", "Level": "0", "Term": "Legionella pneumophila"}]  # a main term's capital is no clue
    binomials = organism_binomials(parse_rows(rows))
    assert binomials == {("helicobacter", "pylori")}
    phrases = dict(IndexPhrases(IndexSettings(), binomials=binomials).expand(["Infection", "Helicobacter pylori"]))
    assert {"helicobacter pylori infection", "h pylori infection"} <= set(phrases)


def test_pending_sources_earlier_wins() -> None:
    trie = TermTrie()

    def maker(source: str):
        return lambda key, codes: TermEntry(key, tuple(codes), source)

    trie.add_pending({"kidney": "stone\tN20.0"}, maker("icd"))
    trie.add_pending({"kidney": "stone\tN28.9\ncyst\tN28.1", "renal": "colic\tN23"}, maker("index"))
    assert trie.get(["kidney", "stone"]).source == "icd"
    assert trie.get(["kidney", "cyst"]).codes == ("N28.1",)
    assert trie.get(["renal", "colic"]).source == "index"
    first = TermTrie()
    first.add_pending({"kidney": "stone\tN20.0"}, maker("icd"))
    first.add_pending({"kidney": "stone\tN28.9"}, maker("index"), first=True)
    assert first.get(["kidney", "stone"]).source == "index"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.mark.parametrize(
    ("text", "code", "source"),
    [
        ("thyromegaly", "E01.0", "index"),
        ("bedsore", "L89.9", "index"),
        ("flat feet", "M21.4", "index"),
        ("lazy eye", "H53.00", "lexicon"),  # the Index lacks it: the curated lexicon has it
        ("right lower quadrant abdominal pain", "R10.31", "index"),
        ("RLQ pain", "R10.31", "index"),
        ("heart attack", "I21.9", "lexicon"),  # the lexicon wins for a phrase the Index also has
        ("abdominalgia", "R10.9", "index"),
        ("H. pylori infection", "A04.8", "index"),  # "C." is read as "c" (WordRules.lemma)
    ],
)
def test_matcher_finds_index_terms(extractor: Extractor, text: str, code: str, source: str) -> None:
    mentions = extractor.extract(f"Exam today showed {text}.")
    assert [(mention.text, mention.codes[0], mention.source) for mention in mentions] == [(text, code, source)]


def test_matcher_completes_a_dash_code_by_side(extractor: Extractor) -> None:
    mention = extractor.extract("She has left flat feet.")[0]
    assert (mention.source, mention.codes) == ("index", ["M21.42"])


def test_matcher_skips_everyday_words(extractor: Extractor) -> None:
    text = "Plan: heat, ibuprofen; general anesthesia; symptoms may last 3 weeks; estimated blood loss 50 mL."
    # "ibuprofen" is a drug (evidence of long-term drug therapy), not a condition
    assert [mention.source for mention in extractor.extract(text) if mention.kind == "condition"] == []
