"""The subcommands of `dialdesk`, one module per area; each has `register(subparsers)`.

A module's `register` adds its parsers and sets `handler=function(workspace, args) -> exit code`
on each. `desktop.cli` lists the modules in `COMMAND_MODULES`.
"""
