"""The hash chain of the history: canonical event content, its SHA-256, and checking a chain.

Every event of a chain links to the one before it: `hash = SHA-256(prev_hash || content)`, where
`content` is the event's chain, seq, kind, time, actor and canonical JSON payload joined by the
ASCII unit separator. Canonical JSON has sorted keys, no spaces, no NaN, and floats written as
their shortest round-trip text (`repr`), so the same payload always hashes the same way. The
first event of a chain has `prev_hash` GENESIS (64 zeros).

`ChainChecker` walks each chain in seq order and names the first one that is
altered (hash does not match its content), missing (a gap in seq), inserted or reordered (a seq
that repeats, an event stored before its predecessor, or a `prev_hash` that is not the previous
event's hash). It is the
tight loop `audit verify` runs over a million rows: plain tuples in, no objects per event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

GENESIS = "0" * 64
# Between the fields of the hashed content. No field written by Dialdesk holds it (JSON escapes it,
# `clean_field` replaces it), so the original content has exactly six: a forged row that moves text
# across a field boundary by putting one inside a field has more, hence another hash.
SEPARATOR = "\x1f"


def _plain(value: Any) -> Any:
    """The payload with every value JSON has one spelling for (floats and times made text)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return repr(value)  # "0.1", never 0.1000000000000000055…: one text for one float
    if isinstance(value, datetime):
        return event_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"an event payload cannot hold {type(value).__name__}")


def canonical_json(payload: Mapping[str, Any]) -> str:
    """The one JSON text of `payload`: sorted keys, no spaces, floats and times as text."""
    return json.dumps(_plain(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_time(moment: datetime) -> str:
    """An event's time as stored and hashed: UTC, microseconds, ISO 8601 (`…+00:00`)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def clean_field(text: str) -> str:
    """A plain field (chain, kind, actor) without control characters, so content splits one way."""
    return "".join(char if char >= " " else " " for char in text)


def event_hash(
    prev_hash: str, chain: str, seq: int, kind: str, occurred_at: str, actor: str, payload: str
) -> str:
    """SHA-256 (hex) of the previous hash followed by the event's content."""
    content = SEPARATOR.join((prev_hash, chain, str(seq), kind, occurred_at, actor, payload))
    return hashlib.sha256(content.encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """The first thing wrong in a chain: which event (chain, seq, row id) and what."""

    chain: str
    seq: int
    row_id: int
    what: str

    def text(self) -> str:
        return f"event seq {self.seq} (chain {self.chain}, row {self.row_id}): {self.what}"


@dataclass
class ChainHead:
    """Where a chain stands after checking: its last seq and hash, and how many events it has."""

    seq: int = 0
    hash: str = GENESIS
    count: int = 0
    row_id: int = 0  # where its last event is stored: a later event stored before it was moved


@dataclass
class ChainChecker:
    """Checks events fed chain by chain in seq order; stops at the first problem (`problem`)."""

    heads: dict[str, ChainHead] = field(default_factory=dict)
    problem: ChainProblem | None = None
    checked: int = 0

    def start_from(self, chain: str, seq: int, hash_: str) -> None:
        """Check `chain` from a point already verified (seq and hash) instead of its beginning."""
        self.heads[chain] = ChainHead(seq, hash_, seq, 0)

    def feed(
        self,
        chain: str,
        rows: Iterable[tuple[int, int, bytes, bytes, bytes, bytes, bytes, bytes]],
        hashed_as: str | None = None,
    ) -> bool:
        """Rows of `chain` in seq order: (id, seq, kind, occurred_at, actor, payload, prev_hash, hash).

        Text columns come as UTF-8 bytes (sqlite3 `text_factory = bytes`): hashed as read, with no
        decoding and encoding of a million payloads. `hashed_as`: the chain id the events were
        hashed with, when stored under another label (a fork kept by a merge). False on a problem.
        """
        head = self.heads.get(chain)
        if head is None:
            head = self.heads[chain] = ChainHead()
        sha256 = hashlib.sha256
        separator = SEPARATOR.encode()
        join = separator.join
        chain_bytes = (hashed_as or chain).encode()
        last_seq, last_hash, last_row = head.seq, head.hash.encode(), head.row_id
        checked = 0
        problem: tuple[int, int, str] | None = None
        for row_id, seq, kind, occurred_at, actor, payload, prev_hash, stored in rows:
            if seq != last_seq + 1:
                problem = (seq, row_id, self._order_problem(last_seq, seq))
            elif row_id < last_row:
                problem = (seq, row_id, f"it is stored before event {last_seq} (reordered)")
            elif prev_hash != last_hash:
                problem = (
                    seq,
                    row_id,
                    f"its prev_hash is not the hash of event {last_seq} (inserted or altered)",
                )
            elif (
                sha256(join((prev_hash, chain_bytes, b"%d" % seq, kind, occurred_at, actor, payload)))
                .hexdigest()
                .encode()
                != stored
            ):
                problem = (seq, row_id, "its content does not match its hash (altered)")
            if problem is not None:
                break
            last_seq, last_hash, last_row = seq, stored, row_id
            checked += 1
        head.seq, head.hash, head.row_id = last_seq, last_hash.decode(), last_row
        head.count += checked
        self.checked += checked
        if problem is not None:
            return self._fail(chain, *problem)
        return True

    @staticmethod
    def _order_problem(last: int, seq: int) -> str:
        if seq > last + 1:
            missing = f"event {last + 1}" if seq == last + 2 else f"events {last + 1} to {seq - 1}"
            return f"{missing} before it are missing (deleted)"
        return f"it comes after event {last} (inserted, duplicated or reordered)"

    def _fail(self, chain: str, seq: int, row_id: int, what: str) -> bool:
        self.problem = ChainProblem(chain, seq, row_id, what)
        return False
