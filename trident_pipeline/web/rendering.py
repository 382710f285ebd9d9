"""Rendering the pages: one Jinja environment, the page navigation and the display filters.

Times are shown in Europe/London as the customer record writes them ("3 Mar 2027 at 10:14");
time left reads "5 h 20 min left" or "overdue by 2 h 5 min".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from trident_pipeline.domain import notes
from trident_pipeline.domain.models import Platform

__all__ = ["NAVIGATION", "render"]

NAVIGATION = (
    ("inbox_page", "Inbox queue"),
    ("residents_page", "Residents"),
    ("approvals_page", "Approvals"),
    ("response_times_page", "Response times"),
    ("outbox_page", "CRM outbox"),
)
"""The pages, in the order of the navigation: route name and title."""


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """``template`` rendered for ``request``, with the operator and navigation in its context.

    Raises:
        jinja2.TemplateError: when a template is broken.
    """
    page = _environment().get_template(template)
    html = page.render(
        request=request,
        url_for=request.url_for,
        operator=getattr(request.state, "operator", None),
        navigation=NAVIGATION,
        current=request.scope.get("route").name if request.scope.get("route") else None,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


@cache
def _environment() -> jinja2.Environment:
    folder = resources.files(__package__).joinpath("templates")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        london_time=_london_time,
        london_date=notes.london_date,
        time_left=_time_left,
        platform_name=lambda value: notes.platform_name(Platform(value)),
        label=_label,
    )
    return environment


def _london_time(moment: datetime | None) -> str:
    return notes.london_time(moment) if moment is not None else ""


def _label(value: object) -> str:
    """An enum value or snake_case name as words: ``no_response_needed`` → "no response needed"."""
    return str(value).replace("_", " ")


def _duration(span: timedelta) -> str:
    minutes = int(abs(span).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] if days else []
    if hours or days:
        parts.append(f"{hours} h")
    parts.append(f"{minutes} min")
    return " ".join(parts)


def _time_left(left: timedelta | None) -> str:
    if left is None:
        return "–"
    if left < timedelta(0):
        return f"overdue by {_duration(left)}"
    return f"{_duration(left)} left"
