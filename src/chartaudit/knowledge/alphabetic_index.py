"""The ICD-10-CM Alphabetic Index, read at build time into a forest of terms.

The flattened Index CSV (``RowID, Letter, Level, Term, See, SeeAlso, NonEssModif, Code``;
rows in depth-first order, so a term's path is its ancestors by ``Level``) is the source
of the Index term phrases (``extract/targets/index_build.py``) and of the combination
codes (``knowledge/combinations_build.py``). Nothing reads it at run time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_SPACES = re.compile(r"\s+")


def clean_spaces(text: str) -> str:
    """Collapse runs of white space and trim stray commas and spaces at the ends."""
    text = _SPACES.sub(" ", text)
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r",\s*,", ",", text)
    return text.strip(" ,;")


@dataclass
class IndexNode:
    """One row of the Index: its term, cross-references, nonessential modifiers, code and subterms."""

    row: int
    level: int
    term: str
    see: str
    see_also: str
    modifiers: str
    code: str
    parent: "IndexNode | None" = None
    children: list["IndexNode"] = field(default_factory=list)

    def path(self) -> list["IndexNode"]:
        """The node and its ancestors, main term first."""
        nodes: list[IndexNode] = []
        node: IndexNode | None = self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return nodes[::-1]

    def descendants(self) -> Iterator["IndexNode"]:
        """Every subterm below the node, depth first."""
        for child in self.children:
            yield child
            yield from child.descendants()

    def walk(self) -> Iterator["IndexNode"]:
        """The node, then every subterm below it."""
        yield self
        yield from self.descendants()


def read_index(path: Path | str) -> list[IndexNode]:
    """The Index's main terms (level 0), each with its subterms."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return parse_rows(csv.DictReader(handle))


def index_node(number: int, level: int, row: Mapping[str, str]) -> IndexNode:
    """The node of one Alphabetic Index row (``RowID, Level, Term, See, SeeAlso, NonEssModif, Code``)."""
    return IndexNode(
        row=int(row.get("RowID") or number),
        level=level,
        term=clean_spaces(row.get("Term") or ""),
        see=clean_spaces(row.get("See") or ""),
        see_also=clean_spaces(row.get("SeeAlso") or ""),
        modifiers=(row.get("NonEssModif") or "").strip(),
        code=(row.get("Code") or "").strip().upper(),
    )


def parse_rows(rows: Iterable[Mapping[str, str]],
               make_node: Callable[[int, int, Mapping[str, str]], IndexNode] = index_node) -> list[IndexNode]:
    """Build the forest from Index rows in depth-first order (see :func:`read_index`).

    rows (Iterable[Mapping[str, str]]): The rows; one whose ``Level`` is not a number is skipped.
    make_node (Callable): (row number, level, row) -> node; another table's columns (the Neoplasm Table).
    RETURNS (list[IndexNode]): The level-0 nodes, each with its subterms.
    """
    mains: list[IndexNode] = []
    stack: list[IndexNode] = []
    for number, row in enumerate(rows):
        try:
            level = int(row.get("Level") or 0)
        except ValueError:
            continue
        node = make_node(number, level, row)
        while stack and stack[-1].level >= level:
            stack.pop()
        if level == 0 or not stack:
            mains.append(node)
        else:
            node.parent = stack[-1]
            stack[-1].children.append(node)
        stack.append(node)
    return mains
