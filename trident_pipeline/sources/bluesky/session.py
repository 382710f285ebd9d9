"""The Bluesky login session: kept between runs, resumed, refreshed, created only when needed.

``com.atproto.server.createSession`` is rate-limited per account (30 per 5 minutes, about
100-300 a day), so a run must not log in with the app password each time. Each run resumes the
session string the previous run saved (atproto's :meth:`Session.encode`: handle, DID, access
and refresh JWTs, PDS endpoint); atproto refreshes the access token itself when it is within 15
minutes of expiry and reports every new or refreshed session through ``on_session_change``,
where :class:`SessionKeeper` saves it. Only when no session is stored, or the stored one is
refused, does the keeper log in with the handle and app password.

Where the string is kept is a :class:`SessionStore`: the Airflow hook keeps it in a Variable
whose key contains ``secret`` (so Airflow masks it); tests keep it in memory. Nothing here
imports Airflow, logs a token, or puts one in an exception message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from atproto_client import Client
from atproto_client.client.session import Session, SessionEvent

__all__ = ["Credentials", "SessionKeeper", "SessionStore", "session_secrets"]

log = logging.getLogger(__name__)


class SessionStore(Protocol):
    """Keeps one account's session string between runs."""

    def load(self) -> str | None:
        """The saved session string, or ``None`` when there is none."""
        ...

    def save(self, session_string: str) -> None:
        """Replace the saved session string."""
        ...


@dataclass(frozen=True, slots=True)
class Credentials:
    """The handle and app password from the Connection; the password never shows in ``repr``.

    Raises:
        ValueError: when either is empty.
    """

    handle: str
    app_password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.handle or not self.app_password:
            raise ValueError("Bluesky needs a handle and an app password")


def session_secrets(session_string: str) -> tuple[str, ...]:
    """The parts of a session string to mask in logs: the string and its two JWTs.

    Returns:
        The whole string, plus its access and refresh tokens when it can be read. It never
        raises: an unreadable string is returned alone.
    """
    try:
        session = Session.decode(session_string)
    except ValueError:
        return (session_string,)
    return session_string, session.access_jwt, session.refresh_jwt


class SessionKeeper:
    """Binds an atproto client to a session store and the Connection's credentials.

    It registers itself for the client's session changes: every session created by a login or
    by atproto's refresh is saved to the store at once, so a run that fails later still leaves
    the newest session for the next one.

    Args:
        client: the atproto client the session is for.
        credentials: the handle and app password, used only when a login is needed.
        store: where the session string is kept between runs.
    """

    def __init__(self, client: Client, credentials: Credentials, store: SessionStore) -> None:
        self._client = client
        self._credentials = credentials
        self._store = store
        self._did: str | None = None
        self._resumed = False
        client.on_session_change(self._session_changed)

    @property
    def client(self) -> Client:
        """The atproto client the session is for."""
        return self._client

    @property
    def did(self) -> str:
        """The DID of the account the current session is for.

        Raises:
            RuntimeError: before a session was opened.
        """
        if self._did is None:
            raise RuntimeError("no Bluesky session has been opened")
        return self._did

    @property
    def resumed(self) -> bool:
        """Whether the current session came from the store and no login has replaced it yet:
        the server may have revoked it since it was saved."""
        return self._resumed

    def open(self) -> None:
        """Resume the stored session, or log in when there is none (or it cannot be read).

        Resuming makes no request: a revoked session shows on the first call, and the caller
        then logs in with :meth:`login`.

        Raises:
            atproto_core.exceptions.AtProtocolError: when the login fails.
            httpx.HTTPError: when the login request fails at the transport.
        """
        stored = self._store.load()
        if stored:
            try:
                self._client.login(session_string=stored, fetch_bsky_profile=False)
            except ValueError:
                log.warning("The stored Bluesky session cannot be read; logging in again")
            else:
                self._resumed = True
                return
        self.login()

    def login(self) -> None:
        """Log in with the handle and app password (one ``createSession``); the session is saved.

        Raises:
            atproto_core.exceptions.AtProtocolError: when Bluesky refuses the login or the
                request fails.
            httpx.HTTPError: when the request fails at the transport.
        """
        log.info("Logging in to Bluesky with the app password")
        self._client.login(
            self._credentials.handle, self._credentials.app_password, fetch_bsky_profile=False
        )
        self._resumed = False

    def _session_changed(self, event: SessionEvent, session: Session) -> None:
        self._did = session.did
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            self._store.save(session.encode())
            log.info("Saved the %s Bluesky session", event.value)
