"""The script editor's "Form" tab: the script as a tree (stages with their questions, advice and
objection cards) beside the form of the selected item.

The forms edit the file's data (desktop.ui.script.data) in place and emit `changed`; the editor
turns the data back into YAML and validates it. Problems found by the validator are shown on the
item they are about: red in the tree, listed above its form, and the field outlined.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.script_yaml import ERROR, ScriptProblem
from desktop.ui.common import style
from desktop.ui.script.data import find_item, place_of
from desktop.ui.script.form_pages import (
    FORM_STYLE,
    AdvicePage,
    FormPage,
    MetaPage,
    ObjectionPage,
    QuestionPage,
    StagePage,
)

Path = tuple[Any, ...]
PathRole = Qt.ItemDataRole.UserRole
SECTIONS = ("stages", "advice", "objections")


def short(text: Any, length: int = 48) -> str:
    words = " ".join(str(text or "").split())
    return words if len(words) <= length else words[: length - 1].rstrip() + "…"


class ScriptForm(QWidget):
    """Tree + forms over a script's data; `changed` after every edit (fields, adding, removing, moving)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: dict[str, Any] = {}
        self.setStyleSheet(FORM_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.unavailable = QLabel()
        self.unavailable.setObjectName("FormProblems")
        self.unavailable.setWordWrap(True)
        self.unavailable.hide()
        layout.addWidget(self.unavailable)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(self.splitter, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.currentItemChanged.connect(self.on_tree_current_changed)
        left_layout.addWidget(self.tree, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        self.add_button = QToolButton()
        self.add_button.setText(self.tr("+ Add"))
        self.add_button.setToolTip(self.tr("Add a stage, question or card after the selected one"))
        self.add_button.clicked.connect(self.on_add_clicked)
        self.question_button = QToolButton()
        self.question_button.setText(self.tr("+ Question"))
        self.question_button.setToolTip(self.tr("Add a question at the end of the selected stage"))
        self.question_button.clicked.connect(self.add_question)
        self.remove_button = QToolButton()
        self.remove_button.setText(self.tr("Remove"))
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.up_button = QToolButton()
        self.up_button.setText("▲")
        self.up_button.setToolTip(self.tr("Move up"))
        self.up_button.clicked.connect(lambda: self.move_item(-1))
        self.down_button = QToolButton()
        self.down_button.setText("▼")
        self.down_button.setToolTip(self.tr("Move down"))
        self.down_button.clicked.connect(lambda: self.move_item(1))
        for button in (
            self.add_button,
            self.question_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        self.splitter.addWidget(left)

        self.pages = QStackedWidget()
        self.empty_page = QLabel(self.tr("Select the script, a stage, a question or a card on the left."))
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_page.setObjectName("Muted")
        self.meta_page = MetaPage()
        self.stage_page = StagePage()
        self.question_page = QuestionPage()
        self.advice_page = AdvicePage()
        self.objection_page = ObjectionPage()
        self.pages.addWidget(self.empty_page)
        for page in self.form_pages():
            page.changed.connect(self.on_page_changed)
            self.pages.addWidget(page)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages)
        self.splitter.addWidget(scroll)
        self.splitter.setSizes([280, 560])
        self.problems: list[ScriptProblem] = []

    def form_pages(self) -> list[FormPage]:
        return [self.meta_page, self.stage_page, self.question_page, self.advice_page, self.objection_page]

    # -- the data --------------------------------------------------------------------------------

    def set_data(self, data: dict[str, Any] | None, message: str = "") -> None:
        """Show `data` (None: the YAML cannot be read, `message` says why), keeping the selection."""
        self.unavailable.setText(message)
        self.unavailable.setVisible(data is None)
        self.splitter.setEnabled(data is not None)
        if data is None:
            return
        keep = self.current_path()
        self.data = data
        self._fill_tree()
        self.select_path(keep or ("script",))

    def targets(self) -> list[str]:
        """Every stage and question id, for the "go to" fields."""
        ids = []
        for stage in self._items("stages"):
            ids.append(str(stage.get("id", "")))
            for question in stage.get("questions") or []:
                if isinstance(question, dict):
                    ids.append(str(question.get("id", "")))
        return [ident for ident in ids if ident]

    def _items(self, section: str) -> list[dict[str, Any]]:
        items = self.data.get(section)
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    def _label(self, path: Path) -> str:
        item = self.resolve(path)
        if path == ("script",):
            return self.tr("Script: {title}").format(title=short(self.data.get("title"), 40))
        if not isinstance(item, dict):
            return "?"
        if len(path) == 4:
            return f"? {short(item.get('ask'), 40)}"
        if path[0] == "stages":
            suffix = "  ■" if item.get("end") is True else ""
            return f"{short(item.get('title') or item.get('id'), 40)}{suffix}"
        if path[0] == "advice":
            return short(item.get("title") or item.get("id"))
        return f"“{short(item.get('says') or item.get('id'), 40)}”"

    def _fill_tree(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        root = QTreeWidgetItem([self._label(("script",))])
        root.setData(0, PathRole, ("script",))
        self.tree.addTopLevelItem(root)
        titles = {
            "stages": self.tr("Stages"),
            "advice": self.tr("Advice cards"),
            "objections": self.tr("Objection cards"),
        }
        for section in SECTIONS:
            head = QTreeWidgetItem([titles[section]])
            head.setData(0, PathRole, ("section", section))
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.tree.addTopLevelItem(head)
            items = self.data.get(section)
            for index, entry in enumerate(items if isinstance(items, list) else []):
                child = QTreeWidgetItem([self._label((section, index))])
                child.setData(0, PathRole, (section, index))
                head.addChild(child)
                if section == "stages" and isinstance(entry, dict):
                    questions = entry.get("questions")
                    for q_index, _question in enumerate(questions if isinstance(questions, list) else []):
                        leaf = QTreeWidgetItem([self._label((section, index, "questions", q_index))])
                        leaf.setData(0, PathRole, (section, index, "questions", q_index))
                        child.addChild(leaf)
            head.setExpanded(True)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        self.mark_problems(self.problems)

    def resolve(self, path: Path) -> Any:
        if not path or path[0] == "section":
            return None
        if path == ("script",):
            return self.data
        node: Any = self.data.get(path[0])
        for part in path[1:]:
            if isinstance(part, int):
                node = node[part] if isinstance(node, list) and part < len(node) else None
            else:
                node = node.get(part) if isinstance(node, dict) else None
        return node

    def current_path(self) -> Path | None:
        item = self.tree.currentItem()
        return tuple(item.data(0, PathRole)) if item is not None else None

    def _tree_item(self, path: Path) -> QTreeWidgetItem | None:
        stack = [self.tree.topLevelItem(index) for index in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            if tuple(item.data(0, PathRole)) == path:
                return item
            stack.extend(item.child(index) for index in range(item.childCount()))
        return None

    def select_path(self, path: Path) -> bool:
        item = self._tree_item(path)
        if item is None:
            return False
        self.tree.setCurrentItem(item)
        self.on_tree_current_changed(item, None)
        return True

    def on_tree_current_changed(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        path = tuple(item.data(0, PathRole)) if item is not None else ()
        mapping = self.resolve(path)
        page = self.page_for(path)
        if page is None or not isinstance(mapping, dict):
            self.pages.setCurrentWidget(self.empty_page)
        else:
            page.load(mapping, self.targets())
            self.pages.setCurrentWidget(page)
            self._show_page_problems(path, page)
        movable = bool(path) and path[0] in SECTIONS
        self.remove_button.setEnabled(movable)
        self.up_button.setEnabled(movable)
        self.down_button.setEnabled(movable)
        self.add_button.setEnabled(bool(path) and path != ("script",))
        self.question_button.setEnabled(bool(path) and path[0] == "stages")

    def page_for(self, path: Path) -> FormPage | None:
        if path == ("script",):
            return self.meta_page
        if not path or path[0] == "section":
            return None
        if len(path) == 4:
            return self.question_page
        return {"stages": self.stage_page, "advice": self.advice_page, "objections": self.objection_page}.get(
            str(path[0])
        )

    def on_page_changed(self, key: str) -> None:
        path = self.current_path()
        if path is not None and key in ("id", "title", "ask", "says", "end"):
            item = self._tree_item(path)
            if item is not None:
                item.setText(0, self._label(path))
        self.changed.emit()

    # -- adding, removing, moving ----------------------------------------------------------------

    def _new_item(self, section: str, question: bool) -> dict[str, Any]:
        if question:
            ids = set(self.targets())
            return {
                "id": _fresh("question", ids),
                "ask": self.tr("What would you like to ask?"),
                "type": "text",
            }
        if section == "stages":
            ids = set(self.targets())
            return {"id": _fresh("stage", ids), "kind": "discovery", "title": self.tr("New stage")}
        ids = {str(item.get("id")) for item in self._items(section)}
        if section == "advice":
            return {"id": _fresh("advice", ids), "title": self.tr("New advice card"), "callback_in": "3 days"}
        return {
            "id": _fresh("objection", ids),
            "says": self.tr("What they say"),
            "response": self.tr("A soft answer"),
        }

    def on_add_clicked(self) -> None:
        """Add after the selection: a question inside a stage's questions, else an item of its section."""
        path = self.current_path()
        if not path or path == ("script",):
            return
        if path[0] == "section":
            section, index, question = str(path[1]), None, False
        else:
            section, index, question = str(path[0]), int(path[1]), len(path) == 4
        if question:
            stage = self._items("stages")[index or 0]
            questions = stage.setdefault("questions", [])
            position = int(path[3]) + 1
            questions.insert(position, self._new_item(section, True))
            new_path: Path = ("stages", index, "questions", position)
        else:
            items = self.data.setdefault(section, [])
            position = (index + 1) if index is not None else len(items)
            items.insert(position, self._new_item(section, False))
            new_path = (section, position)
        self._fill_tree()
        self.select_path(new_path)
        self.changed.emit()

    def add_question(self) -> None:
        """Add a question at the end of the selected stage."""
        path = self.current_path()
        if not path or path[0] != "stages":
            return
        stage = self._items("stages")[int(path[1])]
        questions = stage.setdefault("questions", [])
        questions.append(self._new_item("stages", True))
        self._fill_tree()
        self.select_path(("stages", int(path[1]), "questions", len(questions) - 1))
        self.changed.emit()

    def _container(self, path: Path) -> list[Any] | None:
        if len(path) == 4:
            stage = self.resolve(path[:2])
            return stage.get("questions") if isinstance(stage, dict) else None
        items = self.data.get(str(path[0]))
        return items if isinstance(items, list) else None

    def on_remove_clicked(self) -> None:
        path = self.current_path()
        if not path or path[0] not in SECTIONS:
            return
        container = self._container(path)
        index = int(path[-1])
        if container is None or index >= len(container):
            return
        del container[index]
        self._fill_tree()
        if container:
            self.select_path((*path[:-1], min(index, len(container) - 1)))
        else:
            self.select_path(path[:-2] if len(path) == 4 else ("section", path[0]))
        self.changed.emit()

    def move_item(self, delta: int) -> None:
        path = self.current_path()
        if not path or path[0] not in SECTIONS:
            return
        container = self._container(path)
        index = int(path[-1])
        target = index + delta
        if container is None or not 0 <= target < len(container):
            return
        container[index], container[target] = container[target], container[index]
        self._fill_tree()
        self.select_path((*path[:-1], target))
        self.changed.emit()

    # -- problems --------------------------------------------------------------------------------

    def path_of(self, problem: ScriptProblem) -> tuple[Path, str] | None:
        """The tree path and the field of the form a problem is about (None: only the YAML shows it)."""
        place = place_of(problem.field)
        if place.section == "script":
            return ("script",), place.field.split(".")[0]
        index = find_item(self.data.get(place.section), place.item)
        if index is None:
            return (("section", place.section), "") if place.section in self.data else None
        if place.question is not None:
            stage = self._items("stages")[index] if index < len(self._items("stages")) else {}
            q_index = find_item(stage.get("questions"), place.question)
            if q_index is not None:
                return ("stages", index, "questions", q_index), place.field.split(".")[0]
        return (place.section, index), place.field.split(".")[0].split("[")[0]

    def mark_problems(self, problems: Sequence[ScriptProblem]) -> None:
        """Colour the tree items that have problems and show them on the open form."""
        self.problems = list(problems)
        marked: dict[Path, list[ScriptProblem]] = {}
        for problem in problems:
            located = self.path_of(problem)
            if located is not None:
                marked.setdefault(located[0], []).append(problem)
        stack = [self.tree.topLevelItem(index) for index in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            found = marked.get(tuple(item.data(0, PathRole)), [])
            errors = [problem for problem in found if problem.severity == ERROR]
            colour = style.DANGER if errors else (style.WARNING_INK if found else style.INK)
            item.setForeground(0, QBrush(QColor(colour)))
            item.setToolTip(0, "\n".join(problem_text(problem) for problem in found))
            stack.extend(item.child(index) for index in range(item.childCount()))
        path = self.current_path()
        page = self.page_for(path) if path else None
        if path and page is not None:
            self._show_page_problems(path, page)

    def _show_page_problems(self, path: Path, page: FormPage) -> None:
        lines, fields = [], []
        for problem in self.problems:
            located = self.path_of(problem)
            if located is not None and located[0] == path:
                lines.append(problem_text(problem))
                fields.append(located[1])
        page.show_problems(lines, fields)

    def go_to_problem(self, problem: ScriptProblem) -> bool:
        """Select the item a problem is about and put the cursor in its field."""
        located = self.path_of(problem)
        if located is None or not self.select_path(located[0]):
            return False
        page = self.page_for(located[0])
        widget = page.fields.get(located[1]) if page is not None else None
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


def problem_text(problem: ScriptProblem) -> str:
    where = f"{problem.field}: " if problem.field else ""
    kind = "⚠ " if problem.severity != ERROR else ""
    return f"{kind}line {problem.line}: {where}{problem.message}"


def _fresh(base: str, taken: set[str]) -> str:
    number = 1
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"
