"""Wording helpers shared by the finding rules: quoting the note, listing codes."""

from __future__ import annotations

from chartaudit.types import SOURCE_LABELS, Mention

_MAX_SNIPPET = 140


def snippet(note: str, mention: Mention, limit: int = _MAX_SNIPPET) -> str:
    """The sentence around a mention, on one line and at most ``limit`` characters."""
    start, end = mention.sentence_start, mention.sentence_end
    if not (0 <= start <= mention.start and mention.end <= end <= len(note)) or end <= start:
        start, end = mention.start, mention.end
    text = " ".join(note[start:end].split())
    if len(text) <= limit:
        return text
    # Keep a window centred on the mention.
    mention_text = " ".join(mention.text.split())
    position = text.lower().find(mention_text.lower())
    if position < 0:
        return text[: limit - 1] + "…"
    left = max(0, position - (limit - len(mention_text)) // 2)
    window = text[left : left + limit - 2]
    return ("…" if left else "") + window + ("…" if left + limit - 2 < len(text) else "")


def quote_mentions(note: str, mentions: list[Mention], limit: int = 2) -> str:
    """'"denies chest pain" (History of Present Illness)' for up to ``limit`` mentions."""
    quotes: list[str] = []
    seen: set[str] = set()
    for mention in sorted(mentions, key=lambda m: m.start):
        text = snippet(note, mention)
        if text in seen:
            continue
        seen.add(text)
        section = f" ({mention.section.replace('_', ' ')})" if mention.section else ""
        how = SOURCE_LABELS.get(mention.source, "")
        quotes.append(f'"{text}"{f" [{how}]" if how else ""}{section}')
    shown = "; ".join(quotes[:limit])
    if len(quotes) > limit:
        shown += f"; and {len(quotes) - limit} more"
    return shown
