"""Parsing a large list's phone cells in a second process while the import does everything else.

phonenumbers is about a third of a large import's time, and a desk machine has a second core. A
helper process (`python -m desktop.services.parse_ahead`) reads the same file and parses its phone
cells, sending the results back in file order. The import never waits for it: a cell the helper
has not answered yet is parsed locally and its late answer skipped. Each answer is checked against
the import's own cell, and a helper that is missing, gone or out of step is simply not used, so
the helper can make an import faster but never different.

A plain subprocess rather than multiprocessing: "spawn" re-runs the parent's main script, which
breaks any script that imports without an `if __name__ == "__main__"` guard, and "fork" is unsafe
in a process that runs Qt threads.
"""

from __future__ import annotations

import logging
import os
import pickle
import selectors
import struct
import subprocess
import sys
from collections.abc import Iterator, Sequence
from typing import IO

from desktop.domain.phones import ParsedPhone, parse_phone
from desktop.services.tables import TableError, TableSource

# Smaller files import in well under a second: starting a process would cost more than it saves.
MIN_FILE_BYTES = 2_000_000
_CHUNK_CELLS = 2000
# After finding no answer waiting, the import parses this many cells before it looks again.
_LOOK_AGAIN_AFTER = 200
# A frame: payload size, index of its first cell, number of cells; then the pickled cells.
_FRAME = struct.Struct("!III")

_ParsedTuple = tuple[str, bool, str | None, str | None, str, str | None, tuple[str, ...], str | None]
# Distinct cells remembered per import: lists repeat a switchboard number on many rows.
_CACHE_CELLS = 200_000


def phone_cells(cells: list[str], phone_columns: Sequence[int]) -> Iterator[tuple[int, str]]:
    """(column, text) of a row's non-empty phone cells, in column order: what the import parses and
    the order in which the helper answers, so both walk a row through this one function."""
    width = len(cells)
    for index in phone_columns:
        raw = cells[index].strip() if index < width else ""
        if raw:
            yield index, raw


class CachedParser:
    """parse_phone() in one region, each distinct cell parsed once (up to _CACHE_CELLS of them)."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._seen: dict[str, ParsedPhone] = {}

    def parse(self, raw: str) -> ParsedPhone:
        parsed = self._seen.get(raw)
        if parsed is None:
            parsed = parse_phone(raw, self.region)
            if len(self._seen) < _CACHE_CELLS:
                self._seen[raw] = parsed
        return parsed


def _as_tuple(parsed: ParsedPhone) -> _ParsedTuple:
    # Plain tuples pickle an order of magnitude faster than dataclass instances.
    return (
        parsed.raw,
        parsed.valid,
        parsed.e164,
        parsed.extension,
        parsed.number_type,
        parsed.region,
        parsed.time_zones,
        parsed.problem,
    )


def parse_phone_cells(source: TableSource, phone_columns: Sequence[int], region: str, out: IO[bytes]) -> None:
    """The helper's work: every non-empty phone cell of every data row, in file order, in frames.

    Each frame says which cells it answers (by their index in file order), so the reader can skip a
    frame it no longer needs without unpickling it. A frame of no cells ends the stream.
    """
    parser = CachedParser(region)
    chunk: list[_ParsedTuple] = []
    first_cell = 0

    def send() -> None:
        payload = pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL) if chunk else b""
        out.write(_FRAME.pack(len(payload), first_cell, len(chunk)))
        out.write(payload)

    for _line, cells, _position in source.rows():
        chunk.extend(_as_tuple(parser.parse(raw)) for _index, raw in phone_cells(cells, phone_columns))
        if len(chunk) >= _CHUNK_CELLS:
            send()
            first_cell += len(chunk)
            chunk = []
    if chunk:
        send()
        first_cell += len(chunk)
        chunk = []
    send()
    out.flush()


class ParseAhead:
    """The import's side of the helper: answers in file order, or None to parse the cell locally."""

    def __init__(self, source: TableSource, phone_columns: Sequence[int], region: str) -> None:
        # Unbuffered: the selector below watches the pipe itself, so no bytes may wait in a buffer.
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdout = self._process.stdout
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._stdout, selectors.EVENT_READ)
        try:
            self._process.stdin.write(pickle.dumps((source, list(phone_columns), region)))
            self._process.stdin.close()
        except OSError:
            self._process.kill()
            self._process.wait()
            raise
        self._chunk: list[_ParsedTuple] = []
        self._chunk_start = 0  # index (in file order) of the first cell of _chunk
        self._cell = 0  # index of the cell asked about next
        self._look_again_at = 0
        self.active = True
        self.answered = 0  # cells the helper answered, for tests and the log

    def parsed(self, raw: str) -> ParsedPhone | None:
        """The helper's reading of `raw`, the next phone cell in file order; None: parse it locally."""
        if not self.active:
            return None
        cell = self._cell
        self._cell += 1
        offset = cell - self._chunk_start
        while offset >= len(self._chunk):
            if cell < self._look_again_at or not self._receive(cell):
                return None
            offset = cell - self._chunk_start
        item = self._chunk[offset]
        if item[0] != raw:
            # The file is not what the helper read (changed on disk since): trust only this process.
            self._give_up("parse helper out of step with the import")
            return None
        self.answered += 1
        return ParsedPhone(*item)

    def ready(self, timeout: float) -> bool:
        """Wait until the helper has an answer waiting (tests use it to see answers taken)."""
        return self.active and bool(self._selector.select(timeout))

    def _receive(self, cell: int) -> bool:
        """Take the next frame that answers `cell` or later, if one is waiting; never blocks for long."""
        while True:
            if not self._selector.select(0):
                self._look_again_at = cell + _LOOK_AGAIN_AFTER
                return False
            header = self._read_exactly(_FRAME.size)
            if len(header) < _FRAME.size:
                self._give_up("parse helper stopped")
                return False
            size, first, count = _FRAME.unpack(header)
            if count == 0:
                self.close()  # every cell answered
                return False
            # A frame is written whole, so once its header is here the rest follows at once.
            payload = self._read_exactly(size)
            if len(payload) < size:
                self._give_up("parse helper stopped mid-answer")
                return False
            if first + count <= cell:
                continue  # cells already parsed here while the helper was starting: skip unread
            self._chunk = pickle.loads(payload)
            self._chunk_start = first
            return True

    def _read_exactly(self, size: int) -> bytes:
        """`size` bytes from the pipe, fewer only if the helper has ended."""
        parts = []
        remaining = size
        while remaining:
            part = self._stdout.read(remaining)
            if not part:
                break
            parts.append(part)
            remaining -= len(part)
        return b"".join(parts)

    def _give_up(self, why: str) -> None:
        logging.getLogger(__name__).warning("%s; parsing locally", why)
        self.close()

    def close(self) -> None:
        """Stop the helper (finished, cancelled or failed); safe to call more than once."""
        if not self.active:
            return
        self.active = False
        self._chunk = []
        self._selector.close()
        logging.getLogger(__name__).debug("parse helper answered %d of %d cells", self.answered, self._cell)
        if self._process.poll() is None:
            self._process.kill()
        self._stdout.close()
        self._process.wait(timeout=10)


def start_parse_ahead(source: TableSource, phone_columns: Sequence[int], region: str) -> ParseAhead | None:
    """A helper for a file big enough to gain from one, or None (then the import parses as it reads)."""
    if not phone_columns or source.size_bytes < MIN_FILE_BYTES or (os.cpu_count() or 1) < 2:
        return None
    if getattr(sys, "frozen", False):
        return None  # a bundled app has no interpreter to start the helper with
    if os.name != "posix":
        return None  # polling the helper's pipe needs POSIX select(); Windows selects only sockets
    try:
        return ParseAhead(source, phone_columns, region)
    except OSError as error:  # no processes left, or a sandbox that forbids them
        logging.getLogger(__name__).warning("parse helper not started (%s); parsing locally", error)
        return None


def _main() -> int:
    source, phone_columns, region = pickle.load(sys.stdin.buffer)
    try:
        parse_phone_cells(source, phone_columns, region, sys.stdout.buffer)
    except (TableError, BrokenPipeError):
        return 1  # the import reads the same file and reports the problem itself; or it stopped listening
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
