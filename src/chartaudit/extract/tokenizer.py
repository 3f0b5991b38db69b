"""Clinical tokenizer: spaCy's blank English tokenizer plus shorthand special cases.

spaCy's English tokenizer splits clinical shorthand such as ``c/o`` into
``c / o`` and ``x-ray`` into ``x - ray``. The special cases come from data: the
``special_cases`` list of ``abbreviations.json`` in the model directory. Each
form is added as written, lower-cased, upper-cased and capitalised.

Usage::

    from chartaudit.extract.tokenizer import add_special_cases, load_special_cases
    add_special_cases(nlp, load_special_cases(model_dir))
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc

logger = logging.getLogger(__name__)

ABBREVIATIONS_FILE = "abbreviations.json"


def load_special_cases(model_dir: Path) -> list[str]:
    """Read the tokenizer special cases of a model directory.

    model_dir (Path): The model directory holding ``abbreviations.json``.
    RETURNS (list[str]): The forms that must stay one token.

    Usage::

        forms = load_special_cases(default_model_dir())
    """
    path = Path(model_dir) / ABBREVIATIONS_FILE
    if not path.exists():
        logger.warning("No %s in %s: no tokenizer special cases", ABBREVIATIONS_FILE, model_dir)
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [str(form) for form in data.get("special_cases", [])]


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

    Usage::

        add_special_cases(nlp, ["c/o", "s/p"])
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


class TextKeepingTokenizer:
    """Wrap a tokenizer so that each doc keeps its original text in ``user_data``.

    ``Doc.text`` joins every token's text in Python (~1 ms per MTSamples note);
    components read :func:`doc_text` instead. Everything else is delegated to
    the wrapped tokenizer (``add_special_case``, ``explain``, ...).

    Usage::

        nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
        doc_text(nlp("c/o chest pain"))  # "c/o chest pain"
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokenizer, name)


def doc_text(doc: Doc) -> str:
    """The doc's original text, without rebuilding it from the tokens when possible.

    doc (Doc): A doc made by a :class:`TextKeepingTokenizer` (or any doc).
    RETURNS (str): The text.

    Usage::

        text = doc_text(doc)
    """
    text = doc.user_data.get(TEXT_KEY)
    if isinstance(text, str):
        return text
    return doc.text
