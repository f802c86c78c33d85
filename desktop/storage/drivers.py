"""What to install when a database URL's driver cannot be loaded: one line for the user, not a traceback.

Team mode (PostgreSQL) goes through psycopg 3. The wheel's `team` extra brings its binary build,
which carries its own libpq; the Linux bundle and .deb ship only psycopg's pure-Python part, which
loads the system's libpq (the .deb recommends libpq5). Without that library psycopg's import fails
with a many-line list of attempts: this names the package instead.
"""

from __future__ import annotations

import sys

from sqlalchemy.engine import URL

LIBPQ_PACKAGE = "libpq5"  # Debian/Ubuntu's PostgreSQL client library (packaging/linux/control.in)
TEAM_EXTRA = "pip install 'dialdesk[team]'"


def driver_advice(url: URL, error: ImportError, platform: str | None = None) -> str:
    """Why `url`'s driver did not load and what to install, in one line."""
    platform = platform or sys.platform
    driver = url.get_driver_name()
    if isinstance(error, ModuleNotFoundError) and error.name and error.name.split(".")[0] == driver:
        if driver == "psycopg":
            return f"PostgreSQL (team mode) needs the psycopg driver, which is not installed: {TEAM_EXTRA}"
        return f"its driver {driver} is not installed: pip install {driver}"
    if url.get_backend_name() == "postgresql" and driver == "psycopg":
        install = (
            f"sudo apt-get install {LIBPQ_PACKAGE}"
            if platform.startswith("linux")
            else "pip install 'psycopg[binary]'"
        )
        return f"PostgreSQL (team mode) needs the client library libpq, which was not found: {install}"
    # Some other import failure: its first line (psycopg-style messages run over several lines).
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"its driver {driver} did not load: {first_line}"
