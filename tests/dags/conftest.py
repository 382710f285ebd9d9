"""Fixtures for tests that run DAGs: a migrated Airflow metadata database and the DagBag."""

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Create the Airflow metadata database of this test session (SQLite, in a temp folder)."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)


@pytest.fixture
def dag_bag(project_root):
    """Every DAG of the project's dags/ folder, parsed afresh: ``dag.test`` keeps a run's conf
    in the DAG's params, so a DAG object must not be shared between tests."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(project_root / "dags"))


@pytest.fixture
def trident_home(tmp_path, monkeypatch) -> Path:
    """A fresh embedded store for one test."""
    monkeypatch.setenv("TRIDENT_HOME", str(tmp_path / "trident"))
    return tmp_path / "trident"
