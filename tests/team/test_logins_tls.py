"""Team logins on a real server over TCP: passwords in the keyring (never in a URL, an output or the
log), TLS required and honoured, and a server that is away, without TLS or refusing the password
said in one line (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli import PYTHON
from tests.keyring_support import file_keyring_env
from tests.team.tcp_server import TcpServer, free_port, running_tcp_server
from tests.team.team_support import business_list

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def tls_server() -> Iterator[TcpServer]:
    with running_tcp_server(tls=True) as server:
        server.admin("CREATE DATABASE team")
        yield server


@pytest.fixture(scope="module")
def plain_server() -> Iterator[TcpServer]:
    with running_tcp_server(tls=False) as server:
        server.admin("CREATE DATABASE team")
        yield server


def dialdesk(
    tmp_path: Path, *args: str, stdin: str = "", db: str | None = None, keyring: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`dialdesk` as a person runs it, its keyring in a file of the test (or the `keyring` backend
    named), its log in the test's folder."""
    env = {
        **os.environ,
        **file_keyring_env(tmp_path / "keyring.json"),
        "DIALDESK_DB": "",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    if keyring is not None:
        env["PYTHON_KEYRING_BACKEND"] = keyring
    command = [PYTHON, "-m", "desktop", *(["--db", db] if db else []), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=120)


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def new_agent(server: TcpServer, tmp_path: Path, name: str) -> str:
    """`team init` (once) and `team add-agent NAME` as the admin: the password printed once."""
    admin = server.socket_url("team")
    assert dialdesk(tmp_path, "team", "init", admin).returncode == 0
    added = dialdesk(tmp_path, "--db", admin, "team", "add-agent", name)
    assert added.returncode == 0, added.stderr
    line = next(line for line in added.stdout.splitlines() if "shown once" in line)
    return line.rsplit(": ", 1)[1]


def test_login_keeps_the_password_in_the_keyring_and_the_agent_works_over_tls(
    tls_server: TcpServer, tmp_path: Path
) -> None:
    password = new_agent(tls_server, tmp_path, "ann_tls")
    url = tls_server.tcp_url("team", "ann_tls")
    # Before login: no password anywhere, the server refuses, and says what to do.
    one_line_error(dialdesk(tmp_path, "--require-tls", "queue", "--json", db=url), "team login")
    wrong = dialdesk(tmp_path, "team", "login", url, "--password-stdin", stdin="not-it\n")
    one_line_error(wrong, "refused that password")
    assert not (tmp_path / "keyring.json").exists()
    logged = dialdesk(
        tmp_path, "--require-tls", "team", "login", url, "--password-stdin", stdin=password + "\n"
    )
    assert logged.returncode == 0, logged.stderr
    stored = json.loads((tmp_path / "keyring.json").read_text())
    assert stored == {f"dialdesk-team\npostgresql://ann_tls@127.0.0.1:{tls_server.port}/team": password}
    # Now the URL without a password connects, through TLS (the server only has a hostssl line).
    calls = business_list(tmp_path / "l.csv", 3)
    imported = dialdesk(tmp_path, "--require-tls", "leads", "import", str(calls))
    assert imported.returncode == 2  # no --db: the default local file, which is no team server
    outputs = [logged.stdout + logged.stderr]
    for args in (("leads", "import", str(tmp_path / "l.csv")), ("queue", "--json")):
        result = dialdesk(tmp_path, "--require-tls", *args, db=url)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout + result.stderr)
    assert len(json.loads(outputs[-1])) == 3
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "state").rglob("*") if p.is_file())
    for text in (*outputs, logs):
        assert password not in text
    # The same login with a URL that asks for certificate checks the server cannot pass is refused.
    unknown_root = str(tmp_path / "no-such-root.crt")
    strict = dialdesk(tmp_path, "queue", "--json", db=f"{url}?sslmode=verify-full&sslrootcert={unknown_root}")
    one_line_error(strict, "certificate")


def test_a_password_in_a_url_is_refused_not_stored(tls_server: TcpServer, tmp_path: Path) -> None:
    url = f"postgresql+psycopg://bob:secret-pw@127.0.0.1:{tls_server.port}/team"
    result = dialdesk(tmp_path, "team", "login", url, "--password-stdin", stdin="secret-pw\n")
    one_line_error(result, "no password in the URL")
    assert "secret-pw" not in result.stderr and not (tmp_path / "keyring.json").exists()


def test_tls_required_refuses_a_server_without_tls(plain_server: TcpServer, tmp_path: Path) -> None:
    password = new_agent(plain_server, tmp_path, "cy_plain")
    url = plain_server.tcp_url("team", "cy_plain")
    logged = dialdesk(tmp_path, "team", "login", url, "--password-stdin", stdin=password + "\n")
    assert logged.returncode == 0, logged.stderr  # the server and the password are fine …
    for refused in (
        dialdesk(tmp_path, "--require-tls", "queue", "--json", db=url),
        dialdesk(tmp_path, "queue", "--json", db=url + "?sslmode=require"),
        dialdesk(tmp_path, "queue", "--json", db=url + "?sslmode=verify-full"),
        dialdesk(tmp_path, "--require-tls", "team", "login", url, "--password-stdin", stdin=password + "\n"),
    ):
        one_line_error(refused, "does not offer TLS")  # … but TLS was asked for: nothing in clear text
    assert dialdesk(tmp_path, "queue", "--json", db=url).returncode == 0
    # A computer with no keyring: the login says so, and nothing is kept anywhere else.
    (tmp_path / "keyring.json").unlink()
    no_keyring = dialdesk(
        tmp_path,
        "team",
        "login",
        url,
        "--password-stdin",
        stdin=password + "\n",
        keyring="keyring.backends.fail.Keyring",
    )
    one_line_error(no_keyring, "not stored", "no system keyring")
    assert not (tmp_path / "keyring.json").exists()


def test_a_tls_only_server_says_so_to_a_client_without_tls(tls_server: TcpServer, tmp_path: Path) -> None:
    url = tls_server.tcp_url("team", "postgres", "sslmode=disable")
    one_line_error(dialdesk(tmp_path, "queue", "--json", db=url), "only TLS", "--require-tls")


def test_a_server_that_is_away_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://ann@127.0.0.1:{free_port()}/team"
    for args in (("queue", "--json"), ("team", "add-agent", "ann")):
        one_line_error(dialdesk(tmp_path, *args, db=url), "cannot be reached", "team checkout")
    one_line_error(dialdesk(tmp_path, "team", "init", url), "cannot be reached")
    one_line_error(dialdesk(tmp_path, "--require-tls", "queue", db=str(tmp_path / "x.db")), "server")


def test_an_admin_in_the_keyring_adds_an_agent_whose_password_is_kept_here(
    tls_server: TcpServer, tmp_path: Path
) -> None:
    """The admin logs in over TCP with TLS (their password in the keyring too); `add-agent --store`
    keeps the new agent's password in this computer's keyring, printed nowhere; the agent connects."""
    tls_server.admin("ALTER ROLE postgres PASSWORD 'admin-secret-1'")
    admin = tls_server.tcp_url("team", "postgres")
    assert dialdesk(tmp_path, "team", "init", tls_server.socket_url("team")).returncode == 0
    logged = dialdesk(
        tmp_path, "--require-tls", "team", "login", admin, "--password-stdin", stdin="admin-secret-1\n"
    )
    assert logged.returncode == 0, logged.stderr
    added = dialdesk(tmp_path, "--require-tls", "--db", admin, "team", "add-agent", "dee_kept", "--store")
    assert added.returncode == 0, added.stderr
    stored = json.loads((tmp_path / "keyring.json").read_text())
    key = f"dialdesk-team\npostgresql://dee_kept@127.0.0.1:{tls_server.port}/team"
    assert key in stored and stored[key] not in added.stdout + added.stderr
    works = dialdesk(tmp_path, "--require-tls", "queue", "--json", db=tls_server.tcp_url("team", "dee_kept"))
    assert works.returncode == 0, works.stderr
