"""The CRM outbox page: entries by state, dead letters with their error, and a retry.

A dead letter shows its kind, platform, dates, attempts and the class of its last error with
the HTTP status: never the entry's text or the resident's handle.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import Field

from trident_pipeline.crm.outbox import (
    OutboxState,
    count_by_state,
    failing_entries,
    retry_dead_letters,
)
from trident_pipeline.web.access import Operator, OperatorDep, Permission, requires
from trident_pipeline.web.forms import back_to
from trident_pipeline.web.rendering import render

__all__ = ["router"]

router = APIRouter()


@router.get("/outbox", name="outbox_page", response_class=HTMLResponse)
async def outbox_page(request: Request, operator: OperatorDep) -> HTMLResponse:
    """Counts by state, and the entries that failed or were dead-lettered."""
    services = request.app.state.services
    with services.engine.connect() as connection:
        counts = count_by_state(connection)
        failing = failing_entries(connection)
    return render(
        request,
        "outbox.html.j2",
        title="CRM outbox",
        counts=counts,
        failing=failing,
        dead_letter=OutboxState.DEAD_LETTER,
        done=request.query_params.get("done"),
        retried=request.query_params.get("retried"),
    )


@router.post("/outbox/retry", name="retry_dead_letters")
async def retry(
    request: Request,
    operator: Annotated[Operator, Depends(requires(Permission.ACT))],
    entry_id: Annotated[list[Annotated[int, Field(ge=1)]] | None, Form()] = None,
) -> RedirectResponse:
    """Queue dead letters again: those ticked, or all of them when none is."""
    services = request.app.state.services
    wanted = entry_id if entry_id else "all"
    retried = retry_dead_letters(services.engine, wanted, services.now())
    return back_to(request, "outbox_page", "", done="retried", retried=str(retried))
