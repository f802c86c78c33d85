"""Dialdesk: a desktop calling workstation for people who cold-call for a living."""

__version__ = "0.1.0"
APP_NAME = "Dialdesk"
