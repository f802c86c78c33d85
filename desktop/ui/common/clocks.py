"""A moment on both clocks an agent works with: the callee's ("their time") and their own ("yours").

Callbacks and meetings are agreed in the callee's time; the agent lives in theirs. Both are shown
wherever a promised time is, so neither has to do time-zone arithmetic in their head.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

DAY_TIME = "%a %d %b %H:%M"
TIME = "%H:%M"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Clocks", text)


def their_time(moment: datetime, zone: str, fmt: str = DAY_TIME) -> str:
    """`moment` in the callee's zone; empty when their zone is unknown."""
    return moment.astimezone(ZoneInfo(zone)).strftime(fmt) if zone else ""


def your_time(moment: datetime, fmt: str = DAY_TIME) -> str:
    """`moment` on this computer's clock."""
    return moment.astimezone().strftime(fmt)


def zone_city(zone: str) -> str:
    """ "America/New_York" → "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ") if zone else ""


def both_clocks(moment: datetime, zone: str, fmt: str = DAY_TIME) -> str:
    """ "Wed 02 Dec 10:00 their time (15:00 yours)", or only yours when their zone is unknown."""
    yours = your_time(moment, fmt)
    if not zone:
        return _tr("{yours} your time").format(yours=yours)
    theirs = their_time(moment, zone, fmt)
    if theirs == yours:
        return _tr("{theirs} (their time and yours)").format(theirs=theirs)
    return _tr("{theirs} their time ({yours} yours)").format(theirs=theirs, yours=your_time(moment, TIME))


def labelled_time(moment: datetime, zone: str, fmt: str = DAY_TIME) -> str:
    """ "their Sun 06 Dec 09:30 · your 15:30": every time shown says whose it is. Your day is
    repeated only when it differs from theirs; without their zone only yours is shown."""
    local_yours = moment.astimezone()
    if not zone:
        return _tr("your {yours}").format(yours=local_yours.strftime(fmt))
    local_theirs = moment.astimezone(ZoneInfo(zone))
    same_day = local_theirs.date() == local_yours.date()
    yours = local_yours.strftime(TIME if same_day else fmt)
    return _tr("their {theirs} · your {yours}").format(theirs=local_theirs.strftime(fmt), yours=yours)


def span_text(minutes: int) -> str:
    """A length of time for people: "25 min", "2 h 10 min", "3 d 4 h"."""
    minutes = abs(minutes)
    hours, rest = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _tr("{d} d {h} h").format(d=days, h=hours)
    if hours:
        return _tr("{h} h {m} min").format(h=hours, m=f"{rest:02d}")
    return _tr("{m} min").format(m=rest)
