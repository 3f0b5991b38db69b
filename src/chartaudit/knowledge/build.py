"""Precompute the ICD-10-CM tables from ``simple_icd_10_cm`` into one small gzipped JSON file.

Importing ``simple_icd_10_cm`` parses the CDC XML (about 2 s); chartaudit reads the
precomputed file instead (well under 0.5 s). The file is columnar and leaves out
whatever the loader can derive: parents and children come from the code strings,
billable means "has no children", and the description of a 7th-character code
that reads "<parent description>, <7th character meaning>" is stored as "".

Run ``python -m chartaudit.knowledge.build [OUT] [--no-verify]``; by default it
writes ``models/icd10cm/icd10cm-2026.json.gz`` and then checks every code of the
written file against the library.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from chartaudit.resources import icd10cm_dir

logger = logging.getLogger(__name__)

#: Version of the file layout; the loader refuses other versions.
FORMAT_VERSION = 1
DEFAULT_FILE_NAME = "icd10cm-2026.json.gz"
SOURCE = "CDC ICD-10-CM tabular list, April 1 2026, via simple_icd_10_cm"

_RANGE_IN_TITLE = re.compile(r"\(([A-Z][0-9A-Z][0-9A-Z])-([A-Z][0-9A-Z][0-9A-Z])\)\s*$")


def default_output() -> Path:
    """The file that :meth:`Icd10cm.load` reads by default."""
    return icd10cm_dir() / DEFAULT_FILE_NAME


def _code_parent(code: str, known: set[str]) -> str | None:
    text = code
    while len(text) > 3:
        text = text[:-1].rstrip(".")
        if text in known:
            return text
    return None


def build_tables() -> dict[str, Any]:
    """Read the tabular list from ``simple_icd_10_cm`` into the columnar dict that is saved."""
    import simple_icd_10_cm as cm  # noqa: PLC0415 - build time only

    items = list(dict.fromkeys(cm.get_all_codes(True)))
    codes = [item for item in items if not item.isdigit() and "-" not in item]
    known = set(codes)

    # Chapters and blocks: only their ranges, titles and Excludes1 notes are kept. They are
    # read from the library's tree because a block named like its only category (B99)
    # is shadowed by that category in the library's lookup functions.
    sections: list[list[Any]] = []

    def walk(node: Any) -> Any:
        yield node
        for child in node.children:
            yield from walk(child)

    for chapter in cm.simple_icd_10_cm._chapter_list:
        for node in walk(chapter):
            if node.type == "chapter":
                match = _RANGE_IN_TITLE.search(node.description)
                if match is None:
                    raise ValueError(f"chapter {node.name} has no code range in its title: {node.description!r}")
                low, high = match.group(1), match.group(2)
            elif node.type == "section":
                low, _, high = node.name.partition("-")
                high = high or low
            else:
                continue
            sections.append([node.name, low, high, node.description, list(node.excludes1)])

    seven_chr_def: dict[str, dict[str, str]] = {}
    for code in codes:
        definition = cm.get_seven_chr_def(code, False)
        if definition:
            seven_chr_def[code] = dict(definition)

    def nearest_definition(code: str) -> dict[str, str]:
        current: str | None = code
        while current is not None:
            if current in seven_chr_def:
                return seven_chr_def[current]
            current = _code_parent(current, known)
        return {}

    descriptions: list[str] = []
    derived = 0
    for code in codes:
        description = cm.get_description(code)
        parent = _code_parent(code, known)
        if parent is not None and len(code) == 8:
            meaning = nearest_definition(parent).get(code[-1])
            if meaning is not None and description == f"{cm.get_description(parent)}, {meaning}":
                description = ""
                derived += 1
        descriptions.append(description)
    logger.info("%d codes, %d descriptions derived from their 7th character", len(codes), derived)

    def notes(getter: Any) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for code in codes:
            values = getter(code)
            if values:
                found[code] = list(values)
        return found

    return {
        "format": FORMAT_VERSION,
        "source": SOURCE,
        "library": f"simple_icd_10_cm {metadata.version('simple_icd_10_cm')}",
        "codes": codes,
        "descriptions": descriptions,
        "seven_chr_def": seven_chr_def,
        "excludes1": notes(cm.get_excludes1),
        "inclusion_terms": notes(cm.get_inclusion_term),
        "includes": notes(cm.get_includes),
        "sections": sections,
    }


def write_tables(tables: dict[str, Any], output: Path) -> int:
    """Write the tables as compact, reproducible gzipped JSON; return the file size in bytes."""
    output.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    temporary = output.with_suffix(output.suffix + ".tmp")
    with open(temporary, "wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0
    ) as stream:
        stream.write(payload)
    temporary.replace(output)
    return output.stat().st_size


def verify_tables(path: Path) -> list[str]:
    """Compare every code of a written file with ``simple_icd_10_cm``; return the differences."""
    import simple_icd_10_cm as cm  # noqa: PLC0415 - build time only

    from chartaudit.knowledge.icd10cm import Icd10cm  # noqa: PLC0415

    knowledge = Icd10cm(path)
    problems: list[str] = []
    for code in knowledge.codes():
        expected_parent = cm.get_parent(code)
        if expected_parent == code or not cm.is_valid_item(expected_parent or "") or not expected_parent:
            expected_parent = None
        elif cm.is_chapter_or_block(expected_parent) and not cm.is_category(expected_parent):
            expected_parent = None
        checks = {
            "description": (knowledge.description(code), cm.get_description(code)),
            "parent": (knowledge.parent(code), expected_parent),
            "children": (knowledge.children(code), cm.get_children(code)),
            "billable": (knowledge.is_billable(code), cm.is_leaf(code)),
            "excludes1": ([note for note, _ in knowledge.own_excludes1(code)], cm.get_excludes1(code)),
        }
        if len(code) == 3:
            # The library lists only the innermost block; nested blocks (C00-C75) hold it too.
            blocks = {item for item in cm.get_ancestors(code) if "-" in item or item.isdigit()}
            found_blocks = {name for name, _ in knowledge.sections(code)}
            checks["blocks"] = (sorted(blocks - found_blocks), [])
        for name, (found, expected) in checks.items():
            if found != expected:
                problems.append(f"{code} {name}: {found!r} != {expected!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: build, write and verify the ICD-10-CM file."""
    parser = argparse.ArgumentParser(
        prog="python -m chartaudit.knowledge.build", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("output", nargs="?", type=Path, default=default_output(), help="the .json.gz file to write")
    parser.add_argument("--no-verify", action="store_true", help="skip the code-by-code check against the library")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    started = time.perf_counter()
    tables = build_tables()
    size = write_tables(tables, arguments.output)
    logger.info("wrote %s (%.2f MB) in %.1f s", arguments.output, size / 1e6, time.perf_counter() - started)
    if arguments.no_verify:
        return 0
    problems = verify_tables(arguments.output)
    for problem in problems[:20]:
        logger.error("%s", problem)
    if problems:
        logger.error("%d differences between %s and simple_icd_10_cm", len(problems), arguments.output)
        return 1
    logger.info("verified %d codes against simple_icd_10_cm", len(tables["codes"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
