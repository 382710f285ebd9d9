"""Field readers and the page loop shared by the platforms' mapping modules.

Each mapping module (:mod:`~trident_pipeline.sources.x.mapping`,
:mod:`~trident_pipeline.sources.bluesky.mapping`,
:mod:`~trident_pipeline.sources.facebook.mapping`) turns one platform's response bodies into
inbox items. A record that does not fit raises :class:`Unmappable`, whose reason names the field
at fault but quotes none of the record's content; :func:`map_records` turns it into a
:class:`~trident_pipeline.domain.models.Rejected` record and goes on with the rest of the page.

The reasons these readers give are part of each mapping module's documented contract: ``record
is not an object``, ``record has no <field>``, ``<field> is not a string``, ``<field> is not an
ISO 8601 time`` and ``<field> has no time zone``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from trident_pipeline.domain.models import InboxItem, Platform, Rejected
from trident_pipeline.sources.base import MappedPage, Page

__all__ = [
    "Unmappable",
    "map_records",
    "optional_string",
    "reject_page",
    "require_identifier",
    "require_object",
    "require_text",
    "require_time",
]


class Unmappable(Exception):
    """A record that cannot become an inbox item; ``reason`` quotes none of its content.

    Args:
        reason: why, naming fields but never their values.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def reject_page(platform: Platform, page: Page, problem: Unmappable) -> MappedPage:
    """A mapped page whose whole body is rejected, for a body that is not of the expected shape.

    Args:
        platform: the platform the page came from.
        page: the page, kept whole as the rejected record.
        problem: what is wrong with the body.

    Returns:
        No items and one rejected record holding ``page.payload``.
    """
    return MappedPage(rejected=[Rejected(platform, page.stream, problem.reason, page.payload)])


def map_records(
    platform: Platform,
    page: Page,
    records: Iterable[object],
    map_record: Callable[[object], InboxItem | None],
) -> MappedPage:
    """Map each record of a page, rejecting the ones that do not fit.

    Args:
        platform: the platform the page came from.
        page: the page the records are from (its ``stream`` goes into each rejection).
        records: the page's raw records, in the order the platform sent them.
        map_record: maps one record; it returns ``None`` for a record that is not
            correspondence (which is skipped) and raises :class:`Unmappable` for one that does
            not fit.

    Returns:
        The items in the order of their records, and the records that raised
        :class:`Unmappable`, each with its reason.

    Raises:
        Exception: whatever ``map_record`` raises other than :class:`Unmappable`.
    """
    mapped = MappedPage()
    for record in records:
        try:
            item = map_record(record)
        except Unmappable as problem:
            mapped.rejected.append(Rejected(platform, page.stream, problem.reason, record))
        else:
            if item is not None:
                mapped.items.append(item)
    return mapped


def require_object(record: object) -> Mapping[str, Any]:
    """``record`` itself, once it is known to be a JSON object.

    Raises:
        Unmappable: ``record is not an object``.
    """
    if not isinstance(record, Mapping):
        raise Unmappable("record is not an object")
    return record


def require_identifier(record: Mapping[str, Any], field: str) -> str:
    """A string field that must be present and not empty, such as an id.

    Raises:
        Unmappable: ``record has no <field>`` when it is missing, ``null`` or empty, or
            ``<field> is not a string``.
    """
    value = record.get(field)
    if value is None or value == "":
        raise Unmappable(f"record has no {field}")
    if not isinstance(value, str):
        raise Unmappable(f"{field} is not a string")
    return value


def require_text(record: Mapping[str, Any], field: str) -> str:
    """A string field that must be present but may be empty, such as a post's text.

    Raises:
        Unmappable: ``record has no <field>`` when it is missing or ``null``, or ``<field> is
            not a string``.
    """
    value = record.get(field)
    if value is None:
        raise Unmappable(f"record has no {field}")
    if not isinstance(value, str):
        raise Unmappable(f"{field} is not a string")
    return value


def optional_string(record: Mapping[str, Any], field: str) -> str | None:
    """A string field that may be left out; ``None`` when it is missing, ``null`` or empty.

    Raises:
        Unmappable: ``<field> is not a string``.
    """
    value = record.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Unmappable(f"{field} is not a string")
    return value


def require_time(record: Mapping[str, Any], field: str) -> datetime:
    """An ISO 8601 time field with a time zone, converted to UTC.

    Raises:
        Unmappable: ``record has no <field>`` when it is missing or ``null``, ``<field> is not
            an ISO 8601 time``, or ``<field> has no time zone``.
    """
    value = record.get(field)
    if value is None:
        raise Unmappable(f"record has no {field}")
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise Unmappable(f"{field} is not an ISO 8601 time") from None
    if moment.utcoffset() is None:
        raise Unmappable(f"{field} has no time zone")
    return moment.astimezone(UTC)
