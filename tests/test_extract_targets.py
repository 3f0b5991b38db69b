"""Target matching: lexicon, abbreviations, in-note definitions, ICD-10-CM terms, add_terms."""

from __future__ import annotations

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.targets.normalize import PhraseVariants
from chartaudit.extract.terms import TermEntry, TermTrie
from chartaudit.resources import default_model_dir
from chartaudit.resources.words import WordRules

#: The default model's word normaliser.
WORDS = WordRules.from_dir(default_model_dir())


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.mark.parametrize(
    ("text", "code"),
    [("CP", "R07.9"), ("SOB", "R06.02"), ("HTN", "I10"), ("DM2", "E11"), ("afib", "I48.91"), ("A-fib", "I48.91")],
)
def test_abbreviations(extractor: Extractor, text: str, code: str) -> None:
    mentions = extractor.extract(f"Pt with {text} today.")
    assert [(mention.text, mention.codes, mention.source) for mention in mentions] == [(text, [code], "abbreviation")]


def test_abbreviations_are_case_sensitive(extractor: Extractor) -> None:
    assert extractor.extract("ha ha, that was funny") == []
    assert [mention.codes for mention in extractor.extract("HA since morning")] == [["R51.9"]]


def test_pe_header_is_not_pulmonary_embolism(extractor: Extractor) -> None:
    assert extractor.extract("PE: normal exam") == []
    assert [mention.codes for mention in extractor.extract("Concern for PE.")] == [["I26.99"]]


def test_lexicon_phrases(extractor: Extractor) -> None:
    mentions = extractor.extract("Chest pain and shortness of breath, high blood pressure.")
    assert [(mention.text, mention.codes, mention.source) for mention in mentions] == [
        ("Chest pain", ["R07.9"], "lexicon"),
        ("shortness of breath", ["R06.02"], "lexicon"),
        ("high blood pressure", ["I10"], "lexicon"),
    ]


@pytest.mark.parametrize(("text", "phrase", "code"), [
    ("Progressive deterioration of renal function.", "deterioration of renal function", "N28.9"),
    ("Worsening renal function on day 3.", "Worsening renal function", "N28.9"),
    ("A history of severe enolism.", "enolism", "F10.20"),
    ("Heavy drinking until 2001.", "Heavy drinking", "F10.10"),
    ("With slightly elevated bilirubin.", "elevated bilirubin", "E80.7"),
    ("She consulted for decreased visual acuity.", "decreased visual acuity", "H54.7"),
    ("A distended abdomen.", "distended abdomen", "R14.0"),
    ("Cultures grew Staphylococcus aureus.", "Staphylococcus aureus", "B95.61"),  # Index: methicillin susceptible
    ("Known obstructive pulmonary disease.", "obstructive pulmonary disease", "J44.9"),  # Index: (chronic)
])
def test_lexicon_terms_of_case_reports(extractor: Extractor, text: str, phrase: str, code: str) -> None:
    """Impaired renal function (Index: Impaired, kidney N28.9), alcoholism and alcohol abuse,
    hyperbilirubinemia, visual loss, abdominal distension and Staphylococcus aureus as the cause of
    an infection, as case reports write them."""
    assert [(m.text, m.codes, m.source) for m in extractor.extract(text)] == [(phrase, [code], "lexicon")]


def test_icd_generated_terms(extractor: Extractor) -> None:
    mentions = extractor.extract("Findings consistent with spondylolisthesis and hydronephrosis.")
    assert [mention.source for mention in mentions] == ["icd", "icd"]
    assert mentions[0].codes[0].startswith("M43.1")
    assert mentions[1].codes[0].startswith("N13")
    assert mentions[1].concept


def test_determiners_and_plurals(extractor: Extractor) -> None:
    mention = extractor.extract("He has stones in his kidney... and kidney stones")[-1]
    assert mention.codes == ["N20.0"]
    assert [mention.codes for mention in extractor.extract("pain in his shoulder")] == [["M25.51"]]


def test_longest_match_wins(extractor: Extractor) -> None:
    mentions = extractor.extract("acute on chronic systolic heart failure")
    assert [(mention.text, mention.codes) for mention in mentions] == [
        ("acute on chronic systolic heart failure", ["I50.23"])
    ]


def test_in_note_abbreviation_definition(extractor: Extractor) -> None:
    text = "Long history of chronic fatigue syndrome (CFS). CFS worse today."
    mentions = extractor.extract(text)
    definition, later = mentions[0], mentions[-1]
    assert definition.text == "chronic fatigue syndrome"
    assert len(mentions) == 2  # the defining "(CFS)" itself is not a second mention
    assert later.text == "CFS" and later.start == text.rindex("CFS")
    assert later.source == "abbreviation"
    assert later.codes == definition.codes and later.codes
    assert later.concept == definition.concept


def test_add_terms_changes_the_next_extract() -> None:
    extractor = Extractor()
    before = extractor.extract("Noted zebra fever and puffiness.")
    assert [(mention.text, mention.codes) for mention in before] == [("fever", ["R50.9"])]
    extractor.add_terms({"zebra fever": "A92.8", "puffiness": None})
    mentions = extractor.extract("Noted zebra fever and puffiness.")
    assert [(mention.text, mention.codes) for mention in mentions] == [("zebra fever", ["A92.8"]), ("puffiness", [])]
    assert mentions[1].concept == "puffiness"
    # other extractors sharing the cached pipeline are not affected
    assert [mention.text for mention in Extractor().extract("Noted zebra fever and puffiness.")] == ["fever"]


def test_add_terms_overrides_a_known_phrase() -> None:
    extractor = Extractor()
    extractor.add_terms({"afib": "I48.0"})
    assert extractor.extract("afib")[0].codes == ["I48.0"]


def test_lemma() -> None:
    assert [WORDS.lemma(word) for word in ["Stones", "allergies", "sinus", "his", "glass", "CTs"]] == [
        "stone",
        "allergy",
        "sinus",
        "his",
        "glass",
        "cts",
    ]
    assert WORDS.phrase_key(["Kidney", "Stones"]) == "kidney stone"
    assert [WORDS.lemma(word) for word in ["Anaemia", "oedema", "haematoma", "diarrhoea", "tumours", "paediatric"]] == [
        "anemia", "edema", "hematoma", "diarrhea", "tumor", "pediatric"]


@pytest.mark.parametrize(("british", "american"), [
    ("leucocytosis", "leukocytosis"), ("leucaemia", "leukemia"), ("dyspnoea", "dyspnea"), ("faecal", "fecal"),
    ("caecum", "cecum"), ("phaeochromocytoma", "pheochromocytoma"), ("coeliac", "celiac"),
    ("behaviour", "behavior"), ("generalised", "generalized"), ("localised", "localized"),
    ("paralysed", "paralyzed"), ("haemorrhagic", "hemorrhagic"),
])
def test_british_spellings_are_read_the_american_way(british: str, american: str) -> None:
    assert WORDS.lemma(british) == WORDS.lemma(american) == american


@pytest.mark.parametrize("word", ["four", "hour", "disease", "noise", "crisis", "analysis", "dialysis", "leucine"])
def test_spelling_rules_leave_other_words_alone(word: str) -> None:
    assert WORDS.lemma(word) == word


@pytest.mark.parametrize(("text", "code"), [
    ("Known hepatitis C.", "B19.20"),  # the tokenizer keeps "C." whole, as an initial
    ("History of hepatitis B.", "Z86.19"),
    ("E. coli UTI.", "B96.20"),
])
def test_a_letter_with_a_full_stop_is_the_letter(checker, text: str, code: str) -> None:
    assert WORDS.lemma("C.") == "c"
    assert code in {code for mention in checker.extract(text) for code in mention.codes}


def test_a_british_spelling_in_a_note_supports_the_code(checker) -> None:
    result = checker.check("Labs: leucocytosis of 18,000. Generalised oedema.", dx=["D72.829", "R60.1"])
    assert {code.code: code.status for code in result.codes} == {
        "D72.829": "supported", "R60.1": "supported"}


def test_phrase_variants() -> None:
    variants = PhraseVariants(drop_patterns=[r",\s*unspecified\b", r"\bNOS\b"])
    assert variants.expand("Pain in shoulder") == ["pain in shoulder", "shoulder pain"]
    assert variants.expand("Essential (primary) hypertension") == [
        "essential hypertension",
        "essential primary hypertension",
    ]
    assert "arterial hypertension" in variants.expand("hypertension (arterial) (benign)")
    assert "type 2 diabetes mellitus" in variants.expand("Diabetes mellitus, type 2")
    assert variants.expand("Chest pain, unspecified") == ["chest pain"]


def test_trie_skips_side_words_only_without_a_literal_path() -> None:
    trie = TermTrie()
    pain = TermEntry("Pain in shoulder", ("M25.51",), "icd")
    block = TermEntry("Left bundle-branch block", ("I44.7",), "icd")
    trie.insert(["pain", "in", "shoulder"], pain)
    trie.insert(["left", "bundle", "branch", "block"], block)
    skip = frozenset({"the", "right", "left"})
    words = ["pain", "in", "the", "right", "shoulder"]
    assert trie.longest(words, 0, skip) == (5, pain)
    assert trie.longest(["left", "bundle", "branch", "block"], 0, skip) == (4, block)
    assert trie.longest(["pain", "in", "the"], 0, skip) == (0, None)


def test_pending_groups_are_inserted_on_first_use() -> None:
    trie = TermTrie()
    made: list[str] = []

    def make(key: str, codes: list[str]) -> TermEntry:
        made.append(key)
        return TermEntry(key, tuple(codes), "icd")

    trie.add_pending({"kidney": "stone\tN20.0\n\tN28.9"}, make)
    assert made == []
    end, entry = trie.longest(["kidney", "stone"], 0, frozenset())
    assert (end, entry.codes) == (2, ("N20.0",))
    assert sorted(made) == ["kidney", "kidney stone"]


def test_lexicon_phrase_with_several_codes(extractor: Extractor) -> None:
    assert extractor.extract("Acute bronchitis.")[0].codes == ["J20.9"]
    assert extractor.extract("Bronchitis.")[0].codes == ["J40", "J20.9"]


def test_phrase_variants_synonyms_conjunctions_and_hyphens() -> None:
    variants = PhraseVariants(
        drop_patterns=[r",\s*unspecified\b", r"\bunspecified\s+", r",\s*except [^,]*"],
        synonyms={"secondary malignant neoplasm": ["metastasis"], "malignant neoplasm": ["cancer"],
                  "hemorrhage": ["bleeding"], "kidney": ["renal"]},
        split_conjunctions=True,
    )
    assert "prostate cancer" in variants.expand("Malignant neoplasm of prostate")
    expanded = variants.expand("Secondary malignant neoplasm of liver and intrahepatic bile duct")
    assert "liver metastasis" in expanded
    assert "liver cancer" not in expanded  # the longer synonym key claims the words
    assert "gastrointestinal bleeding" in variants.expand("Gastrointestinal hemorrhage, unspecified")
    assert "renal disorder" in variants.expand("Disorder of kidney and ureter, unspecified")
    assert "kidney cancer" in variants.expand("Malignant neoplasm of unspecified kidney, except renal pelvis")
    assert variants.expand("Neuralgia and neuritis")[-2:] == ["neuralgia", "neuritis"]
    assert "tubulointerstitial nephritis" in variants.expand("Tubulo-interstitial nephritis")
    # Without synonyms the variants are as before.
    assert PhraseVariants().expand("Pain in shoulder") == ["pain in shoulder", "shoulder pain"]


def test_latin_and_greek_plurals() -> None:
    assert WORDS.lemma("metastases") == WORDS.lemma("metastasis") == "metastasis"
    assert WORDS.lemma("calculi") == "calculus"
    assert WORDS.lemma("diseases") == "disease"
    assert WordRules().lemma("calculi") == "calculi"  # the irregular plurals are model data (lexical.json)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("multiple liver metastases", "C78.7"),
        ("known prostate cancer", "C61"),
        ("episodes of gastrointestinal bleeding", "K92.2"),
        ("a simple renal cyst", "N28.1"),
    ],
)
def test_generated_clinical_variants(extractor: Extractor, text: str, code: str) -> None:
    codes = [c for m in extractor.extract(text) for c in m.codes]
    assert code in codes


def test_matches_pass_over_commas(extractor: Extractor) -> None:
    mentions = extractor.extract("Major depressive disorder, recurrent, moderate.")
    assert [m.codes for m in mentions] == [["F33.1"]]
    assert [m.codes for m in extractor.extract("Diabetes mellitus, type 2.")] == [["E11"]]
    # A list stays a list.
    assert len(extractor.extract("Chest pain, shoulder pain, nausea.")) == 3


@pytest.mark.parametrize(
    "text",
    ["chest  pain", "CHEST   PAIN", "chest\tpain", "chest\npain", "chest \n pain"],
)
def test_a_run_of_white_space_inside_a_phrase_is_one_space(extractor: Extractor, text: str) -> None:
    # A wrapped line: long enough, and the next one goes on in lower case (sentence_rules.json).
    note = f"HPI: 63 yo F with two hours of retrosternal pressure and {text} at rest, easing now."
    mention = extractor.extract(note)[0]
    assert mention.codes == ["R07.9"]
    assert note[mention.start:mention.end] == mention.text  # offsets into the note as written
    assert mention.text.split() == ["chest", "pain"] or mention.text.split() == ["CHEST", "PAIN"]


@pytest.mark.parametrize(
    "text",
    ["Chest\n\nPain scale reviewed.", "Exam: chest.\nPain: none reported."],
)
def test_a_phrase_does_not_cross_a_blank_line_or_a_sentence(extractor: Extractor, text: str) -> None:
    assert "R07.9" not in [code for mention in extractor.extract(text) for code in mention.codes]


@pytest.mark.parametrize(
    ("text", "phrase", "code"),
    [
        ("54 yo M with MDD, recurrent, moderate (fourth episode).", "MDD, recurrent, moderate", "F33.1"),
        ("HPI: h/o chronic afib on apixaban.", "chronic afib", "I48.20"),
        ("A/P: paroxysmal afib, rate controlled.", "paroxysmal afib", "I48.0"),
        ("PMH: Type 1 DM since age 9.", "Type 1 DM", "E10"),  # a number before it too: not type 2 (E11)
        ("A/P: stage 3 CKD.", "stage 3 CKD", "N18.3"),
    ],
)
def test_an_abbreviation_keeps_its_modifiers(extractor: Extractor, text: str, phrase: str, code: str) -> None:
    mentions = [mention for mention in extractor.extract(text) if mention.codes and mention.kind == "condition"]
    assert [(mention.text, mention.codes[0]) for mention in mentions] == [(phrase, code)]


def test_an_abbreviation_alone_is_still_its_long_form(extractor: Extractor) -> None:
    assert [(m.text, m.codes) for m in extractor.extract("Denies SI. HTN, DM2.")] == [
        ("SI", ["R45.851"]), ("HTN", ["I10"]), ("DM2", ["E11"])]


def test_an_inclusion_term_naming_only_the_agent_names_no_condition() -> None:
    from chartaudit.extract.targets.build import names_the_agent_only

    assert names_the_agent_only("Sepsis due to Pseudomonas", "Pseudomonas aeruginosa")
    assert not names_the_agent_only("Pneumonia due to Streptococcus pneumoniae",
                                    "Bronchopneumonia due to S. pneumoniae")
    assert not names_the_agent_only("Essential (primary) hypertension", "High blood pressure")


@pytest.mark.parametrize(("text", "code"), [
    ("Urine culture grew Pseudomonas aeruginosa.", "B96.5"),  # not A41.52, sepsis due to Pseudomonas
    ("Wound culture: Enterococcus faecalis.", "B95.2"),
    ("Nasal swab positive for adenovirus.", "B97.0"),
    ("Blood cultures: coagulase-negative staphylococcus.", "B95.7"),  # a species: other staphylococcus
    ("Throat culture: group A strep.", "B95.0"),
])
def test_an_organism_names_its_as_the_cause_code(checker, text: str, code: str) -> None:
    assert [mention.codes for mention in checker.extract(text) if mention.codes[0][0] in "AB"] == [[code]]


@pytest.mark.parametrize(("text", "codes"), [
    ("Laceration of left index finger.", ["S61.211"]),  # "without foreign body" is the default
    ("Puncture wound of right foot.", ["S91.331"]),
    ("A laceration was repaired.", []),  # no site: no code of a site (was S01.01, the scalp)
])
def test_an_open_wound_keeps_its_site(checker, text: str, codes: list[str]) -> None:
    assert [code for mention in checker.extract(text) for code in mention.codes] == codes
