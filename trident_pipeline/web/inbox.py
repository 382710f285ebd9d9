"""The inbox queue page, and an operator's mark that an item does or does not need a response."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from trident_pipeline.domain.models import Channel, Platform
from trident_pipeline.pages.inbox_queue import QueueFilter, QueueStatus, inbox_queue
from trident_pipeline.response_times import mark_item
from trident_pipeline.web.access import Operator, OperatorDep, Permission, requires
from trident_pipeline.web.forms import ItemKey, Reason, back_to
from trident_pipeline.web.rendering import render

__all__ = ["router"]

router = APIRouter()


@router.get("/inbox", name="inbox_page", response_class=HTMLResponse)
async def inbox_page(
    request: Request,
    operator: OperatorDep,
    status: QueueStatus = QueueStatus.WAITING,
    platform: Platform | Literal[""] = "",
    channel: Channel | Literal[""] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Inbound items, soonest deadline first, with flags and redacted text."""
    services = request.app.state.services
    wanted = QueueFilter(status, platform or None, channel or None, page)
    now = services.now()
    with services.engine.connect() as connection:
        queue = inbox_queue(
            connection, wanted, now, personal_data=operator.may(Permission.PERSONAL_DATA)
        )
    return render(
        request,
        "inbox.html.j2",
        title="Inbox queue",
        queue=queue,
        wanted=wanted,
        now=now,
        statuses=list(QueueStatus),
        platforms=list(Platform),
        channels=list(Channel),
        done=request.query_params.get("done"),
    )


@router.post("/inbox/mark", name="mark_item")
async def mark(
    request: Request,
    operator: Annotated[Operator, Depends(requires(Permission.ACT))],
    item_key: Annotated[ItemKey, Form()],
    needs_response: Annotated[Literal["yes", "no"], Form()],
    reason: Annotated[Reason, Form()],
    back: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Record the mark (who, when, why) and recompute the item's response record at once."""
    services = request.app.state.services
    mark_item(
        services.engine,
        services.matcher,
        item_key,
        needs_response=needs_response == "yes",
        reason=reason,
        operator=operator.login,
        now=services.now(),
    )
    return back_to(request, "inbox_page", back, done="marked")
