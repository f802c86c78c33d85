"""The form pages of the script editor: one page per kind of thing in a script file.

Each page edits one mapping of the file's data in place (a stage, a question, a card, the script's
own fields) and emits `changed` after every edit; an emptied field is removed from the mapping so
the file stays as short as the format allows. Pages know nothing about files or the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.outcomes import OUTCOME_CODES
from desktop.domain.script_format import TYPE_FIELDS
from desktop.domain.scripts import ANSWER_KINDS, AUDIENCES, CHOICE, DATE, NUMBER, STAGE_KINDS, TEXT, YES_NO
from desktop.ui.common import style
from desktop.ui.script.data import from_paragraphs, id_list, ids_field, to_paragraphs
from desktop.ui.script.widgets import set_flag

FORM_STYLE = f"""
QLineEdit[error="true"], QPlainTextEdit[error="true"], QComboBox[error="true"], QTableWidget[error="true"] {{
    border: 2px solid {style.DANGER}; }}
QLabel#FormProblems {{ background: {style.DANGER_SOFT}; color: {style.DANGER}; border-radius: 6px;
    padding: 6px 8px; }}
"""


def number_value(text: str) -> int | float | str | None:
    """A number typed in a form: int when whole, float otherwise; other text is kept for the validator."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def number_text(value: Any) -> str:
    return "" if value is None else str(value)


def paragraphs_edit(height: int = 96) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


class FormPage(QWidget):
    """A form over one mapping of the script data; `changed(key)` after each edit."""

    changed = Signal(str)

    def __init__(self, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item: dict[str, Any] = {}
        self.fields: dict[str, QWidget] = {}
        self.targets: list[str] = []
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        title = QLabel(heading)
        title.setObjectName("PanelTitle")
        outer.addWidget(title)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("FormProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.hide()
        outer.addWidget(self.problems_label)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        outer.addLayout(self.form)
        self.extra = QVBoxLayout()
        outer.addLayout(self.extra)
        outer.addStretch(1)

    # -- binding ---------------------------------------------------------------------------------

    def _set(self, key: str, value: Any) -> None:
        if self._loading:
            return
        # An emptied field (or a flag turned off: both default to false) leaves the file.
        if value is None or value is False or (isinstance(value, str | list | dict) and not value):
            self.item.pop(key, None)
        else:
            self.item[key] = value
        self.changed.emit(key)

    def line(
        self, key: str, label: str, placeholder: str = "", convert: Callable[[str], Any] = str
    ) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda text: self._set(key, convert(text.strip()) if text.strip() else None))
        self.form.addRow(label, edit)
        self.fields[key] = edit
        return edit

    def paragraphs(self, key: str, label: str, placeholder: str = "", height: int = 110) -> QPlainTextEdit:
        edit = paragraphs_edit(height)
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(lambda: self._set(key, from_paragraphs(edit.toPlainText())))
        self.form.addRow(label, edit)
        self.fields[key] = edit
        return edit

    def choice(self, key: str, label: str, values: Sequence[str], blank: str = "") -> QComboBox:
        combo = QComboBox()
        if blank:
            combo.addItem(blank, "")
        for value in values:
            combo.addItem(value.replace("_", " "), value)
        combo.activated.connect(lambda _index: self._set(key, combo.currentData() or None))
        self.form.addRow(label, combo)
        self.fields[key] = combo
        return combo

    def target(self, key: str, label: str, blank: str) -> QComboBox:
        """A stage-or-question id: pick one of the script's, or type one."""
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(blank)
            line.textEdited.connect(lambda text: self._set(key, text.strip() or None))
        combo.activated.connect(lambda _index: self._set(key, combo.currentText().strip() or None))
        self.form.addRow(label, combo)
        self.fields[key] = combo
        return combo

    def flag(self, key: str, label: str) -> QCheckBox:
        box = QCheckBox(label)
        box.toggled.connect(lambda checked: self._set(key, bool(checked)))
        self.form.addRow("", box)
        self.fields[key] = box
        return box

    def load(self, item: dict[str, Any], targets: Sequence[str]) -> None:
        """Show `item` (edited in place from now on); `targets` are the stage and question ids."""
        self.item = item
        self.targets = list(targets)
        self._loading = True
        try:
            for key, widget in self.fields.items():
                with QSignalBlocker(widget):
                    self._fill(widget, item.get(key))
            self.loaded()
        finally:
            self._loading = False

    def loaded(self) -> None:
        """Hook for pages with more than plain fields."""

    def _fill(self, widget: QWidget, value: Any) -> None:
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(to_paragraphs(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(value is True)
        elif isinstance(widget, QComboBox) and widget.isEditable():
            widget.clear()
            widget.addItems(["", *self.targets])
            widget.setEditText("" if value is None else str(value))
        elif isinstance(widget, QComboBox):
            index = widget.findData("" if value is None else str(value))
            if index < 0:
                widget.addItem(str(value), str(value))
                index = widget.count() - 1
            widget.setCurrentIndex(index)
        elif isinstance(widget, QLineEdit):
            if isinstance(value, list):
                widget.setText(", ".join(str(part) for part in value))
            else:
                widget.setText("" if value is None else str(value))
            widget.setCursorPosition(0)  # a long text shows its start

    def show_problems(self, lines: Sequence[str], fields: Sequence[str]) -> None:
        """Problems the validator found in this item, and the fields to mark red."""
        self.problems_label.setText("\n".join(lines))
        self.problems_label.setVisible(bool(lines))
        for key, widget in self.fields.items():
            set_flag(widget, "error", key in fields)


class MetaPage(FormPage):
    def __init__(self) -> None:
        super().__init__(self.tr("THE SCRIPT"))
        self.line("name", self.tr("Name (id)"), self.tr("lower-case letters, digits and hyphens"))
        self.line("title", self.tr("Title"))
        self.line("language", self.tr("Language"), "en")
        self.line("translation_of", self.tr("Translation of"), self.tr("the name of the original, if any"))
        self.choice("audience", self.tr("Audience"), AUDIENCES, blank=self.tr("(any)"))
        self.paragraphs("description", self.tr("Description"), height=80)
        self.target("start", self.tr("First stage"), self.tr("the first stage in the file"))


class StagePage(FormPage):
    def __init__(self) -> None:
        super().__init__(self.tr("STAGE"))
        self.line("id", self.tr("Id"), self.tr("e.g. discovery"))
        self.choice("kind", self.tr("Kind"), STAGE_KINDS)
        self.line("title", self.tr("Title"))
        self.paragraphs(
            "say", self.tr("Say"), self.tr("What the agent says. A blank line starts a paragraph.")
        )
        self.line(
            "purpose",
            self.tr("Purpose"),
            self.tr("Why you call, said after the lines above (the opening must say it: FINRA 3230)"),
        )
        self.line("hint", self.tr("Hint"), self.tr("For the agent only; not read out"))
        self.target("next", self.tr("Then go to"), self.tr("the next stage in the file"))
        self.flag("end", self.tr("The script ends after this stage"))
        self.choice("outcome", self.tr("Suggested outcome"), OUTCOME_CODES, blank=self.tr("(none)"))
        fields = self.tr(
            "Fields: {first_name} {last_name} {full_name} {company} {title} {state} {source} "
            "{agent_name} {firm} {firm_address} {callback_number}"
        )
        note = QLabel(fields)
        note.setObjectName("Muted")
        note.setWordWrap(True)
        self.extra.addWidget(note)


class AdvicePage(FormPage):
    def __init__(self) -> None:
        super().__init__(self.tr("ADVICE CARD"))
        self.line("id", self.tr("Id"), self.tr("e.g. fee_benchmark"))
        self.line("title", self.tr("Title"))
        self.paragraphs("say", self.tr("Say"), height=90)
        self.line("hint", self.tr("Hint"))
        self.line("callback_in", self.tr("Call back in"), self.tr("e.g. 3 days, 1 week, 4 hours"))
        self.line("callback_note", self.tr("Callback note"))


class ObjectionPage(FormPage):
    def __init__(self) -> None:
        super().__init__(self.tr("OBJECTION CARD"))
        self.line("id", self.tr("Id"), self.tr("e.g. not_interested"))
        self.line("says", self.tr("They say"))
        self.paragraphs("response", self.tr("Soft response"), height=90)
        self.line("hint", self.tr("Hint"))
        self.choice("outcome", self.tr("Suggested outcome"), OUTCOME_CODES, blank=self.tr("(none)"))
        self.line("callback_in", self.tr("Call back in"), self.tr("e.g. 1 day"))


class RouteTable(QWidget):
    """A table of routed rows (choices or ranges) with add / remove buttons."""

    edited = Signal()

    def __init__(self, columns: Sequence[tuple[str, str]], numeric: Sequence[str] = ()) -> None:
        super().__init__()
        self.keys = [key for key, _ in columns]
        self.numeric = set(numeric)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels([label for _, label in columns])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(120)
        self.table.itemChanged.connect(lambda _item: self.edited.emit())
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QToolButton()
        self.add_button.setText(self.tr("+ Add row"))
        self.add_button.clicked.connect(self.on_add_clicked)
        self.remove_button = QToolButton()
        self.remove_button.setText(self.tr("− Remove row"))
        self.remove_button.clicked.connect(self.on_remove_clicked)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def set_rows(self, rows: Any) -> None:
        with QSignalBlocker(self.table):
            self.table.setRowCount(0)
            for row in rows if isinstance(rows, list) else []:
                self._append(row if isinstance(row, dict) else {})

    def _append(self, row: dict[str, Any]) -> None:
        index = self.table.rowCount()
        self.table.insertRow(index)
        for column, key in enumerate(self.keys):
            value = row.get(key)
            text = ", ".join(id_list(value)) if key == "advice" else number_text(value)
            self.table.setItem(index, column, QTableWidgetItem(text))

    def rows(self) -> list[dict[str, Any]]:
        result = []
        for index in range(self.table.rowCount()):
            row: dict[str, Any] = {}
            for column, key in enumerate(self.keys):
                cell = self.table.item(index, column)
                text = cell.text().strip() if cell is not None else ""
                value: Any = ids_field(text) if key == "advice" else text or None
                if key in self.numeric:
                    value = number_value(text)
                if value not in (None, ""):
                    row[key] = value
            result.append(row)
        return result

    def on_add_clicked(self) -> None:
        with QSignalBlocker(self.table):
            self._append({})
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        cell = self.table.item(self.table.rowCount() - 1, 0)
        if cell is not None:
            self.table.editItem(cell)
        self.edited.emit()

    def on_remove_clicked(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.edited.emit()


class QuestionPage(FormPage):
    """A question: the common fields, then the fields of its answer type."""

    def __init__(self) -> None:
        super().__init__(self.tr("QUESTION"))
        self.line("id", self.tr("Id"), self.tr("e.g. has_plan"))
        self.paragraphs("ask", self.tr("Ask"), height=64)
        kind = self.choice("type", self.tr("Answer type"), ANSWER_KINDS)
        kind.activated.connect(self.on_type_activated)
        self.line("hint", self.tr("Hint"))
        self.target("next", self.tr("Then go to"), self.tr("the next question, then the next stage"))
        self.line(
            "advice", self.tr("Advice for any answer"), self.tr("advice card ids, comma-separated"), ids_field
        )

        self.choices_box = QGroupBox(self.tr("Choices (each may lead elsewhere and bring up advice)"))
        box = QVBoxLayout(self.choices_box)
        self.choices = RouteTable(
            [
                ("id", self.tr("Id")),
                ("label", self.tr("Label")),
                ("next", self.tr("Go to")),
                ("advice", self.tr("Advice")),
            ]
        )
        self.choices.edited.connect(lambda: self._set("choices", self.choices.rows()))
        box.addWidget(self.choices)
        self.extra.addWidget(self.choices_box)

        self.yes_no_box = QGroupBox(self.tr("Where yes and no lead"))
        yes_no = QFormLayout(self.yes_no_box)
        self.branch_edits: dict[tuple[str, str], QLineEdit] = {}
        for branch, label in (("if_yes", self.tr("Yes")), ("if_no", self.tr("No"))):
            for key, what in (("next", self.tr("go to")), ("advice", self.tr("advice"))):
                edit = QLineEdit()
                edit.textEdited.connect(lambda _text, branch=branch: self.on_branch_edited(branch))
                yes_no.addRow(f"{label}: {what}", edit)
                self.branch_edits[(branch, key)] = edit
        self.extra.addWidget(self.yes_no_box)

        self.number_box = QGroupBox(self.tr("Number"))
        number = QFormLayout(self.number_box)
        self.min_edit = QLineEdit()
        self.min_edit.textEdited.connect(lambda text: self._set("min", number_value(text)))
        self.max_edit = QLineEdit()
        self.max_edit.textEdited.connect(lambda text: self._set("max", number_value(text)))
        self.unit_edit = QLineEdit()
        self.unit_edit.setPlaceholderText(self.tr("e.g. employees"))
        self.unit_edit.textEdited.connect(lambda text: self._set("unit", text.strip() or None))
        self.integer_box = QCheckBox(self.tr("Whole numbers only"))
        self.integer_box.toggled.connect(lambda checked: self._set("integer", bool(checked)))
        number.addRow(self.tr("At least"), self.min_edit)
        number.addRow(self.tr("At most"), self.max_edit)
        number.addRow(self.tr("Unit"), self.unit_edit)
        number.addRow("", self.integer_box)
        self.fields.update(
            min=self.min_edit, max=self.max_edit, unit=self.unit_edit, integer=self.integer_box
        )
        self.extra.addWidget(self.number_box)

        self.ranges_box = QGroupBox(self.tr("Ranges (from ≤ value < below; days from today for dates)"))
        ranges = QVBoxLayout(self.ranges_box)
        self.ranges = RouteTable(
            [
                ("from", self.tr("From")),
                ("below", self.tr("Below")),
                ("next", self.tr("Go to")),
                ("advice", self.tr("Advice")),
            ],
            numeric=("from", "below"),
        )
        self.ranges.edited.connect(lambda: self._set("ranges", self.ranges.rows()))
        ranges.addWidget(self.ranges)
        self.extra.addWidget(self.ranges_box)

        self.text_box = QGroupBox(self.tr("Text"))
        text = QFormLayout(self.text_box)
        self.max_length_edit = QLineEdit()
        self.max_length_edit.setPlaceholderText("500")
        self.max_length_edit.textEdited.connect(lambda value: self._set("max_length", number_value(value)))
        text.addRow(self.tr("Longest answer"), self.max_length_edit)
        self.fields["max_length"] = self.max_length_edit
        self.extra.addWidget(self.text_box)

    def loaded(self) -> None:
        self.choices.set_rows(self.item.get("choices"))
        self.ranges.set_rows(self.item.get("ranges"))
        for (branch, key), edit in self.branch_edits.items():
            route = self.item.get(branch)
            value = route.get(key) if isinstance(route, dict) else None
            with QSignalBlocker(edit):
                edit.setText(", ".join(id_list(value)) if key == "advice" else number_text(value))
        self._show_type()

    def _show_type(self) -> None:
        kind = str(self.item.get("type", TEXT))
        self.choices_box.setVisible(kind == CHOICE)
        self.yes_no_box.setVisible(kind == YES_NO)
        self.number_box.setVisible(kind == NUMBER)
        self.ranges_box.setVisible(kind in (NUMBER, DATE))
        self.text_box.setVisible(kind == TEXT)

    def on_type_activated(self) -> None:
        # Fields of the old type would be refused by the validator: a changed type drops them.
        kind = str(self.item.get("type", TEXT))
        for key, kinds in TYPE_FIELDS.items():
            if kind not in kinds:
                self.item.pop(key, None)
        self._show_type()
        self.changed.emit("type")

    def on_branch_edited(self, branch: str) -> None:
        route = {
            "next": self.branch_edits[(branch, "next")].text().strip() or None,
            "advice": ids_field(self.branch_edits[(branch, "advice")].text()),
        }
        self._set(branch, {key: value for key, value in route.items() if value} or None)
