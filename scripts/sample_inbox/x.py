"""The story on X, in the X API v2 wire format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from .story import X_LIMIT, Msg, Story, Thread, X, when
from .wire import B64URL, LOWER_ALNUM, UPPER_ALNUM, Book, Entry, Ids, chunks, order

__all__ = ["XRenderer"]


class XRenderer:
    """``mentions``, ``own_tweets`` and ``dm_events`` pages, 20 records a page."""

    PAGE = 20

    def __init__(self, story: Story, ids: Ids, book: Book) -> None:
        self.story, self.ids, self.book = story, ids, book
        self.org = story.people["org"]
        self.threads = [thread for thread in story.threads if thread.platform is X]
        for message in order([m for thread in self.threads for m in thread.messages]):
            message.ids["x"] = ids.snowflake(message.at)

    def render(self) -> dict[str, list[dict[str, Any]]]:
        """Every stream's recorded pages, by stream name.

        Raises:
            ValueError: when a post is longer than X allows.
        """
        public = [m for t in self.threads if not t.private for m in t.messages]
        mentions = [self.tweet_entry(m, "mentions") for m in order(public) if not m.ours]
        own = [self.tweet_entry(m, "own_tweets") for m in order(public) if m.ours]
        own.append(self.retweet())
        return {
            "mentions": self.tweet_pages(mentions),
            "own_tweets": self.tweet_pages(own),
            "dm_events": self.dm_pages(),
        }

    def tweet_entry(self, msg: Msg, stream: str) -> Entry:
        text = msg.text
        if msg.ours and msg.parent is not None and not msg.parent.ours:
            text = f"@{msg.parent.who.x} {text}"
        elif not msg.ours and "@tridentgrp" not in text:
            text = f"@tridentgrp {text}"
        references = []
        if msg.parent is not None:
            references.append({"type": "replied_to", "id": msg.parent.ids["x"]})
        if msg.quotes is not None:
            text += " https://t.co/" + self.ids.text(B64URL[:52], 10)
            references.append({"type": "quoted", "id": msg.quotes.ids["x"]})
        if len(text) > X_LIMIT:
            raise ValueError(f"X post over {X_LIMIT} characters: {text[:40]}")
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        tweet: dict[str, Any] = {
            "edit_history_tweet_ids": [msg.ids["x"]],
            "conversation_id": msg.root().ids["x"],
            "author_id": msg.who.x_id,
            "created_at": msg.at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "id": msg.ids["x"],
            "text": escaped,
        }
        if msg.parent is not None:
            tweet["in_reply_to_user_id"] = msg.parent.who.x_id
        if references:
            tweet["referenced_tweets"] = references
        record = self.book.record(X, stream, msg, tweet, tweet, "created_at")
        return Entry(msg.at, msg.seq, record, msg.who)

    def retweet(self) -> Entry:
        """Our retweet of the council's post: not correspondence, so the mapping skips it."""
        council = self.story.people["council"]
        original = self.ids.snowflake(when("31 08:55"))
        at = when("31 09:47")
        tweet_id = self.ids.snowflake(at)
        self.book.add(X, "own_tweets", "skipped", "retweet")
        self.book.notes.append((X.value, "own_tweets", at, "a retweet (skipped)"))
        record = {
            "edit_history_tweet_ids": [tweet_id],
            "conversation_id": tweet_id,
            "author_id": self.org.x_id,
            "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "id": tweet_id,
            "text": f"RT @{council.x}: Bulky waste collections resume on Tuesday 7 April. Book "
            "online or call the council.",
            "referenced_tweets": [{"type": "retweeted", "id": original}],
        }
        return Entry(at, -1, record, self.org)

    def tweet_pages(self, entries: list[Entry]) -> list[dict[str, Any]]:
        rendered = []
        for page, meta in self.paged(entries, LOWER_ALNUM, 45):
            data = [entry.record for entry in page]
            ids = [r["id"] for r in data if isinstance(r, dict) and "id" in r]
            if ids:
                meta.update(newest_id=ids[0], oldest_id=ids[-1])
            payload: dict[str, Any] = {"data": data} if data else {}
            payload.update(self.includes(page, "author_id"))
            payload["meta"] = meta
            rendered.append({"context": {}, "payload": payload})
        return rendered

    def paged(
        self, entries: list[Entry], alphabet: str, length: int
    ) -> Iterator[tuple[list[Entry], dict[str, Any]]]:
        """Pages newest first, each with its ``meta``: count and pagination tokens."""
        pages = chunks(entries, self.PAGE)
        for number, page in enumerate(pages):
            meta: dict[str, Any] = {"result_count": len(page)}
            if number + 1 < len(pages):
                meta["next_token"] = self.ids.text(alphabet, length)
            if number > 0:
                meta["previous_token"] = self.ids.text(alphabet, length)
            yield page, meta

    def includes(self, page: list[Entry], parameter: str) -> dict[str, Any]:
        users: list[dict[str, str]] = []
        errors: list[dict[str, str]] = []
        for person in dict.fromkeys(entry.author for entry in page if entry.author):
            if person.x_suspended:
                errors.append(
                    {
                        "value": person.x_id,
                        "detail": f"Could not find user with {parameter}: [{person.x_id}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "parameter": parameter,
                        "resource_id": person.x_id,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                )
            else:
                users.append({"id": person.x_id, "name": person.name, "username": person.x})
        included: dict[str, Any] = {"includes": {"users": users}} if users else {}
        if errors:
            included["errors"] = errors
        return included

    def dm_pages(self) -> list[dict[str, Any]]:
        entries: list[Entry] = []
        for thread in (t for t in self.threads if t.private):
            entries.extend(self.conversation(thread))
        rendered = []
        for page, meta in self.paged(entries, UPPER_ALNUM, 18):
            payload: dict[str, Any] = {"data": [entry.record for entry in page]}
            payload.update(self.includes(page, "sender_id"))
            payload["meta"] = meta
            rendered.append({"context": {}, "payload": payload})
        return rendered

    def conversation(self, thread: Thread) -> Iterator[Entry]:
        members = list(dict.fromkeys([self.org] + [m.who for m in thread.messages]))
        first, last = thread.messages[0], thread.messages[-1]
        if thread.group:
            conversation_id = self.ids.snowflake(first.at - timedelta(minutes=3))
        else:
            a, b = sorted((int(self.org.x_id), int(first.who.x_id)))
            conversation_id = f"{a}-{b}"
        for msg in thread.messages:
            event = {
                "id": msg.ids["x"],
                "text": msg.text,
                "event_type": "MessageCreate",
                "dm_conversation_id": conversation_id,
                "created_at": msg.at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "sender_id": msg.who.x_id,
            }
            record = self.book.record(X, "dm_events", msg, event, event, "created_at")
            yield Entry(msg.at, msg.seq, record, msg.who)
        if thread.group:
            joined = first.at - timedelta(minutes=2)
            left = last.at + timedelta(hours=20)
            for event_type, at, who in (
                ("ParticipantsJoin", joined, members),
                ("ParticipantsLeave", left, members[-1:]),
            ):
                self.book.add(X, "dm_events", "skipped", event_type)
                yield Entry(
                    at,
                    -1,
                    {
                        "id": self.ids.snowflake(at),
                        "event_type": event_type,
                        "dm_conversation_id": conversation_id,
                        "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                        "participant_ids": [person.x_id for person in who],
                    },
                )
