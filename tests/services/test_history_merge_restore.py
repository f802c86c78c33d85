"""The history through merges, backups and restores: chains kept, verified, forgeries refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.services.backup import BackupError, BackupService
from desktop.services.clock import ManualClock
from desktop.services.merge import MergeError, merge_service_for
from desktop.services.workspace import Workspace, open_workspace
from desktop.storage.engine import database_url
from tests.services.test_merge import bob_works, path_of, team  # noqa: F401


def chains(workspace: Workspace) -> dict[str, list[tuple[int, str]]]:
    """chain label -> [(seq, hash)] of the events stored in the workspace's file."""
    found: dict[str, list[tuple[int, str]]] = {}
    with sqlite3.connect(path_of(workspace)) as connection:
        for chain, seq, hash_ in connection.execute(
            "SELECT chain, seq, hash FROM events ORDER BY chain, seq"
        ):
            found.setdefault(chain, []).append((seq, hash_))
    return found


def test_merge_keeps_the_colleagues_chain_and_both_verify(
    team: dict[str, Workspace],  # noqa: F811
    clock: ManualClock,
) -> None:
    sue, bob = team["Sue"], team["Bob"]
    bob_works(bob, clock)
    bobs = chains(bob)
    [bob_chain] = bobs

    report = merge_service_for(sue).merge(path_of(bob))

    merged = chains(sue)
    assert merged[bob_chain] == bobs[bob_chain], "Bob's events arrive with his chain id, seqs and hashes"
    assert report.events_added == len(bobs[bob_chain])
    assert len(merged) == 2
    result = sue.history.verify()
    assert result.intact and result.chains == 2, result.problem
    # The merge itself is an event of Sue's own chain; merging again adds nothing.
    again = merge_service_for(sue).merge(path_of(bob))
    assert again.events_added == 0 and not again.changed
    assert sue.history.verify().intact


def test_a_forged_colleague_chain_refuses_the_merge_in_one_line(
    team: dict[str, Workspace],  # noqa: F811
    clock: ManualClock,
) -> None:
    sue, bob = team["Sue"], team["Bob"]
    bob_works(bob, clock)
    bob.close()
    with sqlite3.connect(path_of(bob)) as connection:
        # The forger puts the trigger back afterwards: the file looks like any other Dialdesk file.
        [trigger] = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'events_append_only'"
        ).fetchone()
        connection.executescript(
            "DROP TRIGGER events_append_only;"
            "UPDATE events SET payload = replace(payload, 'no_answer', 'meeting') WHERE kind = 'outcome';"
            + trigger
            + ";"
        )
    before = chains(sue)

    with pytest.raises(MergeError) as refused:
        merge_service_for(sue).merge(path_of(bob))

    message = str(refused.value)
    assert "\n" not in message and "does not verify" in message and "altered" in message
    assert chains(sue) == before, "nothing of the refused merge is written"


def test_a_copy_of_this_database_keeps_its_fork_verifiable(
    team: dict[str, Workspace],  # noqa: F811
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    """Dee started from a copy of Sue's file: both wrote events at the same seqs after the copy."""
    from desktop.services.settings import Settings

    sue = team["Sue"]
    copy = tmp_path / "dee.db"
    with sue.engine.connect() as connection:
        connection.exec_driver_sql(f"VACUUM INTO '{copy}'")
    dee = open_workspace(str(copy), clock=clock)
    dee.save_settings(Settings(agent_name="Dee"))
    bob_works(dee, clock)
    sue.dnc.add("212-555-0199")  # Sue's own event at the seq where Dee's calls begin
    dee.close()

    report = merge_service_for(sue).merge(copy)

    assert report.events_added > 0
    merged = chains(sue)
    assert len(merged) == 2 and any("~" in label for label in merged)
    result = sue.history.verify()
    assert result.intact, result.problem


def test_backup_and_restore_keep_the_chain_verifiable_and_record_the_restore(
    workspace: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    workspace.dnc.add("212-555-0199")
    workspace.dnc.remove("212-555-0199")
    before = workspace.history.verify()
    service = BackupService(database_url(str(path_of(workspace))), clock=clock)
    backup = tmp_path / "backup.db"
    service.backup_to(backup)
    workspace.dnc.add("212-555-0188")  # after the backup: gone once the backup is restored
    workspace.close()

    restored = service.restore(backup)

    assert restored.history is not None and restored.history.intact, restored.history
    reopened = open_workspace(str(path_of(workspace)), clock=clock)
    try:
        result = reopened.history.verify()
        assert result.intact, result.problem
        kinds = [row[0] for row in _kinds(reopened)]
        assert kinds == ["dnc_add", "dnc_remove", "restore"]
        assert result.events == before.events + 1
    finally:
        reopened.close()


def _kinds(workspace: Workspace) -> list[tuple[str]]:
    with sqlite3.connect(path_of(workspace)) as connection:
        return list(connection.execute("SELECT kind FROM events ORDER BY seq"))


def test_a_backup_whose_history_was_altered_is_not_restored(
    workspace: Workspace, clock: ManualClock, tmp_path: Path
) -> None:
    """The forger edits an event and puts the guard trigger back: restore refuses the file whole."""
    workspace.dnc.add("212-555-0199")
    service = BackupService(database_url(str(path_of(workspace))), clock=clock)
    backup = tmp_path / "backup.db"
    service.backup_to(backup)
    workspace.dnc.add("212-555-0188")
    workspace.close()
    with sqlite3.connect(backup) as connection:
        [trigger] = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'events_append_only'"
        ).fetchone()
        connection.executescript(
            "DROP TRIGGER events_append_only;"
            "UPDATE events SET payload = replace(payload, '0199', '0177') WHERE kind = 'dnc_add';"
            + trigger
            + ";"
        )
    before = _kinds(workspace)

    with pytest.raises(BackupError, match="does not verify"):
        service.restore(backup)

    assert _kinds(workspace) == before, "the live database is left as it was"


def _forge_after(connection: sqlite3.Connection, chain: str, seq: int, prev_hash: str, at: str) -> None:
    """An invented outcome event at `seq` of `chain`, hashed from `prev_hash` as Dialdesk would."""
    from desktop.domain.event_chain import event_hash

    payload = '{"call":1,"lead":1,"outcome":"meeting"}'
    hash_ = event_hash(prev_hash, chain, seq, "outcome", at, "Sue", payload)
    connection.execute(
        "INSERT INTO events (chain, seq, kind, occurred_at, actor, payload, prev_hash, hash)"
        " VALUES (?, ?, 'outcome', ?, 'Sue', ?, ?, ?)",
        (chain, seq, at, payload, prev_hash, hash_),
    )


@pytest.mark.parametrize("forgery", ["appended after our head", "our last event rewritten"])
def test_another_database_cannot_add_events_to_our_own_chain(
    team: dict[str, Workspace],  # noqa: F811
    clock: ManualClock,
    tmp_path: Path,
    forgery: str,
) -> None:
    """A copy of Sue's file given another database id, with events invented under Sue's chain."""
    sue = team["Sue"]
    bob_works(sue, clock)
    copy = tmp_path / "forged.db"
    with sue.engine.connect() as connection:
        connection.exec_driver_sql(f"VACUUM INTO '{copy}'")
    before = chains(sue)
    [own] = before
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE settings SET value = '\"0f0f0f0f-forged\"' WHERE key = 'database_id'")
        head_seq, head_hash = before[own][-1]
        at = "2026-12-01T18:00:00.000000+00:00"
        if forgery == "appended after our head":
            _forge_after(connection, own, head_seq + 1, head_hash, at)
        else:
            [trigger] = connection.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'events_kept'"
            ).fetchone()
            connection.executescript(f"DROP TRIGGER events_kept; DELETE FROM events WHERE seq = {head_seq};")
            connection.execute(trigger)
            _forge_after(connection, own, head_seq, before[own][-2][1], at)

    with pytest.raises(MergeError) as refused:
        merge_service_for(sue).merge(copy)

    message = str(refused.value)
    assert "\n" not in message and "own history" in message
    assert chains(sue) == before, "nothing of the refused merge is written"
