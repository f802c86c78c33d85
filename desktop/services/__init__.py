"""Use cases shared by the window and the command line; each takes a unit of work, none imports Qt."""
