"""The do-not-call lists of the dial gate: which lists cover a number, whether their copies can be
relied on, and what consent or an established business relationship lets through.

The national registries (the US registry, Canada's DNCL) are kept per area code; a state's list is
one file for the whole state, judged by the state's own freshness rule. Called by `compliance.decide`
with the callee's `Place` (the lists that apply there, worked out once).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple, Protocol

from desktop.domain.compliance_codes import Reason
from desktop.domain.compliance_place import Place, StateList
from desktop.domain.compliance_rules import RuleBook


class ConsentLike(Protocol):
    """What the lists read of the lead's consent (compliance.ConsentFacts)."""

    @property
    def written_on(self) -> date | None: ...

    @property
    def inquiry_on(self) -> date | None: ...

    @property
    def purchase_on(self) -> date | None: ...


class DialFacts(Protocol):
    """What the lists read of the gate's facts (compliance.DialFacts; a protocol here, because
    compliance.py imports this module and the two must not import each other)."""

    @property
    def number(self) -> str | None: ...

    @property
    def at(self) -> datetime: ...

    @property
    def lead_kind(self) -> str: ...

    @property
    def registry_sources(self) -> frozenset[str]: ...

    @property
    def registry_as_of(self) -> Mapping[str, date | None]: ...

    @property
    def registries_loaded(self) -> frozenset[str]: ...

    @property
    def consent(self) -> ConsentLike: ...


# Blocking reasons.
DNC_NATIONAL = "dnc_national"
DNC_STATE = "dnc_state"
REGISTRY_STALE = "registry_stale"
REGISTRY_MISSING = "registry_missing"
# Notes on allowed calls.
B2B_EXEMPTION = "b2b_exemption"
CONSENT = "consent"
EBR_PURCHASE = "ebr_purchase"
EBR_INQUIRY = "ebr_inquiry"


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    return date(year, month + 1, 28)


class _ListCheck(NamedTuple):
    """One do-not-call list that may cover the number: listed, and whether the copy is usable.
    (A named tuple: a few are made for every decision.)"""

    source: str
    name: str
    listed: bool
    stale: str  # why the copy cannot be relied on; empty when fresh
    covers_business: bool
    is_state: bool
    # REGISTRY_MISSING when the number's area code was never downloaded, else REGISTRY_STALE.
    stale_code: str = REGISTRY_STALE


def _list_checks(facts: DialFacts, rules: RuleBook, place: Place) -> list[_ListCheck]:
    """The lists that may cover the number on which it is listed, or whose copy cannot be relied on."""
    checks: list[_ListCheck] = []
    sources = facts.registry_sources
    registry = place.registry
    if registry is not None:
        name = place.registry_name
        code, why = _registry_staleness(facts, registry, name, rules.registry_max_age_days)
        listed = registry in sources
        if listed or why:
            checks.append(_ListCheck(registry, name, listed, why, False, False, code))
    for state_list in place.state_lists:
        state = state_list.rule
        code, why = _state_list_staleness(facts, state_list)
        listed = state.list_source in sources
        if listed or why:
            source, covers_business = state.list_source, state.list_covers_business
            checks.append(_ListCheck(source, state_list.name, listed, why, covers_business, True, code))
    if not sources:
        return checks
    # Listed on another state's list (the callee may have moved): listed is listed.
    for source in sorted(s for s in sources if s.startswith("state:") and s not in place.own_sources):
        rule = rules.state(source.removeprefix("state:"))
        checks.append(
            _ListCheck(
                source,
                f"{source.removeprefix('state:')} state do-not-call list",
                True,
                "",
                rule is not None and rule.list_covers_business,
                True,
            )
        )
    return checks


def _state_list_staleness(facts: DialFacts, state_list: StateList) -> tuple[str, str]:
    """(code, why) when the state's list cannot be relied on; (REGISTRY_STALE, "") when it can.

    A state list is one list for the whole state, published on its own date: its copy is judged as
    a whole (never per area code), by the state's own freshness rule. A state that keeps a list the
    user never imported is a gap, not a pass: calling a number on it breaks the state's law.
    """
    state, name, max_age = state_list.rule, state_list.name, state_list.max_age_days
    as_of = facts.registry_as_of.get(state.list_source)
    if as_of is None:
        if not state.list_required:
            return REGISTRY_STALE, ""
        whom = "business and residential" if state.list_covers_business else "residential"
        return REGISTRY_MISSING, (
            f"the {name} was never imported; {whom} numbers that may be in {state.name} cannot be "
            f"checked against it (dialdesk dnc import FILE --source {state.list_source})"
        )
    age = (facts.at.date() - as_of).days
    if age > max_age:
        return REGISTRY_STALE, (
            f"the {name} copy is {age} days old (as of {as_of}); {state.name} requires one no older "
            f"than {max_age} days"
        )
    return REGISTRY_STALE, ""


def _area_code(number: str | None) -> str:
    """The area code of a +1 number ("+12125550199" -> "212"); "" for others."""
    return number[2:5] if number and number.startswith("+1") and len(number) == 12 else ""


def _registry_staleness(facts: DialFacts, registry: str, name: str, max_age: int) -> tuple[str, str]:
    """(code, why) when the copy of a national registry (the US registry, Canada's DNCL) covering the
    number's area code cannot be relied on; (REGISTRY_STALE, "") when it can. Copies are kept per
    area code: `registry_as_of[registry]` is the as-of date of this number's area code's copy."""
    as_of = facts.registry_as_of.get(registry)
    if as_of is None:
        code = _area_code(facts.number)
        if registry not in facts.registries_loaded:
            return (
                REGISTRY_MISSING,
                f"no copy of the {name} has ever been imported; residential numbers cannot be checked",
            )
        return REGISTRY_MISSING, (
            f"area code {code or '?'} was never downloaded from the {name}; "
            "import its list before calling residential numbers there"
        )
    age = (facts.at.date() - as_of).days
    if age > max_age:
        code = _area_code(facts.number)
        what = f"copy of area code {code}" if code else "copy"
        return REGISTRY_STALE, (
            f"the {name} {what} is {age} days old (as of {as_of}); the safe harbour needs one "
            f"no older than {max_age} days"
        )
    return REGISTRY_STALE, ""


def registry_reasons(
    facts: DialFacts, rules: RuleBook, place: Place, reasons: list[Reason], notes: list[Reason]
) -> None:
    checks = _list_checks(facts, rules, place)
    if not checks:
        return
    if facts.lead_kind == "business":
        exempt = [c for c in checks if not c.covers_business]
        if exempt:
            # One phrase per list, each naming its list: two stale lists are not one doubled phrase.
            what = "; ".join(
                dict.fromkeys(
                    f"on the {c.name}" if c.listed else f"not checked against a fresh copy of the {c.name}"
                    for c in exempt
                )
            )
            notes.append(
                Reason(B2B_EXEMPTION, f"business number {what}: these lists cover residential numbers")
            )
        checks = [c for c in checks if c.covers_business]
        if not checks:
            return
    today = facts.at.date()
    consent = facts.consent
    if consent.written_on is not None and consent.written_on <= today:
        notes.append(Reason(CONSENT, f"prior express written consent on {consent.written_on.isoformat()}"))
        return
    # The shortest window of the federal rule and every applicable state's (PA: 12 months).
    purchase_months, inquiry_months = place.purchase_months, place.inquiry_months
    if (
        consent.purchase_on is not None
        and _months_before(today, purchase_months) <= consent.purchase_on <= today
    ):
        notes.append(
            Reason(
                EBR_PURCHASE,
                f"established business relationship: purchase on "
                f"{consent.purchase_on.isoformat()} (within {purchase_months} months)",
            )
        )
        return
    if (
        consent.inquiry_on is not None
        and _months_before(today, inquiry_months) <= consent.inquiry_on <= today
    ):
        notes.append(
            Reason(
                EBR_INQUIRY,
                f"established business relationship: inquiry on "
                f"{consent.inquiry_on.isoformat()} (within {inquiry_months} months)",
            )
        )
        return
    for check in checks:
        if check.listed:
            reasons.append(_listed_reason(check.name, check.is_state))
    for check in checks:
        if check.stale:
            reasons.append(Reason(check.stale_code, check.stale))


@lru_cache(maxsize=256)
def _listed_reason(name: str, is_state: bool) -> Reason:
    """Why a listed number is blocked by the list `name` (one shared record per list: the reason
    names the list only)."""
    if is_state:
        return Reason(DNC_STATE, f"on the {name}")
    return Reason(
        DNC_NATIONAL,
        f"on the {name} (residential number, no consent or established business relationship)",
    )
