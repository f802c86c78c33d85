"""When an offline copy of team leads (`dialdesk team checkout`) stops being trusted by the gate.

The copy records where it came from and the end of the agent's hold on its leads (setting
`team_checkout`, key `hold_until`, ISO UTC). After that moment the server may have given the leads
to another agent, put their numbers on the do-not-call list or counted new calls to them; the copy
knows none of it, so the dial gate refuses every call from it (reason `offline_copy_expired`),
in the ORM path and in the quick plain-sqlite3 check alike (both read the setting here).
A copy that names no readable end is refused too: a false allow is the worst failure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

CHECKOUT_SETTING = "team_checkout"
HOLD_UNTIL_KEY = "hold_until"
# The agent that holds, in the copy, the leads copied only because they share a number with the
# agent's own: the local queue never offers them; `merge` does not carry this agent back.
STAND_IN_AGENT = "(team server)"


def hold_until_text(until: datetime) -> str:
    """The hold's end as the copy stores it."""
    return until.astimezone(UTC).isoformat(timespec="seconds")


def _hold_until(origin: object) -> datetime | None:
    if not isinstance(origin, dict):
        return None
    try:
        until = datetime.fromisoformat(str(origin.get(HOLD_UNTIL_KEY)))
    except ValueError:
        return None
    return until if until.tzinfo is not None else None


def offline_copy_expired(setting: Callable[[str], Any], at: datetime) -> str:
    """Why every dial from this database is refused at `at`; "" when it is no offline copy or its
    hold has not ended yet."""
    try:
        origin = setting(CHECKOUT_SETTING)
    except ValueError:  # stored text that is not JSON: the copy cannot say when it ends
        origin = {}
    if origin is None:
        return ""
    until = _hold_until(origin)
    if until is None:
        return (
            "this offline copy records no end of its hold: merge it back (dialdesk merge FILE --db URL) "
            "and check out again"
        )
    if at < until:
        return ""
    return (
        f"this offline copy's hold ended at {until.astimezone(UTC):%Y-%m-%d %H:%M}Z: the server may have "
        "changed its leads since; merge it back (dialdesk merge FILE --db URL) and check out again"
    )
