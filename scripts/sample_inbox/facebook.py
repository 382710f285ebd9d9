"""The story on Facebook, in the Graph API v25.0 wire format."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .story import FACEBOOK, Msg, Person, Story, Thread
from .wire import B64URL, Book, Entry, Ids, chunks

__all__ = ["FacebookRenderer"]

GRAPH = "https://graph.facebook.com/v25.0"
FIELDS = {
    "feed": "id%2Cmessage%2Ccreated_time%2Cfrom%2Cpermalink_url",
    "comments": "id%2Cmessage%2Ccreated_time%2Cfrom%2Cparent%7Bid%7D%2Cpermalink_url"
    "&filter=stream&order=reverse_chronological",
    "messages": "id%2Cmessage%2Ccreated_time%2Cfrom%2Cto",
}


class FacebookRenderer:
    """``feed`` (10 a page), ``comments`` (25 a page, per post), ``messages`` (25, per chat)."""

    def __init__(self, story: Story, ids: Ids, book: Book, handle: str) -> None:
        self.story, self.ids, self.book, self.handle = story, ids, book, handle
        self.org = story.people["org"]
        self.threads = [thread for thread in story.threads if thread.platform is FACEBOOK]

    def render(self) -> dict[str, list[dict[str, Any]]]:
        """Every stream's recorded pages, by stream name; comments and messages by thread."""
        public = [thread for thread in self.threads if not thread.private]
        posts = [self.post(thread.messages[0]) for thread in public]
        comments = [page for thread in self.latest_first(public) for page in self.comments(thread)]
        private = [thread for thread in self.threads if thread.private]
        messages = [page for thread in self.latest_first(private) for page in self.chat(thread)]
        return {
            "feed": self.pages(posts, 10, self.org.fb_id, "feed", {}),
            "comments": comments,
            "messages": messages,
        }

    @staticmethod
    def latest_first(threads: list[Thread]) -> list[Thread]:
        return sorted(threads, key=lambda t: (t.messages[0].at, t.messages[0].seq), reverse=True)

    @staticmethod
    def time(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")

    def person(self, person: Person, email: bool = False) -> dict[str, str]:
        shown = {"name": person.name}
        if email:
            shown["email"] = f"{person.fb_id}@facebook.com"
        shown["id"] = person.fb_id
        return shown

    def post(self, msg: Msg) -> Entry:
        number = self.ids.digits(16)
        msg.ids["fb"] = f"{self.org.fb_id}_{number}"
        msg.ids["number"] = number
        post: dict[str, Any] = {"id": msg.ids["fb"]}
        if msg.text:
            post["message"] = msg.text
        post.update({"created_time": self.time(msg.at), "from": self.person(msg.who)})
        post["permalink_url"] = (
            f"https://www.facebook.com/{self.handle}/posts/{number}"
            if msg.ours
            else f"https://www.facebook.com/permalink.php?story_fbid={number}&id={self.org.fb_id}"
        )
        return Entry(
            msg.at, msg.seq, self.book.record(FACEBOOK, "feed", msg, post, post, "created_time")
        )

    def comments(self, thread: Thread) -> list[dict[str, Any]]:
        root = thread.messages[0]
        entries = []
        for msg in thread.messages[1:]:
            number = self.ids.digits(16)
            msg.ids["fb"] = f"{root.ids['number']}_{number}"
            top = msg
            while top.parent is not root and top.parent is not None:
                top = top.parent
            comment: dict[str, Any] = {
                "id": msg.ids["fb"],
                "message": msg.text,
                "created_time": self.time(msg.at),
            }
            if not msg.who.facebook_no_from:
                comment["from"] = self.person(msg.who)
            link = f"https://www.facebook.com/{self.handle}/posts/{root.ids['number']}"
            if top is msg:
                comment["permalink_url"] = f"{link}?comment_id={number}"
            else:
                comment["parent"] = {"id": top.ids["fb"]}
                top_number = top.ids["fb"].split("_")[1]
                comment["permalink_url"] = (
                    f"{link}?comment_id={top_number}&reply_comment_id={number}"
                )
            record = self.book.record(FACEBOOK, "comments", msg, comment, comment, "created_time")
            entries.append(Entry(msg.at, msg.seq, record))
        return self.pages(entries, 25, root.ids["fb"], "comments", {"post_id": root.ids["fb"]})

    def chat(self, thread: Thread) -> list[dict[str, Any]]:
        resident = next(m.who for m in thread.messages if not m.ours)
        conversation_id = "t_" + self.ids.digits(15)
        entries = []
        for msg in thread.messages:
            to = resident if msg.ours else self.org
            message = {
                "id": self.ids.text(B64URL, 86, prefix="m_"),
                "message": msg.text,
                "created_time": self.time(msg.at),
                "from": self.person(msg.who, email=True),
                "to": {"data": [self.person(to, email=True)]},
            }
            record = self.book.record(FACEBOOK, "messages", msg, message, message, "created_time")
            entries.append(Entry(msg.at, msg.seq, record))
        return self.pages(
            entries, 25, conversation_id, "messages", {"conversation_id": conversation_id}
        )

    def pages(
        self, entries: list[Entry], size: int, node: str, edge: str, context: dict[str, str]
    ) -> list[dict[str, Any]]:
        pages = chunks(entries, size)
        rendered = []
        for number, page in enumerate(pages):
            payload: dict[str, Any] = {"data": [entry.record for entry in page]}
            if page:
                before, after = (self.ids.text(B64URL[:62], 76, prefix="QVFIU") for _ in "ab")
                paging: dict[str, Any] = {"cursors": {"before": before, "after": after}}
                url = f"{GRAPH}/{node}/{edge}?fields={FIELDS[edge]}&limit={size}"
                if number > 0:
                    paging["previous"] = f"{url}&before={before}"
                if number + 1 < len(pages):
                    paging["next"] = f"{url}&after={after}"
                payload["paging"] = paging
            rendered.append({"context": context, "payload": payload})
        return rendered
