"""A real PostgreSQL server for the tests that run a second time on it (team mode).

One server per test session: `initdb` and `pg_ctl` in a temporary folder, listening only on a Unix
socket in that folder (no TCP port, nothing shared with the machine), run as the unprivileged
`postgres` user when the tests run as root (the server refuses root). A migrated template database
is made once; every test gets its own database copied from it (`CREATE DATABASE … TEMPLATE`, a file
copy: far faster than migrating each time), dropped after the test.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

# Debian's packages put the binaries in a versioned folder, not on PATH.
_BIN_FOLDERS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
TEMPLATE = "dialdesk_template"
MISSING = "needs PostgreSQL (`initdb`, `pg_ctl`): sudo apt-get install postgresql"


def find_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in _BIN_FOLDERS:
        if (folder / name).is_file():
            return str(folder / name)
    return None


def require_postgres() -> tuple[str, str]:
    """(initdb, pg_ctl); skips naming the package on a user's machine, fails under CI."""
    initdb, pg_ctl = find_program("initdb"), find_program("pg_ctl")
    if initdb is None or pg_ctl is None:
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING + " (CI must install it)")
        pytest.skip(MISSING)
    return initdb, pg_ctl


def url_for(socket_dir: Path, database: str, user: str = "postgres") -> str:
    """The SQLAlchemy URL of `database` on the server whose socket is in `socket_dir` (percent-encoded,
    as a user would write it)."""
    return f"postgresql+psycopg://{user}@/{database}?host={quote(str(socket_dir), safe='')}"


class PostgresServer:
    """A throwaway PostgreSQL server on a Unix socket; `database()` hands out fresh databases."""

    def __init__(self, folder: Path, pg_ctl: str, as_user: list[str]) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.pg_ctl = pg_ctl
        self.as_user = as_user
        self._numbers = itertools.count(1)

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return url_for(self.folder, database, user)

    def admin(self, *statements: str, database: str = "postgres") -> None:
        """Run statements outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(host=str(self.folder), user="postgres", dbname=database, autocommit=True) as c:
            for statement in statements:
                c.execute(statement)  # type: ignore[arg-type]

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=60,
        )

    def restart(self) -> None:
        """Stop and start again (what a team sees when the server is restarted under it)."""
        self.stop()
        self.start()

    def start(self) -> None:
        options = f"-k {self.folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        # No captured pipes: the server inherits them and a reader would wait for it to exit.
        subprocess.run(
            [*self.as_user, self.pg_ctl, "-D", str(self.data), "-l", str(self.folder / "server.log")]
            + ["-o", options, "-w", "start"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=120,
        )

    @contextmanager
    def database(self, template: str = TEMPLATE) -> Iterator[str]:
        """A fresh migrated database (a copy of the template; `template0`: an empty one); dropped when
        the block ends."""
        name = f"dialdesk_test_{os.getpid()}_{next(self._numbers)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE {template}')
        try:
            yield self.url(name)
        finally:
            self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """Start a server in a new temporary folder; stop it and remove the folder at the end."""
    initdb, pg_ctl = require_postgres()
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="dialdesk-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            pytest.fail("as root, PostgreSQL runs as the `postgres` user: sudo apt-get install postgresql")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(folder, pg_ctl, as_user)
    try:
        subprocess.run(
            [*as_user, initdb, "-D", str(server.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
            timeout=300,
        )
        server.start()
        _make_template(server)
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _make_template(server: PostgresServer) -> None:
    from desktop.services.workspace import open_workspace

    server.admin(f"CREATE DATABASE {TEMPLATE}")
    workspace = open_workspace(server.url(TEMPLATE))  # migrates it to the latest revision
    workspace.close()
