"""The chartaudit command: exit codes, one-line errors, text and JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chartaudit.cli import main


def run(argv, capsys, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_text_output(tmp_path, capsys, seed_note):
    note = tmp_path / "note.txt"
    note.write_text(seed_note)
    code, out, err = run(["check", "--note", str(note), "--dx", "R07.9, M25.511"], capsys)
    assert code == 0
    assert "unsupported_code M25.511" in out
    assert "R07.9" in out and "supported" in out
    assert err == ""


def test_check_json_from_stdin(capsys, monkeypatch, seed_note):
    code, out, _ = run(["check", "--note", "-", "--dx", "R07.9", "M25.511", "--format", "json"], capsys,
                       stdin=seed_note, monkeypatch=monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert ("unsupported_code", "M25.511") in {(f["type"], f["code"]) for f in data["findings"]}


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--note", "/nonexistent/note.txt", "--dx", "I10"],
        ["check", "--dx", "I10"],
        ["check", "--note", "x", "--dx", "I10", "--format", "xml"],
        ["frobnicate"],
        [],
        ["audit", "/nonexistent.csv", "--out", "/tmp/out.csv"],
    ],
)
def test_bad_usage_exits_2_with_one_line(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err.startswith("chartaudit: error: ")
    assert err.count("\n") == 1


def test_bad_policy_is_one_line(tmp_path, capsys):
    note = tmp_path / "n.txt"
    note.write_text("Assessment: HTN.")
    policy = tmp_path / "p.csv"
    policy.write_text("procedure,pattern\n80061,E78\n")
    code, _, err = run(["check", "--note", str(note), "--dx", "I10", "--policy", str(policy)], capsys)
    assert code == 2 and err.count("\n") == 1 and "p.csv" in err


def test_console_script_runs_the_seed_case(tmp_path, seed_note):
    note = tmp_path / "note.txt"
    note.write_text(seed_note)
    completed = subprocess.run(
        [sys.executable, "-m", "chartaudit.cli", "check", "--note", str(note), "--dx", "R07.9 M25.511",
         "--format", "json"], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    findings = json.loads(completed.stdout)["findings"]
    assert [f["code"] for f in findings if f["type"] == "unsupported_code"] == ["M25.511"]
    assert "chest pain" not in completed.stderr.lower()  # no note text in logs


def test_lookup(capsys):
    code, out, _ = run(["lookup", "M25.51"], capsys)
    assert code == 0 and "M25.511" in out and "Pain in right shoulder" in out


@pytest.mark.parametrize(("query", "first_line"), [
    (["afib"], ["I48.91", "billable", "abbreviation", "Unspecified", "atrial", "fibrillation"]),
    (["MI"], ["I21.9", "billable", "abbreviation", "Acute", "myocardial", "infarction,", "unspecified"]),
    (["heart", "attack"], ["I21.9", "billable", "lexicon", "Acute", "myocardial", "infarction,", "unspecified"]),
    (["CHF"], ["I50.9", "billable", "abbreviation", "Heart", "failure,", "unspecified"]),
    (["thyromegaly"], ["E01.0", "billable", "index", "Iodine-deficiency", "related", "diffuse", "(endemic)", "goiter"]),
    (["bedsore"], ["L89.9", "header", "index", "Pressure", "ulcer", "of", "unspecified", "site"]),
    (["RLQ pain"], ["R10.31", "billable", "index", "Right", "lower", "quadrant", "pain"]),
    (["lazy", "eye"], ["H53.00", "header", "lexicon", "Unspecified", "amblyopia"]),
    (["m25511"], ["M25.511", "billable", "code", "Pain", "in", "right", "shoulder"]),
])
def test_lookup_finds_the_extractors_terms(capsys, query, first_line):
    code, out, _ = run(["lookup", "--limit", "5", *query], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == first_line
    assert 1 <= len(lines) <= 5 and len({line.split()[0] for line in lines}) == len(lines)


def test_version(capsys):
    import chartaudit
    from chartaudit.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"chartaudit {chartaudit.__version__}"


@pytest.mark.parametrize("arguments", [["--help"], ["lookup", "shoulder pain"], ["lookup", "afib"], ["--version"]])
def test_commands_without_a_pipeline_import_no_heavy_package(arguments):
    import subprocess
    import sys

    code = ("import sys\nfrom chartaudit.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('spacy', 'pandas', 'streamlit', 'pyarrow') if m in sys.modules))" % arguments)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip().splitlines()[-1] == "[]"
