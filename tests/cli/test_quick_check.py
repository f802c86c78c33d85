"""The quick `dialdesk check` (plain sqlite3, no ORM) answers exactly as the full path does.

A real database is filled through the services (leads of every kind, shared numbers, several phones,
internal list, consent, registries fresh and stale, a declared emergency, calls to the cap), then a
matrix of questions — by lead, by lead and number, by bare number with and without a kind, power
dial and voicemail drop, at moments inside and outside calling hours, on a holiday, during the
emergency, after the copies went stale — is asked of both: the decisions, reasons, notes, evidence
record and "callable at" must be equal, and so must every refusal to answer. When opening the
database would write (upgrade, permissions, summaries, hours keys) the quick path stands aside and
the command still does that work.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.services.calling import CallingError
from desktop.services.clock import ManualClock
from desktop.services.emergencies import EmergencyService
from desktop.services.outcome_rules import SETTING_KEY as OUTCOME_RULES_KEY
from desktop.services.quick_check import QuickGate, open_quick_gate
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.migrate import LATEST_REVISION

TUESDAY_NOON_NY = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
MOMENTS = (
    TUESDAY_NOON_NY,
    datetime(2026, 12, 2, 3, 30, tzinfo=UTC),  # 22:30 New York: outside hours in the east, not in the west
    datetime(2026, 12, 5, 23, 30, tzinfo=UTC),  # Saturday evening
    datetime(2026, 11, 26, 17, 0, tzinfo=UTC),  # Thanksgiving: some states forbid sales calls
    datetime(2026, 12, 2, 16, 0, tzinfo=UTC),  # during the Louisiana emergency
    datetime(2027, 3, 2, 17, 0, tzinfo=UTC),  # the registry copies are out of date by then
)
LEADS = [
    "A One,,212-555-0201,,NY,residential,10001",
    "B Two,,212-555-0202,,NY,residential",
    "C Three,Co,305-555-0203,,FL,business",
    "D Four,,305-555-0204,305-555-0214,FL,residential",
    "E Five,,907-279-0205,,AK,residential,99501",
    "F Six,,212-555-0206,,CA,residential,90001",
    "G Seven,,801-555-0207,,UT,residential",
    "H Eight,,not a number,,,residential",
    "I Nine,Nine Co,416-555-0209,,ON,business",
    "J Ten,,416-555-0210,,,residential,M5V 3L9",
    "K Eleven,Land Co,,212-555-0211,NY,business",
    "L Twelve,,504-555-0212,,LA,residential",
    "M Thirteen,,212-555-0201,,NJ,business",  # shares A One's number
    "N Fourteen,,+44 20 7946 0958,,,residential",
    "O Fifteen,,312-555-0215,212-555-0216,IL,residential,33101",
]
BARE_NUMBERS = [
    "212-555-0201",
    "+13055550203",
    "(305) 555-0214",
    "212-555-0999",
    "416-555-0999",
    "+442079460958",
    "907-279-0205",
    "504-555-0212",
    "12",
    "not a number",
    "",
]


def _registry(workspace: Workspace, folder: Path, source: str, numbers: list[str], as_of: date) -> None:
    path = folder / f"{source.replace(':', '-')}.txt"
    path.write_text("\n".join(f"{n[2:5]},{n[5:]}" for n in numbers) + "\n", encoding="utf-8")
    # Each national list covers its own country's area codes (907 is never downloaded: missing).
    covered = {"national": (212, 305, 312, 504, 801), "canada": (416,)}.get(source, ())
    workspace.registry_service.import_file(path, source, as_of=as_of, area_codes=covered)
    workspace.lists_changed()


class RecordingDialer:
    name = "recording"

    def dial(self, e164: str, extension: str | None = None) -> None:
        pass

    def hang_up(self) -> None:
        pass


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    """A database with every kind of fact the gate reads, closed and reopened (as a command finds it)."""
    db = tmp_path / "quick.db"
    clock = ManualClock(TUESDAY_NOON_NY)
    desk = open_workspace(str(db), clock=clock)
    _registry(
        desk, tmp_path, "national", ["+12125550202", "+13055550203", "+12125550999"], date(2026, 11, 25)
    )
    _registry(desk, tmp_path, "state:FL", ["+13055550204"], date(2026, 11, 25))
    _registry(desk, tmp_path, "canada", ["+14165550209", "+14165550210"], date(2026, 11, 25))
    sheet = tmp_path / "list.csv"
    # ZIP codes (some agreeing with the number, some not) settle or widen where a callee may be.
    rows = ["Name,Company,Mobile Phone,Landline Phone,State,Type,ZIP", *LEADS]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    desk.imports.run(sheet)
    leads = {r["last_name"]: int(r["id"]) for r in desk.leads.export_records()}
    desk.consent.add(leads["Two"], "written", date(2026, 11, 1), "signed form")
    desk.consent.add(leads["Three"], "inquiry", date(2026, 10, 1), "web form")
    desk.dnc.add("305-555-0204", "asked not to be called")
    EmergencyService(desk.uow).add("LA", date(2026, 12, 1), date(2026, 12, 3), "Orleans")
    desk.use_dialer(RecordingDialer())
    for _ in range(3):  # Florida's cap: three calls a day to a number, whoever the lead
        desk.calling.start_call(leads["Three"])
    desk.calling.start_call(leads["Six"])
    desk.close()
    yield db, leads


def _answer(ask: Any) -> dict[str, Any]:
    try:
        result = ask()
    except CallingError as error:
        return {"error": type(error).__name__, "message": str(error)}
    data = result.decision.to_json()
    data["record"] = json.loads(result.record)
    return data


def _questions(leads: dict[str, int]) -> Iterator[dict[str, Any]]:
    for lead_id in [*leads.values(), 999_999]:
        for flags in ({}, {"automated": True}, {"prerecorded": True}, {"kind": "business"}):
            yield {"lead_id": lead_id, **flags}
    yield {"lead_id": leads["Four"], "number": "305-555-0214"}
    yield {"lead_id": leads["Four"], "number": "212-555-0201"}  # not a number of the lead
    yield {"lead_id": leads["Fifteen"], "number": "(212) 555-0216", "prerecorded": True}
    for number in BARE_NUMBERS:
        for kind in (None, "business", "residential"):
            yield {"number": number, "kind": kind}
        yield {"number": number, "region": "CA"}
        yield {"number": number, "automated": True, "prerecorded": True}


def test_the_quick_check_decides_a_matrix_exactly_as_the_full_path(
    filled: tuple[Path, dict[str, int]],
) -> None:
    db, leads = filled
    quick = open_quick_gate(str(db))
    assert isinstance(quick, QuickGate)  # the quick path really answers below
    workspace = open_workspace(str(db))
    try:
        assert quick.current_settings() == workspace.current_settings()
        compared = 0
        for moment in MOMENTS:
            for question in _questions(leads):
                asked = {"region": "US", **question, "at": moment}
                full = _answer(lambda asked=asked: workspace.calling.check(**asked))
                fast = _answer(lambda asked=asked: quick.check(**asked))
                assert fast == full, asked
                if "error" not in full:
                    full_result = workspace.calling.check(**asked)
                    fast_result = quick.check(**asked)
                    assert fast_result.callable_at(quick.rulebook) == full_result.callable_at(
                        workspace.rulebook
                    ), asked
                compared += 1
        # The matrix is not vacuous: both answers, several reasons and refusals to answer occur.
        outcomes = {
            json.dumps(
                _answer(lambda q=q: quick.check(**{"region": "US", **q, "at": TUESDAY_NOON_NY})),
                sort_keys=True,
            )
            for q in _questions(leads)
        }
        assert compared > 500
        assert any('"allowed": true' in o for o in outcomes) and any(
            '"allowed": false' in o for o in outcomes
        )
        assert any('"error"' in o for o in outcomes)
        for code in (
            "dnc_national",
            "dnc_internal",
            "registry_missing",
            "prerecorded_consent",
            "at most 3 calls",
        ):
            assert any(code in o for o in outcomes), code
    finally:
        quick.close()
        workspace.close()


def _cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "extra",
    [
        ["212-555-0201", "--at", "2026-12-01T12:00-05:00"],
        ["212-555-0202", "--json", "--at", "2026-12-01T23:00-05:00"],
        ["--lead", "4", "--json", "--at", "2026-12-01T12:00-05:00"],
        ["--lead", "999", "--at", "2026-12-01T12:00-05:00"],
        ["--lead", "3", "--voicemail-drop", "--power-dial", "--at", "2026-11-26T12:00-05:00"],
        ["416-555-0209", "--kind", "business", "--region", "CA", "--json"],
        ["--at", "2026-12-01T12:00"],
        ["212-555-0201", "--at", "yesterday"],
    ],
)
def test_the_command_prints_the_same_either_way(
    filled: tuple[Path, dict[str, int]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
) -> None:
    db, _leads = filled
    argv = ["--db", str(db), "check", *extra]
    with monkeypatch.context() as patched:
        # The quick path alone: opening a Workspace would fail the command.
        patched.setattr("desktop.services.workspace.open_workspace", _no_workspace)
        quick = _cli(capsys, argv)
    with monkeypatch.context() as patched:
        patched.setattr("desktop.commands.compliance.quick_check_number", lambda args: None)
        full = _cli(capsys, argv)
    assert quick == full
    assert quick[0] in (0, 1, 2)


def _no_workspace(*args: object, **kwargs: object) -> Workspace:
    raise AssertionError("the full path was taken")


def _sql(db: Path, statement: str, parameters: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(statement, parameters).fetchall()
    connection.close()
    return rows


def _planted_trigger(db: Path) -> None:
    _sql(db, "CREATE TRIGGER sneaky AFTER INSERT ON dnc_entries BEGIN DELETE FROM dnc_entries; END")


def _shared_file(db: Path) -> None:
    os.chmod(db, 0o644)


def _lead_without_key(db: Path) -> None:
    _sql(db, "UPDATE leads SET hours_key = NULL WHERE id = 1")


def _outcome_rules_changed(db: Path) -> None:
    # As a colleague's newer copy could leave it: the rules changed, the summaries not rebuilt yet.
    rules = json.dumps({"no_answer": {"counts_as_attempt": False}})
    _sql(db, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (OUTCOME_RULES_KEY, rules))


def _rollback_journal(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()


@pytest.mark.parametrize(
    "spoil",
    [
        _planted_trigger,
        _shared_file,
        _lead_without_key,
        _outcome_rules_changed,
        _rollback_journal,
    ],
)
def test_the_quick_path_stands_aside_when_opening_would_write(
    filled: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str], spoil: Any
) -> None:
    db, _leads = filled
    spoil(db)
    assert open_quick_gate(str(db)) is None
    code, out, err = _cli(
        capsys, ["--db", str(db), "check", "212-555-0201", "--at", "2026-12-01T12:00-05:00"]
    )
    if spoil is _planted_trigger:
        assert code == 2 and "trigger 'sneaky'" in err  # refused, as every command refuses it
        return
    assert code in (0, 1) and out.startswith(("ALLOWED", "BLOCKED"))
    # The usual open did its work, so the next check is quick again.
    assert open_quick_gate(str(db)) is not None
    if spoil is _shared_file:
        assert os.stat(db).st_mode & 0o077 == 0


def test_an_older_database_is_upgraded_by_the_usual_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parents[1] / "storage" / "fixtures" / "schema-0007.db", db)
    os.chmod(db, 0o600)
    assert open_quick_gate(str(db)) is None
    code, out, _err = _cli(
        capsys, ["--db", str(db), "check", "212-555-0201", "--at", "2026-12-01T12:00-05:00"]
    )
    assert code in (0, 1) and out.startswith(("ALLOWED", "BLOCKED"))
    assert _sql(db, "SELECT version_num FROM alembic_version") == [(LATEST_REVISION,)]
    assert open_quick_gate(str(db)) is not None


def test_no_quick_path_without_an_existing_sqlite_file(tmp_path: Path) -> None:
    assert open_quick_gate(str(tmp_path / "missing.db")) is None
    assert not (tmp_path / "missing.db").exists()
    assert open_quick_gate("postgresql://nobody@localhost/dialdesk") is None
    text = tmp_path / "notes.db"
    text.write_text("not a database\n", encoding="utf-8")
    assert open_quick_gate(str(text)) is None


HOLD_END = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "origin",
    [
        json.dumps({"agent": "Ann", "leads": [1], "hold_until": HOLD_END.isoformat()}),
        json.dumps({"agent": "Ann", "leads": [1]}),  # no end recorded: never trusted
        json.dumps({"agent": "Ann", "hold_until": "soon"}),
        json.dumps({"agent": "Ann", "hold_until": "2026-12-01T22:00:00"}),  # no zone: unreadable
        json.dumps("not an object"),
    ],
)
def test_an_offline_copy_past_its_hold_is_refused_alike_by_both_paths(
    filled: tuple[Path, dict[str, int]], origin: str
) -> None:
    """A `team checkout` copy (setting team_checkout) refuses every dial from its hold's end on
    (offline_copy_expired), and a copy naming no readable end always: quick and full path agree."""
    db, leads = filled
    _sql(db, "INSERT OR REPLACE INTO settings (key, value) VALUES ('team_checkout', ?)", (origin,))
    readable = "hold_until" in origin and "+00:00" in origin
    quick = open_quick_gate(str(db))
    assert isinstance(quick, QuickGate)
    workspace = open_workspace(str(db))
    try:
        for moment in (TUESDAY_NOON_NY, HOLD_END, datetime(2026, 12, 4, 17, 0, tzinfo=UTC)):
            expired = moment >= HOLD_END or not readable
            for question in _questions(leads):
                asked = {"region": "US", **question, "at": moment}
                full = _answer(lambda asked=asked: workspace.calling.check(**asked))
                assert _answer(lambda asked=asked: quick.check(**asked)) == full, asked
                if "error" in full:
                    continue
                codes = [reason["code"] for reason in full["reasons"]]
                assert ("offline_copy_expired" in codes) is expired, (asked, full)
                if expired:
                    assert full["allowed"] is False and "merge it back" in json.dumps(full)
    finally:
        quick.close()
        workspace.close()
