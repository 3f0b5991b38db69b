"""The owners of model files: one class per file, holding its name, schema and loading.

Every file of a model directory (``models/default/``) has exactly one owner class,
next to the code that uses the file (``SectionRules`` owns ``section_rules.json``,
``LateralityRules`` owns ``anatomy.json``, ...). An owner subclasses
:class:`ModelFile` and gives:

* ``FILE_NAME``: the file's name, written nowhere else;
* ``DESCRIPTION``: one line saying what the file is for (``chartaudit.model`` lists it);
* ``REQUIRED``: whether a directory without the file is a model at all;
* ``check(check)``: the file's schema: every problem of the text goes to
  ``check.problems`` as one line naming the file (and the line), as medSpaCy's rule
  classes refuse a key they do not know and name the allowed ones;
* ``from_data``, the loaded object; :class:`ModelFile` gives every owner the same
  ``from_file`` / ``from_json`` (``Lexicon.from_csv``) and ``from_dir``, which load the
  file at run time through the same check, raising :class:`ModelFileError` on its
  first problem.

:func:`chartaudit.model.validate_model` runs every owner's ``check`` over a model
directory (with the ICD-10-CM code check, which the run time skips) and then its
loader, so what validates also loads.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from chartaudit.resources import default_model_dir
from chartaudit.resources.artifact import ModelError

#: Keys any JSON model file may hold for people; they are ignored.
PEOPLE_KEYS: tuple[str, ...] = ("description", "_comment")

_UNSET = object()

logger = logging.getLogger(__name__)


class ModelFileError(ModelError):
    """A model file that cannot be loaded; ``str()`` is one line naming the file and the problem.

    For example ``models/tuned/anatomy.json: line 2: unknown key 'side'; allowed: ...``.
    """

    def __init__(self, message: str) -> None:
        super().__init__([message])


def _line_of(text: str, value: Any) -> int | None:
    """The line of ``text`` where ``value`` (JSON-encoded) first appears, if it does."""
    for needle in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        index = text.find(needle)
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return None


@dataclass
class FileCheck:
    """The check of one model file's text: the problems and warnings found, one line each.

    name (str): The file name every message starts with.
    text (str): The file's text.
    is_code (Callable[[str], bool] | None): Whether a string is an ICD-10-CM code. Set
        by ``validate_model`` only: the run time neither looks codes up nor checks what
        lies outside the file (the generated ICD-10-CM files a model names).
    earlier (Mapping[str, Any]): What the checks of the files checked before this one
        returned, by file name (the abbreviations' check reads the lexicon's phrases).
    """

    name: str
    text: str
    is_code: Callable[[str], bool] | None = None
    earlier: Mapping[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def validating(self) -> bool:
        """True when ``validate_model`` checks the file (codes and other files are looked at too)."""
        return self.is_code is not None

    def problem(self, label: str, *, line: int | None = None, value: Any = _UNSET) -> None:
        """Record a problem at ``line``, or at the first line holding ``value`` (JSON-encoded)."""
        self.problems.append(self.at(label, line=line, value=value))

    def warning(self, label: str, *, line: int | None = None, value: Any = _UNSET) -> None:
        """Record a warning (the file still loads), placed as :meth:`problem` places it."""
        self.warnings.append(self.at(label, line=line, value=value))

    def at(self, label: str, *, line: int | None = None, value: Any = _UNSET) -> str:
        """``"<file>: line <n>: <label>"``, or ``"<file>: <label>"`` when the line is unknown."""
        if line is None and value is not _UNSET:
            line = _line_of(self.text, value)
        return f"{self.name}: line {line}: {label}" if line else f"{self.name}: {label}"

    def parse_json(self) -> Any:
        """The parsed JSON text, or None (and a problem with its line and column) when malformed."""
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as error:
            self.problems.append(f"{self.name}: line {error.lineno} column {error.colno}: malformed JSON ({error.msg})")
            return None

    def json_object(self, keys: Collection[str] | None = None) -> dict[str, Any] | None:
        """The parsed text when it is a JSON object, else None (with a problem).

        keys (Collection[str] | None): The keys the object may have (see :meth:`known_keys`);
            any key when None.
        """
        data = self.parse_json()
        if data is None:
            return None
        if not isinstance(data, dict):
            self.problem("must be a JSON object", line=1)
            return None
        if keys is not None:
            self.known_keys(data, keys)
        return data

    def known_keys(self, data: Mapping[str, Any], allowed: Collection[str], where: str = "") -> None:
        """Refuse the keys of an object that are not ``allowed`` (nor :data:`PEOPLE_KEYS` at the top),
        naming the allowed ones.

        where (str): Where the object is ("components.targets", "section_rules[3]"); "" for the top.
        """
        permitted = set(allowed) | (set(PEOPLE_KEYS) if not where else {"_comment"})
        for key in data:
            if key not in permitted:
                place = f"{where}: " if where else ""
                self.problem(f"{place}unknown key {key!r}; allowed: {', '.join(sorted(permitted))}", value=key)

    def string_list(self, data: Mapping[str, Any], key: str, what: str = "strings") -> list[str] | None:
        """``data[key]`` (default: empty) when it is a list of non-empty strings, else None (and a problem).

        what (str): What the strings are, for the message ("section categories").
        """
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self.problem(f"\"{key}\" must be a list of {what}", value=key)
            return None
        return value

    def compile_regex(self, pattern: Any, label: str, flags: int = 0) -> None:
        """A problem when ``pattern`` is not a string or does not compile."""
        if not isinstance(pattern, str):
            self.problem(f"{label}: the pattern must be a string", value=pattern)
            return
        try:
            re.compile(pattern, flags)
        except re.error as error:
            self.problem(f"{label}: regular expression {pattern!r} does not compile ({error})", value=pattern)

    def rule_lines(self) -> list[int]:
        """The line of each rule of a medSpaCy rule list: each rule has exactly one ``"literal"`` key."""
        return [self.text.count("\n", 0, match.start()) + 1 for match in re.finditer(r'"literal"\s*:', self.text)]

    def rules_with_literals(self, data: Any, key: str, allowed: Collection[str]
                            ) -> Iterator[tuple[int, str, dict[str, Any], str, int | None]]:
        """The rules of a ``{key: [...]}`` file that are objects with a literal, as
        (index, label, rule, literal, line); problems with the others are recorded.

        data (Any): The parsed file (None when it is malformed: nothing more is said).
        allowed (Collection[str]): The keys a rule may have (medSpaCy's rule format).
        """
        if data is None:
            return
        rules = data.get(key) if isinstance(data, dict) else None
        if not isinstance(rules, list):
            self.problem(f"must be an object with a \"{key}\" list", line=1)
            return
        lines = self.rule_lines()
        for index, rule in enumerate(rules):
            label = f"{key}[{index}]"
            line = lines[index] if index < len(lines) else None
            if not isinstance(rule, dict):
                self.problem(f"{label}: must be an object")
                continue
            literal = rule.get("literal")
            if not isinstance(literal, str) or not literal.strip():
                self.problem(f"{label}: \"literal\" must be a non-empty string", line=line)
                continue
            unknown = sorted(set(rule) - set(allowed))
            if unknown:
                self.problem(f"{label} {literal!r}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}",
                             line=line)
            yield index, label, rule, literal, line

    def raise_first(self, path: Path) -> None:
        """Raise :class:`ModelFileError` for the first problem, naming the file by ``path``."""
        if self.problems:
            raise ModelFileError(str(Path(path).parent / self.problems[0]))


class ModelFile:
    """The base of the class that owns one model file (see the module docstring).

    An owner defines ``check`` (the schema) and ``from_data`` (the object from what
    ``check`` returned); loading is the same for every file: a missing file gives
    ``when_missing()`` (and a log line saying what that means), a present one is read,
    checked and built, or refused with :class:`ModelFileError`.
    """

    #: The file's name in a model directory (the only place it is written).
    FILE_NAME: ClassVar[str]
    #: One line: what the file holds.
    DESCRIPTION: ClassVar[str]
    #: True when a directory without this file is not a model.
    REQUIRED: ClassVar[bool] = False
    #: What a missing file means, for the log line ("no assertions are detected").
    MISSING: ClassVar[str] = "none of its rules apply"
    #: How loud that log line is.
    MISSING_LEVEL: ClassVar[int] = logging.WARNING
    #: True when a loaded file is kept per path (files the pipeline reads more than once).
    CACHED: ClassVar[bool] = False

    @classmethod
    def check(cls, check: FileCheck) -> Any:
        """Check the file's text against its schema; return what later checks and
        :meth:`from_data` need (or None)."""
        raise NotImplementedError

    @classmethod
    def from_data(cls, data: Any) -> Any:
        """The loaded object, from what :meth:`check` returned for a file without problems."""
        raise NotImplementedError

    @classmethod
    def when_missing(cls) -> Any:
        """The object a model without the file gets (by default: an empty one)."""
        return cls()

    @classmethod
    def from_file(cls, path: Path | str) -> Any:
        """Load the file at ``path`` (:meth:`when_missing` when there is none).

        RAISES (ModelFileError): On the file's first problem, one line naming the file.
        """
        if cls.CACHED:
            return _load_cached(cls, str(path))
        return cls._load(Path(path))

    #: The name medSpaCy's rule classes give the loader of a JSON file.
    from_json = from_file

    @classmethod
    def from_dir(cls, model_dir: Path | str) -> Any:
        """Load the file of a model directory, as the pipeline does (see :meth:`from_file`)."""
        return cls.from_file(cls.path_in(model_dir))

    @classmethod
    def _load(cls, path: Path) -> Any:
        if not path.is_file():
            logger.log(cls.MISSING_LEVEL, "No %s in %s: %s", cls.FILE_NAME, path.parent, cls.MISSING)
            return cls.when_missing()
        return cls.from_data(cls.read_checked(path))

    @classmethod
    def read_checked(cls, path: Path, is_code: Callable[[str], bool] | None = None) -> Any:
        """Read a file, check it and return what :meth:`check` returns.

        RAISES (ModelFileError): On the file's first problem (one line naming it).
        """
        text = Path(path).read_text(encoding="utf-8")
        check = FileCheck(cls.FILE_NAME, text, is_code=is_code)
        result = cls.check(check)
        check.raise_first(path)
        return result

    @classmethod
    def path_in(cls, model_dir: Path | str) -> Path:
        """Where the file is in a model directory."""
        return Path(model_dir) / cls.FILE_NAME

    @classmethod
    def path_or_default(cls, model_dir: Path | str | None) -> Path:
        """The file of ``model_dir`` when it has one, else the default model's (for files a
        model may leave out and still mean the default: a model made before the file existed)."""
        if model_dir is not None and cls.path_in(model_dir).is_file():
            return cls.path_in(model_dir)
        return cls.path_in(default_model_dir())


@lru_cache(maxsize=32)
def _load_cached(owner: type[ModelFile], path: str) -> Any:
    return owner._load(Path(path))
