"""history_only: every related mention is historical, no current one (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "history_only"


@pytest.mark.parametrize(
    ("note", "dx", "code", "personal", "quotes"),
    [
        ("HPI: History of myocardial infarction in 2015, no chest pain since.\nA/P: HTN, stable.", ["I21.9", "I10"],
         "I21.9", "I25.2", [("myocardial infarction", "historical")]),
        ("PMH: h/o MI 2012.\nAssessment: HTN stable.", ["I21.9", "I10"], "I21.9", "I25.2", [("MI", "historical")]),
        ("PMH: h/o breast cancer.\nA/P: HTN.", ["C50.919", "I10"], "C50.919", "Z85.3",
         [("breast cancer", "historical")]),
        ("HPI: h/o CVA 2018, no residual deficits.\nA/P: HTN.", ["I63.9", "I10"], "I63.9", "Z86.73",
         [("CVA", "historical")]),
        ("PMH: hx of PE, completed anticoagulation.\nA/P: HLD.", ["I26.99", "E78.5"], "I26.99", "Z86.711",
         [("PE", "historical")]),
        ("HPI: h/o pneumonia last yr.\nA/P: Cough.", ["J18.9", "R05.9"], "J18.9", "Z87.01",
         [("pneumonia", "historical")]),
        # historical + negated is history_only; the denial is not quoted
        ("PMH: h/o PE.\nImaging: CTA negative for PE.\nA/P: HTN.", ["I26.99", "I10"], "I26.99", "Z86.711",
         [("PE", "historical")]),
    ],
)
def test_fires_with_the_personal_history_code(fire, note, dx, code, personal, quotes):
    summary, _ = fire(TYPE, note, dx)
    assert summary == (code, personal, "warning", "IV.J; I.C.21.c.4", quotes)


@pytest.mark.parametrize(
    ("note", "code"),
    [
        # A chronic condition stated as history is still present and coded as current.
        ("HPI: history of hypertension, on lisinopril.\nA/P: f/u 3 mo.", "I10"),
        ("PMH: HTN, DM2.\nA/P: Routine f/u.", "I10"),
        ("PMH: HTN, DM2.\nA/P: Routine f/u.", "E11.9"),
        ("PMH: CKD stage 3.\nA/P: URI.", "N18.30"),
        ("Assessment: Hypertension for 10 years, well controlled on lisinopril.", "I10"),
        ("PMH: History of chronic atrial fibrillation.\nA/P: Routine f/u.", "I48.20"),
        # "chronic" before an abbreviation stays with it: "chronic afib" is chronic atrial fibrillation.
        ("HPI: h/o chronic afib on apixaban.\nA/P: Routine f/u.", "I48.20"),
        # COPD does not resolve: history_codes.json gives J41-J44 no personal-history code.
        ("HPI: h/o COPD, on tiotropium.\nA/P: URI.", "J44.9"),
        # Other conditions that persist once present (history_codes.json): no personal-history code.
        ("PMH: OSA, GERD, glaucoma.\nA/P: URI.", "G47.33"),
        ("PMH: OSA, GERD, glaucoma.\nA/P: URI.", "K21.9"),
        ("PMH: Parkinson disease, osteoarthritis of the knee.\nA/P: Fall, no injury.", "G20.A1"),
        # A current mention beside the history.
        ("HPI: h/o MI 2015. Now with recurrent MI, troponin elevated.\nA/P: Acute MI.", "I21.9"),
    ],
)
def test_does_not_fire_for_a_current_or_chronic_condition(outcome, note, code):
    statuses, types = outcome(note, [code])
    assert TYPE not in types
    assert statuses == {code: "supported"}


def test_a_history_of_tobacco_use_supports_the_history_code(outcome):
    statuses, types = outcome("Social: history of tobacco use, quit 2010.\nA/P: URI.", ["Z87.891"])
    assert statuses == {"Z87.891": "supported"} and TYPE not in types
