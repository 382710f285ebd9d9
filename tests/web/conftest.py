"""The operators' pages as Airflow serves them: Airflow's own API server with this project's
plugin, its SimpleAuthManager with a user per role, and the Trident store holding the bundled
sample inbox after an hourly run.

The store is built once per session the way the hourly DAG builds it (replayed pulls,
screening, the three-strike policy with the sample moderators, customer records, response
matching and CRM delivery), without running Airflow, and with the sample resident's three
accounts linked as ``make run`` links them. Every test starts from a fresh copy of it, so a
test may act on the pages freely. The pages' clock is frozen at :data:`NOW`.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select

from trident_pipeline.domain.models import Platform
from trident_pipeline.domain.residents import AccountRef

NOW = datetime(2026, 4, 8, 9, tzinfo=timezone.utc)
"""The pages' time: the morning after the sample inbox ends (Wednesday 8 April 2026)."""
SAMPLE_START = datetime(2026, 3, 23, tzinfo=timezone.utc)
SAMPLE_END = datetime(2026, 4, 8, tzinfo=timezone.utc)
SAMPLE_CONTACT = "SAMPLE-DECLAN-MARSH"
SAMPLE_ACCOUNTS = (
    AccountRef(Platform.X, "8841376628802829077"),
    AccountRef(Platform.BLUESKY, "did:plc:nsbvfrrwtueuidr46j3ofqya"),
    AccountRef(Platform.FACEBOOK, "2648183334707194"),
)
"""The sample resident's accounts, linked as the Makefile's ``SAMPLE_LINKS`` links them."""
SAMPLE_PERSONAL_DATA = ("decmarsh88", "decmarsh.bsky.social", "Declan Marsh", "07700 900777")
"""What the sample resident wrote or is called: never shown to a role without personal data."""

ROLES = {"sam": "op", "priya": "user", "board": "viewer", "alex": "op", "olly": "op"}
"""SimpleAuthManager users: sam (the manager Sam), priya (the officer Priya), board (the
Executive Board), alex (the officer Alex, given the Op role), olly (an Op not in staff.yaml)."""


@dataclass
class Pages:
    """Airflow's API server with the operators' pages mounted, and the store behind them."""

    client: object
    services: object
    tokens: Mapping[str, str]
    now: datetime = NOW
    contact: str = SAMPLE_CONTACT
    accounts: tuple[AccountRef, ...] = SAMPLE_ACCOUNTS
    personal_data: tuple[str, ...] = SAMPLE_PERSONAL_DATA

    @property
    def store(self) -> Engine:
        """The store the pages read and write."""
        return self.services.engine

    def headers(self, user: str | None, **extra: str) -> dict[str, str]:
        """Request headers signed in as ``user`` (a bearer token), or anonymous for ``None``."""
        signed = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return signed | extra

    def get(self, path: str, user: str | None, **params: str):
        """GET ``/trident<path>`` as ``user``; redirects are not followed."""
        return self.client.get(
            f"/trident{path}", params=params, headers=self.headers(user), follow_redirects=False
        )

    def post(self, path: str, user: str | None, data=None, **headers: str):
        """POST a form to ``/trident<path>`` as ``user``; redirects are not followed."""
        return self.client.post(
            f"/trident{path}",
            data=data or {},
            headers=self.headers(user, **headers),
            follow_redirects=False,
        )

    def set_clock(self, moment: datetime) -> None:
        """Move the pages' clock to ``moment``."""
        self.services.now = lambda: moment

    @staticmethod
    def hrefs(html: str, pattern: str) -> list[str]:
        """Every ``href`` in ``html`` that matches ``pattern``."""
        return [h for h in re.findall(r'href="([^"]+)"', html) if re.search(pattern, h)]

    def rows(self, table, *where):
        """Every row of ``table`` matching ``where``, in primary-key order."""
        with self.store.connect() as connection:
            return connection.execute(
                select(table).where(*where).order_by(*table.primary_key)
            ).all()


def build_sample_store(url: str) -> None:
    """The sample inbox after one hourly run over its whole window, as ``make run`` leaves it."""
    from trident_pipeline.account_links import set_link
    from trident_pipeline.config import StaffConfig, read_config
    from trident_pipeline.config.policy import PolicyConfig, screening_context
    from trident_pipeline.config.service import ServiceConfig
    from trident_pipeline.config.strikes import EnforcementSettings
    from trident_pipeline.crm import outbox
    from trident_pipeline.crm.embedded import EmbeddedCustomerRecords
    from trident_pipeline.customer_records import record_communications
    from trident_pipeline.domain.screening import Screener
    from trident_pipeline.enforcement import Enforcement
    from trident_pipeline.ingest import plan_pull, pull
    from trident_pipeline.response_times import match_responses
    from trident_pipeline.screen_inbox import screen_new_items
    from trident_pipeline.sources.replay import ReplaySource
    from trident_pipeline.sources.sample_moderator import sample_moderators
    from trident_pipeline.store import connect, migrate

    engine = connect(url)
    migrate(engine)
    for account in SAMPLE_ACCOUNTS:
        set_link(engine, account, SAMPLE_CONTACT, "make run", SAMPLE_START)
    plan = plan_pull(
        interval_start=SAMPLE_START,
        interval_end=SAMPLE_END,
        is_backfill=False,
        window_start=SAMPLE_START,
        window_end=SAMPLE_END,
    )
    for platform in Platform:
        pull(ReplaySource(platform), engine, plan, run_id="sample", clock=lambda: SAMPLE_END)
    policy = read_config("policy.yaml", PolicyConfig)
    staff = read_config("staff.yaml", StaffConfig)
    screen_new_items(
        engine,
        Screener.load(screening_context(policy, staff)),
        policy.screening_policy(),
        version="web-tests",
        clock=lambda: SAMPLE_END,
    )
    crm = EmbeddedCustomerRecords(engine, clock=lambda: SAMPLE_END)
    enforcement = Enforcement(
        engine, EnforcementSettings.load(), sample_moderators(engine), outbox.enqueue
    )
    enforcement.run(at=SAMPLE_END, now=SAMPLE_END, find_contact=crm.find_contact)
    record_communications(engine, SAMPLE_START, SAMPLE_END, SAMPLE_END)
    service = read_config("service.yaml", ServiceConfig)
    match_responses(engine, service.response_matcher(staff), SAMPLE_START, SAMPLE_END)
    outbox.deliver(engine, crm, SAMPLE_END, batch=10_000)
    engine.dispose()


@pytest.fixture(scope="session")
def sample_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the sample store; tests never write to it."""
    path = tmp_path_factory.mktemp("sample-store") / "trident.sqlite"
    build_sample_store(f"sqlite:///{path}")
    return path


def _migrated_metadata_database() -> None:
    """Airflow's metadata database (the test session's SQLite file), created when missing:
    tokens are checked against its revoked tokens, Required Actions are read from it."""
    from airflow import settings
    from airflow.utils.db import initdb

    if "alembic_version" not in inspect(settings.engine).get_table_names():
        initdb()


@pytest.fixture(scope="session")
def airflow_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    """Airflow's API server as ``airflow api-server`` builds it, with this project's plugins
    folder; the Trident store under a session ``TRIDENT_HOME``; a token for each of
    :data:`ROLES`."""
    from airflow.api_fastapi.app import create_app, get_auth_manager, purge_cached_app
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient
    from starlette.routing import Mount

    home = tmp_path_factory.mktemp("trident-home")
    users = ",".join(f"{name}:{role}" for name, role in ROLES.items())
    # Read while the app is built and the store first opened; other tests keep their own.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRIDENT_HOME", str(home))
        patch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", users)
        patch.setenv(
            "AIRFLOW__CORE__AUTH_MANAGER",
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        )
        _migrated_metadata_database()
        app = create_app()
        mounted = [r.app for r in app.routes if isinstance(r, Mount) and r.path == "/trident"]
        assert mounted, "the trident_pages plugin was not mounted at /trident"
        services = mounted[0].state.services
        # The plugin's services open the store on first use; one opened earlier in this
        # process would be another TRIDENT_HOME's.
        services.__dict__.pop("engine", None)
        assert Path(services.engine.url.database) == home / "trident.sqlite"
    manager = get_auth_manager()
    tokens = {
        name: manager.generate_jwt(SimpleAuthManagerUser(username=name, role=role))
        for name, role in ROLES.items()
    }
    clock = services.now
    services.now = lambda: NOW
    client = TestClient(app, base_url="http://testserver")
    try:
        yield Pages(client, services, tokens)
    finally:
        client.close()
        services.now = clock
        services.engine.dispose()
        services.__dict__.pop("engine", None)
        purge_cached_app()


@pytest.fixture
def pages(airflow_pages: Pages, sample_store_file: Path) -> Iterator[Pages]:
    """The pages over a fresh copy of the sample store, at :data:`NOW`."""
    store = airflow_pages.store
    store.dispose()
    source, target = sqlite3.connect(sample_store_file), sqlite3.connect(store.url.database)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    airflow_pages.set_clock(NOW)
    yield airflow_pages
    store.dispose()


@pytest.fixture
def approval_task(airflow_pages: Pages) -> Iterator:
    """Puts, in Airflow's metadata database, a ``trident_block`` run whose
    ``pending_approvals`` returned the given event ids and whose ``approval.ask`` task for
    each waits for an answer under Required Actions (a Human-in-the-loop detail with no
    response); returns the run id. Removed again after the test."""
    from airflow.models.dagrun import DagRun
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import delete, insert

    run_id = "asset_triggered__2026-04-08T09:00:00+00:00"
    dag_id = "trident_block"

    def task(session, task_id: str, map_index: int, state: str) -> uuid.UUID:
        ti_id = uuid.uuid4()
        session.execute(
            insert(TaskInstance.__table__).values(
                id=ti_id,
                dag_id=dag_id,
                task_id=task_id,
                run_id=run_id,
                map_index=map_index,
                try_number=1,
                pool="default_pool",
                queue="default",
                state=state,
            )
        )
        return ti_id

    def start(event_ids: list[int]) -> str:
        with create_session() as session:
            session.execute(
                insert(DagRun.__table__).values(
                    dag_id=dag_id,
                    run_id=run_id,
                    run_type="asset_triggered",
                    state="running",
                    logical_date=NOW,
                    run_after=NOW,
                )
            )
            task(session, "pending_approvals", -1, "success")
            XComModel.set(
                "return_value",
                event_ids,
                dag_id=dag_id,
                task_id="pending_approvals",
                run_id=run_id,
                session=session,
            )
            for index in range(len(event_ids)):
                session.add(
                    HITLDetail(
                        ti_id=task(session, "approval.ask", index, "deferred"),
                        options=["Approve", "Reject"],
                        subject="Approve?",
                        params={},
                    )
                )
        return run_id

    yield start
    with create_session() as session:
        rows = select(TaskInstance.id).where(TaskInstance.run_id == run_id)
        session.execute(delete(HITLDetail).where(HITLDetail.ti_id.in_(rows)))
        session.execute(delete(XComModel).where(XComModel.run_id == run_id))
        session.execute(delete(TaskInstance).where(TaskInstance.run_id == run_id))
        session.execute(delete(DagRun).where(DagRun.run_id == run_id))
