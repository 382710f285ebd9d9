"""The Approvals page: what waits for a person, its evidence and where to answer it."""

from __future__ import annotations

import re

import pytest

from trident_pipeline.blocking import Approval, Approvals
from trident_pipeline.config.strikes import EnforcementSettings
from trident_pipeline.crm import outbox
from trident_pipeline.enforcement import Enforcement
from trident_pipeline.sources.capabilities import CAPABILITIES
from trident_pipeline.store.schema import moderation_events

pytestmark = [
    pytest.mark.airflow,
    # Airflow's own development fallback: a generated JWT secret shorter than SHA-512 likes.
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]

OPEN_REQUIRED_ACTIONS = "/required_actions?response_received=false"


def pending_ids(pages) -> list[int]:
    """Block requests no manager decided and drafted messages that need a person and have
    neither had one nor gone out, read from the ledger itself."""
    rows = pages.rows(moderation_events)
    keys = {row.key for row in rows}
    return [
        row.id
        for row in rows
        if (row.type == "block_requested" and f"block_decided:{row.key}" not in keys)
        or (
            row.type == "message_drafted"
            and row.detail.get("needs_approval")
            and f"message_decided:{row.item_key}" not in keys
            and f"encouraged_to_delete:{row.item_key}" not in keys
        )
    ]


def sections(page: str) -> list[int]:
    return [
        int(i)
        for i in re.findall(r'<section class="evidence" aria-labelledby="approval-(\d+)"', page)
    ]


def test_every_pending_approval_is_shown_with_its_evidence_and_where_to_answer_it(pages):
    response = pages.get("/approvals", "sam")
    assert response.status_code == 200
    page = response.text
    expected = pending_ids(pages)
    assert len(expected) > 1, "the sample leaves a block request and drafted messages"
    assert sorted(sections(page)) == sorted(expected)
    assert "Block CRM contact SAMPLE-DECLAN-MARSH after 3 strikes?" in page
    assert "call me on [phone]" in page, "excerpts are redacted"
    assert "X @decmarsh88 (id 8841376628802829077): by hand in the platform's app" in page
    assert page.count(f'href="{OPEN_REQUIRED_ACTIONS}"') == len(expected), (
        "no approval task has started: each links to the open Required Actions"
    )


def test_the_board_sees_the_evidence_without_handles(pages):
    page = pages.get("/approvals", "board").text
    assert sorted(sections(page)) == sorted(pending_ids(pages))
    assert "X id 8841376628802829077: by hand in the platform's app" in page
    for personal in pages.personal_data:
        assert personal not in page


def test_an_approval_whose_task_waits_links_to_that_tasks_required_actions(pages, approval_task):
    (block,) = [row.id for row in pages.rows(moderation_events) if row.type == "block_requested"]
    others = [event_id for event_id in pending_ids(pages) if event_id != block]
    run_id = approval_task([others[0], block])
    page = pages.get("/approvals", "sam").text
    quoted = run_id.replace(":", "%3A").replace("+", "%2B")
    for index, event_id in enumerate([others[0], block]):
        link = (
            f"/dags/trident_block/runs/{quoted}/tasks/approval.ask/mapped/{index}/required_actions"
        )
        section = page.split(f'aria-labelledby="approval-{event_id}"', 1)[1].split("</section>")[0]
        assert f'href="{link}"' in section
    assert page.count(f'href="{OPEN_REQUIRED_ACTIONS}"') == len(others) - 1


def test_a_decided_block_no_longer_waits(pages):
    (block,) = [row.id for row in pages.rows(moderation_events) if row.type == "block_requested"]
    enforcement = Enforcement(pages.store, EnforcementSettings.load(), {}, outbox.enqueue)
    Approvals(enforcement, CAPABILITIES).decide(
        block, Approval(False, "Sam", "First time, warn instead"), pages.now
    )
    page = pages.get("/approvals", "sam").text
    assert block not in sections(page)
    assert sorted(sections(page)) == sorted(pending_ids(pages))
