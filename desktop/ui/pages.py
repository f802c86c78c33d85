"""The pages the centre of the window shows when there is no lead to work: first start, empty queue."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services.optional_programs import install_advice, missing_programs

log = logging.getLogger(__name__)


class WelcomePage(QWidget):
    """First start on an empty database: import a list, or try the sample list."""

    importRequested = Signal()
    sampleRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        title = QLabel(self.tr("Welcome to Dialdesk"))
        title.setObjectName("WelcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        text = QLabel(
            self.tr(
                "Bring in the list you want to call: a CSV or Excel file with names and phone numbers.\n"
                "Every number is checked before it is dialled: validity, do-not-call lists and the "
                "callee's local calling hours."
            )
        )
        text.setObjectName("Muted")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setMaximumWidth(560)
        row_text = QHBoxLayout()
        row_text.addStretch(1)
        row_text.addWidget(text)
        row_text.addStretch(1)
        layout.addLayout(row_text)
        layout.addSpacing(24)
        row = QHBoxLayout()
        row.addStretch(1)
        self.import_button = QPushButton(self.tr("Import a call list…"))
        self.import_button.setObjectName("BigButton")
        self.import_button.clicked.connect(self.importRequested)
        row.addWidget(self.import_button)
        row.addSpacing(16)
        self.sample_button = QPushButton(self.tr("Try the sample list"))
        self.sample_button.setObjectName("BigSecondary")
        self.sample_button.clicked.connect(self.sampleRequested)
        row.addWidget(self.sample_button)
        row.addStretch(1)
        layout.addLayout(row)
        # First start: say now which feature needs which missing program, not when a call fails.
        advice = install_advice(missing_programs())
        if advice:
            # In the log too: what a support person asks for first when a call will not start.
            log.info("not installed: %s", "; ".join(advice.splitlines()))
        self.programs_note = QLabel(self.tr("Not installed yet:") + "\n" + advice if advice else "")
        self.programs_note.setObjectName("Muted")
        self.programs_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.programs_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.programs_note.setVisible(bool(advice))
        layout.addSpacing(24)
        layout.addWidget(self.programs_note)
        layout.addStretch(3)


class EmptyQueuePage(QWidget):
    """Shown when no lead is due now: everything is done, or due later."""

    importRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        title = QLabel(self.tr("Nothing to call right now"))
        title.setObjectName("WelcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        self.detail = QLabel(
            self.tr("Every lead is either finished or due later. Leads due later appear greyed in the queue.")
        )
        self.detail.setObjectName("Muted")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.detail)
        layout.addSpacing(16)
        row = QHBoxLayout()
        row.addStretch(1)
        button = QPushButton(self.tr("Import another call list…"))
        button.setObjectName("BigSecondary")
        button.clicked.connect(self.importRequested)
        row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(3)
