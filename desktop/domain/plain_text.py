"""One-line texts a person types for the records (an erasure's reason, a list's name): what they may hold.

Such a text is stored, put in the history and printed again later (terminal, CSV, PDF). A control
character (a bell, ESC starting a terminal sequence, a line break), a line or paragraph separator,
or an invisible format character (a bidi override that shows the text reversed, a zero-width space)
would make it read differently from what was stored, so it is refused, not silently removed.
"""

from __future__ import annotations

import unicodedata

# Controls, format characters (bidi, zero-width, tags), line/paragraph separators, private use and
# lone surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})


def hidden_character(text: str) -> str | None:
    """The first character of `text` that is not shown as itself on one line, as `U+XXXX` (None: none)."""
    for char in text:
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None
