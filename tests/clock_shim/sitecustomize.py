"""Pins the wall clock of a `python -m desktop` subprocess to $DIALDESK_TEST_NOW, for tests only.

Tests that run the real entry point (so that logging and error handling are set up as for a user)
put this folder on PYTHONPATH; Python imports `sitecustomize` at start-up, before `desktop.cli`.
libfaketime cannot serve here: under it Python 3.11's time.sleep() fails or never returns, and
`dialdesk call` sleeps while it follows a call. The product itself reads no such variable.
"""

import os
from datetime import datetime

_pinned = os.environ.get("DIALDESK_TEST_NOW")
if _pinned:
    from desktop.services import clock, workspace

    _now = datetime.fromisoformat(_pinned)

    def _pinned_clock() -> datetime:
        return _now

    clock.system_clock = _pinned_clock
    workspace.system_clock = _pinned_clock
