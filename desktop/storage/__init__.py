"""Persistence: SQLAlchemy 2.x models, the engine with its pragmas, the unit of work, repositories."""
