"""The reason record of gate decisions and the codes shared by the hours rules and the whole gate."""

from __future__ import annotations

from dataclasses import dataclass

CALLING_HOURS = "calling_hours"
STATE_RULE = "state_rule"
# A note: the lead's recorded state and the number's area code disagree, so both places must allow.
LOCATION_CONFLICT = "location_conflict"
# Firm mode: a SIP call must transmit a caller ID the callee can call back (TSR 16 CFR 310.4(a)(8)).
CALLER_ID = "caller_id"
CALLER_ID_EXPLANATION = (
    "firm mode: a SIP call must send a caller ID, a number the callee can call back during business "
    "hours (16 CFR 310.4(a)(8)); none is set: `dialdesk settings set caller_id +1 212 555 0100` or Settings"
)


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a decision: a stable code and a plain-English detail."""

    code: str
    detail: str
