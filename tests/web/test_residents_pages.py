"""The Residents pages: search, a resident's history, linking and unlinking accounts,
overruling a strike on appeal and reviewing a block, through Airflow's API server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from trident_pipeline.blocking import Approval, Approvals
from trident_pipeline.config.strikes import EnforcementSettings
from trident_pipeline.crm import outbox
from trident_pipeline.enforcement import Enforcement
from trident_pipeline.sources.capabilities import CAPABILITIES
from trident_pipeline.sources.sample_moderator import sample_moderators
from trident_pipeline.store.schema import account_links, crm_outbox, moderation_events

pytestmark = [
    pytest.mark.airflow,
    # Airflow's own development fallback: a generated JWT secret shorter than SHA-512 likes.
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]

OTHER_X_ACCOUNT = "3449963409"
"""A sample author with two strikes of their own, on no customer record."""
DECLAN_X_STRIKE = "x:2037298876513930779"
"""The sample resident's strike on X."""


def path_of(pages, resident_id: str) -> str:
    return f"/residents/{pages.services.references.of(resident_id)}"


def events(pages, kind: str) -> list:
    return pages.rows(moderation_events, moderation_events.c.type == kind)


def outbox_entries(pages, prefix: str) -> list:
    return pages.rows(crm_outbox, crm_outbox.c.idempotency_key.startswith(prefix))


def active_strikes(page: str) -> int:
    """How many rows of a history's strikes table say the strike is active."""
    return len(re.findall(r"<td>active(?:</td>|<br>)", page))


def search(pages, user: str, query: str):
    return pages.post("/residents", user, {"q": query})


# ------------------------------------------------------------------------------- search


def test_the_residents_page_offers_a_search_and_officers_the_link_form(pages):
    board = pages.get("/residents", "board")
    officer = pages.get("/residents", "priya")
    assert board.status_code == officer.status_code == 200
    for page in (board.text, officer.text):
        assert 'name="q"' in page
    assert "Link an account to a customer record" in officer.text
    assert "Link an account to a customer record" not in board.text
    assert "only account and contact ids are searched" in board.text


def test_a_search_by_handle_finds_the_resident_with_every_linked_account(pages):
    response = search(pages, "priya", "DECMARSH")
    assert response.status_code == 200
    page = response.text
    assert "1 resident found" in page
    assert "CRM contact SAMPLE-DECLAN-MARSH" in page
    assert "@decmarsh88" in page and "@decmarsh.bsky.social" in page
    for account in pages.accounts:
        assert f"(id {account.user_id})" in page
    assert re.search(r"<td>3</td>", page), "three active strikes across the accounts"
    (link,) = pages.hrefs(page, r"/residents/[0-9a-f]{32}$")
    assert link.endswith(path_of(pages, f"contact:{pages.contact}"))


def test_a_search_by_name_needs_personal_data(pages):
    assert "CRM contact SAMPLE-DECLAN-MARSH" in search(pages, "sam", "declan marsh").text
    board = search(pages, "board", "declan marsh").text
    assert "Nobody matches" in board
    assert "CRM contact SAMPLE-DECLAN-MARSH" not in board


def test_the_board_finds_residents_by_account_or_contact_id_only(pages):
    by_account = search(pages, "board", pages.accounts[0].user_id).text
    by_contact = search(pages, "board", "sample-declan").text
    for page in (by_account, by_contact):
        assert "CRM contact SAMPLE-DECLAN-MARSH" in page
        for personal in pages.personal_data:
            assert personal not in page
    by_handle = search(pages, "board", "decmarsh88").text
    assert "Nobody matches" in by_handle, "a handle is personal data the board may not probe"
    assert "SAMPLE-DECLAN-MARSH" not in by_handle


def test_a_handle_with_underscores_is_found_as_typed(pages):
    page = search(pages, "priya", "tariq_h_").text
    assert "1 resident found" in page
    assert f"(id {OTHER_X_ACCOUNT})" in page
    assert "Nobody matches" in search(pages, "priya", "tariqh").text


@pytest.mark.parametrize("query", ["a", " a ", "x" * 201])
def test_a_search_too_short_or_too_long_is_refused(pages, query):
    response = search(pages, "priya", query)
    assert response.status_code == 422
    assert re.search(r"<li>Search: [^<]+</li>", response.text)


# ------------------------------------------------------------------------------ history


def test_a_residents_history_shows_accounts_strikes_and_the_block_request(pages):
    response = pages.get(path_of(pages, f"contact:{pages.contact}"), "priya")
    assert response.status_code == 200
    page = response.text
    assert "CRM contact <strong>SAMPLE-DECLAN-MARSH</strong>" in page
    assert active_strikes(page) == 3
    assert "@decmarsh88" in page and "@decmarsh.bsky.social" in page
    assert page.count(">Unlink<") == 3
    assert "by make run on 23 Mar 2026 at 00:00" in page
    assert "call me on [phone]" in page, "strike excerpts are redacted for everyone"
    assert "awaiting a manager&#39;s decision" in page
    assert "Overrule strike" not in page, "an officer does not decide appeals"
    manager = pages.get(path_of(pages, f"contact:{pages.contact}"), "sam").text
    assert manager.count("Overrule strike") == 3


def test_the_board_reads_a_history_without_handles_or_actions(pages):
    response = pages.get(path_of(pages, f"contact:{pages.contact}"), "board")
    assert response.status_code == 200
    for personal in pages.personal_data:
        assert personal not in response.text
    assert active_strikes(response.text) == 3
    for action in ("Unlink", "Overrule strike", "Link another account", "Record review"):
        assert action not in response.text


def test_an_unlinked_account_has_a_history_of_its_own(pages):
    response = pages.get(path_of(pages, f"account:x:{OTHER_X_ACCOUNT}"), "priya")
    assert response.status_code == 200
    assert "An account not linked to a customer record" in response.text
    assert active_strikes(response.text) == 2


@pytest.mark.parametrize(
    ("reference", "status"),
    [("not-a-reference", 422), ("A" * 32, 422), ("0" * 31, 422), ("0" * 32, 404)],
)
def test_a_bad_or_unknown_reference_is_refused(pages, reference, status):
    response = pages.get(f"/residents/{reference}", "priya")
    assert response.status_code == status
    if status == 404:
        assert "search for them again" in response.text


# ---------------------------------------------------------------------- link and unlink


def test_linking_an_account_writes_the_link_the_ledger_and_a_customer_record_note(pages):
    form = {"platform": "x", "user_id": OTHER_X_ACCOUNT, "contact_id": pages.contact}
    response = pages.post("/residents/link", "priya", form)
    assert response.status_code == 303
    resident = path_of(pages, f"contact:{pages.contact}")
    assert response.headers["location"] == f"/trident{resident}?done=linked"

    (link,) = pages.rows(account_links, account_links.c.user_id == OTHER_X_ACCOUNT)
    assert (link.contact_id, link.source, link.linked_by) == (pages.contact, "operator", "priya")
    (event,) = [e for e in events(pages, "account_linked") if e.user_id == OTHER_X_ACCOUNT]
    assert (event.actor, event.resident_id) == ("priya", f"contact:{pages.contact}")
    (note,) = outbox_entries(pages, f"note:account_linked:x:{OTHER_X_ACCOUNT}:")
    assert note.subject == "Account linked"
    assert note.body.startswith("priya linked a X account to this record on 8 Apr 2026 at 10:00")

    page = pages.get(resident, "priya", done="linked").text
    assert "The account is linked" in page
    assert active_strikes(page) == 5, "the linked account's strikes count with the others"

    again = pages.post("/residents/link", "priya", form)
    assert again.status_code == 303
    assert again.headers["location"] == f"/trident{resident}?done=unchanged"
    assert len([e for e in events(pages, "account_linked") if e.user_id == OTHER_X_ACCOUNT]) == 1
    assert len(outbox_entries(pages, f"note:account_linked:x:{OTHER_X_ACCOUNT}:")) == 1


def test_unlinking_an_account_writes_the_unlink_the_ledger_and_a_note(pages):
    facebook = pages.accounts[2]
    form = {"platform": "facebook", "user_id": facebook.user_id}
    response = pages.post("/residents/unlink", "priya", form)
    assert response.status_code == 303
    alone = path_of(pages, f"account:facebook:{facebook.user_id}")
    assert response.headers["location"] == f"/trident{alone}?done=unlinked"

    (link,) = pages.rows(account_links, account_links.c.user_id == facebook.user_id)
    assert (link.contact_id, link.linked_by) == (None, "priya")
    (event,) = events(pages, "account_unlinked")
    assert (event.actor, event.user_id) == ("priya", facebook.user_id)
    (note,) = outbox_entries(pages, "note:account_unlinked:")
    assert note.body.startswith("priya unlinked a Facebook account on 8 Apr 2026 at 10:00")

    page = pages.get(alone, "priya").text
    assert "An account not linked to a customer record" in page
    contact = pages.get(path_of(pages, f"contact:{pages.contact}"), "priya").text
    assert active_strikes(contact) == 2

    again = pages.post("/residents/unlink", "priya", form)
    assert again.headers["location"] == f"/trident{alone}?done=unchanged"
    assert len(events(pages, "account_unlinked")) == 1
    assert len(outbox_entries(pages, "note:account_unlinked:")) == 1


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"platform": "myspace"}, "Platform"),
        ({"user_id": ""}, "Account id"),
        ({"user_id": "two words"}, "Account id"),
        ({"contact_id": "has space"}, "CRM contact id"),
        ({"contact_id": "-leading-dash"}, "CRM contact id"),
    ],
)
def test_a_bad_link_is_refused_with_the_field_named_and_writes_nothing(pages, form, field):
    before = pages.rows(account_links)
    sent = {"platform": "x", "user_id": OTHER_X_ACCOUNT, "contact_id": pages.contact}
    response = pages.post("/residents/link", "priya", sent | form)
    assert response.status_code == 422
    assert re.search(rf"<li>{field}: [^<]+</li>", response.text), response.text
    assert pages.rows(account_links) == before


# ------------------------------------------------------------------------------ appeals


def test_a_manager_overrules_a_strike_once_with_their_pseudonym(pages):
    resident = path_of(pages, f"contact:{pages.contact}")
    form = {"item_key": DECLAN_X_STRIKE, "reason": "Appeal upheld", "back": f"/trident{resident}"}
    response = pages.post("/strikes/overrule", "sam", form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/trident{resident}?done=overruled"

    (event,) = events(pages, "strike_overruled")
    assert (event.actor, event.item_key) == ("Sam", DECLAN_X_STRIKE)
    assert event.detail["reason"] == "Appeal upheld"
    (record,) = outbox_entries(pages, "strike_event:strike_overruled:")
    assert record.kind == "strike_event"
    assert "overruled on appeal by Sam on 8 Apr 2026 at 10:00: Appeal upheld." in record.body

    page = pages.get(resident, "sam").text
    assert active_strikes(page) == 2
    assert "by Sam: Appeal upheld" in page

    again = pages.post("/strikes/overrule", "sam", form)
    assert again.headers["location"] == f"/trident{resident}?done=unchanged"
    assert len(events(pages, "strike_overruled")) == 1
    assert len(outbox_entries(pages, "strike_event:strike_overruled:")) == 1


@pytest.mark.parametrize(
    ("user", "why"),
    [
        ("priya", "only a manager&#39;s Airflow role may decide"),
        ("alex", "Alex"),
        ("olly", "not a responder&#39;s login in staff.yaml"),
    ],
    ids=["officer-role", "op-role-but-an-officer", "op-role-not-in-staff"],
)
def test_only_a_manager_in_staff_yaml_may_overrule(pages, user, why):
    form = {"item_key": DECLAN_X_STRIKE, "reason": "Appeal upheld"}
    response = pages.post("/strikes/overrule", user, form)
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert why in response.text
    assert events(pages, "strike_overruled") == []


def test_overruling_an_item_without_a_strike_is_not_found(pages):
    response = pages.post("/strikes/overrule", "sam", {"item_key": "x:404", "reason": "appeal"})
    assert response.status_code == 404
    assert events(pages, "strike_overruled") == []


def test_an_overrule_needs_a_reason(pages):
    response = pages.post("/strikes/overrule", "sam", {"item_key": DECLAN_X_STRIKE, "reason": ""})
    assert response.status_code == 422
    assert re.search(r"<li>Reason: [^<]+</li>", response.text)
    assert events(pages, "strike_overruled") == []


# ---------------------------------------------------------------------------- block reviews


def block_request_id(pages) -> int:
    (request,) = events(pages, "block_requested")
    assert request.resident_id == f"contact:{pages.contact}"
    return request.id


def approve_block(pages, request_id: int) -> None:
    """As the trident_block DAG does on the sample inbox when Sam approves."""
    store = pages.store
    enforcement = Enforcement(
        store, EnforcementSettings.load(), sample_moderators(store), outbox.enqueue
    )
    Approvals(enforcement, CAPABILITIES).decide(
        request_id, Approval(True, "Sam", "Three strikes in two weeks"), pages.now
    )


def review(pages, user: str, request_id: int, outcome: str, reason: str = "Reviewed"):
    resident = path_of(pages, f"contact:{pages.contact}")
    form = {"request_id": str(request_id), "outcome": outcome, "reason": reason}
    return pages.post("/blocks/review", user, form | {"back": f"/trident{resident}"})


def test_a_block_not_in_force_cannot_be_reviewed(pages):
    response = review(pages, "sam", block_request_id(pages), "lifted")
    assert response.status_code == 404
    assert "no block in force" in response.text
    assert events(pages, "block_reviewed") == []


def test_a_block_is_not_kept_before_its_review_is_due_and_may_be_lifted_at_once(pages):
    request_id = block_request_id(pages)
    approve_block(pages, request_id)
    resident = path_of(pages, f"contact:{pages.contact}")
    page = pages.get(resident, "sam").text
    assert "in force (Sam)" in page
    assert "7 Jul 2026" in page, "reviewed 90 days after the approval"
    assert "(not due yet)" in page

    early = review(pages, "sam", request_id, "kept")
    assert early.status_code == 400
    assert "Cannot do that" in early.text
    assert "the block is next due for review on 7 Jul 2026" in early.text
    assert events(pages, "block_reviewed") == []

    lifted = review(pages, "sam", request_id, "lifted", "Apologised in writing")
    assert lifted.status_code == 303
    assert lifted.headers["location"] == f"/trident{resident}?done=reviewed"
    (event,) = events(pages, "block_reviewed")
    assert event.actor == "Sam"
    assert (event.detail["outcome"], event.detail["reason"]) == ("lifted", "Apologised in writing")
    notes = outbox_entries(pages, "note:block_reviewed:")
    strike_events = outbox_entries(pages, "strike_event:block_reviewed:")
    assert len(notes) == len(strike_events) == 1
    assert "lifted (Apologised in writing)" in notes[0].body
    assert "<td>lifted (Sam)</td>" in pages.get(resident, "sam").text

    again = review(pages, "sam", request_id, "lifted", "Apologised in writing")
    assert again.status_code == 404, "a lifted block is no longer in force"
    assert len(events(pages, "block_reviewed")) == 1


def test_a_block_due_for_review_may_be_kept_until_the_next_review(pages):
    request_id = block_request_id(pages)
    approve_block(pages, request_id)
    pages.set_clock(pages.now + timedelta(days=91))
    resident = path_of(pages, f"contact:{pages.contact}")
    assert "due</strong>" in pages.get(resident, "sam").text

    kept = review(pages, "sam", request_id, "kept", "Still posting abuse")
    assert kept.status_code == 303
    (event,) = events(pages, "block_reviewed")
    assert (event.actor, event.detail["outcome"]) == ("Sam", "kept")
    (note,) = outbox_entries(pages, "note:block_reviewed:")
    assert "Next review due 6 Oct 2026" in note.body
    assert "6 Oct 2026" in pages.get(resident, "sam").text


@pytest.mark.parametrize("user", ["priya", "board"])
def test_only_a_manager_role_reviews_a_block(pages, user):
    request_id = block_request_id(pages)
    approve_block(pages, request_id)
    response = review(pages, user, request_id, "lifted")
    assert response.status_code == 403
    assert events(pages, "block_reviewed") == []


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"outcome": "forgiven"}, "Outcome"),
        ({"request_id": "0"}, "Block request"),
        ({"request_id": "first"}, "Block request"),
        ({"reason": "no"}, "Reason"),
    ],
)
def test_a_bad_review_is_refused_with_the_problem_named(pages, form, field):
    request_id = block_request_id(pages)
    approve_block(pages, request_id)
    sent = {"request_id": str(request_id), "outcome": "lifted", "reason": "Apologised"}
    response = pages.post("/blocks/review", "sam", sent | form)
    assert response.status_code == 422
    assert re.search(rf"<li>{field}: [^<]+</li>", response.text), response.text
    assert events(pages, "block_reviewed") == []
