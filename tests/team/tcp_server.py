"""A PostgreSQL server on TCP (127.0.0.1, a free port) with password logins, with or without TLS.

Like tests/postgres_support.py (initdb and pg_ctl in a temporary folder, as the `postgres` user when
the tests run as root), but as a team's server is reached: over TCP, `scram-sha-256` passwords, and
for the TLS one a self-signed certificate made with `openssl req` in the server's folder, `ssl=on`
and only a `hostssl` line for TCP in pg_hba.conf. The admin still logs in over the Unix socket in
the folder (trust), to create databases and roles.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.postgres_support import PostgresServer, require_postgres

TLS_HBA = """local all all trust
hostssl all all 127.0.0.1/32 scram-sha-256
"""
PLAIN_HBA = """local all all trust
host all all 127.0.0.1/32 scram-sha-256
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TcpServer(PostgresServer):
    """A throwaway server listening on 127.0.0.1:`port` (and on its socket for the admin)."""

    def __init__(self, folder: Path, pg_ctl: str, as_user: list[str], port: int, tls: bool) -> None:
        super().__init__(folder, pg_ctl, as_user)
        self.port = port
        self.tls = tls

    def tcp_url(self, database: str, user: str, query: str = "") -> str:
        """The URL an agent types: no password (it is in the keyring)."""
        url = f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"
        return url + (f"?{query}" if query else "")

    def start(self) -> None:
        options = f"-k {self.folder} -c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off"
        if self.tls:
            options += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
        subprocess.run(
            [*self.as_user, self.pg_ctl, "-D", str(self.data), "-l", str(self.folder / "server.log")]
            + ["-o", options, "-w", "start"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=120,
        )

    def admin(self, *statements: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.folder), port=self.port, user="postgres", dbname=database, autocommit=True
        ) as connection:
            for statement in statements:
                connection.execute(statement)  # type: ignore[arg-type]

    def socket_url(self, database: str) -> str:
        """The admin's URL (socket, trust): what `team init` runs as."""
        from urllib.parse import quote

        socket_folder = quote(str(self.folder), safe="")
        return f"postgresql+psycopg://postgres@:{self.port}/{database}?host={socket_folder}"


def _self_signed_certificate(data: Path, owner: tuple[int, int] | None) -> None:
    from tests.conftest import require_tool  # skips on a user's machine, fails under CI

    openssl = require_tool("openssl", "openssl")
    subprocess.run(
        [openssl, "req", "-new", "-x509", "-days", "3650", "-nodes", "-subj", "/CN=127.0.0.1"]
        + ["-newkey", "rsa:2048", "-keyout", str(data / "server.key"), "-out", str(data / "server.crt")],
        capture_output=True,
        check=True,
        timeout=120,
    )
    os.chmod(data / "server.key", 0o600)  # the server refuses a key others can read
    if owner is not None:
        for name in ("server.key", "server.crt"):
            os.chown(data / name, *owner)


@contextmanager
def running_tcp_server(tls: bool) -> Iterator[TcpServer]:
    initdb, pg_ctl = require_postgres()
    folder = Path(tempfile.mkdtemp(prefix="dialdesk-pgtcp-"))
    as_user: list[str] = []
    owner: tuple[int, int] | None = None
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        owner = (user.pw_uid, user.pw_gid)
        os.chown(folder, *owner)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = TcpServer(folder, pg_ctl, as_user, free_port(), tls)
    try:
        subprocess.run(
            [*as_user, initdb, "-D", str(server.data), "-U", "postgres", "-E", "UTF8"]
            + ["--auth-local=trust", "--auth-host=scram-sha-256"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
            timeout=300,
        )
        (server.data / "pg_hba.conf").write_text(TLS_HBA if tls else PLAIN_HBA, encoding="utf-8")
        if tls:
            _self_signed_certificate(server.data, owner)
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
