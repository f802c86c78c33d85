"""`python -m desktop` runs the same command line as `dialdesk`."""

from desktop.cli import main

# Guarded: worker processes started with "spawn" import the main module again.
if __name__ == "__main__":
    raise SystemExit(main())
