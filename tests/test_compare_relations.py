"""Relations between a mention's code and a billed code added for case reports (issue 5)."""

from __future__ import annotations

from chartaudit.compare import CodeRelations


def test_chronic_history_supports_but_past_acute_does_not(checker) -> None:
    result = checker.check("PMH: hypertension, myocardial infarction in 2015.", dx=["I10", "I21.9"],
                           setting="inpatient")
    statuses = {code.code: code.status for code in result.codes}
    assert statuses["I10"] == "supported"
    assert statuses["I21.9"] == "history_only"


def test_unspecified_code_named_by_a_more_specific_mention(checker) -> None:
    relations: CodeRelations = checker.relations
    assert relations.names_unspecified("R60.9", "J81.1", frozenset({"pulmonary", "edema"}))
    assert not relations.names_unspecified("R60.0", "J81.1", frozenset({"pulmonary", "edema"}))  # not unspecified
    # "Pain, unspecified" is named by any pain, never by another condition of a site.
    assert relations.names_unspecified("R52", "R07.9", frozenset({"chest"}))
    assert relations.names_unspecified("R52", "M54.50", frozenset({"low", "back"}))
    assert not relations.names_unspecified("R52", "K46.9", frozenset({"abdominal", "hernia"}))
    assert not relations.names_unspecified("R69", "R07.9", frozenset({"chest"}))  # not an illness


def test_unspecified_pain_billed_with_a_site_pain_documented(checker, outcome) -> None:
    """R52 is documented, and the site's pain code, unspecified as it is, is the one to bill
    (R52 Excludes1: localized pain, code to pain by site)."""
    statuses, findings = outcome("She reported low back pain for a week.", ["R52"], setting="inpatient")
    assert statuses == {"R52": "supported"}
    assert findings == {"unspecified_code"}
    _, findings = outcome("She reported low back pain for a week.", ["R52", "M54.50"], setting="inpatient")
    assert "unspecified_code" not in findings  # the site's code is billed too
    relations: CodeRelations = checker.relations
    assert relations.more_specific("R52", "M54.50")
    assert not relations.more_specific("R52", "R07.89")  # a residual "other" code
    assert not relations.more_specific("R52", "R52")


def test_a_not_elsewhere_classified_title_is_named_like_an_unspecified_one(checker, outcome) -> None:
    relations: CodeRelations = checker.relations
    assert relations.is_residual("R58") and relations.is_residual("R52") and not relations.is_residual("R23.1")
    assert relations.names_unspecified("R58", "I60.9", frozenset({"subarachnoid", "hemorrhage"}))
    assert not relations.names_unspecified("R58", "R23.1", frozenset({"pallor"}))
    assert relations.more_specific("R58", "K92.2")  # gastrointestinal hemorrhage, unspecified
    statuses, findings = outcome("Cranial CT showed a subarachnoid hemorrhage.", ["R58"], setting="inpatient")
    assert statuses == {"R58": "supported"} and findings == {"unspecified_code"}


def test_a_condition_adjective_names_the_noun_of_notes(checker) -> None:
    """condition_nouns of lexical.json: "Unspecified infectious disease" is an infection."""
    relations: CodeRelations = checker.relations
    assert relations.significant_words("Unspecified infectious disease") == {"infection"}
    assert relations.names_unspecified("B99.9", "J22", frozenset({"respiratory", "infection"}))
    assert not relations.names_unspecified("B99.9", "J18.9", frozenset({"pneumonia"}))


def test_either_word_of_an_and_pair_names_the_condition(checker) -> None:
    """"Disorder of kidney and ureter, unspecified" (N28.9) is a disorder of either."""
    relations: CodeRelations = checker.relations
    assert relations.names_unspecified("N28.9", "N19", frozenset({"renal", "failure"}))
    assert relations.names_unspecified("N28.9", "N13.5", frozenset({"ureteral", "stricture"}))
    assert not relations.names_unspecified("N28.9", "K74.60", frozenset({"cirrhosis"}))
    # "Intra-abdominal and pelvic swelling, mass and lump": either site and either kind, but a swelling.
    assert not relations.names_unspecified("R19.00", "C18.9", frozenset({"abdominal", "mass"}))


def test_a_without_clause_does_not_name_its_condition(checker) -> None:
    relations = checker.relations
    assert relations.naming_text("R68.83").split() == ["Chills", "(", ")"]
    assert not relations.names_unspecified("R50.9", "R68.83", frozenset({"chill"}))  # chills is not a fever
    assert relations.names_unspecified("R50.9", "R50.81", frozenset({"fever"}))


def test_specified_siblings_of_one_category(checker) -> None:
    relations: CodeRelations = checker.relations
    assert relations.related("R59.0", "R59.1")  # localized / generalized enlarged lymph nodes
    assert not relations.related("R07.0", "R07.1")  # throat pain is not chest pain on breathing


def test_unspecified_pain_is_not_named_by_another_condition_of_the_site(checker) -> None:
    relations: CodeRelations = checker.relations
    assert not relations.names_unspecified("R10.9", "K46.9", frozenset({"abdominal", "hernia"}))


def test_pain_does_not_name_another_symptom_of_the_site(checker) -> None:
    relations: CodeRelations = checker.relations
    words = relations.significant_words("abdominal pain")  # "pain" is generic: {"abdominal"}
    assert not relations.related("R19.00", "R10.9", words)  # an abdominal swelling, mass or lump
    assert not relations.related("R14.0", "R10.9", words)  # abdominal distension
    assert relations.related("R10.30", "R10.9", relations.significant_words("lower abdominal pain"))


def test_a_residual_other_code_is_not_a_named_sibling(checker) -> None:
    assert not checker.relations.related("F41.8", "F41.1")


def test_history_of_a_lasting_condition_documents_the_codes_it_relates_to(outcome) -> None:
    """Ischemic heart disease (I25.9) lasts, so its history documents a billed heart disease (I51.9);
    a past myocardial infarction does not."""
    statuses, _ = outcome("History of ischemic heart disease and of myocardial infarction in 2004.",
                          ["I51.9", "I21.9"], setting="inpatient")
    assert statuses == {"I51.9": "supported", "I21.9": "history_only"}
    statuses, _ = outcome("History of heart disease.", ["I51.9"], setting="inpatient")
    assert statuses == {"I51.9": "history_only"}  # a heart disease not said to last


def test_history_of_a_condition_stated_chronic_supports(checker) -> None:
    """A historical mention that says "chronic" documents a current condition; a plain one does not."""
    result = checker.check("History of chronic pancreatitis. History of acute pancreatitis.",
                           dx=["K86.1", "K85.90"], setting="inpatient")
    statuses = {code.code: code.status for code in result.codes}
    assert statuses["K86.1"] == "supported"
    assert statuses["K85.90"] == "history_only"
