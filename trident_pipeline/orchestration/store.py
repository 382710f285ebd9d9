"""The store as Airflow tasks see it: its URL comes from the ``trident_store`` Connection."""

from __future__ import annotations

import logging

from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowNotFoundException
from sqlalchemy import URL, Engine

from trident_pipeline.store import connect, default_database_url

__all__ = ["STORE_CONNECTION_ID", "database_url", "store_engine"]

log = logging.getLogger(__name__)

STORE_CONNECTION_ID = "trident_store"


def database_url() -> str:
    """The ``trident_store`` Connection as a SQLAlchemy URL, else the embedded SQLite store.

    A ``postgres`` Connection (host, port, login, password, schema = database name) becomes a
    ``postgresql+psycopg`` URL. Without the Connection, the store is the embedded SQLite file
    under ``$TRIDENT_HOME``.

    Raises:
        ValueError: when the Connection is not of type ``postgres``.
    """
    try:
        connection = BaseHook.get_connection(STORE_CONNECTION_ID)
    except AirflowNotFoundException:
        log.debug("No %s Connection: using the embedded SQLite store", STORE_CONNECTION_ID)
        return default_database_url()
    if connection.conn_type not in {"postgres", "postgresql"}:
        raise ValueError(
            f"the {STORE_CONNECTION_ID} Connection must be of type postgres, "
            f"not {connection.conn_type}"
        )
    return URL.create(
        "postgresql+psycopg",
        username=connection.login or None,
        password=connection.password or None,
        host=connection.host or None,
        port=connection.port or None,
        database=connection.schema or None,
    ).render_as_string(hide_password=False)


def store_engine() -> Engine:
    """An engine on the configured store.

    Raises:
        ValueError: see :func:`database_url`.
    """
    return connect(database_url())
