"""Literal strings in the PowerShell scripts teams-sip writes for admins to run.

PowerShell ends a single-quoted string at `'` and also at the typographic quotes U+2018, U+2019,
U+201A and U+201B (its tokenizer treats all four as single quotes), so a name like `O’Brien`
pasted from Word would end the literal and let the rest run as code. Each is escaped by doubling it.
"""

from __future__ import annotations

SINGLE_QUOTES = ("'", "\u2018", "\u2019", "\u201a", "\u201b")


def ps_literal(text: str) -> str:
    """`text` as a PowerShell single-quoted string literal, quotes included."""
    for quote in SINGLE_QUOTES:
        text = text.replace(quote, quote * 2)
    return f"'{text}'"
