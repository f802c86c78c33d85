"""Team mode at the dial gate and at an outcome: a lead another agent holds is refused, and the locks a
dial's decision takes (CallingService uses these; services/claims.py makes and ends the claims).

The checks are made in the transaction that writes: `start_call` before the gate, `record_outcome`
after locking the lead's row (PostgreSQL) or the database (SQLite), so a claim taken between an
earlier look (the window's, the CLI's) and the write cannot slip through.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select

from desktop.services.gate_answer import CallingError
from desktop.storage.locks import hold_write_lock
from desktop.storage.models import Agent, Attempt, Lead, Phone
from desktop.storage.uow import UnitOfWork


class HeldByAnotherAgent(CallingError):
    """Team mode: the lead is claimed by another agent; nothing was dialled or recorded."""


# The lead's claim with its holder's name, in one statement (each check runs in a dial's or an
# outcome's transaction). Never with a row lock in the same statement: a claim committed while the
# lock was awaited would come back re-read, but its agent's row not (READ COMMITTED re-checks only the
# locked row), so the holder would have no name.
_CLAIM_WITH_HOLDER = (
    select(
        Lead.claimed_by,
        Lead.claimed_until,
        (Lead.claimed_until > bindparam("now", type_=Lead.__table__.c.claimed_until.type)).label("live"),
        Agent.name,
    )
    .outerjoin(Agent, Agent.id == Lead.claimed_by)
    .where(Lead.id == bindparam("lead_id"))
)


def refuse_if_held_by_another(
    uow: UnitOfWork, lead_id: int, now: datetime, acting: str | None, refused: str = "not dialled"
) -> None:
    """HeldByAnotherAgent when an agent other than `acting` (None: nobody in particular, so any
    holder is another) holds a live claim on the lead."""
    row = uow.session.execute(_CLAIM_WITH_HOLDER, {"lead_id": lead_id, "now": now}).first()
    if row is None or row.claimed_by is None or row.claimed_until is None or not row.live:
        return
    if row.name is None:  # a live claim whose agent cannot be read: never taken for the caller's own
        raise HeldByAnotherAgent(f"lead #{lead_id} is being worked by another agent: {refused}")
    holder = str(row.name)
    if acting is not None and acting.strip() == holder:
        return
    raise HeldByAnotherAgent(
        f"lead #{lead_id} is being worked by {holder} until {row.claimed_until:%Y-%m-%d %H:%M}Z: {refused}"
    )


def refuse_outcome_if_held_by_another(
    uow: UnitOfWork, lead_id: int, attempt_id: int | None, now: datetime, acting: str | None, recorder: str
) -> None:
    """HeldByAnotherAgent when another agent holds a live claim on the lead, checked after locking the
    lead's row, in the transaction that writes the outcome.

    The outcome of a call the recorder placed (`attempt_id` dialled under their name) is exempt: the
    gate let them dial while the lead was theirs, and that call's outcome is never lost."""
    # PostgreSQL: the row lock makes a concurrent claim wait for this transaction. SQLite: the write
    # lock, taken before the read, keeps every other writer out until the commit (nothing after this
    # point may open a second connection that writes: it would wait on this one).
    if uow.session.get_bind().dialect.name == "postgresql":
        # NO KEY UPDATE: a dial recording a call on this lead (a foreign key's KEY SHARE) still
        # passes, so this never deadlocks with start_call's decision locks.
        uow.session.execute(select(Lead.id).where(Lead.id == lead_id).with_for_update(key_share=True))
    else:
        hold_write_lock(uow.session, "leads", 0)
    if attempt_id is not None:
        placed_by = uow.session.scalar(
            select(Agent.name).join(Attempt, Attempt.agent_id == Agent.id).where(Attempt.id == attempt_id)
        )
        if placed_by is not None and placed_by == recorder:
            return
    # Read after the lock (a statement of its own, so it sees a claim committed while it waited).
    refuse_if_held_by_another(uow, lead_id, now, acting, "nothing was recorded")


def dial_lock_numbers(uow: UnitOfWork, lead_id: int | None, number: str | None) -> list[str] | None:
    """The numbers a dial's decision counts calls to: the lead's; None when it may dial another (a
    number typed in), so the decision locks every dial (storage/locks.py `hold_dial_locks`)."""
    if lead_id is None or number is not None or uow.session.get_bind().dialect.name != "postgresql":
        return None  # (SQLite: nothing is read before its write lock, a read would pin a snapshot)
    query = select(Phone.e164).where(Phone.lead_id == lead_id, Phone.e164.is_not(None))
    return [str(e164) for e164 in uow.session.scalars(query)]
