"""The guard triggers `audit verify` expects per revision are exactly the ones the migrations make."""

from __future__ import annotations

import pytest

from desktop.storage import guard_reference
from desktop.storage.guard_reference import GUARDS, expected_guards, guards_from_migrations
from desktop.storage.guard_triggers import GUARD_TRIGGERS
from desktop.storage.migrate import LATEST_REVISION


def test_the_written_reference_equals_what_the_migrations_build_for_every_revision() -> None:
    # Regenerate with `python -m desktop.storage.guard_reference` after adding or editing a migration.
    assert GUARD_TRIGGERS == guards_from_migrations()


def test_the_latest_revision_has_every_guard() -> None:
    assert set(GUARD_TRIGGERS[LATEST_REVISION]) == set(GUARDS)


def test_a_revision_the_written_reference_lacks_is_answered_from_the_migrations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(guard_reference, "GUARD_TRIGGERS", {})
    assert expected_guards(LATEST_REVISION) == guards_from_migrations()[LATEST_REVISION]
    assert expected_guards("not-a-revision") is None
