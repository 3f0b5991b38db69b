"""In-note abbreviation definitions with scispaCy's ``abbreviation_detector``.

"shortness of breath (SOB)" defines SOB for the rest of the note; the target
matcher then gives every later "SOB" the long form's term. This component wraps
scispaCy's detector (Schwartz & Hearst) so that it:

* only runs when the note has a parenthesis (a definition needs one);
* finds the parenthesised candidates itself, at most
  ``MAX_PARENTHESIS_TOKENS`` tokens long: scispaCy's own ``Matcher`` pattern
  ``( + )`` yields every "(" ... ")" pair of the note, which is quadratic (a 2 MB
  note with 45,000 parentheses ran out of 24 GB of memory), and scispaCy's
  ``filter_matches`` drops pairs longer than 8 tokens anyway;
* starts every doc with a fresh ``Doc._.abbreviations`` list;
* does not emit spaCy's W036 "matcher has no patterns" warning on every note.

No UMLS linker (it downloads at run time) is ever used.
"""

# No "from __future__ import annotations": spaCy (confection) resolves the factories' annotations.

import logging
import warnings

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

from chartaudit.extract.tokenizer import doc_text

logger = logging.getLogger(__name__)


#: scispaCy's filter_matches keeps parenthesised spans of at most 8 tokens.
MAX_PARENTHESIS_TOKENS = 8


def parenthesis_matches(doc: Doc) -> list[tuple[int, int, int]]:
    """Every "(" ... ")" token pair with 1 to ``MAX_PARENTHESIS_TOKENS`` tokens inside.

    doc (Doc): The doc.
    RETURNS (list[tuple[int, int, int]]): (0, start, end) triples, brackets included,
        as scispaCy's matcher would give them (linear in the doc).

    Usage::

        parenthesis_matches(nlp.make_doc("shortness of breath (SOB)"))  # [(0, 3, 6)]
    """
    orths = doc.to_array(ORTH).tolist()
    opening = doc.vocab.strings["("]
    closing = doc.vocab.strings[")"]
    length = len(orths)
    matches = []
    for start in [index for index, key in enumerate(orths) if key == opening]:
        for end in range(start + 2, min(length, start + MAX_PARENTHESIS_TOKENS + 2)):
            if orths[end] == closing:
                matches.append((0, start, end + 1))
    return matches


class DefinitionDetector:
    """Find abbreviations defined in the note (``Doc._.abbreviations``)."""

    def __init__(self, nlp: Language, name: str) -> None:
        from scispacy.abbreviation import AbbreviationDetector, filter_matches  # registers its extensions

        self.name = name
        self.detector = AbbreviationDetector(nlp, name="abbreviation_detector")
        self._filter_matches = filter_matches

    def __call__(self, doc: Doc) -> Doc:
        doc._.set("abbreviations", [])
        if "(" not in doc_text(doc):
            return doc
        matches = parenthesis_matches(doc)
        if not matches:
            return doc
        inside = [(match_id, start + 1, end - 1) for match_id, start, end in matches]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\[W036\]")
            occurrences = self.detector.find_matches_for(self._filter_matches(inside, doc), doc)
        abbreviations = []
        for long_form, short_forms in occurrences:
            for short in short_forms:
                short._.long_form = long_form
                abbreviations.append(short)
        doc._.set("abbreviations", abbreviations)
        return doc


@Language.factory("chartaudit_definitions")
def create_definition_detector(nlp: Language, name: str) -> DefinitionDetector:
    """spaCy factory of :class:`DefinitionDetector`."""
    return DefinitionDetector(nlp, name)
