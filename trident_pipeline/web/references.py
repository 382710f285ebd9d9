"""Opaque references to residents, for page addresses.

A resident's page is addressed by a keyed hash of their resident id (HMAC-SHA256 under the
server's secret key), never the CRM contact id or platform account id itself, so neither
appears in an address, the server's access log or a browser's history.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import cached_property

from sqlalchemy import Connection

from trident_pipeline.pages.residents import UnknownResident, known_residents

__all__ = ["REFERENCE_PATTERN", "ResidentReferences"]

_LENGTH = 32
REFERENCE_PATTERN = rf"^[0-9a-f]{{{_LENGTH}}}$"
"""What a reference looks like: 32 lower-case hexadecimal digits."""


class ResidentReferences:
    """Makes and resolves references to residents.

    Args:
        secret: gives the key (called once, on first use); every server process behind the
            same site must be given the same one.
    """

    def __init__(self, secret: Callable[[], str]) -> None:
        self._secret = secret

    @cached_property
    def _key(self) -> bytes:
        return self._secret().encode()

    def of(self, resident_id: str) -> str:
        """The reference of ``resident_id``.

        Raises:
            Nothing.
        """
        digest = hmac.new(self._key, resident_id.encode(), hashlib.sha256).hexdigest()
        return digest[:_LENGTH]

    def resolve(self, connection: Connection, reference: str) -> str:
        """The resident id whose reference is ``reference``.

        Raises:
            UnknownResident: when no resident the store knows has that reference.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
        """
        for resident_id in known_residents(connection):
            if hmac.compare_digest(self.of(resident_id), reference):
                return resident_id
        raise UnknownResident("no resident has that reference; search for them again")
