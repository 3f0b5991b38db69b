"""The section component: finds section headers and stores sections on the Doc.

medSpaCy's ``Sectionizer`` could load these rules, but it is not used: on the
MTSamples notes it does per-token Python work (it sets ``Token._.section`` on
every token, ~0.5 ms per note), its matcher does not require a header to start
a line or to end in a colon, and its spans are token-based while chartaudit
needs character offsets. This component reads the same medSpaCy JSON rules and
works on the text with one compiled regular expression (see ``rules.py``).

Sets ``Doc._.chartaudit_sections``: a list of :class:`Section` (character
offsets), the first one ``category=None`` when the note does not start with a
header.
"""

# No "from __future__ import annotations": spaCy (confection) resolves the factories' annotations.

import bisect
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from chartaudit.extract.sections.rules import SectionRules
from chartaudit.extract.tokenizer import doc_text

logger = logging.getLogger(__name__)

SECTIONS_ATTRIBUTE = "chartaudit_sections"
#: ``section_rules.json`` group of the categories whose header, written inside a line (a test
#: name in a narrative: "... fever. CXR: RLL consolidation. She was treated ..."), covers only
#: the rest of its sentence; the section around it goes on after that sentence.
SENTENCE_GROUP = "ends_with_sentence"
#: ``section_rules.json`` group of the categories whose section is one line: the header's own
#: line, or the next non-blank line when the header stands alone ("Reason for visit: ...").
LINE_GROUP = "ends_with_line"
#: The end of the sentence a header's text is in (a period, ! ? or ; before white space, or a line end).
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n")


@dataclass(frozen=True)
class Section:
    """One section of a note, in character offsets.

    category (str | None): The section category, None before the first header.
    start (int): Start of the header (or of the text).
    body_start (int): First character after the header (its colon included).
    end (int): Start of the next header, or the end of the text.
    """

    category: str | None
    start: int
    body_start: int
    end: int


def section_at(sections: list[Section], starts: list[int], offset: int) -> Section | None:
    """The section holding a character offset.

    sections (list[Section]): The doc's sections, in order.
    starts (list[int]): ``[section.start for section in sections]``.
    offset (int): A character offset.
    RETURNS (Section | None): The section, or None when there is none.
    """
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return None
    return sections[index]


class SectionDetector:
    """Find section headers (line-anchored, followed by a colon or a line break)."""

    def __init__(self, nlp: Language, name: str, model_dir: Path) -> None:
        self.name = name
        self.rules = SectionRules.from_dir(model_dir)
        if not Doc.has_extension(SECTIONS_ATTRIBUTE):
            Doc.set_extension(SECTIONS_ATTRIBUTE, default=None)

    def sections(self, text: str) -> list[Section]:
        """Split a text into sections.

        text (str): The note.
        RETURNS (list[Section]): Sections covering the whole text, in order.
        """
        headers = list(self.rules.find_headers(text))
        sections: list[Section] = []
        if not headers or headers[0].start > 0:
            first_end = headers[0].start if headers else len(text)
            sections.append(Section(None, 0, 0, first_end))
        for index, header in enumerate(headers):
            end = headers[index + 1].start if index + 1 < len(headers) else len(text)
            sections.extend(self._cut(text, Section(header.category, header.start, header.end, end),
                                      sections[-1].category if sections else None))
        return sections

    def _cut(self, text: str, section: Section, previous: str | None) -> list[Section]:
        """A section, or the part its header covers and, after it, the section around it going on
        (the groups :data:`SENTENCE_GROUP` and :data:`LINE_GROUP` of ``section_rules.json``)."""
        groups = self.rules.groups
        cut = None
        if section.category in groups.get(LINE_GROUP, ()):
            cut = text.find("\n", section.body_start, section.end)
            if cut >= 0 and not text[section.body_start:cut].strip():  # the header stands alone on its line
                body = len(text) - len(text[cut:].lstrip())
                cut = text.find("\n", body, section.end)
        elif section.category in groups.get(SENTENCE_GROUP, ()) and not _starts_line(text, section.start):
            found = _SENTENCE_END.search(text, section.body_start, section.end)
            cut = found.end() if found is not None else -1
        if cut is None or cut < 0 or cut >= section.end:
            return [section]
        return [Section(section.category, section.start, section.body_start, cut),
                Section(previous, cut, cut, section.end)]

    def __call__(self, doc: Doc) -> Doc:
        doc._.set(SECTIONS_ATTRIBUTE, self.sections(doc_text(doc)))
        return doc


def _starts_line(text: str, offset: int) -> bool:
    """True when only spaces or tabs stand between the start of the line and ``offset``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return not text[line_start:offset].strip(" \t")


@Language.factory("chartaudit_sections", default_config={"model_dir": ""})
def create_section_detector(nlp: Language, name: str, model_dir: str) -> SectionDetector:
    """spaCy factory of :class:`SectionDetector`."""
    return SectionDetector(nlp, name, Path(model_dir))
