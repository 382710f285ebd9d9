"""The story on Bluesky, in the AT Protocol (app.bsky and chat.bsky) wire format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from trident_pipeline.sources.bluesky.mapping import chat_context

from .filler import inbound_time
from .story import BLUESKY, BLUESKY_LIMIT, PERIOD_END, Msg, Person, Story, Thread, when
from .wire import Book, Entry, Ids, chunks, cid, iso_millis, order

__all__ = ["BlueskyRenderer"]


def cbor_order(value: Any) -> Any:
    """A record's keys in DAG-CBOR order (shorter first, then bytewise), as the AppView sends."""
    if isinstance(value, dict):
        return {k: cbor_order(value[k]) for k in sorted(value, key=lambda k: (len(k), k))}
    if isinstance(value, list):
        return [cbor_order(item) for item in value]
    return value


class BlueskyRenderer:
    """``notifications`` (25 a page), ``own_posts`` (20 a page) and ``chat`` (20 a page)."""

    MENTION = "@tridentgrp.bsky.social"
    SEEN_AT = when("7 16:05")

    def __init__(self, story: Story, ids: Ids, book: Book) -> None:
        self.story, self.ids, self.book, self.rng = story, ids, book, ids.rng
        self.org = story.people["org"]
        self.threads = [thread for thread in story.threads if thread.platform is BLUESKY]
        self.likes: dict[str, int] = {}
        self.reposts: dict[str, int] = {}
        for thread in self.threads:
            for msg in thread.messages:
                self.stamp(msg, chat=thread.private)

    def stamp(self, msg: Msg, chat: bool = False) -> None:
        created = msg.at + timedelta(milliseconds=self.rng.randrange(1000))
        msg.ids["createdAt"] = iso_millis(created)
        msg.ids["indexedAt"] = iso_millis(
            created + timedelta(milliseconds=self.rng.randrange(150, 900))
        )
        if chat:
            msg.ids["id"] = self.ids.tid(created)
            msg.ids["rev"] = self.ids.tid(created + timedelta(milliseconds=1))
        else:
            msg.ids["uri"] = f"at://{msg.who.did}/app.bsky.feed.post/{self.ids.tid(created)}"
            msg.ids["cid"] = cid(msg.ids["uri"])

    def render(self) -> dict[str, list[dict[str, Any]]]:
        """Every stream's recorded pages, by stream name.

        Raises:
            ValueError: when a post is longer than Bluesky allows.
        """
        public = order([m for t in self.threads if not t.private for m in t.messages])
        reactions = list(self.reactions(public))
        notifications = [self.notification(m) for m in public if not m.ours] + reactions
        own = [self.feed_item(m) for m in public if m.ours] + [self.repost()]
        return {
            "notifications": self.pages(notifications, 25, "notifications", seen=True),
            "own_posts": self.pages(own, 20, "feed"),
            "chat": [page for thread in self.by_latest() for page in self.chat(thread)],
        }

    def by_latest(self) -> list[Thread]:
        private = [thread for thread in self.threads if thread.private]
        return sorted(private, key=lambda t: (t.messages[-1].at, t.messages[-1].seq), reverse=True)

    def profile(self, person: Person, full: bool = False) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "did": person.did,
            "handle": "handle.invalid" if person.bluesky_invalid_handle else person.bluesky,
        }
        if not person.bluesky_no_display_name:
            profile["displayName"] = person.name
            profile["avatar"] = (
                f"https://cdn.bsky.app/img/avatar/plain/{person.did}/{cid(person.did)}@jpeg"
            )
        profile.update(
            viewer={"muted": False, "blockedBy": False}, labels=[], createdAt=person.joined
        )
        if full:
            profile["indexedAt"] = person.joined
        return profile

    def post_record(self, msg: Msg) -> dict[str, Any]:
        text = msg.text
        replies_to_us = msg.parent is not None and msg.parent.ours
        if not msg.ours and not replies_to_us and msg.quotes is None and self.MENTION not in text:
            text = f"{self.MENTION} {text}"
        if len(text) > BLUESKY_LIMIT:
            raise ValueError(f"Bluesky post over {BLUESKY_LIMIT} characters: {text[:40]}")
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "createdAt": msg.ids["createdAt"],
            "langs": ["en"],
            "text": text,
        }
        if self.MENTION in text:
            start = len(text[: text.index(self.MENTION)].encode())
            record["facets"] = [
                {
                    "index": {"byteStart": start, "byteEnd": start + len(self.MENTION.encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": self.org.did}],
                }
            ]
        if msg.parent is not None:
            record["reply"] = {"root": self.ref(msg.root()), "parent": self.ref(msg.parent)}
        if msg.quotes is not None:
            record["embed"] = {"$type": "app.bsky.embed.record", "record": self.ref(msg.quotes)}
        return cbor_order(record)

    @staticmethod
    def ref(msg: Msg) -> dict[str, str]:
        return {"cid": msg.ids["cid"], "uri": msg.ids["uri"]}

    def post_view(self, msg: Msg) -> dict[str, Any]:
        uri = msg.ids["uri"]
        return {
            "uri": uri,
            "cid": msg.ids["cid"],
            "author": self.profile(msg.who),
            "record": self.post_record(msg),
            "replyCount": sum(1 for t in self.threads for m in t.messages if m.parent is msg),
            "repostCount": self.reposts.get(uri, 0),
            "likeCount": self.likes.get(uri, 0),
            "quoteCount": sum(1 for t in self.threads for m in t.messages if m.quotes is msg),
            "indexedAt": msg.ids["indexedAt"],
            "viewer": {"threadMuted": False, "embeddingDisabled": False},
            "labels": [],
        }

    def notification(self, msg: Msg) -> Entry:
        record = self.post_record(msg)
        notification: dict[str, Any] = {
            "uri": msg.ids["uri"],
            "cid": msg.ids["cid"],
            "author": self.profile(msg.who, full=True),
        }
        if msg.quotes is not None:
            notification.update(reason="quote", reasonSubject=msg.quotes.ids["uri"])
        elif msg.parent is not None and msg.parent.ours:
            notification.update(reason="reply", reasonSubject=msg.parent.ids["uri"])
        else:
            notification["reason"] = "mention"
        notification.update(
            record=record,
            isRead=self.is_read(msg.ids["indexedAt"]),
            indexedAt=msg.ids["indexedAt"],
            labels=[],
        )
        spoiled = self.book.record(BLUESKY, "notifications", msg, notification, record, "createdAt")
        return Entry(datetime.fromisoformat(msg.ids["indexedAt"]), msg.seq, spoiled)

    def is_read(self, indexed_at: str) -> bool:
        return datetime.fromisoformat(indexed_at) <= self.SEEN_AT

    def reactions(self, public: list[Msg]) -> Iterator[Entry]:
        """Likes and reposts of our posts and new followers: notifications the mapping skips."""
        fans = [
            p for p in self.story.people.values() if p.bluesky and p.key not in ("org", "council")
        ]
        for msg in (m for m in public if m.ours):
            announcement = msg.parent is None
            for reason in ["like"] * self.rng.choice((0, 1, 1, 2, 3)) + (
                ["repost"] * self.rng.choice((0, 1, 2)) if announcement else []
            ):
                at = msg.at + timedelta(minutes=self.rng.randrange(3, 900))
                if at < PERIOD_END:
                    self.counter(reason)[msg.ids["uri"]] = 1 + self.counter(reason).get(
                        msg.ids["uri"], 0
                    )
                    yield self.reaction(reason, self.rng.choice(fans), at, msg)
        for fan in self.rng.sample(fans, 5):
            yield self.reaction("follow", fan, inbound_time(self.rng), None)

    def counter(self, reason: str) -> dict[str, int]:
        return self.likes if reason == "like" else self.reposts

    def reaction(self, reason: str, fan: Person, at: datetime, subject: Msg | None) -> Entry:
        collection = {
            "like": "app.bsky.feed.like",
            "repost": "app.bsky.feed.repost",
            "follow": "app.bsky.graph.follow",
        }[reason]
        uri = f"at://{fan.did}/{collection}/{self.ids.tid(at)}"
        record: dict[str, Any] = {"$type": collection, "createdAt": iso_millis(at)}
        record["subject"] = self.ref(subject) if subject else self.org.did
        indexed = iso_millis(at + timedelta(milliseconds=self.rng.randrange(150, 900)))
        notification: dict[str, Any] = {
            "uri": uri,
            "cid": cid(uri),
            "author": self.profile(fan, full=True),
            "reason": reason,
        }
        if subject is not None:
            notification["reasonSubject"] = subject.ids["uri"]
        notification.update(
            record=cbor_order(record), isRead=self.is_read(indexed), indexedAt=indexed, labels=[]
        )
        self.book.add(BLUESKY, "notifications", "skipped", reason)
        return Entry(datetime.fromisoformat(indexed), -1, notification)

    def feed_item(self, msg: Msg) -> Entry:
        post = self.post_view(msg)
        item: dict[str, Any] = {"post": post}
        if msg.parent is not None:
            item["reply"] = {
                "root": {"$type": "app.bsky.feed.defs#postView", **self.post_view(msg.root())},
                "parent": {"$type": "app.bsky.feed.defs#postView", **self.post_view(msg.parent)},
            }
        spoiled = self.book.record(BLUESKY, "own_posts", msg, item, post["record"], "createdAt")
        return Entry(datetime.fromisoformat(msg.ids["indexedAt"]), msg.seq, spoiled)

    def repost(self) -> Entry:
        """Our repost of the council's post: someone else's post, so the mapping skips it."""
        council = Msg(
            self.story.people["council"],
            when("31 08:50"),
            "Bulky waste collections resume on Tuesday 7 April. Book online on our website.",
        )
        self.stamp(council)
        at = when("31 09:50")
        self.book.add(BLUESKY, "own_posts", "skipped", "repost")
        self.book.notes.append((BLUESKY.value, "own_posts", at, "a repost (skipped)"))
        return Entry(
            at,
            -1,
            {
                "post": self.post_view(council),
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": self.profile(self.org),
                    "indexedAt": iso_millis(at),
                },
            },
        )

    def pages(
        self, entries: list[Entry], size: int, key: str, seen: bool = False
    ) -> list[dict[str, Any]]:
        pages = chunks(entries, size)
        rendered = []
        for number, page in enumerate(pages):
            payload: dict[str, Any] = {key: [entry.record for entry in page]}
            if number + 1 < len(pages):
                payload["cursor"] = iso_millis(page[-1].at)
            if seen:
                payload["seenAt"] = iso_millis(self.SEEN_AT)
            rendered.append({"context": {}, "payload": payload})
        return rendered

    def chat(self, thread: Thread) -> list[dict[str, Any]]:
        resident = next(m.who for m in thread.messages if not m.ours)
        convo_id = self.ids.tid(thread.messages[0].at - timedelta(seconds=2))
        context = chat_context(convo_id, [self.profile(self.org), self.profile(resident)])
        entries = []
        for msg in thread.messages:
            view: dict[str, Any] = {
                "$type": "chat.bsky.convo.defs#messageView",
                "id": msg.ids["id"],
                "rev": msg.ids["rev"],
                "text": msg.text,
                "sender": {"did": msg.who.did},
                "sentAt": msg.ids["createdAt"],
            }
            if msg.deleted:
                view["$type"] = "chat.bsky.convo.defs#deletedMessageView"
                del view["text"]
                self.book.add(BLUESKY, "chat", "skipped", "deleted message")
                self.book.notes.append((BLUESKY.value, "chat", msg.at, msg.note or "deleted"))
                record: object = view
            else:
                record = self.book.record(BLUESKY, "chat", msg, view, view, "sentAt")
            entries.append(Entry(msg.at, msg.seq, record))
        pages = chunks(entries, 20)
        rendered = []
        for number, page in enumerate(pages):
            payload: dict[str, Any] = {"messages": [entry.record for entry in page]}
            if number + 1 < len(pages):
                payload["cursor"] = self.ids.tid(page[-1].at)
            rendered.append({"context": context, "payload": payload})
        return rendered
