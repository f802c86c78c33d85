"""A small database whose report figures are worked out by hand (shared by the report tests).

Two agents, Ann and Bob; four leads in two lists; fifteen attempts, of which thirteen fall on
2026-03-02 and 2026-03-03 (UTC), one the evening before and one just after midnight UTC on the 4th
(still the 3rd in New York). The figures each test expects are in `EXPECTED`, with the working.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from desktop.services.workspace import Workspace
from desktop.storage.models import Agent, Attempt, Callback, Lead, Phone, ScriptAnswer

FIRST, LAST = date(2026, 3, 2), date(2026, 3, 3)
# The report is asked at midnight UTC after the last day: callback deadlines before it have passed.
NOW = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)
FORMULA_NAME = '=HYPERLINK("http://x","y")'


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def record(*codes: str, legacy: bool = False) -> str:
    """A decision record as the gate writes it (or, `legacy`, the early bare list of reasons)."""
    reasons = [{"code": code, "detail": f"{code} detail"} for code in codes]
    if legacy:
        return json.dumps(reasons)
    return json.dumps(
        {"reasons": reasons, "notes": [], "registry": {"national": {"id": 7, "as_of": "2026-02-20"}}}
    )


# (name, lead, agent, started, allowed, outcome, duration, reasons)
ATTEMPTS = [
    ("a0", "acme", "Ann", at(1, 23, 30), True, "no_answer", 12.0, ()),  # the evening before: outside
    ("a1", "acme", "Ann", at(2, 14), True, "no_answer", 20.0, ()),
    ("a2", "acme", "Ann", at(2, 15), True, "voicemail", 30.0, ()),
    ("a3", "acme", "Ann", at(2, 16), True, "not_interested", 90.0, ()),
    ("a4", "baker", "Ann", at(2, 14, 30), False, None, None, ("calling_hours",)),
    ("a5", "baker", "Bob", at(2, 15, 30), True, "meeting", 300.0, ()),
    ("a6", "cole", "Bob", at(2, 17), True, "busy", 5.0, ()),
    ("a7", "cole", "Bob", at(3, 14), True, "callback", 45.0, ()),
    ("a8", "dunn", "Ann", at(3, 14, 10), True, "no_answer", 10.0, ()),
    ("a8b", "dunn", "Ann", at(3, 14, 15), True, "busy", 3.0, ()),
    ("a8c", "dunn", "Ann", at(3, 14, 25), True, "voicemail", 25.0, ()),
    ("a8d", "dunn", "Ann", at(3, 14, 40), True, "no_answer", 8.0, ()),
    ("a9", "dunn", "Ann", at(3, 14, 50), True, None, None, ()),  # a call in progress: no outcome yet
    ("a10", None, "Bob", at(3, 16), False, None, None, ("dnc_internal", "calling_hours")),
    ("a11", "cole", "Bob", at(4, 0, 30), True, "meeting", 120.0, ()),  # 19:30 on the 3rd in New York
]

LEADS = {
    # key: (first, last, company, kind, list, hours key, phone)
    "acme": ("Alice", "Acme", "Acme Tools", "business", "Fair", "America/New_York|NY", "+12125550101"),
    "baker": ("Bert", "Baker", "", "residential", "Fair", "America/Chicago|IL", "+13125550102"),
    "cole": ("Cara", "Cole", "Cole Legal", "business", "Web", "America/New_York|NY", "+12125550103"),
    "dunn": ("Dan", "Dunn", "", "residential", "Web", None, "+13125550104"),
}

EXPECTED = {
    # dials: allowed attempts in range: a1 a2 a3 a5 a6 a7 a8 a8b a8c a8d a9
    "dials": 11,
    "blocked_dials": 2,  # a4, a10
    "connects": 3,  # a3 not_interested, a5 meeting, a7 callback
    "contact_rate": 3 / 11,
    "conversations": 2,  # connects of 60 s or more: a3 (90 s), a5 (300 s)
    "meetings": 1,  # a5
    "meeting_rate": 1 / 11,
    "meeting_rate_per_contact": 1 / 3,
    # attempts to first contact: acme 3 (a1 a2 a3), baker 1 (a5; a4 was blocked), cole 2 (a6 a7)
    "avg_attempts_to_contact": (3 + 1 + 2) / 3,
    "leads_dialled": 4,
    "leads_contacted": 3,
    "reached_4_attempts": 1,  # dunn: a8 a8b a8c a8d (a9 has no outcome)
    "reached_4_share": 1 / 4,
    "reached_18_attempts": 0,
    "reached_18_share": 0.0,
    "talk_time_s": 90.0 + 300.0 + 45.0,
    "call_time_s": 20.0 + 30.0 + 90.0 + 300.0 + 5.0 + 45.0 + 10.0 + 3.0 + 25.0 + 8.0,
    "dials_without_outcome": 1,  # a9
    "outcomes": {
        "no_answer": 3,
        "busy": 2,
        "voicemail": 2,
        "gatekeeper": 0,
        "not_interested": 1,
        "callback": 1,
        "meeting": 1,
        "wrong_number": 0,
        "do_not_call": 0,
        "hostile": 0,
    },
    "blocked": {"calling_hours": 2, "dnc_internal": 1},
    # cb1 kept (30 min late), cb2 missed (2 h late), cb3 missed (never), cb4 pending (due 23:30)
    "callbacks": {"due": 4, "kept": 1, "missed": 2, "pending": 1},
    "attempts_to_contact": {"1": 1, "2": 1, "3": 1},
    "local_hour_unknown": 5,  # dunn has no hours key: a8 a8b a8c a8d a9
}
EXPECTED_BY_AGENT = {
    "Ann": {
        "dials": 8,
        "blocked": 1,
        "connects": 1,
        "conversations": 1,
        "meetings": 0,
        "talk_time_s": 90.0,
        "call_time_s": 186.0,
    },
    "Bob": {
        "dials": 3,
        "blocked": 1,
        "connects": 2,
        "conversations": 1,
        "meetings": 1,
        "talk_time_s": 345.0,
        "call_time_s": 350.0,
    },
}
EXPECTED_BY_DAY = {
    "2026-03-02": {"dials": 5, "blocked": 1, "connects": 2, "meetings": 1, "talk_time_s": 390.0},
    "2026-03-03": {"dials": 6, "blocked": 1, "connects": 1, "meetings": 0, "talk_time_s": 45.0},
}
# Hour of the lead's local day (EST is UTC-5, CST UTC-6 in early March): 09h a1 (acme), a5 (baker,
# connect), a7 (cole, connect); 10h a2; 11h a3 (connect); 12h a6.
EXPECTED_LOCAL_HOURS = {"09": (3, 2), "10": (1, 0), "11": (1, 1), "12": (1, 0)}
# Scripts: answers in question-led-discovery during a5; list "Web" is assigned advice-first-401k;
# acme (business, Fair) gets question-led-discovery by its kind.
EXPECTED_SCRIPTS = {
    "question-led-discovery": {"calls": 4, "connects": 2, "meetings": 1},  # a1 a2 a3, a5
    "advice-first-401k": {"calls": 6, "connects": 1, "meetings": 0},  # a6 a7, a8 a8b a8c a8d
}


def seed_known_answers(workspace: Workspace, formula_lead: bool = False) -> dict[str, int]:
    """Write the known-answers data; returns the attempt ids by name (a1 …) and lead ids by key."""
    ids: dict[str, int] = {}
    with workspace.uow() as uow:
        session = uow.session
        agents = {name: Agent(name=name) for name in ("Ann", "Bob")}
        session.add_all(agents.values())
        session.flush()
        for key, (first, last, company, kind, list_name, hours_key, number) in LEADS.items():
            if formula_lead and key == "cole":
                first, last = FORMULA_NAME, ""
            lead = Lead(
                first_name=first,
                last_name=last,
                company=company,
                kind=kind,
                list_name=list_name,
                hours_key=hours_key,
                status="active",
                identity_key=f"{first}{last}|{company}".lower(),
                phones=[
                    Phone(
                        raw=number,
                        e164=number,
                        valid=True,
                        number_type="fixed_line",
                        time_zones=(hours_key or "").partition("|")[0],
                    )
                ],
            )
            session.add(lead)
            session.flush()
            ids[key] = lead.id
        for name, lead_key, agent, started, allowed, outcome, duration, codes in ATTEMPTS:
            attempt = Attempt(
                lead_id=ids[lead_key] if lead_key else None,
                number=LEADS[lead_key][6] if lead_key else "+12125550199",
                agent_id=agents[agent].id,
                allowed=allowed,
                reasons=record(*codes, legacy=name == "a10"),
                started_at=started,
                duration_s=duration,
                outcome=outcome,
                note="left a message" if name == "a2" else "",
            )
            session.add(attempt)
            session.flush()
            ids[name] = attempt.id
        for due, done, lead_key, agent in (
            (at(2, 18), at(2, 18, 30), "cole", "Bob"),  # kept
            (at(3, 10), at(3, 12), "baker", "Bob"),  # called back two hours late: missed
            (at(3, 15), None, "acme", "Ann"),  # never: missed
            (at(3, 23, 30), None, "dunn", "Ann"),  # due half an hour before the report: pending
            (at(5, 10), None, "acme", "Ann"),  # after the period
        ):
            session.add(Callback(lead_id=ids[lead_key], agent_id=agents[agent].id, due_at=due, done_at=done))
        session.add(
            ScriptAnswer(
                lead_id=ids["baker"],
                script_name="question-led-discovery",
                question_id="pain",
                value="fees",
                answered_at=at(2, 15, 35),
                agent_id=agents["Bob"].id,
                attempt_id=ids["a5"],
            )
        )
        uow.commit()
    workspace.scripts.assign_list("Web", "advice-first-401k")
    return ids
