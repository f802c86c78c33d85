"""Build glue that pyproject.toml cannot say: the top-level data folders become package data.

`resources/` and `migrations/` stay at the top of the repository (the design card's layout); here
they are mapped into the package as `desktop._resources` and `desktop._migrations`, which
`desktop.paths` reads through importlib.resources — the same in an editable install, a wheel and
the PyInstaller bundle. Every folder under them is listed, so a new data folder ships without a
change here; only the file kinds below ship (no caches). The rest of the build is in pyproject.toml.
"""

from pathlib import Path

from setuptools import find_packages, setup

DATA_PACKAGES = {"desktop._resources": "resources", "desktop._migrations": "migrations"}
DATA_FILES = [
    *("*.py", "*.mako", "*.md"),  # migrations
    *("*.json", "*.toml", "*.csv", "*.yaml"),  # rules, area codes, samples, scripts
    *("*.svg", "*.png", "*.ico", "*.xml"),  # icons
]


def data_packages() -> list[str]:
    """Each data folder and every folder below it, as dotted package names."""
    found = []
    for package, folder in DATA_PACKAGES.items():
        root = Path(__file__).parent / folder
        for path in sorted([root, *root.rglob("*")]):
            if path.is_dir() and "__pycache__" not in path.parts:
                found.append(".".join([package, *path.relative_to(root).parts]))
    return found


setup(
    packages=[*find_packages(include=["desktop", "desktop.*"]), *data_packages()],
    package_dir=DATA_PACKAGES,
    package_data={package: DATA_FILES for package in data_packages()},
)
