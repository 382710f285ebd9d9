"""Who is asking, and what they may do on the operators' pages.

Four permissions, from least to most:

- ``READ``: see the pages, with personal data redacted (the Executive Board, auditors);
- ``ACT``: mark items, link and unlink accounts, retry CRM deliveries (the Communications
  Officer);
- ``DECIDE``: overrule a strike on appeal, review a block (the Communications Manager);
- ``PERSONAL_DATA``: see what residents wrote and their handles, not only the redacted text.

The web app asks an :class:`Access` for the :class:`Operator` behind each request; Airflow's
auth manager answers in production (:mod:`trident_pipeline.orchestration.ui_access`).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request

__all__ = [
    "Access",
    "Forbidden",
    "NotSignedIn",
    "Operator",
    "OperatorDep",
    "Permission",
    "current_operator",
    "requires",
]


class Permission(enum.StrEnum):
    """What an operator may do on the pages."""

    READ = "read"
    ACT = "act"
    DECIDE = "decide"
    PERSONAL_DATA = "personal_data"


class NotSignedIn(Exception):
    """The request carries no valid Airflow session or token."""

    def __init__(self, login_url: str) -> None:
        super().__init__("sign in to Airflow first")
        self.login_url = login_url


class Forbidden(Exception):
    """The operator's role does not allow this."""


@dataclass(frozen=True, slots=True)
class Operator:
    """A signed-in Airflow user: their login and what their role allows."""

    login: str
    permissions: frozenset[Permission]

    def may(self, permission: Permission) -> bool:
        """Whether the operator's role allows ``permission``."""
        return permission in self.permissions


class Access(Protocol):
    """Finds the operator behind a request.

    Raises:
        NotSignedIn: when the request carries no valid session or token.
    """

    def __call__(self, request: Request) -> Awaitable[Operator]: ...


async def current_operator(request: Request) -> Operator:
    """The signed-in operator, who must at least be allowed to read the pages.

    Raises:
        NotSignedIn: when nobody is signed in.
        Forbidden: when the operator may not read the pages.
    """
    operator = await request.app.state.access(request)
    if not operator.may(Permission.READ):
        raise Forbidden("your Airflow role may not see the Trident pages")
    request.state.operator = operator
    return operator


OperatorDep = Annotated[Operator, Depends(current_operator)]


def requires(permission: Permission) -> Callable[[Operator], Awaitable[Operator]]:
    """A dependency: the operator, who must be allowed ``permission``.

    Raises:
        Forbidden: when the operator's role does not allow it.
    """

    async def dependency(operator: OperatorDep) -> Operator:
        if not operator.may(permission):
            raise Forbidden(_REFUSALS[permission])
        return operator

    return dependency


_REFUSALS = {
    Permission.READ: "your Airflow role may not see the Trident pages",
    Permission.ACT: "your Airflow role may only read these pages",
    Permission.DECIDE: "only a manager's Airflow role may decide appeals and block reviews",
    Permission.PERSONAL_DATA: "your Airflow role may not see personal data",
}
