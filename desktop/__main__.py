"""`python -m desktop` runs the same command line as `dialdesk`."""

from desktop.cli import main

raise SystemExit(main())
