"""Reading tabular call lists: CSV/TXT in any common encoding and delimiter, and XLSX.

Yields rows with the row number a spreadsheet shows and the line a text editor shows (CSV), or the
sheet row (XLSX), so every problem can be reported by position. Refuses what it cannot read
faithfully: mojibake is never produced.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from desktop.services.xlsx_guard import MAX_ROW, WorkbookRefused, open_workbook

# The first bytes read to choose encoding and delimiter.
_SNIFF_BYTES = 256 * 1024
_DELIMITERS = (",", ";", "\t", "|")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# The letters of Russian, Ukrainian and Belarusian text; rarer Cyrillic letters that cp1251 also
# encodes (Ѓ, Ќ, Џ, ђ …) are, in practice, the sign of bytes that are not cp1251 at all.
_COMMON_CYRILLIC = re.compile(
    r"[\u0410-\u044f\u0401\u0451\u0406\u0456\u0407\u0457\u0404\u0454\u0490\u0491\u040e\u045e]"
)
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"\w+", re.UNICODE)
# Largest cell accepted; bigger ones are almost certainly a broken file (a quote never closed).
MAX_FIELD_CHARS = 100_000
# Longest physical line read: the csv module would otherwise read a file with no line break whole.
MAX_LINE_CHARS = 1_000_000


class Place(NamedTuple):
    """Where a row is: its row number as a spreadsheet shows it (the header is row 1 when it opens
    the file; a record with line breaks in a quoted cell is one row; in XLSX, Excel's own number),
    and for a CSV/TXT file the line of the file it starts on (None in a workbook)."""

    row: int
    line: int | None = None

    def __str__(self) -> str:
        return f"row {self.row}" if self.line is None else f"row {self.row} (line {self.line})"


class TableError(Exception):
    """The file cannot be read as a table; the message is one line for the user."""


@dataclass
class TableSource:
    """An opened call-list file: its headers and a way to iterate its data rows."""

    path: Path
    format: str
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)
    size_bytes: int = 0

    def rows(self) -> Iterator[tuple[Place, list[str], int]]:
        """(where it is, cells, bytes read so far) for each data row after the header."""
        rows = self._all_rows()
        next(rows, None)
        yield from rows

    def _all_rows(self) -> Iterator[tuple[Place, list[str], int]]:
        if self.format == "xlsx":
            return _xlsx_rows(self.path)
        return _csv_rows(self.path, self.encoding, self.delimiter)


def open_table(path: Path) -> TableSource:
    """Open a call list, detecting its format, encoding and delimiter; raises TableError."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except FileNotFoundError:
        raise TableError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TableError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise TableError(f"{path}: cannot read the file ({error.strerror})") from None
    if not head.strip():
        raise TableError(f"{path}: the file is empty")
    if head.startswith(b"PK\x03\x04"):
        source = TableSource(path=path, format="xlsx", size_bytes=size)
        source.headers = _first_row(source)
        return source
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(f"{path}: old Excel .xls files are not supported; save it as .xlsx or CSV (UTF-8)")
    encoding = detect_encoding(head, path)
    text_head = head.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(text_head)
    source = TableSource(path=path, format="csv", encoding=encoding, delimiter=delimiter, size_bytes=size)
    for _line, cells, _pos in source._all_rows():
        source.headers = [cell.strip() for cell in cells]
        break
    if not any(source.headers):
        raise TableError(f"{path}: no header row found")
    return source


def detect_encoding(head: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or a legacy code page that can be told apart."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:4096]:
        raise TableError(f"{path}: looks like a binary file, not a text call list")
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # The sniff window may cut a multi-byte character at its end; that is not an error.
        if error.start >= len(head) - 3 and len(head) >= _SNIFF_BYTES:
            return "utf-8"
    for legacy, script in (("cp1251", _CYRILLIC), ("cp1252", _LATIN)):
        if _looks_like(head, legacy, script):
            for number, line in enumerate(head.split(b"\n"), start=1):
                if _utf8_inside(line):
                    raise TableError(_mixed_encodings(path, number, legacy))
            return legacy
    raise TableError(
        f"{path}: the text is not UTF-8 and its encoding cannot be told safely; "
        "save the file as 'CSV UTF-8' and import it again"
    )


def _utf8_inside(raw: bytes) -> bool:
    """True when `raw` (a line of a legacy-encoded file) is UTF-8 text with non-ASCII letters in it:
    a file that mixes encodings, which would otherwise be stored as mojibake ("РњР°СЂРёСЏ")."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not text.isascii()


def _mixed_encodings(path: Path, line: int, encoding: str) -> str:
    return (
        f"{path}: line {line} is UTF-8 text but the file is {encoding}: it mixes encodings; "
        "save the file as 'CSV UTF-8' and import it again"
    )


def _looks_like(head: bytes, encoding: str, script: re.Pattern[str]) -> bool:
    """True when decoding with `encoding` gives words of one script, not letter soup.

    Cyrillic text in cp1251 gives words made wholly of Cyrillic letters; German text read as
    cp1251 gives Latin words with single Cyrillic letters inside ("Mьller"). The reverse holds for
    cp1252. Requiring words not to mix scripts tells the two apart.
    """
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError:
        return False
    if any(0x80 <= ord(ch) <= 0x9F or (ord(ch) < 0x20 and ch not in "\r\n\t") for ch in text):
        return False
    non_ascii_words = [word for word in _WORD.findall(text) if any(ord(ch) > 127 for ch in word)]
    if not non_ascii_words:
        return False
    clean = 0
    for word in non_ascii_words:
        high = [ch for ch in word if ord(ch) > 127]
        if script is _CYRILLIC:
            ok = all(_COMMON_CYRILLIC.match(ch) for ch in high) and not _LATIN.search(word)
        else:
            ok = all(ch.isalpha() and not _CYRILLIC.match(ch) for ch in high)
        clean += ok
    return clean / len(non_ascii_words) >= 0.95


def detect_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate that splits it most, comma on a tie."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[Place, list[str], int]]:
    csv.field_size_limit(MAX_FIELD_CHARS)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
        reader = csv.reader(_bounded_lines(text, path), delimiter=delimiter)
        legacy = encoding in ("cp1251", "cp1252")
        first = True
        line = 1
        try:
            # A spreadsheet shows one row per record: a quoted note over several lines is one row,
            # a blank line an empty row. Rows are counted so; `line` is where the record starts.
            for row, cells in enumerate(reader, start=1):
                start = line
                line = reader.line_num + 1
                if first:
                    if not any(cell.strip() for cell in cells):
                        continue
                    first = False
                    yield Place(row, start), cells, 0
                    continue
                joined = "".join(cells)  # one string to test the whole row at C speed
                if not joined.strip():
                    continue
                if legacy and not joined.isascii():
                    if _utf8_inside(joined.encode(encoding)):
                        raise TableError(_mixed_encodings(path, start, encoding))
                if "\x00" in joined:
                    cells = [cell.replace("\x00", "") for cell in cells]
                yield Place(row, start), cells, raw.tell()
        except UnicodeDecodeError:
            raise TableError(
                f"{path}: line {line}: the text is not valid {encoding}; save the file as 'CSV UTF-8'"
            ) from None
        except csv.Error as error:
            raise TableError(f"{path}: line {line}: {error}") from None


def _bounded_lines(text: io.TextIOWrapper, path: Path) -> Iterator[str]:
    """The lines of `text`, each read with a size limit (TableError for a longer one)."""
    number = 0
    while line := text.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise TableError(f"{path}: line {number} is longer than {MAX_LINE_CHARS} characters; not a table")
        yield line


def _xlsx_open(path: Path):  # type: ignore[no-untyped-def]
    try:
        return open_workbook(path)
    except Exception as error:  # noqa: BLE001 - a damaged workbook fails anywhere inside openpyxl
        if (refusal := _refusal_in(error)) is not None:
            raise TableError(f"{path}: refused: {refusal}") from None
        raise TableError(f"{path}: not a readable .xlsx workbook ({_first_line(error)})") from None


def _refusal_in(error: BaseException) -> WorkbookRefused | None:
    """The WorkbookRefused behind `error` (openpyxl wraps what its reads raise in its own errors)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, WorkbookRefused):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _first_line(error: BaseException) -> str:
    """An exception's message on one line (openpyxl's run over several)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Phone numbers typed into Excel become floats: 2125550134.0 must read back as digits.
        return str(int(value))
    return str(value)


def _first_row(source: TableSource) -> list[str]:
    for _line, cells, _pos in source._all_rows():
        return [cell.strip() for cell in cells]
    raise TableError(f"{source.path}: the first sheet is empty")


def _xlsx_rows(path: Path) -> Iterator[tuple[Place, list[str], int]]:
    workbook = _xlsx_open(path)
    number = 0
    try:
        sheet = workbook.worksheets[0]
        size = path.stat().st_size
        total_rows = min(sheet.max_row or 1, MAX_ROW)
        # Rows are then padded to their own last cell only, not to a size the file merely declares.
        sheet.reset_dimensions()
        seen_header = False
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            if not seen_header:
                if not any(cell.strip() for cell in cells):
                    continue
                seen_header = True
                yield Place(number), cells, 0
                continue
            if not any(cell.strip() for cell in cells):
                continue
            yield Place(number), cells, int(size * min(number / total_rows, 1.0))
    except Exception as error:  # noqa: BLE001 - a damaged sheet (bad XML, no sheet) fails while read
        if (refusal := _refusal_in(error)) is not None:
            raise TableError(f"{path}: refused: {refusal}") from None
        raise TableError(
            f"{path}: row {number + 1}: the workbook cannot be read ({_first_line(error)})"
        ) from None
    finally:
        workbook.close()
