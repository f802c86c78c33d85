"""Private copies left by a merge or restore that was killed: removed at the next start of any command.

Its own small module so every start (`dialdesk check` included) can clean up without importing the
workspace and the ORM that `desktop.services.failures` brings.
"""

from __future__ import annotations

from desktop.storage.untrusted import clean_stale_scratch

__all__ = ["clean_stale_scratch"]
