"""Merging a colleague's file into a team's PostgreSQL database carries their history: their events
keep their own chain, seqs and hashes, verified before and after; a forged history is refused and
nothing of the merge is written; merging again adds nothing (as merging into a file does)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.domain.event_chain import GENESIS, event_hash
from desktop.services.clock import ManualClock
from desktop.services.history_chain import verify_full
from desktop.services.merge import MergeError, merge_service_for
from desktop.services.settings import Settings
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.chain_connection import PortableConnection
from tests.services.test_merge import bob_works, path_of

pytestmark = pytest.mark.postgresql


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
def sue(db_url: str, clock: ManualClock, sample_csv: Path) -> Iterator[Workspace]:
    """The team database on the server, with the sample list."""
    workspace = open_workspace(db_url, clock=clock)
    workspace.save_settings(Settings(agent_name="Sue"))
    workspace.imports.run(sample_csv)
    yield workspace
    workspace.close()


@pytest.fixture
def bob(tmp_path: Path, clock: ManualClock, sample_csv: Path) -> Iterator[Workspace]:
    """Bob's own file, where he called and promised a callback."""
    workspace = open_workspace(str(tmp_path / "bob.db"), clock=clock)
    workspace.save_settings(Settings(agent_name="Bob"))
    workspace.imports.run(sample_csv)
    bob_works(workspace, clock)
    yield workspace
    workspace.close()


def file_chains(path: Path) -> dict[str, list[tuple[int, str]]]:
    found: dict[str, list[tuple[int, str]]] = {}
    with sqlite3.connect(path) as connection:
        for chain, seq, hash_ in connection.execute(
            "SELECT chain, seq, hash FROM events ORDER BY chain, seq"
        ):
            found.setdefault(chain, []).append((seq, hash_))
    return found


def server_chains(workspace: Workspace) -> dict[str, list[tuple[int, str]]]:
    found: dict[str, list[tuple[int, str]]] = {}
    with workspace.engine.connect() as connection:
        for chain, seq, hash_ in connection.execute(
            text("SELECT chain, seq, hash FROM events ORDER BY chain, seq")
        ):
            found.setdefault(chain, []).append((seq, hash_))
    return found


def counts(workspace: Workspace) -> tuple[int, int, int]:
    with workspace.engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)
            for table in ("events", "attempts", "event_checkpoints")
        )


def test_merge_into_the_server_carries_the_colleagues_chain_verified(sue: Workspace, bob: Workspace) -> None:
    [(bob_chain, bobs)] = file_chains(path_of(bob)).items()
    ours_before = server_chains(sue)

    report = merge_service_for(sue).merge(path_of(bob))

    merged = server_chains(sue)
    assert merged[bob_chain] == bobs, "Bob's events arrive with his chain id, seqs and hashes"
    assert report.events_added == len(bobs) and report.attempts_added == 2
    for chain, events in ours_before.items():
        assert merged[chain][: len(events)] == events  # ours untouched (the merge adds its own event)
    with sue.uow() as uow:
        rows = PortableConnection(uow.session.connection().connection.driver_connection)
        result = verify_full(rows, only=sorted(merged))
        assert result.intact and result.chains == len(merged), result.problem
        checkpoint = rows.execute("SELECT seq, hash FROM event_checkpoints WHERE chain = ?", (bob_chain,))
        assert checkpoint.fetchone() == bobs[-1]  # verified on merge: the checkpoint is its head
    again = merge_service_for(sue).merge(path_of(bob))
    assert again.events_added == 0 and not again.changed
    assert server_chains(sue) == merged


def test_a_forged_colleague_history_is_refused_and_nothing_is_written(sue: Workspace, bob: Workspace) -> None:
    bob.close()
    with sqlite3.connect(path_of(bob)) as connection:
        [trigger] = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'events_append_only'"
        ).fetchone()
        connection.executescript(
            "DROP TRIGGER events_append_only;"
            "UPDATE events SET payload = replace(payload, 'no_answer', 'meeting') WHERE kind = 'outcome';"
            + trigger
            + ";"
        )
    before = (server_chains(sue), counts(sue))

    with pytest.raises(MergeError) as refused:
        merge_service_for(sue).merge(path_of(bob))

    assert "\n" not in str(refused.value) and "does not verify" in str(refused.value)
    assert (server_chains(sue), counts(sue)) == before, "nothing of the refused merge is written"


def test_a_file_writing_the_servers_own_chain_is_refused(sue: Workspace, bob: Workspace) -> None:
    """Only the team database writes its own chain: a file holding an event under that chain id (well
    hashed, so the file itself verifies) is forged, and the merge is refused."""
    own = merge_service_for(sue).database_id()
    bob.close()
    at, body = "2026-12-01T14:30:00.000000+00:00", '{"number":"+12125550199"}'
    forged = (
        own,
        1,
        "dnc_add",
        at,
        "Bob",
        body,
        GENESIS,
        event_hash(GENESIS, own, 1, "dnc_add", at, "Bob", body),
    )
    with sqlite3.connect(path_of(bob)) as connection:
        connection.execute(
            "INSERT INTO events (chain, seq, kind, occurred_at, actor, payload, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            forged,
        )
    before = (server_chains(sue), counts(sue))

    with pytest.raises(MergeError, match="another database cannot write our history"):
        merge_service_for(sue).merge(path_of(bob))

    assert (server_chains(sue), counts(sue)) == before
