"""Import every module of a package, so that the ones that register themselves do (finding rules, formats)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable


def import_submodules(package: str, path: Iterable[str], exclude: Iterable[str] = ()) -> None:
    """Import ``package``'s modules found in ``path`` (its ``__path__``), except private ones and ``exclude``."""
    skipped = set(exclude)
    for module in pkgutil.iter_modules(list(path)):
        if not module.name.startswith("_") and module.name not in skipped:
            importlib.import_module(f"{package}.{module.name}")
