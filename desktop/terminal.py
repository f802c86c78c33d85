"""Text about to reach a terminal: control, escape and bidi characters made visible, never obeyed.

A name, a note or a file name can hold ESC sequences (that recolour, retitle or rewrite the
terminal), carriage returns (that overwrite what was printed) or bidi overrides (that reorder what
is shown). Everything Dialdesk prints that may quote user data goes through `shown_text` (one line)
or `shown_table_text` (a table on standard output), which write such characters as `\\x1b`,
`\\u202e` … instead.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

# What a terminal would act on instead of showing: C0/C1 controls (escape sequences start with ESC
# or CSI), line and paragraph separators, and the invisible format characters that reorder or hide
# text (bidi embeddings, overrides and isolates, zero-width characters, the BOM, Unicode tags).
_UNSHOWABLE_CORE = (
    "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e"
    "\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb\\U000e0000-\\U000e007f"
)
_UNSHOWABLE_LINE = re.compile(f"[\\t\\n\\r{_UNSHOWABLE_CORE}]")
# In a table printed as text, tabs and line ends are its structure; a lone CR would overwrite a line.
_UNSHOWABLE = re.compile(f"[{_UNSHOWABLE_CORE}]|\\r(?!\\n)")


def _escaped(match: re.Match[str]) -> str:
    # \\uXXXX (a surrogate pair past U+FFFF): readable, and a valid escape inside JSON strings too,
    # so JSON printed through this stays the same JSON.
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def shown_text(text: str) -> str:
    """`text` safe to print on one terminal line: controls, line breaks, bidi marks escaped (\\u0007)."""
    return _UNSHOWABLE_LINE.sub(_escaped, text)


def shown_table_text(text: str) -> str:
    """Like shown_text, but tabs and line breaks (a table's own structure) are kept."""
    return _UNSHOWABLE.sub(_escaped, text)


class _SafeStream:
    """A text stream that writes through `shown_table_text`; everything else goes to the stream."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(shown_table_text(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def safe_terminal_output() -> Iterator[None]:
    """Within it, whatever is printed to standard output or error has its control, escape and bidi
    characters escaped: one place for every command, every message and every exported table."""
    saved = sys.stdout, sys.stderr
    sys.stdout = _SafeStream(saved[0])  # type: ignore[assignment]
    sys.stderr = _SafeStream(saved[1])  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def raw_stderr() -> TextIO:
    """Standard error itself, for Dialdesk's own progress line (its carriage returns are wanted)."""
    stream = sys.stderr
    return stream._stream if isinstance(stream, _SafeStream) else stream  # noqa: SLF001
