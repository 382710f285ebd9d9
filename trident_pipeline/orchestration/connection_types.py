"""The provider info Airflow reads for this project's connection types (entry point
``apache_airflow_provider``). Kept free of client libraries so reading it costs nothing."""

from __future__ import annotations

from typing import Any

__all__ = ["BLUESKY", "CRM", "FACEBOOK", "X", "get_provider_info"]


X: dict[str, Any] = {
    "connection-type": "trident_x",
    "hook-class-name": "trident_pipeline.orchestration.hooks.x.XHook",
    "hook-name": "Trident: X (API v2)",
    "ui-field-behaviour": {
        "hidden-fields": ["host", "port", "schema"],
        "relabeling": {"login": "API key", "password": "API key secret"},
        "placeholders": {},
    },
    "conn-fields": {
        "access_token": {
            "label": "Access token",
            "description": "OAuth 1.0a access token of the organisation's X account",
            "schema": {"type": ["string", "null"], "format": "password"},
        },
        "access_token_secret": {
            "label": "Access token secret",
            "schema": {"type": ["string", "null"], "format": "password"},
        },
        "max_requests_per_run": {
            "label": "Request budget of one pull",
            "schema": {"type": ["integer", "null"], "minimum": 1},
        },
        "timeout": {
            "label": "Request timeout (seconds)",
            "schema": {"type": ["number", "null"], "minimum": 1, "default": 30},
        },
    },
}


BLUESKY: dict[str, Any] = {
    "connection-type": "trident_bluesky",
    "hook-class-name": "trident_pipeline.orchestration.hooks.bluesky.BlueskyHook",
    "hook-name": "Trident: Bluesky (AT Protocol)",
    "ui-field-behaviour": {
        "hidden-fields": ["port", "schema"],
        "relabeling": {
            "host": "Service URL",
            "login": "Handle",
            "password": "App password (with direct-message access)",
        },
        "placeholders": {"host": "https://bsky.social", "login": "tridentgrp.bsky.social"},
    },
    "conn-fields": {
        "max_requests_per_run": {
            "label": "Request budget of one pull",
            "schema": {"type": ["integer", "null"], "minimum": 1},
        },
        "timeout": {
            "label": "Request timeout (seconds)",
            "schema": {"type": ["number", "null"], "minimum": 1, "default": 30},
        },
    },
}


FACEBOOK: dict[str, Any] = {
    "connection-type": "trident_facebook",
    "hook-class-name": "trident_pipeline.orchestration.hooks.facebook.FacebookHook",
    "hook-name": "Trident: Facebook page (Graph API)",
    "ui-field-behaviour": {
        "hidden-fields": ["host", "port", "schema", "login"],
        "relabeling": {"password": "Page access token"},
        "placeholders": {},
    },
    "conn-fields": {
        "app_secret": {
            "label": "App secret (for appsecret_proof)",
            "schema": {"type": ["string", "null"], "format": "password"},
        },
        "api_version": {
            "label": "Graph API version",
            "schema": {"type": ["string", "null"], "default": "v26.0"},
        },
        "max_requests_per_run": {
            "label": "Request budget of one pull",
            "schema": {"type": ["integer", "null"], "minimum": 1},
        },
        "timeout": {
            "label": "Request timeout (seconds)",
            "schema": {"type": ["number", "null"], "minimum": 1, "default": 30},
        },
        "comment_lookback_days": {
            "label": "Read new comments on posts up to this many days old",
            "schema": {"type": ["integer", "null"], "minimum": 1, "default": 28},
        },
    },
}


# The customer-record systems (trident_pipeline.orchestration.hooks.crm).
_OPTIONAL_TEXT = {"type": ["string", "null"]}
_TIMEOUT = {
    "label": "Request timeout (seconds)",
    "schema": {"type": ["number", "null"], "minimum": 1, "default": 30},
}

CRM: tuple[dict[str, Any], ...] = (
    {
        "connection-type": "trident_dataverse",
        "hook-class-name": "trident_pipeline.orchestration.hooks.crm.DataverseHook",
        "hook-name": "Trident CRM: Dynamics 365 (Dataverse)",
        "ui-field-behaviour": {
            "hidden-fields": ["port", "schema"],
            "relabeling": {
                "host": "Environment URL",
                "login": "Application (client) id",
                "password": "Client secret",
            },
            "placeholders": {"host": "https://contoso.crm11.dynamics.com"},
        },
        "conn-fields": {
            "tenant_id": {"label": "Tenant id", "schema": {"type": "string"}},
            "authority_url": {"label": "Authority URL", "schema": _OPTIONAL_TEXT},
            "timeout": _TIMEOUT,
        },
    },
    {
        "connection-type": "trident_crm_webhook",
        "hook-class-name": "trident_pipeline.orchestration.hooks.crm.CrmWebhookHook",
        "hook-name": "Trident CRM: signed webhook",
        "ui-field-behaviour": {
            "hidden-fields": ["port", "schema", "login"],
            "relabeling": {"host": "Webhook URL", "password": "Signing secret"},
            "placeholders": {"host": "https://crm.example.org/hooks/trident"},
        },
        "conn-fields": {
            "lookup_url": {"label": "Contact lookup URL", "schema": _OPTIONAL_TEXT},
            "timeout": _TIMEOUT,
        },
    },
)


def get_provider_info() -> dict[str, Any]:
    """What ``airflow providers`` and the Connections form show for this project."""
    return {
        "package-name": "trident-pipeline",
        "name": "Trident social inbox",
        "description": "Trident Group's X, BlueSky and Facebook accounts, and its CRM.",
        "connection-types": [X, BLUESKY, FACEBOOK, *CRM],
    }
