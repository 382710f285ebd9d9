"""Connect to the store and bring its schema up to date.

The store is an embedded SQLite file by default, so ``make run`` needs nothing installed;
production points it at PostgreSQL with one URL (see the README, "PostgreSQL").
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

__all__ = ["connect", "default_database_url", "migrate"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def default_database_url() -> str:
    """The embedded store: ``$TRIDENT_HOME/trident.sqlite`` (``TRIDENT_HOME``: ``var``)."""
    home = Path(os.environ.get("TRIDENT_HOME", "var")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'trident.sqlite'}"


def connect(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout so parallel tasks can share it.

    Raises:
        sqlalchemy.exc.ArgumentError: when the URL is not a database URL SQLAlchemy knows.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(dbapi_connection, _record) -> None:  # noqa: ANN001 (DB-API objects)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied; doing it twice changes nothing.

    Raises:
        sqlalchemy.exc.OperationalError: when the database cannot be reached.
    """
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
