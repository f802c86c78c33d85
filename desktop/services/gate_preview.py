"""The window's preview of the gate reuses the facts of the decision made moments before, when provably equal.

After an outcome key the calling service chooses the next lead (its first number the gate allows,
decided at one moment) and the window then previews the number on screen: the same lead, the same
number, the same moment, the same database. Reading the seven rows of facts a second time gives the
same `DialFacts`, and a decision is a pure function of the facts and the rule book. So the preview
reuses the facts only when every input is shown equal:

- the lead and phone, the moment (`at`), the kind/automated/prerecorded flags are equal;
- the rule book is the same object;
- the database is unchanged: `change_marker` (SQLite) before the facts were read equals the marker
  now, on the same connection (a commit by any connection, or a row changed by this one, differs).
  The queue reads the facts on a second pooled connection (inside its own unit of work), so the
  preview looks for that connection (a second unit of work while the first is held) when the first
  one it is handed is another: a marker is only ever compared with one of the same connection.

The caller ID is a setting, not read from the database: it is put into the facts afresh and the
decision re-made from them (`decide`), never copied. A dial never uses this: `start_call` decides
under the write lock from fresh reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from desktop.domain.compliance import decide
from desktop.domain.compliance_rules import RuleBook
from desktop.services.gate import CallerIdFacts, GateResult
from desktop.storage.change_marker import ChangeMarker


class PreviewKey(NamedTuple):
    """Every input of a check besides the database and the caller ID."""

    lead_id: int
    phone_id: int
    at: datetime
    kind: str | None
    automated: bool
    prerecorded: bool


class RememberedCheck(NamedTuple):
    key: PreviewKey
    marker: ChangeMarker
    rules: RuleBook
    result: GateResult


class GatePreviewMemo:
    """The last lead check's facts (one entry), reused only when every input is equal."""

    def __init__(self) -> None:
        self._last: RememberedCheck | None = None

    def remember(
        self, key: PreviewKey, marker: ChangeMarker | None, rules: RuleBook, result: GateResult
    ) -> None:
        self._last = RememberedCheck(key, marker, rules, result) if marker is not None else None

    def moment_for(self, lead_id: int) -> datetime | None:
        last = self._last
        return last.key.at if last is not None and last.key.lead_id == lead_id else None

    def read_on_another_connection(self, marker: ChangeMarker | None) -> bool:
        """Whether the remembered facts were read on a connection other than `marker`'s."""
        last = self._last
        return last is not None and marker is not None and last.marker[0] != marker[0]

    def forget(self) -> None:
        self._last = None

    def reuse(
        self, key: PreviewKey, marker: ChangeMarker | None, rules: RuleBook, caller_id: CallerIdFacts | None
    ) -> GateResult | None:
        """The decision for `key` from the remembered facts, or None when any input may differ."""
        last = self._last
        if (
            last is None
            or marker is None
            or last.key != key
            or last.marker != marker
            or last.rules is not rules
        ):
            return None
        identity = caller_id or CallerIdFacts()
        facts = last.result.facts._replace(caller_id_required=identity.required, caller_id=identity.number)
        return GateResult(decide(facts, rules), facts, last.result.snapshots)
