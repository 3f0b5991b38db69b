"""Does the note document the detail a billed code claims?

A mention supports a billed code when it names the code's condition ("heart failure"
supports I50.23); the code's title may add more: an acuity and a form ("acute on
chronic systolic"), a stage ("stage 4"), a complication ("with gangrene"), an
organism, a site or side, an episode, a 7th character ("subsequent encounter ...
with routine healing"). :class:`SpecificityCheck` finds the words a billed code's
title adds beyond what its supporting mentions' codes and words already say, and
looks for each in the sentences that document the condition; for a combination
code (:mod:`chartaudit.knowledge.combinations`) a linked condition anywhere in the
note counts too (the Index's "with" convention, Guideline I.A.15), unless the
provider states that the two are unrelated. When a word is missing, or the note
denies it ("no retinopathy on dilated exam"), :meth:`SpecificityCheck.gap` names the
undocumented elements and the most specific billable code the note does support.

The words are model data (``specificity.json``, owned by :class:`SpecificityRules`):
the title words that state no detail, the classification's defaults (closed,
displaced, single episode, initial encounter), synonyms, negation cues and the
phrases that state two conditions unrelated. The check runs only for a supported
code none of whose supporting mentions is at least as specific as the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from chartaudit.knowledge.codes import matches_pattern
from chartaudit.resources.files import FileCheck, ModelFile
from chartaudit.types import SIDES, Mention

if TYPE_CHECKING:
    from chartaudit.compare.assess import CodeAssessment
    from chartaudit.compare.relations import CodeRelations
    from chartaudit.knowledge.combinations import Partner

#: Words that share their first six letters are one word ("exacerbation" / "exacerbated").
STEM_LENGTH = 6
#: Most candidate codes tried when looking for the most specific code the note supports.
MAX_CANDIDATES = 400

_TOKEN = re.compile(r"[a-z]+|\d+[a-z]?")
_PARENTHESES = re.compile(r"\([^()]*\)")
_NON_PREFIX = re.compile(r"\bnon-(?=[a-z])")
#: Punctuation that ends the reach of a negation cue (not the full stop of a one-letter
#: initial: "e. coli").
_CLAUSE_BREAK = re.compile(r"(?<!\b[a-z])\.|[;:!?]|\s-\s|\bbut\b")
#: Title connectors that open a clause.
_CONNECTORS = ("without", "with", "due to", "except")
#: Connectors whose clause states the classification's default: nothing to document.
_DEFAULT_CONNECTORS = ("without", "except")
#: Words that start a word group of a title (the group ends at the next one).
_PREPOSITIONS = frozenset({"of", "in", "on", "to", "for", "at", "by", "from", "involving", "affecting", "following"})
_BRACKETS = re.compile(r"\[[^\]]*\]")
_ROMAN = {"ii": "2", "iii": "3", "iiia": "3a", "iiib": "3b", "iv": "4"}
_ROMAN_AFTER_QUALIFIER = {"i": "1", "v": "5"}
_SIDE_WORDS = frozenset(side for side in SIDES if side != "unspecified")


class SpecificityRules(ModelFile):
    """``specificity.json``: the words of the specificity check (see the file's description).

    ignored_words (Iterable[str]): Title words that state no detail ("other", "site").
    axis_words (Iterable[str]): Words that, after "unspecified", name an axis left open
        ("unspecified ear", "unspecified morphologic changes").
    default_words (Iterable[str]): Title words the classification assumes when the note is
        silent ("closed", "initial", "single").
    default_openers (Iterable[str]): First words of a title clause that states a default as a
        whole ("normal vision right eye").
    qualifier_words (Iterable[str]): Words after which a number states a stage, type or grade.
    site_words (Iterable[str]): Body sites; the synonym ``@site`` stands for any of them.
    synonyms (Mapping[str, Sequence[str]]): A title word or phrase -> the words notes use.
    negation_cues (Iterable[str]): Words that deny the words after them.
    negation_window (int): How many words after a cue it reaches.
    unrelated_cues (Iterable[str]): Phrases stating two conditions unrelated ("not due to").
    partner_terms (Mapping[str, Sequence[str]]): A combination partner's words -> code patterns.
    """

    FILE_NAME = "specificity.json"
    DESCRIPTION = "what a code's title claims beyond its condition, and how notes say it"
    MISSING = "no billed detail is checked beyond the condition"
    CACHED = True
    KEYS: ClassVar[tuple[str, ...]] = ("ignored_words", "axis_words", "default_words", "default_openers", "qualifier_words",
                                       "site_words", "synonyms", "negation_cues", "negation_window",
                                       "unrelated_cues", "partner_terms")
    _WORD_LISTS: ClassVar[tuple[str, ...]] = ("ignored_words", "axis_words", "default_words", "default_openers",
                                              "qualifier_words",
                                              "site_words", "negation_cues", "unrelated_cues")
    #: The synonym that stands for any body site of ``site_words`` ("localized").
    ANY_SITE = "@site"

    def __init__(self, ignored_words: Iterable[str] = (), axis_words: Iterable[str] = (), default_words: Iterable[str] = (),
                 default_openers: Iterable[str] = (), qualifier_words: Iterable[str] = (),
                 site_words: Iterable[str] = (), synonyms: Mapping[str, Sequence[str]] | None = None,
                 negation_cues: Iterable[str] = (), negation_window: int = 4, unrelated_cues: Iterable[str] = (),
                 partner_terms: Mapping[str, Sequence[str]] | None = None, enabled: bool = True) -> None:
        self.ignored_words = frozenset(word.lower() for word in ignored_words)
        self.axis_words = frozenset(word.lower() for word in axis_words)
        self.default_words = frozenset(word.lower() for word in default_words)
        self.default_openers = frozenset(word.lower() for word in default_openers)
        self.qualifier_words = frozenset(word.lower() for word in qualifier_words)
        self.site_words = tuple(tuple(tokens(site)) for site in site_words)
        self.synonyms: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {
            tuple(tokens(key)): tuple((self.ANY_SITE,) if value == self.ANY_SITE else tuple(tokens(value))
                                      for value in values)
            for key, values in (synonyms or {}).items()
        }
        #: The synonyms of title phrases of two words or more.
        self.phrase_synonyms = [(key, values) for key, values in self.synonyms.items() if len(key) > 1]
        self.negation_cues = frozenset(word.lower() for word in negation_cues)
        self.negation_window = int(negation_window)
        self.unrelated_cues = tuple(" ".join(tokens(cue)) for cue in unrelated_cues)
        self.partner_terms = {tuple(tokens(key)): tuple(values) for key, values in (partner_terms or {}).items()}
        #: False for a model without the file: no detail is checked.
        self.enabled = enabled

    @classmethod
    def when_missing(cls) -> "SpecificityRules":
        return cls(enabled=False)

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.json_object(cls.KEYS)
        if data is None:
            return None
        for key in cls._WORD_LISTS:
            words = data.get(key, [])
            if not isinstance(words, list) or not all(isinstance(word, str) and word.strip() for word in words):
                check.problem(f"\"{key}\" must be a list of words", value=key)
        for key in ("synonyms", "partner_terms"):
            table = data.get(key, {})
            if not isinstance(table, dict) or not all(
                    isinstance(values, list) and all(isinstance(value, str) and value.strip() for value in values)
                    for values in table.values()):
                check.problem(f"\"{key}\" must be an object of words -> list of strings", value=key)
        window = data.get("negation_window", 4)
        if not isinstance(window, int) or isinstance(window, bool) or not 0 <= window <= 10:
            check.problem("\"negation_window\" must be a whole number from 0 to 10", value="negation_window")
        if check.is_code is not None and isinstance(data.get("partner_terms"), dict):
            from chartaudit.knowledge.codes import normalize_pattern  # noqa: PLC0415

            for words, patterns in data["partner_terms"].items():
                for pattern in patterns if isinstance(patterns, list) else []:
                    normalized = normalize_pattern(pattern)
                    ends = (normalized or "").split("-")
                    if normalized is None or not all(check.is_code(end) for end in ends if end):
                        check.problem(f"partner_terms {words!r}: {pattern!r} is not an ICD-10-CM code or range",
                                      value=pattern)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SpecificityRules":
        return cls(**{key: data[key] for key in cls.KEYS if key in data})

    @classmethod
    def from_dir(cls, model_dir: Path | str) -> "SpecificityRules":
        """Load the ``specificity.json`` of a model directory; a model without one (made before the
        file existed) gets the default model's."""
        return cls.from_file(cls.path_or_default(model_dir))

    def partner_patterns(self, words: str) -> tuple[str, ...]:
        """The model's code patterns for a combination partner's words ("acute lower respiratory infection")."""
        found: list[str] = []
        partner = tokens(words)
        for key, patterns in self.partner_terms.items():
            if _contains(partner, key):
                found.extend(patterns)
        return tuple(found)


def tokens(text: str) -> list[str]:
    """Lower-case words and numbers of a text ("Non-displaced" -> "nondisplaced"; "3a" stays one)."""
    return _TOKEN.findall(_NON_PREFIX.sub("non", text.lower()))


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """True when ``phrase`` occurs in ``words`` as consecutive words."""
    size = len(phrase)
    return size > 0 and any(tuple(words[index:index + size]) == tuple(phrase)
                            for index in range(len(words) - size + 1))


def _stem(word: str) -> str | None:
    """The first six letters of a word of seven letters or more ("diabetes", "diabetic": "diabet");
    shorter words have none ("asthma" is not "asthmaticus")."""
    return word[:STEM_LENGTH] if word.isalpha() and len(word) > STEM_LENGTH else None


def _same_word(first: str, second: str) -> bool:
    if first == second:
        return True
    stem = _stem(first)
    if stem is not None and stem == _stem(second):
        return True
    if first.rstrip("s") == second.rstrip("s") and len(first) > 3:
        return True
    return False


# --------------------------------------------------------------------------- titles


@dataclass(frozen=True)
class Requirement:
    """One thing a title states: a word (or alternatives, "I or II"), and the word before it (a qualifier)."""

    words: tuple[str, ...]
    before: str = ""

    @property
    def number(self) -> bool:
        return self.words[0][:1].isdigit()


@dataclass(frozen=True)
class Element:
    """A detail of a title, in its words ("acute on chronic systolic"), and what documents it."""

    text: str
    requirements: tuple[Requirement, ...]
    connector: str = ""
    #: The words of the title clause the element comes from ("diverticulosis of large intestine").
    clause: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Clause:
    """A clause of a title: its connector ("with", "due to", ""), and its word groups, cut at
    prepositions ("fracture" / "the lower end" / "left radius")."""

    connector: str
    groups: tuple[tuple[str, ...], ...]
    optional: bool = False


def _enumerations(segments: list[str]) -> list[str]:
    """"bone, soft tissue, and skin" is one alternative: "bone or soft tissue or skin"."""
    merged = list(segments)
    index = 1
    while index < len(merged):
        words = merged[index].split()
        if words and words[0] in ("and", "or") and words[1:2] != ["unspecified"]:
            first = index - 1
            while first >= 1 and len(merged[first].split()) <= 3:
                first -= 1
            joined = " or ".join([*(part.strip() for part in merged[first:index]), " ".join(words[1:])])
            merged[first:index + 1] = [joined]
            index = first + 1
            continue
        index += 1
    return merged


def _clauses(title: str) -> list[_Clause]:
    """A title cut at commas and connectors: "Type 2 diabetes mellitus with diabetic CKD" ->
    ("", type 2 diabetes mellitus), ("with", diabetic chronic kidney disease). A comma clause
    that ends in "unspecified" ("single episode, unspecified") or starts with "or" (", or
    unspecified chronic kidney disease") is optional."""
    text = _BRACKETS.sub(" ", _PARENTHESES.sub(" ", title.lower()))
    found: list[_Clause] = []
    for segment in _enumerations(text.split(",")):
        words = tokens(segment)
        if not words:
            continue
        optional = words[0] == "or" or words[-1] == "unspecified"
        connector = ""
        current: list[str] = []
        index = 0
        while index <= len(words):
            matched = next((c for c in _CONNECTORS if tuple(words[index:index + len(c.split())]) == tuple(c.split())),
                           None) if index < len(words) else None
            if index == len(words) or (matched is not None and index > 0):
                if current:
                    found.append(_Clause(connector, _groups(current), optional))
                if index == len(words):
                    break
                assert matched is not None
                connector, current = matched, []
                index += len(matched.split())
                continue
            current.append(words[index])
            index += 1
    return found


def _groups(words: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Words cut before each preposition: "fracture of the lower end of left radius" ->
    (fracture), (of the lower end), (of left radius)."""
    groups: list[list[str]] = [[]]
    for word in words:
        if word in _PREPOSITIONS and groups[-1]:
            groups.append([])
        groups[-1].append(word)
    return tuple(tuple(group) for group in groups if group)


# --------------------------------------------------------------------------- the note


@dataclass
class NoteWords:
    """The words of some sentences of the note, with the ones a negation cue denies.

    texts (Sequence[str]): The sentences (or any text: a mention, a code title).
    rules (SpecificityRules): Negation cues and qualifier words.
    anchors (Iterable[str]): Words after which a number counts as a stage or type
        (the supporting mentions' last words: "CKD 4").
    """

    texts: Sequence[str]
    rules: SpecificityRules
    anchors: Iterable[str] = ()
    words: list[str] = field(default_factory=list)
    denied: list[bool] = field(default_factory=list)
    _positions: dict[str, list[int]] = field(default_factory=dict)
    _stems: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        qualifiers = self.rules.qualifier_words | {anchor for anchor in self.anchors if anchor}
        self.qualifiers = qualifiers
        cues = self.rules.negation_cues
        window = self.rules.negation_window
        for text in self.texts:
            for clause in _CLAUSE_BREAK.split(_NON_PREFIX.sub("non", text.lower())):
                clause_words = _numbers(_TOKEN.findall(clause), qualifiers)
                last_cue = -window - 1
                for index, word in enumerate(clause_words):
                    self.denied.append(index - last_cue <= window)
                    if word in cues:
                        last_cue = index
                    self.words.append(word)
                self.words.append("")  # clause break: no phrase or number runs across it
                self.denied.append(False)
        for position, word in enumerate(self.words):
            if word:
                self._positions.setdefault(word, []).append(position)
                stem = _stem(word)
                if stem is not None:
                    self._stems.setdefault(stem, []).append(position)

    def _word_positions(self, word: str) -> list[int]:
        found = list(self._positions.get(word, ()))
        stem = _stem(word)
        if stem is not None:
            found.extend(p for p in self._stems.get(stem, ()) if p not in found)
        for other in (word + "s", word[:-1] if word.endswith("s") else ""):
            if other and len(other) > 3:
                found.extend(p for p in self._positions.get(other, ()) if p not in found)
        return found

    def find(self, phrase: Sequence[str], before: str = "") -> str:
        """"affirmed", "denied" or "" (absent): whether the phrase occurs, and whether only denied.

        A number counts only after ``before`` (its qualifier in the title: "stage"), after
        another qualifier word or anchor, or as the start of a longer form ("3a" for "3").
        """
        if not phrase:
            return ""
        result = ""
        first, rest = phrase[0], tuple(phrase[1:])
        positions = (self._number_positions(first, before) if first[:1].isdigit()
                     else self._word_positions(first))
        for position in positions:
            following = self.words[position + 1:position + 1 + len(rest)]
            if len(following) < len(rest) or not all(map(_same_word, rest, following)):
                continue
            if not self.denied[position]:
                return "affirmed"
            result = "denied"
        return result

    def _number_positions(self, number: str, before: str) -> list[int]:
        """Where a number occurs ("3a" also for "3"); after a qualifier ("stage 4", "CKD 4") when the
        title puts one before it, anywhere otherwise ("20 weeks")."""
        found = []
        for form in (number, *(number + letter for letter in "abc")):
            for position in self._positions.get(form, ()):
                previous = self.words[position - 1] if position else ""
                if before not in self.rules.qualifier_words or previous == before or previous in self.qualifiers:
                    found.append(position)
        return found

    def has_site(self) -> bool:
        """True when the words name a body site (``site_words``)."""
        return any(self.find(site) == "affirmed" for site in self.rules.site_words)


# --------------------------------------------------------------------------- the check


@dataclass
class SpecificityGap:
    """A supported code whose title claims detail the note does not document.

    elements (list[str]): The undocumented details, in the title's words.
    denied (list[str]): Those the note denies ("retinopathy" in "no retinopathy").
    related_code (str | None): The most specific billable code the note supports.
    mentions (list[Mention]): The mentions that document the condition.
    unrelated (Mention | None): The statement that unlinks a combination's conditions.
    """

    code: str
    elements: list[str]
    denied: list[str]
    related_code: str | None
    mentions: list[Mention]
    unrelated: Mention | None = None


class SpecificityCheck:
    """Compare the detail of billed codes' titles with the note (see the module docstring).

    relations (CodeRelations): The code comparison (the classification and word data).
    rules (SpecificityRules): The model's words.
    """

    def __init__(self, relations: "CodeRelations", rules: SpecificityRules) -> None:
        self.relations = relations
        self.knowledge = relations.knowledge
        self.rules = rules
        self._elements = lru_cache(maxsize=65536)(self._compute_elements)
        self._partner_matches = lru_cache(maxsize=65536)(self._compute_partner_matches)

    # -- titles

    def elements(self, code: str, reference: frozenset[str]) -> tuple[Element, ...]:
        """The details ``code``'s title adds to the words in ``reference`` (the supporting mentions'
        code titles and words), "without" clauses, ignored and default words left out."""
        return self._elements(code, reference)

    def _covered(self, word: str, reference: frozenset[str]) -> bool:
        if word in reference or self.relations.words.lemma(word) in reference:
            return True
        stem = _stem(word)
        return stem is not None and "~" + stem in reference

    def _compute_elements(self, code: str, reference: frozenset[str]) -> tuple[Element, ...]:
        rules = self.rules
        lemma = self.relations.words.lemma
        elements: list[Element] = []
        for clause in _clauses(self.knowledge.description(code)):
            first = next((word for group in clause.groups for word in group), "")
            if clause.optional or clause.connector in _DEFAULT_CONNECTORS or first == "not" \
                    or first in rules.default_openers:
                continue  # "without complications", "not intractable", "normal vision right eye": defaults
            clause_words = _numbers([word for group in clause.groups for word in group], rules.qualifier_words)
            run: list[str] = []
            pending: list[str] = []
            requirements: list[Requirement] = []

            def close() -> None:
                # The element's words as the title writes them: "stage 4", "chronic kidney disease".
                trailing = []
                for word in pending:
                    if word in _PREPOSITIONS or word not in rules.ignored_words:
                        break
                    trailing.append(word)
                if requirements:
                    elements.append(Element(" ".join([*run, *trailing]), tuple(requirements), clause.connector,
                                            clause_words))
                run.clear()
                pending.clear()
                requirements.clear()

            def add(words: Sequence[str], requirement: Requirement) -> None:
                if run:
                    run.extend(pending)
                else:  # a qualifier right before the first word: "stage 4"; no leading "of"
                    run.extend(word for word in pending[-1:] if word in rules.qualifier_words)
                    words = list(words)
                    while words and (words[0] in _PREPOSITIONS or words[0] in rules.ignored_words):
                        words.pop(0)
                pending.clear()
                run.extend(words)
                requirements.append(requirement)

            for group in clause.groups:
                words = list(_numbers(group, rules.qualifier_words))
                if "unspecified" in words:
                    # "unspecified ear", "unspecified morphologic changes": an axis left open, not a detail;
                    # "unspecified diabetic retinopathy" still claims the retinopathy.
                    at = words.index("unspecified")
                    words = [*words[:at], *(word for word in words[at + 1:] if word not in rules.axis_words)]
                if "combined" in words and "and" in words:
                    # "combined systolic and diastolic": both, not either (as "kidney and ureter" is)
                    words = [word for word in words if word != "combined"]
                    any_of = "or" in words or "through" in words
                else:
                    any_of = any(word in ("or", "and", "through") for word in words)
                content = [word for word in words
                           if word not in rules.ignored_words and lemma(word) not in rules.ignored_words
                           and word not in rules.default_words and not (any_of and word[:1].isdigit())
                           and word not in ("or", "and", "through")]
                if not content:
                    pending.extend(words)
                    continue
                if any_of:
                    # "acute and subacute", "kidney and ureter", "bone or soft tissue or skin": any one
                    if any(self._covered(word, reference) for word in content):
                        close()
                        continue
                    add(words, Requirement(tuple(content)))
                    continue
                for index, word in enumerate(words):
                    if word not in content:
                        pending.append(word)
                        continue
                    if self._covered(word, reference):
                        close()
                        continue
                    add([word], Requirement((word,), words[index - 1] if index else ""))
            close()
        return tuple(elements)

    def reference_words(self, mentions: Iterable[Mention], code: str) -> frozenset[str]:
        """The words the supporting mentions establish: their own and their related codes' titles."""
        words: set[str] = set()
        for mention in mentions:
            words.update(tokens(mention.text))
            for candidate in self.related_codes(code, mention):
                words.update(tokens(self.knowledge.description(candidate)))
        lemma = self.relations.words.lemma
        stems = {"~" + stem for stem in map(_stem, words) if stem is not None}
        return frozenset(words | stems | {lemma(word) for word in words})

    def related_codes(self, code: str, mention: Mention) -> list[str]:
        """The mention's codes that relate to ``code`` (as the compare stage relates them)."""
        words = self.relations.significant_words(mention.text)
        return [candidate for candidate in mention.codes if self.relations.related(code, candidate, words)]

    # -- the note

    def documented(self, element: Element, scope: NoteWords, sides: frozenset[str], site: bool = False) -> str:
        """"affirmed" when every requirement is found, "denied" when one is found only denied, else ""."""
        remaining = list(element.requirements)
        clause_words = set(element.clause)
        for key, replacements in self.rules.phrase_synonyms:
            # A phrase of the title ("large intestine", "chronic kidney disease") said another way
            # ("colon", "CKD") documents its words that the element needs.
            if key[0] not in clause_words or not _contains(element.clause, key):
                continue
            needed = [requirement for requirement in remaining if set(requirement.words) & set(key)]
            if needed and any(self._find_replacement(replacement, scope, site) == "affirmed"
                              for replacement in replacements):
                remaining = [requirement for requirement in remaining if requirement not in needed]
        outcome = "affirmed"
        for requirement in remaining:
            found = self._find_requirement(requirement, scope, sides, site)
            if found == "affirmed":
                continue
            if found == "denied":
                outcome = "denied"
            elif outcome == "affirmed":
                outcome = ""
        return outcome

    def _find_requirement(self, requirement: Requirement, scope: NoteWords, sides: frozenset[str],
                          site: bool) -> str:
        result = ""
        for word in requirement.words:
            if word in _SIDE_WORDS and (word in sides or "bilateral" in sides and word in ("right", "left")):
                return "affirmed"
            found = scope.find((word,), requirement.before)
            if found == "affirmed":
                return found
            result = result or found
            for replacement in self.rules.synonyms.get((word,), ()):
                found = self._find_replacement(replacement, scope, site)
                if found == "affirmed":
                    return found
                result = result or found
        return result

    def _find_replacement(self, replacement: tuple[str, ...], scope: NoteWords, site: bool) -> str:
        if replacement == (self.rules.ANY_SITE,):
            return "affirmed" if site or scope.has_site() else ""
        return scope.find(replacement)

    # -- the gap

    def needs_check(self, assessment: "CodeAssessment") -> bool:
        """True for a supported billable condition code none of whose supporting mentions is at least as
        specific (a Z code or an external cause is documented by its own kind of evidence, not by detail)."""
        code = assessment.code
        if not self.rules.enabled or code is None or assessment.status != "supported" or not assessment.billable:
            return False
        if self.relations.evidence_kind(code) != "condition":
            return False
        return not any(candidate == code or self.knowledge.is_ancestor(code, candidate)
                       for mention in assessment.supporting for candidate in mention.codes)

    def gap(self, assessment: "CodeAssessment", note: str, mentions: list[Mention]) -> SpecificityGap | None:
        """The details of a billed code the note does not document, or None when it documents them all."""
        if not self.needs_check(assessment):
            return None
        code = assessment.code
        assert code is not None
        supporting = assessment.supporting
        reference = self.reference_words(supporting, code)
        elements = self.elements(code, reference)
        if not elements:
            return None
        scope = self._scope(assessment, note)
        sides = self._sides(supporting, elements, note)
        site = any(m.site for m in supporting)
        linked, unrelated = self._linked(code, supporting, note, mentions)
        missing: list[str] = []
        denied: list[str] = []
        for element in elements:
            if unrelated is not None and element.connector in ("with", "in"):
                missing.append(element.text)  # the provider unlinked the conditions the code joins
                continue
            found = self.documented(element, scope, sides, site)
            if found != "affirmed" and linked is not None:
                found = self.documented(element, linked, sides, site) or found
            if found == "affirmed":
                continue
            missing.append(element.text)
            if found == "denied":
                denied.append(element.text)
        if not missing:
            return None
        related = self.most_specific(code, supporting, reference, scope, sides, linked, unrelated is not None, site)
        return SpecificityGap(code, missing, denied, related, supporting, unrelated)

    def _sides(self, supporting: list[Mention], elements: Sequence[Element], note: str) -> frozenset[str]:
        """The sides the supporting mentions state, and each side an element needs that the note
        states anywhere next to the element's site or the condition's words ("left eye" in
        another sentence, "right leg")."""
        sides = {m.laterality for m in supporting if m.laterality}
        for element in elements:
            needed = [word for requirement in element.requirements for word in requirement.words
                      if word in _SIDE_WORDS and word not in sides]
            if not needed:
                continue
            near = {word for word in element.clause if word not in _SIDE_WORDS and len(word) > 2
                    and word not in self.rules.ignored_words}
            near |= {word for m in supporting for word in tokens(m.text) if len(word) > 2}
            for side in needed:
                if _side_stated(note, [side, *(" ".join(words) for words in self.rules.synonyms.get((side,), ())
                                              if len(words) == 1 and len(words[0]) > 1)], near):
                    sides.add(side)
        return frozenset(sides)

    def _scope(self, assessment: "CodeAssessment", note: str) -> NoteWords:
        """The sentences of the mentions that document the condition (past and uncertain ones too)."""
        mentions = assessment.supporting + assessment.mentions_with("historical", "uncertain")
        spans = sorted({(m.sentence_start, m.sentence_end) if m.sentence_end > m.sentence_start else (m.start, m.end)
                        for m in mentions})
        anchors = {words[-1] for words in (tokens(m.text) for m in mentions) if words}
        return NoteWords([note[start:end] for start, end in spans], self.rules, anchors)

    def _linked(self, code: str, supporting: list[Mention], note: str,
                mentions: list[Mention]) -> tuple[NoteWords | None, Mention | None]:
        """For a combination code, the words of the partner conditions the note documents anywhere
        (Guideline I.A.15), unless a statement unlinks them: (words, None) or (None, the statement)."""
        entries = self.knowledge.combinations().entries(code)
        if not entries:
            return None, None
        texts: list[str] = []
        partners: list[Mention] = []
        for mention in mentions:
            if not mention.affirmed or mention in supporting:
                continue
            if any(self.partner_matches(partner, candidate, mention.text)
                   for entry in entries for partner in entry.partners for candidate in mention.codes):
                partners.append(mention)
                texts.append(mention.text)
                texts.extend(self.knowledge.description(candidate) for candidate in mention.codes[:2])
                if mention.sentence_end > mention.sentence_start:
                    texts.append(note[mention.sentence_start:mention.sentence_end])
        if not partners:
            return None, None
        unrelated = stated_unrelated(supporting, partners, note, mentions, self.rules, self.relations)
        if unrelated is not None:
            return None, unrelated
        return NoteWords(texts, self.rules), None

    def partner_matches(self, partner: "Partner", code: str, text: str = "") -> bool:
        """True when a code (or a mention's words) names a combination partner: its patterns,
        the model's ``partner_terms``, or every word of the partner in the code's title."""
        return self._partner_matches(partner, code, text)

    def _compute_partner_matches(self, partner: "Partner", code: str, text: str) -> bool:
        if partner.matches(code):
            return True
        if any(matches_pattern(code, pattern) for pattern in self.rules.partner_patterns(partner.words)):
            return True
        wanted = [word for word in tokens(partner.words)
                  if word not in self.rules.ignored_words and word not in self.rules.default_words]
        if not wanted:
            return False
        scope = NoteWords([self.knowledge.description(code), text], self.rules)
        return all(scope.find((word,)) == "affirmed" or any(scope.find(replacement) == "affirmed"
                                                            for replacement in self.rules.synonyms.get((word,), ()))
                   for word in wanted)

    # -- the code the note supports

    def most_specific(self, code: str, supporting: list[Mention], reference: frozenset[str], scope: NoteWords,
                      sides: frozenset[str], linked: NoteWords | None, unlinked: bool = False,
                      site: bool = False) -> str | None:
        """The most specific billable code whose title the note documents in full: among the codes
        under the deepest documented ancestor of ``code`` (else under the supporting mentions'
        categories), the one with the most documented detail; on a tie the mentions' own code,
        then a named code before an "other" one."""
        knowledge = self.knowledge
        roots: list[str] = []
        for ancestor in knowledge.ancestors(code):  # nearest first
            if self._documents(ancestor, reference, scope, sides, linked, unlinked, site):
                roots = [ancestor]
                break
        own = list(dict.fromkeys(candidate for mention in supporting for candidate in self.related_codes(code, mention)))
        if not roots:
            roots = list(dict.fromkeys(candidate[:3] for candidate in own))
        seventh = knowledge.seventh_character(code)
        best: tuple[int, bool, bool, bool, int] | None = None
        chosen: str | None = None
        for root in roots:
            for candidate in knowledge.billable_descendants(root, limit=MAX_CANDIDATES):
                if candidate == code or (seventh is not None and knowledge.seventh_character(candidate) is None):
                    continue
                if not self._documents(candidate, reference, scope, sides, linked, unlinked, site):
                    continue
                detail = sum(len(element.requirements) for element in self.elements(candidate, reference))
                title = knowledge.description(candidate).lower()
                named = not title.startswith("other")
                default = " without " in f" {title} " or "uncomplicated" in title  # the Index's default code
                rank = (detail, candidate in own, named, default, -len(candidate))
                if best is None or rank > best:
                    best, chosen = rank, candidate
        if chosen is None:
            for candidate in own:
                default = candidate if knowledge.is_billable(candidate) else knowledge.default_billable(candidate)
                if default and default != code:
                    return default
        return chosen

    def _documents(self, code: str, reference: frozenset[str], scope: NoteWords, sides: frozenset[str],
                   linked: NoteWords | None, unlinked: bool = False, site: bool = False) -> bool:
        """True when the note documents every element of ``code``'s title (``unlinked``: no "with" one)."""
        for element in self.elements(code, reference):
            if unlinked and element.connector in ("with", "in"):
                return False
            found = self.documented(element, scope, sides, site)
            if found != "affirmed" and linked is not None:
                found = self.documented(element, linked, sides, site)
            if found != "affirmed":
                return False
        return True


def _numbers(words: Sequence[str], qualifiers: frozenset[str]) -> tuple[str, ...]:
    """Roman numerals as digits ("stage IV" -> "stage 4"); "i" and "v" only after a qualifier."""
    converted: list[str] = []
    for index, word in enumerate(words):
        previous = words[index - 1] if index else ""
        if word in _ROMAN:
            word = _ROMAN[word]
        elif word in _ROMAN_AFTER_QUALIFIER and previous in qualifiers:
            word = _ROMAN_AFTER_QUALIFIER[word]
        converted.append(word)
    return tuple(converted)


def _side_stated(note: str, sides: Sequence[str], near: Iterable[str]) -> bool:
    """True when one of the side words occurs within three words of one of ``near`` in the note."""
    sites = sorted({word for word in near if word.isalpha()}, key=len, reverse=True)
    if not sites or not sides:
        return False
    side = "|".join(re.escape(word) for word in sides)
    site = "|".join(re.escape(word) + r"\w*" for word in sites)
    pattern = rf"\b(?:{side})\b(?:\W+\w+){{0,3}}?\W+(?:{site})\b|\b(?:{site})\b(?:\W+\w+){{0,3}}?\W+(?:{side})\b"
    return re.search(pattern, note, re.IGNORECASE) is not None


#: What follows a cue when it states both conditions of its sentence unrelated ("hypertension and
#: CKD, unrelated to each other"); and the cue without "to" ("the two are unrelated").
_RECIPROCAL = re.compile(r"\W+(?:each other|one another)\b")
_UNRELATED_BOTH = re.compile(r"\b(?:are|is|considered|felt|thought)\s+(?:to\s+be\s+)?(?:unrelated|not\s+related)\b"
                             r"(?!\s+to\b)")


def stated_unrelated(first: list[Mention], second: list[Mention], note: str, mentions: list[Mention],
                     rules: SpecificityRules, relations: "CodeRelations") -> Mention | None:
    """A mention of one group whose sentence states it unrelated to the other group's condition
    ("CKD stage 3a due to ADPKD, not due to diabetes"): a cue of ``unrelated_cues`` followed, in
    the same sentence, by a mention of the same category as one of the other group's codes; or
    a sentence that holds both conditions and states them unrelated to each other."""
    if not rules.unrelated_cues:
        return None
    for own, other in ((first, second), (second, first)):
        categories = {candidate[:3] for mention in other for candidate in mention.codes}
        other_words = {word for mention in other for word in tokens(mention.text)}
        for mention in own:
            start, end = mention.sentence_start, mention.sentence_end
            if end <= start:
                continue
            sentence = note[start:end].lower()
            both = any(start <= candidate.start < end for candidate in other)
            if both and _UNRELATED_BOTH.search(sentence):
                return mention
            for cue in rules.unrelated_cues:
                position = _find_words(sentence, cue)
                if position < 0:
                    continue
                after = start + position + len(cue)
                if both and _RECIPROCAL.match(note, after, end):
                    return mention
                for candidate in mentions:
                    if after <= candidate.start < end and (
                            any(code[:3] in categories for code in candidate.codes)
                            or set(tokens(candidate.text)) & other_words):
                        return mention
    return None


def _find_words(text: str, phrase: str) -> int:
    """The offset of ``phrase`` in ``text`` as whole words (any spacing), or -1."""
    pattern = r"\b" + r"\W+".join(re.escape(word) for word in phrase.split()) + r"\b"
    match = re.search(pattern, text)
    return match.start() if match else -1
