"""An auditor's matrix: legal cases derived from the law, decided by the real gate on a real database.

Each row is a call someone might place, the moment (in the callee's local time), and what the law
says: allowed or not, and why. The rows come from the statutes and rules, not from Dialdesk's code:
16 CFR 310.4(c) and 47 CFR 64.1200(c)(1) (8:00-21:00 in the callee's time), 16 CFR 310.4(b)(1)(iii)(B)
and 310.4(b)(3)(iv) (the National Registry, a copy no older than 31 days), 16 CFR 310.2(q) (the
established business relationship: 18 months after a purchase, 3 after an inquiry), 47 CFR
64.1200(a)(2)-(3) (prerecorded messages need prior express written consent; to a wireless number even
for a business), the CRTC Unsolicited Telecommunications Rules (9:00-21:30 weekdays, 10:00-18:00
weekends; the DNCL, no older than 31 days; businesses exempt from the list, not from the hours), and
the state statutes named in each row. Where sources disagree the stricter reading is the expectation.

Every row runs twice through the product: `CallingService.check` (what the window and `dialdesk
check` ask) and `CallingService.start_call` (the one road to a dialer), on a copy of one prepared
SQLite workspace (migrations, a real list import, real registry imports per area code, consents),
with the clock pinned to the row's moment. A blocked row must never reach the dialer.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from desktop.domain.phones import area_code_region
from desktop.services.calling import CallingService, GateRefused
from desktop.services.clock import ManualClock
from desktop.services.emergencies import EmergencyService
from desktop.services.rules import shipped_outcome_rules
from desktop.services.workspace import Workspace, open_workspace
from tests.services.test_calling import RecordingDialer

DECIDED_ON = date(2026, 12, 1)  # the day the copies are measured from (a Tuesday)
FRESH = date(2026, 11, 25)
NATIONAL_31_DAYS = date(2026, 10, 31)  # 31 days before 1 Dec: still fresh (310.4(b)(3)(iv))
NATIONAL_32_DAYS = date(2026, 10, 30)  # 32 days: stale
NEVER_DOWNLOADED = (646, 939)  # area codes no national copy covers
SEPARATE_COPIES = {718: NATIONAL_32_DAYS, 347: NATIONAL_31_DAYS}
CANADA_NEVER = (604,)

HEADER = "Name,Company,Phone,Landline Phone,State,Type,Zip"
# last name: (company, phone, landline, state, kind, zip)
LEADS: dict[str, tuple[str, str, str, str, str, str]] = {
    "Nyres": ("", "212-555-0101", "", "NY", "residential", ""),
    "Nylisted": ("", "212-555-0102", "", "NY", "residential", ""),
    "Nybiz": ("Nybiz Co", "212-555-0103", "", "NY", "business", ""),
    "Nyebr17": ("", "212-555-0104", "", "NY", "residential", ""),
    "Nyebr19": ("", "212-555-0105", "", "NY", "residential", ""),
    "Nyinq2": ("", "212-555-0106", "", "NY", "residential", ""),
    "Nyinq4": ("", "212-555-0107", "", "NY", "residential", ""),
    "Caca": ("", "212-555-0108", "", "CA", "residential", ""),
    "Zipmd": ("", "212-555-0109", "", "", "residential", "21201"),
    "Akzip": ("", "907-279-0111", "", "", "residential", "99501"),
    "Txres": ("", "512-555-0111", "", "TX", "residential", ""),
    "Txlisted": ("", "512-555-0112", "", "TX", "residential", ""),
    "Txelpaso": ("Elpaso Co", "915-555-0113", "", "TX", "business", ""),
    "Mdres": ("", "410-555-0121", "", "MD", "residential", ""),
    "Mdtwin": ("", "410-555-0121", "", "MD", "residential", ""),
    "Mdwritten": ("", "410-555-0122", "", "MD", "residential", ""),
    "Mdtwo": ("", "410-555-0127", "410-555-0128", "MD", "residential", ""),
    "Mdva": ("", "410-555-0123", "", "VA", "residential", ""),
    "Flres": ("", "305-555-0131", "", "FL", "residential", ""),
    "Flny": ("", "305-555-0132", "", "NY", "residential", ""),
    "Fllisted": ("", "305-555-0133", "", "FL", "residential", ""),
    "Flwritten": ("", "305-555-0134", "", "FL", "residential", ""),
    "Okres": ("", "405-555-0141", "", "OK", "residential", ""),
    "Labiz": ("Labiz Co", "504-555-0151", "", "LA", "business", ""),
    "Msbiz": ("Msbiz Co", "601-555-0152", "", "MS", "business", ""),
    "Albiz": ("Albiz Co", "205-555-0153", "", "AL", "business", ""),
    "Utbiz": ("Utbiz Co", "801-555-0154", "", "UT", "business", ""),
    "Wabiz": ("Wabiz Co", "206-555-0155", "", "WA", "business", ""),
    "Ctbiz": ("Ctbiz Co", "860-555-0156", "", "CT", "business", ""),
    "Kybiz": ("Kybiz Co", "502-555-0157", "", "KY", "business", ""),
    "Tnres": ("", "615-555-0158", "", "TN", "residential", ""),
    "Cores": ("", "303-555-0159", "", "CO", "residential", ""),
    "Cobiz": ("Cobiz Co", "303-555-0160", "", "CO", "business", ""),
    "Rires": ("", "401-555-0161", "", "RI", "residential", ""),
    "Pabiz": ("Pabiz Co", "215-555-0171", "", "PA", "business", ""),
    "Pabizlisted": ("Pabizlisted Co", "215-555-0172", "", "PA", "business", ""),
    "Paebr11": ("", "215-555-0173", "", "PA", "residential", ""),
    "Paebr13": ("", "215-555-0174", "", "PA", "residential", ""),
    "Vmmobile": ("Vm Inc", "212-555-0181", "", "NY", "business", ""),
    "Vmland": ("Vl Inc", "", "212-555-0182", "NY", "business", ""),
    "Vmres": ("", "212-555-0183", "", "NY", "residential", ""),
    "Vmwritten": ("", "212-555-0184", "", "NY", "residential", ""),
    "Mdland": ("Mdland Co", "", "410-555-0126", "MD", "business", ""),
    "Flland": ("Flland Co", "", "305-555-0135", "FL", "business", ""),
    "Okland": ("Okland Co", "", "405-555-0142", "OK", "business", ""),
    "Toland": ("Toland Co", "", "416-555-0193", "ON", "business", ""),
    "Azbiz": ("Azbiz Co", "602-555-0162", "", "AZ", "business", ""),
    "Hibiz": ("Hibiz Co", "808-555-0163", "", "HI", "business", ""),
    "Nlres": ("", "709-555-0164", "", "NL", "residential", ""),
    "Oktx": ("", "405-555-0143", "", "TX", "residential", ""),
    "Latx": ("Latx Co", "504-555-0152", "", "TX", "business", ""),
    "Nyon": ("", "212-555-0110", "", "ON", "residential", ""),
    "Tony": ("", "416-555-0194", "", "NY", "residential", ""),
    "Almobile": ("Almobile Co", "251-555-0165", "", "AL", "business", ""),
    "Nvbiz": ("Nvbiz Co", "702-555-0166", "", "NV", "business", ""),
    "Mabiz": ("Mabiz Co", "617-555-0167", "", "MA", "business", ""),
    "Mibiz": ("Mibiz Co", "313-555-0168", "", "MI", "business", ""),
    "Mnbiz": ("Mnbiz Co", "612-555-0169", "", "MN", "business", ""),
    "Nmbiz": ("Nmbiz Co", "505-555-0170", "", "NM", "business", ""),
    "Flabbr": ("Flabbr Co", "212-555-0111", "", "Fla.", "business", ""),
    "Mdtypo": ("Mdtypo Co", "212-555-0112", "", "Marylnd", "business", ""),
    "Nostate": ("Nostate Co", "212-555-0113", "", "N/A", "business", ""),
    "Tores": ("", "416-555-0191", "", "ON", "residential", ""),
    "Todncl": ("", "416-555-0190", "", "ON", "residential", ""),
    "Tobiz": ("Tobiz Co", "416-555-0192", "", "ON", "business", ""),
    "Newritten": ("", "402-555-0185", "", "NE", "residential", ""),
    "Neland": ("Neland Co", "", "402-555-0186", "NE", "business", ""),
}
NATIONAL_LISTED = [
    "+12125550102",
    "+12125550103",
    "+12125550104",
    "+12125550105",
    "+12125550106",
    "+12125550107",
    "+12155550173",
    "+12155550174",
    "+17872345678",
    "+13406421234",
    "+16713001234",
    "+16702345678",
    "+16846221234",
    "+18005550101",
    "+14105550124",
]
STATE_LISTS = {
    "state:FL": (FRESH, ["+13055550133"]),
    "state:TX": (FRESH, ["+15125550112"]),
    "state:PA": (FRESH, ["+12155550172"]),
    "state:TN": (NATIONAL_32_DAYS, ["+16155559999"]),  # Tennessee: 31 days at most: stale
}
CONSENTS = [
    ("Mdwritten", "written", date(2026, 11, 2)),
    ("Flwritten", "written", date(2026, 11, 2)),
    ("Vmwritten", "written", date(2026, 11, 2)),
    ("Newritten", "written", date(2026, 11, 2)),
    ("Nyebr17", "purchase", date(2025, 7, 5)),  # 17 months before: inside 18 (310.2(q))
    ("Nyebr19", "purchase", date(2025, 5, 1)),  # 19 months before: outside
    ("Nyinq2", "inquiry", date(2026, 9, 20)),  # 2.4 months: inside 3
    ("Nyinq4", "inquiry", date(2026, 8, 15)),  # 3.5 months: outside
    ("Paebr11", "purchase", date(2026, 1, 5)),  # 11 months: inside Pennsylvania's 12
    ("Paebr13", "purchase", date(2025, 10, 20)),  # 13 months: outside PA's 12, inside the federal 18
]


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def ny(*parts: int) -> datetime:
    return local("America/New_York", *parts)


def ct(*parts: int) -> datetime:
    return local("America/Chicago", *parts)


def mt(*parts: int) -> datetime:
    return local("America/Denver", *parts)


def pt(*parts: int) -> datetime:
    return local("America/Los_Angeles", *parts)


def toronto(*parts: int) -> datetime:
    return local("America/Toronto", *parts)


def holiday(subdivision: str, name: str, year: int = 2026) -> tuple[int, int, int]:
    """(year, month, day) of a state's legal holiday `name` in `year`, as the `holidays` package has it."""
    calendar = holidays.country_holidays("US", subdiv=subdivision, years=year)
    named = sorted(day for day, title in calendar.items() if name in title)
    assert named, f"{name} is not a {subdivision} holiday in {year}"
    return named[0].year, named[0].month, named[0].day


@dataclass(frozen=True)
class Call:
    lead: str | None = None
    number: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    at: datetime
    call: Call
    allowed: bool
    code: str = ""  # a reason code the decision must carry when blocked
    automated: bool = False
    prerecorded: bool = False
    before: tuple[tuple[Call, datetime], ...] = ()  # calls placed earlier (through the gate)
    setup: Callable[[Workspace], None] | None = None
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def lead(name: str) -> Call:
    return Call(lead=name)


def bare(number: str) -> Call:
    return Call(number=number)


def _la_emergency(workspace: Workspace) -> None:
    EmergencyService(workspace.uow).add("LA", date(2026, 11, 30), date(2026, 12, 3), "Orleans")


def _internal(workspace: Workspace) -> None:
    workspace.dnc.add("+12125550101", reason="asked not to be called")


TUESDAY = (2026, 12, 1)
SATURDAY = (2026, 12, 5)
SUNDAY = (2026, 12, 6)

CASES: list[Case] = [
    # -- Federal hours, 16 CFR 310.4(c) / 47 CFR 64.1200(c)(1): 8:00 to 21:00 in the callee's time --
    Case("fed-0759", ny(*TUESDAY, 7, 59), lead("Nyres"), False, "calling_hours", source="16 CFR 310.4(c)"),
    Case("fed-0800", ny(*TUESDAY, 8, 0), lead("Nyres"), True, source="16 CFR 310.4(c)"),
    Case("fed-2059", ny(*TUESDAY, 20, 59), lead("Nyres"), True, source="16 CFR 310.4(c)"),
    Case("fed-2100", ny(*TUESDAY, 21, 0), lead("Nyres"), False, "calling_hours", source="16 CFR 310.4(c)"),
    Case(
        "fed-biz-2100",
        ny(*TUESDAY, 21, 0),
        lead("Nybiz"),
        False,
        "calling_hours",
        source="hours kept for business leads too (a business number may be a mobile): stricter",
    ),
    # DST: 2026-03-08 (spring forward) and 2026-11-01 (fall back): local time, not a fixed offset.
    Case(
        "dst-spring-0759",
        ny(2026, 3, 9, 7, 59),
        lead("Nybiz"),
        False,
        "calling_hours",
        source="310.4(c): the callee's local time after the change to EDT",
    ),
    Case("dst-spring-0800", ny(2026, 3, 9, 8, 0), lead("Nybiz"), True, source="310.4(c), EDT"),
    Case("dst-spring-day-2059", ny(2026, 3, 8, 20, 59), lead("Nybiz"), True, source="310.4(c), change day"),
    Case(
        "dst-fall-0759",
        ny(2026, 11, 2, 7, 59),
        lead("Nybiz"),
        False,
        "calling_hours",
        source="310.4(c): the callee's local time after the change to EST",
    ),
    Case(
        "dst-fall-day-2100",
        ny(2026, 11, 1, 21, 0),
        lead("Nybiz"),
        False,
        "calling_hours",
        source="310.4(c), change day",
    ),
    Case(
        "fed-christmas-ny",
        ny(2026, 12, 25, 12, 0),
        lead("Nyres"),
        True,
        source="no federal or New York holiday rule (N.Y. GBL 399-z)",
    ),
    # -- Texas, Bus. & Com. Code 301.051: 9-21 Mon-Sat, 12-21 Sunday --
    Case("tx-0859", ct(*TUESDAY, 8, 59), lead("Txres"), False, "calling_hours", source="Tex. B&C 301.051"),
    Case("tx-0900", ct(*TUESDAY, 9, 0), lead("Txres"), True, source="Tex. B&C 301.051"),
    Case("tx-2059", ct(*TUESDAY, 20, 59), lead("Txres"), True, source="Tex. B&C 301.051"),
    Case("tx-2100", ct(*TUESDAY, 21, 0), lead("Txres"), False, "calling_hours", source="Tex. B&C 301.051"),
    Case(
        "tx-sun-1159",
        ct(*SUNDAY, 11, 59),
        lead("Txres"),
        False,
        "calling_hours",
        source="Tex. B&C 301.051(2): Sunday not before noon",
    ),
    Case("tx-sun-1200", ct(*SUNDAY, 12, 0), lead("Txres"), True, source="Tex. B&C 301.051(2)"),
    Case(
        "tx-elpaso-mountain",
        mt(*TUESDAY, 8, 59),
        lead("Txelpaso"),
        False,
        "calling_hours",
        source="El Paso (915) keeps Mountain time: 8:59 there is before 9:00",
    ),
    Case(
        "tx-state-list",
        ct(*TUESDAY, 12, 0),
        lead("Txlisted"),
        False,
        "dnc_state",
        source="Tex. B&C 304 Texas no-call list",
    ),
    # -- Maryland, Com. Law 14-4501 ff.: 8-20, 3 calls per 24 h, automated dialling needs consent --
    Case("md-1959", ny(*TUESDAY, 19, 59), lead("Mdres"), True, source="Md. Com. Law 14-4503"),
    Case(
        "md-2000", ny(*TUESDAY, 20, 0), lead("Mdres"), False, "calling_hours", source="Md. Com. Law 14-4503"
    ),
    Case(
        "md-presumed-va",
        ny(*TUESDAY, 20, 30),
        lead("Mdva"),
        False,
        "calling_hours",
        source="Md. Com. Law 14-4501: a Maryland area code is presumed a Maryland resident",
    ),
    Case(
        "md-bare-2030",
        ny(*TUESDAY, 20, 30),
        bare("410-555-0199"),
        False,
        "calling_hours",
        source="a bare number with a Maryland area code: Maryland's hours",
    ),
    Case(
        "md-3rd-call",
        ny(*TUESDAY, 12, 0),
        lead("Mdres"),
        True,
        before=((lead("Mdres"), ny(*TUESDAY, 10, 0)), (lead("Mdtwin"), ny(*TUESDAY, 11, 0))),
        source="Md. Com. Law 14-4503(a)(3): at most 3 in 24 h",
    ),
    Case(
        "md-4th-call-two-leads",
        ny(*TUESDAY, 12, 0),
        lead("Mdtwin"),
        False,
        "state_rule",
        before=(
            (lead("Mdres"), ny(*TUESDAY, 10, 0)),
            (lead("Mdtwin"), ny(*TUESDAY, 11, 0)),
            (bare("410-555-0121"), ny(*TUESDAY, 11, 30)),
        ),
        source="3 calls per person and number, across duplicate leads and bare dials",
    ),
    Case(
        "md-4th-call-bare-check",
        ny(*TUESDAY, 12, 0),
        bare("(410) 555-0121"),
        False,
        "state_rule",
        before=(
            (lead("Mdres"), ny(*TUESDAY, 10, 0)),
            (lead("Mdtwin"), ny(*TUESDAY, 11, 0)),
            (lead("Mdres"), ny(*TUESDAY, 11, 30)),
        ),
        source="a bare number is decided as its lead: the cap counts every call",
    ),
    Case(
        "md-4th-call-to-the-persons-other-number",
        ny(*TUESDAY, 12, 0),
        bare("410-555-0128"),
        False,
        "state_rule",
        before=(
            (lead("Mdtwo"), ny(*TUESDAY, 10, 0)),
            (bare("410-555-0127"), ny(*TUESDAY, 10, 30)),
            (lead("Mdtwo"), ny(*TUESDAY, 11, 0)),
        ),
        source="Md. Com. Law 14-4503(a)(3): more than 3 calls to a person (any of their numbers) in 24 h",
    ),
    Case(
        "md-4th-call-to-the-lead-on-its-other-number",
        ny(*TUESDAY, 12, 0),
        lead("Mdtwo"),
        False,
        "state_rule",
        before=(
            (bare("410-555-0128"), ny(*TUESDAY, 10, 0)),
            (bare("410-555-0128"), ny(*TUESDAY, 10, 30)),
            (bare("410-555-0128"), ny(*TUESDAY, 11, 0)),
        ),
        source="calls to the person's second number count against the first",
    ),
    Case(
        "md-24h-window-closes",
        ny(2026, 12, 2, 10, 1),
        lead("Mdres"),
        True,
        before=(
            (lead("Mdres"), ny(*TUESDAY, 10, 0)),
            (lead("Mdres"), ny(*TUESDAY, 11, 0)),
            (lead("Mdres"), ny(*TUESDAY, 12, 0)),
        ),
        source="24 hours after the first call it no longer counts",
    ),
    Case(
        "md-24h-window-open",
        ny(2026, 12, 2, 9, 59),
        lead("Mdres"),
        False,
        "state_rule",
        before=(
            (lead("Mdres"), ny(*TUESDAY, 10, 0)),
            (lead("Mdres"), ny(*TUESDAY, 11, 0)),
            (lead("Mdres"), ny(*TUESDAY, 12, 0)),
        ),
        source="three calls within the last 24 h",
    ),
    Case(
        "md-power-dial",
        ny(*TUESDAY, 12, 0),
        lead("Mdres"),
        False,
        "state_rule",
        automated=True,
        source="Md. Com. Law 14-4503(a)(1): automated dialling needs prior express written consent",
    ),
    Case(
        "md-power-dial-written",
        ny(*TUESDAY, 12, 0),
        lead("Mdwritten"),
        True,
        automated=True,
        source="with written consent",
    ),
    # -- Florida, Stat. 501.059 / 501.616: 8-20, 3 per 24 h, autodial consent, state list --
    Case("fl-1959", ny(*TUESDAY, 19, 59), lead("Flres"), True, source="Fla. Stat. 501.616(6)"),
    Case(
        "fl-2000", ny(*TUESDAY, 20, 0), lead("Flres"), False, "calling_hours", source="Fla. Stat. 501.616(6)"
    ),
    Case(
        "fl-presumed-ny",
        ny(*TUESDAY, 20, 30),
        lead("Flny"),
        False,
        "calling_hours",
        source="Fla. Stat. 501.059(1)(j): a Florida area code is presumed a Florida resident",
    ),
    Case(
        "fl-power-dial",
        ny(*TUESDAY, 12, 0),
        lead("Flres"),
        False,
        "state_rule",
        automated=True,
        source="Fla. Stat. 501.059(8)(a)",
    ),
    Case(
        "fl-state-list",
        ny(*TUESDAY, 12, 0),
        lead("Fllisted"),
        False,
        "dnc_state",
        source="Fla. Stat. 501.059(3)",
    ),
    Case(
        "fl-voicemail-written",
        ny(*TUESDAY, 12, 0),
        lead("Flwritten"),
        True,
        prerecorded=True,
        source="recorded message with prior express written consent",
    ),
    # -- Oklahoma, 15 O.S. 775C.4: 8-20, autodial consent --
    Case("ok-0759", ct(*TUESDAY, 7, 59), lead("Okres"), False, "calling_hours", source="15 O.S. 775C.4"),
    Case("ok-1959", ct(*TUESDAY, 19, 59), lead("Okres"), True, source="15 O.S. 775C.4"),
    Case("ok-2000", ct(*TUESDAY, 20, 0), lead("Okres"), False, "calling_hours", source="15 O.S. 775C.4"),
    Case(
        "ok-power-dial",
        ct(*TUESDAY, 12, 0),
        lead("Okres"),
        False,
        "state_rule",
        automated=True,
        source="15 O.S. 775C.4(A)",
    ),
    # -- Louisiana, R.S. 45:844.11 ff.: 8-20, no Sundays, no holidays, emergencies --
    Case("la-sat-1200", ct(*SATURDAY, 12, 0), lead("Labiz"), True, source="La. R.S. 45:844.14"),
    Case("la-sun-1200", ct(*SUNDAY, 12, 0), lead("Labiz"), False, "state_rule", source="La. R.S. 45:844.14"),
    Case("la-2000", ct(*TUESDAY, 20, 0), lead("Labiz"), False, "calling_hours", source="La. R.S. 45:844.14"),
    Case(
        "la-mardi-gras",
        ct(*holiday("LA", "Mardi Gras"), 12, 0),
        lead("Labiz"),
        False,
        "state_rule",
        source="La. R.S. 45:844.14: no legal holidays (Mardi Gras, R.S. 1:55)",
    ),
    Case(
        "la-emergency",
        ct(*TUESDAY, 12, 0),
        lead("Labiz"),
        False,
        "state_rule",
        setup=_la_emergency,
        source="La. R.S. 45:844.14(D): declared state of emergency",
    ),
    # -- Mississippi, Alabama: no Sundays; Alabama and Mississippi holidays --
    Case("ms-sun", ct(*SUNDAY, 12, 0), lead("Msbiz"), False, "state_rule", source="Miss. Code 77-3-725"),
    Case("ms-2000", ct(*TUESDAY, 20, 0), lead("Msbiz"), False, "calling_hours", source="Miss. Code 77-3-725"),
    Case("al-sun", ct(*SUNDAY, 12, 0), lead("Albiz"), False, "state_rule", source="Ala. PSC rule / 8-19A"),
    Case(
        "al-confederate-day",
        ct(*holiday("AL", "Confederate"), 12, 0),
        lead("Albiz"),
        False,
        "state_rule",
        source="Alabama legal holiday (Ala. Code 1-3-8)",
    ),
    # -- Utah 13-25a-103: not 21:00-8:00, not Sundays or legal holidays --
    Case("ut-2059", mt(*TUESDAY, 20, 59), lead("Utbiz"), True, source="Utah Code 13-25a-103"),
    Case(
        "ut-2100", mt(*TUESDAY, 21, 0), lead("Utbiz"), False, "calling_hours", source="Utah Code 13-25a-103"
    ),
    Case("ut-sun", mt(*SUNDAY, 12, 0), lead("Utbiz"), False, "state_rule", source="Utah Code 13-25a-103"),
    Case(
        "ut-pioneer-day",
        mt(*holiday("UT", "Pioneer"), 12, 0),
        lead("Utbiz"),
        False,
        "state_rule",
        source="Utah legal holiday (Utah Code 63G-1-301)",
    ),
    # -- Washington RCW 19.158.040, Connecticut 42-288a (2023), Kentucky KRS 367.46955 --
    Case("wa-1959", pt(*TUESDAY, 19, 59), lead("Wabiz"), True, source="RCW 19.158.040"),
    Case("wa-2000", pt(*TUESDAY, 20, 0), lead("Wabiz"), False, "calling_hours", source="RCW 19.158.040"),
    Case(
        "ct-0859",
        ny(*TUESDAY, 8, 59),
        lead("Ctbiz"),
        False,
        "calling_hours",
        source="Conn. 42-288a (P.A. 23-98)",
    ),
    Case(
        "ct-2000",
        ny(*TUESDAY, 20, 0),
        lead("Ctbiz"),
        False,
        "calling_hours",
        source="Conn. 42-288a (P.A. 23-98)",
    ),
    Case("ky-0959", ny(*TUESDAY, 9, 59), lead("Kybiz"), False, "calling_hours", source="KRS 367.46955(3)"),
    Case("ky-1000", ny(*TUESDAY, 10, 0), lead("Kybiz"), True, source="KRS 367.46955(3)"),
    # -- Rhode Island 5-61-3.4: weekdays 9-18, Saturday 10-17, no Sundays or holidays --
    Case("ri-0859", ny(*TUESDAY, 8, 59), lead("Rires"), False, "calling_hours", source="R.I. 5-61-3.4"),
    Case("ri-1759", ny(*TUESDAY, 17, 59), lead("Rires"), True, source="R.I. 5-61-3.4"),
    Case("ri-1800", ny(*TUESDAY, 18, 0), lead("Rires"), False, "calling_hours", source="R.I. 5-61-3.4"),
    Case("ri-sat-0959", ny(*SATURDAY, 9, 59), lead("Rires"), False, "calling_hours", source="R.I. 5-61-3.4"),
    Case("ri-sat-1000", ny(*SATURDAY, 10, 0), lead("Rires"), True, source="R.I. 5-61-3.4"),
    Case("ri-sat-1700", ny(*SATURDAY, 17, 0), lead("Rires"), False, "calling_hours", source="R.I. 5-61-3.4"),
    Case("ri-sun", ny(*SUNDAY, 12, 0), lead("Rires"), False, "state_rule", source="R.I. 5-61-3.4"),
    Case(
        "ri-thanksgiving",
        ny(2026, 11, 26, 12, 0),
        lead("Rires"),
        False,
        "state_rule",
        source="R.I. 5-61-3.4: no legal holidays",
    ),
    # -- Pennsylvania 73 P.S. 2241 ff.: no holidays, the list takes business numbers, EBR 12 months --
    Case(
        "pa-thanksgiving",
        ny(2026, 11, 26, 12, 0),
        lead("Pabiz"),
        False,
        "state_rule",
        source="73 P.S. 2245.2: no legal holidays",
    ),
    Case("pa-business-allowed", ny(*TUESDAY, 12, 0), lead("Pabiz"), True, source="not on the PA list"),
    Case(
        "pa-list-business",
        ny(*TUESDAY, 12, 0),
        lead("Pabizlisted"),
        False,
        "dnc_state",
        source="the Pennsylvania do-not-call list accepts business numbers",
    ),
    Case(
        "pa-ebr-11-months", ny(*TUESDAY, 12, 0), lead("Paebr11"), True, source="73 P.S. 2242: EBR 12 months"
    ),
    Case(
        "pa-ebr-13-months",
        ny(*TUESDAY, 12, 0),
        lead("Paebr13"),
        False,
        "dnc_national",
        source="73 P.S. 2242: EBR 12 months (the federal 18 does not save it)",
    ),
    Case(
        "pa-sat-1159",
        ny(*SATURDAY, 11, 59),
        lead("Pabiz"),
        True,
        source="44 P.S. 11: Saturday is a half holiday",
    ),
    Case(
        "pa-sat-1200",
        ny(*SATURDAY, 12, 0),
        lead("Pabiz"),
        False,
        "calling_hours",
        source="44 P.S. 11: every Saturday after noon is a legal (half) holiday; 73 P.S. 2245.2",
    ),
    Case(
        "pa-good-friday",
        ny(2026, 4, 3, 12, 0),
        lead("Pabiz"),
        False,
        "state_rule",
        source="44 P.S. 11: Good Friday is a Pennsylvania legal holiday",
    ),
    Case(
        "pa-flag-day-observed",
        ny(2026, 6, 15, 12, 0),
        lead("Pabiz"),
        False,
        "state_rule",
        source="44 P.S. 11: Flag Day (14 June 2026 is a Sunday: kept on Monday)",
    ),
    Case(
        "pa-election-day",
        ny(2026, 11, 3, 12, 0),
        lead("Pabiz"),
        False,
        "state_rule",
        source="44 P.S. 11: Election Day",
    ),
    Case("ny-election-day", ny(2026, 11, 3, 12, 0), lead("Nybiz"), True, source="no New York holiday rule"),
    # -- Established business relationship elsewhere, 16 CFR 310.2(q): 18 months / 3 months --
    Case("ny-ebr-17-months", ny(*TUESDAY, 12, 0), lead("Nyebr17"), True, source="310.2(q): 18 months"),
    Case("ny-ebr-19-months", ny(*TUESDAY, 12, 0), lead("Nyebr19"), False, "dnc_national", source="310.2(q)"),
    Case("ny-inquiry-2-months", ny(*TUESDAY, 12, 0), lead("Nyinq2"), True, source="310.2(q): 3 months"),
    Case(
        "ny-inquiry-4-months", ny(*TUESDAY, 12, 0), lead("Nyinq4"), False, "dnc_national", source="310.2(q)"
    ),
    Case(
        "ny-registry-listed",
        ny(*TUESDAY, 12, 0),
        lead("Nylisted"),
        False,
        "dnc_national",
        source="310.4(b)(1)(iii)(B)",
    ),
    Case(
        "ny-registry-business",
        ny(*TUESDAY, 12, 0),
        lead("Nybiz"),
        True,
        source="the National Registry is for residential subscribers (64.1200(c)(2))",
    ),
    Case(
        "internal-list",
        ny(*TUESDAY, 12, 0),
        lead("Nyres"),
        False,
        "dnc_internal",
        setup=_internal,
        source="310.4(b)(1)(iii)(A): the firm's own list",
    ),
    # -- Registry coverage per area code and staleness --
    Case(
        "registry-missing-646",
        ny(*TUESDAY, 12, 0),
        bare("646-555-0101"),
        False,
        "registry_missing",
        source="310.4(b)(3)(iv): no copy of area code 646 was ever obtained",
    ),
    Case(
        "registry-missing-business",
        ny(*TUESDAY, 12, 0),
        bare("646-555-0101"),
        True,
        extra={"kind": "business"},
        source="the registry does not apply to a business",
    ),
    Case(
        "registry-stale-32-days",
        ny(*TUESDAY, 12, 0),
        bare("718-555-0101"),
        False,
        "registry_stale",
        source="310.4(b)(3)(iv): no more than 31 days",
    ),
    Case("registry-31-days", ny(*TUESDAY, 12, 0), bare("347-555-0101"), True, source="310.4(b)(3)(iv)"),
    Case(
        "registry-stale-33-days",
        ny(2026, 12, 2, 12, 0),
        bare("347-555-0101"),
        False,
        "registry_stale",
        source="the same copy a day later: 32 days",
    ),
    Case(
        "state-list-missing-co",
        mt(*TUESDAY, 12, 0),
        lead("Cores"),
        False,
        "",
        source="C.R.S. 6-1-904: a Colorado list never imported",
    ),
    Case(
        "state-list-missing-co-business",
        mt(*TUESDAY, 12, 0),
        lead("Cobiz"),
        True,
        source="the Colorado list is for residential subscribers",
    ),
    Case(
        "state-list-stale-tn",
        ct(*TUESDAY, 12, 0),
        lead("Tnres"),
        False,
        "",
        source="Tennessee list older than its 31 days",
    ),
    # -- Territories and toll-free numbers are on the National Registry (16 CFR 310.4(b)(1)(iii)(B)) --
    Case(
        "pr-787-listed",
        local("America/Puerto_Rico", *TUESDAY, 12, 0),
        bare("787-234-5678"),
        False,
        "dnc_national",
        source="Puerto Rico on the National Registry",
    ),
    Case(
        "pr-939-missing",
        local("America/Puerto_Rico", *TUESDAY, 12, 0),
        bare("939-555-0101"),
        False,
        "registry_missing",
        source="no copy of area code 939",
    ),
    Case(
        "vi-340-listed",
        local("America/St_Thomas", *TUESDAY, 12, 0),
        bare("340-642-1234"),
        False,
        "dnc_national",
        source="US Virgin Islands",
    ),
    Case(
        "gu-671-listed",
        local("Pacific/Guam", *TUESDAY, 12, 0),
        bare("671-300-1234"),
        False,
        "dnc_national",
        source="Guam",
    ),
    Case(
        "mp-670-listed",
        local("Pacific/Saipan", *TUESDAY, 12, 0),
        bare("670-234-5678"),
        False,
        "dnc_national",
        source="Northern Mariana Islands",
    ),
    Case(
        "as-684-listed",
        local("Pacific/Pago_Pago", *TUESDAY, 12, 0),
        bare("684-622-1234"),
        False,
        "dnc_national",
        source="American Samoa",
    ),
    Case(
        "gu-hours",
        local("Pacific/Guam", *TUESDAY, 21, 0),
        bare("671-300-1235"),
        False,
        "calling_hours",
        source="310.4(c) in Guam's own time",
    ),
    Case(
        "toll-free-listed",
        ny(*TUESDAY, 14, 0),
        bare("800-555-0101"),
        False,
        "dnc_national",
        source="toll-free numbers may be registered",
    ),
    # -- Canada: CRTC Telemarketing Rules, DNCL --
    Case("ca-0859", toronto(*TUESDAY, 8, 59), lead("Tores"), False, "calling_hours", source="CRTC UTR III.4"),
    Case("ca-0900", toronto(*TUESDAY, 9, 0), lead("Tores"), True, source="CRTC UTR III.4"),
    Case("ca-2129", toronto(*TUESDAY, 21, 29), lead("Tores"), True, source="CRTC UTR III.4"),
    Case(
        "ca-2130", toronto(*TUESDAY, 21, 30), lead("Tores"), False, "calling_hours", source="CRTC UTR III.4"
    ),
    Case("ca-sat-0959", toronto(*SATURDAY, 9, 59), lead("Tores"), False, "calling_hours", source="CRTC"),
    Case("ca-sat-1000", toronto(*SATURDAY, 10, 0), lead("Tores"), True, source="CRTC weekends 10-18"),
    Case("ca-sun-1759", toronto(*SUNDAY, 17, 59), lead("Tores"), True, source="CRTC weekends 10-18"),
    Case("ca-sun-1800", toronto(*SUNDAY, 18, 0), lead("Tores"), False, "calling_hours", source="CRTC"),
    Case("ca-dncl", toronto(*TUESDAY, 12, 0), lead("Todncl"), False, "", source="CRTC UTR Part II: the DNCL"),
    Case(
        "ca-dncl-business",
        toronto(*TUESDAY, 12, 0),
        lead("Tobiz"),
        True,
        source="businesses are exempt from the DNCL",
    ),
    Case(
        "ca-business-hours",
        toronto(*SATURDAY, 18, 0),
        lead("Tobiz"),
        False,
        "calling_hours",
        source="businesses are not exempt from the hours",
    ),
    Case(
        "ca-dncl-missing-604",
        local("America/Vancouver", *TUESDAY, 12, 0),
        bare("604-555-0101"),
        False,
        "",
        source="no DNCL copy of area code 604",
    ),
    # -- Zones without daylight saving, half-hour zones, territories' own hours --
    Case(
        "az-july-0759",
        local("America/Phoenix", 2026, 7, 7, 7, 59),
        lead("Azbiz"),
        False,
        "calling_hours",
        source="310.4(c): Arizona keeps MST all year (07:59 there is 08:59 in Denver)",
    ),
    Case(
        "az-july-2059", local("America/Phoenix", 2026, 7, 7, 20, 59), lead("Azbiz"), True, source="310.4(c)"
    ),
    Case(
        "hi-0759",
        local("Pacific/Honolulu", *TUESDAY, 7, 59),
        lead("Hibiz"),
        False,
        "calling_hours",
        source="310.4(c) in Hawaii",
    ),
    Case(
        "nl-2129",
        local("America/St_Johns", *TUESDAY, 21, 29),
        lead("Nlres"),
        True,
        source="CRTC: Newfoundland's half-hour zone",
    ),
    Case(
        "nl-2130",
        local("America/St_Johns", *TUESDAY, 21, 30),
        lead("Nlres"),
        False,
        "calling_hours",
        source="CRTC UTR III.4",
    ),
    Case(
        "pr-2059",
        local("America/Puerto_Rico", *TUESDAY, 20, 59),
        bare("787-234-5679"),
        True,
        source="310.4(c) in Puerto Rico (AST, no DST)",
    ),
    Case(
        "pr-2100",
        local("America/Puerto_Rico", *TUESDAY, 21, 0),
        bare("787-234-5679"),
        False,
        "calling_hours",
        source="310.4(c) in Puerto Rico",
    ),
    # -- More state windows --
    Case(
        "nv-0859",
        pt(*TUESDAY, 8, 59),
        lead("Nvbiz"),
        False,
        "calling_hours",
        source="NRS 228.590 charts: 9-20",
    ),
    Case("nv-2000", pt(*TUESDAY, 20, 0), lead("Nvbiz"), False, "calling_hours", source="NRS charts: 9-20"),
    Case("ma-2000", ny(*TUESDAY, 20, 0), lead("Mabiz"), False, "calling_hours", source="201 CMR 12.02(4)"),
    Case(
        "mi-0859", ny(*TUESDAY, 8, 59), lead("Mibiz"), False, "calling_hours", source="Michigan charts: 9-21"
    ),
    Case("mn-0859", ct(*TUESDAY, 8, 59), lead("Mnbiz"), False, "calling_hours", source="Minn. Stat. 325E.27"),
    Case("nm-0859", mt(*TUESDAY, 8, 59), lead("Nmbiz"), False, "calling_hours", source="NMSA 57-12-22"),
    Case(
        "ms-thanksgiving",
        ct(2026, 11, 26, 12, 0),
        lead("Msbiz"),
        False,
        "state_rule",
        source="Miss. Code 3-3-7 legal holiday (stricter chart)",
    ),
    Case(
        "la-independence-observed",
        ct(2026, 7, 3, 12, 0),
        lead("Labiz"),
        False,
        "state_rule",
        source="La. R.S. 1:55: Independence Day observed on Friday 3 July 2026",
    ),
    Case(
        "ut-pioneer-observed-2022",
        mt(2022, 7, 25, 12, 0),
        lead("Utbiz"),
        False,
        "state_rule",
        source="Utah Code 63G-1-301(2): a Sunday holiday is kept the Monday after",
    ),
    Case(
        "la-battle-of-new-orleans",
        ct(2026, 1, 8, 12, 0),
        lead("Labiz"),
        False,
        "state_rule",
        source="La. R.S. 1:55(A)(1): January 8 is a legal holiday",
    ),
    Case(
        "la-huey-long-day",
        ct(2024, 8, 30, 12, 0),
        lead("Labiz"),
        False,
        "state_rule",
        source="La. R.S. 1:55(A)(1): August 30 (a Friday in 2024)",
    ),
    Case(
        "la-all-saints",
        ct(2027, 11, 1, 12, 0),
        lead("Labiz"),
        False,
        "state_rule",
        source="La. R.S. 1:55(A)(1): November 1 (a Monday in 2027)",
    ),
    Case(
        "ri-victory-day",
        ny(*holiday("RI", "Victory"), 12, 0),
        lead("Rires"),
        False,
        "state_rule",
        source="R.I. Gen. Laws 25-1-1: Victory Day, second Monday in August",
    ),
    Case(
        "al-mardi-gras-mobile",
        ct(2026, 2, 17, 12, 0),
        lead("Almobile"),
        False,
        "state_rule",
        source="Ala. Code 1-3-8(c): Mardi Gras is a holiday in Baldwin and Mobile counties (area code 251)",
    ),
    # -- Presumptions and records that disagree --
    Case(
        "ok-presumed-tx",
        ct(*TUESDAY, 20, 0),
        lead("Oktx"),
        False,
        "calling_hours",
        source="15 O.S. 775C.2: an Oklahoma area code is presumed an Oklahoma resident",
    ),
    Case(
        "la-emergency-recorded-tx",
        ct(*TUESDAY, 12, 0),
        lead("Latx"),
        False,
        "state_rule",
        setup=_la_emergency,
        source="the number may ring in Louisiana during its emergency",
    ),
    Case(
        "us-number-recorded-ontario",
        ny(*SATURDAY, 19, 0),
        lead("Nyon"),
        False,
        "calling_hours",
        source="recorded in Ontario: the CRTC's weekend 10-18 applies too",
    ),
    Case(
        "canadian-number-recorded-ny",
        toronto(*SATURDAY, 19, 0),
        lead("Tony"),
        False,
        "calling_hours",
        source="a Toronto number: the CRTC's weekend 10-18",
    ),
    Case(
        "internal-list-beats-consent",
        ny(*TUESDAY, 12, 0),
        lead("Vmwritten"),
        False,
        "dnc_internal",
        setup=lambda workspace: workspace.dnc.add("+12125550184", reason="asked"),
        source="310.4(b)(1)(iii)(A): a do-not-call request overrides earlier consent",
    ),
    # -- Where the callee is: record vs number, exchange zones, ZIP codes --
    Case(
        "ny-number-in-ca-2330",
        ny(*TUESDAY, 23, 30),
        lead("Caca"),
        False,
        "calling_hours",
        source="the lead's state and the number's must both allow",
    ),
    Case(
        "ny-number-in-ca-0830",
        ny(*TUESDAY, 8, 30),
        lead("Caca"),
        False,
        "calling_hours",
        source="05:30 in California",
    ),
    Case(
        "ak-907-adak-0830",
        local("America/Anchorage", *TUESDAY, 8, 30),
        bare("907-279-5555"),
        False,
        "calling_hours",
        source="907 also covers Adak (an hour behind): 07:30 there",
    ),
    Case(
        "ak-907-0900",
        local("America/Anchorage", *TUESDAY, 9, 0),
        bare("907-279-5555"),
        True,
        source="08:00 in Adak",
    ),
    Case(
        "ak-zip-anchorage",
        local("America/Anchorage", *TUESDAY, 8, 30),
        lead("Akzip"),
        True,
        source="a ZIP in Anchorage settles the zone",
    ),
    Case(
        "zip-maryland",
        ny(*TUESDAY, 20, 30),
        lead("Zipmd"),
        False,
        "calling_hours",
        source="a Baltimore ZIP brings Maryland's 8-20",
    ),
    Case(
        "state-abbreviated-fla",
        ny(*TUESDAY, 20, 30),
        lead("Flabbr"),
        False,
        "calling_hours",
        source="'Fla.' is Florida: its 8-20 applies (Fla. Stat. 501.616(6))",
    ),
    Case(
        "state-unreadable",
        ny(*TUESDAY, 12, 0),
        lead("Mdtypo"),
        False,
        "state_rule",
        source="an unreadable recorded state: the callee's own rules cannot be checked",
    ),
    Case(
        "state-placeholder",
        ny(*TUESDAY, 12, 0),
        lead("Nostate"),
        True,
        source="'N/A' records no state: the number's rules apply",
    ),
    # -- Nebraska's ADAD hours (Neb. Rev. Stat. 86-236 ff., 291 NAC 11-003.01): prerecorded messages
    # 13:00-21:00 on Sundays and legal holidays, 8:00-21:00 otherwise, whatever the consent --
    *[
        Case(
            f"ne-vm-{case_id}",
            at,
            lead(name),
            allowed,
            "" if allowed else "state_rule",
            prerecorded=prerecorded,
            source="291 NAC 11-003.01 (stricter reading: consented and business lines too)",
        )
        for case_id, at, name, allowed, prerecorded in [
            ("sunday-morning-written", ct(*SUNDAY, 10, 0), "Newritten", False, True),
            ("sunday-1259-written", ct(*SUNDAY, 12, 59), "Newritten", False, True),
            ("sunday-afternoon-written", ct(*SUNDAY, 14, 30), "Newritten", True, True),
            ("sunday-morning-business-landline", ct(*SUNDAY, 10, 0), "Neland", False, True),
            ("sunday-morning-live-call", ct(*SUNDAY, 10, 0), "Newritten", True, False),
            ("saturday-morning-written", ct(*SATURDAY, 8, 30), "Newritten", True, True),
            ("christmas-morning", ct(*holiday("NE", "Christmas Day"), 10, 0), "Newritten", False, True),
            ("christmas-afternoon", ct(*holiday("NE", "Christmas Day"), 14, 30), "Newritten", True, True),
            # Arbor Day is a Nebraska holiday, not a federal one.
            ("arbor-day-morning", ct(*holiday("NE", "Arbor Day"), 10, 0), "Neland", False, True),
            ("arbor-day-afternoon", ct(*holiday("NE", "Arbor Day"), 14, 30), "Neland", True, True),
            ("thanksgiving-morning", ct(*holiday("NE", "Thanksgiving"), 9, 0), "Neland", False, True),
            ("thanksgiving-live-call", ct(*holiday("NE", "Thanksgiving"), 9, 0), "Neland", True, False),
        ]
    ],
    # -- Prerecorded messages (voicemail drops), 47 CFR 64.1200(a)(2)-(3) --
    Case(
        "vm-business-mobile",
        ny(*TUESDAY, 12, 0),
        lead("Vmmobile"),
        False,
        "prerecorded_consent",
        prerecorded=True,
        source="64.1200(a)(2): a wireless number needs written consent even for a business",
    ),
    Case(
        "vm-business-landline",
        ny(*TUESDAY, 12, 0),
        lead("Vmland"),
        True,
        prerecorded=True,
        source="a business landline (64.1200(a)(3) covers residential lines only)",
    ),
    Case(
        "vm-residential",
        ny(*TUESDAY, 12, 0),
        lead("Vmres"),
        False,
        "prerecorded_consent",
        prerecorded=True,
        source="64.1200(a)(3)",
    ),
    Case(
        "vm-residential-written",
        ny(*TUESDAY, 12, 0),
        lead("Vmwritten"),
        True,
        prerecorded=True,
        source="with prior express written consent",
    ),
    Case(
        "vm-md-landline",
        ny(*TUESDAY, 12, 0),
        lead("Mdland"),
        False,
        "state_rule",
        prerecorded=True,
        source="Md. Com. Law 14-4503(a)(1): a recorded message needs written consent, business or not",
    ),
    Case(
        "vm-fl-landline",
        ny(*TUESDAY, 12, 0),
        lead("Flland"),
        False,
        "state_rule",
        prerecorded=True,
        source="Fla. Stat. 501.059(8)(a): playing a recorded message needs written consent",
    ),
    Case(
        "vm-ok-landline",
        ct(*TUESDAY, 12, 0),
        lead("Okland"),
        False,
        "state_rule",
        prerecorded=True,
        source="15 O.S. 775C.4(A)",
    ),
    Case(
        "vm-canada-landline",
        toronto(*TUESDAY, 12, 0),
        lead("Toland"),
        False,
        "",
        prerecorded=True,
        source="CRTC UTR Part IV: an ADAD for solicitation needs the called party's express consent",
    ),
    Case(
        "vm-canada-residential",
        toronto(*TUESDAY, 12, 0),
        lead("Tores"),
        False,
        "",
        prerecorded=True,
        source="CRTC UTR Part IV",
    ),
    Case(
        "toll-free-unlisted-1400",
        ny(*TUESDAY, 14, 0),
        bare("888-555-0101"),
        False,
        "",
        source="a toll-free number may ring anywhere in the US and its territories (Guam is 05:00)",
    ),
    Case(
        "vm-md-business-landline",
        ny(*TUESDAY, 12, 0),
        bare("410-555-0125"),
        False,
        "",
        prerecorded=True,
        extra={"kind": "business"},
        source="Md. 14-4503: recorded messages need written consent",
    ),
]


def _national_codes(workspace: Workspace, source: str) -> list[int]:
    registries = workspace.rulebook.registries
    return [
        code
        for code in range(200, 1000)
        if (region := area_code_region(code)) is None or registries.get(region) == source
    ]


def _import_registry(
    workspace: Workspace, folder: Path, source: str, numbers: list[str], as_of: date, codes: list[int]
) -> None:
    path = folder / f"{source.replace(':', '-')}-{as_of}-{len(codes)}.txt"
    path.write_text("".join(f"{n[2:5]},{n[5:]}\n" for n in numbers), encoding="utf-8")
    workspace.registry_service.import_file(path, source, as_of=as_of, area_codes=codes)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("matrix")
    path = folder / "template.db"
    workspace = open_workspace(str(path), clock=ManualClock(datetime(2026, 12, 1, 12, tzinfo=UTC)))
    try:
        listing = folder / "leads.csv"
        rows = [
            f"X {name},{company},{phone},{land},{state},{kind},{zipcode}"
            for name, (company, phone, land, state, kind, zipcode) in LEADS.items()
        ]
        listing.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        workspace.imports.run(listing)
        national = [c for c in _national_codes(workspace, "national") if c not in NEVER_DOWNLOADED]
        main = [c for c in national if c not in SEPARATE_COPIES]
        in_main = [n for n in NATIONAL_LISTED if int(n[2:5]) in main]
        _import_registry(workspace, folder, "national", in_main, FRESH, main)
        for code, as_of in SEPARATE_COPIES.items():
            _import_registry(workspace, folder, "national", [], as_of, [code])
        canada = [c for c in _national_codes(workspace, "canada") if c not in CANADA_NEVER]
        _import_registry(workspace, folder, "canada", ["+14165550190", "+14165550192"], FRESH, canada)
        for source, (as_of, numbers) in STATE_LISTS.items():
            _import_registry(workspace, folder, source, numbers, as_of, [])
        ids = {record["last_name"]: record["id"] for record in workspace.leads.export_records()}
        for name, kind, given in CONSENTS:
            workspace.consent.add(ids[name], kind, given, "matrix evidence")
        workspace.lists_changed()
    finally:
        workspace.close()
    return path


@pytest.fixture
def desk(template: Path, tmp_path: Path) -> Iterator[tuple[Workspace, ManualClock]]:
    path = tmp_path / "case.db"
    shutil.copyfile(template, path)
    clock = ManualClock(datetime(2026, 12, 1, 12, tzinfo=UTC))
    workspace = open_workspace(str(path), clock=clock)
    yield workspace, clock
    workspace.close()


def _lead_ids(workspace: Workspace) -> dict[str, int]:
    return {record["last_name"]: record["id"] for record in workspace.leads.export_records()}


def _place(calling: CallingService, ids: dict[str, int], call: Call, **flags: bool) -> None:
    if call.lead is not None:
        calling.start_call(ids[call.lead], **flags)
    else:
        calling.start_call(None, number=call.number, **flags)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_gate_decides_as_the_law_says(case: Case, desk: tuple[Workspace, ManualClock]) -> None:
    workspace, clock = desk
    dialer = RecordingDialer()
    calling = CallingService(
        workspace.uow,
        clock,
        lambda: dialer,
        shipped_outcome_rules(),
        workspace.gate,
        agent_name=lambda: "Auditor",
        attempt_target=lambda: 18,
    )
    ids = _lead_ids(workspace)
    if case.setup is not None:
        case.setup(workspace)
    for earlier, moment in case.before:
        clock.set(moment)
        _place(calling, ids, earlier)
    assert len(dialer.dialled) == len(case.before), "the earlier calls must have been allowed"
    clock.set(case.at)
    lead_id = ids[case.call.lead] if case.call.lead is not None else None
    decision = calling.check(
        lead_id,
        number=case.call.number,
        at=case.at,
        kind=case.extra.get("kind"),
        automated=case.automated,
        prerecorded=case.prerecorded,
    ).decision
    assert decision.allowed is case.allowed, f"{case.id} ({case.source}): {decision.summary()}"
    if not case.allowed and case.code:
        assert case.code in decision.codes, f"{case.id}: {decision.codes} {decision.summary()}"
    if "kind" in case.extra:
        return  # start_call has no kind: a bare number without a lead is residential
    dialled_before = len(dialer.dialled)
    try:
        _place(calling, ids, case.call, automated=case.automated, prerecorded=case.prerecorded)
        placed = True
    except GateRefused:
        placed = False
    assert placed is case.allowed, f"{case.id}: check and dial disagree"
    assert len(dialer.dialled) == dialled_before + (1 if case.allowed else 0)


def test_the_matrix_is_large_and_balanced() -> None:
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)
    assert sum(not case.allowed for case in CASES) >= 40 and sum(case.allowed for case in CASES) >= 25


@pytest.mark.parametrize(
    ("header", "allowed"), [("Mobile/Landline", False), ("Cell or Landline", False), ("Landline Phone", True)]
)
def test_a_voicemail_drop_reads_the_imported_column_as_the_law_would(
    header: str, allowed: bool, desk: tuple[Workspace, ManualClock], tmp_path: Path
) -> None:
    """47 CFR 64.1200(a)(2): a column that may hold mobiles does not make a business landline."""
    workspace, _clock = desk
    listing = tmp_path / "drops.csv"
    listing.write_text(f"Name,Company,{header},State,Type\nUma Drop,Drop Co,212-555-0188,NY,business\n")
    workspace.imports.run(listing)
    drop = _lead_ids(workspace)["Drop"]
    decision = workspace.calling.check(drop, at=ny(*TUESDAY, 12, 0), prerecorded=True).decision
    assert decision.allowed is allowed, decision.summary()


def test_the_scrub_counts_a_persons_calls_on_every_number_as_the_gate_does(
    desk: tuple[Workspace, ManualClock],
) -> None:
    """A whole-list scrub (its own in-memory counts) agrees with the gate: the person's cap is reached
    by calls to their other number, and by calls made to that number as a bare dial."""
    workspace, clock = desk
    calling = CallingService(
        workspace.uow,
        clock,
        RecordingDialer,
        shipped_outcome_rules(),
        workspace.gate,
        agent_name=lambda: "Auditor",
        attempt_target=lambda: 18,
    )
    for minutes in (0, 10, 20):
        clock.set(ny(*TUESDAY, 10, minutes))
        calling.start_call(None, number="410-555-0128")  # Mdtwo's second number, dialled bare
    clock.set(ny(*TUESDAY, 12, 0))
    ids = _lead_ids(workspace)
    rows = {row.lead_id: row for row in workspace.scrub.rows()}
    gate = calling.check(ids["Mdtwo"]).decision
    assert not gate.allowed and "state_rule" in gate.codes
    assert rows[ids["Mdtwo"]].decision == gate
    assert rows[ids["Mdres"]].decision.allowed  # another person, another number: untouched


@pytest.mark.parametrize(
    ("header", "allowed"),
    [("Consent Revoked Date", False), ("Verbal Consent Date", False), ("Written Consent Date", True)],
)
def test_a_consent_column_counts_only_when_it_dates_written_consent(
    header: str, allowed: bool, desk: tuple[Workspace, ManualClock], tmp_path: Path
) -> None:
    """16 CFR 310.4(b)(1)(iii)(B)(1): only a signed, written agreement lifts the registry. A revoked or
    a verbal consent column is not imported (and is reported), so the listed number stays refused."""
    workspace, _clock = desk
    listing = tmp_path / "consents.csv"
    listing.write_text(f"Name,Phone,State,{header}\nVal Vote,212-555-0187,NY,2026-11-02\n")
    report = workspace.imports.run(listing)
    _import_registry(workspace, tmp_path, "national", ["+12125550187"], FRESH, [212])
    workspace.lists_changed()
    vote = _lead_ids(workspace)["Vote"]
    decision = workspace.calling.check(vote, at=ny(*TUESDAY, 12, 0)).decision
    assert decision.allowed is allowed, decision.summary()
    if not allowed:
        assert decision.codes == ("dnc_national",)
        assert header in str(report)


@pytest.mark.parametrize(
    ("bare", "written", "allowed"),
    [("2026-11-02", "", False), ("", "2026-11-02", True), ("2026-11-02", "2026-11-03", True)],
)
def test_a_bare_consent_date_beside_a_written_one_is_no_written_consent(
    bare: str, written: str, allowed: bool, desk: tuple[Workspace, ManualClock], tmp_path: Path
) -> None:
    """A bare "Consent Date" may date a verbal consent: when the list also has "Written Consent Date",
    only that one lifts the registry, whichever column comes first."""
    workspace, _clock = desk
    listing = tmp_path / "two-consents.csv"
    listing.write_text(
        f"Name,Phone,State,Consent Date,Written Consent Date\nVal Vote,212-555-0187,NY,{bare},{written}\n"
    )
    report = workspace.imports.run(listing)
    _import_registry(workspace, tmp_path, "national", ["+12125550187"], FRESH, [212])
    workspace.lists_changed()
    decision = workspace.calling.check(_lead_ids(workspace)["Vote"], at=ny(*TUESDAY, 12, 0)).decision
    assert decision.allowed is allowed, decision.summary()
    if not allowed:
        assert decision.codes == ("dnc_national",)
    assert any("'Consent Date'" in line for line in report.dropped_columns)


def test_a_state_that_names_nothing_is_reported_on_import(
    desk: tuple[Workspace, ManualClock], tmp_path: Path
) -> None:
    workspace, _clock = desk
    listing = tmp_path / "states.csv"
    listing.write_text("Name,Phone,State\nWes West,212-555-0189,Wshington\nKim Kay,212-555-0190,Fla.\n")
    report = workspace.imports.run(listing)
    assert [(item.column, item.value) for item in report.rejected] == [("State", "Wshington")]
    assert "refused until" in report.rejected[0].reason
