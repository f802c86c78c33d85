"""`dialdesk check` without SQLAlchemy: the same gate and the same choice of phone, on plain sqlite3.

A check only reads, and most of its start-up time was importing the ORM. When the database needs
nothing done at open (`PlainGateStore.open`), the answer comes from `gate_answer()` and `DialGate`
exactly as `CallingService.check()` computes it, over rows read with sqlite3; otherwise
`open_quick_gate()` says None and the command opens the database the usual way.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from desktop.domain.compliance_rules import RuleBook
from desktop.services.clock import Clock, system_clock
from desktop.services.gate import CallerIdFacts, DialGate, GateResult
from desktop.services.gate_answer import gate_answer
from desktop.services.hours import KEYS_VERSION_SETTING, HoursKeys
from desktop.services.outcome_rules import SETTING_KEY as OUTCOME_RULES_KEY
from desktop.services.outcome_rules import OutcomeRulesService
from desktop.services.rules import shipped_rulebook, use_shipped_area_code_table
from desktop.services.settings import Settings, caller_id_e164, settings_from
from desktop.storage import rollups
from desktop.storage.migrate import LATEST_REVISION
from desktop.storage.plain_gate import OpenExpectations, PlainGateStore
from desktop.storage.schema_check import OWN_CODE_OBJECTS

# The variable naming the database when --db is not given (storage.engine.ENV_VAR, read without it).
DATABASE_VAR = "DIALDESK_DB"


def plain_database_path(db: str | None) -> Path | None:
    """The SQLite file `--db` (else $DIALDESK_DB, else the user's) names; None for a database URL."""
    from desktop.paths import default_database_path

    chosen = (db or os.environ.get(DATABASE_VAR) or str(default_database_path())).strip()
    if not chosen or "://" in chosen:
        return None
    return Path(chosen).expanduser().resolve()


class QuickGate:
    """The gate over a `PlainGateStore`: what `Workspace` offers a check, without the ORM."""

    def __init__(self, store: PlainGateStore, rulebook: RuleBook, clock: Clock = system_clock) -> None:
        self._store = store
        self.rulebook = rulebook
        self.clock = clock
        self.gate = DialGate(rulebook, store)

    def current_settings(self) -> Settings:
        return settings_from(self._store.settings())

    def check(
        self,
        lead_id: int | None = None,
        phone_id: int | None = None,
        number: str | None = None,
        region: str = "US",
        at: datetime | None = None,
        kind: str | None = None,
        automated: bool = False,
        prerecorded: bool = False,
    ) -> GateResult:
        """As CallingService.check: what the gate would say now (or at `at`); records nothing."""
        moment = at or self.clock()
        result, _phone = gate_answer(
            self._store,
            self.gate,
            lead_id,
            phone_id,
            number,
            region,
            moment,
            kind,
            automated,
            prerecorded,
            self._caller_id(),
        )
        return result

    def _caller_id(self) -> CallerIdFacts:
        """As CallingService._caller_id_facts for the dialer a command line has: a check places no SIP
        call (Workspace.dialer is never the softphone there), so a caller ID is never required."""
        settings = self.current_settings()
        return CallerIdFacts(
            number=caller_id_e164(settings.caller_id, settings.default_region), required=False
        )

    def close(self) -> None:
        self._store.close()


def open_quick_gate(db: str | None, clock: Clock = system_clock) -> QuickGate | None:
    """The quick gate on the database `db`, or None when it must be opened the usual way."""
    path = plain_database_path(db)
    if path is None:
        return None
    rulebook = shipped_rulebook()
    store = PlainGateStore.open(path, lambda opened: _expectations(opened, rulebook))
    if store is None:
        return None
    use_shipped_area_code_table()  # as Workspace does: area-code states from resources/
    return QuickGate(store, rulebook, clock)


class _NotQuick(Exception):
    """The database is at another schema revision: the usual open upgrades it."""


def _expectations(store: PlainGateStore, rulebook: RuleBook) -> OpenExpectations:
    """What opening the usual way would leave in the database (and raises when it would migrate)."""
    if store.revision() != LATEST_REVISION:
        raise _NotQuick
    stored = store.setting(OUTCOME_RULES_KEY)  # as OutcomeRulesService.overrides
    outcome_rules = OutcomeRulesService.combine(dict(stored) if isinstance(stored, dict) else {})
    return OpenExpectations(
        own_code=OWN_CODE_OBJECTS,
        rollup_triggers=rollups.TRIGGERS,
        rollup_rules=rollups.rule_flags(outcome_rules),
        hours_keys_setting=KEYS_VERSION_SETTING,
        hours_keys_fingerprint=HoursKeys(rulebook).rules_fingerprint(),
    )
