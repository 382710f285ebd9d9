"""The dialect's ``INSERT ... ON CONFLICT``: SQLite and PostgreSQL both have it."""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_for"]


def insert_for(connection: Connection, table: Table):  # noqa: ANN201 (dialect Insert types differ)
    """An insert on ``table`` that supports ``on_conflict_do_*`` on this connection's dialect.

    Raises:
        NotImplementedError: on a database other than SQLite or PostgreSQL.
    """
    name = connection.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {name}")
