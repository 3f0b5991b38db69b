"""ConText rules (medSpaCy's JSON format) and the assertions they set.

``context_rules.json`` starts from medSpaCy's English default rules (MIT
licence) with clinical shorthand added (``s/p``, ``w/o``, ``FHx``, ``vs``,
``precautions``, terminations such as ``presents with`` / ``c/o``), NegEx
pseudo-triggers and more temporal cues (see ``models/default/CHANGELOG.md``). Its
categories map onto the :class:`~chartaudit.types.Mention` flags; the
scope-only categories set none: ``RECENT`` ends historical scopes, and ``RECENT`` and
``CURRENT`` make the condition they reach current. ``SCREENING``
("screening for", "... screening", "... screen") marks what a screening looks
for: such a mention never documents the disease, and supports the screening Z code
instead (``screening_codes.json``).

``temporality_rules.json`` (optional) holds a separate judgement, NegEx's
*temporality*: did the condition begin more than about two weeks ago? That
includes current chronic conditions ("known CAD", "hypertension for 10 years", a
social-history item), which the billing flag ``historical`` (past, not current:
it decides ``history_only``) must not include. Its ConText rules use the
categories ``HISTORICAL`` (earlier onset) and ``RECENT`` (recent onset: "acute",
"since this morning"), plus section defaults and conditions that are chronic by
nature; see :class:`TemporalityRules`.

:class:`ContextRules` owns ``context_rules.json`` and :class:`TemporalityRules`
``temporality_rules.json``; both keep medSpaCy's JSON rule format.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, ClassVar

from chartaudit.extract._medspacy import import_medspacy_parts
from chartaudit.resources.files import FileCheck, ModelFile

#: ConText category -> the Mention flag it sets.
CATEGORY_FLAGS: dict[str, str] = {
    "NEGATED_EXISTENCE": "negated",
    "POSSIBLE_EXISTENCE": "uncertain",
    "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical",
    "FAMILY": "family",
    "SCREENING": "screening",
}

#: Categories that set two flags at once: "depression screen negative" is both the
#: target of a screening and denied.
COMBINED_CATEGORY_FLAGS: dict[str, tuple[str, ...]] = {
    "SCREENING_NEGATIVE": ("screening", "negated"),
}

#: Categories that set no flag: their modifiers only end the scope of rules that
#: list them in ``terminated_by`` ("now", "currently" end a history's scope, not a
#: negation's: "denies any recent cough" stays negated). A ``RECENT`` modifier that
#: reaches a target (a direction other than ``PSEUDO``: "for one week", "today" right
#: after the condition) also says that the condition is current: it cancels the
#: ``historical`` flag that a ConText cue gave it ("history of chest pain for one week"),
#: not the one a past-history section gives. A ``CURRENT`` modifier does the latter only: it says
#: that the condition it reaches is current ("hypothyroidism on medical treatment") without ending
#: the scope of a history over the rest of a list ("history of hypertension in treatment, hernia
#: repaired 20 years before and ...": the hernia stays past).
SCOPE_ONLY_CATEGORIES: frozenset[str] = frozenset({"RECENT", "CURRENT"})
#: Internal marker of a target reached by a ``RECENT`` modifier (never a Mention flag).
CURRENT_MARKER = "current"

#: Every flag ConText (or the section) can set on a mention.
ASSERTION_FLAGS: tuple[str, ...] = ("negated", "historical", "family", "hypothetical", "uncertain", "screening")

#: The directions of a ConText rule (medSpaCy's).
CONTEXT_DIRECTIONS: tuple[str, ...] = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
#: The keys of one ConText rule: medSpaCy's ``ConTextRule`` format, and ``terminated_by``
#: (categories whose modifiers end this rule's scope), which ``ConTextRule`` takes but
#: its ``from_dict`` refuses.
CONTEXT_RULE_KEYS: tuple[str, ...] = ("literal", "category", "direction", "pattern", "metadata", "allowed_types",
                                      "excluded_types", "max_targets", "max_scope", "terminated_by")


def _check_rules(check: FileCheck, data: Any, categories: Collection[str]) -> None:
    """Check the ``context_rules`` list of a parsed file (context or temporality rules)."""
    for _, label, rule, literal, line in check.rules_with_literals(data, "context_rules", CONTEXT_RULE_KEYS):
        label = f"{label} {literal!r}"
        if rule.get("category") not in categories:
            check.problem(f"{label}: category {rule.get('category')!r} is not one of "
                          f"{', '.join(sorted(categories))}", line=line)
        if rule.get("direction", "BIDIRECTIONAL") not in CONTEXT_DIRECTIONS:
            check.problem(f"{label}: direction {rule.get('direction')!r} is not one of "
                          f"{', '.join(sorted(CONTEXT_DIRECTIONS))}", line=line)
        pattern = rule.get("pattern")
        if isinstance(pattern, str):
            check.compile_regex(pattern, label, re.IGNORECASE)
        elif pattern is not None and not (isinstance(pattern, list) and all(isinstance(token, dict) for token in pattern)):
            check.problem(f"{label}: pattern must be a regular expression or a list of token patterns", line=line)
        max_scope = rule.get("max_scope")
        if max_scope is not None and (not isinstance(max_scope, int) or max_scope < 1):
            check.problem(f"{label}: max_scope must be a positive integer", line=line)


@dataclass
class ContextRules(ModelFile):
    """``context_rules.json``: the ConText rules that set a mention's assertion flags.

    Each rule is medSpaCy's JSON rule format, plus an optional ``terminated_by``.
    Categories: those of :data:`CATEGORY_FLAGS`, of :data:`COMBINED_CATEGORY_FLAGS`
    and the scope-only ones.

    rules (list[ConTextRule]): medSpaCy rules.
    """

    FILE_NAME = "context_rules.json"
    DESCRIPTION = "medSpaCy ConText rules (negation, uncertainty, history, family, hypothetical, screening)"
    MISSING = "no assertions are detected"
    KEYS: ClassVar[tuple[str, ...]] = ("context_rules",)
    CATEGORIES: ClassVar[frozenset[str]] = (frozenset(CATEGORY_FLAGS) | frozenset(COMBINED_CATEGORY_FLAGS)
                                            | SCOPE_ONLY_CATEGORIES)

    rules: list[Any] = field(default_factory=list)

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.parse_json()
        if isinstance(data, dict):
            check.known_keys(data, cls.KEYS)
        _check_rules(check, data, cls.CATEGORIES)
        return data if isinstance(data, dict) else None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ContextRules":
        return cls(context_rules_from_dicts(data["context_rules"]))


def load_context_rules(model_dir: Path | str) -> list[Any]:
    """The ConText rules of a model directory (``ContextRules.from_dir(model_dir).rules``).

    RETURNS (list[ConTextRule]): medSpaCy rules (empty when the file is missing).
    """
    return ContextRules.from_dir(model_dir).rules


def context_rules_from_dicts(records: Iterable[dict[str, Any]]) -> list[Any]:
    """medSpaCy ``ConTextRule`` objects from JSON records (with the optional ``terminated_by``).

    records (Iterable[dict]): Rules in medSpaCy's JSON format.
    RETURNS (list[ConTextRule]): The rules.
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
class TemporalityRules(ModelFile):
    """``temporality_rules.json``: when did a condition begin?

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

    The file is an object: ``context_rules`` (medSpaCy JSON rules, categories
    ``HISTORICAL`` and ``RECENT``), ``sections`` (section category -> "historical"),
    ``chronic_conditions`` and ``not_chronic`` (lists of phrases).
    """

    FILE_NAME = "temporality_rules.json"
    DESCRIPTION = "NegEx temporality: ConText rules, sections and chronic conditions (onset over ~2 weeks ago)"
    MISSING = "temporality follows the billing flags only"
    MISSING_LEVEL = logging.INFO
    KEYS: ClassVar[tuple[str, ...]] = ("context_rules", "sections", "chronic_conditions", "not_chronic")

    rules: list[Any] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    chronic_conditions: list[str] = field(default_factory=list)
    not_chronic: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._chronic = _phrase_pattern(self.chronic_conditions)
        self._not_chronic = _phrase_pattern(self.not_chronic)

    def is_chronic(self, text: str) -> bool:
        """Whether a condition's text names a condition that is chronic by nature ("hypertension",
        but not "portal hypertension")."""
        if self._chronic is None or not self._chronic.search(text):
            return False
        return self._not_chronic is None or not self._not_chronic.search(text)

    @property
    def empty(self) -> bool:
        """True when there is nothing to judge temporality with but the billing flags."""
        return not (self.rules or self.sections or self._chronic)

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.parse_json()
        if isinstance(data, dict):
            check.known_keys(data, cls.KEYS)
        _check_rules(check, data, TEMPORALITY_CATEGORIES)
        if not isinstance(data, dict):
            return None
        sections = data.get("sections", {})
        if not isinstance(sections, dict) or any(value != "historical" for value in sections.values()):
            check.problem("\"sections\" must be an object of section category -> \"historical\"", value="sections")
        for key in ("chronic_conditions", "not_chronic"):
            phrases = data.get(key, [])
            if not isinstance(phrases, list) or not all(isinstance(phrase, str) for phrase in phrases):
                check.problem(f"\"{key}\" must be a list of phrases", value=key)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "TemporalityRules":
        return cls(context_rules_from_dicts(data.get("context_rules", [])),
                   {str(name): str(value) for name, value in data.get("sections", {}).items()},
                   list(data.get("chronic_conditions", [])), list(data.get("not_chronic", [])))


def load_temporality_rules(model_dir: Path | str) -> TemporalityRules:
    """The temporality rules of a model directory (``TemporalityRules.from_dir(model_dir)``)."""
    return TemporalityRules.from_dir(model_dir)


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
    ``PhraseMatcher`` is about 100 times faster than spaCy's ``Matcher`` with ``IN``
    predicates.

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
