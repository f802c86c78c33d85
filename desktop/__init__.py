"""Dialdesk: a desktop calling workstation for people who cold-call for a living."""

from __future__ import annotations

APP_NAME = "Dialdesk"
DISTRIBUTION = "dialdesk"


def _installed_version() -> str:
    """The version in pyproject.toml, as installed (wheel, editable install or bundle metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"  # run from a source tree that was never installed


def __getattr__(name: str) -> str:
    # Looked up on first use only: reading the installed metadata costs a scan of sys.path.
    if name == "__version__":
        found = _installed_version()
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module 'desktop' has no attribute {name!r}")
