"""Report charts with QtCharts, built from a report's JSON form and rendered offscreen for the PDF.

Five charts: the outcomes breakdown; dials and connects per day; the contact rate by hour of the
lead's local day; the distribution of attempts to first contact, marked at 4 and 18 attempts; and
the scripts compared. They take the dictionary `Report.to_json()` returns (this layer does not
import services), so the window and the PDF draw the same thing.

QChart is a QGraphicsWidget: it needs a QApplication and must be built and rendered in the thread
that owns it — the GUI thread in the window, the main thread on the command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QMargins, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

Translate = Callable[[str], str]
MARKS = (4, 18)
MAX_ATTEMPT_BUCKET = 30  # the distribution's last bar is "30+"
DIALS_COLOR = QColor("#4A6FA5")
CONNECTS_COLOR = QColor("#2E9E6B")
MEETINGS_COLOR = QColor("#E0A030")
DIALS_PEN_WIDTH = 5  # wider than the connects line drawn over it: both show where they are equal
MARK_COLORS = (QColor("#C0392B"), QColor("#7D3C98"))
OUTCOME_COLORS = (
    "#9AA5B1",
    "#7B8794",
    "#52606D",
    "#B8C4CE",
    "#E57373",
    "#64B5F6",
    "#2E9E6B",
    "#FFB74D",
    "#8E24AA",
    "#C62828",
)


def _same(text: str) -> str:
    return text


def ensure_application() -> Any:
    """The running Qt application, or a new offscreen one (for the command line, without a display)."""
    app = QCoreApplication.instance()
    if app is not None:
        return app
    from PySide6.QtWidgets import QApplication

    if not os.environ.get("QT_QPA_PLATFORM") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return QApplication([])


def _base_chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setPointSizeF(11)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setMargins(QMargins(6, 6, 6, 6))
    chart.setBackgroundRoundness(0)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _percent_axis(top: float) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(5.0, min(100.0, top * 1.15)))
    axis.applyNiceNumbers()
    axis.setLabelFormat("%.0f%%")
    return axis


def count_ticks(top: float) -> tuple[int, int]:
    """(step, upper end) of a count axis from 0: whole-number ticks (1, 2 or 5 times a power of ten)
    at most six apart, the end a tick above `top`. Qt's nice numbers put ticks at 0.2, 0.4, … for a
    count of 1, labelled "0, 0, 1, 1" once printed as whole numbers."""
    highest = max(1, int(-(-top // 1)))
    step, power = 1, 1
    while highest / step > 5:
        for factor in (2, 5, 10):
            step = factor * power
            if highest / step <= 5:
                break
        else:
            power *= 10
            continue
        break
    return step, step * (highest // step + 1)


def _count_axis(top: float) -> QValueAxis:
    axis = QValueAxis()
    step, upper = count_ticks(top)
    axis.setRange(0, upper)
    axis.setTickType(QValueAxis.TickType.TicksFixed)
    axis.setTickCount(upper // step + 1)
    axis.setMinorTickCount(0)
    axis.setLabelFormat("%d")
    return axis


def outcomes_chart(data: Mapping[str, Any], tr: Translate = _same) -> QChart:
    """The outcomes breakdown: a donut of the outcomes recorded, labelled with their counts."""
    chart = _base_chart(tr("Outcomes"))
    series = QPieSeries()
    series.setHoleSize(0.38)
    labels: Mapping[str, str] = data.get("outcome_labels", {})
    total = sum(int(n) for n in data.get("outcomes", {}).values())
    for index, (code, count) in enumerate(data.get("outcomes", {}).items()):
        if not count:
            continue
        share = 100.0 * int(count) / total if total else 0.0
        piece = series.append(f"{labels.get(code, code)}: {int(count):,} ({share:.0f}%)", float(count))
        piece.setColor(QColor(OUTCOME_COLORS[index % len(OUTCOME_COLORS)]))
    chart.addSeries(series)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    if not total:
        chart.setTitle(tr("Outcomes (no calls with an outcome)"))
    return chart


def _day_label(day: date, days: int) -> str:
    return f"{day:%b} {day.day}" if days <= 120 else f"{day:%b %Y}"


def per_day_chart(data: Mapping[str, Any], tr: Translate = _same) -> QChart:
    """Dials and connects per day, as lines over the report's days.

    The days are the report's calendar days in its zone (the broker's, in the window), one x
    position each, labelled on that position: a day's point sits on its own date, never between
    two (a time axis put the points at noon of the computer's zone, between evenly spaced ticks).
    """
    chart = _base_chart(tr("Dials and connects per day"))
    days = [(date.fromisoformat(day), values) for day, values in sorted(data.get("by_day", {}).items())]
    dials, connects = QLineSeries(), QLineSeries()
    top = 0
    for index, (_day, values) in enumerate(days):
        dials.append(float(index), float(values["dials"]))
        connects.append(float(index), float(values["connects"]))
        top = max(top, int(values["dials"]))
    # The legend gives the totals, and where every dial connected the two lines coincide: the dials
    # line is wide and the connects line drawn over it thin and dashed, so both stay in sight.
    dials.setName(tr("Dials ({count})").format(count=f"{sum(int(v['dials']) for _d, v in days):,}"))
    connects.setName(tr("Connects ({count})").format(count=f"{sum(int(v['connects']) for _d, v in days):,}"))
    for series, pen in (
        (dials, QPen(DIALS_COLOR, DIALS_PEN_WIDTH)),
        (connects, QPen(CONNECTS_COLOR, 2, Qt.PenStyle.DashLine)),
    ):
        series.setPen(pen)
        series.setPointsVisible(len(days) <= 45)
        series.setMarkerSize(max(7.0, pen.widthF() * 2))
        chart.addSeries(series)
    x_axis = QCategoryAxis()
    x_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    step = max(1, -(-len(days) // 12))  # at most a dozen labels, each on its day's point
    for index in range(0, len(days), step):
        x_axis.append(_day_label(days[index][0], len(days)), float(index))
    x_axis.setRange(-0.5, max(len(days) - 0.5, 0.5))
    y_axis = _count_axis(top)
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    for series in (dials, connects):
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
    return chart


def local_hour_chart(data: Mapping[str, Any], tr: Translate = _same) -> QChart:
    """Contact rate (bars) and dials (line, right axis) by hour of the lead's local day."""
    chart = _base_chart(tr("Contact rate by hour of the lead's local day"))
    hours = data.get("by_local_hour", {})
    dialled = [hour for hour, values in sorted(hours.items()) if values["dials"]]
    shown = [f"{h:02d}" for h in range(int(dialled[0]), int(dialled[-1]) + 1)] if dialled else ["09", "17"]
    rates = QBarSet(tr("Contact rate"))
    rates.setColor(CONNECTS_COLOR)
    dials = QLineSeries()
    dials.setName(tr("Dials"))
    dials.setPen(QPen(DIALS_COLOR, 2))
    top_rate, top_dials = 0.0, 0
    for index, hour in enumerate(shown):
        values = hours.get(hour, {"dials": 0, "connects": 0, "contact_rate": None})
        rate = 100.0 * (values.get("contact_rate") or 0.0)
        rates.append(rate)
        dials.append(float(index), float(values["dials"]))
        top_rate, top_dials = max(top_rate, rate), max(top_dials, int(values["dials"]))
    bars = QBarSeries()
    bars.append(rates)
    chart.addSeries(bars)
    chart.addSeries(dials)
    categories = QBarCategoryAxis()
    categories.append([str(int(hour)) for hour in shown])
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    rate_axis = _percent_axis(top_rate)
    dial_axis = _count_axis(top_dials)
    chart.addAxis(rate_axis, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(dial_axis, Qt.AlignmentFlag.AlignRight)
    bars.attachAxis(categories)
    bars.attachAxis(rate_axis)
    dials.attachAxis(categories)
    dials.attachAxis(dial_axis)
    return chart


def attempts_chart(data: Mapping[str, Any], tr: Translate = _same) -> QChart:
    """How many attempts it took to reach each contacted lead, with markers at 4 and 18 attempts."""
    chart = _base_chart(tr("Attempts to first contact"))
    counts: dict[int, int] = {}
    for attempts, leads in data.get("attempts_to_contact", {}).items():
        bucket = min(int(attempts), MAX_ATTEMPT_BUCKET)
        counts[bucket] = counts.get(bucket, 0) + int(leads)
    last = max([*counts, max(MARKS)])
    labels = [str(n) if n < MAX_ATTEMPT_BUCKET else f"{MAX_ATTEMPT_BUCKET}+" for n in range(1, last + 1)]
    leads = QBarSet(tr("Leads first reached"))
    leads.setColor(CONNECTS_COLOR)
    top = 0
    for n in range(1, last + 1):
        leads.append(float(counts.get(n, 0)))
        top = max(top, counts.get(n, 0))
    bars = QBarSeries()
    bars.setBarWidth(0.8)
    bars.append(leads)
    chart.addSeries(bars)
    categories = QBarCategoryAxis()
    categories.append(labels)
    if len(labels) > 20:
        # Thirty numbers in half a window's width: at the usual size Qt elides the two-digit ones.
        font = categories.labelsFont()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.75))
        categories.setLabelsFont(font)
    y_axis = _count_axis(top)
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(categories)
    bars.attachAxis(y_axis)
    names = {4: tr("4 attempts: where most sellers stop"), 18: tr("18 attempts: the target")}
    for mark, color in zip(MARKS, MARK_COLORS, strict=True):
        line = QLineSeries()
        line.setName(names.get(mark, str(mark)))
        line.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
        position = float(mark - 1)  # categories are at 0 … n-1
        line.append(QPointF(position, 0.0))
        line.append(QPointF(position, y_axis.max()))
        chart.addSeries(line)
        line.attachAxis(categories)
        line.attachAxis(y_axis)
    return chart


def scripts_chart(data: Mapping[str, Any], tr: Translate = _same) -> QChart:
    """Scripts side by side: contact rate and meetings per contact."""
    chart = _base_chart(tr("Scripts compared"))
    scripts = data.get("scripts", {})
    contact = QBarSet(tr("Contact rate"))
    contact.setColor(CONNECTS_COLOR)
    meeting = QBarSet(tr("Meetings per contact"))
    meeting.setColor(MEETINGS_COLOR)
    names, top = [], 0.0
    for name, values in scripts.items():
        title = str(values.get("title") or name)
        names.append(title if len(title) <= 28 else title[:26] + "…")
        for bar_set, key in ((contact, "contact_rate"), (meeting, "meeting_rate")):
            value = 100.0 * (values.get(key) or 0.0)
            bar_set.append(value)
            top = max(top, value)
    bars = QBarSeries()
    bars.append(contact)
    bars.append(meeting)
    chart.addSeries(bars)
    categories = QBarCategoryAxis()
    categories.append(names or [tr("(no calls)")])
    axis = _percent_axis(top)
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(categories)
    bars.attachAxis(axis)
    return chart


CHARTS: tuple[tuple[str, Callable[[Mapping[str, Any], Translate], QChart]], ...] = (
    ("outcomes", outcomes_chart),
    ("per_day", per_day_chart),
    ("local_hour", local_hour_chart),
    ("attempts", attempts_chart),
    ("scripts", scripts_chart),
)


def report_charts(data: Mapping[str, Any], tr: Translate = _same) -> list[tuple[str, QChart]]:
    """Every chart of a report, keyed by a stable name."""
    return [(name, build(data, tr)) for name, build in CHARTS]


def render_chart(chart: QChart, width: int = 900, height: int = 420, scale: float = 2.0) -> QImage:
    """Draw `chart` into an image offscreen (`scale` for print resolution); the chart is consumed."""
    from PySide6.QtWidgets import QGraphicsScene

    scene = QGraphicsScene()
    scene.addItem(chart)
    chart.setGeometry(QRectF(0, 0, width, height))
    scene.setSceneRect(QRectF(0, 0, width, height))
    image = QImage(int(width * scale), int(height * scale), QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), QRectF(0, 0, width, height))
    painter.end()
    scene.removeItem(chart)
    chart.deleteLater()
    return image


def render_report_charts(
    data: Mapping[str, Any], width: int = 900, height: int = 420, tr: Translate = _same
) -> list[tuple[str, QImage]]:
    """Every chart of a report as an image (in the thread that owns the QApplication)."""
    ensure_application()
    return [(name, render_chart(chart, width, height)) for name, chart in report_charts(data, tr)]
