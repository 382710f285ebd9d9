"""What the pages' forms accept, and where an action sends the operator back to.

Free text is trimmed and bounded; identifiers have the shape the store gives them. A value out
of bounds is refused with a clear message (a 422 page), never stored.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import StringConstraints

__all__ = ["AccountId", "ContactId", "ItemKey", "Reason", "SearchText", "back_to"]

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
"""Why an operator acts, in plain words: recorded in the ledger and on the customer record."""

SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
"""What to search residents by: part of a name, handle, account id or CRM contact id."""

ItemKey = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^(x|bluesky|facebook):\S{1,280}$")
]
"""An item's key, ``platform:native_id``."""

AccountId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\S{1,280}$")]
"""A platform user id: X numeric id, BlueSky DID or Facebook page-scoped id."""

ContactId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")
]
"""A CRM contact id."""


def back_to(request: Request, route: str, back: str, **params: str) -> RedirectResponse:
    """A redirect (303) to ``back`` when it is a path on these pages, else to ``route``,
    with ``params`` set in its query (the outcome shown on arrival).

    Raises:
        starlette.routing.NoMatchFound: when ``route`` is not a page.
    """
    home = str(request.url_for(route))
    prefix = urlsplit(home).path.rsplit("/", 1)[0] + "/"
    target = urlsplit(back)
    if back and not target.scheme and not target.netloc and target.path.startswith(prefix):
        path, kept = target.path, parse_qsl(target.query)
    else:
        path, kept = urlsplit(home).path, []
    query = urlencode([(k, v) for k, v in kept if k not in params] + list(params.items()))
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)
