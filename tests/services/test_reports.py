"""Supervisor reports: every figure checked against the hand-worked answers of the seeded database."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.services import reports as reports_module
from desktop.services.clock import ManualClock
from desktop.services.reports import (
    ReportError,
    ReportFilter,
    reason_codes,
    report_service_for,
)
from desktop.services.workspace import Workspace
from tests.services.test_reports_seed import (
    EXPECTED,
    EXPECTED_BY_AGENT,
    EXPECTED_BY_DAY,
    EXPECTED_LOCAL_HOURS,
    EXPECTED_SCRIPTS,
    FIRST,
    LAST,
    NOW,
    seed_known_answers,
)


@pytest.fixture
def seeded(workspace: Workspace, clock: ManualClock) -> Workspace:
    seed_known_answers(workspace)
    clock.set(NOW)
    return workspace


def build(workspace: Workspace, **filters: object) -> dict[str, object]:
    flt = ReportFilter(FIRST, LAST, **filters)  # type: ignore[arg-type]
    return report_service_for(workspace).build(flt).to_json()


def assert_figures(data: dict[str, object], expected: dict[str, object]) -> None:
    for key, value in expected.items():
        if isinstance(value, float):
            assert data[key] == pytest.approx(value), key
        else:
            assert data[key] == value, key


# Every plan the queries can take gives the same figures: a window holding most calls (walked in
# each index's order), a narrow one (walked by time), and all of them (no date condition).
@pytest.mark.parametrize("wide_share", [0, 4, 10**9])
def test_every_figure_of_the_seeded_database(
    seeded: Workspace, monkeypatch: pytest.MonkeyPatch, wide_share: int
) -> None:
    monkeypatch.setattr(reports_module, "WIDE_SHARE", wide_share)
    data = build(seeded)

    assert_figures(data, EXPECTED)
    assert set(data["by_agent"]) == set(EXPECTED_BY_AGENT)  # type: ignore[arg-type]
    for name, expected in EXPECTED_BY_AGENT.items():
        assert_figures(data["by_agent"][name], expected)  # type: ignore[index]
    assert list(data["by_day"]) == list(EXPECTED_BY_DAY)  # type: ignore[arg-type]
    for day, expected in EXPECTED_BY_DAY.items():
        assert_figures(data["by_day"][day], expected)  # type: ignore[index]
    hours = data["by_local_hour"]
    assert len(hours) == 24  # type: ignore[arg-type]
    for hour, values in hours.items():  # type: ignore[attr-defined]
        dials, connects = EXPECTED_LOCAL_HOURS.get(hour, (0, 0))
        assert (values["dials"], values["connects"]) == (dials, connects), hour
    assert hours["09"]["contact_rate"] == pytest.approx(2 / 3)  # type: ignore[index]
    scripts = data["scripts"]
    assert set(scripts) == set(EXPECTED_SCRIPTS)  # type: ignore[arg-type]
    for name, expected in EXPECTED_SCRIPTS.items():
        assert_figures(scripts[name], expected)  # type: ignore[index]
    assert scripts["question-led-discovery"]["meeting_rate"] == pytest.approx(1 / 2)  # type: ignore[index]


def test_the_json_keys_are_stable(seeded: Workspace) -> None:
    data = build(seeded)
    for key in (
        "dials",
        "connects",
        "contact_rate",
        "meetings",
        "meeting_rate",
        "avg_attempts_to_contact",
        "outcomes",
        "blocked",
        "by_agent",
        "by_day",
    ):
        assert key in data
    assert data["from"] == "2026-03-02" and data["to"] == "2026-03-03" and data["time_zone"] == "UTC"


def test_scripts_agree_with_the_script_service(seeded: Workspace) -> None:
    """The per-script figures use the scripts' own attribution (answers first, then assignment)."""
    start, end = ReportFilter(FIRST, LAST).bounds()
    theirs = {f.script_name: (f.calls, f.connects, f.meetings) for f in seeded.scripts.figures(start, end)}
    ours = {name: (v["calls"], v["connects"], v["meetings"]) for name, v in build(seeded)["scripts"].items()}  # type: ignore[attr-defined]
    assert ours == {name: counts for name, counts in theirs.items() if counts[0]}


def test_days_follow_the_chosen_time_zone(seeded: Workspace) -> None:
    """a11 at 00:30 UTC on the 4th is 19:30 on the 3rd in New York: in the New York report only."""
    data = build(seeded, zone="America/New_York")
    assert data["dials"] == 12 and data["meetings"] == 2 and data["connects"] == 4
    assert data["by_day"]["2026-03-03"]["meetings"] == 1  # type: ignore[index]
    assert data["by_day"]["2026-03-02"]["dials"] == 5  # type: ignore[index]


def test_one_agent(seeded: Workspace) -> None:
    data = build(seeded, agent="Bob")
    assert_figures(data, {"dials": 3, "blocked_dials": 1, "connects": 2, "meetings": 1, "conversations": 1})
    assert data["avg_attempts_to_contact"] == pytest.approx((1 + 2) / 2)  # baker 1, cole 2
    assert data["callbacks"] == {"due": 2, "kept": 1, "missed": 1, "pending": 0}
    assert list(data["by_agent"]) == ["Bob"]  # type: ignore[arg-type]
    assert data["blocked"] == {"dnc_internal": 1, "calling_hours": 1}


def test_one_list(seeded: Workspace) -> None:
    data = build(seeded, list_name="Web")
    assert_figures(data, {"dials": 7, "blocked_dials": 0, "connects": 1, "meetings": 0, "leads_dialled": 2})
    assert data["reached_4_share"] == pytest.approx(1 / 2)
    assert data["callbacks"] == {"due": 2, "kept": 1, "missed": 0, "pending": 1}
    assert set(data["scripts"]) == {"advice-first-401k"}  # type: ignore[arg-type]


def test_one_script(seeded: Workspace) -> None:
    """Calls under question-led-discovery: acme's three (assigned by kind) and a5 (answered in it)."""
    data = build(seeded, script="question-led-discovery")
    assert_figures(data, {"dials": 4, "blocked_dials": 0, "connects": 2, "meetings": 1, "leads_dialled": 2})
    assert data["avg_attempts_to_contact"] == pytest.approx((3 + 1) / 2)
    assert set(data["scripts"]) == {"question-led-discovery"}  # type: ignore[arg-type]


def test_an_empty_period_has_no_rates(seeded: Workspace) -> None:
    data = report_service_for(seeded).build(ReportFilter(date(2025, 1, 1), date(2025, 1, 2))).to_json()
    assert data["dials"] == 0 and data["contact_rate"] is None and data["avg_attempts_to_contact"] is None
    assert list(data["by_day"]) == ["2025-01-01", "2025-01-02"]  # type: ignore[arg-type]


def test_bad_filters_are_clear_errors(seeded: Workspace) -> None:
    service = report_service_for(seeded)
    with pytest.raises(ReportError, match="no agent named 'Zoe'.*Ann, Bob"):
        service.build(ReportFilter(FIRST, LAST, agent="Zoe"))
    with pytest.raises(ReportError, match="no call list"):
        service.build(ReportFilter(FIRST, LAST, list_name="Nope"))
    with pytest.raises(ReportError, match="no script"):
        service.build(ReportFilter(FIRST, LAST, script="nope"))
    with pytest.raises(ReportError, match="before the first day"):
        service.build(ReportFilter(LAST, FIRST))
    with pytest.raises(ReportError, match="unknown time zone"):
        service.build(ReportFilter(FIRST, LAST, zone="Mars/Olympus"))


def test_progress_and_cancel(seeded: Workspace) -> None:
    service = report_service_for(seeded)
    seen: list[tuple[int, int]] = []
    service.build(ReportFilter(FIRST, LAST), progress=lambda done, total: seen.append((done, total)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] == 4
    with pytest.raises(reports_module.ReportCancelled):
        service.build(ReportFilter(FIRST, LAST), cancelled=lambda: True)


def test_options_list_what_can_be_filtered(seeded: Workspace) -> None:
    options = report_service_for(seeded).options()
    assert options.agents == ["Ann", "Bob"]
    assert options.lists == ["Fair", "Web"]
    assert ("question-led-discovery", "Question-led discovery (business owners)") in options.scripts
    assert (options.first_day, options.last_day) == (date(2026, 3, 1), date(2026, 3, 4))


def test_reason_codes_read_both_record_forms() -> None:
    assert reason_codes('{"reasons": [{"code": "dnc_state", "detail": "x"}], "notes": []}') == {"dnc_state"}
    assert reason_codes('[{"code": "invalid_number"}]') == {"invalid_number"}
    assert reason_codes("not json") == set()


def test_bucket_sizes_follow_the_zones() -> None:
    from datetime import UTC, datetime

    from desktop.services.reports_queries import bucket_minutes, bucket_start

    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    assert bucket_minutes(["America/New_York", "UTC"], start, end) == 60
    assert bucket_minutes(["Asia/Kolkata"], start, end) == 10
    assert bucket_minutes(["Asia/Kathmandu"], start, end) == 1
    assert bucket_start("2026-03-02 14", 60) == datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert bucket_start("2026-03-02 14:3", 10) == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert bucket_start("2026-03-02 14:45", 1) == datetime(2026, 3, 2, 14, 45, tzinfo=UTC)


def test_a_half_hour_zone_puts_calls_on_the_right_local_day(seeded: Workspace) -> None:
    """In Kolkata (UTC+5:30) a call at 18:40 UTC on the 2nd is 00:10 on the 3rd."""
    from datetime import UTC, datetime

    from desktop.storage.models import Attempt

    with seeded.uow() as uow:
        uow.session.add(
            Attempt(
                number="+12125550199",
                allowed=True,
                reasons="{}",
                outcome="busy",
                started_at=datetime(2026, 3, 2, 18, 40, tzinfo=UTC),
            )
        )
        uow.commit()
    data = build(seeded, zone="Asia/Kolkata")
    # Kolkata's 2nd starts at 18:30 UTC on the 1st: a0 (23:30 UTC on the 1st) is on the 2nd there.
    assert data["by_day"]["2026-03-03"]["dials"] == 1 + 6  # type: ignore[index]
