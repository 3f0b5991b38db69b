"""Split a short text into the tokens spaCy's English tokenizer would give, without spaCy.

The code lookup (:mod:`chartaudit.extract.lookup`) compares a query with the term
phrases by their words' lemmas, and the phrases were split by the pipeline's
tokenizer (``spacy.blank("en")`` plus the model's special cases). Loading spaCy
for one query would cost a second, so this module follows the same steps on each
whitespace-separated chunk: a special case is one token; otherwise leading
punctuation is split off as prefixes, trailing punctuation, ``'s`` and a final
period after a lower-case letter or digit and a unit after a number as suffixes,
and what remains is split at infixes (a hyphen, slash, colon or comma between
letters, an operator between digits, a period between two words). Of spaCy's
tokenizer exceptions it keeps the ones a query for a condition may hold (``e.``
of "e. coli", ``cannot``, ``e.g.``, ``vs.``), not the contractions, and it does no
URL matching; ``tests/test_extract_lookup.py`` checks it against spaCy on the
curated phrases and the classification's titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Characters spaCy splits off the start of a chunk, one at a time.
_PREFIX_CHARACTERS = frozenset("§%=—–…,:;!?¿¡()[]{}<>_#*&'\"”“`‘´’‚„»«$£€¥")
#: Characters spaCy splits off the end of a chunk, one at a time.
_SUFFIX_CHARACTERS = frozenset("…,:;!?¿¡()[]{}<>_#*&'\"”“`‘´’‚„»«—–")
_POSSESSIVES = ("'s", "'S", "’s", "’S")
#: A unit written after a number ("10mg", "2M"), split off as spaCy does.
_UNIT = re.compile(r"(?<=[0-9])(?:km|m|dm|cm|mm|ha|µm|nm|yd|in|ft|kg|g|mg|µg|t|lb|oz|mph|mb|MB|kb|KB|gb|GB|tb|TB"
                   r"|T|G|M|K)$")
#: spaCy's tokenizer exceptions that a query may hold: chunk -> its tokens.
_EXCEPTIONS: dict[str, tuple[str, ...]] = {
    **{f"{letter}.": (f"{letter}.",) for letter in "abcdefghijklmnopqrstuvwxyz"},
    **{form: (form,) for form in ("e.g.", "E.g.", "E.G.", "i.e.", "I.e.", "I.E.", "vs.", "v.s.", "a.m.", "p.m.",
                                  "Dr.", "St.", "Mr.", "Mrs.", "Ms.", "Jr.", "Ph.D.", "co.", "Co.", "and/or")},
    "cannot": ("can", "not"),
    "Cannot": ("Can", "not"),
}
#: Infixes: a run of periods, an ellipsis, an operator between digits, a period between
#: a lower-case and an upper-case letter, a comma, hyphen, dash, tilde, colon, angle
#: bracket, equals sign or slash between letters (a digit may precede a hyphen or slash).
_INFIX = re.compile(
    r"\.\.+|…"
    r"|(?<=[0-9])[+\-*^](?=[0-9-])"
    r"|(?<=[^\W\d_])\.(?=[^\W\d_])"
    r"|(?<=[^\W\d_]),(?=[^\W\d_])"
    r"|(?<=[^\W_])(?:---|--|-|–|—|——|~)(?=[^\W\d_])"
    r"|(?<=[^\W_])[:<>=/](?=[^\W\d_])"
)
_SPACE = re.compile(r"\S+")


class PlainTokenizer:
    """The tokens of a query as the pipeline's tokenizer splits plain words and punctuation.

    special_cases (Iterable[str]): Forms kept as one token (``special_cases`` of
        ``abbreviations.json``), each also lower-cased, upper-cased and capitalised as
        :func:`chartaudit.extract.tokenizer.case_variants` adds them.
    """

    def __init__(self, special_cases: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for form in special_cases:
            form = form.strip()
            if form and not any(character.isspace() for character in form):
                forms |= {form, form.lower(), form.upper(), form[:1].upper() + form[1:].lower()}
        self.special_cases = frozenset(forms)

    def __call__(self, text: str) -> list[str]:
        """The token texts of ``text`` (white space is dropped).

        text (str): A short text such as "Alzheimer's disease" or "heart-lung transplant".
        RETURNS (list[str]): ["Alzheimer", "'s", "disease"], ["heart", "-", "lung", "transplant"].
        """
        tokens: list[str] = []
        for chunk in _SPACE.findall(text):
            tokens.extend(self._chunk(chunk))
        return tokens

    def _chunk(self, chunk: str) -> list[str]:
        special = self.special_cases
        if chunk in special:
            return [chunk]
        exception = _EXCEPTIONS.get(chunk)
        if exception is not None:
            return list(exception)
        if chunk.isalpha() or chunk.isdigit():
            return [chunk]
        prefixes: list[str] = []
        suffixes: list[str] = []
        while chunk and chunk not in special and chunk not in _EXCEPTIONS:
            size = len(chunk)
            if chunk[0] in _PREFIX_CHARACTERS or (chunk[0] == "+" and not chunk[1:2].isdigit()):
                prefixes.append(chunk[0])
                chunk = chunk[1:]
            if not chunk or chunk in special or chunk in _EXCEPTIONS:
                break
            suffix = _suffix_length(chunk)
            if suffix:
                suffixes.append(chunk[-suffix:])
                chunk = chunk[:-suffix]
            if len(chunk) == size:
                break
        if not chunk:
            middle: list[str] = []
        elif chunk in special:
            middle = [chunk]
        elif chunk in _EXCEPTIONS:
            middle = list(_EXCEPTIONS[chunk])
        else:
            middle = _split_infixes(chunk)
        return [*prefixes, *middle, *reversed(suffixes)]


def _suffix_length(chunk: str) -> int:
    """The length of the suffix spaCy splits off the end of a chunk (0 for none)."""
    if len(chunk) > 2 and chunk.endswith(_POSSESSIVES):
        return 2
    last = chunk[-1]
    if last in _SUFFIX_CHARACTERS:
        return 1
    if last == "." and len(chunk) > 1:
        before = chunk[-2]
        if before.islower() or before.isdigit() or before in "%)]}\"'”’" or (
                len(chunk) > 2 and before.isupper() and chunk[-3].isupper()):
            return 1
    if last == "%" and len(chunk) > 1 and chunk[-2].isdigit():
        return 1
    unit = _UNIT.search(chunk)
    if unit is not None and unit.start() > 0:
        return len(unit.group())
    if last == "+" and len(chunk) > 1 and chunk[-2].isdigit():
        return 1
    return 0


def _split_infixes(chunk: str) -> list[str]:
    """A chunk split at its infixes, each infix a token."""
    pieces: list[str] = []
    start = 0
    for match in _INFIX.finditer(chunk):
        if match.start() == 0 or match.end() == match.start():
            continue
        if match.start() > start:
            pieces.append(chunk[start:match.start()])
        pieces.append(match.group())
        start = match.end()
    if start < len(chunk):
        pieces.append(chunk[start:])
    return pieces
