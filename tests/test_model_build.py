"""Model directories and built artifacts: validation, build-model, loading, editing a copy."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from chartaudit import Checker
from chartaudit.cli import main
from chartaudit.model import (
    ModelError,
    add_context_rules,
    add_lexicon_terms,
    build_model,
    copy_model,
    model_directory,
    model_info,
    read_artifact,
    set_model_version,
    validate_model,
)
from chartaudit.resources import default_model_dir, samples_dir

#: A phrase no clinical lexicon holds, so that adding it is what changes the answer.
NEW_PHRASE = "quuxoid wobbles"
NEW_CODE = "R27.8"  # Other lack of coordination
NEW_NOTE = f"CC: {NEW_PHRASE} x 3 days.\nAssessment: {NEW_PHRASE}, cause unclear. Plan: neurology referral."


@pytest.fixture(scope="module", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Unpack artifacts into a temporary cache, not the user's."""
    cache = tmp_path_factory.mktemp("model-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("CHARTAUDIT_CACHE", str(cache))
    yield cache
    patch.undo()


@pytest.fixture(scope="module")
def default_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model(default_model_dir(), tmp_path_factory.mktemp("built") / "default.chartaudit").artifact


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    return copy_model(default_model_dir(), tmp_path / "model")


def _status(checker: Checker, note: str, code: str) -> str:
    return next(result.status for result in checker.check(note, dx=[code]).codes if result.code == code)


def _findings(checker: Checker) -> list[list[dict]]:
    results = []
    for line in (samples_dir() / "encounters.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        encounter = json.loads(line)
        result = checker.check(encounter.get("note_text") or "", dx=encounter.get("dx_codes", []),
                               px=encounter.get("px_codes", []), setting=encounter.get("setting", "outpatient"),
                               policies=[str(samples_dir() / name) for name in encounter.get("policy_files", [])])
        results.append([finding.to_dict() for finding in result.findings])
    return results


def test_default_model_is_valid() -> None:
    info, warnings = validate_model(default_model_dir())
    assert info.version == json.loads((default_model_dir() / "meta.json").read_text(encoding="utf-8"))["version"]
    assert {"meta.json", "lexicon.csv", "CHANGELOG.md"} <= set(info.files)
    assert warnings == []  # a CHANGELOG heading for the version; every abbreviation expands


def test_artifact_round_trip_gives_the_same_findings(default_artifact: Path, checker: Checker) -> None:
    assert default_artifact.is_file()
    bundle = read_artifact(default_artifact)
    source = model_info(default_model_dir())
    assert bundle["content_hash"] == source.content_hash == model_info(default_artifact).content_hash
    assert bundle["version"] == source.version
    unpacked = model_directory(default_artifact)
    assert unpacked.is_dir() and unpacked != default_model_dir()
    built = Checker(model=default_artifact)
    assert built.extractor.model_dir == unpacked
    expected = _findings(checker)
    assert sum(len(findings) for findings in expected) > 50
    assert _findings(built) == expected


def test_build_is_reproducible_and_unpacks_once(default_artifact: Path, model_copy: Path, tmp_path: Path) -> None:
    first = build_model(model_copy, tmp_path / "first.chartaudit")
    again = build_model(model_copy, tmp_path)  # a directory: <name>-<version>.chartaudit inside
    assert again.artifact.parent == tmp_path and again.artifact.suffix == ".chartaudit"
    assert again.artifact.read_bytes() == first.artifact.read_bytes()
    assert model_directory(again.artifact) == model_directory(first.artifact)

    from chartaudit.extract.pipeline import build_pipeline

    assert build_pipeline(default_artifact) is build_pipeline(model_directory(default_artifact))


def test_added_term_changes_the_answer(model_copy: Path, checker: Checker, tmp_path: Path) -> None:
    assert _status(checker, NEW_NOTE, NEW_CODE) == "unsupported"
    assert add_lexicon_terms(model_copy, {NEW_PHRASE: NEW_CODE}) == 1
    set_model_version(model_copy, "9.1.0", f"Added {NEW_PHRASE}.")
    report = build_model(model_copy, tmp_path / "tuned.chartaudit")
    assert report.info.version == "9.1.0"
    assert report.info.content_hash != model_info(default_model_dir()).content_hash
    assert _status(Checker(model=report.artifact), NEW_NOTE, NEW_CODE) == "supported"
    assert _status(Checker(model=model_copy), NEW_NOTE, NEW_CODE) == "supported"  # the source directory too
    assert _status(checker, NEW_NOTE, NEW_CODE) == "unsupported"  # the default model is untouched
    assert NEW_PHRASE not in (default_model_dir() / "lexicon.csv").read_text(encoding="utf-8")


def test_added_context_rule_negates(model_copy: Path, checker: Checker) -> None:
    note = "HPI: Patient is quuxishly free from chest pain today."
    assert not any(mention.negated for mention in checker.extract(note))
    add_context_rules(model_copy, [{"literal": "quuxishly free from", "category": "NEGATED_EXISTENCE",
                                    "direction": "FORWARD"}])
    validate_model(model_copy)
    mentions = Checker(model=model_copy).extract(note)
    assert mentions and all(mention.negated for mention in mentions)


def test_release_moves_unreleased_lines(model_copy: Path) -> None:
    changelog = model_copy / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## Unreleased\n\n- lexicon: one more term.\n\n## 0.1.0\n\n- First.\n",
                         encoding="utf-8")
    set_model_version(model_copy, "0.2.0", "Release.")
    text = changelog.read_text(encoding="utf-8")
    unreleased, released = text.split("## 0.2.0")
    assert "one more term" not in unreleased and "one more term" in released.split("## 0.1.0")[0]
    assert json.loads((model_copy / "meta.json").read_text(encoding="utf-8"))["version"] == "0.2.0"
    assert validate_model(model_copy)[1] == []


def _break(model: Path, name: str, old: str, new: str) -> None:
    path = model / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("section_rules.json", '"literal": "CC",', '"literal": "CC", "pattern": "(unclosed",', r"does not compile"),
        ("lexicon.csv", "phrase,code,concept\n", "phrase,code,concept\nzorblax,Q99.999,Zorblax\n",
         r"line 2: code 'Q99\.999'"),
        ("context_rules.json", '"context_rules": [', '"context_rules": [,', r"line \d+ column \d+: malformed JSON"),
        ("context_rules.json", '"category": "NEGATED_EXISTENCE"', '"category": "NEGATED"', r"category 'NEGATED'"),
        ("meta.json", '"version": "', '"version": "v', r"is not MAJOR\.MINOR\.PATCH"),
    ],
)
def test_bad_model_exits_2_with_one_line_naming_the_file(model_copy: Path, tmp_path: Path, capsys, name: str,
                                                          old: str, new: str, expected: str) -> None:
    _break(model_copy, name, old, new)
    output = tmp_path / "out.chartaudit"
    assert main(["build-model", str(model_copy), str(output)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert error.startswith(f"chartaudit: error: {model_copy / name}")
    assert re.search(expected, error), error
    assert not output.exists()
    with pytest.raises(ModelError):
        validate_model(model_copy)


def test_build_model_cli_writes_the_artifact(tmp_path: Path, capsys) -> None:
    output = tmp_path / "dist" / "default.chartaudit"
    assert main(["build-model", str(default_model_dir()), str(output)]) == 0
    out = capsys.readouterr().out
    assert str(output) in out and model_info(default_model_dir()).version in out
    with gzip.open(output, "rb") as stream:
        assert json.loads(stream.read())["format"] == "chartaudit-model"


def test_check_with_model_option(model_copy: Path, tmp_path: Path, capsys) -> None:
    add_lexicon_terms(model_copy, [(NEW_PHRASE, NEW_CODE, "Wobbles")])
    artifact = build_model(model_copy, tmp_path / "tuned.chartaudit").artifact
    note = tmp_path / "note.txt"
    note.write_text(NEW_NOTE, encoding="utf-8")
    statuses = {}
    for model in (None, artifact, model_copy):
        argv = ["check", "--note", str(note), "--dx", NEW_CODE, "--format", "json"]
        assert main(argv + (["--model", str(model)] if model else [])) == 0
        statuses[str(model)] = json.loads(capsys.readouterr().out)["codes"][0]["status"]
    assert statuses == {"None": "unsupported", str(artifact): "supported", str(model_copy): "supported"}


@pytest.mark.parametrize("kind", ["missing", "text file", "damaged artifact", "empty directory"])
def test_bad_model_option_is_one_line(kind: str, tmp_path: Path, capsys) -> None:
    note = tmp_path / "note.txt"
    note.write_text("CC: chest pain", encoding="utf-8")
    model = tmp_path / "model.chartaudit"
    if kind == "text file":
        model.write_text("not a model", encoding="utf-8")
    elif kind == "damaged artifact":
        model.write_bytes(gzip.compress(b'{"format": "chartaudit-model", "format_version": 1, "files": {}}'))
    elif kind == "empty directory":
        model.mkdir()
    assert main(["check", "--note", str(note), "--dx", "R07.9", "--model", str(model)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(model) in error and "Traceback" not in error
