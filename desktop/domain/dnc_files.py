"""Reading do-not-call registry files: full lists and change lists, line by line, with every problem named.

Pure parsing over bytes (no files, no database): the registry service opens the file or the zip
archive, cuts it into blocks of whole lines (`line_blocks`) and feeds them to a parser.

Layouts accepted (the registries publish plain ASCII, one record per line):

* **Full list** (National DNC Registry, state lists, Canada's National DNCL): one number per line,
  either `AREACODE,NUMBER` (3 + 7 digits, e.g. `212,5550199`) or a bare 10-digit number
  (`2125550199`); a leading `1` or `+1` is accepted on a bare number, and spaces, dashes, dots and
  parentheses inside a bare number are ignored.
* **Change list** (additions and deletions since the last download): comma-separated records.
  The exact FTC layout is not public here, so any record is accepted that holds, in any order:
  the number (a 10-digit field, or a 3-digit field directly followed by a 7-digit field), one
  action field (`A`/`ADD`/`ADDED`/`ADDITION` or `D`/`DEL`/`DELETE`/`DELETED`/`DELETION`, any case)
  and optionally one date field (`YYYY-MM-DD` or `MM/DD/YYYY`). Other fields are ignored.

In both layouts blank lines are skipped, and so is a header: the first non-blank line when it
holds no digit and a header word (phone, number, area, action, date…). Only North American (NANP)
numbers can be on these registries, so the area code must start with 2-9. The exchange is not
checked: Canada's DNCL documents its layout with `416,1234567`, and a number that cannot exist is
harmless on a do-not-call list. Every other line is rejected with its line number and the reason.

Numbers are handed out as `int` national numbers (`2125550199`): compact, and what storage keys on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

FULL = "full"
CHANGES = "changes"
ADD = "add"
DELETE = "delete"

# National numbers are below this: 10 digits.
NATIONAL_SPAN = 10_000_000_000

ADD_WORDS = frozenset({"A", "ADD", "ADDED", "ADDITION"})
DELETE_WORDS = frozenset({"D", "DEL", "DELETE", "DELETED", "DELETION"})

# Lines shown in a rejection are cut here: a report is for reading, not a copy of the file.
_VALUE_LIMIT = 80
_DIGITS = b"0123456789"
_NANP_LEAD = b"23456789"
_SEPARATORS = str.maketrans("", "", " -.()\t")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_WORD = re.compile(r"[a-z]+")
_HEADER_WORDS = frozenset(
    {"phone", "number", "numbers", "area", "areacode", "code", "npa", "nxx", "telephone", "tel", "action"}
    | {"date", "change", "changes", "type", "status", "operation", "effective", "record", "dnc", "registry"}
)
# Problems a parser keeps for its report (all are counted).
KEEP_PROBLEMS = 1000
# Below this many lines a block with a bad line is read line by line instead of halved again.
_SMALL_BLOCK = 64


@dataclass(frozen=True, slots=True)
class LineProblem:
    """One rejected line: the file (the member name inside a zip), its line number, what it held, why."""

    file: str
    line: int
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One line of a change list: add or delete `number` (national, 10 digits), maybe dated."""

    number: int
    action: str
    on: date | None
    line: int


# No registry line comes near this; a longer one means the file is not a list (or is hostile).
MAX_LINE_BYTES = 64 * 1024


class LineTooLong(ValueError):
    """A line passes MAX_LINE_BYTES: the file is refused rather than buffered without end."""


def line_blocks(read: Callable[[int], bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """Blocks of whole lines from a binary `read(n)`: each ends with `\\n` and has no `\\r\\n`.

    Large blocks keep the per-line work in C (see `FullListParser.feed`); a last line without an
    end of line gets one. A line longer than MAX_LINE_BYTES raises LineTooLong, so memory stays
    bounded (and no partial line is copied again and again) whatever the file holds.
    """
    rest = b""
    lines_done = 0
    while True:
        data = read(size)
        if not data:
            break
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            # Only `rest` (at most MAX_LINE_BYTES) is ever copied again: no quadratic growth.
            rest += data
            if len(rest) > MAX_LINE_BYTES:
                raise LineTooLong(f"line {lines_done + 1} is longer than {MAX_LINE_BYTES} bytes")
            continue
        block = rest + data[:cut]
        rest = data[cut:]
        lines_done += block.count(b"\n")
        if len(rest) > MAX_LINE_BYTES:
            raise LineTooLong(f"line {lines_done + 1} is longer than {MAX_LINE_BYTES} bytes")
        yield block.replace(b"\r\n", b"\n") if b"\r" in block else block
    if rest:
        rest += b"\n"
        yield rest.replace(b"\r\n", b"\n") if b"\r" in rest else rest


def shown(raw: bytes | str) -> str:
    """A line as a report shows it: decoded whatever the bytes, stripped, and cut to a readable length."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.strip()
    return text if len(text) <= _VALUE_LIMIT else text[: _VALUE_LIMIT - 1] + "…"


def nanp_problem(digits: str) -> str | None:
    """Why a 10-digit string is not a North American number, or None when it is one."""
    if digits[0] in "01":
        return f"area code {digits[:3]} is not a North American area code (it cannot start with 0 or 1)"
    return None


def parse_number_text(text: str) -> int | str:
    """A full-list line (already stripped, not blank) as a national number, or the reason it is not one."""
    cleaned = text.strip().strip('"').strip()
    fields = [field.strip().strip('"').strip() for field in cleaned.split(",")]
    if len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit():
        area, local = fields
        if len(area) != 3 or len(local) != 7:
            return f"AREACODE,NUMBER needs 3 + 7 digits, found {len(area)} + {len(local)}"
        digits = area + local
    elif len(fields) == 1:
        bare = fields[0].translate(_SEPARATORS)
        if bare.startswith("+"):
            if not bare.startswith("+1"):
                return "not a North American number (only +1 numbers can be on these registries)"
            bare = bare[2:]
        if not bare.isdigit() or not bare.isascii():
            if not any(ch.isdigit() for ch in bare):
                return "not a phone number (no digits)"
            return "not a phone number (unexpected characters)"
        if len(bare) == 11 and bare[0] == "1":
            bare = bare[1:]
        if len(bare) != 10:
            return f"a number needs 10 digits (3-digit area code + 7 digits), found {len(bare)}"
        digits = bare
    else:
        return f"{len(fields)} fields: a full list holds one number per line (AREACODE,NUMBER or 10 digits)"
    problem = nanp_problem(digits)
    return problem if problem is not None else int(digits)


def _looks_like_header(text: str) -> bool:
    """A column header: no digits, and a word a header uses (so a first line of junk is still reported)."""
    if any(ch.isdigit() for ch in text):
        return False
    return bool(set(_WORD.findall(text.lower())) & _HEADER_WORDS)


def _to_ints(digits: bytes, prefix: bytes) -> list[int]:
    """The lines of `digits` (10 digits and `\n` each) as integers, each read with `prefix` before it."""
    if prefix:
        # Reading "3" + "2125550199" gives 3 * 10**10 + 2125550199 with no per-number Python step.
        return list(map(int, (prefix + digits.replace(b"\n", b"\n" + prefix)).split()[:-1]))
    return list(map(int, digits.split()))


def _fast_full_block(block: bytes, prefix: bytes = b"") -> list[int] | None:
    """All the numbers of a clean block, or None when any line needs a closer look.

    The registries' files are uniform (`AAA,NNNNNNN` or `NNNNNNNNNN`, one per line), so a block is
    checked whole with slicing and `translate`, which run in C: about 20x faster than line by line.
    """
    count = block.count(b"\n")
    if count == 0:
        return None
    if len(block) == 12 * count:  # AAA,NNNNNNN\n
        if (
            block[3::12] != b"," * count
            or block[11::12] != b"\n" * count
            or block.count(b",") != count
            or block.translate(None, _DIGITS + b",\n")
            or block[0::12].translate(None, _NANP_LEAD)
        ):
            return None
        return _to_ints(block.translate(None, b","), prefix)
    if len(block) == 11 * count:  # NNNNNNNNNN\n
        if (
            block[10::11] != b"\n" * count
            or block.translate(None, _DIGITS + b"\n")
            or block[0::11].translate(None, _NANP_LEAD)
        ):
            return None
        return _to_ints(block, prefix)
    return None


class _LineReader:
    """What both parsers share: the file name, the line count and the problems found so far.

    Only the first `keep` problems are kept (a wrong file can have millions of bad lines);
    `rejected` always counts them all.
    """

    def __init__(self, file: str, keep: int) -> None:
        self.file = file
        self.lines = 0
        self.rejected = 0
        self.problems: list[LineProblem] = []
        self._keep = keep
        self._seen_content = False

    def _reject(self, raw: bytes, reason: str) -> None:
        self.rejected += 1
        if len(self.problems) < self._keep:
            self.problems.append(LineProblem(self.file, self.lines, shown(raw), reason))


class FullListParser(_LineReader):
    """Reads one full-list file block by block; numbers out, problems kept in `problems`.

    `offset`, a multiple of 10**10, is added to every number handed out: storage keys numbers as
    slot * 10**10 + number, and adding it while parsing spares a pass over millions of integers.
    """

    def __init__(self, file: str, offset: int = 0, keep: int = KEEP_PROBLEMS) -> None:
        if offset < 0 or offset % NATIONAL_SPAN:
            raise ValueError("the offset must be a non-negative multiple of 10**10")
        super().__init__(file, keep)
        self.offset = offset
        self._prefix = str(offset // NATIONAL_SPAN).encode() if offset else b""
        self.numbers = 0

    def feed(self, block: bytes) -> list[int]:
        """The numbers of a block of whole lines (as `line_blocks` makes them)."""
        numbers: list[int] = []
        if not self._seen_content:
            # The first non-blank line may be a header: read up to it line by line.
            position = 0
            while position < len(block) and not self._seen_content:
                end = block.index(b"\n", position) + 1
                numbers.extend(self._line_by_line(block[position:end]))
                position = end
            block = block[position:]
        if block:
            self._feed_clean(block, numbers)
        self.numbers += len(numbers)
        return numbers

    def _feed_clean(self, block: bytes, numbers: list[int]) -> None:
        fast = _fast_full_block(block, self._prefix)
        if fast is not None:
            self.lines += len(fast)
            numbers.extend(fast)
            return
        if block.count(b"\n") <= _SMALL_BLOCK:
            numbers.extend(self._line_by_line(block))
            return
        # Halve around the bad lines so the clean rest of the block still takes the fast path.
        middle = block.index(b"\n", len(block) // 2) + 1
        self._feed_clean(block[:middle], numbers)
        if middle < len(block):
            self._feed_clean(block[middle:], numbers)

    def _line_by_line(self, block: bytes) -> list[int]:
        numbers: list[int] = []
        for raw in block.split(b"\n")[:-1]:
            self.lines += 1
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            first = not self._seen_content
            self._seen_content = True
            if first and _looks_like_header(text):
                continue
            result = parse_number_text(text)
            if isinstance(result, int):
                numbers.append(self.offset + result)
                continue
            if _has_action(text):
                result = "a change record (with an add/delete action) in a full list"
            self._reject(raw, result)
        return numbers


def _has_action(text: str) -> bool:
    return any(_action(field) is not None for field in text.split(","))


def _action(field: str) -> str | None:
    word = field.strip().strip('"').strip().upper()
    if word in ADD_WORDS:
        return ADD
    if word in DELETE_WORDS:
        return DELETE
    return None


def parse_date(text: str) -> date | None | str:
    """`YYYY-MM-DD` or `MM/DD/YYYY` as a date; None when `text` is no date; a reason when it is a bad one."""
    iso = _ISO_DATE.match(text)
    us = _US_DATE.match(text) if iso is None else None
    if iso is None and us is None:
        return None
    try:
        if iso is not None:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        assert us is not None
        return date(int(us[3]), int(us[1]), int(us[2]))
    except ValueError:
        return f"{text} is not a real date"


def parse_change_text(text: str, line: int) -> ChangeRecord | str:
    """One change-list line (stripped, not blank) as a record, or the reason it cannot be one."""
    fields = [field.strip().strip('"').strip() for field in text.split(",")]
    actions: list[str] = []
    dates: list[date] = []
    numbers: list[str] = []
    odd_numbers: list[str] = []  # digit fields of a wrong length: the likely reason when no number is found
    problems: list[str] = []
    index = 0
    while index < len(fields):
        field = fields[index]
        action = _action(field)
        if action is not None:
            actions.append(action)
        elif field.isdigit() and field.isascii():
            following = fields[index + 1] if index + 1 < len(fields) else ""
            if len(field) == 3 and len(following) == 7 and following.isdigit():
                numbers.append(field + following)
                index += 1
            elif len(field) == 10 or (len(field) == 11 and field[0] == "1"):
                numbers.append(field[-10:])
            else:
                odd_numbers.append(field)
        else:
            parsed = parse_date(field)
            if isinstance(parsed, str):
                problems.append(parsed)
            elif parsed is not None:
                dates.append(parsed)
        index += 1
    if not numbers:
        if odd_numbers:
            longest = max(odd_numbers, key=len)
            return f"{longest}: a number needs 10 digits (or AREACODE,NUMBER), found {len(longest)}"
        return "no phone number (AREACODE,NUMBER or 10 digits) in the record"
    if len(numbers) > 1:
        return "more than one phone number in the record"
    if not actions:
        return "no action (A/ADD or D/DELETE) in the record"
    if len(set(actions)) > 1:
        return "both an addition and a deletion in one record"
    if problems:
        return problems[0]
    if len(dates) > 1:
        return "more than one date in the record"
    problem = nanp_problem(numbers[0])
    if problem is not None:
        return problem
    return ChangeRecord(int(numbers[0]), actions[0], dates[0] if dates else None, line)


class ChangeListParser(_LineReader):
    """Reads one change-list file block by block; records out, problems kept in `problems`."""

    def __init__(self, file: str, keep: int = KEEP_PROBLEMS) -> None:
        super().__init__(file, keep)
        self.records = 0

    def feed(self, block: bytes) -> list[ChangeRecord]:
        records: list[ChangeRecord] = []
        for raw in block.split(b"\n")[:-1]:
            self.lines += 1
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            first = not self._seen_content
            self._seen_content = True
            if first and _looks_like_header(text):
                continue
            result = parse_change_text(text, self.lines)
            if isinstance(result, ChangeRecord):
                records.append(result)
            else:
                self._reject(raw, result)
        self.records += len(records)
        return records


def detect_kind(head: bytes) -> str:
    """FULL or CHANGES from the first lines of a file: any action field (or header word) means changes."""
    seen = 0
    for raw in head.split(b"\n")[:200]:
        text = raw.decode("utf-8", errors="replace").strip()
        if not text:
            continue
        if seen == 0 and _looks_like_header(text):
            if set(_WORD.findall(text.lower())) & {
                "action",
                "change",
                "changes",
                "type",
                "operation",
                "status",
            }:
                return CHANGES
        if _has_action(text):
            return CHANGES
        seen += 1
    return FULL


class LatestChanges:
    """The change records of one import reduced to one action per number.

    Records are applied in file order, except that between two dated records for a number the
    later date wins: a change list sorted by number still applies its history in the right order.
    """

    def __init__(self) -> None:
        self._final: dict[int, tuple[date | None, str]] = {}

    def add(self, records: list[ChangeRecord]) -> None:
        final = self._final
        for record in records:
            previous = final.get(record.number)
            if previous is not None and previous[0] is not None and record.on is not None:
                if record.on < previous[0]:
                    continue
            final[record.number] = (record.on, record.action)

    def __len__(self) -> int:
        return len(self._final)

    def split(self) -> tuple[list[int], list[int]]:
        """(numbers to add, numbers to delete), each sorted: sorted keys insert and seek faster."""
        additions = sorted(number for number, (_on, action) in self._final.items() if action == ADD)
        deletions = sorted(number for number, (_on, action) in self._final.items() if action == DELETE)
        return additions, deletions


def source_name(text: str) -> str:
    """A registry source as stored: `national`, `canada`, `internal` or `state:XX`; ValueError otherwise."""
    value = text.strip().lower()
    if value in ("national", "canada", "internal"):
        return value
    if value.startswith("state:"):
        code = value.removeprefix("state:").strip()
        if len(code) == 2 and code.isalpha() and code.isascii():
            return "state:" + code.upper()
    raise ValueError(
        f"unknown registry source {text!r}: use national, canada, internal or state:XX (e.g. state:FL)"
    )


def national_number(e164: str) -> int | None:
    """The national number of a +1 number that could be on a US or Canadian registry, else None."""
    if len(e164) != 12 or not e164.startswith("+1"):
        return None
    digits = e164[2:]
    if not digits.isdigit() or not digits.isascii() or digits[0] in "01":
        return None
    return int(digits)
