"""The Approvals page: block requests and drafted messages waiting for a person.

Each shows the evidence the approver sees under Airflow's Required Actions (clauses, dates,
platforms, redacted excerpts, the accounts to block and how each platform allows it, or the
message as it will go out), with a link to the approval task itself: the answer is given
there, where Airflow records who gave it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from markupsafe import Markup

from trident_pipeline.web.access import OperatorDep, Permission
from trident_pipeline.web.rendering import render

__all__ = ["router"]

router = APIRouter()

# Evidence is Markdown the pipeline writes; raw HTML in it is never passed through.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True, slots=True)
class _Pending:
    event_id: int
    subject: str
    body: Markup
    link: str | None


@router.get("/approvals", name="approvals_page", response_class=HTMLResponse)
async def approvals_page(request: Request, operator: OperatorDep) -> HTMLResponse:
    """Pending approvals, oldest first, each with its evidence and its Required Actions link."""
    services = request.app.state.services
    now = services.now()
    ids = services.approvals.pending()
    links = services.approval_links(ids)
    handles = operator.may(Permission.PERSONAL_DATA)
    pending = []
    for event_id in ids:
        evidence = services.approvals.evidence(event_id, now, handles=handles)
        body = Markup(_MARKDOWN.render(evidence.body))  # noqa: S704 (html disabled above)
        pending.append(_Pending(event_id, evidence.subject, body, links.get(event_id)))
    return render(request, "approvals.html.j2", title="Approvals", pending=pending)
