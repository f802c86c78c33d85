"""A registry file that lists a number more than once: each number is counted and stored once,
whether the repeat is in the same read block, in a later block or in another file of the archive
(on PostgreSQL a full import COPYs each block straight into its fresh slot, and a repeat sends that
block the slower way that skips what is there). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.services.registry import RegistryLookup, RegistryService
from desktop.services.workspace import Workspace
from desktop.storage.models import RegistryCoverage, RegistryNumber
from tests.services.test_registry import US_CODES, write

AS_OF = date(2026, 11, 30)


@pytest.fixture
def service(workspace: Workspace) -> RegistryService:
    return RegistryService(workspace.uow, workspace.clock)


@pytest.fixture
def lookup(workspace: Workspace) -> Iterator[RegistryLookup]:
    found = RegistryLookup(workspace.engine)
    yield found
    found.close()


def _lines(count: int, first: int = 0) -> list[str]:
    """`count` distinct numbers, sorted by area code as the registry ships them."""
    codes = US_CODES[:40]
    rows = [(codes[i % len(codes)], 2000000 + i) for i in range(first, first + count)]
    return [f"{code},{local:07d}\n" for code, local in sorted(rows)]


def _stored(workspace: Workspace) -> int:
    with workspace.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(RegistryNumber)) or 0)


def test_repeats_in_one_block_and_across_blocks_are_stored_once(
    service: RegistryService, lookup: RegistryLookup, workspace: Workspace, tmp_path: Path
) -> None:
    lines = _lines(150_000)  # past one read block (1 MiB)
    repeated = [lines[5], lines[5], *lines, lines[-1], lines[70_000]]  # near, last, and a block back
    copy = write(tmp_path / "national.txt", "".join(repeated))
    report = service.import_file(copy, "national", as_of=AS_OF)
    assert (report.total, report.rejected_count) == (150_000, 0)
    assert _stored(workspace) == 150_000
    [status] = service.status()
    assert status.count == 150_000
    with workspace.uow() as uow:  # each area code's count, as the coverage page shows it
        assert uow.session.scalar(select(func.sum(RegistryCoverage.count))) == 150_000
    code, local = lines[70_000].strip().split(",")
    assert lookup.sources_for(f"+1{code}{local}") == {"national"}


def test_a_number_in_two_files_of_an_archive_is_stored_once_and_the_rest_still_goes_in(
    service: RegistryService, workspace: Workspace, tmp_path: Path
) -> None:
    lines = _lines(3_000)
    archive = tmp_path / "dnc.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.txt", "".join(lines[:2_000]))
        zipped.writestr("b.txt", "".join(lines[1_500:]))  # 500 numbers again, then 1,000 new
        zipped.writestr("c.txt", "".join(_lines(500, first=3_000)))  # after the repeat: straight in
    report = service.import_file(archive, "national", as_of=AS_OF)
    assert report.total == 3_500 and _stored(workspace) == 3_500
