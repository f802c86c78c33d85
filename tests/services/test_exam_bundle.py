"""The examination bundle opens with zipfile, csv and pdftotext, and its manifest matches its files."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from desktop.services.calling import CallingService
from desktop.services.clock import ManualClock
from desktop.services.exam_bundle import ExamBundleService, manifest_problems
from desktop.services.workspace import Workspace
from tests.cli.test_scripts_cli import dialdesk
from tests.conftest import require_tool
from tests.services.test_calling import calling, dialer, lead_id, registry  # noqa: F401


@pytest.fixture
def period_work(
    workspace: Workspace,
    calling: CallingService,  # noqa: F811
    clock: ManualClock,
) -> dict[str, int]:
    """Calls inside 1-2 December 2026 and one on 30 November (outside), DNC and consent changes."""
    lopez, oneil = lead_id(workspace, "Lopez"), lead_id(workspace, "O'Neil")
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    before = calling.record_outcome(oneil, "no_answer").attempt_id
    clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    inside = calling.record_outcome(lopez, "not_interested", note="=HYPERLINK(1)").attempt_id
    workspace.dnc.add("212-555-0199", reason="asked by letter")
    workspace.consent.add(oneil, "written", date(2026, 12, 1), "signed form")
    return {"before": before, "inside": inside}


def rows(bundle: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(bundle.read(name).decode("utf-8"))))


def test_bundle_holds_the_period_verified_and_a_manifest_that_matches(
    workspace: Workspace, period_work: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    pdftotext = require_tool("pdftotext", "poppler-utils")
    workspace.close()
    out = tmp_path / "exam.zip"

    result = dialdesk(
        db_path, "audit", "bundle", "--from", "2026-12-01", "--to", "2026-12-02", "--out", str(out)
    )

    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as bundle:
        names = set(bundle.namelist())
        assert {
            "calls.csv",
            "gate_decisions.csv",
            "dnc_changes.csv",
            "consent_changes.csv",
            "consents.csv",
        } <= names
        assert {"scripts.csv", "history.csv", "verification.txt", "summary.pdf", "manifest.csv"} <= names
        manifest = {row["file"]: row for row in rows(bundle, "manifest.csv")}
        assert set(manifest) == names - {"manifest.csv"}
        for name, row in manifest.items():
            data = bundle.read(name)
            assert hashlib.sha256(data).hexdigest() == row["sha256"] and int(row["bytes"]) == len(data), name
        assert manifest_problems(bundle) == []

        calls = rows(bundle, "calls.csv")
        assert [int(call["call_id"]) for call in calls] == [period_work["inside"]]
        assert calls[0]["outcome"] == "not_interested" and calls[0]["note"] == "'=HYPERLINK(1)"
        decisions = rows(bundle, "gate_decisions.csv")
        assert [int(row["attempt_id"]) for row in decisions] == [period_work["inside"]]
        [dnc] = rows(bundle, "dnc_changes.csv")
        assert dnc["kind"] == "dnc_add" and "+12125550199" in dnc["payload"]
        assert [row["kind"] for row in rows(bundle, "consents.csv")] == ["written"]
        assert len(rows(bundle, "consent_changes.csv")) == 1
        verification = bundle.read("verification.txt").decode()
        assert "intact:" in verification and "anchor for 2026-12-02" in verification
        (tmp_path / "summary.pdf").write_bytes(bundle.read("summary.pdf"))
    text = subprocess.run(
        [pdftotext, str(tmp_path / "summary.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Examination bundle" in text and "2026-12-01 to 2026-12-02" in text and "intact" in text


def test_a_file_changed_after_writing_no_longer_matches_the_manifest(
    workspace: Workspace,
    period_work: dict[str, int],
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    out = tmp_path / "exam.zip"
    ExamBundleService(workspace.uow, clock, workspace.history).write(
        date(2026, 12, 1), date(2026, 12, 2), out
    )
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(
                info, data.replace(b"not_interested", b"meeting") if info.filename == "calls.csv" else data
            )
    with zipfile.ZipFile(changed) as bundle:
        assert manifest_problems(bundle) == ["calls.csv: does not match the manifest"]


def test_bundle_refuses_a_period_that_ends_before_it_starts(
    workspace: Workspace, db_path: Path, tmp_path: Path
) -> None:
    workspace.close()
    result = dialdesk(
        db_path,
        "audit",
        "bundle",
        "--from",
        "2026-12-02",
        "--to",
        "2026-12-01",
        "--out",
        str(tmp_path / "x.zip"),
    )
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.zip").exists()


def test_a_table_named_like_a_path_never_becomes_a_file_in_the_bundle(
    workspace: Workspace, period_work: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    """A table someone added to the file, named "script/../../…", is not exported at all."""
    import sqlite3

    workspace.close()
    connection = sqlite3.connect(db_path)
    connection.execute('CREATE TABLE "script/../../../escaped" (x)')
    connection.execute("INSERT INTO \"script/../../../escaped\" VALUES ('planted')")
    connection.commit()
    connection.close()
    out = tmp_path / "exam.zip"
    dialdesk(db_path, "audit", "bundle", "--from", "2026-12-01", "--to", "2026-12-02", "--out", str(out))
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
    assert all(".." not in name and "/" not in name for name in names), names
    assert "scripts.csv" in names


def test_a_formula_behind_spaces_is_neutralised_too() -> None:
    from desktop.exports.safe_csv import neutralise

    assert neutralise('  =HYPERLINK("http://x")') == '\'  =HYPERLINK("http://x")'
    assert neutralise(" plain text") == " plain text"
    assert neutralise("-5") == "'-5"
