"""Opening an untrusted .xlsx with bounded memory and time: limits checked before and while it is read.

openpyxl's read-only mode streams a sheet's rows, but it keeps every shared string in memory and
builds each cell's text whole, and a zip member compresses about 1000:1: a 1 MB workbook can unpack
to gigabytes. So, before openpyxl reads anything:

* the sizes the zip directory declares are checked (zipfile never hands out more than the declared
  size: a member that lies about it ends in a CRC error, not in more data);

and while it reads, every XML member is parsed a second time from the same bytes, by an expat
parser that refuses a DOCTYPE (no entities), counts the text of each cell and shared string against
Excel's own limit (32,767 characters), and checks that row and column numbers stay inside the
sheet size a call list can have. A breach raises WorkbookRefused with a sentence for the user.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO, Any, Literal
from xml.parsers import expat

MAX_SHEET_BYTES = 1 << 30  # a worksheet, streamed row by row
MAX_PART_BYTES = 64 << 20  # every other part (shared strings, styles, workbook) is read whole
MAX_TOTAL_BYTES = 2 << 30
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_TEXT_CHARS = 1_000_000  # the text of one element in any other part
MAX_ROW = 1_048_576  # Excel's last row
MAX_COLUMN = 256  # column IV: far beyond any call list, and it keeps the padding of each row small
_CELL_ELEMENTS = frozenset({"c", "si", "row"})
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})$")


class WorkbookRefused(ValueError):
    """The workbook passes one of the limits above; the message says which, for the user."""


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class _XmlWatch:
    """An expat parser fed the bytes openpyxl reads, checking sizes as they go by."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        self.parser.CharacterDataHandler = self._text
        self.parser.StartDoctypeDeclHandler = self._doctype
        # In sheets and shared strings, text is counted from one cell (or row, or shared string) to the
        # next, whatever elements lie between: a cell's rich-text runs add up to the cell. Legitimate
        # files have no text between cells, so this only ever over-counts. Elsewhere, per element.
        self.cell_parts = name.startswith("xl/worksheets/") or name.endswith("sharedStrings.xml")
        self.limit = MAX_CELL_CHARS if self.cell_parts else MAX_TEXT_CHARS
        self.chars = 0

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError:
            # Not well-formed: openpyxl's own parser says so on the same bytes, in its own words.
            self.parser = None  # type: ignore[assignment]

    def _refuse(self, what: str) -> None:
        raise WorkbookRefused(f"{self.name} {what}")

    def _doctype(self, *_args: Any) -> None:
        self._refuse("declares a DOCTYPE, which no workbook part has")

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if not self.cell_parts or local in _CELL_ELEMENTS:
            self.chars = 0
        if local == "c":
            ref = attributes.get("r")
            if ref is not None:
                match = _CELL_REF.match(ref)
                if match is None or int(match[2]) > MAX_ROW:
                    self._refuse(f"has a cell at {ref[:20]!r}, outside the sheet")
                elif _column_number(match[1]) > MAX_COLUMN:
                    self._refuse(f"has a cell at {ref}; Dialdesk reads the first {MAX_COLUMN} columns only")
        elif local == "row":
            number = attributes.get("r")
            if number is not None and (not number.isdigit() or not 0 < int(number) <= MAX_ROW):
                self._refuse(f"has a row numbered {number[:20]!r}; a sheet has rows 1 to {MAX_ROW}")

    def _text(self, text: str) -> None:
        self.chars += len(text)
        if self.chars > self.limit:
            if self.cell_parts:
                self._refuse(f"has a cell longer than {MAX_CELL_CHARS} characters (Excel's limit)")
            self._refuse(f"has a text longer than {MAX_TEXT_CHARS} characters")


class _WatchedStream:
    """A zip member's stream whose bytes also go through an _XmlWatch."""

    def __init__(self, stream: IO[bytes], watch: _XmlWatch) -> None:
        self._stream = stream
        self._watch = watch

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if self._watch.parser is not None:
            self._watch.feed(data, final=not data)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __enter__(self) -> _WatchedStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stream.close()


class GuardedZipFile(zipfile.ZipFile):
    """The workbook's zip archive: sizes checked on opening, XML members watched while read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        total = 0
        for info in self.infolist():
            limit = MAX_SHEET_BYTES if info.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
            if info.file_size > limit:
                self.close()
                raise WorkbookRefused(
                    f"its part {info.filename} unpacks to {info.file_size:,} bytes (at most {limit:,} read)"
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            self.close()
            raise WorkbookRefused(f"it unpacks to {total:,} bytes (at most {MAX_TOTAL_BYTES:,} read)")

    def open(self, name: Any, mode: Literal["r", "w"] = "r", pwd: bytes | None = None, **kwargs: Any) -> Any:
        stream = super().open(name, mode, pwd, **kwargs)
        filename = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
        if mode == "r" and filename.endswith((".xml", ".rels")):
            return _WatchedStream(stream, _XmlWatch(filename))
        return stream


def open_workbook(path: Path) -> Any:
    """openpyxl's read-only, values-only workbook of `path`, reading through a GuardedZipFile."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(path, read_only=True, data_only=True)
    reader.archive.close()
    reader.archive = GuardedZipFile(path)
    reader.read()
    return reader.wb
