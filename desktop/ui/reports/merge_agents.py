"""Reports → File → Merge two agents…: one person's calls under two names ("agent" before Your name
was set, or a name typed two ways) counted as one agent's in every report.

The supervisor picks the name whose calls move and the name to count them as, confirms, and the
dialog makes the same service call as `dialdesk report agents merge OLD NEW`
(`desktop.services.agents.merge_agents`): nothing in the call records changes, the merge is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.agents import AgentError, AgentsMerged


class MergeAgentsDialog(QDialog):
    """Two agent lists, a Merge button and a confirmation; `merged` tells the window what was done."""

    merged = Signal(object)  # AgentsMerged

    def __init__(
        self,
        names: Sequence[str],
        merge: Callable[[str, str], AgentsMerged],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._merge = merge
        self.confirm_box: QMessageBox | None = None
        self.setWindowTitle(self.tr("Merge two agents"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "When one person's calls sit under two names, count the first name's calls as the "
                "second's in every report. The calls keep the name they were recorded under; the merge "
                "is in the audit log."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.old_combo = QComboBox()
        self.new_combo = QComboBox()
        for combo in (self.old_combo, self.new_combo):
            for name in names:
                combo.addItem(name, name)
        if len(names) > 1:
            self.new_combo.setCurrentIndex(1)
        form.addRow(self.tr("Calls of"), self.old_combo)
        form.addRow(self.tr("count as"), self.new_combo)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setObjectName("Error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = QPushButton(self.tr("Merge…"))
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.merge_button.clicked.connect(self.on_merge_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for combo in (self.old_combo, self.new_combo):
            combo.currentIndexChanged.connect(self.on_choice_changed)
        self.on_choice_changed()

    def chosen(self) -> tuple[str, str]:
        return str(self.old_combo.currentData() or ""), str(self.new_combo.currentData() or "")

    @Slot()
    def on_choice_changed(self) -> None:
        old, new = self.chosen()
        self.merge_button.setEnabled(bool(old and new) and old != new)

    @Slot()
    def on_merge_clicked(self) -> None:
        old, new = self.chosen()
        if not old or not new or old == new or self.confirm_box is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Merge two agents?"),
            self.tr("Count every call of “{old}” as “{new}”'s in every report from now on?").format(
                old=old, new=new
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # a merge is confirmed on purpose
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(self.on_confirm_finished)
        self.confirm_box = box
        box.open()

    @Slot(int)
    def on_confirm_finished(self, result: int) -> None:
        box, self.confirm_box = self.confirm_box, None
        if box is not None:
            box.deleteLater()
        if result != QMessageBox.StandardButton.Yes.value:
            return
        old, new = self.chosen()
        try:
            done = self._merge(old, new)
        except AgentError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        self.merged.emit(done)
        self.accept()
