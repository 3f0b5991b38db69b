"""ConText rules (medSpaCy's JSON format) and the assertions they set.

``context_rules.json`` starts from medSpaCy's English default rules (MIT
licence) with clinical shorthand added (``s/p``, ``w/o``, ``FHx``, ``vs``,
``precautions``, terminations such as ``presents with`` / ``c/o``), NegEx
pseudo-triggers and more temporal cues (see ``models/default/CHANGELOG.md``). Its
categories map onto the :class:`~chartaudit.types.Mention` flags; the
scope-only category ``RECENT`` sets none (it ends historical scopes).

Usage::

    from chartaudit.extract.context.rules import load_context_rules, CATEGORY_FLAGS
    rules = load_context_rules(model_dir)
"""

from __future__ import annotations

import json
import logging
from itertools import product
from pathlib import Path
from typing import Any

from chartaudit.extract._medspacy import import_medspacy_parts

logger = logging.getLogger(__name__)

CONTEXT_RULES_FILE = "context_rules.json"

#: ConText category -> the Mention flag it sets.
CATEGORY_FLAGS: dict[str, str] = {
    "NEGATED_EXISTENCE": "negated",
    "POSSIBLE_EXISTENCE": "uncertain",
    "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical",
    "FAMILY": "family",
}

#: Categories that set no flag: their modifiers only end the scope of rules that
#: list them in ``terminated_by`` ("now", "currently" end a history's scope, not a
#: negation's: "denies any recent cough" stays negated).
SCOPE_ONLY_CATEGORIES: frozenset[str] = frozenset({"RECENT"})

#: Every flag ConText (or the section) can set on a mention.
ASSERTION_FLAGS: tuple[str, ...] = ("negated", "historical", "family", "hypothetical", "uncertain")


def load_context_rules(model_dir: Path) -> list[Any]:
    """Read the ConText rules of a model directory.

    Each rule is medSpaCy's JSON rule format, plus an optional ``terminated_by``
    (categories whose modifiers end this rule's scope, as ``ConTextRule`` takes it).

    model_dir (Path): The model directory holding ``context_rules.json``.
    RETURNS (list[ConTextRule]): medSpaCy rules (empty when the file is missing).
    """
    path = Path(model_dir) / CONTEXT_RULES_FILE
    if not path.exists():
        logger.warning("No ConText rules at %s: no assertions are detected", path)
        return []
    context_rule = import_medspacy_parts()["ConTextRule"]
    rules = []
    for data in json.loads(path.read_text(encoding="utf-8"))["context_rules"]:
        # medSpaCy's ConTextRule takes terminated_by, but its from_dict rejects the key.
        data = dict(data)
        terminated_by = data.pop("terminated_by", None)
        rule = context_rule.from_dict(data)
        if terminated_by:
            rule.terminated_by = {str(category).upper() for category in terminated_by}
        rules.append(rule)
    unknown = {rule.category for rule in rules} - set(CATEGORY_FLAGS) - SCOPE_ONLY_CATEGORIES
    if unknown:
        logger.warning("ConText categories without a flag are ignored: %s", sorted(unknown))
    return rules


#: Most literal phrases one token pattern may expand into.
MAX_EXPANSIONS = 2000


def expand_pattern(pattern: Any) -> list[str] | None:
    """The literal phrases a simple token pattern matches, or None when it is not simple.

    A pattern is simple when each token is ``{"LOWER": word}`` or
    ``{"LOWER": {"IN": [...]}}``, optionally with ``"OP": "?"``. medSpaCy's
    default ConText patterns all are; matching their literals with a
    ``PhraseMatcher`` is ~100x faster than spaCy's ``Matcher`` with ``IN``
    predicates (measured: ~46 ms -> <0.5 ms per MTSamples note).

    pattern (Any): A medSpaCy rule pattern (token list, regex string or None).
    RETURNS (list[str] | None): Lower-cased phrases, or None.

    Usage::

        expand_pattern([{"LOWER": {"IN": ["deny", "denies"]}}])  # ["deny", "denies"]
    """
    if not isinstance(pattern, list) or not pattern:
        return None
    choices: list[list[str]] = []
    total = 1
    for token in pattern:
        if not isinstance(token, dict) or set(token) - {"LOWER", "OP"}:
            return None
        value = token.get("LOWER")
        if isinstance(value, str):
            words = [value.lower()]
        elif isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(word, str) for word in value["IN"]):
            words = [word.lower() for word in value["IN"]]
        else:
            return None
        operator = token.get("OP")
        if operator not in (None, "?"):
            return None
        if operator == "?":
            words = [*words, ""]
        total *= len(words)
        if total > MAX_EXPANSIONS:
            return None
        choices.append(words)
    phrases = {" ".join(word for word in combination if word) for combination in product(*choices)}
    phrases.discard("")
    return sorted(phrases)
