"""Charts of small counts (the window's and the PDF's, desktop/exports/charts.py): a count axis is
labelled with distinct whole numbers ("0, 1, 2", never "0, 0, 1, 1"), and when every dial connected
the dials line is still in sight beside the connects line drawn over it."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCharts import QLineSeries, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop.services.reports import ReportFilter, report_service_for
from desktop.services.workspace import Workspace
from tests.ui.test_report_day_chart import seed

pytestmark = pytest.mark.gui


def tick_labels(axis: QValueAxis) -> list[str]:
    """The labels Qt prints under a fixed-tick axis: its ticks spread evenly, in its label format."""
    count = axis.tickCount()
    values = [axis.min() + (axis.max() - axis.min()) * i / (count - 1) for i in range(count)]
    assert all(value == int(value) for value in values), values
    return [axis.labelFormat().replace("%d", "{:d}").format(int(value)) for value in values]


def assert_distinct_whole_numbers(axis: QValueAxis, top: float) -> None:
    assert axis.tickType() == QValueAxis.TickType.TicksFixed
    labels = tick_labels(axis)
    assert len(set(labels)) == len(labels), labels
    assert [int(label) for label in labels] == sorted(int(label) for label in labels)
    assert axis.max() >= top and 3 <= len(labels) <= 7, labels


@pytest.mark.parametrize("top", [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 24, 49, 99, 137, 1000, 12_345])
def test_a_count_axis_has_whole_distinct_ticks(qtbot, top: int) -> None:  # type: ignore[no-untyped-def]
    from desktop.exports.charts import _count_axis

    assert_distinct_whole_numbers(_count_axis(top), top)


def test_every_count_axis_of_a_small_report(qtbot, ui_workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    from desktop.exports.charts import report_charts
    from desktop.ui.app import make_application

    make_application([])
    seed(ui_workspace)
    flt = ReportFilter(date(2026, 12, 4), date(2026, 12, 6), zone="America/New_York")
    data = report_service_for(ui_workspace).build(flt).to_json()
    charts = report_charts(data)  # kept: an axis lives as long as its chart
    count_axes = [
        axis
        for _name, chart in charts
        for axis in chart.axes(Qt.Orientation.Vertical)
        if isinstance(axis, QValueAxis) and axis.labelFormat() == "%d"
    ]
    assert len(count_axes) == 3  # dials per day, dials by hour, leads by attempts
    for axis in count_axes:
        assert_distinct_whole_numbers(axis, 0)


def near(colour: QColor, wanted: QColor) -> bool:
    """The same colour give or take the anti-aliasing of a sloping line's edge."""
    pairs = ((colour.red(), wanted.red()), (colour.green(), wanted.green()), (colour.blue(), wanted.blue()))
    return all(abs(a - b) <= 24 for a, b in pairs)


def test_dials_stay_in_sight_when_every_dial_connected(qtbot) -> None:  # type: ignore[no-untyped-def]
    from desktop.exports.charts import DIALS_COLOR, ensure_application, per_day_chart, render_chart

    ensure_application()
    by_day = {"2026-12-04": {"dials": 1, "connects": 1}, "2026-12-05": {"dials": 2, "connects": 2}}
    chart = per_day_chart({"by_day": by_day})
    dials, connects = (series for series in chart.series() if isinstance(series, QLineSeries))
    assert dials.name() == "Dials (3)" and connects.name() == "Connects (3)"
    image = render_chart(chart, width=600, height=300, scale=1.0)
    start, end = (chart.mapToPosition(point, dials) for point in dials.points())
    plot = chart.plotArea().toRect()
    # Every pixel column along the line between the two days (markers aside) shows the dials colour.
    hidden = [
        x
        for x in range(int(start.x()) + 10, int(end.x()) - 10)
        if not any(near(image.pixelColor(x, y), DIALS_COLOR) for y in range(plot.top(), plot.bottom()))
    ]
    assert end.x() - start.x() > 100 and hidden == []
