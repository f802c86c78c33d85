"""Entry point of the frozen bundle: one executable for the window and every `dialdesk` command.

The bundle has no Python to run `python -m …`, yet the import's parse-ahead helper starts itself as
`sys.executable -m desktop.services.parse_ahead`: that form is served here, for Dialdesk's own
modules only, so the helper works the same frozen as installed.
"""

from __future__ import annotations

import runpy
import sys


def run() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "-m" and sys.argv[2].split(".")[0] == "desktop":
        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    from desktop.cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
