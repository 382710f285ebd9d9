"""The FastAPI app of the operators' pages: routers, templates, static files and error pages.

Pages are rendered on the server and work with the keyboard alone; actions are plain HTML
forms that answer with a redirect back to their page (post, redirect, get). A form posted
from another site is refused: the session cookie is ``SameSite=Lax``, and a request whose
``Origin`` or ``Sec-Fetch-Site`` names another site is turned away as well.
"""

from __future__ import annotations

import logging
from importlib import resources
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from trident_pipeline.config.strikes import ApproverError
from trident_pipeline.domain.events import UnknownEvent
from trident_pipeline.pages.residents import UnknownResident
from trident_pipeline.response_times import UnknownItem
from trident_pipeline.web import approvals, inbox, outbox, residents, response_times
from trident_pipeline.web.access import Access, Forbidden, NotSignedIn
from trident_pipeline.web.rendering import render
from trident_pipeline.web.services import Services

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_FIELD_NAMES = {
    "reason": "Reason",
    "needs_response": "Decision",
    "platform": "Platform",
    "channel": "Channel",
    "status": "Status",
    "page": "Page",
    "user_id": "Account id",
    "contact_id": "CRM contact id",
    "outcome": "Outcome",
    "from": "From",
    "to": "To",
    "request_id": "Block request",
    "entry_id": "Entry",
    "item_key": "Item",
    "q": "Search",
}


def create_app(access: Access, services: Services) -> FastAPI:
    """The operators' pages, asking ``access`` who each request comes from.

    Raises:
        Nothing: the store and configuration are opened on the first request.
    """
    app = FastAPI(
        title="Trident operators' pages",
        description="Inbox queue, residents, approvals, response times and the CRM outbox.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.access = access
    app.state.services = services
    app.add_middleware(_SameOriginForms)
    for module in (inbox, residents, approvals, response_times, outbox):
        app.include_router(module.router)
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files(__package__).joinpath("static"))),
        name="static",
    )

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse(request.url_for("inbox_page"), status_code=303)

    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(Forbidden, _problem(403, "Not allowed"))
    app.add_exception_handler(RequestValidationError, _invalid_input)
    for lookup in (UnknownItem, UnknownEvent, UnknownResident):
        app.add_exception_handler(lookup, _problem(404, "Not found"))
    app.add_exception_handler(ApproverError, _problem(403, "Not allowed"))
    app.add_exception_handler(ValueError, _problem(400, "Cannot do that"))
    return app


class _SameOriginForms(BaseHTTPMiddleware):
    """Refuse a state-changing request that a browser says came from another site."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method in _UNSAFE and not _same_origin(request):
            return HTMLResponse("Cross-site form posts are refused.", status_code=403)
        return await call_next(request)


def _same_origin(request: Request) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


async def _not_signed_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, NotSignedIn)
    return render(
        request,
        "problem.html.j2",
        status_code=401,
        title="Sign in",
        message="Sign in to Airflow to use the Trident pages.",
        link=error.login_url,
        link_text="Sign in",
    )


def _problem(status_code: int, title: str):  # noqa: ANN202 (a Starlette exception handler)
    async def handler(request: Request, error: Exception) -> Response:
        log.info(
            "%s %s refused with %d: %s",
            request.method,
            request.url.path,
            status_code,
            type(error).__name__,
        )
        return render(
            request, "problem.html.j2", status_code=status_code, title=title, message=str(error)
        )

    return handler


async def _invalid_input(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = []
    for detail in error.errors():
        field = next(
            (str(part) for part in reversed(detail["loc"]) if str(part) in _FIELD_NAMES), None
        )
        name = _FIELD_NAMES.get(field or "", "A field")
        problems.append(f"{name}: {detail['msg']}")
    return render(
        request,
        "problem.html.j2",
        status_code=422,
        title="Please correct the form",
        message="Some of what was sent is not valid.",
        problems=problems,
    )
