"""Consent records, whole-list scrubs and the audit export, on a real database."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.domain.registry_coverage import AreaCopy
from desktop.services.audit import AUDIT_COLUMNS, decisions
from desktop.services.calling import GateRefused
from desktop.services.clock import ManualClock
from desktop.services.consent import ConsentError
from desktop.services.workspace import Workspace
from tests.registry_support import every_area_code


class ListedRegistry:
    """A registry stand-in listing a few numbers nationally, with a fresh snapshot."""

    def __init__(self, *numbers: str) -> None:
        self.numbers = set(numbers)

    def sources_for(self, e164: str) -> frozenset[str]:
        return frozenset({"national"}) if e164 in self.numbers else frozenset()

    def snapshots(self) -> dict[str, dict[str, object]]:
        return {"national": {"id": 7, "as_of": "2026-11-25"}}

    def coverage(self) -> dict[str, dict[int, AreaCopy]]:
        return {"national": every_area_code("2026-11-25", snapshot_id=7)}


@pytest.fixture
def listed(workspace: Workspace) -> ListedRegistry:
    registry = ListedRegistry("+12125550199", "+14045550100")
    workspace.gate.registry = registry
    return registry


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_consent_columns_import_and_pass_the_registry(
    workspace: Workspace, tmp_path: Path, listed: ListedRegistry
) -> None:
    path = write(
        tmp_path / "list.csv",
        "Name,Phone,Type,Written consent,Last purchase,Evidence\n"
        "Ann Able,212 555 0199,residential,2026-02-01,,web form #77\n"
        "Bob Best,404 555 0100,residential,,not a date,\n",
    )
    report = workspace.imports.run(path)
    assert [(r.line, r.column, r.value) for r in report.rejected] == [(3, "Last purchase", "not a date")]
    ids = {r["first_name"]: r["id"] for r in workspace.leads.export_records()}
    [record] = workspace.consent.for_lead(ids["Ann"])
    assert (record.kind, record.given_on, record.evidence) == ("written", date(2026, 2, 1), "web form #77")
    ann = workspace.calling.check(ids["Ann"]).decision
    assert ann.allowed and ann.note_codes == ("consent",)
    assert workspace.calling.check(ids["Bob"]).decision.codes == ("dnc_national",)


def test_consent_service_rules(
    workspace: Workspace, sample_csv: Path, listed: ListedRegistry, clock: ManualClock
) -> None:
    workspace.imports.run(sample_csv)
    james = next(r["id"] for r in workspace.leads.export_records() if r["last_name"] == "O'Neil")
    assert workspace.calling.check(james, number="+12125550199").decision.codes == ("dnc_national",)
    with pytest.raises(ConsentError, match="future"):
        workspace.consent.add(james, "inquiry", clock().date() + timedelta(days=1), "call")
    with pytest.raises(ConsentError, match="evidence"):
        workspace.consent.add(james, "inquiry", clock().date(), " ")
    record = workspace.consent.add(
        james, "inquiry", clock().date() - timedelta(days=10), "asked for a fee review"
    )
    decision = workspace.calling.check(james, number="+12125550199").decision
    assert decision.allowed and decision.note_codes == ("ebr_inquiry",)
    workspace.consent.remove(record.id)
    assert not workspace.calling.check(james, number="+12125550199").decision.allowed


def test_scrub_counts_and_rows(workspace: Workspace, sample_csv: Path, listed: ListedRegistry) -> None:
    workspace.imports.run(sample_csv)
    workspace.dnc.add("+14045550107", reason="asked")  # Omar Farouk
    report = workspace.scrub.report()
    assert report.checked == 24
    assert report.by_code["dnc_internal"] == 1
    assert report.by_code["invalid_number"] == 4  # Smith, Harris, Jones (no phone), Taylor
    assert report.by_code["calling_hours"] >= 6
    assert report.callable + report.skipped == report.checked
    assert report.summary().startswith(f"{report.skipped} of 24 leads would be skipped:")
    rows = {row.name: row for row in workspace.scrub.rows()}
    assert rows["James O'Neil"].decision.allowed and rows["James O'Neil"].number == "+19175550142"
    assert rows["Aiko Tanaka"].callable_at is not None
    assert rows["Aiko Tanaka"].callable_at.isoformat() == "2026-12-01T08:00:00-10:00"


def test_audit_export_has_every_decision(
    workspace: Workspace, sample_csv: Path, listed: ListedRegistry, clock: ManualClock, tmp_path: Path
) -> None:
    workspace.imports.run(sample_csv)
    ids = {r["last_name"]: r["id"] for r in workspace.leads.export_records()}
    workspace.calling.record_outcome(ids["Lopez"], "no_answer")
    with pytest.raises(GateRefused):
        workspace.calling.start_call(ids["O'Neil"], number="+12125550199")
    rows = list(decisions(workspace.uow, clock().date(), clock().date()))
    assert len(rows) == 2
    by_column = [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in rows]
    assert by_column[0]["allowed"] == "yes" and by_column[0]["outcome"] == "no_answer"
    assert by_column[1]["reason_codes"] == "dnc_national"
    assert '"as_of": "2026-11-25"' in by_column[1]["registry_snapshots"]
    assert (
        list(decisions(workspace.uow, clock().date() + timedelta(days=1), clock().date() + timedelta(days=2)))
        == []
    )


def test_audit_export_file_is_private(workspace: Workspace, tmp_path: Path) -> None:
    from desktop.exports.safe_csv import open_private, write_csv

    out = tmp_path / "audit.csv"
    with open_private(out) as stream:
        write_csv(stream, AUDIT_COLUMNS, [])
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert next(csv.reader(out.open())) == list(AUDIT_COLUMNS)
