"""Offline and back: an agent's claimed leads copied from the team server into a local SQLite file.

`checkout` claims the agent's leads on the server for the time they will be away (the leads they
hold, plus `take` more from the queue), then writes a new Dialdesk file with everything the gate
needs to judge those leads the way the server would:

- the leads, their phones, consents, callbacks and meetings, and every call made to them or to
  their numbers (the per-number call caps of the state rules count those); the calls keep their
  identity on the server (`origin_db`, `origin_id`), so `dialdesk merge` back recognises them;
- the whole do-not-call list, the settings (calling hours, outcome rules, firm mode), the scripts,
  every script version and its approvals (desktop/services/offline_scripts.py: firm mode's gate
  offline allows exactly the versions the server's allows, and `audit verify` there still names an
  approval added with plain sqlite3); the calls keep the script version they used;
- the registries: every snapshot, the per-area-code copies of the national lists for the area codes
  of the copied numbers (a number added offline elsewhere has no copy here: the gate refuses it as
  registry_missing), and the state lists whole (a state list is judged whole, not per area code).

A false allow offline is the worst failure: when the registries cannot be copied (the server
refuses, the copy fails half-way) none of them is kept, so every residential call in the local file
is refused as registry_missing until the work is merged back and the agent is online again.
The file records where it came from (setting `team_checkout`): merging it back into that database
releases the agent's claims on its leads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, delete, insert, or_, select

from desktop.domain.dnc_files import national_number
from desktop.paths import user_data_dir
from desktop.services.offline_hold import CHECKOUT_SETTING, HOLD_UNTIL_KEY, STAND_IN_AGENT, hold_until_text
from desktop.services.offline_scripts import copy_script_versions
from desktop.storage.engine import file_url, make_engine
from desktop.storage.models import (
    Agent,
    Attempt,
    Base,
    Callback,
    Consent,
    DncEntry,
    Lead,
    Meeting,
    Phone,
    RegistryCoverage,
    RegistryNumber,
    RegistrySnapshot,
    RegistrySource,
    ScriptAssignment,
    Setting,
    StoredScript,
)
from desktop.storage.registry_store import SLOT_SPAN
from desktop.storage.server import is_server, where
from desktop.storage.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from desktop.services.workspace import Workspace

DEFAULT_HOURS = 8
AREA_SPAN = 10**7  # national numbers of one area code: NPA * 10**7 … + 10**7 - 1
BATCH = 5000
# Settings that belong to one database, not to the team: the local file keeps its own.
_OWN_SETTINGS = {"database_id", "agent_name", CHECKOUT_SETTING}


class CheckoutError(ValueError):
    """A checkout that cannot be made; the message is for the user."""


@dataclass
class CheckoutReport:
    """What went into the local copy."""

    path: str
    agent: str
    leads: list[int] = field(default_factory=list)
    calls: int = 0
    dnc_entries: int = 0
    registry_numbers: int = 0
    script_versions: int = 0  # every version of the server's scripts, with its approvals
    registry_problem: str = ""  # why no registry was copied ("" when they were)
    hold_until: str = ""  # the end of the claims (ISO UTC): the local copy refuses every dial after it
    # Leads not claimed that share a number with a claimed one: copied so the gate asks every owner
    # of a number offline as it does on the server (never dialled from the copy as the agent's own).
    co_owners: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"Checked out {len(self.leads)} leads for {self.agent} into {self.path} "
            f"({self.calls} past calls, {self.dnc_entries} do-not-call entries, "
            f"{self.registry_numbers} registry numbers, {self.script_versions} script versions).",
            f"Work offline with: dialdesk --db {self.path}; back online: dialdesk merge {self.path} --db URL",
        ]
        if self.registry_problem:
            lines.append(
                f"Warning: the registries could not be copied ({self.registry_problem}): the local copy "
                "refuses every residential call (registry_missing) until you are back online."
            )
        return "\n".join(lines)


def offline_copy_path() -> Path:
    """Where `team checkout` writes by default, and where the window looks when the server is away."""
    return user_data_dir() / "team-offline.db"


def checkout(
    workspace: Workspace, agent: str, out: Path, take: int = 0, hours: float = DEFAULT_HOURS
) -> CheckoutReport:
    """Claim the agent's leads for `hours` and copy them (and what the gate needs) into `out`."""
    if not is_server(workspace.url):
        raise CheckoutError("team checkout copies from a team server: --db postgresql+psycopg://USER@HOST/DB")
    if take < 0 or not 0 < hours <= 24 * 7:
        raise CheckoutError("--take is 0 or more, --hours between 0 and 168")
    out = out.expanduser()
    if out.exists():
        raise CheckoutError(f"{out} exists (it may hold work not merged yet): choose another file")
    leads, until, taken = _claim(workspace, agent, take, timedelta(hours=hours))
    report = CheckoutReport(str(out), agent, leads, hold_until=hold_until_text(until))
    try:
        _write_copy(workspace, out, report)
    except BaseException:
        # No local copy: the claims this checkout took would hide the leads from everyone for hours.
        _release(workspace, agent, taken)
        raise
    return report


def _write_copy(workspace: Workspace, out: Path, report: CheckoutReport) -> None:
    from desktop.services.workspace import DatabaseError, open_workspace

    try:
        open_workspace(file_url(out)).close()  # a new local database at the latest schema, with its own id
    except (OSError, DatabaseError) as error:
        _remove(out)
        raise CheckoutError(f"cannot write the local copy {out}: {error}") from error
    target = make_engine(file_url(out))
    try:
        with workspace.engine.connect() as source:
            versions = copy_script_versions(
                source, UnitOfWorkFactory(target), workspace.clock, _setting(source, "database_id")
            )
        report.script_versions = len(versions)
        with workspace.engine.connect() as source, target.begin() as local:
            _copy_team_data(source, local, workspace, report, versions)
        with workspace.engine.connect() as source, target.connect() as local:
            _copy_registries(source, local, report)
    except BaseException:
        target.dispose()
        _remove(out)
        raise
    target.dispose()


def _remove(out: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(str(out) + suffix).unlink(missing_ok=True)
        except OSError:
            pass  # under a regular file or a folder we cannot write: nothing was made there


def _release(workspace: Workspace, agent: str, taken: Sequence[int]) -> None:
    """Give back the claims this checkout took (the leads the agent already held stay theirs)."""
    for lead_id in taken:
        try:
            workspace.claims.release(lead_id, agent)
        except Exception:  # noqa: BLE001 - the copy's own error is the one to report
            pass


def _claim(
    workspace: Workspace, agent: str, take: int, hold: timedelta
) -> tuple[list[int], datetime, list[int]]:
    """The leads the agent holds, plus up to `take` more from the queue, all held for `hold`:
    (every lead, the end of the hold, the leads newly taken from the queue)."""
    claims = workspace.claims
    agent_id = claims.agent_id(agent)
    now = workspace.clock()
    until = now + hold
    with workspace.uow() as uow:
        held = uow.leads.held_by(agent_id, now)
        for lead_id in held:
            uow.leads.claim(lead_id, agent_id, now, until)
        uow.commit()
    taken = list(held)
    for _ in range(take):
        offered = workspace.leads.next_lead_id(tuple(taken), claim_for=(agent_id, until))
        if offered is None:
            break
        taken.append(offered)
    if not taken:
        raise CheckoutError(f"{agent} holds no lead and the queue has none callable now: nothing to take")
    return sorted(taken), until, taken[len(held) :]


def _rows(source: Connection, table: Table, *where: Any) -> Iterable[dict[str, Any]]:
    query = select(table).where(*where) if where else select(table)
    for row in source.execute(query.execution_options(yield_per=BATCH)):
        yield dict(row._mapping)


def _insert(local: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    count, pending = 0, []
    for row in rows:
        pending.append(row)
        if len(pending) >= BATCH:
            local.execute(insert(table), pending)
            count, pending = count + len(pending), []
    if pending:
        local.execute(insert(table), pending)
        count += len(pending)
    return count


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _copy_team_data(
    source: Connection,
    local: Connection,
    workspace: Workspace,
    report: CheckoutReport,
    versions: dict[int, int],
) -> None:
    agents = _agents(source, local)
    server_id = _setting(source, "database_id")
    report.co_owners = _co_owners(source, report.leads)
    lead_ids = sorted({*report.leads, *report.co_owners})
    # The co-owners are not the agent's: held locally by a stand-in until the hold ends, so the
    # local queue never offers them and no dial rings them (another agent may on the server).
    stand_in = _stand_in_agent(local, workspace.clock()) if report.co_owners else None
    others = set(report.co_owners)
    for row in _rows(source, _table(Lead), Lead.id.in_(lead_ids)):
        other = row["id"] in others
        row.update(
            owner_agent_id=agents.get(row["owner_agent_id"]),
            claimed_by=stand_in if other else None,
            claimed_until=_parse_until(report.hold_until) if other else None,
            import_batch_id=None,
        )
        local.execute(insert(_table(Lead)), row)
    phones = list(_rows(source, _table(Phone), Phone.lead_id.in_(lead_ids)))
    _insert(local, _table(Phone), phones)
    numbers = sorted({str(phone["e164"]) for phone in phones if phone["e164"]})
    phone_ids = {int(phone["id"]) for phone in phones}
    report.calls = _copy_calls(source, local, lead_ids, numbers, phone_ids, agents, server_id, versions)
    for model in (Callback, Meeting, Consent):
        table = _table(model)
        rows = _rows(source, table, table.c.lead_id.in_(lead_ids))
        _insert(local, table, (_mapped(row, agents) for row in rows))
    kept = set(lead_ids)
    report.dnc_entries = _insert(
        local,
        _table(DncEntry),
        (
            {**_mapped(row, agents), "lead_id": row["lead_id"] if row["lead_id"] in kept else None}
            for row in _rows(source, _table(DncEntry))
        ),
    )
    _insert(local, _table(StoredScript), _rows(source, _table(StoredScript)))
    _insert(
        local,
        _table(ScriptAssignment),
        (row for row in _rows(source, _table(ScriptAssignment)) if row["lead_id"] in (None, *kept)),
    )
    _copy_settings(source, local, report, server_id, where(workspace.url))


def _co_owners(source: Connection, lead_ids: Sequence[int]) -> list[int]:
    """The other leads owning a number of `lead_ids`, and in turn of theirs (a bare number may be
    dialled offline too): the gate asks every owner of a number (a residential owner on the registry
    refuses it), so every owner of every copied number is copied, offline as on the server."""
    phone = _table(Phone)
    known = set(lead_ids)
    frontier = set(lead_ids)
    while frontier:
        numbers = select(phone.c.e164).where(phone.c.lead_id.in_(sorted(frontier)), phone.c.e164.is_not(None))
        owners = source.scalars(select(phone.c.lead_id).where(phone.c.e164.in_(numbers)).distinct())
        frontier = {int(lead_id) for lead_id in owners} - known
        known |= frontier
    return sorted(known - set(lead_ids))


def _stand_in_agent(local: Connection, now: datetime) -> int:
    table = _table(Agent)
    found = local.scalar(select(table.c.id).where(table.c.name == STAND_IN_AGENT))
    if found is not None:
        return int(found)
    made = insert(table).values(name=STAND_IN_AGENT, created_at=now)
    return int(local.execute(made.returning(table.c.id)).scalar_one())


def _parse_until(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _mapped(row: dict[str, Any], agents: dict[int, int]) -> dict[str, Any]:
    """A row without its server id, its agent as the local one."""
    row = {key: value for key, value in row.items() if key != "id"}
    if "agent_id" in row:
        row["agent_id"] = agents.get(row["agent_id"]) if row["agent_id"] is not None else None
    return row


def _agents(source: Connection, local: Connection) -> dict[int, int]:
    """Every agent of the team, by name: their server id -> the local id."""
    agents: dict[int, int] = {}
    table = _table(Agent)
    for row in _rows(source, table):
        found = local.scalar(select(table.c.id).where(table.c.name == row["name"]))
        if found is None:
            made = insert(table).values(name=row["name"], created_at=row["created_at"])
            found = local.execute(made.returning(table.c.id)).scalar_one()
        agents[int(row["id"])] = int(found)
    return agents


def _copy_calls(
    source: Connection,
    local: Connection,
    lead_ids: Sequence[int],
    numbers: Sequence[str],
    phone_ids: set[int],
    agents: dict[int, int],
    server_id: str,
    versions: dict[int, int],
) -> int:
    """The calls of the leads and to their numbers, as merged calls (their server identity kept), each
    with its script version (`versions`: server id -> local id, every version was copied)."""
    table = _table(Attempt)
    condition = or_(table.c.lead_id.in_(lead_ids), table.c.number.in_(numbers))
    kept = set(lead_ids)
    ours: dict[int, int] = {}  # server call id -> local id, for corrections
    count = 0
    for row in source.execute(select(table).where(condition).order_by(table.c.id)):
        values = dict(row._mapping)
        server_call = int(values.pop("id"))
        values.update(
            lead_id=values["lead_id"] if values["lead_id"] in kept else None,
            phone_id=values["phone_id"] if values["phone_id"] in phone_ids else None,
            agent_id=agents.get(values["agent_id"]) if values["agent_id"] is not None else None,
            origin_db=values["origin_db"] or server_id,
            origin_id=values["origin_id"] or server_call,
            corrects_id=ours.get(values["corrects_id"]) if values["corrects_id"] is not None else None,
            script_version_id=versions.get(values["script_version_id"])
            if values["script_version_id"] is not None
            else None,
        )
        ours[server_call] = int(
            local.execute(insert(table).values(values).returning(table.c.id)).scalar_one()
        )
        count += 1
    return count


def _setting(source: Connection, key: str) -> str:
    value = source.scalar(select(Setting.value).where(Setting.key == key))
    try:
        return str(json.loads(value)) if value is not None else ""
    except json.JSONDecodeError:
        return ""


def _copy_settings(
    source: Connection, local: Connection, report: CheckoutReport, server_id: str, server: str
) -> None:
    table = _table(Setting)
    for row in _rows(source, table):
        if row["key"] in _OWN_SETTINGS:
            continue
        local.execute(delete(table).where(table.c.key == row["key"]))
        local.execute(insert(table), row)
    origin = {
        "database_id": server_id,
        "server": server,
        "agent": report.agent,
        "leads": report.leads,
        HOLD_UNTIL_KEY: report.hold_until,
    }
    for key, value in ((CHECKOUT_SETTING, origin), ("agent_name", report.agent)):
        local.execute(delete(table).where(table.c.key == key))
        local.execute(insert(table).values(key=key, value=json.dumps(value)))


def _copy_registries(source: Connection, local: Connection, report: CheckoutReport) -> None:
    """Snapshots, sources, the area codes of the copied numbers and the state lists: all or none."""
    try:
        with local.begin():
            numbers = [str(n) for n in local.scalars(select(Phone.e164).where(Phone.e164.is_not(None)))]
            nationals = (national_number(number) for number in numbers)
            areas = sorted({national // AREA_SPAN for national in nationals if national is not None})
            for model in (RegistrySnapshot, RegistrySource):
                _insert(local, _table(model), _rows(source, _table(model)))
            coverage = _table(RegistryCoverage)
            _insert(local, coverage, _rows(source, coverage, coverage.c.area_code.in_(areas)))
            key = _table(RegistryNumber).c.number_key
            copied = 0
            for name, slot in source.execute(select(RegistrySource.name, RegistrySource.slot)):
                base = int(slot) * SLOT_SPAN
                if str(name).startswith("state:"):
                    ranges = [(base, base + SLOT_SPAN)]
                else:
                    ranges = [(base + area * AREA_SPAN, base + (area + 1) * AREA_SPAN) for area in areas]
                for low, high in ranges:
                    rows = _rows(source, _table(RegistryNumber), key >= low, key < high)
                    copied += _insert(local, _table(RegistryNumber), rows)
            report.registry_numbers = copied
    except Exception as error:  # noqa: BLE001 - no registry at all is safe; half of one is not
        source.rollback()
        first = (str(getattr(error, "orig", None) or error).strip().splitlines() or [type(error).__name__])[0]
        report.registry_problem = first
