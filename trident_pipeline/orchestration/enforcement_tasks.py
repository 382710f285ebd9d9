"""Task functions of the three-strike policy, for the hourly DAG and the block DAG.

The hourly DAG calls :func:`enforce` after screening, then :func:`announce_approvals`, whose
task has the outlet :data:`APPROVALS_URI`: the asset event that starts the block DAG, carrying
only event ids, resident ids and the inbox (never text). The block DAG calls
:func:`pending_approvals`, renders each approval with :func:`approval_text`, and applies the
answer with :func:`apply_decision`.

Moderators come from a factory, ``(inbox, engine) -> {platform: moderator}``: by default
:func:`moderators_for`, the live connectors or, for the sample inbox, the
:class:`~trident_pipeline.sources.sample_moderator.SampleModerator` over the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from airflow.sdk import Asset
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
from sqlalchemy import Engine

from trident_pipeline.blocking import Approval, ApprovalError, Approvals
from trident_pipeline.config import AccountsConfig, read_config
from trident_pipeline.config.strikes import ApproverError, EnforcementSettings
from trident_pipeline.crm import outbox
from trident_pipeline.domain.events import UnknownEvent
from trident_pipeline.domain.models import Platform
from trident_pipeline.enforcement import Enforcement
from trident_pipeline.orchestration.hooks.bluesky import BlueskyHook
from trident_pipeline.orchestration.hooks.crm import crm_from_connections
from trident_pipeline.orchestration.hooks.facebook import FacebookHook
from trident_pipeline.orchestration.hooks.x import XHook
from trident_pipeline.orchestration.sources import Inbox
from trident_pipeline.orchestration.store import store_engine
from trident_pipeline.orchestration.tasks import pull_plan
from trident_pipeline.sources.capabilities import CAPABILITIES
from trident_pipeline.sources.moderation import Moderator
from trident_pipeline.sources.sample_moderator import sample_moderators

__all__ = [
    "APPROVALS_URI",
    "ModeratorFactory",
    "announce_approvals",
    "apply_decision",
    "approval_text",
    "enforce",
    "moderators_for",
    "pending_approvals",
    "run_inbox",
]

log = logging.getLogger(__name__)

APPROVALS_URI = "trident://strikes/approval-requested"
"""The asset whose events start the block DAG: block requests and messages to approve."""

ModeratorFactory = Callable[[str, Engine], Mapping[Platform, Moderator]]

APPROVE = "Approve"
"""The option of the ApprovalOperator that approves."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def moderators_for(inbox: str, engine: Engine) -> Mapping[Platform, Moderator]:
    """Each platform's moderator: the sample's stand-in, or the live connector.

    Raises:
        ValueError: when ``inbox`` is neither ``live`` nor ``sample``, or a Connection is
            malformed.
        AirflowNotFoundException: for ``live``, when a platform's Connection is missing.
    """
    if Inbox(inbox) is Inbox.SAMPLE:
        return sample_moderators(engine)
    accounts = read_config("accounts.yaml", AccountsConfig)
    hooks = {
        Platform.X: XHook(x_conn_id=accounts.connection_id(Platform.X)),
        Platform.BLUESKY: BlueskyHook(bluesky_conn_id=accounts.connection_id(Platform.BLUESKY)),
        Platform.FACEBOOK: FacebookHook(facebook_conn_id=accounts.connection_id(Platform.FACEBOOK)),
    }
    return {
        platform: hook.get_moderator(accounts.account(platform)) for platform, hook in hooks.items()
    }


def _service(engine: Engine, inbox: str, build_moderators: ModeratorFactory) -> Enforcement:
    settings = EnforcementSettings.load()
    return Enforcement(engine, settings, build_moderators(inbox, engine), outbox.enqueue)


def enforce(
    plan: Mapping[str, Any],
    *,
    inbox: str,
    build_moderators: ModeratorFactory = moderators_for,
) -> dict[str, Any]:
    """Apply the three-strike policy to what screening found; returns counts and ids for XCom.

    ``plan`` is the hourly DAG's ``plan_pull`` result: strikes are counted at its ``end`` (the
    end of the run's hour or explicit window). The CRM chosen by the Connections
    (:func:`crm_from_connections`) is asked for the contact of each new violation's author.

    Raises:
        ConfigError: when a configuration file is missing or invalid.
        ValueError: when ``inbox`` is unknown, the plan's end is not an aware ISO 8601 time,
            or the CRM choice is malformed.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    at = pull_plan(plan).end
    engine = store_engine()
    try:
        service = _service(engine, inbox, build_moderators)
        crm = crm_from_connections(engine)
        report = service.run(at=at, now=_now(), find_contact=crm.find_contact)
    finally:
        engine.dispose()
    return {"inbox": Inbox(inbox).value, **report.as_dict()}


def announce_approvals(report: Mapping[str, Any], outlet_events: Any) -> dict[str, Any]:
    """Put what now waits for approval on the :data:`APPROVALS_URI` asset event.

    ``outlet_events`` is the task's ``outlet_events`` context accessor; the task must have
    ``Asset(APPROVALS_URI)`` as its outlet. The extra carries ids only.

    Raises:
        AirflowSkipException: when nothing new waits for approval (no asset event then).
    """
    extra = {
        "inbox": report["inbox"],
        "block_requests": list(report["block_requests"]),
        "residents": list(report["residents"]),
        "messages": list(report["messages_for_approval"]),
    }
    if not extra["block_requests"] and not extra["messages"]:
        raise AirflowSkipException("nothing new waits for approval")
    outlet_events[Asset(APPROVALS_URI)].extra = extra
    log.info(
        "Asking for approval: %s block requests, %s messages",
        len(extra["block_requests"]),
        len(extra["messages"]),
    )
    return extra


def _extras(triggering_asset_events: Mapping[Any, Iterable[Any]]) -> list[Mapping[str, Any]]:
    return [
        event.extra or {}
        for asset, events in triggering_asset_events.items()
        if getattr(asset, "uri", None) == APPROVALS_URI
        for event in events
    ]


def run_inbox(triggering_asset_events: Mapping[Any, Iterable[Any]], default: str) -> str:
    """The inbox the run acts on: the one its asset events name, else ``default`` (the
    DAG's ``inbox`` param).

    Raises:
        ValueError: when the events name more than one inbox, or an unknown one.
    """
    named = {extra["inbox"] for extra in _extras(triggering_asset_events) if "inbox" in extra}
    if len(named) > 1:
        raise ValueError("the asset events name both the live and the sample inbox")
    return Inbox(named.pop() if named else default).value


def pending_approvals(triggering_asset_events: Mapping[Any, Iterable[Any]]) -> list[int]:
    """The ledger event ids to ask about in this run, oldest first.

    A run started by asset events asks about what they name and is still undecided; a run
    started by hand (or by ``dag.test``) asks about everything still undecided.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    extras = _extras(triggering_asset_events)
    named = (
        [int(i) for extra in extras for i in (*extra["block_requests"], *extra["messages"])]
        if extras
        else None
    )
    engine = store_engine()
    try:
        enforcement = Enforcement(engine, EnforcementSettings.load(), {}, outbox.enqueue)
        pending = Approvals(enforcement, CAPABILITIES).pending(named)
    finally:
        engine.dispose()
    log.info("%s approvals to ask for", len(pending))
    return pending


def approval_text(event_id: int, part: str) -> str:
    """The ``subject`` or ``body`` of the approval of one block request or drafted message.

    Raises:
        ValueError: when ``part`` is neither ``subject`` nor ``body``.
        UnknownEvent: when ``event_id`` is neither a block request nor a drafted message.
    """
    if part not in {"subject", "body"}:
        raise ValueError("part is subject or body")
    engine = store_engine()
    try:
        enforcement = Enforcement(engine, EnforcementSettings.load(), {}, outbox.enqueue)
        evidence = Approvals(enforcement, CAPABILITIES).evidence(event_id, _now())
    finally:
        engine.dispose()
    return evidence.subject if part == "subject" else evidence.body


def _approval(
    response: Mapping[str, Any] | None, approver: str | None, reason: str | None
) -> Approval:
    """The answer from the ApprovalOperator's result, or from the run's params when the
    approval task was marked successful instead of answered."""
    if response:
        chosen = response.get("chosen_options") or []
        answers = response.get("params_input") or {}
        user = response.get("responded_by_user") or {}
        return Approval(
            approved=chosen == [APPROVE],
            by=str(answers.get("pseudonym") or ""),
            reason=str(answers.get("reason") or ""),
            answered_by=user.get("name") or user.get("id"),
        )
    if not approver:
        raise ApprovalError(
            "the approval was marked successful without an answer: answer it under Required "
            "Actions, or name the approving manager in the run's approver param"
        )
    return Approval(approved=True, by=approver, reason=reason or "")


def apply_decision(
    event_id: int,
    response: Mapping[str, Any] | None,
    *,
    inbox: str,
    approver: str | None = None,
    reason: str | None = None,
    build_moderators: ModeratorFactory = moderators_for,
) -> dict[str, Any]:
    """Apply the answer to one approval; returns what was decided and done (ids and outcomes).

    ``response`` is the ApprovalOperator's result. When the approval task was marked
    successful instead of answered, there is none: the approval is then recorded as given by
    ``approver`` (the run's ``approver`` param) for ``reason``, and refused without one.

    Raises:
        AirflowFailException: without retries, when there is no named approver, a reason is
            missing, the approver may not make this decision (``staff.yaml``), or ``event_id``
            is neither a block request nor a drafted message: retrying cannot mend any of them.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    engine = store_engine()
    try:
        approval = _approval(response, approver, reason)
        service = _service(engine, inbox, build_moderators)
        summary = Approvals(service, CAPABILITIES).decide(event_id, approval, _now())
    except (ApprovalError, ApproverError, UnknownEvent) as refusal:
        raise AirflowFailException(str(refusal)) from refusal
    finally:
        engine.dispose()
    return summary
