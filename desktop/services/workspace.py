"""Opening Dialdesk on a database: resolve it, upgrade it, and wire the use cases together."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from desktop.domain.outcomes import OutcomeRules
from desktop.paths import default_database_path
from desktop.services.calling import CallingService, CallPolicy, ScriptRefused
from desktop.services.clock import Clock, system_clock
from desktop.services.gate import DialGate, RegistryView
from desktop.services.hours import HoursKeys
from desktop.services.outcome_rules import OutcomeRulesService
from desktop.services.registry_lookup import RegistryLookup
from desktop.services.rules import shipped_rulebook, use_shipped_area_code_table
from desktop.services.settings import Settings, SettingsService, caller_id_e164
from desktop.storage import rollups
from desktop.storage.engine import (
    ENV_VAR,
    DatabaseError,
    ServerUnreachable,
    database_url,
    make_engine,
    make_read_only_engine,
    read_only,
    sqlite_path,
)
from desktop.storage.events import forget_database
from desktop.storage.migrate import LATEST_REVISION, stored_revision, upgrade
from desktop.storage.uow import UnitOfWork, UnitOfWorkFactory
from desktop.telephony.dialers import Dialer, HandoffDialer, ManualDialer, UrlOpener

if TYPE_CHECKING:
    from desktop.services.callbacks import CallbackService
    from desktop.services.claims import ClaimService
    from desktop.services.consent import ConsentService
    from desktop.services.dnc import DncService
    from desktop.services.history_chain import HistoryService
    from desktop.services.imports import ImportService
    from desktop.services.leads import LeadService
    from desktop.services.meetings import MeetingService
    from desktop.services.outcome_undo import OutcomeUndo
    from desktop.services.registry import RegistryService
    from desktop.services.retention import RetentionService
    from desktop.services.script_versions import ScriptVersionService
    from desktop.services.scripts import ScriptService
    from desktop.services.scrub import ScrubService
    from desktop.services.sip_settings import SipSettingsService
    from desktop.services.team_watch import TeamWatch

__all__ = ["DatabaseError", "ServerUnreachable", "Workspace", "open_workspace", "resolve_database"]


def resolve_database(db: str | None) -> str:
    """The database URL: `--db`, else $DIALDESK_DB, else the file in the user data directory."""
    chosen = db or os.environ.get(ENV_VAR) or str(default_database_path())
    return database_url(chosen)


def _no_url_opener(uri: str) -> bool:
    import webbrowser

    return webbrowser.open(uri)


class Workspace:
    """An open database with every use case ready: what the window and each CLI command work on."""

    def __init__(self, url: str, clock: Clock = system_clock) -> None:
        self.url = url
        path = sqlite_path(url)
        # A database on a read-only disk (or a read-only file) still shows its queue, reports, exports:
        # nothing is written at start, and a command that writes says the database is read-only.
        self.read_only = path is not None and read_only(path)
        if path is not None and self.read_only:
            self.engine = make_read_only_engine(path)
        else:
            from desktop.services.team_login import connection_url  # a server login's keyring password

            self.engine = make_engine(connection_url(url))
        if self.read_only and stored_revision(self.engine) != LATEST_REVISION:
            self.engine.dispose()
            raise DatabaseError(
                f"the database {self.describe()} is read-only and cannot be read, or was written by "
                "another version of Dialdesk: open it once where it can be written"
            )
        try:
            upgrade(self.engine)
        except Exception as error:  # noqa: BLE001 - any failure here is reported as a database problem
            self.engine.dispose()
            from desktop.services.backup import database_problem  # busy, read-only, full or damaged
            from desktop.storage.server import is_unreachable, server_problem  # away, no TLS, refused

            first_line = (str(error).splitlines() or [type(error).__name__])[0]
            kind = ServerUnreachable if path is None and is_unreachable(error) else DatabaseError
            raise kind(
                database_problem(error, self.describe())
                or server_problem(error, url)
                or f"cannot open or upgrade the database {self.describe()}: {first_line}"
            ) from error
        self._refuse_foreign_code()
        self.clock = clock
        self.uow = UnitOfWorkFactory(self.engine)
        self.settings = SettingsService(self.uow, clock)
        self._settings_cache: Settings | None = None
        self._url_opener: UrlOpener = _no_url_opener
        # `--agent NAME` / $DIALDESK_AGENT: who this process records as (team mode), over the settings.
        self._acting_agent: str | None = None
        self._dialer_override: Dialer | None = None
        self.outcome_rules_service = OutcomeRulesService(self.uow)
        outcome_rules = self.outcome_rules_service.load()
        # The rules in force (changed by save_outcome_rules and reload), for services made later.
        self._outcome_rules = outcome_rules
        # The scripts keep the rules read when the database was opened, as they always did.
        self._opened_outcome_rules = outcome_rules
        if not self.read_only:
            with self.engine.begin() as connection:
                # Report summaries built with other rules (or not yet, after an upgrade): rebuilt now,
                # before any call is recorded, rather than by a report while the user is calling.
                rollups.ensure_current(connection, rollups.rule_flags(outcome_rules))
        self.rulebook = shipped_rulebook()
        use_shipped_area_code_table()
        self.registry: RegistryView = RegistryLookup(self.engine)
        self.gate = DialGate(self.rulebook, self.registry)
        self.calling = CallingService(
            self.uow,
            clock,
            self.dialer,
            outcome_rules,
            self.gate,
            agent_name=self.agent_name,
            attempt_target=lambda: self.current_settings().attempt_target,
            policy=self.call_policy,
        )
        self.hours = HoursKeys(self.rulebook)
        self.calling.next_lead = lambda exclude: self.leads.next_lead_id(exclude)
        self.calling.acting_agent = lambda: self._acting_agent
        if not self.read_only:
            with self.uow() as uow:
                # Leads written before hours keys existed (or by an older version, or under other
                # rules) get theirs now.
                stale = self.hours.forget_stale_keys(uow)
                if self.hours.backfill(uow) or stale:
                    uow.commit()
            self._seal_older_records()

    def _seal_older_records(self) -> None:
        """The records made before the history began (a database upgraded from before 0013) sealed in
        one `history_sealed` event, the first time it is opened writable (history_seal.py)."""
        from desktop.services.history_seal import seal_if_needed

        with self.uow() as uow:
            if seal_if_needed(uow.session, self.clock()):
                uow.commit()

    # The other use cases are made on first use: a command imports and builds only what it needs
    # (`dialdesk check` starts without the import, scripts, registry-file or SIP-settings code).

    @cached_property
    def retention(self) -> RetentionService:
        """Privacy erasure of a lead's personal fields; purges past the retention period only."""
        from desktop.services.retention import RetentionService

        return RetentionService(self.uow, self.clock, self.current_settings)

    @cached_property
    def history(self) -> HistoryService:
        """The tamper-evident history: verify (at start, after restore and merge), anchors."""
        from desktop.services.history_chain import HistoryService

        return HistoryService(self.uow, self.clock, writable=not self.read_only)

    @cached_property
    def sip_settings(self) -> SipSettingsService:
        """The built-in softphone's account and options; its password lives in the OS keyring."""
        from desktop.services.sip_settings import SipSettingsService

        return SipSettingsService(self.uow, on_saved=self._forget_settings)

    @cached_property
    def leads(self) -> LeadService:
        from desktop.services.leads import LeadService

        leads = LeadService(
            self.uow,
            self.clock,
            lambda: self.current_settings().attempt_target,
            self._outcome_rules,
            self.hours,
            gate_check=lambda lead_id: self.calling.check(lead_id, with_caller_id=False).decision,
        )
        leads.page_gate = lambda uow, offered, now: self.scrub.decide_leads(uow, offered, now)
        leads.viewer = self.agent_name  # another agent's claimed lead is not listed to this one
        leads.remember_refusals = not self.read_only
        return leads

    @cached_property
    def outcome_undo(self) -> OutcomeUndo:
        """Ctrl+Z: the last outcome undone by a correction record that refers to it."""
        from desktop.services.outcome_undo import OutcomeUndo

        return OutcomeUndo(self.uow, self.clock)

    @cached_property
    def imports(self) -> ImportService:
        from desktop.services.imports import ImportService

        return ImportService(self.uow, self.clock, lambda: self.current_settings().default_region, self.hours)

    @cached_property
    def dnc(self) -> DncService:
        from desktop.services.dnc import DncService

        return DncService(self.uow, self.clock, self.current_settings)

    @cached_property
    def consent(self) -> ConsentService:
        from desktop.services.consent import ConsentService

        return ConsentService(self.uow, self.clock)

    @cached_property
    def meetings(self) -> MeetingService:
        from desktop.services.meetings import MeetingService

        return MeetingService(self.uow, self.clock)

    @cached_property
    def callbacks(self) -> CallbackService:
        from desktop.services.callbacks import CallbackService

        return CallbackService(self.uow, self.clock, agent_name=self.agent_name)

    @cached_property
    def registry_service(self) -> RegistryService:
        from desktop.services.registry import RegistryService

        return RegistryService(self.uow, self.clock, agent_name=self.agent_name, rules=self.rulebook)

    @cached_property
    def scripts(self) -> ScriptService:
        from desktop.services.scripts import ScriptService

        return ScriptService(
            self.uow,
            self.clock,
            self._opened_outcome_rules,
            agent_name=self.agent_name,
            firm_name=lambda: self.current_settings().firm_name,
            firm_contact=lambda: (
                self.current_settings().firm_address,
                self.current_settings().callback_number,
            ),
        )

    @cached_property
    def script_versions(self) -> ScriptVersionService:
        """Numbered versions of every script and their approvals (firm mode uses only approved ones)."""
        from desktop.services.script_versions import ScriptVersionService

        return ScriptVersionService(self.uow, self.clock, self.scripts.texts, saved_by=self.agent_name)

    @cached_property
    def scrub(self) -> ScrubService:
        from desktop.services.scrub import ScrubService

        return ScrubService(self.uow, self.clock, self.gate)

    def call_policy(self) -> CallPolicy:
        """Firm mode, the caller ID and the lead's script version, as every call records them."""
        settings = self.current_settings()
        return CallPolicy(
            firm_mode=settings.firm_mode,
            caller_id=caller_id_e164(settings.caller_id, settings.default_region),
            script_version=lambda lead_id, uow: self._script_version_for(lead_id, settings.firm_mode, uow),
        )

    def _script_version_for(self, lead_id: int | None, firm_mode: bool, call: UnitOfWork) -> int | None:
        """The id of the version of the lead's script a call uses (None: no script); ScriptRefused in
        firm mode without an approval. `call`: the call's unit of work, not committed here."""
        from desktop.services.script_versions import ScriptNotApproved, id_for_call, refusal_of
        from desktop.services.scripts import ScriptError

        if lead_id is None:
            return None
        info, refusal = None, None
        if call.session.get_bind().dialect.name == "postgresql":
            # A team server: read in the call's own transaction, a checkout and a transaction fewer
            # (never on SQLite, where a call reads nothing before its write lock).
            try:
                name, text = self.scripts.script_in_force(call, lead_id)
            except ScriptError:
                return None  # no script at all (or no such lead: the gate says so)
            info = self.script_versions.saved_version(call, name, text)
            if info is not None:
                refusal = refusal_of(info, firm_mode, call.session)
        if info is None:  # SQLite, or a text whose version is made now: in a unit of work of its own
            with self.uow() as uow:
                try:
                    name, text = self.scripts.script_in_force(uow, lead_id)
                except ScriptError:
                    return None
                info = self.script_versions.current_in(uow, name, text)
                refusal = refusal_of(info, firm_mode, uow.session)
        try:
            return id_for_call(info, refusal)
        except ScriptNotApproved as error:
            raise ScriptRefused(str(error)) from None

    def save_outcome_rules(self, overrides: dict[str, dict[str, object]]) -> None:
        """Store the user's outcome rules and put them in force at once."""
        rules = self.outcome_rules_service.save(overrides)
        self._set_outcome_rules(rules)

    def _set_outcome_rules(self, rules: OutcomeRules) -> None:
        self._outcome_rules = rules
        self.calling.outcome_rules = rules
        if "leads" in self.__dict__:  # not made yet: made with these rules when first used
            self.leads.outcome_rules = rules

    def reload(self) -> None:
        """The database was replaced under the open workspace (a restored backup): forget what was read."""
        self._settings_cache = None
        self.hours.forget()
        if isinstance(self.registry, RegistryLookup):
            self.registry.close()  # reconnects on the next look-up
        self.engine.dispose()
        self._set_outcome_rules(self.outcome_rules_service.load())  # the restored database's own
        if "claims" in self.__dict__:
            self.claims.forget_agents()  # ids of the database that was replaced
        forget_database(self.engine)  # its chain's name, and the names events give agent ids
        with self.uow() as uow:
            stale = self.hours.forget_stale_keys(uow)
            if self.hours.backfill(uow) or stale:
                uow.commit()

    def lists_changed(self, lead_id: int | None = None) -> None:
        """Forget the gate's cached refusals after a DNC list, registry, consent or lead changed."""
        with self.uow() as uow:
            uow.leads.clear_gate_blocks(lead_id)
            uow.commit()

    def _refuse_foreign_code(self) -> None:
        """A trigger or view Dialdesk did not make runs with every write (one that deletes each new
        do-not-call entry makes `dnc add` report success with the number still callable): refused."""
        if sqlite_path(self.url) is None:
            return
        from desktop.storage.schema_check import foreign_code_objects

        with self.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
            ).all()
        foreign = foreign_code_objects([(str(kind), str(name)) for kind, name in rows])
        if foreign:
            self.engine.dispose()
            raise DatabaseError(
                f"the database {self.describe()} holds {foreign[0]} that Dialdesk did not make (it could "
                "change or hide records): nothing was done; `dialdesk db check` lists what is wrong, "
                "`dialdesk db restore` puts a backup back"
            )

    def describe(self) -> str:
        path = sqlite_path(self.url)
        return str(path) if path is not None else self.engine.url.render_as_string(hide_password=True)

    def describe_briefly(self) -> str:
        """The database in a few words: a SQLite file's name (its folder is in `describe`), or the
        server's address."""
        path = sqlite_path(self.url)
        return path.name if path is not None else self.describe()

    def act_as(self, agent: str | None) -> None:
        """Record calls, callbacks and answers as `agent` (a team member) instead of the settings'
        agent name; None: the settings' name again. The next lead an outcome names is then the one
        this agent would claim (never a lead another agent holds or is owed a callback on)."""
        self._acting_agent = agent
        if agent is None:
            self.calling.next_lead = lambda exclude: self.leads.next_lead_id(exclude)
        else:
            self.calling.next_lead = lambda exclude: self.claims.next_for(agent, exclude)

    def claim_leads_as_agent(self) -> bool:
        """The window works as the acting agent (team mode): the lead it moves to after an outcome
        (or a skip) is claimed for them and the lead it leaves is released, through the same claims
        as `queue --claim` and `record`. False (nothing changed) when no agent acts."""
        agent = self._acting_agent
        if agent is None:
            return False

        def next_claimed(leaving: tuple[int, ...]) -> int | None:
            for lead_id in leaving:
                self.claims.release(lead_id, agent)  # recorded or passed over: back to the queue
            claim = self.claims.claim_next(agent, exclude=leaving)
            return None if claim is None else claim.lead_id

        self.calling.next_lead = next_claimed
        return True

    def acting_agent(self) -> str | None:
        """The agent given by `--agent` / $DIALDESK_AGENT, if any."""
        return self._acting_agent

    def agent_name(self) -> str:
        """The name calls are recorded under: the acting agent, else the one in the settings."""
        return self._acting_agent or self.current_settings().agent_name

    @cached_property
    def claims(self) -> ClaimService:
        """Team mode: leads taken and released by named agents (one lead, one agent at a time)."""
        from desktop.services.claims import ClaimService

        return ClaimService(self.uow, self.clock, self.leads)

    @cached_property
    def team_watch(self) -> TeamWatch:
        """The live supervisor view: team snapshots, recomputed on the database's notifications."""
        from desktop.services.team_watch import TeamWatch

        return TeamWatch(self.uow, self.clock, self.leads, lambda: self._outcome_rules)

    def current_settings(self) -> Settings:
        if self._settings_cache is None:
            self._settings_cache = self.settings.load()
        return self._settings_cache

    def _forget_settings(self) -> None:
        self._settings_cache = None

    def save_settings(self, settings: Settings) -> None:
        self.settings.save(settings)
        self._settings_cache = settings

    def set_url_opener(self, opener: UrlOpener) -> None:
        """The GUI hands in QDesktopServices.openUrl so Hand-off opens tel:/sip: links on this desktop."""
        self._url_opener = opener

    def use_dialer(self, dialer: Dialer | None) -> None:
        """Send this workspace's calls to `dialer` (the CLI's SIP session) until reset with None."""
        self._dialer_override = dialer

    def dialer(self) -> Dialer:
        if self._dialer_override is not None:
            return self._dialer_override
        settings = self.current_settings()
        if settings.backend == "handoff_tel":
            return HandoffDialer(self._url_opener, "tel")
        if settings.backend == "handoff_sip":
            return HandoffDialer(self._url_opener, "sip", settings.sip_domain)
        return ManualDialer()

    def close(self) -> None:
        if isinstance(self.registry, RegistryLookup):
            self.registry.close()
        self.engine.dispose()


def open_workspace(
    db: str | None = None, clock: Clock | None = None, url_opener: Callable[[str], bool] | None = None
) -> Workspace:
    workspace = Workspace(resolve_database(db), clock or system_clock)
    if url_opener is not None:
        workspace.set_url_opener(url_opener)
    return workspace
