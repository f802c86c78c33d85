"""Render the main window to a PNG for the docs: `python packaging/screenshot.py OUT.png`.

Starts Dialdesk on a temporary database with the sample list imported and a little history (a few
attempts on the first lead and one call the gate refused), shows the window at 1366x768, a common laptop
screen (or --size WxH), and saves QWidget.grab(). Runs without a display (Qt's offscreen platform).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The agent sits in New York in the picture, whatever the machine that renders it (times in history).
os.environ["TZ"] = "America/New_York"
time.tzset()

# Tuesday 1 December 2026, 16:30 UTC: 11:30 in New York, inside everybody's calling hours but Hawaii's.
MOMENT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def prepare(workspace) -> None:  # type: ignore[no-untyped-def]
    """Sample list, names for the script, and some history on the first lead."""
    from desktop.services.calling import GateRefused

    settings = workspace.settings.load()
    settings.agent_name = "Sam Carter"
    settings.firm_name = "Harbor Advisors"
    workspace.save_settings(settings)
    workspace.imports.import_sample()
    clock = workspace.clock
    # Four earlier tries at 10:00 New York time on the previous days, so the counter says 5 of 18.
    for days, outcome in ((8, "no_answer"), (6, "busy"), (4, "voicemail"), (2, "gatekeeper")):
        clock.set(MOMENT.replace(hour=15, minute=0) - timedelta(days=days))
        call = workspace.calling.start_call(1)
        clock.advance(seconds=40 + 7 * days)
        workspace.calling.hang_up(call.attempt_id)
        workspace.calling.record_outcome(1, outcome, attempt_id=call.attempt_id)
    # One evening try the gate refused (21:30 in New York).
    clock.set(MOMENT.replace(hour=2, minute=30) - timedelta(days=1) + timedelta(days=1))
    try:
        workspace.calling.start_call(1)
    except GateRefused:
        pass
    workspace.leads.update_notes(
        1, "Owns two practices. Asked about 401(k) fees for 12 staff.\nBest after 11:00."
    )
    clock.set(MOMENT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--size", default="1366x768", type=parse_size, help="window size, WxH")
    args = parser.parse_args(argv)

    from desktop.services.clock import ManualClock
    from desktop.services.workspace import open_workspace
    from desktop.ui.app import make_application
    from desktop.ui.main_window import MainWindow

    app = make_application(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="dialdesk-shot-") as folder:
        # Closing the window saves its placement: into the temporary folder, not the user's settings.
        os.environ["XDG_CONFIG_HOME"] = folder
        workspace = open_workspace(str(Path(folder) / "dialdesk.db"), clock=ManualClock(MOMENT))
        try:
            prepare(workspace)
            window = MainWindow(workspace)
            window.resize(*args.size)
            window.show()
            window.show_lead(1)
            window.statusBar().clearMessage()
            for _ in range(5):
                app.processEvents()
            image = window.grab()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            if not image.save(str(args.out), "PNG"):
                print(f"screenshot: cannot write {args.out}", file=sys.stderr)
                return 1
            print(f"{args.out}: {image.width()}x{image.height()}")
            window.close()
        finally:
            workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
