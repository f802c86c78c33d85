"""Dialdesk: a desktop calling workstation for people who cold-call for a living."""

from __future__ import annotations

APP_NAME = "Dialdesk"
DISTRIBUTION = "dialdesk"


def _installed_version() -> str:
    """The version in pyproject.toml, as installed (wheel, editable install or bundle metadata)."""
    found = _metadata_version()
    if found is not None:
        return found
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"  # run from a source tree that was never installed


def _metadata_version() -> str | None:
    """The `Version:` of the first `dialdesk-*.dist-info/METADATA` on sys.path, as importlib.metadata
    finds it, read without importing it (its email and zip machinery cost every command ~30 ms)."""
    import os
    import sys

    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.lower().startswith(DISTRIBUTION + "-") and name.endswith(".dist-info"):
                try:
                    with open(os.path.join(entry, name, "METADATA"), encoding="utf-8") as metadata:
                        for line in metadata:
                            if line.startswith("Version:"):
                                return line.partition(":")[2].strip()
                            if not line.strip():
                                break  # the headers end at the first empty line
                except OSError:
                    continue
    return None


def __getattr__(name: str) -> str:
    # Looked up on first use only: reading the installed metadata costs a scan of sys.path.
    if name == "__version__":
        found = _installed_version()
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module 'desktop' has no attribute {name!r}")
