"""Which kind of evidence documents a code: a condition, or a Z code's own kind of fact.

Most codes name a condition, and a mention of that condition documents them. Many
codes of chapter 21 (Z00-Z99) and every code of chapter 20 (external causes,
V00-Y99) name something else, and a coder reads other words for them:

==================  ===========================================  ====================================
kind                codes                                        documented by
==================  ===========================================  ====================================
personal_history    Z85-Z87, Z92, and every personal-history     a past mention of a condition the
                    code of ``history_codes.json`` (I25.2)       table maps to it ("MI 2018" in the
                                                                 PMH -> I25.2), or its own words
                                                                 ("former smoker" -> Z87.891)
family_history      Z80-Z84 and the family codes of the table    a relative's condition ("FHx: father
                                                                 with CAD" -> Z82.49)
screening           Z11-Z13                                      the target of a screening ("Screening
                                                                 for colon cancer" -> Z12.11, through
                                                                 ``screening_codes.json``) or a
                                                                 screening test ("PHQ-9")
status              Z89-Z90, Z93-Z99 (not Z79)                   a procedure or device ("s/p CABG")
drug                Z79                                          a drug on the medication list
allergy             Z88, Z91.0                                   a substance the patient is allergic to
                                                                 ("allergic to penicillin"; a drug in
                                                                 the allergy list -> Z88.0)
bmi                 Z68                                          a stated BMI value in the code's range
encounter           Z00-Z04, Z08-Z09, Z23, Z30-Z32, Z34, Z36,     the reason for the visit ("annual
                    Z39-Z53, Z76                                 exam", "influenza vaccine given")
external_cause      V00-Y99                                      the mechanism of the injury ("tripped
                                                                 over a rug" -> W01)
condition           every other code                             a mention of the condition
==================  ===========================================  ====================================

This is the classification's structure (its chapters and blocks), not a tuning
choice, so it is written here rather than in a model file; the tables that say
*which* condition, drug, procedure or mechanism supports which code are model files.
:mod:`chartaudit.compare` reads the kind to decide which mentions support a code.
"""

from __future__ import annotations

from chartaudit.knowledge.codes import matches_pattern

#: Every kind, in the order of the table above.
EVIDENCE_KINDS: tuple[str, ...] = ("personal_history", "family_history", "screening", "status", "drug", "allergy",
                                   "bmi", "encounter", "external_cause", "condition")

#: (code pattern, kind), checked in order; codes of no pattern are conditions.
KIND_PATTERNS: tuple[tuple[str, str], ...] = (
    ("Z68", "bmi"),
    ("Z79", "drug"),
    ("Z88", "allergy"),
    ("Z91.0", "allergy"),
    ("Z11-Z13", "screening"),
    ("Z80-Z84", "family_history"),
    ("Z85-Z87", "personal_history"),
    ("Z92", "personal_history"),
    ("Z89-Z90", "status"),
    ("Z93-Z99", "status"),
    ("Z00-Z04", "encounter"),
    ("Z08-Z09", "encounter"),
    ("Z23", "encounter"),
    ("Z30-Z32", "encounter"),
    ("Z34", "encounter"),
    ("Z36", "encounter"),
    ("Z39-Z53", "encounter"),
    ("Z76", "encounter"),
    ("V00-Y99", "external_cause"),
)


def kind_of(code: str, personal_codes: frozenset[str] = frozenset(),
            family_codes: frozenset[str] = frozenset()) -> str:
    """The kind of evidence that documents a normalised code (see the module docstring).

    code (str): A normalised code ("I25.2").
    personal_codes (frozenset[str]): The personal-history codes of ``history_codes.json``.
    family_codes (frozenset[str]): Its family-history codes.
    RETURNS (str): One of :data:`EVIDENCE_KINDS`.

    Usage::

        kind_of("Z95.1")  # "status"
        kind_of("I25.2", frozenset({"I25.2"}))  # "personal_history"
    """
    if code in personal_codes:
        return "personal_history"
    if code in family_codes:
        return "family_history"
    for pattern, kind in KIND_PATTERNS:
        if matches_pattern(code, pattern):
            return kind
    return "condition"
