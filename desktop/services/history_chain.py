"""Verifying the tamper-evident history: `audit verify`, the check at start, anchors.

A full verification walks every chain in seq order through `ChainChecker` (plain sqlite3 rows,
no ORM: a million events in a few seconds) and then checks that each chain still reaches the
point last verified (`event_checkpoints`): a deleted tail is named too. The check at start (and
after a restore or merge) is incremental: per chain, it confirms the checkpoint event is still
there with the same hash and walks only the events after it. A passing check moves the
checkpoints forward. An anchor is a chain head written down elsewhere (`audit anchor`); a chain
that no longer passes through it was rewritten.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from desktop.domain.event_chain import GENESIS, ChainChecker, ChainProblem, event_hash, event_time
from desktop.services.clock import Clock
from desktop.services.history_carried import unproven_merged_note
from desktop.services.history_ledgers import lists_problem
from desktop.services.history_parallel import RecordsCheck, calls_problem, database_file
from desktop.services.history_records import scripts_problem
from desktop.services.history_seal import coverage_note, seal_problem
from desktop.storage.chain_connection import ChainConnection, chain_connection
from desktop.storage.events import chain_id_of
from desktop.storage.guard_reference import GUARDS, expected_guards
from desktop.storage.schema_check import normal_sql
from desktop.storage.uow import UnitOfWorkFactory

# Chain positions and hashes only: no payload (names, numbers) goes to the log.
log = logging.getLogger(__name__)

# Joins a chain id and a tag in the label of a fork kept by a merge (desktop/services/merge_history.py).
FORK = "~"
_ROWS = "SELECT id, seq, kind, occurred_at, actor, payload, prev_hash, hash FROM events WHERE chain = ?"
_BATCH = 20_000


@dataclass(frozen=True)
class Verification:
    """What a verification found: the events it checked, the head, the first problem (None: intact)."""

    events: int
    head_seq: int
    head_hash: str
    problem: str | None
    chains: int = 1
    # Each chain's last event checked (seq, hash): where the checkpoints move to when intact.
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    unchecked: str = ""  # what this verification could not check, said with its result

    @property
    def intact(self) -> bool:
        return self.problem is None

    def text(self) -> str:
        if self.problem is None:
            unchecked = f" ({self.unchecked})" if self.unchecked else ""
            return f"intact: {self.events:,} events, head {self.head_hash}{unchecked}"
        return f"broken: {self.problem}"


@dataclass(frozen=True)
class Anchor:
    """A chain head for a day: what `audit anchor` prints, to be written down."""

    day: date
    chain: str
    seq: int
    hash: str

    def text(self) -> str:
        return f"{self.day.isoformat()} chain {self.chain} seq {self.seq} hash {self.hash}"


def hashed_chain(label: str) -> str:
    """The chain id a stored chain label's events were hashed with (a fork label `X~tag` is X's)."""
    return label.split(FORK, 1)[0]


def _fork_start(connection: ChainConnection, label: str) -> tuple[int, str] | str:
    """Where a fork label joins its parent chain: (seq before its first event, that event's hash).

    A problem text when the parent has no such event (the fork was planted or its parent cut).
    """
    first = connection.execute("SELECT min(seq) FROM events WHERE chain = ?", (label,)).fetchone()[0]
    before = int(first) - 1
    if before == 0:
        return 0, GENESIS
    parent = label
    while FORK in parent:
        parent = parent.rsplit(FORK, 1)[0]
        row = connection.execute(
            "SELECT hash FROM events WHERE chain = ? AND seq = ?", (parent, before)
        ).fetchone()
        if row is not None:
            return before, str(row[0])
    return f"event seq {first} (chain {label}): the chain it continues has no event {before} (missing)"


def _walk(connection: ChainConnection, checker: ChainChecker, chain: str, after: int = 0) -> bool:
    """Feed `chain`'s events after seq `after` to the checker, as bytes (no decoding)."""
    connection.text_factory = bytes
    try:
        cursor = connection.execute(_ROWS + " AND seq > ? ORDER BY seq", (chain, after))
        hashed_as = hashed_chain(chain)
        while rows := cursor.fetchmany(_BATCH):
            if not checker.feed(chain, rows, hashed_as):
                return False
        return True
    finally:
        connection.text_factory = str


def _chains(connection: ChainConnection) -> list[str]:
    """Every chain in the table, by the unique index (chain, seq): one step per chain, not per event."""
    chains: list[str] = []
    row = connection.execute("SELECT min(chain) FROM events").fetchone()
    while row is not None and row[0] is not None:
        value = row[0]
        if not isinstance(value, str):
            # A blob or a number where Dialdesk writes text: no chain of Dialdesk's (SQLite sorts them
            # apart from text, so stepping by its text form would never move on).
            raise UnreadableChain(value)
        chains.append(value)
        row = connection.execute("SELECT min(chain) FROM events WHERE chain > ?", (value,)).fetchone()
    return chains


class UnreadableChain(Exception):
    """An event's chain is not text: written outside Dialdesk."""


def own_chain(connection: ChainConnection) -> str:
    return chain_id_of(connection)


def _checkpoints(connection: ChainConnection) -> dict[str, tuple[int, str]]:
    rows = connection.execute("SELECT chain, seq, hash FROM event_checkpoints").fetchall()
    return {str(chain): (int(seq), str(hash_)) for chain, seq, hash_ in rows}


def _checkpoint_problem(connection: ChainConnection, chain: str, seq: int, hash_: str) -> str | None:
    """Whether the event last verified in `chain` is still there, its content still hashing the same."""
    row = connection.execute(
        "SELECT kind, occurred_at, actor, payload, prev_hash, hash FROM events WHERE chain = ? AND seq = ?",
        (chain, seq),
    ).fetchone()
    if row is None:
        return f"event seq {seq} (chain {chain}), verified before, is missing (deleted)"
    kind, occurred_at, actor, payload, prev_hash, stored = row
    content = event_hash(prev_hash, hashed_chain(chain), seq, kind, occurred_at, actor, payload)
    if stored != hash_ or content != hash_:
        return f"event seq {seq} (chain {chain}) differs from when it was verified (altered)"
    return None


def _anchor_problem(connection: ChainConnection, anchor: str) -> str | None:
    row = connection.execute("SELECT seq FROM events WHERE hash = ?", (anchor.strip().lower(),)).fetchone()
    return None if row is not None else f"the chain no longer passes through the anchor {anchor} (rewritten)"


def _result(connection: ChainConnection, checker: ChainChecker, problem: str | None) -> Verification:
    own = own_chain(connection)
    head = checker.heads.get(own)
    if head is None:
        row = connection.execute(
            "SELECT seq, hash FROM events WHERE chain = ? ORDER BY seq DESC LIMIT 1", (own,)
        ).fetchone()
        seq, hash_ = (int(row[0]), str(row[1])) if row is not None else (0, "none")
    else:
        seq, hash_ = head.seq, head.hash
    heads = {chain: (head.seq, head.hash) for chain, head in checker.heads.items()}
    return Verification(checker.checked, seq, hash_, problem, max(1, len(heads)), heads)


def verify_full(
    connection: ChainConnection,
    anchor: str | None = None,
    only: list[str] | None = None,
    records: bool = True,
    records_check: RecordsCheck | None = None,
) -> Verification:
    """Every event of every chain (or of the chains `only`), then the checkpoints and the anchor.

    `records`: also check this database's calls, do-not-call entries and consents against their events
    (history_parallel.calls_problem, history_ledgers.lists_problem; not for a colleague's file at merge:
    the merge's own rules keep their differing calls as conflicts, said in the report). `records_check`:
    the calls' comparison already running beside the walk (history_parallel.py).
    """
    checker = ChainChecker()
    try:
        chains = _chains(connection) if only is None else only
    except UnreadableChain:
        return _result(
            connection, checker, "an event's chain is not text: the history was altered outside Dialdesk"
        )
    for chain in chains:
        after = 0
        if FORK in chain:
            start = _fork_start(connection, chain)
            if isinstance(start, str):
                return _result(connection, checker, start)
            after = start[0]
            checker.start_from(chain, *start)
        if not _walk(connection, checker, chain, after):
            return _result(connection, checker, _problem_text(checker.problem))
    problem = None
    for chain, (seq, hash_) in _checkpoints(connection).items():
        if only is not None and chain not in only:
            continue
        head = checker.heads.get(chain)
        if head is None or head.seq < seq:
            last = head.seq if head is not None else 0
            problem = f"events {last + 1} to {seq} of chain {chain}, verified before, are missing (deleted)"
            break
        problem = _checkpoint_problem(connection, chain, seq, hash_)
        if problem:
            break
    unchecked = ""
    if only is None and records and not isinstance(connection, sqlite3.Connection):
        # The comparison of calls, script versions and guards reads SQLite's JSON functions and schema.
        unchecked = "on PostgreSQL the calls and script versions are not yet compared with the events"
    elif problem is None and only is None and records and isinstance(connection, sqlite3.Connection):
        # Read here while the second connection compares the calls (the two halves take about as long);
        # named after any call's problem, as the calls are compared first.

        def compared() -> str | None:
            lists = lists_problem(connection)
            sealed = seal_problem(connection)  # the older records' seal, also beside the calls' comparison
            return (
                (
                    records_check.result(connection)
                    if records_check
                    else calls_problem(connection, own_chain(connection))
                )
                or sealed
                or lists
                or scripts_problem(connection)
                or _guard_problem(connection)
            )

        problem = _unreadable_as_problem(compared)
        if problem is None:
            notes = (coverage_note(connection), unproven_merged_note(connection))
            unchecked = "; ".join(note for note in notes if note)
    if problem is None and anchor:
        problem = _anchor_problem(connection, anchor)
    return replace(_result(connection, checker, problem), unchecked=unchecked)


# What reading a value Dialdesk never writes raises (a time that is no time, a blob for text, …).
_UNREADABLE = (TypeError, ValueError, OverflowError, KeyError, UnicodeDecodeError)


def _unreadable_as_problem(compare: Callable[[], str | None]) -> str | None:
    """The comparison's answer; a record it cannot even read was written outside Dialdesk, and is
    named so (verify answers "broken", exit 1), never a crash."""
    try:
        return compare()
    except _UNREADABLE as error:
        log.warning("history check: a record could not be read (%s)", type(error).__name__)
        return (
            f"a record holds a value Dialdesk never writes ({type(error).__name__}): it was altered "
            "outside Dialdesk"
        )


def _guard_problem(connection: sqlite3.Connection) -> str | None:
    """A guard trigger missing, or not as the migrations make it: someone dropped or rewrote it (say
    with a `WHEN 0`) to change records. Compared by SQL with the schema the migrations build for the
    database's revision (desktop/storage/guard_reference.py); guards its revision does not have yet are
    not expected."""
    present = {
        str(name): (str(table), normal_sql(sql))
        for name, table, sql in connection.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        )
    }
    expected = _expected_guards(connection)
    for name in GUARDS:
        if name not in present and (expected is None or name in expected):
            return f"the trigger {name} that keeps records unchanged is missing (dropped outside Dialdesk)"
        if expected is not None and name in expected and present.get(name) != expected[name]:
            return f"the trigger {name} that keeps records unchanged differs from Dialdesk's (rewritten)"
    return None


def _expected_guards(connection: sqlite3.Connection) -> dict[str, tuple[str, str]] | None:
    """The guards of the database's revision as its migrations make them (None: an unknown revision,
    where only their names are checked)."""
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        return None
    if len(rows) != 1:
        return None
    return expected_guards(str(rows[0][0]))


def verify_incremental(connection: ChainConnection) -> Verification:
    """Per chain, only the events after its checkpoint (the check at start)."""
    checker = ChainChecker()
    points = _checkpoints(connection)
    own = own_chain(connection)
    points.setdefault(own, (0, ""))
    for chain, (seq, hash_) in points.items():
        if seq:
            problem = _checkpoint_problem(connection, chain, seq, hash_)
            if problem:
                return _result(connection, checker, problem)
            checker.start_from(chain, seq, hash_)
        if not _walk(connection, checker, chain, seq):
            return _result(connection, checker, _problem_text(checker.problem))
    return _result(connection, checker, None)


def save_checkpoints(connection: ChainConnection, heads: dict[str, tuple[int, str]], at: datetime) -> None:
    """Move each chain's checkpoint to the head just verified (only forward)."""
    stamp = event_time(at)
    connection.executemany(
        "INSERT INTO event_checkpoints (chain, seq, hash, verified_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,"
        " verified_at = excluded.verified_at WHERE excluded.seq > event_checkpoints.seq",
        [(chain, seq, hash_, stamp) for chain, (seq, hash_) in heads.items() if seq > 0],
    )


def anchor_for(connection: ChainConnection, day: date) -> Anchor:
    """The last event of this database's chain on or before `day` (UTC): the day's head."""
    own = own_chain(connection)
    end = event_time(datetime.combine(day, datetime.max.time()))
    row = connection.execute(
        "SELECT seq, hash FROM events WHERE chain = ? AND occurred_at <= ? ORDER BY seq DESC LIMIT 1",
        (own, end),
    ).fetchone()
    if row is None:
        return Anchor(day, own, 0, "none")
    return Anchor(day, own, int(row[0]), str(row[1]))


class HistoryService:
    """`audit verify`, the check at start and after restore/merge, and `audit anchor`."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, writable: bool = True) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._writable = writable

    def verify(self, full: bool = True, anchor: str | None = None) -> Verification:
        """Check the history (all of it, or what is newer than the checkpoints); move them when intact."""
        with self._uow_factory() as uow:
            connection = chain_connection(uow.session)
            records_check = _records_beside(connection) if full else None
            try:
                result = (
                    verify_full(connection, anchor, records_check=records_check)
                    if full
                    else verify_incremental(connection)
                )
            finally:
                if records_check is not None:
                    records_check.cancel()
            if result.intact and self._writable:
                save_checkpoints(connection, result.heads, self._clock())
                uow.commit()
        if not result.intact:
            log.warning("history check failed: %s", result.problem)
        return result

    def anchor(self, day: date | None = None) -> Anchor:
        with self._uow_factory() as uow:
            return anchor_for(chain_connection(uow.session), day or self._clock().date())


def _records_beside(connection: ChainConnection) -> RecordsCheck | None:
    """The calls' comparison started on a second connection of the same file (None: not a file)."""
    if not isinstance(connection, sqlite3.Connection):
        return None
    path = database_file(connection)
    return RecordsCheck(path, own_chain(connection)) if path is not None else None


def _problem_text(problem: ChainProblem | None) -> str:
    return problem.text() if problem is not None else "unknown problem"
