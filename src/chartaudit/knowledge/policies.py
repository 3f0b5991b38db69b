"""Coverage policies: which ICD-10-CM codes make a procedure medically necessary.

A policy file is a CSV with the columns ``procedure_code``, ``icd10_pattern`` and
``policy_id`` (and optionally ``description``), one row per pattern. A pattern is a
code or code prefix (``E78``, ``Z79.4``, ``E11.9``, ``E08.-``) or a range of codes
(``E08-E13``, inclusive at the length of each end). Rows with the same procedure and
policy id form one :class:`Policy`.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chartaudit.knowledge.codes import matches_pattern, normalize_code, normalize_pattern

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS: tuple[str, ...] = ("procedure_code", "icd10_pattern", "policy_id")
OPTIONAL_COLUMNS: tuple[str, ...] = ("description",)


class PolicyError(ValueError):
    """A policy file that cannot be read; the message is one line naming the file and row or column."""


def normalize_procedure(code: object) -> str:
    """A procedure code as compared: stripped and upper-cased (CPT ``80061``, HCPCS ``G0103``)."""
    return str(code).strip().upper() if code is not None else ""


@dataclass(frozen=True)
class Policy:
    """One coverage policy for one procedure: the diagnosis patterns that support it."""

    procedure_code: str
    policy_id: str
    patterns: tuple[str, ...]
    description: str = ""
    source: str = ""

    def covers(self, dx_code: str | None) -> bool:
        """True when a diagnosis code falls under one of the policy's patterns."""
        code = normalize_code(dx_code) if isinstance(dx_code, str) else None
        return code is not None and any(matches_pattern(code, pattern) for pattern in self.patterns)

    def matching_patterns(self, dx_code: str | None) -> list[str]:
        """The patterns of this policy that a diagnosis code falls under."""
        code = normalize_code(dx_code) if isinstance(dx_code, str) else None
        return [p for p in self.patterns if code is not None and matches_pattern(code, p)]


@dataclass
class PolicySet:
    """Policies indexed by procedure code; several files merge into one set."""

    policies: list[Policy] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_procedure: dict[str, list[Policy]] = {}
        for policy in self.policies:
            self._by_procedure.setdefault(policy.procedure_code, []).append(policy)

    def __len__(self) -> int:
        return len(self.policies)

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.policies)

    def __bool__(self) -> bool:
        return bool(self.policies)

    @property
    def procedure_codes(self) -> list[str]:
        """The procedure codes that some policy lists, in file order."""
        return list(self._by_procedure)

    def policies_for(self, procedure_code: str) -> list[Policy]:
        """The policies that list a procedure (empty when none does)."""
        return list(self._by_procedure.get(normalize_procedure(procedure_code), ()))

    def covers(self, procedure_code: str, dx_codes: Iterable[str | None]) -> bool | None:
        """True if some policy for the procedure covers some diagnosis; None when no policy lists it."""
        policies = self.policies_for(procedure_code)
        if not policies:
            return None
        codes = list(dx_codes)
        return any(policy.covers(code) for policy in policies for code in codes)

    def merge(self, *others: "PolicySet") -> "PolicySet":
        """A new set with the policies of this set and the others (same procedure and id: patterns joined)."""
        return PolicySet(_combine([*self.policies, *(p for other in others for p in other.policies)]))


def _combine(policies: Iterable[Policy]) -> list[Policy]:
    combined: dict[tuple[str, str], Policy] = {}
    for policy in policies:
        key = (policy.procedure_code, policy.policy_id)
        existing = combined.get(key)
        if existing is None:
            combined[key] = policy
            continue
        patterns = tuple(dict.fromkeys(existing.patterns + policy.patterns))
        sources = ", ".join(dict.fromkeys(s for s in (existing.source, policy.source) if s))
        combined[key] = Policy(
            existing.procedure_code, existing.policy_id, patterns, existing.description or policy.description, sources
        )
    return list(combined.values())


def _read_file(path: Path) -> list[Policy]:
    if not path.is_file():
        raise PolicyError(f"policy file not found: {path}")
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream)
            header = next(reader, None)
            if header is None:
                raise PolicyError(f"{path}: the file is empty; expected the columns {', '.join(REQUIRED_COLUMNS)}")
            columns = [name.strip().lower() for name in header]
            for required in REQUIRED_COLUMNS:
                if required not in columns:
                    raise PolicyError(
                        f"{path}: missing column {required!r} (found: {', '.join(c for c in columns if c) or 'none'})"
                    )
            where = {name: columns.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in columns}
            rows: dict[tuple[str, str], tuple[list[str], str]] = {}
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue

                def cell(name: str, row: list[str] = row) -> str:
                    index = where.get(name)
                    return row[index].strip() if index is not None and index < len(row) else ""

                procedure = normalize_procedure(cell("procedure_code"))
                policy_id = cell("policy_id")
                raw_pattern = cell("icd10_pattern")
                for name, value in (("procedure_code", procedure), ("policy_id", policy_id),
                                    ("icd10_pattern", raw_pattern)):
                    if not value:
                        raise PolicyError(f"{path}, row {line}, column {name}: empty value")
                pattern = normalize_pattern(raw_pattern)
                if pattern is None:
                    raise PolicyError(
                        f"{path}, row {line}, column icd10_pattern: {_one_line(raw_pattern)!r} is not an ICD-10-CM "
                        "code, prefix (E78, Z79.4, E08.-) or range (E08-E13)"
                    )
                patterns, description = rows.setdefault((procedure, policy_id), ([], cell("description")))
                if pattern not in patterns:
                    patterns.append(pattern)
                if not description and cell("description"):
                    rows[(procedure, policy_id)] = (patterns, cell("description"))
    except UnicodeDecodeError as error:
        raise PolicyError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except csv.Error as error:
        raise PolicyError(f"{path}: not a readable CSV file ({_one_line(str(error))})") from None
    return [
        Policy(procedure, policy_id, tuple(patterns), description, str(path))
        for (procedure, policy_id), (patterns, description) in rows.items()
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def load_policies(paths: str | Path | Iterable[str | Path]) -> PolicySet:
    """Read one or several policy CSV files into one :class:`PolicySet`.

    Raises :class:`PolicyError` (a ``ValueError``) with one line naming the file and
    the row or column for a missing file, a missing column or a bad pattern.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    policies: list[Policy] = []
    for path in paths:
        found = _read_file(Path(path))
        logger.debug("read %d policies from %s", len(found), path)
        policies.extend(found)
    return PolicySet(_combine(policies))
