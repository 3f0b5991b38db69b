"""Property tests: check never raises on arbitrary text and code strings; every code it proposes
(a history, family-history, side or more specific code, an unbilled diagnosis, a documented code it
quotes) is supported when it is billed on the same note."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

code_text = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"[A-Za-z][0-9][0-9A-Za-z]{0,5}(\.[0-9A-Za-z]{0,4})?", fullmatch=True),
    st.sampled_from(["R07.9", "M25.511", "E11", "S93.401", "I10", "", " ", "C00-C96", "Z85.3"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=st.text(max_size=400), dx=st.lists(code_text, max_size=4), px=st.lists(st.text(max_size=6), max_size=2),
       setting=st.one_of(st.none(), st.sampled_from(["outpatient", "inpatient", "INPATIENT", "", "x"])))
def test_check_never_raises(checker, note, dx, px, setting):
    result = checker.check(note, dx=dx, px=px, setting=setting)
    for finding in result.findings:
        for evidence in finding.evidence:
            assert 0 <= evidence.start <= evidence.end <= len(note.replace("\x00", " "))
    assert isinstance(result.to_dict(), dict)


# --- Every code the checker proposes is supported when it is billed on the same note ---------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "encounters.jsonl"

#: Finding types whose ``related_code`` (or ``code``, for unbilled_condition) the checker proposes from
#: the note's evidence: the code the note documents instead of, or besides, the billed one.
PROPOSING_TYPES = ("history_only", "family_history_only", "laterality_mismatch", "unspecified_code",
                   "unbilled_condition", "unsupported_code")
#: Statuses that would contradict the proposal.
CONTRADICTING = ("unsupported", "history_only", "family_history_only")
#: A code quoted in a suggestion (not an end of a range such as "Z80-Z84").
_CODE_IN_TEXT = re.compile(r"(?<![-\w])([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?![-\w])")

#: Sentences for generated notes: past, relatives', screened, denied and current conditions; drugs,
#: statuses, visit reasons, mechanisms and BMI values.
FRAGMENTS = (
    "PMH: MI 2018.", "FH: father with CAD.", "FHx: mother with breast cancer.", "h/o colon cancer s/p colectomy.",
    "Screening for colon cancer.", "Prostate cancer screening.", "Family history of prostate cancer.",
    "h/o recurrent UTIs.", "Former smoker, quit 2010.", "No history of DVT.", "Acute MI.", "COPD exacerbation.",
    "s/p CABG 2019.", "Stent to the LAD in 2020.", "Meds: apixaban 5 mg BID, metformin 500 mg, aspirin 81 mg.",
    "Stopped warfarin last year.", "BMI 35.2.", "Tripped over a rug and fell.", "Dog bite of the right hand.",
    "Annual exam, adult.", "Influenza vaccine given.", "Depression screen negative.", "Right knee pain.",
    "Sister has celiac disease.", "Type 2 diabetes on insulin glargine.", "Hypertension, stable.",
    "Pneumonia, treated 5 weeks ago, resolved.", "PSH: cholecystectomy, right TKA.",
)
FRAGMENT_CODES = ("I21.9", "I25.2", "I25.10", "Z82.49", "C50.911", "Z80.3", "C18.9", "Z85.038", "Z12.11", "C61",
                  "Z80.42", "Z12.5", "N39.0", "Z87.440", "F17.210", "Z87.891", "I82.409", "Z86.718", "J44.1",
                  "Z95.1", "Z95.5", "Z79.01", "Z79.84", "Z79.82", "Z68.35", "W01.0XXA", "W19.XXXA", "W54.0XXA",
                  "Z00.00", "Z23", "F32.A", "Z13.31", "M25.561", "M25.562", "K90.0", "E11.9", "Z79.4", "I10",
                  "J18.9", "Z87.01", "Z90.49", "Z96.651")


def _sample_encounters() -> list[dict]:
    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["note_text"].strip() and row["setting"] in ("outpatient", "inpatient")]


def _proposed_codes(result) -> set[str]:
    """The codes a check proposes: related codes and suggested codes of the evidence findings, and the
    codes quoted in their suggestions."""
    proposed: set[str] = set()
    for finding in result.findings:
        if finding.type not in PROPOSING_TYPES:
            continue
        if finding.type == "unbilled_condition" and finding.code:
            proposed.add(finding.code)
        if finding.related_code:
            proposed.add(finding.related_code)
        proposed.update(_CODE_IN_TEXT.findall(finding.suggestion))
    return proposed


def _assert_proposals_supported(checker, note: str, dx: list[str], setting: str) -> None:
    result = checker.check(note, dx=dx, setting=setting)
    billed = {code.code for code in result.codes}
    for proposed in sorted(_proposed_codes(result) - billed):
        if not checker.knowledge.is_valid(proposed):
            continue
        status = {code.code: code.status for code in checker.check(note, dx=[*dx, proposed], setting=setting).codes}
        assert status.get(proposed) not in CONTRADICTING, (
            f"{proposed} is proposed for {dx} but is {status.get(proposed)} when billed")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.sampled_from(_sample_encounters()))
def test_every_proposed_code_is_supported_on_the_sample_notes(checker, row):
    _assert_proposals_supported(checker, row["note_text"], row["dx_codes"], row["setting"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fragments=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5, unique=True),
       dx=st.lists(st.sampled_from(FRAGMENT_CODES), min_size=1, max_size=4, unique=True),
       setting=st.sampled_from(["outpatient", "inpatient"]))
def test_every_proposed_code_is_supported_on_generated_notes(checker, fragments, dx, setting):
    note = "\n".join(fragments) + "\nAssessment: " + fragments[0]
    _assert_proposals_supported(checker, note, dx, setting)
