"""The queue's prebuilt statements (desktop/storage/queue_statements.py) choose what the queue rules say.

Random leads in every state the queue distinguishes (status, due time before or after now, callback or
retry, warm or cold, calling hours open or closed, refused by the gate, held by another agent, by this
agent, or by a claim run out) are enumerated through `next_in_queue` and read back by `queue_rows`; both
are compared with the rules written out in plain Python. Statements built once and reused must bind
each call's own moment, hours keys, exclusions and agent: a value left over from an earlier call (a
cached statement holding a literal) would offer the wrong lead, which these comparisons catch, since
the moment and the exclusions change between calls.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from desktop.domain.leads import QUEUE_STATUSES
from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace
from desktop.storage.models import Agent, Lead
from desktop.storage.queue_statements import (
    BUCKET_BLOCKED,
    BUCKET_CALLBACK,
    BUCKET_DUE,
    BUCKET_LATER,
    BUCKET_NEW,
    BUCKET_WARM,
)

OPEN, CLOSED = "America/New_York|", "America/Los_Angeles|"


def _make_leads(workspace: Workspace, now: datetime, seed: int) -> tuple[int, int]:
    """60 random leads; returns (this agent's id, another agent's id)."""
    chance = random.Random(seed)
    with workspace.uow() as uow:
        me, other = Agent(name="Me"), Agent(name="Other")
        uow.session.add_all([me, other])
        uow.session.flush()
        used_minutes: set[int] = set()
        for number in range(60):
            minutes = chance.choice([m for m in range(-600, 600) if m not in used_minutes])
            used_minutes.add(minutes)  # distinct due times: the callback bucket orders by time alone
            claim = chance.choice([None, None, "other_live", "other_expired", "mine"])
            uow.session.add(
                Lead(
                    first_name=f"Lead{number}",
                    status=chance.choice(["new", "new", "active", "active", "done"]),
                    next_due_at=chance.choice([None, now + timedelta(minutes=minutes)]),
                    due_reason=chance.choice(["new", "retry", "callback"]),
                    warmth=chance.choice(["cold", "cold", "warm"]),
                    attempt_count=chance.choice([0, 0, 1, 3]),
                    hours_key=chance.choice([None, OPEN, OPEN, CLOSED]),
                    gate_block=chance.choice([None] * 9 + ["dnc_internal: on the list"]),
                    claimed_by={"other_live": other.id, "other_expired": other.id, "mine": me.id}.get(
                        claim or ""
                    ),
                    claimed_until={
                        "other_live": now + timedelta(minutes=5),
                        "other_expired": now - timedelta(minutes=1),
                        "mine": now + timedelta(minutes=5),
                    }.get(claim or ""),
                )
            )
        uow.commit()
        return me.id, other.id


def _free(lead: Lead, now: datetime, agent: int | None) -> bool:
    if lead.claimed_until is None or lead.claimed_until <= now:
        return True
    return agent is not None and lead.claimed_by == agent


def _expected_order(leads: list[Lead], now: datetime, agent: int | None) -> list[int]:
    """The queue's offer order, from the rules: callbacks due, warm leads, retries due, new leads."""
    callable_now = [
        lead
        for lead in leads
        if lead.gate_block is None and lead.hours_key in (None, OPEN) and _free(lead, now, agent)
    ]
    due = [lead for lead in callable_now if lead.next_due_at is not None and lead.next_due_at <= now]
    callbacks = sorted(
        (lead for lead in due if lead.status in QUEUE_STATUSES and lead.due_reason == "callback"),
        key=lambda lead: lead.next_due_at or now,
    )
    warm = sorted(
        (
            lead
            for lead in callable_now
            if lead.status in QUEUE_STATUSES
            and lead.warmth == "warm"
            and (lead.next_due_at is None or lead.next_due_at <= now)
        ),
        key=lambda lead: (lead.next_due_at is not None, lead.next_due_at or now, lead.id),
    )
    retries = sorted(
        (lead for lead in due if lead.status == "active"), key=lambda lead: (lead.next_due_at, lead.id)
    )
    new = sorted(
        (lead for lead in callable_now if lead.status == "new" and lead.next_due_at is None),
        key=lambda lead: lead.id,
    )
    order: list[int] = []
    for lead in [*callbacks, *warm, *retries, *new]:
        if lead.id not in order:
            order.append(lead.id)
    return order


def _expected_bucket(lead: Lead, now: datetime) -> int:
    if lead.gate_block is not None:
        return BUCKET_BLOCKED
    if lead.next_due_at is not None and lead.next_due_at > now:
        return BUCKET_LATER
    if lead.hours_key == CLOSED:
        return BUCKET_LATER
    if lead.due_reason == "callback":
        return BUCKET_CALLBACK
    if lead.warmth == "warm":
        return BUCKET_WARM
    return BUCKET_DUE if lead.attempt_count > 0 else BUCKET_NEW


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_next_lead_and_queue_rows_follow_the_rules_at_each_moment(
    workspace: Workspace, clock: ManualClock, seed: int
) -> None:
    start = clock()
    me, _other = _make_leads(workspace, start, seed)
    for step in range(3):  # later moments: more leads due, claims run out; the moment must be rebound
        now = start + timedelta(minutes=150 * step)
        with workspace.uow() as uow:
            leads = list(uow.session.query(Lead))
            for agent in (None, me):
                offered: list[int] = []
                while True:
                    lead = uow.leads.next_in_queue(now, offered, [OPEN], claimable_by=agent)
                    if lead is None:
                        break
                    offered.append(lead.id)
                assert offered == _expected_order(leads, now, agent), (step, agent)
            # The window's own choice (nobody claiming): the id alone, in one statement, the same order.
            ids: list[int] = []
            while (found := uow.leads.next_id_in_queue(now, ids, [OPEN])) is not None:
                ids.append(found)
            assert ids == _expected_order(leads, now, None), step
            rows = dict(
                (lead.id, bucket)
                for lead, bucket in uow.leads.queue_rows(now, [lead.id for lead in leads], open_keys=[OPEN])
            )
            expected = {
                lead.id: _expected_bucket(lead, now)
                for lead in leads
                if lead.status in QUEUE_STATUSES and _free(lead, now, None)
            }
            assert rows == expected, step
            by_viewer = {
                lead.id for lead, _b in uow.leads.queue_rows(now, [x.id for x in leads], "", [OPEN], "Me")
            }
            assert by_viewer == {
                lead.id for lead in leads if lead.status in QUEUE_STATUSES and _free(lead, now, me)
            }
