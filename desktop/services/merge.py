"""A team without a server: fold a colleague's database into this one, as often as you like.

`MergeService.merge(path)` reads another agent's Dialdesk database and adds what this one lacks:
leads (with their phones), calls, callbacks, meetings, consents, script answers and do-not-call
entries. A call keeps its script version when this database has the same version (same script, number
and text); otherwise it comes without one and the report says which (desktop/services/offline_scripts.py).
Everything has a stable identity, so merging the same file twice adds nothing:

- a lead is the same lead when they share a number (E.164) and the same person or company
  (`domain.leads.LeadIdentity`, the rule imports use);
- a call is (the database it was made in, its id there, its agent): `attempts.origin_db` and
  `origin_id` keep that for merged calls, so merges can be chained (A ← B, then C ← A) and a
  database's own calls coming back are recognised;
- callbacks, meetings, consents and answers are their lead and their time or kind; DNC entries are
  their number and source.

The colleague's file is never written: it is copied (SQLite's online backup, consistent even while
their window is open) into a private temporary folder, and the copy is upgraded to this version's
schema. The merge is one transaction: cancelled or failed, it leaves nothing behind. Afterwards an
internal DNC entry from any agent blocks everyone, and each merged lead's counters and place in the
queue reflect all calls made to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, case, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from desktop.domain import leads as lead_rules
from desktop.domain.outcomes import OutcomeRules
from desktop.services.agents import recording_name
from desktop.services.clock import Clock
from desktop.services.history_carried import unproven_calls_record
from desktop.services.hours import HoursKeys
from desktop.services.merge_records import (
    MERGE_CONFLICT,
    RECORD_FIELDS,
    kept_conflicts,
    record_of,
    record_value,
)
from desktop.services.offline_scripts import VersionMap
from desktop.storage import rollups, untrusted
from desktop.storage.engine import sqlite_path
from desktop.storage.migrate import upgrade
from desktop.storage.models import (
    Agent,
    Attempt,
    Callback,
    Consent,
    DncEntry,
    Lead,
    Meeting,
    Phone,
    ScriptAnswer,
)
from desktop.storage.sqlite_files import failure_kind
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

DATABASE_ID = "database_id"
NO_AGENT = "agent"  # what the calling service names an agent who set no name
BATCH = 2000
CallKey = tuple[str, int, int | None]  # (database id, call id there, agent id here)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class MergeError(Exception):
    """A merge that cannot be done; the message is meant for the user."""


class MergeCancelled(MergeError):
    """The user cancelled the merge; nothing was written."""


@dataclass
class MergeReport:
    """What a merge added (and updated) from one database."""

    source: str
    database_id: str
    agent: str
    leads_added: int = 0
    leads_matched: int = 0
    phones_added: int = 0
    leads_filled: int = 0  # matched leads whose empty fields (name, state, ZIP/postal code…) theirs filled
    attempts_added: int = 0
    attempts_updated: int = 0  # calls merged in progress before, completed now by their own database
    conflicts_kept: int = 0  # other versions of calls we have: kept in the audit log, not applied
    callbacks_added: int = 0
    callbacks_updated: int = 0
    meetings_added: int = 0
    consents_added: int = 0
    dnc_added: int = 0
    answers_added: int = 0
    events_added: int = 0  # history events, with their own chains (desktop/services/merge_history.py)
    claims_released: int = 0  # a `team checkout` copy back from offline: its agent's claims end here
    conflict_calls: list[int] = field(default_factory=list)  # our ids of the calls in conflict
    # Databases whose calls came in unproven: the file had no history at all (made before it existed)
    without_history: list[str] = field(default_factory=list)
    # Exactly which calls came in unproven: origin -> agent name -> [first, last] ranges of their ids
    # there (history_carried.py exempts these calls, and no other, from its comparison with events)
    without_history_calls: dict[str, dict[str, list[list[int]]]] = field(default_factory=dict)
    # Script versions of their calls this database lacks or holds with another text -> calls merged
    # without a version (offline_scripts.py: never attached to a version of other text)
    script_versions_unmatched: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            value for key, value in asdict(self).items() if isinstance(value, int) and key != "leads_matched"
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if not self.changed:
            return f"Nothing new in {self.source} ({self.agent}): it was merged before."
        return (
            f"Merged {self.source} ({self.agent}): {self.leads_added:,} new leads "
            f"({self.leads_matched:,} already here), {self.attempts_added:,} calls, "
            f"{self.callbacks_added:,} callbacks, {self.meetings_added:,} meetings, "
            f"{self.consents_added:,} consents, {self.dnc_added:,} do-not-call numbers."
            + (
                f" {self.conflicts_kept:,} calls differ from ours (calls "
                + ", ".join(f"#{call}" for call in self.conflict_calls[:10])
                + (" …" if self.conflicts_kept > 10 else "")
                + "): their version is kept in the audit log, ours is unchanged."
                if self.conflicts_kept
                else ""
            )
            + (
                " The file has no history (made before Dialdesk kept one): its calls could not be"
                " checked against their events and are merged as they are."
                if self.without_history
                else ""
            )
            + (
                " Merged without their script version (this database has no version of the same text): "
                + "; ".join(
                    f"{count:,} calls with {why}" for why, count in self.script_versions_unmatched.items()
                )
                + "."
                if self.script_versions_unmatched
                else ""
            )
        )


def _setting(session: Session, key: str) -> Any:
    from desktop.storage.models import Setting

    row = session.get(Setting, key)
    if row is None:
        return None
    try:
        return json.loads(row.value)
    except json.JSONDecodeError:
        return None


def _identity(lead: Lead) -> lead_rules.LeadIdentity:
    return _identity_of(lead.identity_key or "", lead.first_name, lead.last_name, lead.company)


@dataclass
class _Known:
    """A lead of this database as the merge needs it: its identity, its numbers and its phone ids."""

    id: int
    identity: lead_rules.LeadIdentity
    phones: list[tuple[int, str | None, str]]  # (phone id, E.164, raw)
    empty: set[str]  # fields with nothing in them, which a colleague's data may fill
    fingerprint: str = ""  # how a lead with no name and no valid number is recognised (_Index)


FILLABLE = ("first_name", "last_name", "company", "title", "email", "state", "source")
# Where the callee lives by the list's ZIP/postal code: filled together (a code with another code's
# state or zone would place the callee nowhere real), and only when ours has none of them. The gate
# applies the ZIP's state rules too, so losing them in a merge would allow calls the ZIP forbids.
POSTAL = ("postal_code", "postal_state", "postal_zone")
POSTAL_MARK = "postal"


class _Index:
    """This database's leads by number (and by identity when they have none): what a colleague's
    lead may be. Loaded in two queries, so a second merge of a large list costs no query per lead.

    A lead with neither a name nor a valid number has no identity to match on: it is known by its
    fingerprint (`_anonymous_key`: when it was created, its numbers as typed, e-mail, list, source),
    which a merge copies unchanged, so merging it again finds it instead of adding it again.
    """

    def __init__(self, session: Session) -> None:
        self.leads: dict[int, _Known] = {}
        self.by_number: dict[str, list[_Known]] = {}
        self.by_key: dict[str, _Known] = {}
        self.anonymous: dict[str, _Known] = {}
        columns = [getattr(Lead, name) for name in (*FILLABLE, *POSTAL)]
        created: dict[int, tuple[Any, str, str, str]] = {}
        query = select(Lead.id, Lead.identity_key, Lead.created_at, Lead.list_name, *columns)
        for lead_id, key, created_at, list_name, *fields in session.execute(query):
            values = dict(zip((*FILLABLE, *POSTAL), fields, strict=True))
            empty = {name for name in FILLABLE if not values[name]}
            if not any(values[name] for name in POSTAL):
                empty.add(POSTAL_MARK)
            known = _Known(
                int(lead_id),
                _identity_of(str(key or ""), values["first_name"], values["last_name"], values["company"]),
                [],
                empty,
            )
            created[known.id] = (created_at, values["email"], list_name, values["source"])
            self.leads[known.id] = known
        for phone_id, lead_id, e164, raw in session.execute(
            select(Phone.id, Phone.lead_id, Phone.e164, Phone.raw).order_by(Phone.lead_id, Phone.position)
        ):
            owner = self.leads.get(int(lead_id))
            if owner is not None:
                owner.phones.append((int(phone_id), e164, str(raw)))
        for owner in list(self.leads.values()):
            owner.fingerprint = _anonymous_key(*created[owner.id], [raw for _id, _e164, raw in owner.phones])
            self.add(owner)

    def add(self, known: _Known) -> None:
        self.leads[known.id] = known
        numbers = {e164 for _id, e164, _raw in known.phones if e164}
        for number in numbers:
            self.by_number.setdefault(number, []).append(known)
        key = known.identity.key()
        if not numbers and key != "|":
            self.by_key.setdefault(key, known)
        if not numbers and key == "|":
            self.anonymous.setdefault(known.fingerprint, known)

    def find(self, lead: Lead) -> _Known | None:
        identity = _identity(lead)
        numbers = [phone.e164 for phone in lead.phones if phone.e164]
        for number in numbers:
            for known in self.by_number.get(number, []):
                if known.identity.same_as(identity):
                    return known
        if not numbers and identity.key() == "|":
            return self.anonymous.get(_fingerprint(lead))
        if not numbers:
            return self.by_key.get(identity.key())
        return None


def _anonymous_key(created_at: Any, email: str, list_name: str, source: str, raws: list[str]) -> str:
    moment = created_at.isoformat() if isinstance(created_at, datetime) else str(created_at)
    return json.dumps([moment, email or "", list_name or "", source or "", sorted(raws)], ensure_ascii=False)


def _fingerprint(lead: Lead) -> str:
    return _anonymous_key(
        lead.created_at, lead.email, lead.list_name, lead.source, [p.raw for p in lead.phones]
    )


def _identity_of(key: str, first: str, last: str, company: str) -> lead_rules.LeadIdentity:
    if "|" in key:
        person, _, firm = key.partition("|")
        return lead_rules.LeadIdentity(person, firm)
    return lead_rules.LeadIdentity.of(first, last, company)


@dataclass
class _Run:
    """One merge in progress: both sessions, how ids map from their database to this one, the tally."""

    uow: UnitOfWork
    source: Session
    source_id: str
    target_id: str
    report: MergeReport
    agents: dict[int, int] = field(default_factory=dict)  # their agent id -> ours (by name)
    leads: dict[int, int] = field(default_factory=dict)  # their lead id -> ours
    phones: dict[int, int] = field(default_factory=dict)  # their phone id -> ours
    previous: dict[int, datetime | None] = field(default_factory=dict)  # matched lead -> its last call
    added: set[int] = field(default_factory=set)  # leads added
    touched: set[int] = field(default_factory=set)  # leads whose calls changed
    relocated: set[int] = field(default_factory=set)  # matched leads whose state, ZIP or numbers changed

    @property
    def session(self) -> Session:
        return self.uow.session

    def agent(self, agent_id: int | None) -> int | None:
        return self.agents.get(agent_id) if agent_id is not None else None

    def lead(self, lead_id: int | None) -> int | None:
        return self.leads.get(lead_id) if lead_id is not None else None


class MergeService:
    """Merges colleagues' databases into this one."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        outcome_rules: OutcomeRules,
        hours: HoursKeys | None = None,
        agent_name: Callable[[], str] = lambda: "",
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._rules = outcome_rules
        self._hours = hours
        self._agent_name = agent_name

    def database_id(self) -> str:
        with self._uow_factory() as uow:
            return str(_setting(uow.session, DATABASE_ID) or "")

    def merge(
        self, source: str | Path, progress: Progress | None = None, cancelled: Cancelled | None = None
    ) -> MergeReport:
        """Fold the database file at `source` into this one; returns what was added."""
        path = Path(source).expanduser()
        if not path.is_file():
            raise MergeError(f"there is no database file {path}")
        own = sqlite_path(str(self._uow_factory.engine.url))
        if own is not None and own.exists() and path.resolve() == own.resolve():
            raise MergeError("that is this database: choose a colleague's file")
        engine: Engine | None = None
        with untrusted.interruptible(), untrusted.scratch_folder("merge") as folder:
            try:
                engine = self._open_copy(path, folder)
                with Session(engine) as source_session:
                    return self._merge(path, source_session, progress, cancelled)
            except (sqlite3.Error, DBAPIError) as error:
                if untrusted.stop_requested():
                    raise untrusted.Interrupted() from None
                found = failure_kind(error)
                # One line, no SQL and no link: what went wrong and with which file.
                raise MergeError(
                    f"cannot merge {path}: {found[1] if found else type(error).__name__}"
                ) from None
            finally:
                if engine is not None:
                    engine.dispose()

    def _open_copy(self, path: Path, folder: Path) -> Engine:
        """A private copy of their file, validated against the exact schema of its revision before any
        statement reads it, then upgraded (by our migrations, on the copy) to this version's schema."""
        try:
            copy = untrusted.copy_bytes(path, folder)
            untrusted.validate_copy(copy, path)
        except untrusted.UntrustedFileError as error:
            raise MergeError(str(error).removeprefix(f"{path}: ")) from None
        engine: Engine = untrusted.copy_engine(copy)
        try:
            upgrade(engine)
        except Exception as error:  # noqa: BLE001 - any failure is a file we cannot merge
            engine.dispose()
            if untrusted.stop_requested():
                raise untrusted.Interrupted() from None
            found = failure_kind(error)
            detail = found[1] if found else type(error).__name__
            raise MergeError(f"cannot upgrade a copy of {path} to this version's schema ({detail})") from None
        return engine

    def _merge(
        self, path: Path, source: Session, progress: Progress | None, cancelled: Cancelled | None
    ) -> MergeReport:
        source_id = str(_setting(source, DATABASE_ID) or "")
        source_agent = str(_setting(source, "agent_name") or "") or NO_AGENT
        report = MergeReport(source=path.name, database_id=source_id, agent=source_agent)
        own_agent = recording_name(self._agent_name())
        steps: list[Callable[[_Run], None]] = [
            self._prove_calls,
            self._agents,
            self._leads,
            self._attempts,
            self._callbacks,
            self._meetings,
            self._consents,
            self._dnc,
            self._answers,
            self._recount,
            self._history,
            self._release_checkout,
        ]
        with self._uow_factory() as uow:
            # The merge's connection to this database answers Ctrl+C too (a long statement included).
            untrusted.watch(uow.session.connection().connection.driver_connection)
            target_id = str(_setting(uow.session, DATABASE_ID) or "")
            if not source_id or not target_id:
                raise MergeError("a database has no id: open it once with this version of Dialdesk")
            if source_id == target_id and source_agent == own_agent:
                raise MergeError(
                    f"{path.name} is a copy of this database with the same agent name ({own_agent}); "
                    "give each copy its own agent name (File → Settings) before merging"
                )
            run = _Run(uow, source, source_id, target_id, report)
            for done, step in enumerate(steps):
                if cancelled is not None and cancelled():
                    raise MergeCancelled("the merge was cancelled: nothing was written")
                if progress is not None:
                    progress(done, len(steps))
                step(run)
            if report.changed:
                if (run.added or run.relocated) and self._hours is not None:
                    self._hours.backfill(uow, sorted(run.added | run.relocated))
                uow.leads.clear_gate_blocks()
                detail = json.dumps({"file": str(path), **report.to_json()}, ensure_ascii=False)
                uow.audit.record("merge", detail, uow.agents.get_or_create(own_agent).id, self._clock())
                uow.commit()
        if progress is not None:
            progress(len(steps), len(steps))
        if self._hours is not None:
            self._hours.forget()
        return report

    def _history(self, run: _Run) -> None:
        """Their events, with their own chains and hashes, verified (desktop/services/merge_history.py);
        into a team server through the same code, on its connection (storage/server_rows.py)."""
        from desktop.services.merge_history import HistoryMergeError, merge_history
        from desktop.storage.events import raw_connection

        tag = f"{run.source_id[:8]}-{run.report.agent}"
        try:
            run.report.events_added = merge_history(
                _history_rows(run), raw_connection(run.source), run.report.source, tag, self._clock()
            )
        except HistoryMergeError as error:
            raise MergeError(str(error)) from None

    def _prove_calls(self, run: _Run) -> None:
        """Their calls, each proven by its events before anything is copied (merge_history.py)."""
        from desktop.services.merge_history import HistoryMergeError, prove_their_calls
        from desktop.storage.events import raw_connection

        try:
            unproven = prove_their_calls(
                _history_rows(run), raw_connection(run.source), run.report.source, run.source_id
            )
        except HistoryMergeError as error:
            raise MergeError(str(error)) from None
        has_calls = run.source.scalar(select(func.count()).select_from(Attempt)) or 0
        run.report.without_history = unproven if has_calls else []

    def _release_checkout(self, run: _Run) -> None:
        """A local copy made by `team checkout` from this very database, merged back: the claims its
        agent took for the time offline end (desktop/services/team_checkout.py)."""
        origin = _setting(run.source, "team_checkout")
        if not isinstance(origin, dict) or origin.get("database_id") != run.target_id:
            return
        agent = run.session.scalar(select(Agent.id).where(Agent.name == str(origin.get("agent") or "")))
        leads = [int(lead) for lead in origin.get("leads") or [] if isinstance(lead, int)]
        if agent is None or not leads:
            return
        result: Any = run.session.execute(
            update(Lead)
            .where(Lead.id.in_(leads), Lead.claimed_by == agent)
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        run.report.claims_released += int(result.rowcount)

    # -- agents and leads -------------------------------------------------------------------------

    def _agents(self, run: _Run) -> None:
        """Agents by name: theirs become ours (created when new)."""
        from desktop.services.offline_hold import STAND_IN_AGENT

        for agent in run.source.scalars(select(Agent)):
            if agent.name == STAND_IN_AGENT:
                continue  # a checkout's placeholder holding the leads it copied only for the gate
            run.agents[int(agent.id)] = run.uow.agents.get_or_create(agent.name).id

    def _leads(self, run: _Run) -> None:
        """Each of their leads is one of ours (same number, same person or company) or is added."""
        session = run.session
        index = _Index(session)
        pending: list[tuple[Lead, Lead]] = []  # (theirs, the copy waiting for its id)
        last_call = {int(i): at for i, at in session.execute(select(Lead.id, Lead.last_attempt_at))}

        def settle() -> None:
            """Insert the waiting copies (one flush for many) and index them."""
            if not pending:
                return
            session.flush()
            for theirs, copy in pending:
                phones = [(p.id, p.e164, p.raw) for p in copy.phones]
                index.add(_Known(copy.id, _identity(copy), phones, set(), _fingerprint(copy)))
                run.added.add(copy.id)
                run.leads[theirs.id] = copy.id
                for mine, their_phone in zip(copy.phones, theirs.phones, strict=True):
                    run.phones[their_phone.id] = mine.id
            pending.clear()

        query = select(Lead).options(selectinload(Lead.phones)).order_by(Lead.id)
        for lead in run.source.scalars(query.execution_options(yield_per=BATCH)):
            known = index.find(lead)
            if known is None and any(_same_lead(lead, theirs) for theirs, _copy in pending):
                settle()  # a repeat within their own list: it is the copy just made
                known = index.find(lead)
            if known is None:
                pending.append((lead, self._copy_lead(session, lead, run)))
                run.report.leads_added += 1
                if len(pending) >= BATCH // 4:
                    settle()
                continue
            run.leads[lead.id] = known.id
            if known.id not in run.previous and known.id not in run.added:
                run.previous[known.id] = last_call.get(known.id)
                run.report.leads_matched += 1
            run.report.phones_added += self._fill(session, known, lead, run)
            for phone in lead.phones:
                for phone_id, e164, raw in known.phones:
                    if (e164 and e164 == phone.e164) or (not e164 and not phone.e164 and raw == phone.raw):
                        run.phones[phone.id] = phone_id
                        break
        settle()

    def _copy_lead(self, session: Session, lead: Lead, run: _Run) -> Lead:
        # hours_key stays empty: recomputed after the merge with this installation's rule book.
        values = _columns(lead, {"id", "owner_agent_id", "import_batch_id", "gate_block", "hours_key"})
        copy = Lead(**values, owner_agent_id=run.agent(lead.owner_agent_id))
        copy.phones = [Phone(**_columns(phone, {"id", "lead_id"})) for phone in lead.phones]
        session.add(copy)
        return copy

    def _fill(self, session: Session, known: _Known, lead: Lead, run: _Run) -> int:
        """Numbers the colleague has for this lead and we do not; empty fields they have filled."""
        ours_e164 = {e164 for _id, e164, _raw in known.phones if e164}
        ours_raw = {raw for _id, e164, raw in known.phones if not e164}
        new = [p for p in lead.phones if p.e164 not in ours_e164 and (p.e164 or p.raw not in ours_raw)]
        fills = {name: getattr(lead, name) for name in known.empty & set(FILLABLE) if getattr(lead, name)}
        if POSTAL_MARK in known.empty and any(getattr(lead, name) for name in POSTAL):
            fills.update({name: getattr(lead, name) for name in POSTAL})
            known.empty.discard(POSTAL_MARK)
        if fills:
            session.execute(update(Lead).where(Lead.id == known.id).values(**fills))
            known.empty -= set(fills)
            run.report.leads_filled += 1
        if new or fills.keys() & {"state", *POSTAL}:
            run.relocated.add(known.id)
        for phone in new:
            copy = Phone(**_columns(phone, {"id", "lead_id", "position"}))
            copy.lead_id, copy.position = known.id, len(known.phones)
            session.add(copy)
            session.flush()
            known.phones.append((copy.id, copy.e164, copy.raw))
        return len(new)

    # -- calls ------------------------------------------------------------------------------------

    def _call_keys(self, session: Session, database_id: str) -> dict[CallKey, tuple[int, bool]]:
        """Every call of a database by identity (database, id there, agent): (row id, merged?)."""
        rows = session.execute(select(Attempt.id, Attempt.origin_db, Attempt.origin_id, Attempt.agent_id))
        return {
            (str(origin_db or database_id), int(origin_id or row_id), agent_id): (
                int(row_id),
                origin_db is not None,
            )
            for row_id, origin_db, origin_id, agent_id in rows
        }

    def _attempts(self, run: _Run) -> None:
        """Their calls we do not have; calls merged before get what was recorded since (an outcome).

        Many calls next to ours: the report summaries are rebuilt once, not kept call by call.
        """
        theirs = run.source.scalar(select(func.count()).select_from(Attempt)) or 0
        ours = run.session.scalar(select(func.count()).select_from(Attempt)) or 0
        if not rollups.worth_deferring(theirs, ours):
            self._copy_attempts(run)
            return
        with rollups.summaries_deferred(run.session.connection(), rollups.rule_flags(self._rules)):
            self._copy_attempts(run)

    def _copy_attempts(self, run: _Run) -> None:
        """Their calls we lack are added; a call we have is never overwritten once it is complete.

        A call merged before without an outcome (in progress there) is completed from the file of the
        database it was made in (`origin_db` equal to the file's own id), nothing else. A different
        completed version, or a change offered by a file that is not the call's origin (a chained copy,
        or a file claiming someone else's origin), is a conflict: kept in the audit log and reported,
        not applied. A correction arrives as a new record that refers to the call it corrects.
        """
        session = run.session
        known = self._call_keys(session, run.target_id)
        theirs_by_row = {
            row_id: key for key, (row_id, _merged) in self._call_keys(run.source, run.source_id).items()
        }
        kept = kept_conflicts(session)
        versions = VersionMap(run.source, session)
        pending: list[dict[str, Any]] = []
        unproven = set(run.report.without_history)
        names = {int(agent_id): str(name) for agent_id, name in session.execute(select(Agent.id, Agent.name))}
        unproven_added: list[tuple[str, str | None, int]] = []  # (origin, agent name, id there)
        query = select(Attempt).order_by(Attempt.id).execution_options(yield_per=BATCH)
        for attempt in run.source.scalars(query):
            agent = run.agent(attempt.agent_id)
            origin_db, origin_id = attempt.origin_db or run.source_id, attempt.origin_id or attempt.id
            lead_id = run.lead(attempt.lead_id)
            existing = known.get((origin_db, origin_id, agent))
            if existing is not None:
                row_id, merged = existing
                if row_id and merged and origin_db != run.target_id:
                    self._reconcile(run, row_id, attempt, origin_db, kept, lead_id)
                continue
            values = _columns(
                attempt,
                {
                    "id",
                    "lead_id",
                    "phone_id",
                    "agent_id",
                    "origin_db",
                    "origin_id",
                    "corrects_id",
                    "script_version_id",
                },
            )
            phone_id = run.phones.get(attempt.phone_id) if attempt.phone_id is not None else None
            values.update(
                lead_id=lead_id, phone_id=phone_id, agent_id=agent, origin_db=origin_db, origin_id=origin_id
            )
            # Their version id names a row of their file: ours only when it is the same text.
            values["script_version_id"] = versions.ours(attempt.script_version_id)
            values["outcome"] = values["outcome"] or None  # an empty code is no outcome (migration 0007)
            if attempt.corrects_id is not None:
                run.report.attempts_added += _insert(
                    session, Attempt, pending
                )  # the corrected one gets its id
                values["corrects_id"] = _our_call(run, theirs_by_row.get(attempt.corrects_id))
            pending.append(values)
            known[(origin_db, origin_id, agent)] = (0, True)
            if origin_db in unproven:
                unproven_added.append((origin_db, names.get(agent) if agent is not None else None, origin_id))
            if lead_id is not None:
                run.touched.add(lead_id)
            if len(pending) >= BATCH:
                run.report.attempts_added += _insert(session, Attempt, pending)
        run.report.attempts_added += _insert(session, Attempt, pending)
        run.report.without_history_calls = unproven_calls_record(unproven_added)
        run.report.script_versions_unmatched = dict(sorted(versions.unmatched.items()))

    def _reconcile(
        self,
        run: _Run,
        row_id: int,
        attempt: Attempt,
        origin_db: str,
        kept: set[str],
        lead_id: int | None,
    ) -> None:
        """Their version of a call merged before: complete ours, ignore an older copy, or keep a conflict."""
        row = run.session.get(Attempt, row_id)
        if row is None:
            return
        theirs = record_of(attempt)
        ours = record_of(row)
        if theirs == ours:
            return
        if ours["outcome"] is not None and theirs["outcome"] is None:
            return  # an older copy, from before the outcome was recorded: nothing to take from it
        # Only the database a call was made in completes it, and only what a completion adds: a refused
        # decision never takes an outcome, and no call's time or verdict moves.
        completes = (
            ours["outcome"] is None
            and run.source_id == origin_db
            and row.allowed
            and bool(attempt.allowed)
            and theirs["started_at"] == ours["started_at"]
        )
        if completes:
            for name in RECORD_FIELDS:
                setattr(row, name, record_value(attempt, name))
            run.report.attempts_updated += 1
            if lead_id is not None:
                run.touched.add(lead_id)
            return
        detail = {
            "call_id": row_id,
            "file": run.report.source,
            "file_database": run.source_id,
            "origin_db": origin_db,
            "origin_id": attempt.origin_id or attempt.id,
            "theirs": theirs,
            "ours": ours,
        }
        key = json.dumps([row_id, theirs], sort_keys=True)
        if key in kept:
            return  # kept by an earlier merge of the same (or an equal) file
        kept.add(key)
        detail["key"] = key
        run.uow.audit.record(MERGE_CONFLICT, json.dumps(detail, ensure_ascii=False), None, self._clock())
        run.report.conflicts_kept += 1
        run.report.conflict_calls.append(row_id)

    # -- callbacks, meetings, consents, DNC, answers ----------------------------------------------

    def _callbacks(self, run: _Run) -> None:
        """Callbacks by lead, due time and agent; one kept there since the last merge is kept here."""
        session = run.session
        ours = {(row.lead_id, row.due_at, row.agent_id): row for row in session.scalars(select(Callback))}
        pending: list[dict[str, Any]] = []
        for callback in run.source.scalars(select(Callback)):
            lead_id, agent = run.lead(callback.lead_id), run.agent(callback.agent_id)
            if lead_id is None:
                continue
            existing = ours.get((lead_id, callback.due_at, agent))
            if existing is not None:
                if existing.done_at is None and callback.done_at is not None:
                    existing.done_at = callback.done_at
                    run.report.callbacks_updated += 1
                continue
            pending.append({**_columns(callback, {"id"}), "lead_id": lead_id, "agent_id": agent})
        run.report.callbacks_added += _insert(session, Callback, pending)

    def _meetings(self, run: _Run) -> None:
        """Meetings by lead and time."""
        added = _copy_new(run, Meeting, lambda row, lead: (lead, row.starts_at))
        run.report.meetings_added += added

    def _consents(self, run: _Run) -> None:
        """Consents by lead, kind and date."""
        added = _copy_new(run, Consent, lambda row, lead: (lead, row.kind, row.given_on))
        run.report.consents_added += added

    def _answers(self, run: _Run) -> None:
        """Script answers by lead, script, question and time, tied to the same call here."""
        run.session.flush()
        ours = {key: row_id for key, (row_id, _merged) in self._call_keys(run.session, run.target_id).items()}
        theirs = self._call_keys(run.source, run.source_id)
        calls: dict[int, int] = {}
        for (database, origin_id, agent_id), (row_id, _merged) in theirs.items():
            found = ours.get((database, origin_id, run.agent(agent_id)))
            if found is not None:
                calls[row_id] = found
        added = _copy_new(
            run,
            ScriptAnswer,
            lambda row, lead: (lead, row.script_name, row.question_id, row.answered_at),
            lambda row: {"attempt_id": calls.get(row.attempt_id) if row.attempt_id is not None else None},
        )
        run.report.answers_added += added

    def _dnc(self, run: _Run) -> None:
        """Do-not-call entries by number and source: an internal entry from any agent blocks everyone."""
        session = run.session
        ours = {(row.number, row.source) for row in session.scalars(select(DncEntry))}
        internal: list[str] = []
        for entry in run.source.scalars(select(DncEntry)):
            if (entry.number, entry.source) in ours:
                continue
            ours.add((entry.number, entry.source))
            values = _columns(entry, {"id", "lead_id", "agent_id"})
            session.add(
                DncEntry(**values, lead_id=run.lead(entry.lead_id), agent_id=run.agent(entry.agent_id))
            )
            if entry.source == "internal":
                internal.append(entry.number)
            run.report.dnc_added += 1
        if internal:
            session.flush()
            detail = json.dumps({"numbers": internal, "via": "merge", "from": run.report.source})
            run.uow.audit.record("dnc_add", detail, None, self._clock())

    # -- counters and the queue -------------------------------------------------------------------

    def _recount(self, run: _Run) -> None:
        """Each lead with new calls gets its counters from all its calls; a matched lead whose latest
        call was the colleague's takes its place in the sequence (status, next try) from them."""
        session = run.session
        session.flush()
        counted = [rule.code for rule in self._rules if rule.counts_as_attempt]
        contact = [rule.code for rule in self._rules if rule.counts_as_contact]
        theirs = {
            run.leads[lead.id]: lead
            for lead in run.source.scalars(select(Lead).where(Lead.last_attempt_at.is_not(None)))
            if lead.id in run.leads and run.leads[lead.id] in run.touched
        }
        ordered = sorted(run.touched)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            stats = session.execute(
                select(
                    Attempt.lead_id,
                    func.sum(case((Attempt.outcome.in_(counted), 1), else_=0)),
                    func.sum(case((Attempt.outcome.in_(contact), 1), else_=0)),
                    func.max(Attempt.started_at),
                )
                .where(Attempt.lead_id.in_(chunk), Attempt.allowed.is_(True), Attempt.outcome.is_not(None))
                .group_by(Attempt.lead_id)
            )
            for lead_id, attempts, contacts, last in stats:
                lead = session.get(Lead, int(lead_id))
                if lead is None:
                    continue
                values: dict[str, Any] = {
                    "attempt_count": int(attempts or 0),
                    "contact_count": int(contacts or 0),
                }
                their = theirs.get(lead.id)
                mine = run.previous.get(lead.id, lead.last_attempt_at)
                if (
                    lead.id in run.previous
                    and their is not None
                    and their.last_attempt_at is not None
                    and (mine is None or their.last_attempt_at > mine)
                ):
                    values.update(
                        status=their.status,
                        next_due_at=their.next_due_at,
                        due_reason=their.due_reason,
                        last_outcome=their.last_outcome,
                        last_attempt_at=their.last_attempt_at,
                    )
                elif last is not None and (lead.last_attempt_at is None or last > lead.last_attempt_at):
                    values["last_attempt_at"] = last
                if any(getattr(lead, key) != value for key, value in values.items()):
                    session.execute(update(Lead).where(Lead.id == lead.id).values(**values))


def _history_rows(run: _Run) -> Any:
    """This database's events as merge_history reads and writes them: its SQLite connection, or a team
    server's rows through the same sqlite3-style interface (storage/server_rows.py)."""
    from desktop.storage.events import raw_connection
    from desktop.storage.server_rows import history_rows

    if run.session.get_bind().dialect.name == "sqlite":
        return raw_connection(run.session)
    return history_rows(run.session)


def _columns(row: Any, skip: set[str]) -> dict[str, Any]:
    """A row's column values (by attribute name), without `skip`."""
    return {
        column.key: getattr(row, column.key)
        for column in type(row).__table__.columns
        if column.key not in skip
    }


def _same_lead(lead: Lead, other: Lead) -> bool:
    numbers = {p.e164 for p in lead.phones if p.e164}
    shared = numbers & {p.e164 for p in other.phones if p.e164}
    return bool(shared) and _identity(lead).same_as(_identity(other))


def _our_call(run: _Run, key: CallKey | None) -> int | None:
    """Our row of one of their calls, by its identity (database, id there, their agent id)."""
    if key is None:
        return None
    database, origin_id, agent_id = key
    agent = run.agent(agent_id)
    found = run.session.scalar(
        select(Attempt.id).where(
            Attempt.origin_db.is_(None) if database == run.target_id else Attempt.origin_db == database,
            (Attempt.id if database == run.target_id else Attempt.origin_id) == origin_id,
            Attempt.agent_id.is_(None) if agent is None else Attempt.agent_id == agent,
        )
    )
    return int(found) if found is not None else None


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> int:
    count = len(rows)
    if rows:
        session.execute(insert(model), rows)
        rows.clear()
    return count


def _copy_new(
    run: _Run,
    model: Any,
    key: Callable[[Any, int], tuple[Any, ...]],
    extra: Callable[[Any], dict[str, Any]] | None = None,
) -> int:
    """Copy their rows of `model` (which belong to a lead) that we lack, by `key(row, our lead id)`."""
    ours = {key(row, row.lead_id) for row in run.session.scalars(select(model))}
    pending: list[dict[str, Any]] = []
    for row in run.source.scalars(select(model)):
        lead_id = run.lead(row.lead_id)
        if lead_id is None or key(row, lead_id) in ours:
            continue
        ours.add(key(row, lead_id))
        values = {**_columns(row, {"id"}), "lead_id": lead_id}
        if "agent_id" in values:
            values["agent_id"] = run.agent(row.agent_id)
        if extra is not None:
            values.update(extra(row))
        pending.append(values)
    return _insert(run.session, model, pending)


class WorkspaceLike(Protocol):
    """What a merge needs of an open workspace (desktop.services.workspace.Workspace)."""

    uow: UnitOfWorkFactory
    clock: Clock

    @property
    def calling(self) -> Any: ...

    @property
    def hours(self) -> HoursKeys: ...

    def current_settings(self) -> Any: ...


def merge_service_for(workspace: WorkspaceLike) -> MergeService:
    """A merge service on a workspace's database, with its outcome rules, hours keys and agent name."""
    return MergeService(
        workspace.uow,
        workspace.clock,
        workspace.calling.outcome_rules,
        workspace.hours,
        agent_name=lambda: str(workspace.current_settings().agent_name),
    )
