"""Team mode's driver from an installed copy: the system libpq, or one line naming the package to install.

The Linux bundle ships psycopg's pure-Python implementation, which loads the system's libpq (the
.deb recommends libpq5). "Without libpq" is made real, not faked: the command runs in its own mount
namespace where every libpq file of the system is covered by an empty one, so the dynamic loader
finds nothing to load, as on a machine without libpq5.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from desktop.storage.drivers import LIBPQ_PACKAGE, TEAM_EXTRA, driver_advice
from tests.packaging.conftest import REPO
from tests.packaging.test_installer_files import project_version
from tests.postgres_support import PostgresServer

BUNDLE = REPO / "dist" / "dialdesk" / "dialdesk"
TEAM_URL = "postgresql+psycopg://agent@db.example.invalid/team"


def system_libpq_files() -> list[str]:
    """Every libpq file the dynamic loader knows of (its cache), with the files its links point to."""
    listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found = {match.group(1) for match in re.finditer(r"libpq\.so[^ ]* .*=> (\S+)", listing)}
    return sorted(found | {os.path.realpath(path) for path in found})


def without_libpq(command: list[str]) -> list[str]:
    """`command` run where the system's libpq files are empty (a private mount namespace)."""
    files = system_libpq_files()
    if not files:
        return command  # no libpq on this machine at all: nothing to hide
    mounts = " && ".join(f"mount --bind /dev/null {path}" for path in files)
    unshare = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--mount", "--map-root-user"]
    trial = subprocess.run([*unshare, "sh", "-c", mounts], capture_output=True, text=True)
    if trial.returncode != 0:
        message = f"cannot hide libpq in a mount namespace here: {trial.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI runs as root)")
        pytest.skip(message)
    return [*unshare, "sh", "-c", f'{mounts} && exec "$@"', "without-libpq", *command]


def one_clean_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr.strip()


def test_a_missing_libpq_is_named_with_its_package() -> None:
    advice = driver_advice(make_url(TEAM_URL), ImportError("no pq wrapper available.\nAttempts made:\n- …"))
    assert "\n" not in advice and advice.endswith(f"sudo apt-get install {LIBPQ_PACKAGE}")
    elsewhere = driver_advice(make_url(TEAM_URL), ImportError("no pq wrapper"), platform="darwin")
    assert "apt-get" not in elsewhere and elsewhere.endswith("pip install 'psycopg[binary]'")


def test_a_missing_driver_is_named_with_the_extra_that_brings_it() -> None:
    advice = driver_advice(
        make_url(TEAM_URL), ModuleNotFoundError("No module named 'psycopg'", name="psycopg")
    )
    assert advice.endswith(TEAM_EXTRA)
    other = driver_advice(
        make_url("mysql+pymysql://a@b/c"), ModuleNotFoundError("No module named 'pymysql'", name="pymysql")
    )
    assert other == "its driver pymysql is not installed: pip install pymysql"


def test_another_import_failure_keeps_its_first_line_only() -> None:
    advice = driver_advice(make_url("mysql+pymysql://a@b/c"), ImportError("first line\nsecond line"))
    assert advice == "its driver pymysql did not load: first line"


def run_cli(command: list[str], home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **extra}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_the_venv_without_libpq_says_which_package_to_install(tmp_path: Path) -> None:
    """psycopg's pure-Python implementation (the one the bundle ships), with no libpq on the machine."""
    command = [sys.executable, "-m", "desktop", "--db", TEAM_URL, "queue"]
    done = run_cli(without_libpq(command), tmp_path, PSYCOPG_IMPL="python")
    assert one_clean_line(done).endswith(
        f"needs the client library libpq, which was not found: sudo apt-get install {LIBPQ_PACKAGE}"
    )


def test_an_install_without_psycopg_names_the_team_extra(tmp_path: Path) -> None:
    """A wheel installed without the `team` extra: psycopg cannot be imported at all."""
    code = "import sys; sys.modules['psycopg'] = None; from desktop.cli import main; sys.exit(main())"
    done = run_cli([sys.executable, "-c", code, "--db", TEAM_URL, "queue"], tmp_path)
    assert one_clean_line(done).endswith(TEAM_EXTRA)


@pytest.fixture
def bundle() -> Path:
    if not BUNDLE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"needs the bundle in {BUNDLE.parent} (make test builds it first)")
        pytest.skip(f"needs the bundle in {BUNDLE.parent}: run `make bundle`")
    return BUNDLE


@pytest.mark.slow
def test_the_bundle_without_libpq_says_which_package_to_install(bundle: Path, tmp_path: Path) -> None:
    done = run_cli(without_libpq([str(bundle), "--db", TEAM_URL, "queue"]), tmp_path)
    assert one_clean_line(done).endswith(f"sudo apt-get install {LIBPQ_PACKAGE}")
    assert list(tmp_path.rglob("*.db")) == []  # no SQLite database made up on the way


@pytest.mark.slow
@pytest.mark.postgresql
def test_the_bundle_works_in_team_mode_with_the_system_libpq(
    bundle: Path, tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """No libpq of its own: psycopg's pure-Python implementation, the system's libpq5, a real server."""
    assert not list(bundle.parent.rglob("*libpq*")) and not list(bundle.parent.rglob("psycopg_binary*"))
    sample = bundle.parent / "_internal" / "desktop" / "_resources" / "samples" / "leads-sample.csv"
    with postgres_server.database() as url:
        imported = run_cli([str(bundle), "--db", url, "leads", "import", str(sample)], tmp_path)
        assert imported.returncode == 0 and "Imported" in imported.stdout, imported.stderr
        queued = run_cli([str(bundle), "--db", url, "queue"], tmp_path)
        assert "20 leads in the queue" in queued.stdout, queued.stderr
    assert run_cli([str(bundle), "--version"], tmp_path).stdout.strip() == f"dialdesk {project_version()}"
