"""Meetings: booked through the outcome, listed as upcoming, written as .ics files calendars open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar

from desktop.services.clock import ManualClock
from desktop.services.workspace import Workspace


def test_meeting_outcome_writes_a_calendar_file(
    workspace: Workspace, sample_csv: Path, clock: ManualClock, tmp_path: Path
) -> None:
    workspace.imports.run(sample_csv)
    maria = next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == "Lopez")
    when = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
    result = workspace.calling.record_outcome(
        maria, "meeting", meeting_at=when, where="Lopez Dental, 5th Ave; room 2"
    )
    assert result.meeting_id is not None
    [upcoming] = workspace.meetings.upcoming()
    assert (upcoming.lead_name, upcoming.starts_at, upcoming.phone) == ("Maria Lopez", when, "+12125550134")
    path = workspace.meetings.write_ics(
        result.meeting_id, tmp_path / "meeting.ics", "Alex Agent", "Acme Advisors"
    )
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    raw = path.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == when
    assert event.decoded("DTEND") == when + timedelta(hours=1)
    assert str(event.get("LOCATION")) == "Lopez Dental, 5th Ave; room 2"
    assert "Maria Lopez" in str(event.get("SUMMARY"))
    assert "Alex Agent, Acme Advisors" in str(event.get("DESCRIPTION"))
    clock.set(when + timedelta(hours=2))
    assert workspace.meetings.upcoming() == []


def test_long_unicode_text_folds_on_characters(tmp_path: Path) -> None:
    from desktop.exports.icalendar import MeetingEvent, write_ics

    summary = "Встреча с Анной Ивановой, ООО «Ромашка» — обзор комиссий пенсионного плана 401(k) " * 3
    event = MeetingEvent(
        uid="x@y",
        starts_at=datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        duration=timedelta(hours=1),
        summary=summary,
    )
    raw = write_ics(tmp_path / "ru.ics", [event]).read_bytes()
    raw.decode("utf-8")  # no character cut in half
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    [parsed] = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(parsed.get("SUMMARY")) == summary
