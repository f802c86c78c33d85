"""Random sequences of imports, DNC changes, consent changes, clock moves and dial requests: no number
the rules forbid ever reaches `Dialer.dial()`.

A hypothesis state machine drives the real calling service on a real SQLite file, with the real
registry import, and checks every number the recording dialer received against the test's own
model of the rules (internal list, registry with consent, registry freshness, calling hours).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from desktop.services.calling import CallingError, CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.rules import shipped_outcome_rules
from desktop.services.workspace import open_workspace

# (E.164, zone) for a few area codes in different zones; 555-01XX numbers are fictional.
NUMBERS = [
    ("+12125550101", "America/New_York"),
    ("+12125550102", "America/New_York"),
    ("+13125550103", "America/Chicago"),
    ("+14155550104", "America/Los_Angeles"),
    ("+16025550105", "America/Phoenix"),
    ("+18085550106", "Pacific/Honolulu"),
    ("+14045550107", "America/New_York"),
    ("+12065550108", "America/Los_Angeles"),
]
ZONE = dict(NUMBERS)


class RecordingDialer:
    name = "recording"

    def __init__(self) -> None:
        self.dialled: list[tuple[str, datetime]] = []
        self.clock: ManualClock | None = None

    def dial(self, e164: str, extension: str | None = None) -> None:
        assert self.clock is not None
        self.dialled.append((e164, self.clock()))

    def hang_up(self) -> None:
        pass


class GateMachine(RuleBasedStateMachine):
    """The model: what the firm's lists, registry, consents and clock are; the system: Dialdesk."""

    @initialize(
        kinds=st.lists(
            st.sampled_from(["business", "residential"]), min_size=len(NUMBERS), max_size=len(NUMBERS)
        )
    )
    def start(self, kinds: list[str]) -> None:
        self.folder = Path(tempfile.mkdtemp())
        self.clock = ManualClock(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
        self.workspace = open_workspace(str(self.folder / "gate.db"), clock=self.clock)
        self.dialer = RecordingDialer()
        self.dialer.clock = self.clock
        self.calling = CallingService(
            self.workspace.uow,
            self.clock,
            lambda: self.dialer,
            shipped_outcome_rules(),
            self.workspace.gate,
            agent_name=lambda: "Model",
            attempt_target=lambda: 18,
        )
        rows = ["Name,Phone,Type"] + [
            f"Lead {i},{number},{kind}"
            for i, ((number, _), kind) in enumerate(zip(NUMBERS, kinds, strict=True))
        ]
        (self.folder / "list.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        self.workspace.imports.run(self.folder / "list.csv")
        records = list(self.workspace.leads.export_records())
        self.lead_of = {record["phones"][0]["e164"]: record["id"] for record in records}
        self.kind_of = {record["phones"][0]["e164"]: record["kind"] for record in records}
        self.internal: set[str] = set()
        self.registry: set[str] = set()
        # Per area code, the as-of date of its copy (the registry is downloaded per area code).
        self.registry_as_of: dict[str, date] = {}
        self.consented: set[str] = set()
        self.checked = 0

    def teardown(self) -> None:
        self.workspace.close()

    @rule(
        numbers=st.sets(st.sampled_from([n for n, _ in NUMBERS]), min_size=1),
        days_old=st.integers(min_value=0, max_value=45),
    )
    def import_registry(self, numbers: set[str], days_old: int) -> None:
        """A full list of the area codes of `numbers`: it replaces those area codes only."""
        as_of = self.clock().date() - timedelta(days=days_old)
        codes = {number[2:5] for number in numbers}
        if any(code in self.registry_as_of and as_of < self.registry_as_of[code] for code in codes):
            return  # the model only moves forward, as a firm's downloads do
        path = self.folder / "registry.txt"
        path.write_text("\n".join(f"{n[2:5]},{n[5:]}" for n in sorted(numbers)) + "\n")
        self.workspace.registry_service.import_file(path, "national", as_of=as_of)
        self.registry = {number for number in self.registry if number[2:5] not in codes} | numbers
        self.registry_as_of.update(dict.fromkeys(codes, as_of))
        self.workspace.lists_changed()

    @rule(number=st.sampled_from([n for n, _ in NUMBERS]))
    def add_internal(self, number: str) -> None:
        self.workspace.dnc.add(number, reason="asked")
        self.internal.add(number)

    @rule(number=st.sampled_from([n for n, _ in NUMBERS]))
    def remove_internal(self, number: str) -> None:
        if number in self.internal:
            self.workspace.dnc.remove(number)
            self.internal.discard(number)

    @rule(
        number=st.sampled_from([n for n, _ in NUMBERS]),
        kind=st.sampled_from(["written", "inquiry", "purchase"]),
    )
    def give_consent(self, number: str, kind: str) -> None:
        self.workspace.consent.add(self.lead_of[number], kind, self.clock().date(), "model")
        self.consented.add(number)  # inquiry 3 months, purchase 18 months: the model's moves stay within

    @rule(hours=st.integers(min_value=1, max_value=30))
    def move_clock(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @rule(number=st.sampled_from([n for n, _ in NUMBERS]), by_lead=st.booleans())
    def dial(self, number: str, by_lead: bool) -> None:
        lead_id = self.lead_of[number]
        try:
            if by_lead:
                self.calling.start_call(lead_id)
            else:
                self.calling.start_call(lead_id, number=number)
        except (GateRefused, CallingError):
            pass

    @invariant()
    def nothing_forbidden_was_dialled(self) -> None:
        for number, moment in self.dialer.dialled[self.checked :]:
            assert number not in self.internal, f"{number} is on the internal list"
            if self.kind_of[number] == "residential" and number not in self.consented:
                assert number not in self.registry, f"{number} is on the registry"
                as_of = self.registry_as_of.get(number[2:5])
                assert as_of is not None, f"residential call to {number}, whose area code has no copy"
                assert (moment.date() - as_of).days <= 31, "registry copy of its area code too old"
            local = moment.astimezone(ZoneInfo(ZONE[number]))
            assert 8 <= local.hour < 21, f"{number} dialled at {local:%H:%M} local time"
        self.checked = len(self.dialer.dialled)


GateMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
TestGateNeverDialsForbiddenNumbers = GateMachine.TestCase


def test_the_machine_dials_and_its_oracle_bites() -> None:
    """The machine's steps really reach the dialer, and its invariant catches a forbidden dial."""
    machine = GateMachine()
    machine.start(kinds=["business"] * len(NUMBERS))
    try:
        machine.dial(number="+12125550101", by_lead=True)  # 10:00 in New York, a business lead
        assert [number for number, _ in machine.dialer.dialled] == ["+12125550101"]
        machine.nothing_forbidden_was_dialled()
        machine.add_internal(number="+12125550102")
        machine.dial(number="+12125550102", by_lead=False)
        assert len(machine.dialer.dialled) == 1  # refused by the gate
        machine.dialer.dialled.append(("+12125550102", machine.clock()))  # as if a bug had dialled it
        try:
            machine.nothing_forbidden_was_dialled()
        except AssertionError:
            pass
        else:
            raise AssertionError("the oracle missed a dial to a number on the internal list")
    finally:
        machine.teardown()
