"""Where each pending approval is answered: its task's Required Actions page in the Airflow UI.

The ``trident_block`` DAG maps one ``approval.ask`` task over the ids its ``pending_approvals``
task returned, so the approval of event ``ids[i]`` is the task with map index ``i`` of that
run. An approval whose task has not started yet (or was answered) gets the list of all open
Required Actions instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote

from airflow.models.hitl import HITLDetail
from airflow.models.taskinstance import TaskInstance
from airflow.models.xcom import XComModel
from airflow.utils.session import create_session
from sqlalchemy import select

__all__ = ["OPEN_REQUIRED_ACTIONS", "required_action_links"]

DAG_ID = "trident_block"
ASK_TASK = "approval.ask"
PENDING_TASK = "pending_approvals"
OPEN_REQUIRED_ACTIONS = "/required_actions?response_received=false"
"""The Airflow UI's list of Required Actions still waiting for an answer."""


def required_action_links(event_ids: Sequence[int]) -> Mapping[int, str]:
    """The Required Actions page of each of ``event_ids``' approval tasks, where one is
    waiting; every other id gets :data:`OPEN_REQUIRED_ACTIONS`.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when Airflow's metadata database cannot be read.
    """
    wanted = set(event_ids)
    links = dict.fromkeys(event_ids, OPEN_REQUIRED_ACTIONS)
    if not wanted:
        return links
    with create_session() as session:
        waiting = session.execute(
            select(TaskInstance.run_id, TaskInstance.map_index)
            .join(HITLDetail, HITLDetail.ti_id == TaskInstance.id)
            .where(
                TaskInstance.dag_id == DAG_ID,
                TaskInstance.task_id == ASK_TASK,
                HITLDetail.responded_at.is_(None),
            )
        ).all()
        asked: dict[str, list] = {}
        for run_id, map_index in waiting:
            if run_id not in asked:
                xcom = session.scalars(
                    XComModel.get_many(
                        run_id=run_id, key="return_value", dag_ids=DAG_ID, task_ids=PENDING_TASK
                    )
                ).first()
                value = XComModel.deserialize_value(xcom) if xcom is not None else []
                asked[run_id] = value if isinstance(value, list) else []
            ids = asked[run_id]
            if 0 <= map_index < len(ids) and ids[map_index] in wanted:
                links[ids[map_index]] = (
                    f"/dags/{DAG_ID}/runs/{quote(run_id, safe='')}/tasks/{ASK_TASK}"
                    f"/mapped/{map_index}/required_actions"
                )
    return links
