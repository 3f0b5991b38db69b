"""Clinical tokenizer: spaCy's blank English tokenizer plus shorthand special cases.

spaCy's English tokenizer splits clinical shorthand such as ``c/o`` into
``c / o`` and ``x-ray`` into ``x - ray``. The special cases come from data: the
``special_cases`` list of ``abbreviations.json`` in the model directory, read
through its owner (:class:`chartaudit.extract.lexicon.Abbreviations`). Each form
is added as written, lower-cased, upper-cased and capitalised.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc

from chartaudit.extract.lexicon import Abbreviations

logger = logging.getLogger(__name__)


def load_special_cases(model_dir: Path) -> list[str]:
    """The tokenizer special cases of a model directory (``special_cases`` of ``abbreviations.json``).

    model_dir (Path): The model directory.
    RETURNS (list[str]): The forms that must stay one token (none when the file is missing).
    """
    return Abbreviations.from_dir(model_dir).special_cases


def case_variants(form: str) -> set[str]:
    """The spellings of a form that are kept as one token.

    form (str): A shorthand form such as ``"c/o"``.
    RETURNS (set[str]): The form as written, lower, upper and capitalised.

    Usage::

        case_variants("c/o")  # {"c/o", "C/O", "C/o"}
    """
    return {form, form.lower(), form.upper(), form[:1].upper() + form[1:].lower()}


def add_special_cases(nlp: Language, forms: Iterable[str]) -> int:
    """Add shorthand forms to a pipeline's tokenizer as single tokens.

    nlp (Language): The pipeline whose tokenizer is extended.
    forms (Iterable[str]): Forms such as ``"c/o"``, ``"s/p"``, ``"x-ray"``.
    RETURNS (int): The number of special cases added (all case variants).
    """
    added = 0
    for form in forms:
        form = form.strip()
        if not form or any(character.isspace() for character in form):
            continue
        for variant in sorted(case_variants(form)):
            nlp.tokenizer.add_special_case(variant, [{ORTH: variant}])
            added += 1
    logger.debug("Added %d tokenizer special cases", added)
    return added


#: ``Doc.user_data`` key of the original text (``Doc.text`` rebuilds it token by token).
TEXT_KEY = "chartaudit_text"


#: A run of non-whitespace characters with the one space that may follow it, or a run of
#: whitespace. spaCy's tokenizer handles each run on its own and gives the one space to
#: the run's last token, so a chunk's tokens can be looked up instead of recomputed.
_CHUNK = re.compile(r"\S+ ?|\s+")
#: Chunks remembered at most; the map is cleared when full (a bounded cache).
MAX_CACHED_CHUNKS = 500_000

_Tokens = tuple[tuple[str, ...], tuple[bool, ...]]


class ClinicalTokenizer:
    """spaCy's tokenizer, faster, and keeping each doc's original text in ``user_data``.

    spaCy tokenizes each whitespace-separated chunk on its own, so this wrapper
    remembers the tokens of every chunk it has seen and builds the doc from them;
    chunks that are plain words or numbers (not a tokenizer exception) are their
    own token without asking spaCy; the rest are tokenized by spaCy, all of one
    note's new chunks in one call. The tokens and whitespace are exactly spaCy's
    (``tests/test_extract_tokenizer.py`` checks it, and ``benchmarks/bench_tokenizer.py``
    on MTSamples notes), faster than spaCy on new text and several times faster once
    the common chunks have been seen (the benchmark prints both).

    ``Doc.text`` joins every token's text in Python (~1 ms per MTSamples note), so
    the original text is kept: components read :func:`doc_text` instead.
    Everything else is delegated to the wrapped tokenizer (``explain``, ...).

    Usage::

        nlp.tokenizer = ClinicalTokenizer(nlp.tokenizer)
        doc_text(nlp("c/o chest pain"))  # "c/o chest pain"
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab
        self._chunks: dict[str, _Tokens] = {}
        self._exceptions: frozenset[str] = frozenset(tokenizer.rules or {})

    def add_special_case(self, string: str, substrings: Any) -> None:
        """Add a special case to the wrapped tokenizer (and forget remembered chunks)."""
        self.tokenizer.add_special_case(string, substrings)
        self._exceptions = frozenset(self.tokenizer.rules or {})
        self._chunks.clear()

    def _plain_tokens(self, word: str) -> tuple[str, ...] | None:
        """The tokens of a chunk whose tokenization is certain without spaCy, else None."""
        if word in self._exceptions:
            return None
        if word.isalpha() or word.isdigit():
            return (word,)
        head, last = word[:-1], word[-1]
        if head.isalpha() and head not in self._exceptions and (
                last in ",;:" or (last == "." and len(head) > 2 and head.islower())):
            return (head, last)
        return None

    def _learn(self, chunks: list[str]) -> None:
        """Tokenize new chunks (spaCy for the hard ones, in one call) and remember them."""
        cache = self._chunks
        if len(cache) > MAX_CACHED_CHUNKS:
            cache.clear()
        missing: list[str] = []
        for chunk in set(chunks).difference(cache):
            if chunk[0].isspace():
                cache[chunk] = ((chunk,), (False,))
                continue
            word = chunk.rstrip(" ")
            plain = self._plain_tokens(word)
            if plain is None:
                missing.append(chunk)
            else:
                cache[chunk] = (plain, (False,) * (len(plain) - 1) + (len(word) < len(chunk),))
        if not missing:
            return
        names = iter(missing)
        group: list[str] = []
        for token in self.tokenizer(" ".join(chunk.rstrip(" ") for chunk in missing)):
            group.append(token.text)
            if token.whitespace_:
                self._remember(next(names), group)
                group = []
        self._remember(next(names), group)

    def _remember(self, chunk: str, tokens: list[str]) -> None:
        self._chunks[chunk] = (tuple(tokens), (False,) * (len(tokens) - 1) + (chunk.endswith(" "),))

    def token_texts(self, text: str) -> list[str]:
        """The texts of the tokens a doc of ``text`` would have, without building the doc
        (e.g. a pattern's words for a ``PhraseMatcher``, which takes their hashes).

        Usage::

            tokenizer.token_texts("c/o chest pain")  # ["c/o", "chest", "pain"]
        """
        chunks = _CHUNK.findall(text)
        cache = self._chunks
        if not all(chunk in cache for chunk in chunks):
            self._learn(chunks)
        return [token for chunk in chunks for token in cache[chunk][0]]

    def __call__(self, text: str) -> Doc:
        chunks = _CHUNK.findall(text)
        self._learn(chunks)
        found = list(map(self._chunks.__getitem__, chunks))
        words = list(chain.from_iterable(map(itemgetter(0), found)))
        spaces = list(chain.from_iterable(map(itemgetter(1), found)))
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data[TEXT_KEY] = text
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokenizer, name)


def doc_text(doc: Doc) -> str:
    """The doc's original text, without rebuilding it from the tokens when possible.

    doc (Doc): A doc made by a :class:`ClinicalTokenizer` (or any doc).
    RETURNS (str): The text.
    """
    text = doc.user_data.get(TEXT_KEY)
    if isinstance(text, str):
        return text
    return doc.text
