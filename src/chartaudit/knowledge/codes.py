"""ICD-10-CM code shapes: normalisation, splitting a claim cell, and code patterns.

Everything here is a pure function over strings: fast, with no data files, and
never raising on any input (a string that cannot be a code gives ``None``).
"""

from __future__ import annotations

import re

__all__ = [
    "category_key",
    "code_number",
    "compact",
    "matches_pattern",
    "normalize_code",
    "normalize_pattern",
    "split_codes",
]

#: A code without its dot: 3 to 7 letters or digits; the category (the first three)
#: is a letter and a digit then a letter or digit (M25, C7A), or, since the April 2026
#: update added category QA0, a letter, a letter and a digit.
_COMPACT_SHAPE = re.compile(r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])[0-9A-Z]{0,4}")
#: Whitespace anywhere, and dots, are not part of a code's identity.
_INSIDE_NOISE = re.compile(r"[\s.]+")
#: Separators a person leaves around a code in a spreadsheet cell.
_EDGE_NOISE = " \t\r\n\f\v.,;:|/\\-_'\"`*%()[]{}<>"
#: Categories with a letter in their 2nd or 3rd place, and the category each follows in
#: the tabular list and its block ranges (which are not alphabetical for them: M1A comes
#: before M10, in block M05-M14).
_CATEGORY_AFTER: dict[str, str] = {
    "C4A": "C43",
    "C7A": "C75",
    "C7B": "C7A",
    "D3A": "D36",
    "I1A": "I16",
    "I5A": "I52",
    "J4A": "J47",  # the tabular list prints it after J44, but its block is J40-J4A
    "M1A": "M08",
    "O9A": "O99",
    "QA0": "Q99",
    "Z3A": "Z36",
}
#: Separators between codes in one cell.
_CELL_SEPARATORS = re.compile(r"[;,|\s]+")
#: A range of codes: two codes joined by a hyphen (either end may carry a prefix marker).
_RANGE = re.compile(r"\s*([^-\s][^-]*?)\s*-\s*([^-\s][^-]*?)\s*-?\s*")


def normalize_code(raw: object) -> str | None:
    """Return the canonical dotted form of an ICD-10-CM code, or None if it has no code shape.

    Strips, upper-cases, removes spaces and stray separators and places the dot
    after the third character. Only the shape is checked, not the tables.
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip(_EDGE_NOISE).upper()
    text = _INSIDE_NOISE.sub("", text)
    if not _COMPACT_SHAPE.fullmatch(text):
        return None
    return text if len(text) == 3 else f"{text[:3]}.{text[3:]}"


def compact(code: str) -> str:
    """Return a code without its dot."""
    return code.replace(".", "")


#: The characters a code is made of, in the order of their values in :func:`code_number`.
CODE_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def code_number(code: str) -> int:
    """A number that orders codes (compared without their dots) the way strings do;
    the difference of two is the width of a range."""
    value = 0
    for character in compact(code).ljust(7, "0")[:7]:
        value = value * 36 + (CODE_CHARACTERS.index(character) if character in CODE_CHARACTERS else 0)
    return value


def split_codes(text: object) -> list[str]:
    """Split one cell of codes on ``;``, ``,``, ``|`` and whitespace, keeping order.

    Empty pieces are dropped and so are repeats of a code already seen (compared in
    normalised form, so ``m25511`` and ``M25.511`` count once). The pieces are
    returned as written, so a caller can report what the person typed.
    """
    if not isinstance(text, str):
        return []
    pieces: list[str] = []
    seen: set[str] = set()
    for piece in _CELL_SEPARATORS.split(text):
        piece = piece.strip()
        if not piece:
            continue
        key = normalize_code(piece) or piece.upper()
        if key in seen:
            continue
        seen.add(key)
        pieces.append(piece)
    return pieces


def normalize_pattern(raw: object) -> str | None:
    """Normalise a code pattern: a code, a prefix (``E08.-``, ``O24.4-``) or a range (``O10-O11``).

    A prefix is returned as its code (``E08.-`` → ``E08``), a range as ``LOW-HIGH``
    with both ends normalised. Returns None when the text is none of these.
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    as_range = _RANGE.fullmatch(text)
    if as_range:
        low = normalize_code(as_range.group(1))
        high = normalize_code(as_range.group(2))
        if low is None or high is None or not _range_bounds_ok(low, high):
            return None
        return f"{low}-{high}"
    return normalize_code(text)


def category_key(category: str) -> tuple[str, int, int]:
    """A sort key that puts 3-character categories in the order of the tabular list.

    ``C4A`` sorts between ``C43`` and ``C44`` and ``M1A`` between ``M08`` and ``M10``,
    as in the tabular list; other categories sort alphabetically.
    """
    letter, rest = category[:1], category[1:3]
    if rest.isdigit():
        return letter, int(rest), 0
    after = _CATEGORY_AFTER.get(category)
    if after is not None:
        previous_letter, number, step = category_key(after)
        return previous_letter, number, step + 1
    if rest[:1].isdigit():  # an unlisted "C9X": after C99-like neighbours of its decade
        return letter, int(rest[0]) * 10 + 9, 1 + ord(rest[1:2] or "A") - ord("A")
    return letter, 99, 1 + ord(rest[:1] or "A") - ord("A")


def _range_bounds_ok(low: str, high: str) -> bool:
    low_key, high_key = category_key(low[:3]), category_key(high[:3])
    return low_key < high_key or (low_key == high_key and high >= low[: len(high)])


def matches_pattern(code: str, pattern: str) -> bool:
    """True when a normalised code falls under a normalised pattern.

    A code pattern matches itself and every code below it; a range ``LOW-HIGH``
    matches the categories from ``LOW`` to ``HIGH`` in tabular-list order, and within
    the first and last category compares at the length of each end (so ``E08-E13``
    holds ``E13.9``, ``M05-M14`` holds ``M1A.0``, ``M51.1-M51.3`` holds ``M51.26``).
    """
    if "-" not in pattern:
        return code.startswith(pattern)
    low, _, high = pattern.partition("-")
    key = category_key(code[:3])
    low_key, high_key = category_key(low[:3]), category_key(high[:3])
    if key < low_key or key > high_key:
        return False
    if key == low_key and len(low) > 3 and code[: len(low)] < low:
        return False
    if key == high_key and len(high) > 3 and code[: len(high)] > high:
        return False
    return True
