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
