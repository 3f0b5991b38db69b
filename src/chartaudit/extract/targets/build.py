"""Generate the ICD-10-CM target terms: ``models/icd10cm/terms-2026.json.gz``.

Build-time only (``simple_icd_10_cm`` takes ~2 s to import; the runtime never
imports it). For every category, subcategory and billable code (not chapters,
blocks or 7th-character extensions, which repeat their parent) the builder
takes the description, the inclusion terms and the "includes" notes, rewrites
them into the phrases notes use (:class:`PhraseVariants`) and normalises them
with the pipeline's own tokenizer.

Organ findings (``components.targets.organ_findings``): the residual code of an
organ, "Other specified disorders of kidney and ureter" (N28.89) or, without one,
"Disorder of bone, unspecified" (M89.9), is what the Alphabetic Index gives for a
nonspecific finding of that organ ("Mass, kidney", "Lesion, bone"); the builder
adds "<finding> of <organ>" for each configured finding noun, with the usual
word-order and synonym variants ("renal mass"), ranked below every phrase of the
tables, so a named condition ("lesion of ulnar nerve") keeps its own code.

Laterality families (siblings that differ only by right / left / bilateral /
unspecified side, such as M25.511 / M25.512 / M25.519) are stored once, as a
side-less phrase mapped to the family's code (M25.51) plus a side -> code
table; the matcher resolves "right shoulder pain" to M25.511.

Output JSON::

    {"meta": {...}, "families": {"M25.51": {"right": "M25.511", ...}},
     "descriptions": "M25.51\tPain in shoulder\n...",
     "terms": {"shoulder": "pain\tM25.51\n...", "pain": "in shoulder\tM25.51\n...", ...}}

``terms`` is grouped by first word: each group is one string of lines
"rest of the phrase<TAB>code,code" (rest empty for a one-word phrase), so that
loading parses ~6,000 strings instead of ~50,000 entries, and the runtime
inserts a group only when a note contains its first word. ``descriptions`` is
one string of "code<TAB>description" lines, parsed on first use.

Usage::

    python -m chartaudit.extract.targets.build [--out PATH] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from chartaudit.extract.config import ModelConfig
from chartaudit.extract.targets.normalize import PhraseVariants, without_possessive
from chartaudit.extract.terms import DEFAULT_TERMS_FILE
from chartaudit.resources import default_model_dir, icd10cm_dir
from chartaudit.resources.words import WordRules
from chartaudit.types import SIDES

logger = logging.getLogger(__name__)

#: A side a description states ("right", "left", "bilateral"; not "unspecified").
_SIDE_TEXT = re.compile(rf"\b(?:{'|'.join(side for side in SIDES if side != 'unspecified')})\b", re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9]+")
#: A source text that is only an acronym ("PIN", "TACO NOS"): lower-cased it would
#: match ordinary words, so it is left to the case-sensitive abbreviations.
_ACRONYM = re.compile(r"^[A-Z0-9+\-]{2,10}(?: NOS)?$")
#: Chapter 20 (V00-Y99): external causes of morbidity are not conditions a note documents.
EXTERNAL_CAUSE_LETTERS = ("V", "W", "X", "Y")
#: T36-T65 (poisoning, adverse effects, toxic effects): a phrase must name the effect,
#: else a bare substance name ("cocaine", "aspirin") would become a poisoning code.
_SUBSTANCE_CATEGORIES = tuple(f"T{number}" for number in range(36, 66))
_EFFECT_WORDS = re.compile(r"\b(?:poisoning|toxic|toxicity|adverse|underdosing|overdose)\b")

#: A description "<condition> due to <agent>" ("Sepsis due to Pseudomonas").
_DUE_TO = re.compile(r"^(?P<condition>.+?)\s+due to\s+(?P<agent>.+)$", re.IGNORECASE)


def names_the_agent_only(description: str, term: str) -> bool:
    """True for an inclusion term of a "<condition> due to <agent>" code that begins with the
    agent and shares no word with the condition: it names the organism, not the condition
    (A41.52 Sepsis due to Pseudomonas includes "Pseudomonas aeruginosa"; a culture that grew it
    documents no sepsis)."""
    match = _DUE_TO.match(description)
    if match is None:
        return False
    words = _WORDS.findall(term.lower())
    agent = _WORDS.findall(match.group("agent").lower())
    return bool(words and agent) and words[0] == agent[0] and not set(words) & set(
        _WORDS.findall(match.group("condition").lower()))


#: Rank of a phrase's origin: the description beats inclusion terms, which beat variants.
RANK_DESCRIPTION, RANK_INCLUSION, RANK_VARIANT, RANK_FINDING = 0, 1, 2, 3
MAX_CODES_PER_PHRASE = 3


def _side_of(words: list[str]) -> str | None:
    """The side a description's words state: right and left together are bilateral."""
    stated = [side for side in SIDES if side in words]
    if "right" in stated and "left" in stated:
        return "bilateral"
    return stated[0] if stated else None


def find_families(cm: Any, codes: list[str]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Find laterality families among siblings.

    cm (module): ``simple_icd_10_cm``.
    codes (list[str]): Every code considered (no chapters, blocks or extensions).
    RETURNS (tuple): ``families`` (base code -> side -> code) and ``member_base``
        (member code -> base code).
    """
    families: dict[str, dict[str, str]] = {}
    member_base: dict[str, str] = {}
    for parent in codes:
        children = [child for child in cm.get_children(parent) if not cm.is_extended_subcategory(child)]
        if len(children) < 2:
            continue
        groups: dict[tuple[str, ...], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for child in children:
            words = _WORDS.findall(cm.get_description(child).lower())
            side = _side_of(words)
            if side is None:
                continue
            key = tuple(word for word in words if word not in SIDES)
            groups[key][side].append(child)
        for sides in groups.values():
            if "right" not in sides or "left" not in sides:
                continue
            if any(len(members) != 1 for members in sides.values()):
                continue
            table = {side: members[0] for side, members in sides.items()}
            if len(table) == len(children):
                base = parent
            elif "unspecified" in table:
                base = table["unspecified"]
            elif sum("right" in group and "left" in group for group in groups.values()) == 1:
                base = parent
            else:
                continue  # several sided sites under one parent (L03.11: axilla, upper limb, lower limb)
            if base in families:
                continue
            families[base] = table
            for member in table.values():
                if member != base:
                    member_base[member] = base
    return families, member_base


#: "Other specified disorders of kidney and ureter", "Other disorders of bladder".
_OTHER_ORGAN = re.compile(r"^other (?:specified )?(?:disorders?|diseases?) of (?:the )?([a-z ]+)$", re.IGNORECASE)
#: "Disorder of bone, unspecified", "Unspecified disorder of eyelid", "Disease of tongue, unspecified".
_UNSPECIFIED_ORGAN = re.compile(
    r"^(?:unspecified )?(?:disorders?|diseases?) of (?:the )?([a-z ]+?)(?:, unspecified)?$", re.IGNORECASE)


def organ_finding_texts(
    cm: Any, codes: list[str], nouns: dict[str, list[str]], organs: list[str]
) -> list[tuple[str, str]]:
    """(text, code) pairs "<noun> of <organ>" for the residual billable code of each organ.

    The billable "other specified" code of an organ wins over its unspecified code;
    an organ named by codes of several categories gets none (ambiguous).

    cm (module): ``simple_icd_10_cm``.
    codes (list[str]): The codes considered.
    nouns (dict[str, list[str]]): Finding noun -> organs it is not used with
        (the Index sends "mass of lung" to R91.8).
    organs (list[str]): The organs, as the descriptions name them ("kidney and ureter").
    RETURNS (list[tuple[str, str]]): Source texts and their codes.

    Usage::

        organ_finding_texts(cm, ["N28.89"], {"mass": []}, ["kidney and ureter"])  # [("mass of kidney and ureter", "N28.89")]
    """
    wanted = {organ.lower().strip() for organ in organs}
    if not nouns or not wanted:
        return []
    other: dict[str, set[str]] = defaultdict(set)
    unspecified: dict[str, set[str]] = defaultdict(set)
    for code in codes:
        if not cm.is_leaf(code):
            continue
        description = cm.get_description(code)
        for pattern, found in ((_OTHER_ORGAN, other), (_UNSPECIFIED_ORGAN, unspecified)):
            match = pattern.match(description)
            if match and match.group(1).lower().strip() in wanted:
                found[match.group(1).lower().strip()].add(code)
                break
    pairs: list[tuple[str, str]] = []
    for organ in sorted(wanted):
        found = other.get(organ) or unspecified.get(organ) or set()
        if len(found) != 1:
            if found:
                logger.info("organ %r: several residual codes %s, none used", organ, sorted(found))
            continue
        code = next(iter(found))
        pairs += [(f"{noun} of {organ}", code) for noun, excluded in nouns.items() if organ not in excluded]
    return pairs


def _resolve_codes(cm: Any, codes: set[str]) -> list[str]:
    """One phrase, several codes: the billable end of one chain ("pneumonia": J18 and
    J18.9 -> J18.9), else their common category, else a short ordered list."""
    if len(codes) == 1:
        return sorted(codes)
    ordered = sorted(codes, key=len)
    on_one_chain = all(cm.is_ancestor(ordered[index], ordered[index + 1]) for index in range(len(ordered) - 1))
    if on_one_chain and cm.is_leaf(ordered[-1]):
        return [ordered[-1]]
    ordered = sorted(codes)
    ancestor = ordered[0]
    for code in ordered[1:]:
        ancestor = cm.get_nearest_common_ancestor(ancestor, code)
        if not ancestor:
            break
    if ancestor and not cm.is_chapter_or_block(ancestor):
        return [ancestor]
    ranked = sorted(codes, key=lambda code: (not cm.is_leaf(code), len(code), code))
    return ranked[:MAX_CODES_PER_PHRASE]


def build_terms(model_dir: Path | None = None) -> dict[str, Any]:
    """Generate the ICD-10-CM target terms.

    model_dir (Path | None): The model whose tokenizer special cases, word normaliser
        and target configuration (drop patterns, stop phrases) are used; the default
        model when None.
    RETURNS (dict[str, Any]): The JSON-ready term table.
    """
    import simple_icd_10_cm as cm  # build-time only: ~2 s to import
    import spacy

    from chartaudit.extract.tokenizer import add_special_cases, load_special_cases

    started = time.perf_counter()
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    model_config = ModelConfig.from_dir(model_dir)
    config = model_config.component_config("targets")
    phrase_key = WordRules.from_dir(model_dir).phrase_key
    variants = PhraseVariants(
        drop_patterns=config.get("drop_patterns", []),
        optional_words=config.get("optional_words", []),
        prepositions=config.get("reorder_prepositions", ["of", "in"]),
        max_head_tokens=int(config.get("reorder_max_head_tokens", 2)),
        max_tail_tokens=int(config.get("reorder_max_tail_tokens", 3)),
        synonyms={str(key): list(value) for key, value in config.get("synonyms", {}).items()},
        max_synonym_variants=int(config.get("max_synonym_variants", 8)),
        split_conjunctions=bool(config.get("split_conjunctions", False)),
    )
    stop_phrases = {phrase_key(phrase.split()) for phrase in config.get("stop_phrases", [])}
    edge_words = set(config.get("edge_words", []))
    max_tokens = int(config.get("max_phrase_tokens", 8))

    nlp = spacy.blank("en")
    add_special_cases(nlp, load_special_cases(model_dir))

    codes = [
        code
        for code in cm.get_all_codes(True)
        if not cm.is_chapter_or_block(code)
        and not cm.is_extended_subcategory(code)
        and not code.startswith(EXTERNAL_CAUSE_LETTERS)
    ]
    families, member_base = find_families(cm, codes)
    logger.info("%d codes, %d laterality families", len(codes), len(families))

    # phrase text -> (code, rank) candidates, before tokenisation
    raw: list[tuple[str, str, int]] = []
    for code in codes:
        base = member_base.get(code, code)
        sources = [(cm.get_description(code), RANK_DESCRIPTION)]
        sources += [(term, RANK_INCLUSION) for term in cm.get_inclusion_term(code) + cm.get_includes(code)
                    if not names_the_agent_only(sources[0][0], term)]
        for text, rank in sources:
            if _ACRONYM.match(text.strip()):
                continue
            if base != code or code in families:
                text = _SIDE_TEXT.sub(" ", text)
            for index, phrase in enumerate(variants.expand(text)):
                if "," in phrase:
                    continue
                if code.startswith(_SUBSTANCE_CATEGORIES) and not _EFFECT_WORDS.search(phrase):
                    continue
                raw.append((phrase, base, rank if index == 0 else max(rank, RANK_VARIANT)))

    organ_config = config.get("organ_findings", {})
    findings = organ_finding_texts(cm, codes, {str(noun): [str(organ) for organ in excluded]
                                               for noun, excluded in organ_config.get("nouns", {}).items()},
                                   [str(organ) for organ in organ_config.get("organs", [])])
    for text, code in findings:
        for phrase in variants.expand(text):
            if "," not in phrase:
                raw.append((phrase, code, RANK_FINDING))
    logger.info("%d organ finding phrases", len(findings))

    raw += [(plain, code, max(rank, RANK_VARIANT)) for text, code, rank in raw
            if (plain := without_possessive(text)) is not None]
    unique_texts = list(dict.fromkeys(text for text, _, _ in raw))
    keys: dict[str, str] = {}
    for text, doc in zip(unique_texts, nlp.tokenizer.pipe(unique_texts, batch_size=2000)):
        keys[text] = phrase_key(token.text for token in doc if not token.is_space)

    best: dict[str, dict[str, int]] = defaultdict(dict)
    for text, code, rank in raw:
        key = keys[text]
        tokens = key.split()
        if not tokens or len(tokens) > max_tokens or key in stop_phrases:
            continue
        if tokens[0] in edge_words or tokens[-1] in edge_words:
            continue
        if not any(character.isalpha() for character in key) or len(key) <= 2:
            continue
        current = best[key].get(code)
        if current is None or rank < current:
            best[key][code] = rank

    terms: dict[str, list[str]] = {}
    for key, ranked in best.items():
        top = min(ranked.values())
        terms[key] = _resolve_codes(cm, {code for code, rank in ranked.items() if rank == top})
    grouped: dict[str, list[str]] = defaultdict(list)
    for key in sorted(terms):
        first_word, _, rest = key.partition(" ")
        grouped[first_word].append(f"{rest}\t{','.join(terms[key])}")

    used = {code for codes_ in terms.values() for code in codes_}
    used |= {code for table in families.values() for code in table.values()}
    used |= set(families)
    descriptions = {code: cm.get_description(code) for code in sorted(used)}
    elapsed = time.perf_counter() - started
    logger.info("%d phrases from %d codes in %.1f s", len(terms), len(codes), elapsed)
    return {
        "meta": {
            "source": "ICD-10-CM 2026 via simple_icd_10_cm 1.5.0",
            "model": model_config.name,
            "phrase_count": len(terms),
            "family_count": len(families),
            "code_count": len(codes),
        },
        "families": dict(sorted(families.items())),
        "descriptions": "\n".join(f"{code}\t{text}" for code, text in descriptions.items()),
        "terms": {first_word: "\n".join(lines) for first_word, lines in grouped.items()},
    }


def write_terms(table: dict[str, Any], path: Path) -> int:
    """Write a term table as gzip-compressed JSON; returns the file size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with path.open("wb") as raw_file:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw_file, mtime=0, compresslevel=9) as handle:
            handle.write(payload)
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    """Command line: build the terms file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=icd10cm_dir() / DEFAULT_TERMS_FILE)
    parser.add_argument("--model-dir", type=Path, default=None)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    table = build_terms(arguments.model_dir)
    size = write_terms(table, arguments.out)
    logger.info("wrote %s: %d phrases, %.2f MB", arguments.out, table["meta"]["phrase_count"], size / 1e6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
