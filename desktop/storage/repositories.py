"""Repositories: the queries the use cases need, in portable SQLAlchemy (no SQLite-only SQL)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key

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
from desktop.storage.queue_statements import (
    AGENT,
    EXCLUDED,
    KEPT_SINCE,
    LEAD_ID,
    LEAD_IDS,
    LEAD_WITH_PHONES,
    LEAD_WITH_PHONES_CURRENT,
    NOW,
    OPEN_KEYS,
    WITH_PHONES,
    OfferedLead,
    next_lead_id_statement,
    next_lead_statements,
    next_offered_statement,
    queue_params,
    queue_rows_statement,
    queue_select,
)

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
        held = self.session.identity_map.get(identity_key(Lead, lead_id))
        if held is not None and not inspect(held).expired_attributes and held not in self.session.deleted:
            return held  # as `Session.get`: the row this unit of work already has, as it has it
        # One statement built once, phones joined: a second query for them cost more than the lead.
        return self.session.scalars(LEAD_WITH_PHONES, {LEAD_ID: lead_id}).unique().first()

    def get_current(self, lead_id: int) -> Lead | None:
        """The lead as the database holds it now, read again even when this unit of work has a copy
        (that copy is refreshed): after its row is locked, before counters are added to, another
        agent's commit since the first read must not be overwritten."""
        if not SQLITE_MIN_INT <= lead_id <= SQLITE_MAX_INT:
            return None
        return self.session.scalars(LEAD_WITH_PHONES_CURRENT, {LEAD_ID: lead_id}).unique().first()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count(Lead.id))) or 0)

    def counts_by_status(self) -> dict[str, int]:
        rows = self.session.execute(select(Lead.status, func.count(Lead.id)).group_by(Lead.status))
        return {str(status): int(count) for status, count in rows}

    def _queue_select(
        self, text: str = "", open_keys: Sequence[str] | None = None, viewer: str | None = None
    ) -> Select[Lead, int]:
        """The queue's leads and buckets, matching `text` if given; bound by `queue_params`."""
        query = queue_select(open_keys is not None, viewer is not None)
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
        query = self._queue_select(text, open_keys, viewer)
        query = (
            query.order_by(query.selected_columns.bucket, Lead.next_due_at.asc().nulls_first(), Lead.id)
            .offset(offset)
            .limit(limit)
            .options(WITH_PHONES)
        )
        rows = self.session.execute(query, queue_params(now, open_keys, viewer))
        return [(row[0], int(row[1])) for row in rows]

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
        params = {**queue_params(now, open_keys, viewer), LEAD_IDS: list(lead_ids)}
        if text.strip():
            query = (
                self._queue_select(text, open_keys, viewer)
                .where(Lead.id.in_(list(lead_ids)))
                .options(joinedload(Lead.phones))
            )
        else:  # the outcome key's path: a statement built once
            query = queue_rows_statement(open_keys is not None, viewer is not None)
        return [(row[0], int(row[1])) for row in self.session.execute(query, params).unique()]

    def queue_counts(
        self, now: datetime, text: str = "", open_keys: Sequence[str] | None = None, viewer: str | None = None
    ) -> dict[int, int]:
        sub = self._queue_select(text, open_keys, viewer).subquery()
        rows = self.session.execute(
            select(sub.c.bucket, func.count()).group_by(sub.c.bucket), queue_params(now, open_keys, viewer)
        )
        return {int(bucket): int(count) for bucket, count in rows}

    def next_in_queue(
        self,
        now: datetime,
        exclude: Iterable[int] = (),
        open_keys: Sequence[str] | None = None,
        claimable_by: int | None = None,
        kept_callbacks_since: datetime | None = None,
    ) -> OfferedLead | None:
        """The first lead the queue offers now (its id and the columns a claim checks); index-friendly
        lookups, one per bucket.

        A lead another agent holds a live claim on is never offered. With `claimable_by` (an agent
        id) the row found is also locked on PostgreSQL, skipping rows other agents are locking this
        instant (`FOR UPDATE SKIP LOCKED`), so agents taking leads at once do not queue on one row.
        `kept_callbacks_since`: a lead with another agent's open callback due after this moment is
        theirs to call back; one due before it (its agent away past the grace) is anyone's.
        """
        locking = claimable_by is not None and self.session.get_bind().dialect.name == "postgresql"
        keeping = claimable_by is not None and kept_callbacks_since is not None
        statements = next_lead_statements(open_keys is not None, claimable_by is not None, keeping, locking)
        params: dict[str, Any] = {NOW: now, EXCLUDED: list(exclude)}
        if open_keys is not None:
            params[OPEN_KEYS] = list(open_keys)
        if claimable_by is not None:
            params[AGENT] = claimable_by
        if keeping:
            params[KEPT_SINCE] = kept_callbacks_since
        if locking:  # a team server: the four look-ups in one round trip
            offered = next_offered_statement(open_keys is not None, keeping)
            found: OfferedLead | None = self.session.execute(offered, params).first()
            return found
        for query in statements:
            lead: OfferedLead | None = self.session.execute(query, params).first()
            if lead is not None:
                return lead
        return None

    def next_id_in_queue(
        self, now: datetime, exclude: Iterable[int] = (), open_keys: Sequence[str] | None = None
    ) -> int | None:
        """The id of the lead `next_in_queue` offers when no agent is claiming, in one statement."""
        params: dict[str, Any] = {NOW: now, EXCLUDED: list(exclude)}
        if open_keys is not None:
            params[OPEN_KEYS] = list(open_keys)
        found = self.session.scalar(next_lead_id_statement(open_keys is not None), params)
        return None if found is None else int(found)

    def claim(
        self, lead_id: int, agent_id: int, now: datetime, until: datetime, as_read: OfferedLead | None = None
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
        query = select(Lead).order_by(Lead.id).options(WITH_PHONES).execution_options(yield_per=batch)
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


# Built once: every outcome and every lead card reads the lead's calls.
_CALLS_OF_LEAD = (
    select(Attempt)
    .where(Attempt.lead_id == bindparam("lead_id"))
    .order_by(Attempt.started_at.desc(), Attempt.id.desc())
)


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
        """The lead's calls, newest first."""
        return list(self.session.scalars(_CALLS_OF_LEAD, {"lead_id": lead_id}))

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


# Built once: the gate and the lead card ask this for every number they show or dial.
_DNC_ANY = select(DncEntry).where(DncEntry.number == bindparam("number")).limit(1)
_DNC_FROM = _DNC_ANY.where(DncEntry.source == bindparam("source"))


class DncRepository:
    """Do-not-call entries, looked up by E.164 number."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, number: str, source: str | None = None) -> DncEntry | None:
        query = _DNC_ANY if source is None else _DNC_FROM
        return self.session.scalars(query, {"number": number, "source": source}).first()

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
