"""Coverage policies: reading CSV files, pattern matching and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from chartaudit.knowledge import Policy, PolicyError, PolicySet, load_policies
from chartaudit.resources import samples_dir

HEADER = "procedure_code,icd10_pattern,policy_id,description\n"


def write(tmp_path: Path, text: str, name: str = "policy.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_prefix_range_and_code_patterns(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "83036,E08-E13,P-1,A1c\n83036,r73,P-1,\n83036, Z79.4 ,P-1,\n83036,O24.-,P-1,\n")
    policies = load_policies(path)
    [policy] = policies.policies_for("83036")
    assert policy.patterns == ("E08-E13", "R73", "Z79.4", "O24")
    assert policy.policy_id == "P-1" and policy.description == "A1c"
    assert policy.covers("E11.9") and policy.covers("E13.9") and policy.covers("e0800")
    assert policy.covers("R73.09") and policy.covers("Z79.4") and policy.covers("O24.410")
    assert not policy.covers("E14") and not policy.covers("E07.9") and not policy.covers("Z79.899")
    assert not policy.covers("XYZ") and not policy.covers("")
    assert policy.matching_patterns("E11.65") == ["E08-E13"]


def test_exact_code_pattern_is_a_prefix_of_its_descendants(tmp_path: Path) -> None:
    policy = load_policies(write(tmp_path, HEADER + "73030,M25.51,P-2,\n73030,M19.01,P-2,\n")).policies_for("73030")[0]
    assert policy.covers("M25.511") and policy.covers("M19.011")
    assert not policy.covers("M25.5") and not policy.covers("M25.561")


def test_procedure_codes_are_normalised(tmp_path: Path) -> None:
    policies = load_policies(write(tmp_path, HEADER + " g0103 ,C61,P-3,\n"))
    assert policies.procedure_codes == ["G0103"]
    assert len(policies.policies_for("G0103")) == 1
    assert len(policies.policies_for(" g0103")) == 1
    assert policies.policies_for("99213") == []
    assert policies.covers("G0103", ["C61"]) is True
    assert policies.covers("G0103", ["I10"]) is False
    assert policies.covers("99213", ["I10"]) is None


def test_several_files_and_merge(tmp_path: Path) -> None:
    first = write(tmp_path, HEADER + "80061,E78,LIPID,\n", "first.csv")
    second = write(tmp_path, HEADER + "80061,E11,LIPID,\n80061,I10,OTHER,\n", "second.csv")
    together = load_policies([first, second])
    assert sorted(p.policy_id for p in together.policies_for("80061")) == ["LIPID", "OTHER"]
    lipid = next(p for p in together.policies_for("80061") if p.policy_id == "LIPID")
    assert lipid.patterns == ("E78", "E11")
    merged = load_policies(first).merge(load_policies(second))
    assert {p.policy_id: p.patterns for p in merged} == {p.policy_id: p.patterns for p in together}
    assert len(PolicySet().merge(merged)) == 2


def test_optional_description_column_and_blank_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffPolicy_ID,Procedure_Code,ICD10_Pattern\nX-1,93000,R07\n,,\n\nX-1,93000,I20-I25\n")
    [policy] = load_policies(path).policies_for("93000")
    assert policy.patterns == ("R07", "I20-I25") and policy.description == ""
    assert policy.covers("I25.10") and policy.covers("R07.9") and not policy.covers("I26.99")


def one_line_error(paths: object) -> str:
    with pytest.raises(PolicyError) as caught:
        load_policies(paths)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    message = one_line_error(tmp_path / "nope.csv")
    assert "nope.csv" in message and "not found" in message


def test_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "procedure_code,policy_id\n80061,P\n")
    message = one_line_error(path)
    assert "policy.csv" in message and "icd10_pattern" in message


def test_empty_file(tmp_path: Path) -> None:
    message = one_line_error(write(tmp_path, ""))
    assert "policy.csv" in message and "empty" in message


@pytest.mark.parametrize("pattern", ["E7", "diabetes", "E13-E08", "E11.9;E10", "123"])
def test_bad_pattern_names_file_row_and_column(tmp_path: Path, pattern: str) -> None:
    path = write(tmp_path, HEADER + "80061,E78,P,\n80061,\"" + pattern + "\",P,\n")
    message = one_line_error(path)
    assert "policy.csv" in message and "row 3" in message and "icd10_pattern" in message


def test_empty_value_names_the_column(tmp_path: Path) -> None:
    message = one_line_error(write(tmp_path, HEADER + "80061,E78,,\n"))
    assert "row 2" in message and "policy_id" in message


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


def test_demo_policy_ships_and_loads() -> None:
    policies = load_policies(samples_dir() / "demo_policy.csv")
    assert set(policies.procedure_codes) == {
        "80061", "83036", "82947", "93000", "71046", "81001", "72100", "73030", "85025",
    }
    assert all(p.policy_id.startswith("DEMO-") for p in policies)
    assert policies.covers("80061", ["E78.5"]) and not policies.covers("80061", ["J06.9"])
    assert policies.covers("83036", ["E11.9"]) and not policies.covers("83036", ["E66.9"])
    assert policies.covers("73030", ["S42.001A"]) and not policies.covers("73030", ["M25.561"])
    assert policies.covers("93000", ["I25.10"]) and not policies.covers("93000", ["K40.90"])
    assert policies.covers("85025", ["D64.9"]) and not policies.covers("85025", ["M54.50"])


def test_policy_dataclass_directly() -> None:
    policy = Policy("83036", "DEMO", ("E08-E13",))
    assert policy.covers("E11.9") and not policy.covers("I10")
    assert PolicySet([policy]).policies_for("83036") == [policy]
