"""Repositories: the queries the use cases need, in portable SQLAlchemy (no SQLite-only SQL)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, delete, func, not_, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from desktop.domain.leads import QUEUE_STATUSES
from desktop.storage.events import actor_name, append_event
from desktop.storage.models import (
    Agent,
    Attempt,
    AuditEvent,
    Callback,
    DncEntry,
    Lead,
    Phone,
    Setting,
)

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


def hours_open(open_keys: Sequence[str] | None) -> ColumnElement[bool]:
    """Leads whose calling hours are open: their key is among `open_keys` (None: do not filter)."""
    if open_keys is None:
        return true()
    return or_(Lead.hours_key.is_(None), Lead.hours_key.in_(list(open_keys)))


def queue_bucket(now: datetime, open_keys: Sequence[str] | None = None) -> ColumnElement[int]:
    """The bucket of a lead at `now`, as a SQL expression over the lead row alone."""
    return case(
        (Lead.gate_block.is_not(None), BUCKET_BLOCKED),
        (Lead.next_due_at > now, BUCKET_LATER),
        (not_(hours_open(open_keys)), BUCKET_LATER),
        (Lead.due_reason == "callback", BUCKET_CALLBACK),
        (Lead.warmth == "warm", BUCKET_WARM),
        (Lead.attempt_count > 0, BUCKET_DUE),
        else_=BUCKET_NEW,
    )


def not_held_by_others(now: datetime, viewer: str | None) -> ColumnElement[bool]:
    """Leads no agent but `viewer` (an agent name; None: nobody) holds a live claim on: another
    agent's lead is theirs until they record it or their claim expires (services/claims.py)."""
    free = or_(Lead.claimed_by.is_(None), Lead.claimed_until.is_(None), Lead.claimed_until <= now)
    if viewer is None:
        return free
    return or_(free, Lead.claimed_by.in_(select(Agent.id).where(Agent.name == viewer)))


# The range of an SQLite INTEGER: an id outside it names no row.
SQLITE_MIN_INT = -(2**63)
SQLITE_MAX_INT = 2**63 - 1


class LeadRepository:
    """Leads and their phones."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, lead_id: int) -> Lead | None:
        if not SQLITE_MIN_INT <= lead_id <= SQLITE_MAX_INT:
            return None  # no row can have it (and SQLite would raise OverflowError on it)
        return self.session.get(Lead, lead_id, options=[selectinload(Lead.phones)])

    def count(self) -> int:
        return int(self.session.scalar(select(func.count(Lead.id))) or 0)

    def counts_by_status(self) -> dict[str, int]:
        rows = self.session.execute(select(Lead.status, func.count(Lead.id)).group_by(Lead.status))
        return {str(status): int(count) for status, count in rows}

    def _queue_select(
        self, now: datetime, text: str = "", open_keys: Sequence[str] | None = None, viewer: str | None = None
    ) -> Select[Lead, int]:
        bucket = queue_bucket(now, open_keys).label("bucket")
        query = select(Lead, bucket).where(Lead.status.in_(QUEUE_STATUSES), not_held_by_others(now, viewer))
        if text.strip():
            pattern = f"%{text.strip()}%"
            matches: list[ColumnElement[bool]] = [
                Lead.first_name.ilike(pattern),
                Lead.last_name.ilike(pattern),
                Lead.company.ilike(pattern),
                Lead.list_name.ilike(pattern),
            ]
            digits = _digits(text)
            if digits:
                matches.append(Lead.id.in_(select(Phone.lead_id).where(Phone.e164.like(f"%{digits}%"))))
            query = query.where(or_(*matches))
        return query

    def queue_page(
        self,
        now: datetime,
        offset: int,
        limit: int,
        text: str = "",
        open_keys: Sequence[str] | None = None,
        viewer: str | None = None,
    ) -> list[tuple[Lead, int]]:
        """Queue rows in the order the window offers them: bucket, then due time, then import order.
        `viewer`: the agent looking; leads other agents hold live claims on are left out."""
        bucket = queue_bucket(now, open_keys)
        query = (
            self._queue_select(now, text, open_keys, viewer)
            .order_by(bucket, Lead.next_due_at.asc().nulls_first(), Lead.id)
            .offset(offset)
            .limit(limit)
            .options(selectinload(Lead.phones))
        )
        return [(row[0], int(row[1])) for row in self.session.execute(query)]

    def queue_rows(
        self,
        now: datetime,
        lead_ids: Sequence[int],
        text: str = "",
        open_keys: Sequence[str] | None = None,
        viewer: str | None = None,
    ) -> list[tuple[Lead, int]]:
        """The queue rows of `lead_ids` (those still in the queue), with their buckets: a primary-key
        look-up each, for updating a list already shown after a few leads changed."""
        query = (
            self._queue_select(now, text, open_keys, viewer)
            .where(Lead.id.in_(list(lead_ids)))
            .options(selectinload(Lead.phones))
        )
        return [(row[0], int(row[1])) for row in self.session.execute(query)]

    def queue_counts(
        self, now: datetime, text: str = "", open_keys: Sequence[str] | None = None, viewer: str | None = None
    ) -> dict[int, int]:
        sub = self._queue_select(now, text, open_keys, viewer).subquery()
        rows = self.session.execute(select(sub.c.bucket, func.count()).group_by(sub.c.bucket))
        return {int(bucket): int(count) for bucket, count in rows}

    def next_in_queue(
        self,
        now: datetime,
        exclude: Iterable[int] = (),
        open_keys: Sequence[str] | None = None,
        claimable_by: int | None = None,
        kept_callbacks_since: datetime | None = None,
    ) -> Lead | None:
        """The first lead the queue offers now; index-friendly lookups, one per bucket.

        A lead another agent holds a live claim on is never offered. With `claimable_by` (an agent
        id) the row found is also locked on PostgreSQL, skipping rows other agents are locking this
        instant (`FOR UPDATE SKIP LOCKED`), so agents taking leads at once do not queue on one row.
        `kept_callbacks_since`: a lead with another agent's open callback due after this moment is
        theirs to call back; one due before it (its agent away past the grace) is anyone's.
        """
        excluded = list(exclude)
        free = or_(Lead.claimed_until.is_(None), Lead.claimed_until <= now)
        if claimable_by is not None:
            free = or_(free, Lead.claimed_by == claimable_by)
        base = select(Lead).where(Lead.gate_block.is_(None), hours_open(open_keys), free)
        if claimable_by is not None and kept_callbacks_since is not None:
            promised = (
                select(Callback.id)
                .where(
                    Callback.lead_id == Lead.id,
                    Callback.done_at.is_(None),
                    Callback.agent_id.is_not(None),
                    Callback.agent_id != claimable_by,
                    Callback.due_at > kept_callbacks_since,
                )
                .exists()
            )
            base = base.where(~promised)
        if excluded:
            base = base.where(Lead.id.not_in(excluded))
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
            ).order_by(Lead.id),
        ]
        locking = claimable_by is not None and self.session.get_bind().dialect.name == "postgresql"
        for query in candidates:
            if locking:
                query = query.with_for_update(skip_locked=True, of=Lead)
            lead = self.session.scalars(query.limit(1)).first()
            if lead is not None:
                return lead
        return None

    def claim(
        self, lead_id: int, agent_id: int, now: datetime, until: datetime, as_read: Lead | None = None
    ) -> bool:
        """Give the lead to the agent until `until`, unless another agent holds a live claim on it:
        one conditional UPDATE, atomic on SQLite and PostgreSQL alike. True when the agent has it.

        `as_read`: the lead as the queue offered it; the claim fails if a call was recorded on it
        since, or its place in the queue changed (SQLite reads outside the writing transaction, so
        another agent may have called and released it in between).
        """
        unchanged: list[ColumnElement[bool]] = []
        if as_read is not None:
            unchanged = [
                Lead.status == as_read.status,
                Lead.next_due_at.is_not_distinct_from(as_read.next_due_at),
                Lead.last_attempt_at.is_not_distinct_from(as_read.last_attempt_at),
                Lead.attempt_count == as_read.attempt_count,
                Lead.gate_block.is_(None),
            ]
        result: Any = self.session.execute(
            update(Lead)
            .where(
                Lead.id == lead_id,
                or_(Lead.claimed_by.is_(None), Lead.claimed_until <= now, Lead.claimed_by == agent_id),
                *unchanged,
            )
            .values(claimed_by=agent_id, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1

    def release(self, lead_id: int, agent_id: int) -> bool:
        """The agent's claim on the lead ends (a claim of someone else's is left alone)."""
        result: Any = self.session.execute(
            update(Lead)
            .where(Lead.id == lead_id, Lead.claimed_by == agent_id)
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1

    def claim_of(self, lead_id: int, now: datetime) -> tuple[int, datetime] | None:
        """(agent id, until) of a live claim on the lead; None when nobody holds it."""
        row = self.session.execute(
            select(Lead.claimed_by, Lead.claimed_until).where(
                Lead.id == lead_id, Lead.claimed_by.is_not(None), Lead.claimed_until > now
            )
        ).first()
        if row is None or row[0] is None or row[1] is None:
            return None
        return (int(row[0]), row[1])

    def held_by(self, agent_id: int, now: datetime) -> list[int]:
        """The leads the agent holds a live claim on, oldest claim first."""
        query = (
            select(Lead.id)
            .where(Lead.claimed_by == agent_id, Lead.claimed_until > now)
            .order_by(Lead.claimed_until, Lead.id)
        )
        return [int(lead_id) for lead_id in self.session.scalars(query)]

    def phones_by_e164(self, numbers: Sequence[str]) -> list[Phone]:
        if not numbers:
            return []
        return list(self.session.scalars(select(Phone).where(Phone.e164.in_(numbers))))

    def all_identities(self) -> list[tuple[int, str, str | None, str | None, str]]:
        """(lead id, identity key, e164, raw text, CRM record id) for every phone, and (id, key, None,
        None, record id) for a lead without phones: the merge index of an import (undialable phones
        are matched by text)."""
        rows = self.session.execute(
            select(Lead.id, Lead.identity_key, Phone.e164, Phone.raw, Lead.external_id)
            .outerjoin(Phone, Phone.lead_id == Lead.id)
            .order_by(Lead.id)
        )
        return [
            (int(lead_id), str(key or ""), e164, raw, str(external or ""))
            for lead_id, key, e164, raw, external in rows
        ]

    def iter_all(self, batch: int = 1000) -> Iterable[Lead]:
        query = (
            select(Lead)
            .order_by(Lead.id)
            .options(selectinload(Lead.phones))
            .execution_options(yield_per=batch)
        )
        yield from self.session.scalars(query)

    def set_gate_block(self, lead_id: int, reason: str | None) -> None:
        self.session.execute(update(Lead).where(Lead.id == lead_id).values(gate_block=reason))

    def clear_gate_blocks(self, lead_id: int | None = None) -> None:
        """Forget cached refusals after lists, registries, consent or the lead changed."""
        query = update(Lead).where(Lead.gate_block.is_not(None))
        if lead_id is not None:
            query = query.where(Lead.id == lead_id)
        self.session.execute(query.values(gate_block=None))

    def lists(self) -> list[tuple[str, int]]:
        rows = self.session.execute(
            select(Lead.list_name, func.count(Lead.id)).group_by(Lead.list_name).order_by(Lead.list_name)
        )
        return [(str(name), int(count)) for name, count in rows]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class AttemptRepository:
    """The call-detail record."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, attempt: Attempt) -> Attempt:
        self.session.add(attempt)
        self.session.flush()
        return attempt

    def get(self, attempt_id: int) -> Attempt | None:
        return self.session.get(Attempt, attempt_id)

    def for_lead(self, lead_id: int) -> list[Attempt]:
        query = (
            select(Attempt)
            .where(Attempt.lead_id == lead_id)
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
        return list(self.session.scalars(query))

    def count(self) -> int:
        return int(self.session.scalar(select(func.count(Attempt.id))) or 0)


def decision_record(text: str) -> dict[str, Any]:
    """The decision record stored with an attempt: {"reasons": [...], "notes": [...], "registry": {...}, …}.

    Early records were a bare list of reasons; they read back as {"reasons": that list}.
    """
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {"reasons": []}
    if isinstance(data, list):
        return {"reasons": [dict(item) for item in data if isinstance(item, dict)]}
    return dict(data) if isinstance(data, dict) else {"reasons": []}


def reasons_from_json(text: str) -> list[dict[str, str]]:
    return [dict(item) for item in decision_record(text).get("reasons", []) if isinstance(item, dict)]


class DncRepository:
    """Do-not-call entries, looked up by E.164 number."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, number: str, source: str | None = None) -> DncEntry | None:
        query = select(DncEntry).where(DncEntry.number == number)
        if source is not None:
            query = query.where(DncEntry.source == source)
        return self.session.scalars(query.limit(1)).first()

    def add(self, entry: DncEntry) -> DncEntry:
        self.session.add(entry)
        self.session.flush()
        return entry

    def remove(self, number: str, source: str) -> int:
        result = self.session.execute(
            delete(DncEntry).where(DncEntry.number == number, DncEntry.source == source)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def list(self, source: str | None = None, text: str = "", limit: int = 1000) -> list[DncEntry]:
        query = select(DncEntry).order_by(DncEntry.added_at.desc())
        if source:
            query = query.where(DncEntry.source == source)
        if text:
            query = query.where(DncEntry.number.like(f"%{_digits(text)}%"))
        return list(self.session.scalars(query.limit(limit)))


class SettingRepository:
    """Settings as JSON values under keys."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> Any:
        row = self.session.get(Setting, key)
        return None if row is None else json.loads(row.value)

    def set(self, key: str, value: Any) -> None:
        row = self.session.get(Setting, key)
        text = json.dumps(value, ensure_ascii=False)
        if row is None:
            self.session.add(Setting(key=key, value=text))
        else:
            row.value = text

    def all(self) -> dict[str, Any]:
        return {row.key: json.loads(row.value) for row in self.session.scalars(select(Setting))}


class AgentRepository:
    """Agents by name."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, name: str) -> Agent:
        """The agent of this name, made when new. Two processes making the first call of a new agent at
        the same moment both find no row: the insert skips a name already there (on PostgreSQL it
        waits for the other transaction, then sees its committed row), so neither fails."""
        agent = self.session.scalars(select(Agent).where(Agent.name == name)).first()
        if agent is not None:
            return agent
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(insert(Agent).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
        return self.session.scalars(select(Agent).where(Agent.name == name)).one()


class CallbackRepository:
    """Promised call backs."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, callback: Callback) -> Callback:
        self.session.add(callback)
        self.session.flush()
        return callback

    def open_for_lead(self, lead_id: int) -> list[Callback]:
        query = select(Callback).where(Callback.lead_id == lead_id, Callback.done_at.is_(None))
        return list(self.session.scalars(query.order_by(Callback.due_at)))

    def close_open_for_lead(self, lead_id: int, at: datetime) -> None:
        self.session.execute(
            update(Callback).where(Callback.lead_id == lead_id, Callback.done_at.is_(None)).values(done_at=at)
        )


class AuditRepository:
    """Evidence of changes other than dials."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self, action: str, detail: str, agent_id: int | None = None, at: datetime | None = None
    ) -> None:
        event = AuditEvent(action=action, detail=detail, agent_id=agent_id)
        if at is not None:
            event.at = at
        self.session.add(event)
        # Every audit record is an event of the tamper-evident history too (same transaction).
        self.event(action, _detail_payload(detail), agent_id, event.at if at is not None else None)

    def event(
        self, kind: str, payload: dict[str, Any], agent_id: int | None = None, at: datetime | None = None
    ) -> tuple[int, str]:
        """Append an event to the history chain, its actor the agent's name: (seq, hash)."""
        return append_event(self.session, kind, payload, at, actor_name(self.session, agent_id))


def _detail_payload(detail: str) -> dict[str, Any]:
    """An audit detail (usually a JSON object) as an event payload."""
    try:
        parsed = json.loads(detail)
    except json.JSONDecodeError:
        return {"detail": detail}
    return parsed if isinstance(parsed, dict) else {"detail": parsed}
