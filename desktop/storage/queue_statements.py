"""The queue's hot statements, built once per shape and reused with bound values.

The outcome key runs the next-lead look-up (four bucket queries) and the queue-row read of the leads
that moved on every press. SQLAlchemy spends far longer building a statement and computing its cache
key than SQLite spends running it (about 0.25 ms against 0.01 ms here), so these are built once for
each shape (hours filter or none, a claiming agent or none, ...) and every varying value (the moment,
the open hours keys, the excluded ids, the agent) is a bound parameter. The SQL is the same as a
statement built each time; `tests/storage/test_queue_statements.py` checks they choose the same leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, bindparam, case, func, not_, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from desktop.domain.leads import QUEUE_STATUSES
from desktop.storage.models import Agent, Callback, Lead

# Queue buckets, in the order the window offers them.
BUCKET_CALLBACK = 0
BUCKET_WARM = 1
BUCKET_DUE = 2
BUCKET_NEW = 3
BUCKET_LATER = 4
BUCKET_BLOCKED = 5
BUCKET_NAMES = {
    BUCKET_CALLBACK: "callback",
    BUCKET_WARM: "warm",
    BUCKET_DUE: "due",
    BUCKET_NEW: "new",
    BUCKET_LATER: "later",
    BUCKET_BLOCKED: "blocked",
}

_TIME = Lead.__table__.c.next_due_at.type  # the stored-moment type: bound moments are written as columns are
NOW = "now"
OPEN_KEYS = "open_keys"
EXCLUDED = "excluded"
AGENT = "agent"
KEPT_SINCE = "kept_since"
VIEWER = "viewer"
LEAD_IDS = "lead_ids"
LEAD_ID = "lead_id"
BUCKET_KEYS = "bucket_keys"
WITH_PHONES = selectinload(Lead.phones)
# One lead by id with its phones in one statement (`LeadRepository.get`).
LEAD_WITH_PHONES = select(Lead).where(Lead.id == bindparam(LEAD_ID)).options(joinedload(Lead.phones))
# The same, refreshing a copy the session already holds (`LeadRepository.get_current`).
LEAD_WITH_PHONES_CURRENT = LEAD_WITH_PHONES.execution_options(populate_existing=True)


def _now() -> ColumnElement[object]:
    return bindparam(NOW, type_=_TIME)


def hours_open_bound(keys_given: bool, name: str = OPEN_KEYS) -> ColumnElement[bool]:
    """`repositories.hours_open` with the open keys bound as `name` (an expanding list)."""
    if not keys_given:
        return true()
    return or_(Lead.hours_key.is_(None), Lead.hours_key.in_(bindparam(name, expanding=True)))


class OfferedLead(Protocol):
    """A lead as the queue offers it: its id and what a claim checks is unchanged since
    (`LeadRepository.claim`'s `as_read`)."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def next_due_at(self) -> datetime | None: ...
    @property
    def last_attempt_at(self) -> datetime | None: ...
    @property
    def attempt_count(self) -> int: ...


# The columns of an offered lead: an agent takes a lead with these, not the whole row (a lead has some
# forty columns, and a driver describes every column of every result, found or not).
OFFERED_COLUMNS = (Lead.id, Lead.status, Lead.next_due_at, Lead.last_attempt_at, Lead.attempt_count)
OfferedSelect = Select[int, str, datetime | None, datetime | None, int]


@cache
def next_lead_statements(
    keys_given: bool, claiming: bool, keeping_callbacks: bool, locking: bool
) -> tuple[OfferedSelect, ...]:
    """The four bucket look-ups of `LeadRepository.next_in_queue`, in the order they are tried; each
    gives the `OFFERED_COLUMNS` of one lead.

    Bound values: `now`, `open_keys` (when `keys_given`), `excluded` (a list, maybe empty), `agent`
    (when `claiming`), `kept_since` (when `keeping_callbacks`)."""
    now = _now()
    free = or_(Lead.claimed_until.is_(None), Lead.claimed_until <= now)
    if claiming:
        free = or_(free, Lead.claimed_by == bindparam(AGENT))
    base = select(*OFFERED_COLUMNS).where(
        Lead.gate_block.is_(None),
        hours_open_bound(keys_given),
        free,
        Lead.id.not_in(bindparam(EXCLUDED, expanding=True)),
    )
    if claiming and keeping_callbacks:
        promised = (
            select(Callback.id)
            .where(
                Callback.lead_id == Lead.id,
                Callback.done_at.is_(None),
                Callback.agent_id.is_not(None),
                Callback.agent_id != bindparam(AGENT),
                Callback.due_at > bindparam(KEPT_SINCE, type_=_TIME),
            )
            .exists()
        )
        base = base.where(~promised)
    active = base.where(Lead.status.in_(QUEUE_STATUSES))
    candidates = [
        active.where(Lead.due_reason == "callback", Lead.next_due_at <= now).order_by(Lead.next_due_at),
        active.where(
            Lead.warmth == "warm", or_(Lead.next_due_at.is_(None), Lead.next_due_at <= now)
        ).order_by(Lead.next_due_at.asc().nulls_first(), Lead.id),
        base.where(Lead.status == "active", Lead.next_due_at <= now).order_by(Lead.next_due_at, Lead.id),
        base.where(
            # New leads are never scheduled (an outcome makes them active): this matches the
            # index (status, next_due_at, id) exactly, so the first one is a lookup, not a sort.
            Lead.status == "new",
            Lead.next_due_at.is_(None),
            # In id order (next_due_at is NULL in every row here). Named in the index's own order:
            # PostgreSQL does not take `IS NULL` as fixing the column, and for `ORDER BY id` alone it
            # walked the primary key past every lead already called (a list worked from the top:
            # 7,500 rows skipped, 3-5 ms, after 7,500 calls, growing with every call).
        ).order_by(Lead.next_due_at, Lead.id),
    ]
    if locking:
        candidates = [query.with_for_update(skip_locked=True, of=Lead) for query in candidates]
    return tuple(query.limit(1) for query in candidates)


@cache
def next_offered_statement(keys_given: bool, keeping_callbacks: bool) -> OfferedSelect:
    """The lead `next_lead_statements` would offer an agent claiming on PostgreSQL, in one statement:
    the first non-null of the four row-locking bucket look-ups (each its own indexed `LIMIT 1 FOR
    UPDATE OF leads SKIP LOCKED`, run only until one finds a lead: COALESCE stops there), then that
    lead's `OFFERED_COLUMNS`. One round trip to the server instead of up to four. Bound as those are."""
    bucket_ids = [
        # Each look-up reads its own `leads`, never the outer query's row (no correlation).
        query.with_only_columns(Lead.id).correlate(None).scalar_subquery()
        for query in next_lead_statements(keys_given, True, keeping_callbacks, True)
    ]
    chosen = select(func.coalesce(*bucket_ids)).scalar_subquery()
    # Locking again (the row is this transaction's already: no wait) makes the columns those of the row
    # as locked, not as the statement first saw it (another agent's commit in between).
    return select(*OFFERED_COLUMNS).where(Lead.id == chosen).with_for_update(of=Lead)


@cache
def next_lead_id_statement(keys_given: bool) -> Select[int]:
    """The id of the lead `next_lead_statements` would offer (no agent claiming), in one statement: the
    first non-null of the four bucket look-ups, each still its own indexed `LIMIT 1` (COALESCE stops
    at the first that finds one, in SQLite and PostgreSQL alike). Bound as those are."""
    bucket_ids = [
        query.with_only_columns(Lead.id).scalar_subquery()
        for query in next_lead_statements(keys_given, False, False, False)
    ]
    return select(func.coalesce(*bucket_ids))


def queue_bucket_bound(keys_given: bool) -> ColumnElement[int]:
    """The bucket of a lead at `now`, as a SQL expression over the lead row alone (`now` and the open
    keys bound, as `now` and `bucket_keys`)."""
    return case(
        (Lead.gate_block.is_not(None), BUCKET_BLOCKED),
        (Lead.next_due_at > _now(), BUCKET_LATER),
        (not_(hours_open_bound(keys_given, BUCKET_KEYS)), BUCKET_LATER),
        (Lead.due_reason == "callback", BUCKET_CALLBACK),
        (Lead.warmth == "warm", BUCKET_WARM),
        (Lead.attempt_count > 0, BUCKET_DUE),
        else_=BUCKET_NEW,
    )


def not_held_by_others_bound(viewing: bool) -> ColumnElement[bool]:
    """Leads no agent but the viewer (bound as `viewer`, an agent name; none when not `viewing`) holds a
    live claim on: another agent's lead is theirs until they record it or their claim expires."""
    now = _now()
    free = or_(Lead.claimed_by.is_(None), Lead.claimed_until.is_(None), Lead.claimed_until <= now)
    if not viewing:
        return free
    return or_(free, Lead.claimed_by.in_(select(Agent.id).where(Agent.name == bindparam(VIEWER))))


@cache
def queue_select(keys_given: bool, viewing: bool) -> Select[Lead, int]:
    """The queue's leads with their buckets (labelled `bucket`), unordered; bound as `queue_params`
    says. The window's pages, counts and moved rows all start from it."""
    return select(Lead, queue_bucket_bound(keys_given).label("bucket")).where(
        Lead.status.in_(QUEUE_STATUSES), not_held_by_others_bound(viewing)
    )


@cache
def queue_rows_statement(keys_given: bool, viewing: bool) -> Select[Lead, int]:
    """The queue rows of the bound `lead_ids` (those still in the queue), phones loaded."""
    return (
        queue_select(keys_given, viewing)
        .where(Lead.id.in_(bindparam(LEAD_IDS, expanding=True)))
        .options(joinedload(Lead.phones))  # a few leads: one statement (rows to be made `unique()`)
    )


def queue_params(now: datetime, open_keys: Sequence[str] | None, viewer: str | None) -> dict[str, Any]:
    """The bound values of `queue_select(open_keys is not None, viewer is not None)`."""
    params: dict[str, Any] = {NOW: now}
    if open_keys is not None:
        params[BUCKET_KEYS] = list(open_keys)
    if viewer is not None:
        params[VIEWER] = viewer
    return params
