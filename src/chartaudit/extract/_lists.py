"""Small list helpers for the extraction hot paths.

Usage::

    positions_of(["no", "fever", "no", "cough"], {"no"})  # [0, 2]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def positions_of(items: Sequence[Any], wanted: Iterable[Any]) -> list[int]:
    """The sorted indexes of the items that are one of ``wanted``.

    Only the wanted values present are scanned for, with ``list.index`` (in C): far
    cheaper than a Python loop over every token when few of a note's tokens qualify.

    items (Sequence[Any]): A note's words or attribute values.
    wanted (Iterable[Any]): The values to find (a set, a dict's keys, a tuple, ...).
    RETURNS (list[int]): Their indexes in ``items``, ascending.
    """
    present = set(items).intersection(wanted)
    positions: list[int] = []
    for value in present:
        index = -1
        try:
            while True:
                index = items.index(value, index + 1)
                positions.append(index)
        except ValueError:
            pass
    positions.sort()
    return positions
