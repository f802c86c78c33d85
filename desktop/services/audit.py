"""The compliance evidence: every gate decision with its reasons and the registry snapshots in force.

Call-detail records are kept at least five years (the FTC's Telemarketing Sales Rule asks sellers to
keep call records for five years, 16 CFR 310.5(a)); nothing in Dialdesk deletes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from desktop.domain.leads import display_name
from desktop.storage.models import Agent, Attempt, Lead, ScriptVersion
from desktop.storage.repositories import decision_record
from desktop.storage.uow import UnitOfWorkFactory

AUDIT_COLUMNS = (
    "attempt_id",
    "decided_at_utc",
    "agent",
    "lead_id",
    "lead",
    "number",
    "backend",
    "allowed",
    "reason_codes",
    "reasons",
    "notes",
    "time_zones",
    "local_times",
    "registry_snapshots",
    "outcome",
    "duration_s",
    # Books and records (FINRA 3230, TSR 310.4(a)(8)): the script version read and the caller ID sent.
    "script_version",
    "caller_id",
)
RETENTION_YEARS = 5


def decisions(uow_factory: UnitOfWorkFactory, first_day: date, last_day: date) -> Iterator[list[Any]]:
    """One row per decision between two UTC days (inclusive), oldest first."""
    start = datetime.combine(first_day, time(0), tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=UTC)
    query = (
        select(
            Attempt,
            Lead.first_name,
            Lead.last_name,
            Lead.company,
            Agent.name,
            ScriptVersion.script_name,
            ScriptVersion.version,
        )
        .outerjoin(Lead, Attempt.lead_id == Lead.id)
        .outerjoin(Agent, Attempt.agent_id == Agent.id)
        .outerjoin(ScriptVersion, Attempt.script_version_id == ScriptVersion.id)
        .where(Attempt.started_at >= start, Attempt.started_at < end)
        .order_by(Attempt.started_at, Attempt.id)
        .execution_options(yield_per=2000)
    )
    with uow_factory() as uow:
        for attempt, first, last, company, agent, script, version in uow.session.execute(query):
            record = decision_record(attempt.reasons)
            reasons = record.get("reasons", [])
            notes = record.get("notes", [])
            yield [
                attempt.id,
                attempt.started_at.isoformat(),
                agent or "",
                attempt.lead_id or "",
                display_name(first or "", last or "", company or "") if attempt.lead_id else "",
                attempt.number,
                attempt.backend,
                "yes" if attempt.allowed else "no",
                " ".join(r.get("code", "") for r in reasons),
                "; ".join(r.get("detail", "") for r in reasons),
                "; ".join(f"{n.get('code', '')}: {n.get('detail', '')}" for n in notes),
                " ".join(record.get("time_zones", [])),
                " ".join(record.get("local_times", [])),
                json.dumps(record.get("registry", {}), ensure_ascii=False, sort_keys=True),
                attempt.outcome or "",
                attempt.duration_s if attempt.duration_s is not None else "",
                f"{script} v{version}" if script is not None else "",
                attempt.caller_id or "",
            ]
