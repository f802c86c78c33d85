"""Random sequences of imports, DNC changes, consent changes, clock moves and dial requests: no number
the rules forbid ever reaches `Dialer.dial()`.

A hypothesis state machine drives the real calling service on a real SQLite file, with the real
registry import, and checks every number the recording dialer received against the test's own
model of the rules (internal list, registry with consent, registry freshness, calling hours, and for
leads in Florida, Texas, Maryland, Rhode Island, Louisiana and Utah: their hours, no-call days,
legal holidays, call caps, state lists, declared emergencies, automated dials and voicemail drops).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from desktop.services.calling import CallingError, CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.emergencies import EmergencyService
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
    ("+13055550109", "America/New_York"),
    ("+12145550110", "America/Chicago"),
    ("+13015550111", "America/New_York"),
    ("+14015550112", "America/New_York"),
    ("+15045550113", "America/Chicago"),
    ("+18015550114", "America/Denver"),
]
ZONE = dict(NUMBERS)
# The test's own model of the state rules, written from the statutes (not read from resources/):
# hours per weekday (Monday first; None: no calls), holidays, cap per 24 h, automated/recorded
# consent, the state list and its maximum age in days.
STATE_OF = {
    "+13055550109": "FL",
    "+12145550110": "TX",
    "+13015550111": "MD",
    "+14015550112": "RI",
    "+15045550113": "LA",
    "+18015550114": "UT",
}
EVERY_DAY_8_20 = [(8, 20)] * 7
STATE_MODEL: dict[str, dict[str, object]] = {
    "FL": {"hours": EVERY_DAY_8_20, "cap": 3, "consent_for_machines": True, "list": ("state:FL", 92)},
    "TX": {"hours": [(9, 21)] * 6 + [(12, 21)], "list": ("state:TX", 92)},
    "MD": {"hours": EVERY_DAY_8_20, "cap": 3, "consent_for_machines": True},
    "RI": {"hours": [(9, 18)] * 5 + [(10, 17), None], "holidays": True},
    "LA": {"hours": [(8, 20)] * 6 + [None], "holidays": True, "list": ("state:LA", 31), "emergency": True},
    "UT": {"hours": [(8, 21)] * 6 + [None], "holidays": True},
}
STATE_LISTS = ["state:FL", "state:TX", "state:LA"]


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
        rows = ["Name,Phone,Type,State"] + [
            f"Lead {i},{number},{kind},{STATE_OF.get(number, '')}"
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
        self.written: set[str] = set()
        self.state_lists: dict[str, tuple[set[str], date]] = {}
        self.emergencies: list[tuple[date, date]] = []
        self.modes: list[str] = []
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
        if kind == "written":
            self.written.add(number)

    @rule(
        source=st.sampled_from(STATE_LISTS),
        numbers=st.sets(st.sampled_from(list(STATE_OF)), min_size=1),
        days_old=st.integers(min_value=0, max_value=100),
    )
    def import_state_list(self, source: str, numbers: set[str], days_old: int) -> None:
        as_of = self.clock().date() - timedelta(days=days_old)
        if source in self.state_lists and as_of < self.state_lists[source][1]:
            return
        path = self.folder / "state.txt"
        path.write_text("\n".join(f"{n[2:5]},{n[5:]}" for n in sorted(numbers)) + "\n")
        self.workspace.registry_service.import_file(path, source, as_of=as_of)
        self.state_lists[source] = (set(numbers), as_of)
        self.workspace.lists_changed()

    @rule(starts_in=st.integers(min_value=-2, max_value=3), days=st.integers(min_value=0, max_value=3))
    def declare_emergency(self, starts_in: int, days: int) -> None:
        start = self.clock().date() + timedelta(days=starts_in)
        EmergencyService(self.workspace.uow).add("LA", start, start + timedelta(days=days), "Orleans")
        self.emergencies.append((start, start + timedelta(days=days)))

    @rule(hours=st.integers(min_value=1, max_value=30))
    def move_clock(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @rule(
        number=st.sampled_from([n for n, _ in NUMBERS]),
        how=st.sampled_from(["lead", "number", "bare"]),
        mode=st.sampled_from(["manual", "manual", "automated", "prerecorded"]),
    )
    def dial(self, number: str, how: str, mode: str) -> None:
        lead_id = self.lead_of[number]
        before = len(self.dialer.dialled)
        flags = {"automated": mode == "automated", "prerecorded": mode == "prerecorded"}
        try:
            if how == "lead":
                self.calling.start_call(lead_id, **flags)
            elif how == "number":
                self.calling.start_call(lead_id, number=number, **flags)
            else:  # a bare number, as `dialdesk call NUMBER` or a tel: link
                self.calling.start_call(None, number=number[2:], **flags)
        except (GateRefused, CallingError):
            pass
        self.modes.extend([mode] * (len(self.dialer.dialled) - before))

    @invariant()
    def nothing_forbidden_was_dialled(self) -> None:
        for index, (number, moment) in enumerate(self.dialer.dialled[self.checked :], start=self.checked):
            assert number not in self.internal, f"{number} is on the internal list"
            if self.kind_of[number] == "residential" and number not in self.consented:
                assert number not in self.registry, f"{number} is on the registry"
                as_of = self.registry_as_of.get(number[2:5])
                assert as_of is not None, f"residential call to {number}, whose area code has no copy"
                assert (moment.date() - as_of).days <= 31, "registry copy of its area code too old"
            local = moment.astimezone(ZoneInfo(ZONE[number]))
            assert 8 <= local.hour < 21, f"{number} dialled at {local:%H:%M} local time"
            mode = self.modes[index]
            if mode == "prerecorded":
                assert number in self.written, f"voicemail dropped to {number} without written consent"
            state = STATE_OF.get(number)
            if state is not None:
                self._state_rules_kept(number, moment, local, state, mode, index)
        self.checked = len(self.dialer.dialled)

    def _state_rules_kept(
        self, number: str, moment: datetime, local: datetime, state: str, mode: str, index: int
    ) -> None:
        model = STATE_MODEL[state]
        window = model["hours"][local.weekday()]  # type: ignore[index]
        assert window is not None, f"{state} call on a {local:%A}"
        start, end = window
        assert start <= local.hour < end, f"{state} call at {local:%H:%M} {local:%A}"
        if model.get("holidays"):
            assert local.date() not in holidays.country_holidays("US", subdiv=state, years=local.year), (
                f"{state} call on a legal holiday {local.date()}"
            )
        if model.get("emergency"):
            assert not any(a <= local.date() <= b for a, b in self.emergencies), (
                f"{state} call in an emergency"
            )
        cap = model.get("cap")
        if cap is not None:
            earlier = [
                m for n, m in self.dialer.dialled[:index] if n == number and moment - m < timedelta(hours=24)
            ]
            assert len(earlier) < cap, f"{state}: call {len(earlier) + 1} to {number} within 24 hours"
        if model.get("consent_for_machines") and mode in ("automated", "prerecorded"):
            assert number in self.written, f"{state}: {mode} call to {number} without written consent"
        state_list = model.get("list")
        if state_list is not None and self.kind_of[number] == "residential" and number not in self.consented:
            source, max_age = state_list  # type: ignore[misc]
            assert source in self.state_lists, f"{state} residential call with no copy of {source}"
            listed, as_of = self.state_lists[source]
            assert number not in listed, f"{number} is on {source}"
            assert (moment.date() - as_of).days <= max_age, f"{source} copy too old"


GateMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestGateNeverDialsForbiddenNumbers = GateMachine.TestCase


def test_the_machine_dials_and_its_oracle_bites() -> None:
    """The machine's steps really reach the dialer, and its invariant catches a forbidden dial."""
    machine = GateMachine()
    machine.start(kinds=["business"] * len(NUMBERS))
    try:
        machine.dial(number="+12125550101", how="lead", mode="manual")  # 10:00 in New York, a business lead
        assert [number for number, _ in machine.dialer.dialled] == ["+12125550101"]
        machine.nothing_forbidden_was_dialled()
        machine.add_internal(number="+12125550102")
        machine.dial(number="+12125550102", how="number", mode="manual")
        assert len(machine.dialer.dialled) == 1  # refused by the gate
        machine.dialer.dialled.append(("+12125550102", machine.clock()))  # as if a bug had dialled it
        machine.modes.append("manual")
        try:
            machine.nothing_forbidden_was_dialled()
        except AssertionError:
            pass
        else:
            raise AssertionError("the oracle missed a dial to a number on the internal list")
    finally:
        machine.teardown()


def test_the_state_oracle_bites_and_state_leads_get_through() -> None:
    """State leads are dialled when their rules allow, and the oracle catches a dial their rules forbid."""
    machine = GateMachine()
    machine.start(kinds=["business"] * len(NUMBERS))
    try:
        machine.dial(number="+14015550112", how="bare", mode="manual")  # Rhode Island, Tuesday 10:00
        assert [number for number, _ in machine.dialer.dialled] == ["+14015550112"]
        machine.nothing_forbidden_was_dialled()
        machine.dial(number="+14015550112", how="lead", mode="prerecorded")  # no written consent
        assert len(machine.dialer.dialled) == 1
        sunday_morning = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)  # 11:00 in Dallas, a Sunday
        machine.dialer.dialled.append(("+12145550110", sunday_morning))  # as if a bug had dialled it
        machine.modes.append("manual")
        try:
            machine.nothing_forbidden_was_dialled()
        except AssertionError as error:
            assert "TX call at 10:00" in str(error) or "TX call at 11:00" in str(error)
        else:
            raise AssertionError("the oracle missed a Texas call before noon on a Sunday")
    finally:
        machine.teardown()
