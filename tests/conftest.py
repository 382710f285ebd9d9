"""Shared fixtures: an isolated Airflow home, and the store on SQLite and (when set) PostgreSQL.

Airflow reads its configuration when first imported, so the environment is set here, before
any test module imports it.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="trident-airflow-"))
_PROJECT = Path(__file__).resolve().parents[1]
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(_PROJECT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(_PROJECT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
        "TRIDENT_CONFIG_DIR": str(_PROJECT / "config"),
        "TRIDENT_HOME": str(_AIRFLOW_HOME / "trident"),
    }
)
os.environ.pop("AIRFLOW_CONN_TRIDENT_STORE", None)

POSTGRES_URL = os.environ.get("TRIDENT_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository's root folder."""
    return _PROJECT


def _postgres_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not POSTGRES_URL, reason="TRIDENT_TEST_DATABASE_URL not set"),
            ],
        ),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh schema in the test PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    from trident_pipeline.store import connect

    schema = f"trident_test_{uuid.uuid4().hex[:12]}"
    admin = connect(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated store on each database under test."""
    from trident_pipeline.store import connect, migrate

    store = connect(database_url)
    migrate(store)
    yield store
    store.dispose()
