"""Fixtures for the per-rule tests: the demo coverage policy and the one finding a note raises.

Each ``test_<type>.py`` here checks one finding type through ``checker.check`` only,
as ``docs/findings.md`` states it: when it fires, and the near-misses where it must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chartaudit.resources import samples_dir


@pytest.fixture(scope="session")
def demo_policy() -> Path:
    return samples_dir() / "demo_policy.csv"


@pytest.fixture(scope="session")
def fire(checker):
    """``fire(type, note, dx, **check_args)``: the single finding of that type, summarised, and the finding.

    The summary is ``(code, related_code, severity, guideline, quotes)``; ``quotes`` holds
    ``(words, assertion)`` per evidence span, the words read from the note at the span's
    offsets, so a test shows which words of the note the finding cites.
    """

    def fire(finding_type: str, note: str, dx, **check_args):
        result = checker.check(note, dx=dx, **check_args)
        found = [f for f in result.findings if f.type == finding_type]
        assert len(found) == 1, [f.to_dict() for f in result.findings]
        finding = found[0]
        for evidence in finding.evidence:
            assert note[evidence.start:evidence.end] == evidence.text, evidence
        quotes = [(note[e.start:e.end], e.assertion) for e in finding.evidence]
        return (finding.code, finding.related_code, finding.severity, finding.guideline, quotes), finding

    return fire
