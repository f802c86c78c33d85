"""The Alembic scripts of Dialdesk's schema, installed as `desktop._migrations` (see desktop/paths.py)."""
