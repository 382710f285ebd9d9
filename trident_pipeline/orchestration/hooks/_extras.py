"""Reading a Connection's extra fields, shared by the hooks.

Airflow's Connection form saves a connection type's own fields in the extra either plainly
(``{"timeout": 30}``) or, in older forms and some secrets backends, with the prefix
``extra__<conn_type>__`` (``{"extra__trident_x__timeout": 30}``); these readers accept both,
the plain name first. An empty value counts as absent. A malformed value raises a
:class:`ValueError` that names the Connection and the field but never quotes the value, which
may be a secret.

Every reader takes the Connection's ``extra_dejson`` as ``extra``, the field's plain ``name`` and
the Connection's ``conn_type`` (for the prefixed name); the checked ones also take its
``conn_id``, for the error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["field", "positive_int", "positive_number"]


def field(extra: Mapping[str, Any], name: str, conn_type: str) -> Any:
    """An extra field, stored plainly or with the form's ``extra__<conn_type>__`` prefix.

    Returns:
        The field's value as stored, or ``None`` when it is under neither name.
    """
    return extra.get(name, extra.get(f"extra__{conn_type}__{name}"))


def positive_int(
    extra: Mapping[str, Any], name: str, *, conn_type: str, conn_id: str
) -> int | None:
    """An optional whole number above 0, given as a number or as digits in a string.

    Returns:
        The number, or ``None`` when the field is absent or empty.

    Raises:
        ValueError: when the field is not a whole number above 0 (a boolean is not one).
    """
    value = field(extra, name, conn_type)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
        raise ValueError(f"the {conn_id} Connection's {name} must be a whole number above 0")
    return int(value)


def positive_number(
    extra: Mapping[str, Any], name: str, *, conn_type: str, conn_id: str
) -> float | None:
    """An optional number above 0, given as a number or as a numeric string.

    Returns:
        The number (a float), or ``None`` when the field is absent or empty.

    Raises:
        ValueError: when the field is not a number above 0 (a boolean is not one).
    """
    value = field(extra, name, conn_type)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0.0
    if isinstance(value, bool) or not number > 0:
        raise ValueError(f"the {conn_id} Connection's {name} must be a number above 0")
    return number
