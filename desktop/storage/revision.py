"""Developer tool: autogenerate an Alembic revision from the models.

Usage: `python -m desktop.storage.revision MESSAGE`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from desktop.storage.engine import make_engine
from desktop.storage.migrate import alembic_config, upgrade


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m desktop.storage.revision MESSAGE", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine("sqlite:///" + str(Path(folder) / "scratch.db"))
        if any((Path(alembic_config().get_main_option("script_location") or "") / "versions").glob("*.py")):
            upgrade(engine)
        command.revision(alembic_config(engine), message=" ".join(argv), autogenerate=True)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
