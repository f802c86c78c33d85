"""Words several window features show the same way: outcome names, the call timer, consent records.

They live here, not in the widget that first needed them, so the script cards, the help dialog, the
lead card and the softphone can share them without importing each other's widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.domain.outcomes import OutcomeRule
from desktop.services.consent import ConsentRecord


def outcome_label(rule: OutcomeRule) -> str:
    """The outcome's name for the user; the rules file holds English, translations come from Qt."""
    return QCoreApplication.translate("Outcome", rule.label)


def format_timer(seconds: float) -> str:
    total = max(0, int(seconds))
    minutes, secs = divmod(total, 60)
    if minutes >= 60:
        return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def _consent_tr(text: str) -> str:
    # The consent words keep their translation context from the dialog they were first written for.
    return QCoreApplication.translate("ConsentDialog", text)


def consent_kind_label(kind: str) -> str:
    """A consent kind in words, short enough for the lead card."""
    return {
        "written": _consent_tr("Written consent"),
        "inquiry": _consent_tr("Inquiry"),
        "purchase": _consent_tr("Purchase"),
    }.get(kind, kind)


def consent_line(record: ConsentRecord) -> str:
    """ "Written consent 2026-11-02 (signed form #A-17)" for the lead card."""
    return _consent_tr("{kind} {date} ({evidence})").format(
        kind=consent_kind_label(record.kind), date=record.given_on.isoformat(), evidence=record.evidence
    )


def consent_summary(records: list[ConsentRecord]) -> str:
    """The consent line of the lead card: the newest record of each kind, or that there is none."""
    if not records:
        return _consent_tr("No consent recorded")
    newest: dict[str, ConsentRecord] = {}
    for record in records:  # newest first (the service's order)
        newest.setdefault(record.kind, record)
    return " · ".join(consent_line(record) for record in newest.values())
