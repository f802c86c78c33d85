"""The examination bundle: one zip an examiner opens with a spreadsheet and a PDF reader.

`dialdesk audit bundle --from … --to … --out exam.zip` (and File → Export for an examination…)
writes, for the days asked (UTC, inclusive):

- calls.csv — every call with its outcome, times, agent, script-free notes, and corrections;
- gate_decisions.csv — every dial decision with its reasons (the `audit export` columns);
- dnc_changes.csv, consent_changes.csv — those events of the history, with who and when;
- consents.csv — the consents on record; scripts*.csv — every script table there is, as it is;
- history.csv — the history events of the period with their hashes (re-verifiable);
- verification.txt — `audit verify` of the whole history and the anchor of the last day;
- summary.pdf — the counts, the verification and the files, on paper;
- manifest.csv — the SHA-256 and size of every other file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from desktop.exports.safe_csv import neutralise
from desktop.services.audit import AUDIT_COLUMNS, decisions
from desktop.services.clock import Clock
from desktop.services.history_chain import HistoryService, Verification
from desktop.storage.chain_connection import ChainConnection, chain_connection
from desktop.storage.models import Agent, Attempt
from desktop.storage.uow import UnitOfWorkFactory

CALL_COLUMNS = (
    "call_id",
    "started_at_utc",
    "ended_at_utc",
    "duration_s",
    "agent",
    "lead_id",
    "number",
    "backend",
    "outcome",
    "note",
    "corrects_call",
)
EVENT_COLUMNS = ("chain", "seq", "occurred_at_utc", "kind", "actor", "payload", "prev_hash", "hash")
DNC_KINDS = ("dnc_add", "dnc_remove", "dnc_import")
# The script tables of the schema the bundle exports whole (not `script_answers`: what leads said).
SCRIPT_TABLES = ("scripts", "script_assignments", "script_versions", "script_approvals")


class BundleError(Exception):
    """The bundle cannot be written (bad period, unwritable path); one line for the user."""


@dataclass
class BundleResult:
    path: Path
    files: dict[str, int] = field(default_factory=dict)  # file name -> data rows (or pages for the PDF)
    verification: Verification | None = None


@dataclass
class _Table:
    """A table the PDF prints (desktop.exports.tables.PrintedTableLike)."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[Any]]
    formats: dict[str, str] = field(default_factory=dict)
    row_formats: Sequence[str] = ()
    brief: Sequence[str] = ()


def _csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        count += 1
    return buffer.getvalue().encode("utf-8"), count


class ExamBundleService:
    """Writes the examination bundle for a period."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, history: HistoryService) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._history = history

    def write(self, first: date, last: date, out: Path) -> BundleResult:
        if last < first:
            raise BundleError("--to is before --from")
        start = datetime.combine(first, time(0), tzinfo=UTC)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
        files: dict[str, bytes] = {}
        result = BundleResult(out)
        gate, result.files["gate_decisions.csv"] = _csv_bytes(
            AUDIT_COLUMNS, decisions(self._uow_factory, first, last)
        )
        files["gate_decisions.csv"] = gate
        with self._uow_factory() as uow:
            for name, (headers, rows) in self._tables(uow.session, start, end).items():
                files[name], result.files[name] = _csv_bytes(headers, rows)
        verification = self._history.verify(full=True)
        anchor = self._history.anchor(last)
        result.verification = verification
        report = (
            f"Dialdesk history verification, written {self._clock().isoformat()}\n"
            f"{verification.text()}\n"
            f"chains: {verification.chains}\n"
            f"anchor for {anchor.text()}\n"
        )
        files["verification.txt"] = report.encode("utf-8")
        result.files["verification.txt"] = 1
        files["summary.pdf"] = self._summary_pdf(first, last, result, verification, anchor.text())
        manifest, _count = _csv_bytes(
            ("file", "bytes", "sha256"),
            [(name, len(data), hashlib.sha256(data).hexdigest()) for name, data in sorted(files.items())],
        )
        files["manifest.csv"] = manifest
        self._zip(out, files)
        return result

    def _tables(
        self, session: Session, start: datetime, end: datetime
    ) -> dict[str, tuple[Sequence[str], list[Sequence[Any]]]]:
        connection = chain_connection(session)
        low_event, high_event = (
            start.isoformat(timespec="microseconds"),
            end.isoformat(timespec="microseconds"),
        )
        query = (
            select(Attempt, Agent.name)
            .outerjoin(Agent, Attempt.agent_id == Agent.id)
            .where(Attempt.allowed.is_(True), Attempt.started_at >= start, Attempt.started_at < end)
            .order_by(Attempt.started_at, Attempt.id)
        )
        calls: list[Sequence[Any]] = [
            (
                call.id,
                call.started_at.isoformat(),
                call.ended_at.isoformat() if call.ended_at is not None else "",
                call.duration_s if call.duration_s is not None else "",
                agent or "",
                call.lead_id or "",
                call.number,
                call.backend,
                call.outcome or "",
                call.note,
                call.corrects_id or "",
            )
            for call, agent in session.execute(query)
        ]
        events = connection.execute(
            f"SELECT {', '.join(EVENT_COLUMNS).replace('occurred_at_utc', 'occurred_at')} FROM events"
            " WHERE occurred_at >= ? AND occurred_at < ? ORDER BY chain, seq",
            (low_event, high_event),
        ).fetchall()
        tables: dict[str, tuple[Sequence[str], list[Sequence[Any]]]] = {
            "calls.csv": (CALL_COLUMNS, calls),
            "dnc_changes.csv": (EVENT_COLUMNS, [row for row in events if row[3] in DNC_KINDS]),
            "consent_changes.csv": (
                EVENT_COLUMNS,
                [row for row in events if str(row[3]).startswith("consent")],
            ),
            "history.csv": (EVENT_COLUMNS, list(events)),
        }
        consents = connection.execute(
            "SELECT id, lead_id, kind, given_on, evidence FROM consents ORDER BY given_on, id"
        ).fetchall()
        tables["consents.csv"] = (("consent_id", "lead_id", "kind", "given_on", "evidence"), consents)
        for name, headers, rows in self._script_tables(connection, session):
            tables[f"{name}.csv"] = (headers, rows)
        return tables

    @staticmethod
    def _script_tables(
        connection: ChainConnection, session: Session
    ) -> list[tuple[str, Sequence[str], list[Sequence[Any]]]]:
        """Every script table there is (scripts, their versions and approvals when present), whole."""
        present = set(inspect(session.connection()).get_table_names())
        # Our own script tables only, by name: a table someone added to the file (whatever it is
        # called, "script/../../x" included) never becomes a file name in the bundle.
        names = [name for name in SCRIPT_TABLES if name in present]
        found: list[tuple[str, Sequence[str], list[Sequence[Any]]]] = []
        for name in names:
            cursor = connection.execute(f'SELECT * FROM "{name}" ORDER BY id')
            headers = [column[0] for column in cursor.description]
            found.append((name, headers, [tuple(row) for row in cursor.fetchall()]))
        return found

    def _summary_pdf(
        self, first: date, last: date, result: BundleResult, verification: Verification, anchor: str
    ) -> bytes:
        import tempfile

        from desktop.exports.charts import ensure_application
        from desktop.exports.pdf import write_pdf

        ensure_application()
        counts = _Table(
            "Files", ("file", "rows"), [(name, rows) for name, rows in sorted(result.files.items())]
        )
        info = [
            ("Period (UTC)", f"{first.isoformat()} to {last.isoformat()}"),
            ("Written", self._clock().isoformat(timespec="seconds")),
            ("History", verification.text()),
            ("Anchor", anchor),
        ]
        with tempfile.TemporaryDirectory(prefix="dialdesk-bundle-") as folder:
            path = Path(folder) / "summary.pdf"
            result.files["summary.pdf"] = write_pdf(path, "Examination bundle", info, [counts], [])
            return path.read_bytes()

    def _zip(self, out: Path, files: dict[str, bytes]) -> None:
        stamp = self._clock().astimezone(UTC).timetuple()[:6]
        out = out.expanduser()
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(descriptor, "wb") as stream,
                zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as bundle,
            ):
                for name, data in files.items():
                    info = zipfile.ZipInfo(name, date_time=stamp)  # the bundle's own time, not the disk's
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o600 << 16
                    bundle.writestr(info, data)
        except OSError as error:
            raise BundleError(f"cannot write {out}: {error.strerror or error}") from None


def manifest_problems(bundle: zipfile.ZipFile) -> list[str]:
    """Files whose SHA-256 or size differs from the manifest, or missing from either (empty: all match)."""
    listed = {row["file"]: row for row in csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode()))}
    present = set(bundle.namelist()) - {"manifest.csv"}
    problems = [f"{name}: not in the manifest" for name in sorted(present - set(listed))]
    problems += [f"{name}: missing" for name in sorted(set(listed) - present)]
    for name in sorted(present & set(listed)):
        data = bundle.read(name)
        if (
            hashlib.sha256(data).hexdigest() != listed[name]["sha256"]
            or str(len(data)) != listed[name]["bytes"]
        ):
            problems.append(f"{name}: does not match the manifest")
    return problems


def describe(result: BundleResult) -> str:
    verified = result.verification.text() if result.verification is not None else "not verified"
    return json.dumps({"out": str(result.path), "files": result.files, "history": verified})
