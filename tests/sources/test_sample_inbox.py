"""The bundled sample inbox: it maps as documented, keeps its edge cases, and is reproducible."""

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from trident_pipeline.domain.models import InboxItem, Platform, Rejected
from trident_pipeline.sources.base import Account, MappedPage, Page
from trident_pipeline.sources.bluesky import mapping as bluesky_mapping
from trident_pipeline.sources.facebook import mapping as facebook_mapping
from trident_pipeline.sources.replay import SAMPLE_INBOX
from trident_pipeline.sources.x import mapping as x_mapping

MAPPERS = {
    Platform.X: x_mapping,
    Platform.BLUESKY: bluesky_mapping,
    Platform.FACEBOOK: facebook_mapping,
}

# (items, rejected) per platform and stream: a change to the data or the mapping that loses or
# gains a record fails here. Regenerate with scripts/build_sample_inbox.py and update both.
EXPECTED_COUNTS = {
    ("x", "mentions"): (99, 2),
    ("x", "own_tweets"): (43, 0),
    ("x", "dm_events"): (27, 1),
    ("bluesky", "notifications"): (59, 1),
    ("bluesky", "own_posts"): (26, 1),
    ("bluesky", "chat"): (16, 1),
    ("facebook", "feed"): (30, 1),
    ("facebook", "comments"): (61, 1),
    ("facebook", "messages"): (21, 1),
}
EXPECTED_REASONS = {
    ("x", "mentions"): ["text is not a string", "record has no id"],
    ("x", "dm_events"): ["record has no created_at"],
    ("bluesky", "notifications"): ["createdAt is not an ISO 8601 time"],
    ("bluesky", "own_posts"): ["createdAt has no time zone"],
    ("bluesky", "chat"): ["record is not an object"],
    ("facebook", "feed"): ["message is not a string"],
    ("facebook", "comments"): ["created_time is not an ISO 8601 time"],
    ("facebook", "messages"): ["record has no id"],
}
PERIOD_START = datetime(2026, 3, 23, tzinfo=UTC)
PERIOD_END = datetime(2026, 4, 8, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")

# Phone-like: 10 to 13 digits, optionally after + or 00, with spaces, dots, dashes or brackets.
PHONE_LIKE = re.compile(r"(?<!\w)(?:\+|00)?\(?\d(?:[\s().\-]*\d){9,12}(?!\w)")
DRAMA_RANGES = re.compile(r"07700900\d{3}|01632960\d{3}|01134960\d{3}|02079460\d{3}")
ORG_NUMBER = "03069990456"
TEXT_FIELDS = {"text", "message", "name", "displayName"}


def recorded(platform: Platform, stream: str) -> list[dict]:
    path = SAMPLE_INBOX / platform.value / f"{stream}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def accounts() -> dict[Platform, Account]:
    own = json.loads((SAMPLE_INBOX / "accounts.json").read_text(encoding="utf-8"))
    return {platform: Account(platform, **own[platform.value]) for platform in Platform}


def mapped(platform: Platform, stream: str) -> MappedPage:
    whole = MappedPage()
    account = accounts()[platform]
    for exchange in recorded(platform, stream):
        page = Page(stream, exchange["payload"], exchange["context"])
        one = MAPPERS[platform].map_page(page, account)
        whole.items += one.items
        whole.rejected += one.rejected
    return whole


@pytest.fixture(scope="module")
def sample() -> dict[tuple[str, str], MappedPage]:
    return {
        (platform.value, stream): mapped(platform, stream)
        for platform in Platform
        for stream in MAPPERS[platform].STREAMS
    }


@pytest.fixture(scope="module")
def items(sample) -> list[InboxItem]:
    return [item for page in sample.values() for item in page.items]


def test_every_stream_has_a_file_of_recorded_pages():
    for platform in Platform:
        files = sorted(path.stem for path in (SAMPLE_INBOX / platform.value).glob("*.json"))
        assert files == sorted(MAPPERS[platform].STREAMS)
        for stream in files:
            pages = recorded(platform, stream)
            assert pages, f"{platform.value}/{stream} has no pages"
            for exchange in pages:
                assert set(exchange) == {"context", "payload"}
                assert all(isinstance(v, str) for v in exchange["context"].values())


def test_each_stream_maps_to_exactly_the_expected_items_and_rejections(sample):
    counts = {key: (len(page.items), len(page.rejected)) for key, page in sample.items()}

    assert counts == EXPECTED_COUNTS


def test_the_malformed_records_are_rejected_for_the_documented_reasons(sample):
    reasons = {
        key: [r.reason for r in page.rejected] for key, page in sample.items() if page.rejected
    }

    assert reasons == EXPECTED_REASONS
    assert all(isinstance(r, Rejected) for page in sample.values() for r in page.rejected)


def test_the_total_is_a_few_hundred_items_public_and_private_ours_and_theirs(items):
    assert 350 <= len(items) <= 450
    assert Counter(item.channel.value for item in items).keys() == {"public", "private"}
    assert {item.is_ours for item in items} == {True, False}
    for platform in Platform:
        kinds = {item.kind.value for item in items if item.platform is platform}
        assert "direct_message" in kinds, platform


def test_every_item_has_a_unique_key_and_an_aware_time_inside_the_period(items):
    keys = Counter(item.key for item in items)
    assert [key for key, count in keys.items() if count > 1] == []
    for item in items:
        assert item.created_at.tzinfo is UTC
        assert PERIOD_START <= item.created_at < PERIOD_END, item.key


def test_the_period_spans_the_clock_change_and_both_bank_holidays(items):
    change = datetime(2026, 3, 29, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert any(change - hour <= item.created_at < change for item in items)
    assert any(change <= item.created_at < change + hour for item in items)
    days = {item.created_at.astimezone(LONDON).date() for item in items}
    assert {date(2026, 4, 3), date(2026, 4, 6)} <= days


def test_the_sample_keeps_its_edge_cases(items):
    texts = [item.text for item in items]
    assert max(len(text) for text in texts) > 5000
    assert any(any(ord(ch) > 0xFFFF for ch in text) for text in texts)
    assert any("\u200b" in text for text in texts)
    assert any(text == "" for text in texts)
    assert any(item.author.user_id is None for item in items)
    x_unknown = [i for i in items if i.platform is Platform.X and i.author.handle is None]
    assert x_unknown and all(i.url.startswith("https://x.com/i/web/status/") for i in x_unknown)
    bluesky_unverified = [
        i for i in items if i.platform is Platform.BLUESKY and i.author.handle is None
    ]
    assert any(i.url and "/profile/did:plc:" in i.url for i in bluesky_unverified)


def test_the_organisations_replies_use_the_responders_sign_offs(items, project_root):
    staff = yaml.safe_load((project_root / "config" / "staff.yaml").read_text(encoding="utf-8"))
    sign_offs = [form for responder in staff["responders"] for form in responder["sign_offs"]]
    replies = [item for item in items if item.is_ours and item.kind.value != "post"]
    used = [
        max((form for form in sign_offs if item.text.endswith(form)), key=len, default=None)
        for item in replies
    ]
    assert set(sign_offs) <= set(used)
    assert None in used  # some replies are unsigned


def test_one_resident_writes_on_all_three_platforms(items):
    names = {
        platform: {item.author.display_name for item in items if item.platform is platform}
        for platform in Platform
    }
    assert "Declan Marsh" in names[Platform.X] & names[Platform.BLUESKY] & names[Platform.FACEBOOK]


def test_the_sample_accounts_are_the_configured_accounts(project_root):
    config = yaml.safe_load((project_root / "config" / "accounts.yaml").read_text(encoding="utf-8"))
    own = json.loads((SAMPLE_INBOX / "accounts.json").read_text(encoding="utf-8"))

    assert own == {
        name: {"user_id": entry["user_id"], "handle": entry["handle"]}
        for name, entry in config.items()
    }


def _texts(value: object, inside: bool = False):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _texts(inner, inside or key in TEXT_FIELDS)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner, inside)
    elif isinstance(value, str) and inside:
        yield value


def _numbers() -> list[str]:
    found = []
    for platform in Platform:
        for stream in MAPPERS[platform].STREAMS:
            for text in _texts(recorded(platform, stream)):
                for match in PHONE_LIKE.finditer(text):
                    digits = re.sub(r"\D", "", match.group())
                    if digits.startswith("0044"):
                        digits = "0" + digits[4:]
                    elif digits.startswith("44"):
                        digits = "0" + digits[2:]
                    found.append(digits)
    return found


def test_every_phone_number_is_in_an_ofcom_drama_range_or_is_our_own():
    numbers = _numbers()

    assert [n for n in numbers if not (DRAMA_RANGES.fullmatch(n) or n == ORG_NUMBER)] == []
    # The scan finds the awkward forms: spaced digits, dots, +44, brackets, dashes, our own.
    assert {"07700900555", "07700900654", "07700900321", "01632960123", "01134960123"} <= set(
        numbers
    )
    assert ORG_NUMBER in numbers


def test_the_readme_counts_agree_with_the_mapping(sample):
    readme = (SAMPLE_INBOX / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (x|bluesky|facebook) \| (\w+) \|((?: \d+ \|)+)$", readme, re.M)
    documented = {
        (platform, stream): tuple(int(cell) for cell in cells.strip(" |").split(" | "))
        for platform, stream, cells in rows
    }
    # Columns: pages, records, items, ours, theirs, skipped, rejected.
    assert {key: (row[2], row[6]) for key, row in documented.items()} == EXPECTED_COUNTS
    for key, page in sample.items():
        ours = sum(item.is_ours for item in page.items)
        assert documented[key][3:5] == (ours, len(page.items) - ours)


def test_the_generator_is_deterministic_and_the_committed_sample_is_current(tmp_path, project_root):
    script = project_root / "scripts" / "build_sample_inbox.py"

    subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        check=True,
        cwd=project_root,
        capture_output=True,
    )

    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(SAMPLE_INBOX) for p in Path(SAMPLE_INBOX).rglob("*") if p.is_file()
    )
    assert generated == committed
    for relative in generated:
        assert (tmp_path / relative).read_bytes() == (SAMPLE_INBOX / relative).read_bytes(), (
            f"{relative} differs: run scripts/build_sample_inbox.py"
        )
