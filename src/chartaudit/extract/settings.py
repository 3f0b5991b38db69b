"""The settings of a model directory: ``meta.json`` and its per-component sections.

``meta.json`` names the model and its version and, like spaCy's ``config.cfg``,
carries each component's tunable settings under ``components``.

Usage::

    from chartaudit.extract.settings import load_meta, component_settings
    meta = load_meta(model_dir)
    target_settings = component_settings(meta, "targets")
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

META_FILE = "meta.json"


def load_meta(model_dir: Path) -> dict[str, Any]:
    """Read ``meta.json`` of a model directory (an empty model when it is missing).

    model_dir (Path): The model directory.
    RETURNS (dict[str, Any]): The parsed meta data.

    Usage::

        load_meta(default_model_dir())["version"]
    """
    path = Path(model_dir) / META_FILE
    if not path.exists():
        logger.warning("No %s in %s: using built-in defaults", META_FILE, model_dir)
        return {"name": "unnamed", "version": "0.0.0", "components": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def component_settings(meta: dict[str, Any], component: str) -> dict[str, Any]:
    """The settings of one component (an empty dict when none are given).

    meta (dict[str, Any]): Parsed ``meta.json``.
    component (str): The component name, such as ``"targets"``.
    RETURNS (dict[str, Any]): That component's settings.

    Usage::

        component_settings(load_meta(model_dir), "targets")["skip_words"]
    """
    return dict(meta.get("components", {}).get(component, {}))
