"""Airflow's auth manager as the operators' pages' :class:`~trident_pipeline.web.access.Access`.

The pages are a FastAPI app mounted in Airflow's API server, which does not protect plugin
apps: every request is authenticated here with Airflow's own session cookie or bearer token
(``airflow.api_fastapi.core_api.security.get_user``), then each permission is asked of the auth
manager as a custom view, so a production auth manager (FAB, Keycloak) grants them by name:

============================  ===========  =============================
permission                    method       resource
============================  ===========  =============================
read the pages                ``GET``      ``Trident`` (and the Plugins view)
act (mark, link, retry)       ``POST``     ``Trident``
decide (appeals, reviews)     ``PUT``      ``Trident Decisions``
see personal data             ``GET``      ``Trident Personal Data``
============================  ===========  =============================

Airflow's SimpleAuthManager (``airflow standalone``, development only) grants every custom view
to every role, so with it the roles decide instead: Viewer reads, User acts and sees personal
data, Op and Admin also decide.
"""

from __future__ import annotations

from types import MappingProxyType

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.base_auth_manager import BaseAuthManager
from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import (
    SimpleAuthManager,
    SimpleAuthManagerRole,
)
from airflow.api_fastapi.core_api.security import bearer_scheme, get_user
from fastapi import HTTPException, Request, status

from trident_pipeline.web.access import Forbidden, NotSignedIn, Operator, Permission

__all__ = ["CUSTOM_VIEWS", "SIMPLE_ROLES", "airflow_operator"]

CUSTOM_VIEWS = MappingProxyType(
    {
        Permission.READ: ("GET", "Trident"),
        Permission.ACT: ("POST", "Trident"),
        Permission.DECIDE: ("PUT", "Trident Decisions"),
        Permission.PERSONAL_DATA: ("GET", "Trident Personal Data"),
    }
)
"""Each permission as the auth manager's custom view: (method, resource name)."""

SIMPLE_ROLES = MappingProxyType(
    {
        Permission.READ: SimpleAuthManagerRole.VIEWER,
        Permission.ACT: SimpleAuthManagerRole.USER,
        Permission.PERSONAL_DATA: SimpleAuthManagerRole.USER,
        Permission.DECIDE: SimpleAuthManagerRole.OP,
    }
)
"""The least SimpleAuthManager role that holds each permission."""


async def airflow_operator(request: Request) -> Operator:
    """The Airflow user behind ``request``, with the permissions their role holds.

    Raises:
        NotSignedIn: when the request has no valid session cookie or bearer token.
        Forbidden: when the token is not one Airflow issued.
    """
    try:
        user = await get_user(request, None, await bearer_scheme(request))
    except HTTPException as error:
        if error.status_code == status.HTTP_401_UNAUTHORIZED:
            raise NotSignedIn(get_auth_manager().get_url_login()) from None
        raise Forbidden("your Airflow session is not valid; sign in again") from None
    manager = get_auth_manager()
    held = frozenset(p for p in Permission if _holds(manager, user, p))
    if Permission.READ in held and not manager.is_authorized_view(
        access_view=AccessView.PLUGINS, user=user
    ):
        held = frozenset()
    return Operator(login=user.get_name(), permissions=held)


def _holds(manager: BaseAuthManager, user, permission: Permission) -> bool:  # noqa: ANN001
    if isinstance(manager, SimpleAuthManager):
        role = getattr(user, "role", None)
        if not role:
            return False
        return SimpleAuthManagerRole[role.upper()].order >= SIMPLE_ROLES[permission].order
    method, resource = CUSTOM_VIEWS[permission]
    return manager.is_authorized_custom_view(method=method, resource_name=resource, user=user)
