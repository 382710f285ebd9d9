"""The Trident operators' pages in the Airflow UI: the inbox queue by deadline, residents'
strike histories, approvals, the response-time dashboard and the CRM outbox.

A FastAPI app mounted at ``/trident`` in Airflow's API server, with each page in the
navigation under "Trident". Every request is authenticated with Airflow's own session and
authorised by its auth manager (``trident_pipeline.orchestration.ui_access``). Importing this
file opens nothing: the store and configuration are opened on the first request.
"""

from __future__ import annotations

from functools import partial

from airflow.api_fastapi.auth.tokens import get_signing_key
from airflow.plugins_manager import AirflowPlugin

from trident_pipeline.orchestration.required_actions import required_action_links
from trident_pipeline.orchestration.store import store_engine
from trident_pipeline.orchestration.ui_access import airflow_operator
from trident_pipeline.web import create_app
from trident_pipeline.web.services import Services

URL_PREFIX = "/trident"

_PAGES = (
    ("Inbox queue", "inbox", "trident-inbox"),
    ("Residents", "residents", "trident-residents"),
    ("Approvals", "approvals", "trident-approvals"),
    ("Response times", "response-times", "trident-response-times"),
    ("CRM outbox", "outbox", "trident-outbox"),
)


class TridentPagesPlugin(AirflowPlugin):
    """The operators' pages, as one FastAPI app and a navigation entry per page."""

    name = "trident_pages"
    fastapi_apps = [
        {
            "app": create_app(
                airflow_operator,
                Services(
                    store_engine,
                    required_action_links,
                    secret=partial(get_signing_key, "api", "secret_key"),
                ),
            ),
            "url_prefix": URL_PREFIX,
            "name": "Trident operators' pages",
        }
    ]
    external_views = [
        {
            "name": title,
            "href": f"{URL_PREFIX}/{path}",
            "destination": "nav",
            "category": "Trident",
            "url_route": route,
        }
        for title, path, route in _PAGES
    ]
