"""Who the operators' pages see behind a request, and what Airflow's auth manager lets them do:
with SimpleAuthManager the role decides; any other auth manager is asked for custom views."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from airflow.api_fastapi.auth.managers.base_auth_manager import BaseAuthManager
from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
from starlette.requests import Request

from trident_pipeline.orchestration.ui_access import CUSTOM_VIEWS, airflow_operator
from trident_pipeline.web.access import Forbidden, NotSignedIn, Permission

pytestmark = [
    pytest.mark.airflow,
    # Airflow's own development fallback: a generated JWT secret shorter than SHA-512 likes.
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]

READ, ACT, DECIDE, PERSONAL_DATA = (
    Permission.READ,
    Permission.ACT,
    Permission.DECIDE,
    Permission.PERSONAL_DATA,
)


@pytest.fixture(scope="module")
def metadata_db() -> None:
    """Airflow's metadata database, where tokens are checked against revoked ones."""
    from airflow import settings
    from airflow.utils.db import initdb
    from sqlalchemy import inspect

    if "alembic_version" not in inspect(settings.engine).get_table_names():
        initdb()


def request(*, token: str | None = None, cookie: str | None = None) -> Request:
    headers = []
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if cookie is not None:
        headers.append((b"cookie", f"_token={cookie}".encode()))
    return Request({"type": "http", "method": "GET", "path": "/trident/inbox", "headers": headers})


def operator_for(req: Request):
    # A thread of its own: the browser tests' Playwright keeps an event loop running in the
    # main thread for the whole session, and asyncio.run refuses to start beside it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, airflow_operator(req)).result()


# ----------------------------------------------------------------- SimpleAuthManager


@pytest.fixture
def simple(metadata_db, monkeypatch):
    from airflow.api_fastapi import app

    monkeypatch.setenv(
        "AIRFLOW__CORE__AUTH_MANAGER",
        "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
    )
    monkeypatch.setattr(app._AuthManagerState, "instance", None)
    return app.create_auth_manager()


@pytest.mark.parametrize(
    ("role", "held"),
    [
        ("viewer", {READ}),
        ("user", {READ, ACT, PERSONAL_DATA}),
        ("op", {READ, ACT, PERSONAL_DATA, DECIDE}),
        ("admin", {READ, ACT, PERSONAL_DATA, DECIDE}),
    ],
)
def test_with_simple_auth_manager_the_role_decides(simple, role, held):
    token = simple.generate_jwt(SimpleAuthManagerUser(username="someone", role=role))
    operator = operator_for(request(token=token))
    assert operator.login == "someone"
    assert operator.permissions == frozenset(held)


def test_a_user_without_a_role_may_do_nothing(simple):
    token = simple.generate_jwt(SimpleAuthManagerUser(username="nobody", role=None))
    assert operator_for(request(token=token)).permissions == frozenset()


def test_the_session_cookie_signs_in_as_the_browser_does(simple):
    token = simple.generate_jwt(SimpleAuthManagerUser(username="priya", role="user"))
    operator = operator_for(request(cookie=token))
    assert (operator.login, operator.may(ACT), operator.may(DECIDE)) == ("priya", True, False)


def test_no_session_asks_to_sign_in_at_airflows_login(simple):
    with pytest.raises(NotSignedIn) as refused:
        operator_for(request())
    assert refused.value.login_url == simple.get_url_login()


def test_a_token_airflow_did_not_issue_is_refused(simple):
    with pytest.raises(Forbidden, match="sign in again"):
        operator_for(request(token="forged.token.value"))


def test_an_expired_token_asks_to_sign_in_again(simple):
    token = simple.generate_jwt(
        SimpleAuthManagerUser(username="sam", role="op"), expiration_time_in_seconds=-3600
    )
    with pytest.raises(NotSignedIn):
        operator_for(request(token=token))


# ------------------------------------------------------------- another auth manager


class GrantsByName(BaseAuthManager[SimpleAuthManagerUser]):
    """An auth manager that grants each user the custom views named for them, and the
    Plugins view to those in ``plugin_viewers``; nothing else. It records what it is asked."""

    def __init__(self, grants: dict[str, set[tuple[str, str]]], plugin_viewers: set[str]):
        super().__init__()
        self.grants = grants
        self.plugin_viewers = plugin_viewers
        self.asked: list[tuple[str, str]] = []

    def deserialize_user(self, token: dict[str, Any]) -> SimpleAuthManagerUser:
        return SimpleAuthManagerUser(username=token["sub"], role=None)

    def serialize_user(self, user: SimpleAuthManagerUser) -> dict[str, Any]:
        return {"sub": user.username}

    def get_url_login(self, **kwargs) -> str:
        return "/sso/login"

    def is_authorized_custom_view(self, *, method, resource_name, user) -> bool:
        self.asked.append((method, resource_name))
        return (method, resource_name) in self.grants.get(user.username, set())

    def is_authorized_view(self, *, access_view, user) -> bool:
        return access_view is AccessView.PLUGINS and user.username in self.plugin_viewers

    def filter_authorized_menu_items(self, menu_items, *, user):
        return []

    def _refuse(self, **kwargs) -> bool:
        return False

    is_authorized_configuration = _refuse
    is_authorized_connection = _refuse
    is_authorized_dag = _refuse
    is_authorized_asset = _refuse
    is_authorized_asset_alias = _refuse
    is_authorized_pool = _refuse
    is_authorized_variable = _refuse


EVERY_VIEW = set(CUSTOM_VIEWS.values())


@pytest.fixture
def custom(metadata_db, monkeypatch):
    from airflow.api_fastapi import app

    manager = GrantsByName(
        grants={
            "auditor": {("GET", "Trident")},
            "officer": {("GET", "Trident"), ("POST", "Trident"), ("GET", "Trident Personal Data")},
            "manager": EVERY_VIEW,
            "outsider": EVERY_VIEW,
        },
        plugin_viewers={"auditor", "officer", "manager"},
    )
    monkeypatch.setattr(app._AuthManagerState, "instance", manager)
    return manager


@pytest.mark.parametrize(
    ("login", "held"),
    [
        ("auditor", {READ}),
        ("officer", {READ, ACT, PERSONAL_DATA}),
        ("manager", {READ, ACT, DECIDE, PERSONAL_DATA}),
    ],
)
def test_another_auth_manager_is_asked_for_each_permission_by_name(custom, login, held):
    token = custom.generate_jwt(SimpleAuthManagerUser(username=login, role=None))
    operator = operator_for(request(token=token))
    assert (operator.login, operator.permissions) == (login, frozenset(held))
    assert (
        set(custom.asked)
        == EVERY_VIEW
        == {
            ("GET", "Trident"),
            ("POST", "Trident"),
            ("PUT", "Trident Decisions"),
            ("GET", "Trident Personal Data"),
        }
    )


def test_without_the_plugins_view_nothing_is_allowed(custom):
    token = custom.generate_jwt(SimpleAuthManagerUser(username="outsider", role=None))
    assert operator_for(request(token=token)).permissions == frozenset()


def test_a_user_granted_nothing_may_do_nothing(custom):
    token = custom.generate_jwt(SimpleAuthManagerUser(username="stranger", role=None))
    assert operator_for(request(token=token)).permissions == frozenset()


def test_signing_in_goes_to_that_auth_managers_login(custom):
    with pytest.raises(NotSignedIn) as refused:
        operator_for(request())
    assert refused.value.login_url == "/sso/login"
