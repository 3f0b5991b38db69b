"""note_truncated: the note was too long to check in full; the findings cover the part before the cut."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, registry
from chartaudit.types import MAX_NOTE_CHARACTERS, Finding


@registry.register
class NoteTruncatedRule(FindingRule):
    type = "note_truncated"
    severity = "warning"
    order = 15
    guideline = ""
    label = "Note checked only in part"
    description = (f"The note is longer than {MAX_NOTE_CHARACTERS:,} characters: it is checked up to the last line "
                   "break (or space) before that limit, and the message gives the character offset where the check "
                   "stopped. The other findings cover the checked part. A billed code that the checked part does "
                   "not support gets the status `not_checked` and no finding (its evidence could lie after the "
                   "cut); a supported code stays supported.")
    sampled = False  # a sample would need a note over 2,000,000 characters

    def find(self, context: CheckContext) -> Iterator[Finding]:
        if context.checked_characters is None:
            return
        unchecked = [a.code for a in context.valid_assessments() if a.status == "not_checked"]
        message = (f"The note has {len(context.note):,} characters, too many to check in full: the check stopped "
                   f"at character {context.checked_characters:,}, and the findings cover the text before it.")
        if unchecked:
            message += (f" Not checked, as their evidence could lie after that point: "
                        f"{', '.join(code for code in unchecked if code)}.")
        yield self.finding(None, message, suggestion="Read the rest of the note for the codes not checked, "
                                                     "or split the document into one note per encounter.")
