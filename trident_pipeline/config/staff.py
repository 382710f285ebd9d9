"""``staff.yaml``: who answers for the organisation, how they sign, and staff who may be named."""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Responder", "Role", "StaffConfig"]


class Role(enum.StrEnum):
    """What a responder may do: a manager approves blocks (policy section 3)."""

    MANAGER = "manager"
    OFFICER = "officer"


class Responder(BaseModel):
    """A member of the Communications Team who replies on the corporate accounts.

    Replies are attributed to ``pseudonym``: the first name or agreed pseudonym they sign with.
    ``sign_offs`` are the exact forms that close their replies, such as ``^SB`` or ``- Sam``.
    ``login`` is their Airflow user name, so what they do on the operators' pages is recorded
    under their pseudonym.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pseudonym: str = Field(min_length=1)
    role: Role
    sign_offs: tuple[str, ...] = Field(min_length=1)
    full_name: str | None = None
    login: str | None = Field(default=None, min_length=1)


class StaffConfig(BaseModel):
    """Responders, plus other staff whose naming in a public post is a violation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    responders: tuple[Responder, ...] = Field(min_length=1)
    named_staff: tuple[str, ...] = ()

    @field_validator("responders")
    @classmethod
    def _pseudonyms_are_unique(cls, responders: tuple[Responder, ...]) -> tuple[Responder, ...]:
        pseudonyms = [responder.pseudonym.casefold() for responder in responders]
        if len(set(pseudonyms)) != len(pseudonyms):
            raise ValueError("each responder needs a pseudonym of their own")
        return responders

    @field_validator("responders")
    @classmethod
    def _logins_are_unique(cls, responders: tuple[Responder, ...]) -> tuple[Responder, ...]:
        logins = [r.login.casefold() for r in responders if r.login is not None]
        if len(set(logins)) != len(logins):
            raise ValueError("each responder needs a login of their own")
        return responders

    def responder_with_login(self, login: str) -> Responder | None:
        """The responder whose Airflow user name is ``login`` (ignoring case), if any.

        Raises:
            Nothing.
        """
        wanted = login.strip().casefold()
        return next(
            (r for r in self.responders if r.login is not None and r.login.casefold() == wanted),
            None,
        )
