"""The Residents pages: search, a resident's history, and the actions on it.

Linking and unlinking an account is an officer's action; overruling a strike on appeal and
reviewing a block are a manager's decisions, recorded under the pseudonym ``staff.yaml`` gives
the operator's Airflow login. Each is written to the ledger and queued for the customer record.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from trident_pipeline.account_links import set_link
from trident_pipeline.domain.events import ReviewOutcome
from trident_pipeline.domain.models import Platform
from trident_pipeline.domain.residents import AccountRef, account_resident_id
from trident_pipeline.pages.residents import ResidentFound, find_residents, resident_history
from trident_pipeline.web.access import Forbidden, Operator, OperatorDep, Permission, requires
from trident_pipeline.web.forms import (
    AccountId,
    ContactId,
    ItemKey,
    Reason,
    SearchText,
    back_to,
)
from trident_pipeline.web.references import REFERENCE_PATTERN
from trident_pipeline.web.rendering import render
from trident_pipeline.web.services import Services

__all__ = ["router"]

router = APIRouter()

Reference = Annotated[str, Path(pattern=REFERENCE_PATTERN)]
Acting = Annotated[Operator, Depends(requires(Permission.ACT))]
Deciding = Annotated[Operator, Depends(requires(Permission.DECIDE))]


@router.get("/residents", name="residents_page", response_class=HTMLResponse)
async def residents_page(request: Request, operator: OperatorDep) -> HTMLResponse:
    """The search form, and the form to link an account."""
    return _search_page(request, operator, "", None)


@router.post("/residents", name="search_residents", response_class=HTMLResponse)
async def search_residents(
    request: Request, operator: OperatorDep, q: Annotated[SearchText, Form()]
) -> HTMLResponse:
    """Residents by name, handle, account id or CRM contact id. A search is posted, not put in
    the address, so a name typed in never reaches the server's access log or the history."""
    services = request.app.state.services
    with services.engine.connect() as connection:
        found = find_residents(
            connection,
            q,
            services.now(),
            services.settings.rules,
            personal_data=operator.may(Permission.PERSONAL_DATA),
        )
    return _search_page(request, operator, q, found)


def _search_page(
    request: Request, operator: Operator, query: str, found: list[ResidentFound] | None
) -> HTMLResponse:
    return render(
        request,
        "residents.html.j2",
        title="Residents",
        query=query,
        found=found,
        reference=request.app.state.services.references.of,
        platforms=list(Platform),
        done=request.query_params.get("done"),
    )


@router.get("/residents/{reference}", name="resident_page", response_class=HTMLResponse)
async def resident_page(
    request: Request, operator: OperatorDep, reference: Reference
) -> HTMLResponse:
    """One resident: accounts, strikes and evidence, messages, blocks, and every event."""
    services = request.app.state.services
    now = services.now()
    with services.engine.connect() as connection:
        resident_id = services.references.resolve(connection, reference)
        history = resident_history(
            connection,
            resident_id,
            now,
            services.settings.rules,
            personal_data=operator.may(Permission.PERSONAL_DATA),
        )
    return render(
        request,
        "resident.html.j2",
        title="Resident history",
        history=history,
        now=now,
        platforms=list(Platform),
        done=request.query_params.get("done"),
    )


@router.post("/residents/link", name="link_account")
async def link_account(
    request: Request,
    operator: Acting,
    platform: Annotated[Platform, Form()],
    user_id: Annotated[AccountId, Form()],
    contact_id: Annotated[ContactId, Form()],
) -> RedirectResponse:
    """Link an account to a CRM contact: its strikes count with the contact's other accounts."""
    services = request.app.state.services
    change = set_link(
        services.engine, AccountRef(platform, user_id), contact_id, operator.login, services.now()
    )
    return _to_resident(
        request, f"contact:{contact_id}", "linked" if change.changed else "unchanged"
    )


@router.post("/residents/unlink", name="unlink_account")
async def unlink_account(
    request: Request,
    operator: Acting,
    platform: Annotated[Platform, Form()],
    user_id: Annotated[AccountId, Form()],
) -> RedirectResponse:
    """Unlink an account: its strikes count on their own, and the CRM does not relink it."""
    services = request.app.state.services
    account = AccountRef(platform, user_id)
    change = set_link(services.engine, account, None, operator.login, services.now())
    done = "unlinked" if change.changed else "unchanged"
    return _to_resident(request, account_resident_id(account), done)


@router.post("/strikes/overrule", name="overrule_strike")
async def overrule_strike(
    request: Request,
    operator: Deciding,
    item_key: Annotated[ItemKey, Form()],
    reason: Annotated[Reason, Form()],
    back: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Overrule the strike for an item on appeal, from now."""
    services = request.app.state.services
    changed = services.enforcement.overrule_strike(
        item_key, _pseudonym(services, operator), reason, services.now()
    )
    return back_to(request, "residents_page", back, done="overruled" if changed else "unchanged")


@router.post("/blocks/review", name="review_block")
async def review_block(
    request: Request,
    operator: Deciding,
    request_id: Annotated[int, Form(ge=1)],
    outcome: Annotated[Literal["kept", "lifted"], Form()],
    reason: Annotated[Reason, Form()],
    back: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Keep a block at its review (until the next one), or lift it."""
    services = request.app.state.services
    changed = services.approvals.review_block(
        request_id, ReviewOutcome(outcome), _pseudonym(services, operator), reason, services.now()
    )
    return back_to(request, "residents_page", back, done="reviewed" if changed else "unchanged")


def _pseudonym(services: Services, operator: Operator) -> str:
    responder = services.staff.responder_with_login(operator.login)
    if responder is None:
        raise Forbidden("your Airflow login is not a responder's login in staff.yaml")
    return responder.pseudonym


def _to_resident(request: Request, resident_id: str, done: str) -> RedirectResponse:
    reference = request.app.state.services.references.of(resident_id)
    path = request.url_for("resident_page", reference=reference).path
    return back_to(request, "residents_page", path, done=done)
