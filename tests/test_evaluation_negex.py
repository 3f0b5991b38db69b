"""The NegEx-format evaluator: reading odd files, counts per label, error lines, the CLI.

The TSV files are written by the tests (own sentences); no test needs ../shared/data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chartaudit.cli import main
from chartaudit.evaluation import detect_format, evaluate
from chartaudit.evaluation.negex import evaluate_negex, locate_condition, read_negex_rows

HEADER = "id\tcondition\tsentence\tnegation\ttemporality\texperiencer"
ROWS = [
    # agreed: negated
    "1\tedema\tNo EDEMA of the legs.\tNegated\tRecent\tPatient",
    # gold says negated, the sentence affirms it: a false negative
    "2\tchest pain\tThe patient reports CHEST PAIN since noon.\tNegated\tRecent\tPatient",
    # gold says affirmed, the sentence denies it: a false positive
    "3\tnausea\tShe denies NAUSEA.\tAffirmed\tRecent\tPatient",
    # historical and other experiencer
    "4\tasthma\tHistory of ASTHMA as a child.\tAffirmed\tHistorical\tPatient",
    "5\tbreast cancer\tMother with BREAST CANCER.\tAffirmed\tRecent\tOther",
    # the condition's words are spaced differently in the sentence
    "6\tshortness of breath\tComplains of SHORTNESS  OF BREATH today.\tAffirmed\tRecent\tPatient",
    # odd rows: too few columns, an unknown label, a blank line
    "7\twheeze",
    "8\tcough\tA dry COUGH.\tMaybe\tRecent\tPatient",
    "",
    # the condition is not in the sentence at all
    "9\twheezing\tLungs are clear.\tAffirmed\tRecent\tPatient",
]


def write_tsv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tsv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tsv(tmp_path_factory.mktemp("negex") / "negex.tsv", [HEADER, *ROWS])


@pytest.fixture(scope="module")
def report(tsv: Path, checker):  # noqa: ANN001 - the session checker fixture
    return evaluate_negex(tsv, checker)


def test_counts(report) -> None:  # noqa: ANN001
    assert len(report.rows) == 7
    assert report.skipped == 2
    negated = report.counts["negated"]
    assert (negated.true_positive, negated.false_positive, negated.false_negative) == (1, 1, 1)
    assert negated.precision == pytest.approx(0.5) and negated.recall == pytest.approx(0.5)
    historical = report.counts["historical"]
    assert (historical.true_positive, historical.false_positive, historical.false_negative) == (1, 0, 0)
    other = report.counts["other experiencer"]
    assert (other.true_positive, other.support) == (1, 1)


def test_condition_located(report) -> None:  # noqa: ANN001
    located = {row.row_id: row.located for row in report.rows}
    assert located["6"] is True
    assert located["9"] is False
    assert locate_condition("edema", "Edema? No EDEMA.") == (10, 15, True)  # NegEx's upper-case mark wins


def test_table_and_errors(report) -> None:  # noqa: ANN001
    table = report.table()
    assert table.startswith("7 sentences, given-span mode (the condition's span is supplied: ConText alone) "
                            "(2 rows skipped); condition not found verbatim in 1")
    assert "halves: negated F1 even" in table
    assert "negated" in table and "historical" in table and "other experiencer" in table and "f1" in table
    lines = report.error_lines(10)
    assert len(lines) == 2
    assert any("row 2 [negated: gold yes, predicted no]" in line and "CHEST PAIN" in line for line in lines)
    assert any("row 3 [negated: gold no, predicted yes]" in line and "NAUSEA" in line for line in lines)
    assert report.error_lines(1) == lines[:1]


def test_halves_partition_the_rows(report) -> None:  # noqa: ANN001
    even = report.select(lambda row: row.index % 2 == 0)
    odd = report.select(lambda row: row.index % 2 == 1)
    assert len(even.rows) + len(odd.rows) == len(report.rows)
    for label, count in report.counts.items():
        assert even.counts[label].support + odd.counts[label].support == count.support


def test_limit(tsv: Path, checker) -> None:  # noqa: ANN001
    limited = evaluate("negex", tsv, checker, limit=3)
    assert [row.row_id for row in limited.given.rows] == ["1", "2", "3"]
    assert [row.row_id for row in limited.extracted.rows] == ["1", "2", "3"]


def test_headerless_files(tmp_path: Path) -> None:
    six = write_tsv(tmp_path / "six.tsv", ROWS[:2])
    assert [record for _, _, record in read_negex_rows(six)][1] == [
        "chest pain", "The patient reports CHEST PAIN since noon.", "Negated", "Recent", "Patient"]
    five = write_tsv(tmp_path / "five.tsv", ["fever\tNo FEVER.\tNegated\tRecent\tPatient"])
    assert list(read_negex_rows(five)) == [(0, "", ["fever", "No FEVER.", "Negated", "Recent", "Patient"])]
    reordered = write_tsv(tmp_path / "reordered.tsv", [
        "sentence\tcondition\tnegation\texperiencer\ttemporality", "No FEVER.\tfever\tNegated\tPatient\tHistorical"])
    assert list(read_negex_rows(reordered))[0][2] == ["fever", "No FEVER.", "Negated", "Historical", "Patient"]


def test_cli(tsv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert detect_format(tsv) == "negex"
    assert main(["evaluate", str(tsv), "--errors", "1"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("7 sentences")
    assert "other experiencer" in out
    assert "extracted mode (the condition is a term the extractor must find" in out
    assert sum(line.startswith("row ") for line in out.splitlines()) == 2  # one per mode


def test_historical_is_scored_as_temporality(tmp_path: Path, checker) -> None:  # noqa: ANN001
    """NegEx Historical = onset over ~2 weeks ago: a current chronic condition counts."""
    path = write_tsv(tmp_path / "temporal.tsv", [
        HEADER,
        "1\tCAD\tKnown CAD, stable on aspirin.\tAffirmed\tHistorical\tPatient",
        "2\thypertension\tHYPERTENSION for ten years.\tAffirmed\tHistorical\tPatient",
        "3\tchest pain\tCHEST PAIN since this morning.\tAffirmed\tRecent\tPatient",
    ])
    report = evaluate_negex(path, checker)
    historical = report.counts["historical"]
    assert (historical.true_positive, historical.false_positive, historical.false_negative) == (2, 0, 0)
    assert "not the billing flag historical" in evaluate("negex", path, checker).table()


def test_cli_half(tsv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(tsv), "--half", "even"]) == 0
    even = capsys.readouterr().out
    assert main(["evaluate", str(tsv), "--half", "odd"]) == 0
    odd = capsys.readouterr().out
    counts = [int(out.splitlines()[0].split()[0]) for out in (even, odd)]
    assert sum(counts) == 7 and all(counts)


def test_extracted_mode_needs_the_extractor_to_find_the_condition(tsv: Path, checker) -> None:  # noqa: ANN001
    report = evaluate_negex(tsv, checker, mode="extracted")
    found = {row.row_id: row.found for row in report.rows}
    assert found["1"] and found["3"] and not found["9"]  # "wheezing" is not in "Lungs are clear."
    negated = {row.row_id: "negated" in row.predicted for row in report.rows}
    assert negated["1"] and negated["3"] and not negated["2"]
    assert "the extractor found the condition in" in report.table()
    with pytest.raises(ValueError, match="unknown NegEx mode"):
        evaluate_negex(tsv, checker, mode="guess")
