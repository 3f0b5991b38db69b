"""Alphabetic Index terms at run time: load ``models/icd10cm/index-2026.json.gz`` into the trie.

``index_build.py`` generates the file (build time only). Its phrases join the
target trie as a third source, source ``"index"``: the curated lexicon wins over
them for the same phrase, and so do the phrases generated from the tabular
descriptions (of the 12,500 phrases both give, 237 differ in code, and the
tables' code is as often the better one), so the Index adds what the tables lack.
Groups are inserted on
first use, by first word, as for the tabular terms (:meth:`TermTrie.add_pending`),
so loading costs one JSON parse.

A code the Index gives with a trailing "-" is stored as its category ("M21.4"); when
the tabular terms know the category's laterality family, the entry carries its side
table, so "right flat foot" resolves to M21.41.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import zlib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from chartaudit.extract.terms import TermTrie, entry_maker
from chartaudit.resources import icd10cm_dir

logger = logging.getLogger(__name__)

DEFAULT_INDEX_FILE = "index-2026.json.gz"
SOURCE = "index"
#: Separators of a packed block: "first word<US>group", groups joined by <GS>.
UNIT_SEPARATOR, GROUP_SEPARATOR = "\x1f", "\x1d"


def unpack_block(block: str) -> dict[str, str]:
    """The groups of one packed block (first word -> "rest<TAB>codes" lines).
    """
    text = zlib.decompress(base64.b64decode(block)).decode("utf-8")
    return dict(piece.split(UNIT_SEPARATOR, 1) for piece in text.split(GROUP_SEPARATOR))


class PackedGroups:
    """The term groups of a packed artifact, each block decoded on first use.

    Usage::

        groups = PackedGroups(data["words"], data["blocks"])
        groups.group("pain")  # "abdominal\tR10.9\n..."
    """

    def __init__(self, words: Mapping[str, int], blocks: list[str]) -> None:
        self.words = words
        self.blocks = blocks
        self._decoded: dict[int, dict[str, str]] = {}

    def group(self, first_word: str) -> str:
        """The lines of one first word ("" when unknown)."""
        number = self.words.get(first_word)
        if number is None:
            return ""
        decoded = self._decoded.get(number)
        if decoded is None:
            decoded = self._decoded[number] = unpack_block(self.blocks[number])
        return decoded.get(first_word, "")

    def lazy_groups(self) -> dict[str, Callable[[], str]]:
        """first word -> a callable returning its lines, for :meth:`TermTrie.add_pending`."""
        group = self.group
        return {first_word: partial(group, first_word) for first_word in self.words}


@lru_cache(maxsize=4)
def load_index_terms(path: str) -> dict[str, Any]:
    """Read the Index terms file (cached; the result is shared, never mutate it).

    path (str): Path of ``index-2026.json.gz``.
    RETURNS (dict[str, Any]): ``words`` and ``blocks`` (the packed phrase groups),
        ``descriptions``, ``combinations`` and ``meta``;
        empty tables when the file is missing.
    """
    file_path = Path(path)
    if not file_path.is_file():
        logger.warning("Alphabetic Index terms file %s is missing: Index terms are not used", file_path)
        return {"words": {}, "blocks": [], "descriptions": "", "combinations": "", "meta": {}}
    return json.loads(gzip.decompress(file_path.read_bytes()))


def index_terms_path(settings: Mapping[str, Any]) -> Path | None:
    """The Index terms file named by ``components.targets.index.artifact``; None when turned off.

    settings (Mapping[str, Any]): ``components.targets`` of ``meta.json``.
    """
    index = settings.get("index")
    if not isinstance(index, Mapping) or index.get("enabled", True) is False:
        return None
    return icd10cm_dir() / str(index.get("artifact", DEFAULT_INDEX_FILE))


def add_index_terms(
    trie: TermTrie,
    settings: Mapping[str, Any],
    stop_phrases: Iterable[str],
    families: Mapping[str, Mapping[str, str]],
) -> dict[str, Any]:
    """Add the Index phrases to a trie as pending groups, after the tabular ones.

    trie (TermTrie): The target trie (tabular terms pending, lexicon inserted).
    settings (Mapping[str, Any]): ``components.targets`` of ``meta.json``.
    stop_phrases (Iterable[str]): Normalised phrases too generic to be evidence.
    families (Mapping): Laterality families of the tabular terms (base code -> side -> code).
    RETURNS (dict[str, Any]): The parsed file (empty when turned off or missing).
    """
    path = index_terms_path(settings)
    if path is None:
        return {}
    data = load_index_terms(str(path))
    make_index_entry = entry_maker(data, families, stop_phrases, SOURCE)

    packed = PackedGroups(data.get("words", {}), data.get("blocks", []))
    trie.add_pending(packed.lazy_groups(), make_index_entry)
    return data


def combination_pairs(data: Mapping[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """The combination pairs of the Index (Guideline I.A.15), parsed on demand.

    data (Mapping[str, Any]): The parsed Index terms file.
    RETURNS (list[tuple]): (base term, base code, connector, partner term, combination code),
        e.g. ("diabetes type 2", "E11.9", "with", "chronic kidney disease", "E11.22").
    """
    pairs = []
    for line in str(data.get("combinations", "")).split("\n"):
        fields = line.split("\t")
        if len(fields) == 5:
            pairs.append((fields[0], fields[1], fields[2], fields[3], fields[4]))
    return pairs
