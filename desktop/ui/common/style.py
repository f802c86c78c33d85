"""The look of the window: one calm palette, readable sizes, and the colour of each outcome kind.

Kept in one place so widgets ask for a role ("positive", "danger") instead of hard-coding colours.
"""

from __future__ import annotations

# Calm neutrals with one accent; red and green only where they mean something.
INK = "#1f2933"
MUTED = "#52606d"
FAINT = "#9aa5b1"
LINE = "#d9e2ec"
PANEL = "#ffffff"
CANVAS = "#f0f4f8"
ACCENT = "#2f6fde"
POSITIVE = "#1f8a4c"
POSITIVE_SOFT = "#e3f4ea"
DANGER = "#c0392b"
DANGER_SOFT = "#fdecea"
WARNING_SOFT = "#fff4d6"
WARNING_INK = "#8a5a00"

# Outcome codes by the colour of their button: neutral (try again), positive (a conversation that
# goes somewhere), negative (the sequence ends badly), final (ends, but no drama).
OUTCOME_KIND: dict[str, str] = {
    "no_answer": "neutral",
    "busy": "neutral",
    "voicemail": "neutral",
    "gatekeeper": "neutral",
    "not_interested": "final",
    "callback": "positive",
    "meeting": "positive",
    "wrong_number": "final",
    "do_not_call": "negative",
    "hostile": "negative",
}

_OUTCOME_COLOURS: dict[str, tuple[str, str, str]] = {
    # kind: (background, border, text)
    "neutral": ("#ffffff", "#bcccdc", INK),
    "final": ("#f5f7fa", "#bcccdc", MUTED),
    "positive": (POSITIVE_SOFT, "#7fc79b", "#14532d"),
    "negative": (DANGER_SOFT, "#e8a39b", "#7f1d1d"),
}


def outcome_button_style(code: str) -> str:
    background, border, text = _OUTCOME_COLOURS[OUTCOME_KIND.get(code, "neutral")]
    return (
        f"QPushButton {{ background: {background}; border: 1px solid {border}; color: {text};"
        " border-radius: 6px; padding: 6px 10px; font-size: 14px; text-align: left; }"
        f"QPushButton:hover {{ border: 2px solid {border}; }}"
        f"QPushButton:pressed {{ background: {border}; }}"
        f"QPushButton:disabled {{ color: {FAINT}; background: #f5f7fa; border-color: {LINE}; }}"
    )


APP_STYLE = f"""
QMainWindow, QDialog {{ background: {CANVAS}; }}
QWidget {{ color: {INK}; }}
QFrame#Panel {{ background: {PANEL}; border: 1px solid {LINE}; border-radius: 8px; }}
QLabel#PanelTitle {{ color: {MUTED}; font-size: 11px; font-weight: 600; letter-spacing: 1px; }}
QLabel#Muted {{ color: {MUTED}; }}
QLabel#LeadName {{ font-size: 22px; font-weight: 600; }}
QLabel#LeadCompany {{ font-size: 14px; color: {MUTED}; }}
QLabel#Badge {{ border-radius: 9px; padding: 2px 9px; font-size: 11px; font-weight: 600;
    background: #e6eefc; color: #1d4ed8; }}
QLabel#BadgeResidential {{ border-radius: 9px; padding: 2px 9px; font-size: 11px; font-weight: 600;
    background: #f3e8ff; color: #6b21a8; }}
QLabel#BadgeStatus {{ border-radius: 9px; padding: 2px 9px; font-size: 11px; font-weight: 600;
    background: {WARNING_SOFT}; color: {WARNING_INK}; }}
QLabel#AttemptCounter {{ font-size: 24px; font-weight: 700; color: {ACCENT}; }}
QProgressBar#TargetBar {{ background: {LINE}; border: none; border-radius: 3px; }}
QProgressBar#TargetBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
QLabel#Nudge {{ background: {WARNING_SOFT}; color: {WARNING_INK}; border-radius: 6px; padding: 6px 8px; }}
QLabel#Banner {{ background: {DANGER_SOFT}; color: {DANGER}; border: 1px solid #e8a39b;
    border-radius: 6px; padding: 6px 10px; font-weight: 600; }}
QLabel#Timer {{ font-family: "DejaVu Sans Mono", "Menlo", "Consolas", monospace; font-size: 24px;
    font-weight: 600; }}
QLabel#Timer[live="true"] {{ color: {POSITIVE}; }}
QLabel#CallState {{ color: {MUTED}; font-size: 13px; }}
QPushButton#CallButton {{ background: {POSITIVE}; color: white; border: none; border-radius: 6px;
    padding: 8px 18px; font-size: 15px; font-weight: 600; }}
QPushButton#CallButton:disabled {{ background: #a7d7b8; }}
QPushButton#HangUpButton {{ background: {DANGER}; color: white; border: none; border-radius: 6px;
    padding: 8px 18px; font-size: 15px; font-weight: 600; }}
QPushButton#HangUpButton:disabled {{ background: #e9b3ad; }}
QPushButton#BigButton {{ background: {ACCENT}; color: white; border: none; border-radius: 8px;
    padding: 14px 28px; font-size: 16px; font-weight: 600; }}
QPushButton#BigSecondary {{ background: white; color: {ACCENT}; border: 1px solid {ACCENT};
    border-radius: 8px; padding: 14px 28px; font-size: 16px; font-weight: 600; }}
QLabel#WelcomeTitle {{ font-size: 26px; font-weight: 600; }}
QTableView {{ outline: 0; background: {PANEL}; border: 1px solid {LINE}; gridline-color: {LINE};
    selection-background-color: #dbe7fb; selection-color: {INK}; }}
QHeaderView::section {{ background: #f5f7fa; color: {MUTED}; border: none;
    border-bottom: 1px solid {LINE}; padding: 4px 6px; font-weight: 600; }}
QLineEdit, QPlainTextEdit {{ background: white;
    border: 1px solid #bcccdc; border-radius: 4px; padding: 3px 6px; }}
QLineEdit:focus, QPlainTextEdit:focus {{ border: 1px solid {ACCENT}; }}
QTextBrowser {{ background: {PANEL}; border: none; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 8px; }}
"""
