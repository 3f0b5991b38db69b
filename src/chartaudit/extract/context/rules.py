"""ConText rules (medSpaCy's JSON format) and the assertions they set.

``context_rules.json`` starts from medSpaCy's English default rules (MIT
licence) with clinical shorthand added (``s/p``, ``w/o``, ``FHx``, ``vs``,
``precautions``, terminations such as ``presents with`` / ``c/o``), NegEx
pseudo-triggers and more temporal cues (see ``models/default/CHANGELOG.md``). Its
categories map onto the :class:`~chartaudit.types.Mention` flags; the
scope-only category ``RECENT`` sets none (it ends historical scopes).

``temporality_rules.json`` (optional) holds a separate judgement, NegEx's
*temporality*: did the condition begin more than about two weeks ago? That
includes current chronic conditions ("known CAD", "hypertension for 10 years", a
social-history item), which the billing flag ``historical`` (past, not current:
it decides ``history_only``) must not include. Its ConText rules use the
categories ``HISTORICAL`` (earlier onset) and ``RECENT`` (recent onset: "acute",
"since this morning"), plus section defaults and conditions that are chronic by
nature; see :class:`TemporalityRules`.

Usage::

    from chartaudit.extract.context.rules import load_context_rules, CATEGORY_FLAGS
    rules = load_context_rules(model_dir)
    temporality = load_temporality_rules(model_dir)
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
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

    Usage::

        rules = load_context_rules(Path("models/default"))
    """
    path = Path(model_dir) / CONTEXT_RULES_FILE
    if not path.exists():
        logger.warning("No ConText rules at %s: no assertions are detected", path)
        return []
    rules = context_rules_from_dicts(json.loads(path.read_text(encoding="utf-8"))["context_rules"])
    unknown = {rule.category for rule in rules} - set(CATEGORY_FLAGS) - SCOPE_ONLY_CATEGORIES
    if unknown:
        logger.warning("ConText categories without a flag are ignored: %s", sorted(unknown))
    return rules


def context_rules_from_dicts(records: Iterable[dict[str, Any]]) -> list[Any]:
    """medSpaCy ``ConTextRule`` objects from JSON records (with the optional ``terminated_by``).

    records (Iterable[dict]): Rules in medSpaCy's JSON format.
    RETURNS (list[ConTextRule]): The rules.

    Usage::

        context_rules_from_dicts([{"category": "HISTORICAL", "literal": "known", "direction": "FORWARD"}])
    """
    context_rule = import_medspacy_parts()["ConTextRule"]
    rules = []
    for data in records:
        # medSpaCy's ConTextRule takes terminated_by, but its from_dict rejects the key.
        data = dict(data)
        terminated_by = data.pop("terminated_by", None)
        rule = context_rule.from_dict(data)
        if terminated_by:
            rule.terminated_by = {str(category).upper() for category in terminated_by}
        rules.append(rule)
    return rules


TEMPORALITY_RULES_FILE = "temporality_rules.json"

#: The temporality of a mention, NegEx's sense: "historical" = began more than
#: about two weeks ago (past *or* still present), "hypothetical" = not a real event.
TEMPORALITIES: tuple[str, ...] = ("recent", "historical", "hypothetical")

#: Internal marker (not a Mention flag) set on spans whose onset is judged earlier
#: than about two weeks ago; :func:`temporality_of` reads it.
ONSET_PAST = "onset_past"
#: Temporality rule category -> the marker its modifiers give a target.
TEMPORALITY_CATEGORIES: dict[str, str] = {"HISTORICAL": ONSET_PAST, "RECENT": "onset_recent"}


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({" ".join(phrase.lower().split()) for phrase in phrases if phrase.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


@dataclass
class TemporalityRules:
    """The rules of ``temporality_rules.json``: when did a condition begin?

    A span's onset is *earlier* (temporality "historical") when a ``HISTORICAL``
    temporality modifier ("known", "chronic", "for 10 years", "since childhood")
    or the billing flag ``historical`` applies to it. Failing that, and unless a
    ``RECENT`` modifier ("acute", "new onset", "since yesterday", "for 3 days")
    applies, it is earlier when its section is listed in ``sections`` (social
    history, allergies) or its text names a condition that is chronic by nature
    (``chronic_conditions``, minus ``not_chronic``: "hypertension" but not
    "pulmonary hypertension").

    rules (list[ConTextRule]): The temporality ConText rules.
    sections (dict[str, str]): Section category -> "historical".
    chronic_conditions (list[str]): Phrases naming conditions chronic by nature.
    not_chronic (list[str]): Phrases that, inside the span, cancel ``chronic_conditions``.

    Usage::

        rules = load_temporality_rules(Path("models/default"))
        rules.is_chronic("Hypertension")  # True
    """

    rules: list[Any] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    chronic_conditions: list[str] = field(default_factory=list)
    not_chronic: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._chronic = _phrase_pattern(self.chronic_conditions)
        self._not_chronic = _phrase_pattern(self.not_chronic)

    def is_chronic(self, text: str) -> bool:
        """Whether a condition's text names a condition that is chronic by nature.

        Usage::

            rules.is_chronic("portal hypertension")  # False
        """
        if self._chronic is None or not self._chronic.search(text):
            return False
        return self._not_chronic is None or not self._not_chronic.search(text)

    @property
    def empty(self) -> bool:
        """True when there is nothing to judge temporality with but the billing flags."""
        return not (self.rules or self.sections or self._chronic)


def load_temporality_rules(model_dir: Path) -> TemporalityRules:
    """Read ``temporality_rules.json`` of a model directory (empty rules when absent).

    The file is an object: ``context_rules`` (medSpaCy JSON rules, categories
    ``HISTORICAL`` and ``RECENT``), ``sections`` (section category -> "historical"),
    ``chronic_conditions`` and ``not_chronic`` (lists of phrases).

    model_dir (Path): The model directory.
    RETURNS (TemporalityRules): The rules.

    Usage::

        load_temporality_rules(Path("models/default")).sections["social_history"]  # 'historical'
    """
    path = Path(model_dir) / TEMPORALITY_RULES_FILE
    if not path.exists():
        logger.info("No temporality rules at %s: temporality follows the billing flags only", path)
        return TemporalityRules()
    data = json.loads(path.read_text(encoding="utf-8"))
    rules = context_rules_from_dicts(data.get("context_rules", []))
    unknown = {rule.category for rule in rules} - set(TEMPORALITY_CATEGORIES)
    if unknown:
        logger.warning("Temporality categories other than %s are ignored: %s",
                       ", ".join(TEMPORALITY_CATEGORIES), sorted(unknown))
    sections = {str(name): str(value) for name, value in data.get("sections", {}).items()}
    return TemporalityRules(rules, sections, list(data.get("chronic_conditions", [])), list(data.get("not_chronic", [])))


def temporality_of(flags: Iterable[str]) -> str:
    """A span's NegEx temporality from its flags and markers.

    "hypothetical" for a hypothetical mention; "historical" when it is historical
    in the billing sense or its onset was judged earlier (:data:`ONSET_PAST`);
    else "recent".

    Usage::

        temporality_of({"onset_past"})  # 'historical'
    """
    flags = set(flags)
    if "hypothetical" in flags:
        return "hypothetical"
    if "historical" in flags or ONSET_PAST in flags:
        return "historical"
    return "recent"


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
