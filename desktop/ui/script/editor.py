"""Tools → Scripts…: the script catalogue and editor.

The list on the left holds every script (shipped and the user's own); on the right the selected
one is edited in forms or as YAML text, checked as you type (each problem with its line and field;
double-click one to go there), previewed with a real lead, and assigned to call lists, warm leads,
the default or the lead on screen. New, Duplicate, Import, Export, Save and Remove work through the
script service; a saved script is also written as a file next to the database (folder `scripts/`),
the file the service imports, so what is stored is always a file the user can find.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.script_format import ScriptFormatError, check_script
from desktop.domain.script_yaml import ERROR, CheckedScript, ScriptProblem
from desktop.paths import user_data_dir
from desktop.services.scripts import IMPORTED, ScriptError, ScriptInfo
from desktop.services.workspace import Workspace
from desktop.ui.common import style
from desktop.ui.common.text import plural
from desktop.ui.script.approvals import VersionLine
from desktop.ui.script.data import DataError, dump_data, load_data, new_script_text, renamed_text, unique_name
from desktop.ui.script.forms import ScriptForm, problem_text
from desktop.ui.script.preview import AssignmentTab, PreviewTab

CHECK_DELAY_MS = 350
TAB_FORM, TAB_YAML, TAB_PREVIEW, TAB_ASSIGN = range(4)
ProblemRole = Qt.ItemDataRole.UserRole
NameRole = Qt.ItemDataRole.UserRole


def scripts_folder(workspace: Workspace) -> Path:
    """Where saved scripts are written: `scripts/` beside a database file, else the user data folder."""
    database = Path(workspace.describe())
    base = database.parent if database.is_file() else user_data_dir()
    folder = base / "scripts"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


class ScriptsDialog(QDialog):
    """Lists, edits, checks, previews, assigns, imports and exports call scripts."""

    scriptsChanged = Signal()

    def __init__(
        self, workspace: Workspace, lead_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.scripts = workspace.scripts
        self.lead_id = lead_id
        self.name: str | None = None  # the stored script being edited (None: a draft not saved yet)
        self.saved_text = ""
        self.text = ""
        self.checked: CheckedScript | None = None
        self.setWindowTitle(self.tr("Scripts"))
        self.setMinimumSize(1080, 700)
        self.setStyleSheet(style.APP_STYLE)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.on_check_timer_timeout)
        self._build()
        self.refresh_list()
        if self.list.count():
            current = self._lead_script_name()
            self.select_name(current or str(self.list.item(0).data(NameRole)))

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(splitter, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(self.tr("SCRIPTS"))
        heading.setObjectName("PanelTitle")
        left_layout.addWidget(heading)
        self.list = QListWidget()
        self.list.setStyleSheet(
            f"QListWidget {{ background: white; border: 1px solid {style.LINE}; border-radius: 6px; }}"
            "QListWidget::item { padding: 6px 4px; }"
            f"QListWidget::item:selected {{ background: #dbe7fb; color: {style.INK}; }}"
        )
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.currentItemChanged.connect(self.on_list_current_changed)
        left_layout.addWidget(self.list, 1)
        grid = [
            (self.tr("New"), self.on_new_clicked, self.tr("Start a new script from a small template")),
            (
                self.tr("Duplicate"),
                self.on_duplicate_clicked,
                self.tr("Copy the selected script under a new name"),
            ),
            (self.tr("Import…"), self.on_import_clicked, self.tr("Load a script file (.yaml)")),
            (self.tr("Export…"), self.on_export_clicked, self.tr("Write the selected script to a file")),
        ]
        self.list_buttons: dict[str, QPushButton] = {}
        for start in (0, 2):
            row = QHBoxLayout()
            for text, handler, tip in grid[start : start + 2]:
                button = QPushButton(text)
                button.setToolTip(tip)
                button.clicked.connect(handler)
                row.addWidget(button)
                self.list_buttons[text] = button
            left_layout.addLayout(row)
        self.new_button, self.duplicate_button, self.import_button, self.export_button = (
            self.list_buttons.values()
        )
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.on_remove_clicked)
        left_layout.addWidget(self.remove_button)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 18px; font-weight: 600;")
        right_layout.addWidget(self.title_label)
        self.info_label = QLabel()
        self.info_label.setObjectName("Muted")
        self.info_label.setWordWrap(True)
        right_layout.addWidget(self.info_label)
        self.version_line = VersionLine(self.workspace.script_versions)
        self.version_line.approved.connect(self.on_version_line_approved)
        right_layout.addWidget(self.version_line)
        self.tabs = QTabWidget()
        self.form = ScriptForm()
        self.form.changed.connect(self.on_form_changed)
        self.tabs.addTab(self.form, self.tr("Form"))
        self.yaml_edit = QPlainTextEdit()
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.yaml_edit.setFont(font)
        self.yaml_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.yaml_edit.textChanged.connect(self.on_yaml_edit_changed)
        self.tabs.addTab(self.yaml_edit, self.tr("YAML"))
        self.preview = PreviewTab()
        self.preview.leadChanged.connect(self.refresh_preview)
        self.tabs.addTab(self.preview, self.tr("Preview"))
        self.assignment = AssignmentTab(self.scripts)
        self.assignment.assigned.connect(self.on_assignment_assigned)
        self.tabs.addTab(self.assignment, self.tr("Assignment"))
        self.tabs.currentChanged.connect(self.on_tabs_current_changed)
        right_layout.addWidget(self.tabs, 1)

        problems_head = QHBoxLayout()
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        problems_head.addWidget(self.summary_label, 1)
        right_layout.addLayout(problems_head)
        self.problems_list = QListWidget()
        self.problems_list.setToolTip(self.tr("Double-click a problem to go to it"))
        self.problems_list.itemActivated.connect(self.on_problem_activated)
        right_layout.addWidget(self.problems_list)

        buttons = QHBoxLayout()
        self.status_label = QLabel()
        self.status_label.setObjectName("Muted")
        self.status_label.setWordWrap(True)
        buttons.addWidget(self.status_label, 1)
        self.revert_button = QPushButton(self.tr("Revert"))
        self.revert_button.setToolTip(self.tr("Forget the changes since the last save"))
        self.revert_button.clicked.connect(self.on_revert_clicked)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Check and save the script (Ctrl+S)"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.on_save_clicked)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.on_close_clicked)
        for button in (self.revert_button, self.save_button, close):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        right_layout.addLayout(buttons)
        splitter.addWidget(right)
        splitter.setSizes([290, 790])
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.on_save_clicked)

    # -- the catalogue ---------------------------------------------------------------------------

    def infos(self) -> list[ScriptInfo]:
        return self.scripts.catalog()

    def refresh_list(self) -> None:
        assignments = self.scripts.assignments()
        self.list.blockSignals(True)
        current = self.name
        self.list.clear()
        for info in self.infos():
            users = [
                a.target or self.tr("(no list)")
                for a in assignments
                if a.scope == "list" and a.script_name == info.name
            ]
            if any(a.scope == "default" and a.script_name == info.name for a in assignments):
                users.insert(0, self.tr("default"))
            if any(a.scope == "warmth" and a.script_name == info.name for a in assignments):
                users.append(self.tr("warm leads"))
            origin = (
                self.tr("yours, replaces shipped")
                if info.replaces_shipped
                else (self.tr("yours") if info.origin == IMPORTED else self.tr("shipped"))
            )
            second = f"{info.name} · {info.language} · {origin}"
            if users:
                second += "\n" + self.tr("used by: {users}").format(users=", ".join(users))
            item = QListWidgetItem(f"{info.title}\n{second}")
            item.setData(NameRole, info.name)
            item.setToolTip(info.description or info.title)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if current is not None:
            self._select_row(current)

    def _select_row(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(NameRole) == name:
                self.list.blockSignals(True)
                self.list.setCurrentRow(row)
                self.list.blockSignals(False)

    def select_name(self, name: str) -> None:
        """Open the stored script `name` in the editor (what clicking it in the list does)."""
        self._select_row(name)
        self._open_stored(name)

    def _lead_script_name(self) -> str | None:
        if self.lead_id is None:
            return None
        try:
            return self.scripts.script_name_for_lead(self.lead_id)
        except ScriptError:
            return None

    def _info(self, name: str | None) -> ScriptInfo | None:
        return next((info for info in self.infos() if info.name == name), None)

    def _open_stored(self, name: str) -> None:
        try:
            text = self.scripts.source_text(name)
        except ScriptError as error:
            self.status_label.setText(str(error))
            return
        self.name = name
        self.saved_text = text
        self.set_text(text)
        self._show_header()

    def _show_header(self) -> None:
        info = self._info(self.name)
        title = info.title if info is not None else self.tr("New script (not saved)")
        self.title_label.setText(title)
        if info is None:
            self.info_label.setText(self.tr("Not saved yet: fix any errors and press Save."))
        elif info.origin == IMPORTED:
            self.info_label.setText(self.tr("Your script, saved from {file}").format(file=info.file))
        else:
            self.info_label.setText(
                self.tr(
                    "Shipped with Dialdesk. Saving a change makes it your own copy, which takes its place."
                )
            )
        self.remove_button.setEnabled(info is not None and info.origin == IMPORTED)
        self.remove_button.setText(
            self.tr("Remove your copy (restore the shipped one)")
            if info is not None and info.replaces_shipped
            else self.tr("Remove")
        )
        self.export_button.setEnabled(info is not None)
        self.duplicate_button.setEnabled(info is not None)
        self.version_line.show_script(info.name if info is not None else None)
        self.assignment.show_script(info.name if info else None, self._known_lists(), self._lead())

    def _lead(self) -> tuple[int, str] | None:
        if self.lead_id is None:
            return None
        try:
            return self.lead_id, self.workspace.leads.card(self.lead_id).display_name
        except Exception:  # noqa: BLE001 - the lead may have been removed meanwhile
            return None

    def _known_lists(self) -> list[str]:
        names = {a.target for a in self.scripts.assignments() if a.scope == "list"}
        names.update(row.list_name for row in self.workspace.leads.queue_page(0, 300))
        return sorted(name for name in names if name)

    def _preview_leads(self) -> list[tuple[int, str]]:
        leads = [(row.lead_id, row.name) for row in self.workspace.leads.queue_page(0, 50)]
        if self.lead_id is not None and all(lead_id != self.lead_id for lead_id, _ in leads):
            lead = self._lead()
            if lead is not None:
                leads.insert(0, lead)
        return leads

    @property
    def dirty(self) -> bool:
        return self.text != self.saved_text

    def _confirm_discard(self) -> bool:
        if not self.dirty:
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr("The script has changes that are not saved. Discard them?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    @Slot(QListWidgetItem, QListWidgetItem)
    def on_list_current_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        name = str(current.data(NameRole))
        if name == self.name:
            return
        if not self._confirm_discard():
            if self.name is not None:
                self._select_row(self.name)
            return
        self._open_stored(name)

    # -- the text, the forms and the checks ------------------------------------------------------

    def set_text(self, text: str, origin: str = "") -> None:
        """Make `text` the script being edited; `origin` ("form"/"yaml") is the view it came from."""
        self.text = text
        if origin != "yaml":
            self.yaml_edit.blockSignals(True)
            self.yaml_edit.setPlainText(text)
            self.yaml_edit.blockSignals(False)
        if origin != "form":
            self._refresh_form()
        self.check_now()

    def _refresh_form(self) -> None:
        try:
            data = load_data(self.text)
        except DataError as error:
            self.form.set_data(
                None,
                self.tr("The form cannot show this file: {error}. Fix it in the YAML tab.").format(
                    error=error
                ),
            )
            return
        self.form.set_data(data)

    @Slot()
    def on_form_changed(self) -> None:
        self.set_text(dump_data(self.form.data), origin="form")

    @Slot()
    def on_yaml_edit_changed(self) -> None:
        self.text = self.yaml_edit.toPlainText()
        self._check_timer.start()

    @Slot()
    def on_check_timer_timeout(self) -> None:
        self._refresh_form()
        self.check_now()

    def check_now(self) -> CheckedScript:
        """Validate the text being edited and list every problem with its line."""
        self._check_timer.stop()
        checked = check_script(self.text, self._source_name())
        self.checked = checked
        self.problems_list.clear()
        for problem in checked.problems:
            item = QListWidgetItem(problem_text(problem))
            item.setData(ProblemRole, problem)
            item.setForeground(QColor(style.DANGER if problem.severity == ERROR else style.WARNING_INK))
            self.problems_list.addItem(item)
        self.problems_list.setVisible(bool(checked.problems))
        self.problems_list.setFixedHeight(min(6, max(1, len(checked.problems))) * 22 + 8)
        errors = len(checked.errors)
        if errors:
            self.summary_label.setText(
                plural(
                    "ScriptsDialog",
                    errors,
                    "✗ {n} error: the script cannot be saved until it is fixed.",
                    "✗ {n} errors: the script cannot be saved until they are fixed.",
                )
            )
            self.summary_label.setStyleSheet(f"color: {style.DANGER}; font-weight: 600;")
        elif checked.script is not None:
            script = checked.script
            self.summary_label.setText(
                self.tr(
                    "✓ Valid: {stages} stages, {questions} questions, {advice} advice cards, "
                    "{objections} objection cards{warnings}."
                ).format(
                    stages=len(script.stages),
                    questions=len(script.questions()),
                    advice=len(script.advice),
                    objections=len(script.objections),
                    warnings=plural("ScriptsDialog", len(checked.warnings), "; {n} warning", "; {n} warnings")
                    if checked.warnings
                    else "",
                )
            )
            self.summary_label.setStyleSheet(f"color: {style.POSITIVE}; font-weight: 600;")
        self.form.mark_problems(checked.problems)
        self._mark_yaml_lines(checked.problems)
        self.save_button.setEnabled(self.dirty or self.name is None)
        self.revert_button.setEnabled(self.dirty and self.name is not None)
        if self.tabs.currentIndex() == TAB_PREVIEW:
            self.refresh_preview()
        return checked

    def _source_name(self) -> str:
        return f"{self.name}.yaml" if self.name else "new script"

    def _mark_yaml_lines(self, problems: tuple[ScriptProblem, ...]) -> None:
        selections = []
        document = self.yaml_edit.document()
        for problem in problems:
            block = document.findBlockByLineNumber(max(problem.line - 1, 0))
            if not block.isValid():
                continue
            selection = QTextEdit.ExtraSelection()
            colour = style.DANGER_SOFT if problem.severity == ERROR else style.WARNING_SOFT
            selection.format.setBackground(QColor(colour))
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.format.setToolTip(problem.message)
            cursor = QTextCursor(block)
            selection.cursor = cursor
            selections.append(selection)
        self.yaml_edit.setExtraSelections(selections)

    @Slot(QListWidgetItem)
    def on_problem_activated(self, item: QListWidgetItem) -> None:
        problem = item.data(ProblemRole)
        if isinstance(problem, ScriptProblem):
            self.go_to_problem(problem)

    def go_to_problem(self, problem: ScriptProblem) -> None:
        """Show a problem where it is: in the form when the form is open and can, else in the YAML."""
        if self.tabs.currentIndex() == TAB_FORM and self.form.go_to_problem(problem):
            return
        self.tabs.setCurrentIndex(TAB_YAML)
        block = self.yaml_edit.document().findBlockByLineNumber(max(problem.line - 1, 0))
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        self.yaml_edit.setTextCursor(cursor)
        self.yaml_edit.centerCursor()
        self.yaml_edit.setFocus()

    @Slot(int)
    def on_tabs_current_changed(self, index: int) -> None:
        if index == TAB_FORM and self._check_timer.isActive():
            self.on_check_timer_timeout()
        if index == TAB_PREVIEW:
            self.preview.set_leads(self._preview_leads(), self.preview.lead_id() or self.lead_id)
            self.refresh_preview()

    @Slot()
    def refresh_preview(self) -> None:
        checked = self.checked or check_script(self.text, self._source_name())
        settings = self.workspace.current_settings()
        self.preview.show_script(
            checked.script,
            self.scripts,
            self.workspace.clock().date(),
            settings.agent_name,
            settings.firm_name,
        )

    # -- saving and files ------------------------------------------------------------------------

    def save_text(self, text: str) -> ScriptInfo | None:
        """Check `text`, write it as a file in the scripts folder and store it; None when it has errors."""
        checked = check_script(text, self._source_name())
        if checked.script is None:
            self.set_text(text)
            self.status_label.setText(
                self.tr("Not saved: fix the errors first (double-click one to go there).")
            )
            if checked.errors:
                self.go_to_problem(checked.errors[0])
            return None
        path = scripts_folder(self.workspace) / f"{checked.script.name}.yaml"
        path.write_text(text, encoding="utf-8")
        if os.name == "posix":
            os.chmod(path, 0o600)
        try:
            info = self.scripts.import_file(path)
        except (ScriptError, ScriptFormatError) as error:
            self.status_label.setText(str(error))
            return None
        self.name, self.saved_text = info.name, text
        self.refresh_list()
        self._select_row(info.name)
        self.set_text(text)
        self._show_header()
        self.scriptsChanged.emit()
        return info

    @Slot(str)
    def on_version_line_approved(self, message: str) -> None:
        self.status_label.setText(message)
        self.scriptsChanged.emit()  # the script menu of the main window offers it again in firm mode

    @Slot()
    def on_save_clicked(self) -> None:
        info = self.save_text(self.text)
        if info is not None:
            self.status_label.setText(self.tr("Saved “{title}”.").format(title=info.title))

    @Slot()
    def on_revert_clicked(self) -> None:
        if self.name is not None:
            self.set_text(self.saved_text)
            self.status_label.setText(self.tr("Changes discarded."))

    @Slot()
    def on_new_clicked(self) -> None:
        if not self._confirm_discard():
            return
        name = unique_name("my-script", self.scripts.names())
        info = self.save_text(new_script_text(name, self.tr("My script")))
        if info is not None:
            self.tabs.setCurrentIndex(TAB_FORM)
            self.form.select_path(("script",))
            self.status_label.setText(
                self.tr("Created “{name}”. Give it a name and a title, then Save.").format(name=info.name)
            )

    @Slot()
    def on_duplicate_clicked(self) -> None:
        info = self._info(self.name)
        if info is None or not self._confirm_discard():
            return
        name = unique_name(f"{info.name}-copy", self.scripts.names())
        text = renamed_text(
            self.scripts.source_text(info.name), name, self.tr("{title} (copy)").format(title=info.title)
        )
        copy = self.save_text(text)
        if copy is not None:
            self.status_label.setText(self.tr("Duplicated as “{name}”.").format(name=copy.name))

    @Slot()
    def on_import_clicked(self) -> None:
        if not self._confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import a script"), "", self.tr("Call scripts (*.yaml *.yml);;All files (*)")
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> ScriptInfo | None:
        """Store the script file at `path`; an invalid file opens as a draft with its problems listed."""
        try:
            info = self.scripts.import_file(path)
        except ScriptFormatError:
            self.name, self.saved_text = None, ""
            self.list.clearSelection()
            self.set_text(path.read_text(encoding="utf-8"))
            self._show_header()
            self.status_label.setText(
                self.tr(
                    "{file} was not imported: it has errors (listed below). Fix them here and Save."
                ).format(file=path.name)
            )
            return None
        except ScriptError as error:
            self.status_label.setText(str(error))
            return None
        self.refresh_list()
        self.select_name(info.name)
        self.status_label.setText(
            self.tr("Imported “{title}” from {file}.").format(title=info.title, file=path.name)
        )
        self.scriptsChanged.emit()
        return info

    @Slot()
    def on_export_clicked(self) -> None:
        if self.name is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the script"), f"{self.name}.yaml", self.tr("Call scripts (*.yaml *.yml)")
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        if self.name is None:
            return
        try:
            self.scripts.export(self.name, path)
        except (ScriptError, OSError) as error:
            self.status_label.setText(self.tr("Not exported: {error}").format(error=error))
            return
        note = self.tr(" (the saved version; your unsaved changes are not in it)") if self.dirty else ""
        self.status_label.setText(self.tr("Exported to {path}{note}.").format(path=path, note=note))

    @Slot()
    def on_remove_clicked(self) -> None:
        info = self._info(self.name)
        if info is None or info.origin != IMPORTED:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Remove the script"),
            self.tr("Remove “{title}”? Answers already given stay with the leads.").format(title=info.title),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.remove(info.name)

    def remove(self, name: str) -> None:
        try:
            self.scripts.remove_imported(name)
        except ScriptError as error:
            self.status_label.setText(str(error))
            return
        self.saved_text = self.text = ""
        self.name = None
        self.refresh_list()
        if name in self.scripts.names():
            self.select_name(name)
        elif self.list.count():
            self.select_name(str(self.list.item(0).data(NameRole)))
        self.status_label.setText(self.tr("Removed “{name}”.").format(name=name))
        self.scriptsChanged.emit()

    @Slot(str)
    def on_assignment_assigned(self, message: str) -> None:
        self.status_label.setText(message)
        self.refresh_list()
        self.scriptsChanged.emit()

    @Slot()
    def on_close_clicked(self) -> None:
        if self._confirm_discard():
            self.accept()

    def reject(self) -> None:
        if self._confirm_discard():
            super().reject()
