"""HTML for the viewer: the note with its mentions highlighted, every piece escaped.

Usage::

    html = highlight_note(note, result)   # safe to pass to st.markdown(unsafe_allow_html=True)
"""

from __future__ import annotations

from html import escape

from chartaudit.types import CheckResult

COLOURS = {
    "supports": "#c8f7c5",      # evidence for a billed code
    "contradicts": "#ffc9c9",   # evidence behind a finding about a billed code
    "unbilled": "#ffe8a3",      # documented, no billed code covers it
    "other": "#e9ecef",
}


def _mention_roles(result: CheckResult) -> dict[tuple[int, int], str]:
    roles: dict[tuple[int, int], str] = {}
    for code in result.codes:
        role = "supports" if code.status == "supported" else "contradicts"
        for evidence in code.evidence:
            roles.setdefault((evidence.start, evidence.end), role)
    for finding in result.findings:
        role = "unbilled" if finding.type == "unbilled_condition" else "contradicts"
        for evidence in finding.evidence:
            if roles.get((evidence.start, evidence.end)) != "supports" or role == "contradicts":
                roles[(evidence.start, evidence.end)] = role
    return roles


def highlight_note(note: str, result: CheckResult) -> str:
    """The note as HTML: each mention a coloured span with a tooltip; all text escaped."""
    roles = _mention_roles(result)
    pieces: list[str] = []
    position = 0
    for mention in sorted(result.mentions, key=lambda m: m.start):
        if mention.start < position or mention.end > len(note):
            continue
        pieces.append(escape(note[position:mention.start]))
        role = roles.get((mention.start, mention.end), "other")
        tooltip = (f"{mention.concept or mention.text} | codes: {', '.join(mention.codes) or 'none'} | "
                   f"{mention.assertion} | section: {(mention.section or 'none').replace('_', ' ')}")
        decoration = "line-through" if mention.negated else "none"
        pieces.append(
            f'<span title="{escape(tooltip, quote=True)}" style="background:{COLOURS[role]};'
            f'text-decoration:{decoration};border-radius:3px;padding:0 2px">{escape(note[mention.start:mention.end])}</span>'
        )
        position = mention.end
    pieces.append(escape(note[position:]))
    body = "".join(pieces)
    return f'<div style="white-space:pre-wrap;font-family:monospace;line-height:1.6">{body}</div>'
