"""The DAG folder loads cleanly and cheaply, and each DAG carries its documentation."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.airflow


def test_every_dag_file_imports_without_errors(dag_bag):
    assert dag_bag.import_errors == {}
    assert {"trident_inbox", "trident_response_times"} <= set(dag_bag.dags)


def test_every_dag_has_docs_tags_and_a_real_interval(dag_bag):
    for dag_id, dag in dag_bag.dags.items():
        assert dag.doc_md, dag_id
        assert "trident" in dag.tags, dag_id
    inbox = dag_bag.dags["trident_inbox"]
    assert type(inbox.timetable).__name__ == "CronDataIntervalTimetable"


def test_the_hourly_dag_has_one_pull_per_platform_in_its_own_pool(dag_bag):
    inbox = dag_bag.dags["trident_inbox"]
    pulls = {task.task_id: task.pool for task in inbox.tasks if task.task_id.startswith("pull_")}
    assert pulls == {
        "pull_x": "trident_x",
        "pull_bluesky": "trident_bluesky",
        "pull_facebook": "trident_facebook",
    }


# Airflow itself reads the provider info (connection types) through the package's entry point.
PROVIDER_INFO = {
    "trident_pipeline",
    "trident_pipeline.orchestration",
    "trident_pipeline.orchestration.connection_types",
}
DAG_FILES = sorted(path.name for path in (Path(__file__).parents[2] / "dags").glob("*.py"))


@pytest.mark.parametrize("dag_file", DAG_FILES)
def test_a_dag_file_parses_in_well_under_a_second(project_root, dag_file):
    """Parse cost is the DAG file's own work, with airflow.sdk already imported as in the
    DAG processor; the library is imported inside tasks only."""
    script = (
        f"PROVIDER_INFO = {sorted(PROVIDER_INFO)!r}\n"
        "import runpy, time, airflow.sdk\n"
        "start = time.perf_counter()\n"
        f"runpy.run_path({str(project_root / 'dags' / dag_file)!r})\n"
        "print(time.perf_counter() - start)\n"
        "import sys\n"
        "print(sorted(m for m in sys.modules if m.startswith('trident_pipeline')\n"
        "             and m not in PROVIDER_INFO))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert float(output[-2]) < 0.5
    assert output[-1] == "[]", "the DAG file imported the library at parse time"
