"""Call scripts as use cases: the catalogue, which script a lead gets, answers, promised callbacks,
per-script figures and rehearsal audio.

Shipped scripts are the YAML files in resources/scripts/. Imported scripts live in the database
(table `scripts`), as the exact text of the file: the database is the one file a user backs up and
the one that will be shared when several agents work on PostgreSQL, assignments and answers refer
to scripts by name inside it, and an import is then one all-or-nothing transaction. An imported
script with the name of a shipped one takes its place; exporting gives back the same text.

The queries use the unit of work's session directly (there is no ScriptRepository in
storage/repositories.py yet); they are portable SQLAlchemy like the rest.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, delete, func, select

from desktop.domain import leads as lead_rules
from desktop.domain.outcomes import OutcomeRules
from desktop.domain.script_answers import AnswerError, parse_answer, route_for
from desktop.domain.script_engine import ScriptSession, Step, reading_text
from desktop.domain.script_format import (
    SCRIPT_SUFFIXES,
    CheckedScript,
    ScriptFormatError,
    check_script,
    load_script,
)
from desktop.domain.script_yaml import MAX_SCRIPT_CHARS
from desktop.domain.scripts import (
    REHEARSAL_VALUES,
    CallScript,
    ScriptAssignments,
    answer_text,
    callback_due,
    choose_script_name,
    field_values,
    render_text,
)
from desktop.services.agents import recording_name
from desktop.services.callbacks import past_time_problem
from desktop.services.clock import Clock
from desktop.services.script_versions import has_versions, save_version
from desktop.storage.models import (
    Agent,
    Attempt,
    Callback,
    Lead,
    ScriptAnswer,
    ScriptAssignment,
    StoredScript,
)
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory

SHIPPED = "shipped"
IMPORTED = "imported"
ASSIGNMENT_SCOPES = ("lead", "list", "warmth", "default")
# Answers typed this long after a call started still belong to it (notes taken after hanging up).
CALL_ANSWER_WINDOW = timedelta(hours=2)


# Built once: showing a lead reads its answers, the stored scripts and the assignments every time.
_ANSWERS = (
    select(ScriptAnswer, Agent.name)
    .outerjoin(Agent, Agent.id == ScriptAnswer.agent_id)
    .order_by(ScriptAnswer.lead_id, ScriptAnswer.answered_at, ScriptAnswer.id)
)
_ANSWERS_OF_LEADS = _ANSWERS.where(ScriptAnswer.lead_id.in_(bindparam("lead_ids", expanding=True)))
_STORED_SCRIPT_TEXTS = select(StoredScript.name, StoredScript.source_text)
_ALL_ASSIGNMENTS = select(ScriptAssignment)


class ScriptError(Exception):
    """A script use case that cannot be done; the message is meant for the user."""


@dataclass(frozen=True)
class ScriptInfo:
    """One script in the catalogue."""

    name: str
    title: str
    language: str
    audience: str
    origin: str  # shipped | imported
    file: str
    description: str = ""
    translation_of: str | None = None
    replaces_shipped: bool = False


@dataclass(frozen=True)
class SavedAnswer:
    """An answer as the lead card, the history and exports show it."""

    id: int
    lead_id: int
    script_name: str
    stage_id: str
    question_id: str
    question: str
    kind: str
    value: str
    label: str
    answered_at: datetime
    agent: str
    attempt_id: int | None


@dataclass(frozen=True)
class ScheduledCallback:
    """A callback put in the calendar from an advice or objection card."""

    callback_id: int
    lead_id: int
    due_at: datetime
    note: str


@dataclass(frozen=True)
class Assignment:
    """A script assigned to a lead, a list, a warmth, or to everyone (scope "default")."""

    scope: str
    target: str
    script_name: str
    assigned_at: datetime


@dataclass(frozen=True)
class ScriptFigures:
    """How calls went under one script: calls with an outcome, connects, meetings, meeting rate."""

    script_name: str
    title: str
    calls: int
    connects: int
    meetings: int
    leads_answered: int

    @property
    def meeting_rate(self) -> float | None:
        """Meetings per connect; None before the first connect."""
        return self.meetings / self.connects if self.connects else None


class WorkspaceLike(Protocol):
    """What a script service needs from an open workspace (desktop.services.workspace.Workspace)."""

    uow: UnitOfWorkFactory
    clock: Clock

    def current_settings(self) -> Any: ...

    def agent_name(self) -> str: ...


def script_service_for(workspace: WorkspaceLike) -> ScriptService:
    """A script service on a workspace's database, clock and settings (agent name, firm)."""
    from desktop.services.rules import shipped_outcome_rules

    return ScriptService(
        workspace.uow,
        workspace.clock,
        shipped_outcome_rules(),
        agent_name=workspace.agent_name,
        firm_name=lambda: str(workspace.current_settings().firm_name),
        firm_contact=lambda: _firm_contact(workspace.current_settings()),
    )


def _firm_contact(settings: Any) -> tuple[str, str]:
    return str(settings.firm_address), str(settings.callback_number)


def shipped_scripts_dir() -> Path:
    from desktop.paths import resource

    return resource("scripts")


class ScriptService:
    """Everything about scripts that needs the database, the clock or the file system."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        outcome_rules: OutcomeRules,
        agent_name: Callable[[], str] = lambda: "",
        firm_name: Callable[[], str] = lambda: "",
        shipped_dir: Path | None = None,
        firm_contact: Callable[[], tuple[str, str]] = lambda: ("", ""),
    ) -> None:
        # (firm address, callback number) from the settings: what an opening discloses.
        self._firm_contact = firm_contact
        self._uow_factory = uow_factory
        self._clock = clock
        self._rules = outcome_rules
        self._agent_name = agent_name
        self._firm_name = firm_name
        self._shipped_dir = shipped_dir
        self._parsed: dict[str, CallScript] = {}
        # The shipped scripts as last read: the (path, mtime, size) of each file they came from, the
        # scripts by name, and their file texts by name.
        self._shipped_read: (
            tuple[tuple[tuple[str, int, int], ...], dict[str, tuple[Path, CallScript]], dict[str, str]] | None
        )
        self._shipped_read = None

    # -- the catalogue ---------------------------------------------------------------------------

    def _shipped_files(self) -> list[Path]:
        folder = self._shipped_dir or shipped_scripts_dir()
        return sorted(path for path in folder.iterdir() if path.suffix in SCRIPT_SUFFIXES)

    def _parse(self, text: str, source: str) -> CallScript:
        # Parsing is cached by content: the panel asks for the script of every lead it shows.
        key = sha256(text.encode("utf-8")).hexdigest()
        if key not in self._parsed:
            self._parsed[key] = load_script(text, source)
        return self._parsed[key]

    def _shipped(self) -> dict[str, tuple[Path, CallScript]]:
        # Read again only when a file changed (the panel asks for every lead it shows).
        files = self._shipped_files()
        stats = [(path, path.stat()) for path in files]
        signature = tuple((str(path), stat.st_mtime_ns, stat.st_size) for path, stat in stats)
        if self._shipped_read is None or self._shipped_read[0] != signature:
            found: dict[str, tuple[Path, CallScript]] = {}
            texts: dict[str, str] = {}
            for path in files:
                text = path.read_text(encoding="utf-8")
                script = self._parse(text, str(path))
                found[script.name] = (path, script)
                texts[script.name] = text
            # Replaced whole: a reader never pairs one reading's scripts with another's texts.
            self._shipped_read = (signature, found, texts)
        return dict(self._shipped_read[1])

    def _shipped_texts(self) -> dict[str, str]:
        """The file text of every shipped script by name, read with `_shipped` (not at every call)."""
        self._shipped()
        assert self._shipped_read is not None
        return self._shipped_read[2]

    def _imported(self) -> dict[str, StoredScript]:
        with self._uow_factory() as uow:
            return {row.name: row for row in uow.session.scalars(select(StoredScript))}

    def catalog(self) -> list[ScriptInfo]:
        """Every script available, imported ones in place of shipped ones of the same name."""
        shipped = self._shipped()
        infos: dict[str, ScriptInfo] = {
            name: _info(script, SHIPPED, str(path)) for name, (path, script) in shipped.items()
        }
        for name, row in self._imported().items():
            script = self._parse(row.source_text, f"{name} (imported)")
            infos[name] = _info(script, IMPORTED, row.file_name, replaces_shipped=name in shipped)
        return sorted(infos.values(), key=lambda info: (info.title.casefold(), info.name))

    def names(self) -> set[str]:
        return {info.name for info in self.catalog()}

    def source_text(self, name: str) -> str:
        """The file text of a script, exactly as shipped or imported."""
        imported = self._imported().get(name)
        if imported is not None:
            return imported.source_text
        shipped = self._shipped().get(name)
        if shipped is None:
            raise ScriptError(f"there is no script {name!r}; see `dialdesk scripts list`")
        return shipped[0].read_text(encoding="utf-8")

    def texts(self) -> dict[str, str]:
        """The text in force of every script by name (imported ones in place of shipped ones)."""
        found = dict(self._shipped_texts())
        found.update({name: row.source_text for name, row in self._imported().items()})
        return found

    def load(self, name: str) -> CallScript:
        return self._parse(self.source_text(name), name)

    @staticmethod
    def check_file(path: Path) -> CheckedScript:
        """Validate a file without storing it (errors and warnings with their lines)."""
        try:
            with path.open("rb") as handle:
                # Read one byte past the limit to know it was passed, never the whole of a huge file.
                data = handle.read(MAX_SCRIPT_CHARS * 4 + 1)
            if len(data) > MAX_SCRIPT_CHARS * 4:
                raise ScriptError(f"{path} is larger than a script can be ({MAX_SCRIPT_CHARS} characters)")
            text = data.decode("utf-8")
        except OSError as error:
            raise ScriptError(f"cannot read {path}: {error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise ScriptError(f"{path} is not UTF-8 text ({error.reason})") from None
        return check_script(text, str(path))

    def import_file(self, path: Path) -> ScriptInfo:
        """Store a script file in the database; raises ScriptFormatError (nothing stored) when invalid."""
        checked = self.check_file(path)
        if checked.script is None:
            raise ScriptFormatError(checked.problems)
        script = checked.script
        now = self._clock()
        shipped = self._shipped().get(script.name)
        with self._uow_factory() as uow:
            row = uow.session.scalars(select(StoredScript).where(StoredScript.name == script.name)).first()
            if row is None:
                row = StoredScript(name=script.name)
                uow.session.add(row)
            row.title, row.language, row.source_text = script.title, script.language, script.source
            row.file_name, row.imported_at = str(path), now
            # The text saved is a numbered version (none made when it is the latest one already). A
            # shipped text in force until now, never versioned yet, is its version first.
            saved_by = self._agent_name() or "agent"
            if shipped is not None and not has_versions(uow, script.name):
                save_version(uow, script.name, shipped[0].read_text(encoding="utf-8"), saved_by, now)
            save_version(uow, script.name, script.source, saved_by, now)
            uow.audit.record(
                "script_import",
                json.dumps({"name": script.name, "file": str(path)}),
                self._agent_id(uow),
                now,
            )
            uow.commit()
        return _info(script, IMPORTED, str(path), replaces_shipped=shipped is not None)

    def remove_imported(self, name: str) -> None:
        """Forget an imported script (a shipped script of the same name comes back)."""
        with self._uow_factory() as uow:
            result = uow.session.execute(delete(StoredScript).where(StoredScript.name == name))
            if not getattr(result, "rowcount", 0):
                raise ScriptError(f"no imported script is called {name!r}")
            uow.commit()

    def export(self, name: str, out: Path) -> Path:
        """Write the script's file text to `out`, unchanged, ready to edit and import again."""
        text = self.source_text(name)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        return out

    # -- which script a lead gets ----------------------------------------------------------------

    def assign(self, scope: str, target: str | int, script_name: str | None) -> None:
        """Assign a script to a lead (target: lead id), a list, a warmth or everyone ("default");
        `script_name=None` removes the assignment."""
        if scope not in ASSIGNMENT_SCOPES:
            raise ScriptError(
                f"unknown assignment scope {scope!r}; use one of {', '.join(ASSIGNMENT_SCOPES)}"
            )
        if script_name is not None and script_name not in self.names():
            raise ScriptError(f"there is no script {script_name!r}; see `dialdesk scripts list`")
        key = "" if scope == "default" else str(target)
        with self._uow_factory() as uow:
            lead_id = self._lead(uow, int(target)).id if scope == "lead" else None
            row = uow.session.scalars(
                select(ScriptAssignment).where(
                    ScriptAssignment.scope == scope, ScriptAssignment.target == key
                )
            ).first()
            if script_name is None:
                if row is not None:
                    uow.session.delete(row)
            else:
                if row is None:
                    row = ScriptAssignment(scope=scope, target=key, lead_id=lead_id)
                    uow.session.add(row)
                row.script_name, row.assigned_at = script_name, self._clock()
            uow.commit()

    def assign_list(self, list_name: str, script_name: str | None) -> None:
        self.assign("list", list_name, script_name)

    def assign_lead(self, lead_id: int, script_name: str | None) -> None:
        self.assign("lead", lead_id, script_name)

    def assignments(self) -> list[Assignment]:
        with self._uow_factory() as uow:
            rows = uow.session.scalars(select(ScriptAssignment).order_by(ScriptAssignment.scope))
            return [Assignment(r.scope, r.target, r.script_name, r.assigned_at) for r in rows]

    def _assignments(self, uow: UnitOfWork) -> ScriptAssignments:
        by_lead: dict[int, str] = {}
        by_list: dict[str, str] = {}
        by_warmth: dict[str, str] = {}
        default: str | None = None
        for row in uow.session.scalars(_ALL_ASSIGNMENTS):
            if row.scope == "lead" and row.target.isdigit():
                by_lead[int(row.target)] = row.script_name
            elif row.scope == "list":
                by_list[row.target] = row.script_name
            elif row.scope == "warmth":
                by_warmth[row.target] = row.script_name
            elif row.scope == "default":
                default = row.script_name
        return ScriptAssignments(by_lead, by_list, by_warmth, default)

    def script_name_for_lead(self, lead: int | Lead) -> str:
        available = self.names()
        lead_id = lead if isinstance(lead, int) else lead.id
        with self._uow_factory() as uow:
            return self._choose_for_lead(uow, lead_id, available)

    def script_in_force(self, uow: UnitOfWork, lead_id: int) -> tuple[str, str]:
        """(name, file text) of the script a call to this lead uses, read in the caller's unit of work:
        the choice `script_name_for_lead` makes and the text `texts()` gives it, with the stored scripts
        read once (every call asks; a team agent's call reads them on the server)."""
        stored: dict[str, str] = {name: text for name, text in uow.session.execute(_STORED_SCRIPT_TEXTS)}
        shipped = self._shipped_texts()  # the files as they are now (read again only when one changed)
        name = self._choose_for_lead(uow, lead_id, set(shipped) | set(stored))
        text = stored.get(name, shipped.get(name))
        if text is None:  # a name chosen from the two sets above has a text in one of them
            raise ScriptError(f"there is no script {name!r}; see `dialdesk scripts list`")
        return name, text

    def _choose_for_lead(self, uow: UnitOfWork, lead_id: int, available: set[str]) -> str:
        # Only the three columns the choice reads: every call asks, and a whole lead with its phones
        # was most of the time it took.
        facts = uow.session.execute(
            select(Lead.list_name, Lead.warmth, Lead.kind).where(Lead.id == lead_id)
        ).first()
        if facts is None:
            raise ScriptError(f"there is no lead #{lead_id}")
        name = choose_script_name(lead_id, facts[0], facts[1], facts[2], self._assignments(uow), available)
        if name is None:
            raise ScriptError("no call script is available: import one with `dialdesk scripts import FILE`")
        return name

    def script_for_lead(self, lead: int | Lead) -> CallScript:
        """The script in force for a lead (an id or a row): its own assignment, its list's, its
        warmth's, the default one, else the shipped one for its kind (business or residential).

        The same choice as `load(script_name_for_lead(lead))`, with the stored scripts read once.
        """
        lead_id = lead if isinstance(lead, int) else lead.id
        with self._uow_factory() as uow:
            return self._script_for(uow, self._lead(uow, lead_id))

    def _script_for(self, uow: UnitOfWork, row: Lead) -> CallScript:
        shipped = self._shipped()
        imported = {name: text for name, text in uow.session.execute(_STORED_SCRIPT_TEXTS)}
        name = choose_script_name(
            row.id, row.list_name, row.warmth, row.kind, self._assignments(uow), {*shipped, *imported}
        )
        if name is None:
            raise ScriptError("no call script is available: import one with `dialdesk scripts import FILE`")
        if name in imported:
            return self._parse(imported[name], name)
        return shipped[name][1]

    # -- during a call ---------------------------------------------------------------------------

    def lead_values(self, lead_id: int) -> dict[str, str]:
        """The fields a script fills in for this lead and this agent."""
        with self._uow_factory() as uow:
            lead = self._lead(uow, lead_id)
            return self._values(lead)

    def _values(self, lead: Lead) -> dict[str, str]:
        address, callback = self._firm_contact()
        return lead_field_values(lead, self._agent_name(), self._firm_name(), address, callback)

    def start_session(
        self, lead_id: int, script_name: str | None = None, answers: Sequence[SavedAnswer] | None = None
    ) -> ScriptSession:
        """A walk through the lead's script (or `script_name`), with earlier answers filled in and
        the advice they brought up shown again. `answers`: the lead's answers as `answers_for_lead`
        gives them, when the caller has just read them (else they are read here)."""
        now = self._clock()
        with self._uow_factory() as uow:
            lead = self._lead(uow, lead_id)
            script = self.load(script_name) if script_name else self._script_for(uow, lead)
            values = self._values(lead)
            today = _local_date(lead, now)
        session = ScriptSession(script, values, today)
        given = self.answers_for_lead(lead_id) if answers is None else answers
        for saved in _latest(given, script.name).values():
            if not script.has_question(saved.question_id):
                continue
            question = script.question(saved.question_id)
            try:
                answer = parse_answer(question, saved.value)
            except AnswerError:
                continue  # the script changed since; the old answer stays in the history only
            session.answers[question.id] = answer
            for card in route_for(question, answer, today).advice:
                if card not in session.advice_ids:
                    session.advice_ids.append(card)
        return session

    def record_answer(
        self,
        lead_id: int,
        script_name: str,
        question_id: str,
        raw: object,
        attempt_id: int | None = None,
    ) -> SavedAnswer:
        """Validate an answer and commit it at once (raises AnswerError when it does not fit).

        Without `attempt_id` the answer belongs to the lead's call in progress, if any: the latest
        allowed call started within CALL_ANSWER_WINDOW.
        """
        script = self.load(script_name)
        if not script.has_question(question_id):
            raise ScriptError(f"script {script_name!r} has no question {question_id!r}")
        stage, question = script.locate_question(question_id)
        answer = parse_answer(question, raw)
        now = self._clock()
        with self._uow_factory() as uow:
            lead = self._lead(uow, lead_id)
            if attempt_id is None:
                attempt_id = _call_in_progress(uow, lead_id, now)
            agent = uow.agents.get_or_create(recording_name(self._agent_name()))
            row = ScriptAnswer(
                lead_id=lead_id,
                script_name=script.name,
                stage_id=stage.id,
                question_id=question.id,
                kind=answer.kind,
                value=answer.value,
                label=answer.label,
                answered_at=now,
                agent_id=agent.id,
                attempt_id=attempt_id,
            )
            uow.session.add(row)
            uow.commit()
            return _saved(row, agent.name, question.ask, self._values(lead))

    def answer(
        self,
        session: ScriptSession,
        lead_id: int,
        raw: object,
        question_id: str | None = None,
        attempt_id: int | None = None,
    ) -> Step:
        """The panel's one call for an answer: save it for the lead at once, then move the session on.

        Raises AnswerError (nothing saved, nothing moved) when the answer does not fit the question.
        """
        target = question_id or (session.question.id if session.question is not None else None)
        if target is None:
            raise ScriptError("there is no question to answer here")
        self.record_answer(lead_id, session.script.name, target, raw, attempt_id)
        return session.answer(raw, target)

    def answers_for_lead(self, lead_id: int) -> list[SavedAnswer]:
        """Every answer given for a lead, oldest first (a changed answer shows both)."""
        return self.answers_by_lead([lead_id]).get(lead_id, [])

    def latest_answers(self, lead_id: int, script_name: str | None = None) -> dict[str, SavedAnswer]:
        """The current answer to each question (the last one given), optionally for one script."""
        return _latest(self.answers_for_lead(lead_id), script_name)

    def answers_by_lead(self, lead_ids: Sequence[int] | None = None) -> dict[int, list[SavedAnswer]]:
        """Answers grouped by lead, oldest first: what exports attach to each lead."""
        query = _ANSWERS if lead_ids is None else _ANSWERS_OF_LEADS
        params = {} if lead_ids is None else {"lead_ids": list(lead_ids)}
        with self._uow_factory() as uow:
            rows = [(row, agent_name or "") for row, agent_name in uow.session.execute(query, params)]
            # Labels and questions are templates ("{first_name} is on the line"): shown filled in.
            agent, firm = self._agent_name(), self._firm_name()
            answered = select(Lead).where(Lead.id.in_({row.lead_id for row, _agent in rows}))
            values = (
                {lead.id: lead_field_values(lead, agent, firm) for lead in uow.session.scalars(answered)}
                if rows
                else {}
            )
        scripts: dict[str, CallScript | None] = {}
        grouped: dict[int, list[SavedAnswer]] = {}
        for row, agent_name in rows:
            if row.script_name not in scripts:
                scripts[row.script_name] = self._load_or_none(row.script_name)
            script = scripts[row.script_name]
            ask = (
                script.question(row.question_id).ask
                if script is not None and script.has_question(row.question_id)
                else row.question_id
            )
            grouped.setdefault(row.lead_id, []).append(
                _saved(row, agent_name, ask, values.get(row.lead_id, {}))
            )
        return grouped

    def export_records(self) -> Iterator[dict[str, object]]:
        """One flat record per answer (for CSV/XLSX/JSON exports)."""
        for lead_id, answers in self.answers_by_lead().items():
            for saved in answers:
                yield {
                    "lead_id": lead_id,
                    "script": saved.script_name,
                    "stage": saved.stage_id,
                    "question_id": saved.question_id,
                    "question": saved.question,
                    "value": saved.value,
                    "answer": saved.label,
                    "answered_at": saved.answered_at.isoformat(),
                    "agent": saved.agent,
                    "call_id": saved.attempt_id,
                }

    def _load_or_none(self, name: str) -> CallScript | None:
        """The script, or None when it was removed since (its answers stay readable by id)."""
        try:
            return self.load(name)
        except (ScriptError, ScriptFormatError):
            return None

    # -- promised callbacks ----------------------------------------------------------------------

    def schedule_callback(
        self, lead_id: int, after: timedelta, note: str = "", due_at: datetime | None = None
    ) -> ScheduledCallback:
        """Put a promised callback in the calendar and move the lead to the callback queue, the way
        recording the outcome "callback" does. A lead on do-not-call is never brought back."""
        if due_at is not None and due_at.tzinfo is None:
            raise ScriptError("give the callback time with a UTC offset")
        now = self._clock()
        problem = past_time_problem(due_at, now) if due_at is not None else None
        if problem:
            raise ScriptError(problem)
        with self._uow_factory() as uow:
            lead = self._lead(uow, lead_id)
            if lead.status == lead_rules.STATUS_DO_NOT_CALL:
                raise ScriptError(f"lead #{lead_id} asked not to be called: no callback can be scheduled")
            zones = [zone for phone in lead.phones for zone in phone.zone_list]
            due = due_at or callback_due(now, after, zones[0] if zones else None)
            # One promise at a time, as recording an outcome does: the newest replaces older ones.
            uow.callbacks.close_open_for_lead(lead.id, now)
            callback = uow.callbacks.add(
                Callback(lead_id=lead.id, agent_id=self._agent_id(uow), due_at=due, note=note, created_at=now)
            )
            lead.status = lead_rules.STATUS_ACTIVE
            lead.next_due_at = due
            lead.due_reason = "callback"
            uow.commit()
            return ScheduledCallback(callback.id, lead.id, due, note)

    def schedule_advice_callback(
        self, lead_id: int, script_name: str, advice_id: str, due_at: datetime | None = None
    ) -> ScheduledCallback:
        """The one-click callback of an advice card: its offset, its note."""
        script = self.load(script_name)
        try:
            card = script.advice_card(advice_id)
        except KeyError as error:
            raise ScriptError(str(error.args[0])) from None
        if card.callback_after is None and due_at is None:
            raise ScriptError(f"advice card {advice_id!r} promises no callback")
        return self.schedule_callback(
            lead_id, card.callback_after or timedelta(0), card.callback_note or card.title, due_at
        )

    # -- figures for reports ---------------------------------------------------------------------

    def figures(self, since: datetime | None = None, until: datetime | None = None) -> list[ScriptFigures]:
        """Per script: calls with an outcome, connects, meetings and the meeting rate.

        A call belongs to the script its answers were given in; a call without answers to the
        script assigned to its lead now.
        """
        by_attempt = (
            select(ScriptAnswer.attempt_id, func.min(ScriptAnswer.script_name).label("script_name"))
            .where(ScriptAnswer.attempt_id.is_not(None))
            .group_by(ScriptAnswer.attempt_id)
            .subquery()
        )
        query = (
            select(Attempt.lead_id, Attempt.outcome, by_attempt.c.script_name, func.count(Attempt.id))
            .outerjoin(by_attempt, by_attempt.c.attempt_id == Attempt.id)
            .where(Attempt.allowed.is_(True), Attempt.outcome.is_not(None), Attempt.lead_id.is_not(None))
            .group_by(Attempt.lead_id, Attempt.outcome, by_attempt.c.script_name)
        )
        if since is not None:
            query = query.where(Attempt.started_at >= since)
        if until is not None:
            query = query.where(Attempt.started_at < until)
        catalog = {info.name: info for info in self.catalog()}
        calls: Counter[str] = Counter()
        connects: Counter[str] = Counter()
        meetings: Counter[str] = Counter()
        with self._uow_factory() as uow:
            rows = list(uow.session.execute(query))
            unattributed = {int(lead_id) for lead_id, _, script, _ in rows if script is None}
            resolved = self._resolve_many(uow, unattributed, set(catalog))
            answered = Counter(
                str(name)
                for name, _lead in uow.session.execute(
                    select(ScriptAnswer.script_name, ScriptAnswer.lead_id).distinct()
                )
            )
        for lead_id, outcome, script, count in rows:
            name = str(script) if script is not None else resolved.get(int(lead_id), "")
            calls[name] += int(count)
            if self._counts_as_contact(str(outcome)):
                connects[name] += int(count)
            if outcome == "meeting":
                meetings[name] += int(count)
        names = sorted(set(calls) | set(answered), key=lambda n: (n == "", n))
        return [
            ScriptFigures(
                script_name=name,
                title=catalog[name].title if name in catalog else name or "(no script)",
                calls=calls[name],
                connects=connects[name],
                meetings=meetings[name],
                leads_answered=answered[name],
            )
            for name in names
        ]

    def _counts_as_contact(self, outcome: str) -> bool:
        try:
            return self._rules.get(outcome).counts_as_contact
        except ValueError:
            return False

    def _resolve_many(self, uow: UnitOfWork, lead_ids: set[int], available: set[str]) -> dict[int, str]:
        if not lead_ids:
            return {}
        assignments = self._assignments(uow)
        rows = uow.session.execute(
            select(Lead.id, Lead.list_name, Lead.warmth, Lead.kind).where(Lead.id.in_(sorted(lead_ids)))
        )
        return {
            int(lead_id): choose_script_name(int(lead_id), list_name, warmth, kind, assignments, available)
            or ""
            for lead_id, list_name, warmth, kind in rows
        }

    # -- rehearsal -------------------------------------------------------------------------------

    def rehearsal_text(self, name: str, lead_id: int | None = None) -> str:
        """The script as one text to read aloud, filled in with a lead (or sample values)."""
        script = self.load(name)
        if lead_id is not None:
            values = self.lead_values(lead_id)
        else:
            values = dict(REHEARSAL_VALUES.get(script.language, REHEARSAL_VALUES["en"]))
            # The agent rehearses with their own name and firm when the settings have them.
            values["agent_name"] = self._agent_name() or values["agent_name"]
            values["firm"] = values["firm_name"] = self._firm_name() or values["firm"]
            address, callback = self._firm_contact()
            values["firm_address"] = address or values["firm_address"]
            values["callback_number"] = callback or values["callback_number"]
        return reading_text(script, values)

    def rehearse(self, name: str, out: Path, lead_id: int | None = None) -> Path:
        """Render the script read aloud to a WAV file (pyttsx3; espeak-ng on Linux). Slow: run it
        off the GUI thread."""
        script = self.load(name)
        text = self.rehearsal_text(name, lead_id)
        from desktop.speech import render_wav

        # Always name a voice: the speech engine is shared, and keeps the last voice it was given.
        return render_wav(text, out, voice=voice_for_language(script.language))

    # -- helpers ---------------------------------------------------------------------------------

    def _lead(self, uow: UnitOfWork, lead_id: int) -> Lead:
        lead = uow.leads.get(lead_id)
        if lead is None:
            raise ScriptError(f"there is no lead #{lead_id}")
        return lead

    def _agent_id(self, uow: UnitOfWork) -> int:
        return uow.agents.get_or_create(recording_name(self._agent_name())).id


# espeak-ng lists English as en-gb first; US callers rehearse with a US voice.
_PREFERRED_VOICE_LANGUAGE = {"en": "en-us"}


def voice_for_language(language: str) -> str | None:
    """The id of an installed speech voice for a language (None: the engine's default).

    Asks pyttsx3 for its voices: espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS, whose ids
    differ, so a voice is found by its language rather than by a fixed id.
    """
    try:
        import pyttsx3

        voices = pyttsx3.init().getProperty("voices") or []
    except Exception:  # noqa: BLE001 - no engine means the default voice; render_wav explains why
        return None
    wanted = _PREFERRED_VOICE_LANGUAGE.get(language, language).lower()
    exact: str | None = None
    close: str | None = None
    for voice in voices:
        codes = [
            (code.decode("utf-8", "ignore") if isinstance(code, bytes) else str(code)).strip("\x05").lower()
            for code in (getattr(voice, "languages", None) or [])
        ]
        codes = [code.replace("_", "-") for code in codes]
        if wanted in codes and exact is None:
            exact = str(voice.id)
        elif close is None and any(code.split("-")[0] == language.lower() for code in codes):
            close = str(voice.id)
    return exact or close


def _info(script: CallScript, origin: str, file: str, replaces_shipped: bool = False) -> ScriptInfo:
    return ScriptInfo(
        name=script.name,
        title=script.title,
        language=script.language,
        audience=script.audience,
        origin=origin,
        file=file,
        description=script.description,
        translation_of=script.translation_of,
        replaces_shipped=replaces_shipped,
    )


def lead_field_values(
    lead: Lead, agent_name: str = "", firm: str = "", firm_address: str = "", callback_number: str = ""
) -> dict[str, str]:
    """The fields a script fills in, from a lead row and the agent's settings."""
    return field_values(
        first_name=lead.first_name,
        last_name=lead.last_name,
        company=lead.company,
        title=lead.title,
        state=lead.state,
        source=lead.source,
        agent_name=agent_name,
        firm=firm,
        firm_address=firm_address,
        callback_number=callback_number,
    )


def _latest(answers: Iterable[SavedAnswer], script_name: str | None) -> dict[str, SavedAnswer]:
    """The last answer given to each question (of one script, when named)."""
    latest: dict[str, SavedAnswer] = {}
    for saved in answers:
        if script_name is None or saved.script_name == script_name:
            latest[saved.question_id] = saved
    return latest


def _saved(row: ScriptAnswer, agent: str, question: str, values: dict[str, str]) -> SavedAnswer:
    """An answer as shown: its label and question filled in for the lead (the stored row keeps the
    script's own text)."""
    return SavedAnswer(
        id=row.id,
        lead_id=row.lead_id,
        script_name=row.script_name,
        stage_id=row.stage_id,
        question_id=row.question_id,
        question=render_text(question, values),
        kind=row.kind,
        value=row.value,
        label=answer_text(row.kind, row.label, "", values),
        answered_at=row.answered_at,
        agent=agent,
        attempt_id=row.attempt_id,
    )


def _call_in_progress(uow: UnitOfWork, lead_id: int, now: datetime) -> int | None:
    latest = next((attempt for attempt in uow.attempts.for_lead(lead_id) if attempt.allowed), None)
    if latest is not None and now - latest.started_at <= CALL_ANSWER_WINDOW:
        return latest.id
    return None


def _local_date(lead: Lead, now: datetime) -> date:
    """Today where the callee is (date answers branch on "days from today")."""
    for phone in lead.phones:
        for zone in phone.zone_list:
            try:
                return now.astimezone(ZoneInfo(zone)).date()
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return now.date()
