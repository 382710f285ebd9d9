"""The operators' pages in headless Chromium, served by Airflow's api-server on the sample data.

Each test signs in as one of the pages' roles (sam: manager, priya: officer, board: viewer),
clicks through a page with the keyboard or the mouse, saves a screenshot and checks the page
with axe-core (no serious or critical violations). ``TRIDENT_SAVE_SCREENSHOTS=1`` writes the
screenshots to ``docs/screenshots/`` for the README.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402 (only once Playwright is known to be there)

SAMPLE_PERIOD = "from=2026-03-23&to=2026-04-07"


def _heading(page, name: str) -> None:
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def test_the_inbox_queue_lists_items_soonest_deadline_first_and_filters(
    page, login, screenshot, assert_accessible
):
    login(page, "priya")
    page.goto("/trident/inbox")
    _heading(page, "Inbox queue")
    queue = page.locator("#queue tbody tr")
    expect(queue.first).to_contain_text("overdue by")
    deadlines = [
        datetime.strptime(text, "%d %b %Y at %H:%M")
        for text in page.locator("#queue tbody tr td:first-child").all_inner_texts()
    ]
    assert len(deadlines) > 10
    assert deadlines == sorted(deadlines)
    screenshot(page, "inbox", full_page=False)
    assert_accessible(page)

    page.get_by_label("Status").select_option("all")
    page.get_by_label("Platform").select_option("facebook")
    page.get_by_label("Channel").select_option("private")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"platform=facebook"))
    where = page.locator("#queue tbody tr td:nth-child(3)").all_inner_texts()
    assert where and all(text.startswith("Facebook, private") for text in where)


def test_an_officer_marks_an_item_with_the_keyboard_and_the_queue_says_so(
    page, login, assert_accessible
):
    login(page, "priya")
    page.goto("/trident/inbox?status=waiting&platform=bluesky")
    first = page.locator("#queue tbody tr").first
    summary = first.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    form = first.locator("form")
    expect(form).to_be_visible()
    form.get_by_label("Decision").select_option("no")
    form.get_by_label("Reason").fill("Answered by phone by the repairs team")
    assert_accessible(page)
    form.get_by_role("button", name="Record mark").click()
    expect(page.get_by_role("status")).to_contain_text("mark is recorded")

    page.goto("/trident/inbox?status=no_response_needed&platform=bluesky")
    expect(page.locator("#queue")).to_contain_text("Marked by priya: Answered by phone")


def test_the_board_sees_redacted_text_and_no_actions(page, login, screenshot, assert_accessible):
    login(page, "board")
    page.goto("/trident/inbox?status=all")
    _heading(page, "Inbox queue")
    expect(page.get_by_text("personal data is redacted")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Text (redacted)")).to_be_visible()
    assert page.locator("#queue summary").count() == 0
    assert page.get_by_role("link", name=re.compile("^Open on")).count() == 0
    text = " ".join(page.locator("#queue td.text").all_inner_texts())
    assert "[phone]" in text or "[email]" in text or "[person_name]" in text
    assert page.locator("#queue td.text strong").count() == 0
    screenshot(page, "inbox-board", full_page=False)
    assert_accessible(page)


def test_a_manager_finds_a_resident_and_reads_their_strike_history(
    page, login, screenshot, assert_accessible
):
    login(page, "sam")
    page.goto("/trident/residents")
    _heading(page, "Residents")
    page.get_by_label("Name, handle, account id or CRM contact id").fill("SAMPLE-DECLAN")
    page.keyboard.press("Enter")
    results = page.locator("#results")
    expect(results).to_contain_text("CRM contact SAMPLE-DECLAN-MARSH")
    screenshot(page, "residents")
    assert_accessible(page)

    results.get_by_role("link", name="CRM contact SAMPLE-DECLAN-MARSH").click()
    _heading(page, "Resident history")
    assert "SAMPLE" not in page.url  # the address carries an opaque reference only
    for section in ("Accounts", "Strikes", "Messages", "Blocks", "Ledger"):
        expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()
    strikes = page.locator("table[aria-labelledby='strikes'] tbody tr")
    assert strikes.count() >= 3
    expect(page.get_by_role("button", name=re.compile("^Unlink")).first).to_be_visible()
    screenshot(page, "resident")
    assert_accessible(page)


def test_a_manager_overrules_a_strike_on_appeal(page, login, assert_accessible):
    login(page, "sam")
    page.goto("/trident/residents")
    page.get_by_label("Name, handle, account id or CRM contact id").fill("SAMPLE-DECLAN")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="CRM contact SAMPLE-DECLAN-MARSH").click()
    active = page.locator("table[aria-labelledby='strikes'] tbody tr", has_text="active")
    before = active.count()
    assert before >= 1
    row = active.first
    row.locator("summary").click()
    row.get_by_label("Reason for overruling on appeal").fill(
        "The number was the resident's own, given in error; appeal upheld"
    )
    assert_accessible(page)
    row.get_by_role("button", name="Overrule strike").click()
    expect(page.get_by_role("status")).to_contain_text("strike is overruled")
    expect(page.locator("table[aria-labelledby='strikes']")).to_contain_text("by Sam:")
    assert active.count() == before - 1


def test_an_officer_may_not_decide_appeals(page, login):
    login(page, "priya")
    page.goto("/trident/residents")
    page.get_by_label("Name, handle, account id or CRM contact id").fill("SAMPLE-DECLAN")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="CRM contact SAMPLE-DECLAN-MARSH").click()
    _heading(page, "Resident history")
    assert page.get_by_role("button", name="Overrule strike").count() == 0
    assert page.get_by_role("columnheader", name="Appeal").count() == 0


def test_approvals_show_the_evidence_and_lead_to_required_actions(
    page, login, screenshot, assert_accessible
):
    login(page, "sam")
    page.goto("/trident/approvals")
    _heading(page, "Approvals")
    sections = page.locator("section.evidence")
    assert sections.count() >= 1
    expect(sections.first.get_by_role("heading", level=2)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Block CRM contact SAMPLE-DECLAN-MARSH")
    link = page.get_by_role("link", name=re.compile("^Answer under Required Actions")).first
    expect(link).to_have_attribute("href", re.compile("required_actions"))
    screenshot(page, "approvals")
    assert_accessible(page)


def test_the_response_times_dashboard_for_a_period_and_its_downloads(
    page, login, screenshot, assert_accessible
):
    login(page, "board")
    page.goto("/trident/response-times")
    _heading(page, "Response times")
    page.get_by_label("From").fill("2026-03-23")
    page.get_by_label("To (inclusive)").fill("2026-04-07")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(re.compile(SAMPLE_PERIOD))
    for heading in ("By platform", "By responder", "By day"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.locator("#table-responder")).to_contain_text("Sam")
    assert page.locator("svg.chart").count() >= 3
    screenshot(page, "response-times")
    assert_accessible(page)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV figures").click()
    assert csv_download.value.suggested_filename == (
        "response-times_2026-03-23_to_2026-04-07.csv"
    )
    with page.expect_download() as html_download:
        page.get_by_role("link", name="HTML report").click()
    assert html_download.value.suggested_filename.endswith(".html")


def test_the_crm_outbox_counts_entries_by_state(page, login, screenshot, assert_accessible):
    login(page, "priya")
    page.goto("/trident/outbox")
    _heading(page, "CRM outbox")
    counts = page.locator("#counts")
    expect(counts).to_contain_text("Waiting for contact")
    expect(counts).to_contain_text("Delivered")
    screenshot(page, "outbox")
    assert_accessible(page)


def test_the_pages_are_in_airflows_navigation_and_work_inside_it(
    page, login, screenshot, assert_accessible
):
    login(page, "sam")
    page.goto("/plugin/trident-inbox")
    frame = page.frame_locator("iframe").first
    expect(frame.get_by_role("heading", level=1, name="Inbox queue")).to_be_visible()
    frame.get_by_role("link", name="CRM outbox").click()
    expect(frame.get_by_role("heading", level=1, name="CRM outbox")).to_be_visible()
    screenshot(page, "airflow-navigation", full_page=False)
    inner = next(f for f in page.frames if f.url.endswith("/trident/outbox"))
    assert_accessible(inner)


def test_keyboard_users_can_skip_to_the_content_and_reach_every_page(page, login):
    login(page, "board")
    page.goto("/trident/inbox")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.goto("/trident/inbox")
    visited = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        visited.append(focused)
    for name in ("Inbox queue", "Residents", "Approvals", "Response times", "CRM outbox"):
        assert name in visited, visited


def test_signed_out_visitors_are_sent_to_sign_in(page):
    response = page.goto("/trident/inbox")
    assert response is not None and response.status == 401
    expect(page.get_by_role("link", name="Sign in")).to_have_attribute("href", re.compile("login"))
