"""Laterality: the side (right / left / bilateral) and body site of each mention.
"""

from chartaudit.extract.laterality.rules import LateralityRules

__all__ = ["LateralityRules", "combine_sides"]


def __getattr__(name: str):
    if name in ("combine_sides", "LateralityDetector"):
        from chartaudit.extract.laterality import component

        return getattr(component, name)
    raise AttributeError(name)
