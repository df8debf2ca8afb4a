"""Showing a province's raw values in messages so that what they contain can be seen.

A zero-width space, a right-to-left override or a no-break space inside a region name
makes "unknown region 'VN-HN'" unreadable: the clerk sees a correct code. Messages
therefore write every invisible or look-alike character as an escape (`\\u200b`). The
stored raw value stays exactly as sent; only the message text shows escapes.

validation.sql has the same rule as the SQL macro `shown`; a unit test keeps the two
in agreement.
"""

from __future__ import annotations

import unicodedata

# control, format, private-use and surrogate characters, and every separator but the
# plain space
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Zs"})


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def shown(text: str) -> str:
    """`text` with each invisible character written as a \\uXXXX escape."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        _escaped(ch) if ch != " " and unicodedata.category(ch) in _INVISIBLE_CATEGORIES else ch
        for ch in text
    )
