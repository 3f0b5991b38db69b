"""Generate the ``index`` part of ``status_terms.json`` from the ICD-10-CM Alphabetic Index.

The Index (Index to Diseases and Injuries, flattened to CSV: ``RowID, Letter, Level,
Term, See, SeeAlso, NonEssModif, Code``, rows in depth-first order) lists the
procedures and devices that make a status code under three main terms: "Status
(post)", "Presence (of)" and "Transplant (status)". Each entry with a status code
(:mod:`chartaudit.knowledge.kinds`: Z89-Z90, Z93-Z99, and Z92 tPA) becomes a phrase a
note may use: the path's words with the modifiers first ("Status, angioplasty,
coronary artery, with implant Z95.5" -> "coronary artery angioplasty with implant";
"Transplant, kidney Z94.0" -> "kidney transplant"; "Presence, artificial, lens Z96.1"
-> "artificial lens"). Phrases too generic to mean a status ("postoperative",
"joint implant") are dropped (:data:`DROPPED`).

The Index is a build-time source: the generated table is committed in the model
(the ``index`` object of ``status_terms.json``); the ``curated`` object of that file
is kept as it is. ``../shared/data/icd10cm_index_2025/index.csv`` holds the FY2025
Index; every generated code is checked against the ICD-10-CM 2026 tables.

Usage::

    python -m chartaudit.extract.evidence.build ../shared/data/icd10cm_index_2025/index.csv [models/default]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from chartaudit.extract.evidence.tables import StatusTerms
from chartaudit.knowledge.codes import normalize_pattern
from chartaudit.knowledge.kinds import kind_of

logger = logging.getLogger(__name__)

#: Index main terms whose entries are statuses, and how a path becomes a phrase.
MAIN_TERMS: tuple[str, ...] = ("Status", "Presence", "Transplant")
#: Parent terms that are modifiers, written before the entry below them ("artificial lens").
PREFIX_PARENTS: frozenset[str] = frozenset({"artificial", "cardiac", "bone"})
#: Parent terms that only group the entries below them: the entry is the phrase ("intraocular lens",
#: not "intraocular lens implanted device").
CONTAINER_PARENTS: frozenset[str] = frozenset({
    "implanted device", "intravascular implant", "device", "vascular implant or device", "ear implant",
    "otological implant", "postoperative", "postsurgical", "implant", "graft", "functional implant",
    "hearing-aid or device", "joint implant", "dental"})
#: Entries that name no procedure or device of their own.
SKIPPED_WORDS = re.compile(r"\bNEC\b|\bspecified\b|\bby artificial\b|\bby organ\b|\bcomplication\b|"
                           r"\bawaiting\b|\bcandidate\b|\bsocial\b|\bremoved\b|\bnegative\b|\bpositive\b",
                           re.IGNORECASE)
#: Generated phrases too generic (or too ambiguous in a note) to document a status.
DROPPED: frozenset[str] = frozenset({
    "postoperative", "postsurgical", "anastomosis", "implant", "joint implant", "functional implant",
    "implanted device", "device", "graft", "organ transplant", "tissue transplant", "filtering", "filtering bleb",
    "dental", "crown", "fillings", "restoration", "sealant", "spectacles", "contact lens", "dentures",
    "tooth root", "shunt", "bone transplant", "skin transplant", "intestinal bypass", "dialysis",
    "angioplasty", "tpa", "heart valve", "prosthetic device", "removal breast implant", "aortocoronary", "icd",
    "coronary artery", "peripheral vessel", "heart assist",
})
#: Abbreviations in an entry's non-essential modifiers that stand for other things in notes.
AMBIGUOUS_ABBREVIATIONS: frozenset[str] = frozenset({"ICD", "HIV", "DNR", "NSAID", "TPA"})
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_ABBREVIATION = re.compile(r"^[A-Z][A-Z0-9-]{2,}$")


def _clean(term: str) -> str:
    """An Index term as a note writes it: brackets dropped, "bleb, filtering" -> "filtering bleb"."""
    term = re.sub(r"\[[^\]]*\]|\([^()]*\)", " ", term)
    if "," in term:
        parts = [part.strip() for part in term.split(",") if part.strip()]
        term = " ".join(reversed(parts))
    return " ".join(term.split())


def _phrase(path: list[str], main_term: str) -> str:
    """The phrase of an Index path below a main term (see the module docstring), or "" when the
    path is too deep to read as one phrase."""
    terms = [_clean(term).lower() for term in path]
    if main_term == "Transplant":
        return f"{terms[0]} transplant" if len(terms) == 1 else ""
    if len(terms) == 1:
        return terms[0]
    if len(terms) == 3 and terms[2].startswith("with "):
        head = _phrase(path[:2], main_term)
        return f"{head} {terms[2]}" if head else ""
    if len(terms) != 2:
        return ""
    parent, entry = terms
    if entry.startswith("with "):
        return f"{parent} {entry}"
    if parent in CONTAINER_PARENTS:
        return entry if " " in entry else ""
    if parent in PREFIX_PARENTS:
        return f"{parent} {entry}"
    return f"{entry} {parent}"


def _variants(phrase: str) -> Iterator[str]:
    yield phrase
    if "-" in phrase:
        yield phrase.replace("-", " ")


def status_phrases(index_csv: Path) -> dict[str, str]:
    """phrase -> status code, from the Index rows under :data:`MAIN_TERMS`.

    index_csv (Path): The flattened Index (``index.csv``).
    RETURNS (dict[str, str]): Phrases in Index order; a phrase met twice keeps its first code.
    """
    phrases: dict[str, str] = {}
    main_term: str | None = None
    path: list[str] = []
    with open(index_csv, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            level = int(row["Level"] or 0)
            term = row["Term"].strip()
            if level == 0:
                main_term = term if term in MAIN_TERMS else None
                path = []
                continue
            if main_term is None:
                continue
            path = [*path[: level - 1], term]
            code = normalize_pattern(row["Code"].strip()) if row["Code"].strip() else None
            if code is None or row["See"].strip() or any(SKIPPED_WORDS.search(part) for part in path):
                continue
            if kind_of(code) not in StatusTerms.KINDS or code.startswith("Z92") and not code.startswith("Z92.8"):
                continue
            phrase = _phrase(path, main_term).lower()
            candidates = [phrase] if phrase else []
            for modifier in _PARENTHESES.findall(row["NonEssModif"] or ""):
                if _ABBREVIATION.match(modifier.strip()) and modifier.strip().upper() not in AMBIGUOUS_ABBREVIATIONS:
                    candidates.append(modifier.strip())
            for candidate in candidates:
                for variant in _variants(candidate):
                    if variant.lower() not in DROPPED and len(variant) > 2:
                        phrases.setdefault(variant, code)
    return phrases


def write_status_terms(index_csv: Path, model_dir: Path, is_code=None) -> int:
    """Rewrite the ``index`` object of ``status_terms.json`` in a model directory; keep the rest.

    is_code (Callable[[str], bool] | None): Keeps only codes it accepts (the ICD-10-CM 2026 tables).
    RETURNS (int): The number of phrases written.
    """
    path = StatusTerms.path_in(model_dir)
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    phrases = {phrase: code for phrase, code in status_phrases(index_csv).items() if is_code is None or is_code(code)}
    curated = {" ".join(phrase.lower().split()) for phrase in data.get("curated", {})}
    data["index"] = {phrase: code for phrase, code in phrases.items() if phrase.lower() not in curated}
    data.setdefault("curated", {})
    ordered = {key: data[key] for key in ("_comment", "index", "curated") if key in data}
    path.write_text(json.dumps(ordered, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(data["index"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_csv", type=Path, help="the flattened ICD-10-CM Alphabetic Index (index.csv)")
    parser.add_argument("model_dir", type=Path, nargs="?", default=None, help="model directory (default: models/default)")
    args = parser.parse_args(argv)
    from chartaudit.knowledge import Icd10cm
    from chartaudit.resources import default_model_dir

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model_dir = args.model_dir or default_model_dir()
    count = write_status_terms(args.index_csv, model_dir, is_code=Icd10cm.load().is_valid)
    logger.info("Wrote %d Index status phrases to %s", count, StatusTerms.path_in(model_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
