"""The finding registry is the one list of finding types: docs, summary columns and viewer read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chartaudit.findings import FINDING_TYPES, FindingRegistry, FindingRule, registry
from chartaudit.findings.__main__ import documented_table

ROOT = Path(__file__).resolve().parents[1]


def test_docs_table_is_the_registry_table():
    table = documented_table((ROOT / "docs" / "findings.md").read_text(encoding="utf-8"))
    assert table == registry.markdown_table(), "run: python -m chartaudit.findings docs/findings.md"


def test_every_type_is_in_the_batch_summary_and_the_viewer():
    from chartaudit.batch import SUMMARY_COLUMNS
    from chartaudit.report import STATUS_BADGES

    assert [column[2:] for column in SUMMARY_COLUMNS if column.startswith("n_")] == list(FINDING_TYPES)
    assert set(registry.by_status()) <= set(STATUS_BADGES)


def test_types_come_in_declared_order():
    orders = [registry.get(kind).order for kind in FINDING_TYPES]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def _rule(**attributes) -> type[FindingRule]:
    defaults = {"type": "made_up", "severity": "warning", "order": 999, "label": "Made up", "description": "Never."}
    return type("MadeUpRule", (FindingRule,), {**defaults, **attributes})


@pytest.mark.parametrize(("attributes", "words"), [
    ({"type": "Bad Name"}, "type name"),
    ({"severity": "fatal"}, "severity"),
    ({"label": ""}, "label"),
    ({"status": "made_up"}, "status_label"),
    ({"viewer_group": "purple"}, "viewer_group"),
])
def test_an_incomplete_rule_is_refused(attributes, words):
    with pytest.raises(ValueError, match=words):
        FindingRegistry().register(_rule(**attributes))


def test_a_type_order_or_status_is_declared_once():
    fresh = FindingRegistry()
    fresh.register(_rule())
    with pytest.raises(ValueError, match="same order"):
        fresh.register(_rule(type="other"))
    with pytest.raises(ValueError, match="registered twice"):
        fresh.register(_rule(order=1000))
    fresh.register(_rule(type="first_status", order=1, status="shared", status_label="shared"))
    with pytest.raises(ValueError, match="same status"):
        fresh.register(_rule(type="second_status", order=2, status="shared", status_label="shared"))


def test_every_type_has_its_test_file_and_samples():
    import json

    samples = [json.loads(line) for line in (ROOT / "data" / "samples" / "encounters.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    sampled = {finding["type"] for sample in samples for finding in sample.get("expected", [])}
    for kind in FINDING_TYPES:
        assert (ROOT / "tests" / "findings" / f"test_{kind}.py").is_file(), f"tests/findings/test_{kind}.py"
        assert kind in sampled or not registry.get(kind).sampled, f"no sample encounter expects {kind}"
