"""CodiEsp-format evaluation: support recall, swap detection, splits, errors, the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from chartaudit.cli import main
from chartaudit.evaluation import detect_format
from chartaudit.evaluation.document_codes import SWAPS_PER_DOCUMENT, draw_swaps, evaluate_document_codes

DOCUMENTS = [
    {"doc_id": "t1", "split": "train",
     "text": "Admitted with community acquired pneumonia. Known type 2 diabetes mellitus. He denies chest pain.",
     "dx_codes": ["J18.9", "E11.9", "R07.9", "XYZ.9"]},
    {"doc_id": "t2", "split": "train",
     "text": "Right shoulder pain after a fall. History of hypertension.",
     "dx_codes": ["M25.511", "I10"]},
    {"doc_id": "d1", "split": "dev", "text": "Acute appendicitis confirmed at surgery.", "dx_codes": ["K35.80"]},
    {"doc_id": "d2", "split": "dev", "text": "Severe anemia with fatigue.", "dx_codes": ["D64.9", "R53.83"]},
]


@pytest.fixture()
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "codiesp.jsonl"
    path.write_text("\n".join(json.dumps(document) for document in DOCUMENTS) + "\n", encoding="utf-8")
    return path


def test_detects_the_format(gold_file: Path) -> None:
    assert detect_format(gold_file) == "codiesp"


def test_counts_per_split_and_overall(gold_file: Path, checker) -> None:
    report = evaluate_document_codes(gold_file, checker)
    assert report.overall.documents == 4
    assert report.overall.gold == 8  # the invalid XYZ.9 is skipped, not counted
    assert report.overall.invalid == 1
    assert set(report.splits) == {"train", "dev"}
    assert report.splits["train"].gold == 5 and report.splits["dev"].gold == 3
    assert report.splits["train"].documents + report.splits["dev"].documents == 4
    statuses = {(d.doc_id, item.code): item.status for d in report.documents for item in d.gold}
    assert statuses[("t1", "R07.9")] == "negated"  # "denies chest pain" is no support
    assert statuses[("t1", "J18.9")] == "supported"
    assert statuses[("t2", "I10")] == "supported"  # a chronic condition given as history
    missed = sum(len(d.missed) for d in report.documents)
    assert report.overall.supported == report.overall.gold - missed
    assert report.support_recall == pytest.approx(report.overall.supported / 8)
    assert report.overall.mentioned >= report.overall.supported


def test_swaps_come_from_other_categories(gold_file: Path, checker) -> None:
    report = evaluate_document_codes(gold_file, checker, seed=3)
    assert report.overall.swaps == SWAPS_PER_DOCUMENT * 4
    for document in report.documents:
        categories = {item.code[:3] for item in document.gold}
        swapped = [item.code for item in document.swaps]
        assert len(swapped) == SWAPS_PER_DOCUMENT
        assert not categories & {code[:3] for code in swapped}
    # None of the swapped conditions is in these short notes.
    assert report.swap_detection == 1.0
    again = evaluate_document_codes(gold_file, checker, seed=3)
    assert [[s.code for s in d.swaps] for d in again.documents] == [[s.code for s in d.swaps] for d in report.documents]


def test_draw_swaps_prefers_other_chapters(checker) -> None:
    pool = ["R07.89", "R50.9", "I10", "M25.511", "J18.9"]
    drawn = draw_swaps(checker.knowledge, ["R07.9"], pool, random.Random(0), count=3)
    assert set(drawn) == {"I10", "M25.511", "J18.9"}  # no other R code while others remain
    drawn = draw_swaps(checker.knowledge, ["R07.9", "I10", "M25.511"], pool, random.Random(0), count=3)
    assert "J18.9" in drawn and not {"R07.9", "I10", "M25.511"} & set(drawn)


def test_split_and_limit(gold_file: Path, checker) -> None:
    assert evaluate_document_codes(gold_file, checker, split="dev").overall.documents == 2
    assert evaluate_document_codes(gold_file, checker, limit=1).overall.gold == 3


def test_error_lines_list_missed_codes_with_text(gold_file: Path, checker) -> None:
    report = evaluate_document_codes(gold_file, checker)
    lines = report.error_lines(1)
    assert lines[0].startswith("== t1")
    assert any("R07.9" in line and "negated" in line and "Chest pain" in line for line in lines)
    assert any(line.strip().startswith("text: Admitted with") for line in lines)


def test_cli_evaluate(gold_file: Path, capsys) -> None:
    assert main(["evaluate", str(gold_file), "--errors", "2"]) == 0
    out = capsys.readouterr().out
    assert "support recall" in out and "swap detection" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.split()[:1] in (["train"], ["dev"], ["all"])}
    assert rows["all"][1] == "4" and rows["all"][2] == "8"
    assert "== t1" in out


FLAGGED = [
    {"doc_id": "f1", "split": "dev", "text": "Known heart failure, compensated. Hypertension on lisinopril.",
     "dx_codes": ["I50.23", "I10"]},
    {"doc_id": "f2", "split": "dev", "text": "Heart failure follow-up; stable.", "dx_codes": ["I50.23"]},
]


def test_flag_lines_list_the_most_frequent_flags_with_their_words(tmp_path: Path, checker) -> None:
    path = tmp_path / "flagged.jsonl"
    path.write_text("\n".join(json.dumps(document) for document in FLAGGED) + "\n", encoding="utf-8")
    report = evaluate_document_codes(path, checker)
    assert report.overall.flags_by_type["unsupported_specificity"] == 2
    assert report.overall.flags_by_type["combination_code"] == 1  # I10 beside I50.- is I11.0
    lines = report.flag_lines(5, types=["unsupported_specificity"], split="dev")
    assert "unsupported_specificity I50.23 -> I50.9" in lines[1] and lines[1].split()[0] == "2"
    assert "acute on chronic systolic" in lines[1]
    assert lines[2].strip().startswith("f1:") and "heart failure" in lines[2]
    assert len(lines) == 3  # one (type, code) pair, counted over both documents
    assert report.flag_lines(5, types=["unsupported_specificity"], split="train")[1].strip() == "none"


def test_cli_evaluate_flags(tmp_path: Path, capsys) -> None:
    path = tmp_path / "flagged.jsonl"
    path.write_text("\n".join(json.dumps(document) for document in FLAGGED) + "\n", encoding="utf-8")
    assert main(["evaluate", str(path), "--flags", "3", "--flag-type", "combination_code"]) == 0
    out = capsys.readouterr().out
    assert "most frequent flags on gold codes (dev)" in out
    assert "combination_code I10 -> I11.0" in out and "unsupported_specificity" not in out.split("(dev)")[1]
