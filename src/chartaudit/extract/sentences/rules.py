"""Line-aware sentence rules: where a clinical note's sentences start, in characters.

A sentence ends at terminal punctuation (``. ! ? ;``) followed by white space,
a comma or the end of the text, unless the word is a listed abbreviation
("Dr.", "e.g.", "b.i.d."); decimals never match. A blank line ends a sentence.
A single line break ends one when the next line starts a bullet, a numbered
item or a section header, or when the previous line does not look wrapped.
Section headers start a sentence and so does the text after them.

Usage::

    from chartaudit.extract.sentences.rules import SentenceRules
    SentenceRules.from_dir(model_dir).sentence_starts("No fever. Cough present.")  # [0, 10]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chartaudit.resources.files import FileCheck, ModelFile

_NEXT_TEXT = re.compile(r"[\s,]*")
_LINE_BREAK = re.compile(r"\n")
_DEFAULT_BULLET = r"^[ \t]*(?:[-*\u2022]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])[ \t]+"
_DEFAULT_ENDINGS = [",", "-", "/", "and", "or", "of", "with", "for", "to", "the", "a", "in", "on", "at", "by"]


@dataclass
class SentenceRules(ModelFile):
    """``sentence_rules.json``: the data of the sentence splitter.

    terminal_punctuation (str): Characters that end a sentence.
    non_terminal_abbreviations (list[str]): Words ending in "." that do not.
    bullet_pattern (str): A line starting this way starts a sentence.
    wrap_min_line_length (int): A shorter line is never a wrapped line.
    continuation_endings (list[str]): A line ending in one of these continues.
    """

    FILE_NAME = "sentence_rules.json"
    DESCRIPTION = "sentence splitter rules"
    MISSING = "the built-in sentence rules apply"
    KEYS: ClassVar[tuple[str, ...]] = ("terminal_punctuation", "non_terminal_abbreviations", "bullet_pattern",
                                       "wrap_min_line_length", "continuation_endings")

    terminal_punctuation: str = ".!?;"
    non_terminal_abbreviations: list[str] = field(default_factory=list)
    bullet_pattern: str = _DEFAULT_BULLET
    wrap_min_line_length: int = 40
    continuation_endings: list[str] = field(default_factory=lambda: list(_DEFAULT_ENDINGS))

    def __post_init__(self) -> None:
        punctuation = re.escape(self.terminal_punctuation)
        self._terminal = re.compile(f"[{punctuation}]+[\"')\\]]*(?=[\\s,]|$)")
        self._abbreviations = {word.lower() for word in self.non_terminal_abbreviations}
        self._longest_abbreviation = max((len(word) for word in self._abbreviations), default=0)
        self._bullet = re.compile(self.bullet_pattern)
        self._endings = {ending.lower() for ending in self.continuation_endings}

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.json_object(cls.KEYS)
        if data is None:
            return None
        if "bullet_pattern" in data:
            check.compile_regex(data["bullet_pattern"], "bullet_pattern", re.MULTILINE)
        if "terminal_punctuation" in data and not isinstance(data["terminal_punctuation"], str):
            check.problem("\"terminal_punctuation\" must be a string", value="terminal_punctuation")
        for key in ("non_terminal_abbreviations", "continuation_endings"):
            if key in data and not isinstance(data[key], list):
                check.problem(f"\"{key}\" must be a list", value=key)
        if "wrap_min_line_length" in data and not isinstance(data["wrap_min_line_length"], int):
            check.problem("\"wrap_min_line_length\" must be a number of characters", value="wrap_min_line_length")
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SentenceRules":
        return cls(
            terminal_punctuation=str(data.get("terminal_punctuation", ".!?;")),
            non_terminal_abbreviations=list(data.get("non_terminal_abbreviations", [])),
            bullet_pattern=str(data.get("bullet_pattern", _DEFAULT_BULLET)),
            wrap_min_line_length=int(data.get("wrap_min_line_length", 40)),
            continuation_endings=list(data.get("continuation_endings", _DEFAULT_ENDINGS)),
        )

    def _is_abbreviation(self, text: str, punctuation_start: int, punctuation: str) -> bool:
        if punctuation != ".":
            return False
        chunk = text[max(0, punctuation_start - max(self._longest_abbreviation, 3)): punctuation_start + 1]
        word = chunk.rsplit(None, 1)[-1] if chunk.strip() else chunk
        word = word.rsplit("(", 1)[-1].rsplit(",", 1)[-1]
        if word.lower() in self._abbreviations:
            return True
        if self._is_initial(text, punctuation_start, word):
            return True
        return self._is_enumerator(text, punctuation_start, word[:-1])

    @staticmethod
    def _is_initial(text: str, punctuation_start: int, word: str) -> bool:
        """A letter abbreviating the genus of an organism named next: "E. coli", "S. aureus",
        "c. diff" (one letter, then one space and a lower-case word)."""
        if len(word) != 2 or not word[0].isalpha():
            return False
        following = text[punctuation_start + 1: punctuation_start + 4]
        return len(following) >= 3 and following[0] == " " and following[1].islower() and following[2].isalpha()

    @staticmethod
    def _is_enumerator(text: str, punctuation_start: int, word: str) -> bool:
        """"1." of a numbered item: one or two digits at a line start or after a sentence end."""
        if not (1 <= len(word) <= 2 and word.isdigit()):
            return False
        before = text[max(0, punctuation_start - len(word) - 40): punctuation_start - len(word)]
        before = before.rstrip(" \t,")
        return not before or before[-1] in "\n.!?:;"

    def _continues(self, previous_line: str, next_line: str) -> bool:
        """True when a line break inside running text does not end a sentence."""
        previous = previous_line.rstrip()
        following = next_line.lstrip()
        if not previous or not following:
            return False
        last_word = previous.rsplit(None, 1)[-1].lower()
        if previous[-1] in ",-/" or last_word in self._endings:
            return True
        if previous[-1] in self.terminal_punctuation or previous[-1] == ":":
            return False
        return len(previous) >= self.wrap_min_line_length and following[0].islower()

    def sentence_starts(self, text: str, header_spans: Iterable[tuple[int, int]] = ()) -> list[int]:
        """Character offsets where sentences start (0 always included when text is not empty).

        text (str): The note.
        header_spans (Iterable[tuple[int, int]]): Section headers (start, end).
        RETURNS (list[int]): Sorted, distinct offsets.
        """
        if not text:
            return []
        next_text = _NEXT_TEXT.match
        starts = {0}
        for match in self._terminal.finditer(text):
            if self._is_abbreviation(text, match.start(), match.group()[0]):
                continue
            starts.add(next_text(text, match.end()).end())
        header_starts = set()
        for header_start, header_end in header_spans:
            header_starts.add(header_start)
            starts.add(header_start)
            starts.add(next_text(text, header_end).end())
        if "\n" in text:
            self._line_starts(text, header_starts, starts)
        length = len(text)
        return sorted(start for start in starts if start < length)

    def _line_starts(self, text: str, header_starts: set[int], starts: set[int]) -> None:
        lines = text.split("\n")
        offset = 0
        previous_line: str | None = None
        blank_before = False
        for line in lines:
            stripped = line.strip()
            if not stripped:
                blank_before = True
                offset += len(line) + 1
                continue
            line_text_start = offset + (len(line) - len(line.lstrip()))
            if previous_line is not None:
                if (
                    blank_before
                    or line_text_start in header_starts
                    or self._bullet.match(line)
                    or not self._continues(previous_line, line)
                ):
                    starts.add(line_text_start)
            previous_line = line
            blank_before = False
            offset += len(line) + 1
