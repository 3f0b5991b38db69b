"""Shared fixtures: one checker per test session (the pipeline is the costly part)."""

from __future__ import annotations

import pytest

SEED_NOTE = """CC: chest pain
HPI: 54 y/o M c/o substernal chest pain x 2 days, worse with exertion. Denies SOB,
nausea or diaphoresis. No shoulder injury.
PMH: HTN, HLD
Assessment and Plan:
1. Chest pain - ECG today, troponin.
"""


@pytest.fixture(scope="session")
def checker():
    from chartaudit import Checker

    return Checker()


@pytest.fixture()
def seed_note() -> str:
    return SEED_NOTE


@pytest.fixture(scope="session")
def outcome(checker):
    """``outcome(note, dx, **check_args)``: {billed code: status} and the set of finding types raised."""

    def outcome(note: str, dx, **check_args):
        result = checker.check(note, dx=dx, **check_args)
        return {c.code: c.status for c in result.codes}, {f.type for f in result.findings}

    return outcome
