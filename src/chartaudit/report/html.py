"""HTML for the viewer: the highlighted note, the legend, the billed-code table, finding text.

Every function here is pure (no Streamlit) and returns a string in which every piece
of note text, code description and finding message is escaped, so the result is safe
to pass to ``st.markdown(..., unsafe_allow_html=True)``. Besides HTML escaping, the
characters that Markdown, LaTeX or autolinking would act on are written as numeric
entities and newlines become ``<br>``: the markup is one line, so Streamlit's
Markdown renderer treats it as a single raw HTML block and never parses the note as
Markdown (a note containing ``![x](http://...)`` must not fetch an image).
"""

from __future__ import annotations

from typing import Iterable

from chartaudit.findings import registry
from chartaudit.types import CheckResult, CodeResult, Evidence, Finding, Mention

#: Background colour of a highlighted mention, by what it means for the claim.
COLOURS: dict[str, str] = {
    "supports": "#b7eb8f",      # evidence for a billed code
    "contradicts": "#ffa39e",   # evidence behind a problem with a billed code
    "unbilled": "#ffd666",      # a documented diagnosis no billed code covers
    "other": "#e4e7eb",         # any other mention (not deciding a billed code)
}

ROLE_LABELS: dict[str, str] = {
    "supports": "supports a billed code",
    "contradicts": "contradicts a billed code",
    "unbilled": "documented, not billed",
    "other": "other mention",
}

SEVERITY_COLOURS: dict[str, str] = {"error": "#cf1322", "warning": "#d46b08", "info": "#0958d9"}

#: Status of a billed code → (label, background colour): "supported" and "not_checked",
#: then the status each finding rule explains, in the colour of its severity.
STATUS_BADGES: dict[str, tuple[str, str]] = {
    "supported": ("supported", "#389e0d"),
    **{status: (rule.status_label, SEVERITY_COLOURS[rule.severity]) for status, rule in registry.by_status().items()},
    "not_checked": ("not checked", "#595959"),
}
#: Finding types whose evidence is the reason a code is questioned, and their code statuses.
_CONTRADICTING_FINDINGS = frozenset(registry.in_group("contradicts"))
_CONTRADICTING_STATUSES = frozenset(registry.get(kind).status for kind in _CONTRADICTING_FINDINGS) - {None}
_UNBILLED_FINDINGS = frozenset(registry.in_group("unbilled"))
_ROLE_PRIORITY = {"contradicts": 0, "unbilled": 1, "supports": 2, "other": 3}

# HTML's own characters, and those that Markdown (and Streamlit's LaTeX and emoji
# shortcodes) act on, as entities: one pass, so no entity is escaped twice.
_ENTITIES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "{": "&#123;", "}": "&#125;",
    "[": "&#91;", "]": "&#93;", "(": "&#40;", ")": "&#41;", "#": "&#35;", "+": "&#43;",
    "-": "&#45;", "!": "&#33;", "|": "&#124;", "~": "&#126;", "$": "&#36;", ":": "&#58;",
    "=": "&#61;", "^": "&#94;",
})
#: Inline Markdown syntax (quoted text never starts a line, so block syntax cannot apply).
_MARKDOWN_SPECIALS = set("\\`*_[]!<>$~&")


def escape_text(text: object) -> str:
    """Text as inert HTML: escaped, Markdown-active characters as entities, newlines as ``<br>``."""
    escaped = str(text).translate(_ENTITIES)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def escape_attribute(text: object) -> str:
    """Text for an HTML attribute value (quotes escaped, newlines as line-feed entities)."""
    return str(text).translate(_ENTITIES).replace("\n", "&#10;")


def escape_markdown(text: object) -> str:
    """Text for a Markdown string (``st.error``, ``st.markdown`` without HTML): every special escaped.

    Newlines are kept as spaces so a quoted note line cannot start a heading or list.
    """
    flat = " ".join(str(text).split())
    return "".join("\\" + character if character in _MARKDOWN_SPECIALS else character for character in flat)


def mention_roles(result: CheckResult) -> dict[tuple[int, int], str]:
    """What each evidence span means for the claim: supports, contradicts or unbilled.

    A span that several codes or findings quote takes the most important role
    (contradicts, then unbilled, then supports). Spans quoted by nothing are absent.
    """
    roles: dict[tuple[int, int], str] = {}

    def assign(evidence: Iterable[Evidence], role: str) -> None:
        for item in evidence:
            key = (item.start, item.end)
            current = roles.get(key)
            if current is None or _ROLE_PRIORITY[role] < _ROLE_PRIORITY[current]:
                roles[key] = role

    for code in result.codes:
        if code.status == "supported":
            assign(code.evidence, "supports")
        elif code.status in _CONTRADICTING_STATUSES:
            assign(code.evidence, "contradicts")
    for finding in result.findings:
        if finding.type in _UNBILLED_FINDINGS:
            assign(finding.evidence, "unbilled")
        elif finding.type in _CONTRADICTING_FINDINGS:
            assign(finding.evidence, "contradicts")
    return roles


def mention_tooltip(mention: Mention, role: str) -> str:
    """The plain-text tooltip of a highlighted mention (escape it before use)."""
    section = (mention.section or "none").replace("_", " ")
    lines = [
        mention.concept or mention.text,
        f"candidate codes: {', '.join(mention.codes) or 'none'}",
        f"assertion: {mention.assertion}",
        f"section: {section}",
    ]
    if mention.kind != "condition":
        lines.insert(1, f"evidence of: {mention.kind.replace('_', ' ')}")
    if mention.laterality:
        lines.append(f"side: {mention.laterality}")
    lines.append(f"for the claim: {ROLE_LABELS[role]}")
    return "\n".join(lines)


def _mention_style(mention: Mention, role: str) -> str:
    style = [f"background:{COLOURS[role]}", "color:#111", "border-radius:3px", "padding:0 2px"]
    assertion = mention.assertion
    if assertion == "negated":
        style += ["text-decoration:line-through", "text-decoration-thickness:2px", "outline:1px dashed #555"]
    elif assertion in ("uncertain", "hypothetical"):
        style += ["text-decoration:underline dotted", "text-decoration-thickness:2px"]
    elif assertion in ("historical", "family"):
        style.append("font-style:italic")
    elif assertion == "screening":
        style += ["text-decoration:underline wavy", "text-decoration-thickness:1px"]
    return ";".join(style)


def highlight_note(note: str, result: CheckResult) -> str:
    """The note as one line of HTML: each mention a coloured span with a tooltip; all text escaped.

    Mentions that overlap an earlier one, or fall outside the note, are left plain.
    """
    roles = mention_roles(result)
    pieces: list[str] = []
    position = 0
    for mention in sorted(result.mentions, key=lambda m: (m.start, -m.end)):
        if mention.start < position or mention.end > len(note) or mention.start >= mention.end:
            continue
        pieces.append(escape_text(note[position:mention.start]))
        role = roles.get((mention.start, mention.end), "other")
        pieces.append(
            f'<span class="ca-mention ca-{role} ca-{mention.assertion}" '
            f'title="{escape_attribute(mention_tooltip(mention, role))}" '
            f'style="{_mention_style(mention, role)}">{escape_text(note[mention.start:mention.end])}</span>'
        )
        position = mention.end
    pieces.append(escape_text(note[position:]))
    body = "".join(pieces)
    return (
        '<div class="ca-note" style="white-space:pre-wrap;font-family:monospace;font-size:0.85em;line-height:1.8;'
        'border:1px solid #d9d9d9;border-radius:6px;padding:10px;max-height:560px;overflow:auto">'
        f"{body}</div>"
    )


def legend_html() -> str:
    """The colour and style legend shown above the highlighted note."""
    swatches = [
        f'<span style="background:{COLOURS[role]};color:#111;border-radius:3px;padding:0 6px;margin-right:10px;white-space:nowrap">'
        f"{escape_text(label)}</span>"
        for role, label in ROLE_LABELS.items()
    ]
    styles = (
        '<span style="text-decoration:line-through;outline:1px dashed #555;padding:0 4px;margin-right:10px">'
        "negated</span>"
        '<span style="text-decoration:underline dotted;margin-right:10px">uncertain</span>'
        '<span style="font-style:italic;margin-right:10px">history or family</span>'
        '<span style="text-decoration:underline wavy;margin-right:10px">screening (not the disease)</span>'
        '<span style="color:#888">hover a mention for its concept, codes, assertion and section</span>'
    )
    return f'<div class="ca-legend" style="font-size:0.9em;margin-bottom:6px">{"".join(swatches)}{styles}</div>'


def status_badge(status: str) -> str:
    """A coloured badge for a billed code's status."""
    label, colour = STATUS_BADGES.get(status, (status.replace("_", " "), "#595959"))
    return (
        f'<span class="ca-badge ca-status-{escape_attribute(status)}" style="background:{colour};color:#fff;'
        f'border-radius:10px;padding:1px 8px;font-size:0.85em;white-space:nowrap">{escape_text(label)}</span>'
    )


def _quote(evidence: Evidence) -> str:
    section = (evidence.section or "no section").replace("_", " ")
    text = " ".join(evidence.text.split())
    return f"&#8220;{escape_text(text)}&#8221; <small>({escape_text(evidence.assertion)}, {escape_text(section)})</small>"


def _evidence_cell(code: CodeResult) -> str:
    if code.evidence:
        return "<br>".join(_quote(item) for item in code.evidence[:4])
    if code.status == "unsupported":
        return "<em>Nothing in the note mentions this condition.</em>"
    if code.status == "invalid":
        return "<em>Not an ICD-10-CM code.</em>"
    return "&#8212;"


def codes_table_html(result: CheckResult) -> str:
    """The billed diagnosis codes as an HTML table: code, description, status badge, evidence."""
    cell = 'style="padding:4px 8px;border-bottom:1px solid #e8e8e8;vertical-align:top;text-align:left"'
    rows = []
    for code in result.codes:
        billable = "" if code.billable or code.status == "invalid" else " <small>(not billable as written)</small>"
        rows.append(
            f'<tr class="ca-code-row"><td {cell}><code>{escape_text(code.code)}</code></td>'
            f"<td {cell}>{escape_text(code.description or '—')}{billable}</td>"
            f"<td {cell}>{status_badge(code.status)}</td><td {cell}>{_evidence_cell(code)}</td></tr>"
        )
    header = "".join(f"<th {cell}>{name}</th>" for name in ("Code", "Description", "Status", "Evidence in the note"))
    return (
        '<table class="ca-codes" style="border-collapse:collapse;width:100%">'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def procedures_table_html(result: CheckResult) -> str:
    """The billed procedures and their coverage status as an HTML table ("" when none).
    """
    if not result.procedures:
        return ""
    labels = {"covered": ("covered", "#389e0d"), "not_covered": ("not covered", "#cf1322"),
              "no_policy": ("no policy loaded", "#595959")}
    cell = 'style="padding:4px 8px;border-bottom:1px solid #e8e8e8;text-align:left"'
    rows = []
    for procedure in result.procedures:
        label, colour = labels.get(procedure.status, (procedure.status, "#595959"))
        rows.append(
            f"<tr><td {cell}><code>{escape_text(procedure.code)}</code></td>"
            f'<td {cell}><span style="background:{colour};color:#fff;border-radius:10px;padding:1px 8px">'
            f"{escape_text(label)}</span></td><td {cell}>{escape_text(', '.join(procedure.policy_ids) or '—')}</td></tr>"
        )
    header = "".join(f"<th {cell}>{name}</th>" for name in ("Procedure", "Coverage", "Policy"))
    return (
        '<table class="ca-procedures" style="border-collapse:collapse;width:100%">'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def finding_markdown(finding: Finding) -> str:
    """A finding as Markdown for ``st.error`` / ``st.warning`` / ``st.info``, every value escaped."""
    code = f" {escape_markdown(finding.code)}" if finding.code else ""
    related = f" → {escape_markdown(finding.related_code)}" if finding.related_code else ""
    lines = [f"**{finding.type}**{code}{related}: {escape_markdown(finding.message)}"]
    if finding.evidence:
        quotes = "; ".join(f"“{escape_markdown(item.text)}” ({escape_markdown(item.assertion)})"
                           for item in finding.evidence[:4])
        lines.append(f"Evidence: {quotes}")
    if finding.suggestion:
        lines.append(f"Suggestion: {escape_markdown(finding.suggestion)}")
    lines.append(f"Guideline: {escape_markdown(finding.guideline) if finding.guideline else '—'}")
    return "\n\n".join(lines)


def summary_sentence(result: CheckResult) -> str:
    """A plain verdict: how many billed codes the note supports, and what is wrong with the others.

    It holds codes and descriptions, never note text (Streamlit renders it as Markdown).
    """
    supported = sum(1 for code in result.codes if code.status == "supported")
    errors = sum(1 for finding in result.findings if finding.severity == "error")
    warnings = sum(1 for finding in result.findings if finding.severity == "warning")
    return (
        f"The note supports {supported} of {len(result.codes)} billed code{'s' if len(result.codes) != 1 else ''}; "
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}."
        + "".join(
            f" {code.code} ({code.description or 'unknown code'}): {STATUS_BADGES.get(code.status, (code.status,))[0]}."
            for code in result.codes if code.status != "supported"
        )
    )
