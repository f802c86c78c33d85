"""`team add-agent` gives the new login's password to the server as a SCRAM-SHA-256 verifier computed
on this computer, never in clear: a server that logs DDL (`log_statement = 'ddl'`, a common audit
setting) logs no password, the role stores a SCRAM verifier, and the agent logs in with the password
over TCP with scram-sha-256 authentication."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.team.tcp_server import TcpServer, running_tcp_server
from tests.team.test_logins_tls import dialdesk

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def logging_server() -> Iterator[TcpServer]:
    with running_tcp_server(tls=False) as server:
        server.admin(
            "CREATE DATABASE team", "ALTER SYSTEM SET log_statement = 'all'", "SELECT pg_reload_conf()"
        )
        yield server


def _server_log(server: TcpServer) -> str:
    time.sleep(0.5)  # the server writes its log asynchronously
    return (server.folder / "server.log").read_text(encoding="utf-8", errors="replace")


def _stored_verifier(server: TcpServer, role: str) -> str:
    with psycopg.connect(host=str(server.folder), port=server.port, user="postgres", dbname="team") as c:
        row = c.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize("flags", [(), ("--supervisor",)])
def test_the_password_never_reaches_the_server_log_and_still_logs_in(
    logging_server: TcpServer, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    role = "logged_sup" if flags else "logged_ann"
    admin = logging_server.socket_url("team")
    assert dialdesk(tmp_path, "team", "init", admin).returncode == 0
    added = dialdesk(tmp_path, "--db", admin, "team", "add-agent", role, *flags)
    assert added.returncode == 0, added.stderr
    password = next(line for line in added.stdout.splitlines() if "shown once" in line).rsplit(": ", 1)[1]
    log = _server_log(logging_server)
    assert f"ALTER ROLE {role} PASSWORD 'SCRAM-SHA-256$" in log  # the statement was logged: the test bites
    assert password not in log
    assert _stored_verifier(logging_server, role).startswith("SCRAM-SHA-256$4096:")
    # The agent connects over TCP (pg_hba: scram-sha-256) with the password, and only with it.
    with psycopg.connect(
        host="127.0.0.1", port=logging_server.port, user=role, password=password, dbname="team"
    ) as connection:
        assert connection.execute("SELECT current_user").fetchone() == (role,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(host="127.0.0.1", port=logging_server.port, user=role, password="x" + password)
    # A new password (add-agent again) replaces the old one, again without reaching the log.
    again = dialdesk(tmp_path, "--db", admin, "team", "add-agent", role, *flags)
    assert again.returncode == 0, again.stderr
    renewed = next(line for line in again.stdout.splitlines() if "shown once" in line).rsplit(": ", 1)[1]
    assert renewed != password and renewed not in _server_log(logging_server)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host="127.0.0.1", port=logging_server.port, user=role, password=password, dbname="team"
        )
