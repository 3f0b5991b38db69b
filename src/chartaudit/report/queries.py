"""Draft provider queries for documentation gaps, in clinical documentation integrity style.

A query asks the provider to clarify the record; it must be neutral and non-leading
(AHIMA/ACDIS "Guidelines for Achieving a Compliant Query Practice"): it cites the
clinical indicators the note already holds, names no reimbursement or financial
impact, does not ask the provider to add a diagnosis the record has no indicator for,
and a multiple-choice query offers every clinically reasonable option plus "other"
and "clinically undetermined". An open-ended query, for a billed code the note never
mentions, does not name that code's condition (the note holds no indicator of it).

Each finding rule declares its query; only documentation gaps a provider can resolve
have one (coding corrections such as ``unspecified_code`` do not).
"""

from __future__ import annotations

from chartaudit.findings import registry
from chartaudit.types import CheckResult, CodeResult, Evidence, Finding, Mention

_UNDETERMINED = "Clinically undetermined"
_OTHER = "Other (please specify)"
#: Longest sentence quoted in a query.
MAX_QUOTE_CHARACTERS = 240


def _section_name(evidence: Evidence) -> str:
    return (evidence.section or "note").replace("_", " ")


def _mention_of(result: CheckResult, evidence: Evidence) -> Mention | None:
    return next((m for m in result.mentions if m.start == evidence.start and m.end == evidence.end), None)


def _quoted_text(evidence: Evidence, result: CheckResult, note: str | None) -> str:
    """The sentence that holds the evidence when the note is given (it carries side and context)."""
    mention = _mention_of(result, evidence)
    if note and mention is not None and mention.sentence_end > mention.sentence_start:
        sentence = " ".join(note[mention.sentence_start:mention.sentence_end].split())
        if evidence.text.split()[0].lower() in sentence.lower():
            if len(sentence) > MAX_QUOTE_CHARACTERS:
                sentence = sentence[:MAX_QUOTE_CHARACTERS].rsplit(" ", 1)[0] + " …"
            return sentence
    return " ".join(evidence.text.split())


def _citations(evidence: list[Evidence], result: CheckResult, note: str | None, limit: int = 4) -> list[str]:
    """The note's own words, one line each, with the section they come from."""
    lines = []
    seen: set[tuple[str, str]] = set()
    for item in evidence:
        text = _quoted_text(item, result, note)
        key = (text.lower(), _section_name(item))
        if key in seen:
            continue
        seen.add(key)
        lines.append(f'  - "{text}" ({_section_name(item)})')
        if len(lines) >= limit:
            break
    return lines


def _affirmed_conditions(result: CheckResult, limit: int = 4) -> list[str]:
    """Distinct affirmed conditions the note documents (concepts), for context in an open query."""
    found: list[str] = []
    for mention in result.mentions:
        if not mention.affirmed:
            continue
        label = mention.concept or " ".join(mention.text.split())
        if label.lower() not in (item.lower() for item in found):
            found.append(label)
        if len(found) >= limit:
            break
    return found


def _code_result(result: CheckResult, code: str | None) -> CodeResult | None:
    return next((item for item in result.codes if item.code == code), None)


def _options(choices: list[str]) -> list[str]:
    return [f"  [ ] {choice}" for choice in [*choices, _OTHER, _UNDETERMINED]]


def _condition_name(finding: Finding, result: CheckResult) -> str:
    """The condition in the note's terms (the concept of the quoted mention), else the code's title."""
    for item in finding.evidence:
        mention = _mention_of(result, item)
        if mention is not None and mention.concept:
            return mention.concept
    code = _code_result(result, finding.code)
    description = code.description if code and code.description else ""
    return description or (finding.code or "the condition")


def draft_query(finding: Finding, result: CheckResult, note: str | None = None,
                provider: str = "Dr. ___") -> str | None:
    """A neutral, non-leading query to the provider about a documentation gap, or None.

    The finding's rule declares the query (:class:`~chartaudit.findings.ProviderQuery`).
    With the note, each citation is the whole sentence that holds the evidence, so the
    side or the hedge around a mention is quoted too. The text quotes the note (it is
    meant to be pasted into the record system): never log it.
    """
    rule = registry.get(finding.type) if finding.type in registry.types() else None
    template = rule.query if rule is not None else None
    if template is None:
        return None
    condition = _condition_name(finding, result)
    if template.open_ended:
        documented = _affirmed_conditions(result)
        body = [
            template.intro if documented else "The note documents no affirmed condition.",
            *[f"  - {item}" for item in documented],
            "",
            template.question,
        ]
    else:
        code_result = _code_result(result, finding.code)
        evidence = finding.evidence or (code_result.evidence if code_result else [])
        fill = {"condition": condition.lower(), "Condition": condition, "detail": finding.detail or "its detail"}
        body = [
            template.intro,
            *_citations(evidence, result, note),
            "",
            template.question.format(**fill),
            *_options([option.format(**fill) for option in template.options]),
        ]
    closing = [
        "",
        "Please document your response in the medical record. "
        "The absence of a query does not imply any particular answer.",
    ]
    header = [f"{provider},", "", "Documentation clarification request for this encounter:", ""]
    return "\n".join(header + body + closing)
