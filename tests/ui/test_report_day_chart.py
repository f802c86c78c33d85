""" "Dials and connects per day": each day of the broker's calendar is one point, on its own date.

Calls a few minutes either side of midnight in New York (the small hours of the next day in UTC)
belong to the New York day they were made on, in the figures and on the chart the window and the
PDF draw (desktop/exports/charts.py); a point never sits between two dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCharts import QCategoryAxis, QLineSeries
from PySide6.QtCore import Qt

from desktop.services.clock import ManualClock
from desktop.services.reports import ReportFilter, report_service_for
from desktop.services.workspace import Workspace
from desktop.storage.models import Agent, Attempt

pytestmark = pytest.mark.gui

NEW_YORK = ZoneInfo("America/New_York")


def ny(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


# (started, outcome): New York days 4 → 1 call, 5 → 3 calls (one connect), 6 → 2 calls.
CALLS = [
    (ny(4, 23, 59), "no_answer"),  # 04:59 UTC on the 5th
    (ny(5, 0, 1), "no_answer"),  # 05:01 UTC on the 5th
    (ny(5, 19, 30), "not_interested"),  # 00:30 UTC on the 6th
    (ny(5, 23, 58), "busy"),  # 04:58 UTC on the 6th
    (ny(6, 0, 0), "no_answer"),  # midnight exactly: the 6th
    (ny(6, 9, 0), "voicemail"),
]
EXPECTED_NY = {"2026-12-04": (1, 0), "2026-12-05": (3, 1), "2026-12-06": (2, 0)}


def seed(workspace: Workspace) -> None:
    with workspace.uow() as uow:
        agent = Agent(name="Robin")
        uow.session.add(agent)
        uow.session.flush()
        for started, outcome in CALLS:
            uow.session.add(
                Attempt(
                    number="+12125550134",
                    agent_id=agent.id,
                    allowed=True,
                    reasons="[]",
                    started_at=started,
                    ended_at=started + timedelta(seconds=30),
                    duration_s=30.0,
                    outcome=outcome,
                )
            )
        uow.commit()


def chart_days(chart: Any) -> dict[str, tuple[float, float]]:
    """{label: (dials, connects)} read from where the points are: at their label's x position."""
    [x_axis] = [axis for axis in chart.axes(Qt.Orientation.Horizontal)]
    assert isinstance(x_axis, QCategoryAxis)
    assert x_axis.labelsPosition() == QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue
    dials, connects = (series for series in chart.series() if isinstance(series, QLineSeries))
    at_x = {point.x(): point.y() for point in dials.points()}
    connects_at_x = {point.x(): point.y() for point in connects.points()}
    assert len(at_x) == dials.count(), "one point per day"
    shown = {}
    for label in x_axis.categoriesLabels():
        x = x_axis.endValue(label)
        assert x in at_x, f"the label {label} has no point on it"
        shown[label] = (at_x[x], connects_at_x[x])
    return shown


def test_days_are_the_report_zone_calendar_days(ui_workspace: Workspace) -> None:
    seed(ui_workspace)
    service = report_service_for(ui_workspace)
    report = service.build(ReportFilter(date(2026, 12, 4), date(2026, 12, 6), zone="America/New_York"))
    by_day = {day: (v["dials"], v["connects"]) for day, v in report.to_json()["by_day"].items()}
    assert by_day == EXPECTED_NY
    utc = service.build(ReportFilter(date(2026, 12, 4), date(2026, 12, 6), zone="UTC")).to_json()
    assert {day: v["dials"] for day, v in utc["by_day"].items()} == {
        "2026-12-04": 0,
        "2026-12-05": 2,
        "2026-12-06": 4,
    }


def test_the_chart_puts_each_day_on_its_date(qtbot, ui_workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    from desktop.exports.charts import per_day_chart, render_report_charts
    from desktop.ui.app import make_application

    make_application([])
    seed(ui_workspace)
    flt = ReportFilter(date(2026, 12, 4), date(2026, 12, 6), zone="America/New_York")
    data = report_service_for(ui_workspace).build(flt).to_json()
    assert chart_days(per_day_chart(data)) == {"Dec 4": (1, 0), "Dec 5": (3, 1), "Dec 6": (2, 0)}
    assert "per_day" in dict(render_report_charts(data))  # the PDF draws the same chart

    # A long period: fewer labels, each still on its own day's point.
    flt = ReportFilter(date(2026, 11, 1), date(2026, 12, 31), zone="America/New_York")
    long = chart_days(per_day_chart(report_service_for(ui_workspace).build(flt).to_json()))
    assert 5 <= len(long) <= 12 and long["Nov 1"] == (0, 0)


def test_the_reports_window_chart(qtbot, ui_workspace: Workspace, ui_clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.app import make_application
    from desktop.ui.reports.window import ReportsWindow

    seed(ui_workspace)
    ui_clock.set(ny(6, 18, 0))
    make_application([])
    window = ReportsWindow(ui_workspace)
    qtbot.addWidget(window)
    window.show()
    window.set_period(date(2026, 12, 4), date(2026, 12, 6))
    window.zone_combo.setCurrentText("America/New_York")
    qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.task is None and window.report is not None, timeout=20_000)
    chart = window.chart_views["per_day"].chart()
    assert chart_days(chart) == {"Dec 4": (1, 0), "Dec 5": (3, 1), "Dec 6": (2, 0)}
    window.close()
