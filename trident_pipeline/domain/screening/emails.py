"""Email addresses: personal information under policy section 3.1.

Two rules. ``email.address`` finds addresses as written (``sarah.jones@example.co.uk``).
``email.obfuscated`` finds addresses disguised to get past filters: ``sarah at example dot
com``, ``sarah(at)example(dot)co(dot)uk``, ``sarah [at] example [dot] com``, ``sarah @
example.com``. It starts from each "at" and reads a local part backwards and a domain
forwards; the domain must end in a known top-level domain, so ``meet at the park`` is no
address. A bare word "at" before a plain domain is an address only when the word before it
looks like a mailbox: it has a digit, dot or underscore, it is a person's name, or the domain
is one people have mailboxes at (``read the news at example.org`` names a website).
"""

from __future__ import annotations

import bisect
import re

from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.names import NamesLists

__all__ = ["EmailDetector"]

_VERSION = "1"

_PLAIN = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,62}[A-Za-z0-9_%+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
# The ways people write "@": bracketed "at", a bare word "at", or "@" with spaces around it.
_AT = re.compile(
    r"[ \t]*[(\[{<][ \t]*at[ \t]*[)\]}>][ \t]*|[ \t]+at[ \t]+|[ \t]*@[ \t]+|[ \t]+@[ \t]*",
    re.IGNORECASE,
)
_DOT = r"(?:[ \t]*[(\[{<][ \t]*dot[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+|\.)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLDS = (
    "com|co|uk|org|net|gov|ac|nhs|sch|ltd|plc|me|info|biz|io|ie|eu|de|fr|es|it|nl|pl|ro|"
    "lt|pt|in|pk|ng|gh|ke|za|au|nz|ca|us|tv|mobi|email|online|xyz|app|dev|scot|wales|cymru|"
    "london|edu|int"
)
# A top-level domain after a dot, or after "dot" spelled out: a text without one has no address.
# Two patterns that each open with a plain character, which the regex engine searches for
# quickly, rather than one it would try at every position.
_DOT_TLD = re.compile(rf"\.(?i:{_TLDS})\b")
_SPELLED_DOT_TLD = re.compile(rf"[dD][oO][tT]\W{{0,3}}(?i:{_TLDS})\b")
_DOMAIN = re.compile(
    rf"(?:{_LABEL}{_DOT})+(?:{_TLDS})(?![A-Za-z0-9-])(?!{_DOT}{_LABEL})", re.IGNORECASE
)
_LOCAL = re.compile(
    rf"[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_%+-])?"
    rf"(?:{_DOT}[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_%+-])?)*\Z",
    re.IGNORECASE,
)
_SPELLED_DOT = re.compile(r"[(\[{<][ \t]*dot|[ \t]dot[ \t]", re.IGNORECASE)
_LOCAL_WINDOW = 80
# Words that stand before "at" in ordinary sentences ("look at", "available at", "me at").
_NOT_LOCAL_PARTS = frozenset(
    """
    a an the i me you him her it us them we they this that these those here there where what
    who is am are was were be been being look looks looked looking arrive arrived arriving
    stay stayed staying live lives lived living work works worked working visit visited
    available found find check checked click go went gone online posted published apply book
    register see seen view also only even just again now still home left aimed good bad great
    laugh laughing laughed shout shouting shouted meet met stop stopped stare staring stared
    point pointed pointing get got help sent send email emailed contact contacted reach
    reached message messaged write wrote us info more details read details website site page
    them out up down off over back
    """.split()
)
_ALLOWED_WITH_DOT_WORD = frozenset({"info", "enquiries", "contact", "help", "details"})
_MAIL_PROVIDERS = frozenset(
    """
    gmail googlemail hotmail outlook live msn yahoo ymail icloud me mac aol btinternet bt
    sky virginmedia ntlworld blueyonder talktalk tiscali plusnet protonmail proton pm gmx
    mail yandex zoho example
    """.split()
)


class EmailDetector:
    """Finds email addresses, plain and disguised.

    Raises:
        Nothing on construction.
    """

    def detect(self, text: str) -> list[Finding]:
        """Every email address in ``text``, with its span, score and rule.

        Raises:
            Nothing: any text gives a list.
        """
        if not _DOT_TLD.search(text) and not (
            "dot" in text.lower() and _SPELLED_DOT_TLD.search(text)
        ):
            return []
        findings = (
            [
                Finding(FindingType.EMAIL, m.start(), m.end(), 0.99, f"email.address@{_VERSION}")
                for m in _PLAIN.finditer(text)
            ]
            if "@" in text
            else []
        )
        plain = list(findings)
        plain_starts = [finding.start for finding in plain]
        disguised_end = 0
        for at in _AT.finditer(text):
            before = bisect.bisect_right(plain_starts, at.start()) - 1
            if at.start() < disguised_end or (before >= 0 and plain[before].end > at.start()):
                continue
            finding = self._disguised(text, at)
            if finding is not None:
                findings.append(finding)
                disguised_end = finding.end
        findings.sort(key=lambda finding: finding.start)
        return findings

    @staticmethod
    def _disguised(text: str, at: re.Match[str]) -> Finding | None:
        domain = _DOMAIN.match(text, at.end())
        if domain is None:
            return None
        window_start = max(0, at.start() - _LOCAL_WINDOW)
        local = _first_full_match(_LOCAL, text, window_start, at.start())
        if local is None:
            return None
        local_text = local.group()
        separator = at.group().strip().lower()
        spelled_dot = _SPELLED_DOT.search(domain.group()) or _SPELLED_DOT.search(local_text)
        if separator == "at" and not _looks_like_mailbox(local_text, domain.group(), spelled_dot):
            return None
        if separator == "at":
            score = 0.9 if spelled_dot else 0.8
        else:
            score = 0.95
        end = domain.end()
        return Finding(FindingType.EMAIL, local.start(), end, score, f"email.obfuscated@{_VERSION}")


def _looks_like_mailbox(local: str, domain: str, spelled_dot: bool) -> bool:
    """Whether "<local> at <domain>" reads as a mailbox rather than a sentence.

    With "dot" spelled out the writer meant an address unless ``local`` is an ordinary word
    before "at". With a plain domain (``example.com``), ``local`` must look like a mailbox:
    a digit, dot, underscore or dash, a person's name, or a domain people have mailboxes at.
    """
    word = local.lower()
    if spelled_dot:
        return word not in _NOT_LOCAL_PARTS or word in _ALLOWED_WITH_DOT_WORD
    if word in _NOT_LOCAL_PARTS:
        return False
    provider = re.split(r"[ \t]*[.(\[{<]", domain.lower(), maxsplit=1)[0]
    names = NamesLists.load()
    return (
        any(ch.isdigit() or ch in "._-" for ch in local)
        or provider in _MAIL_PROVIDERS
        or word in names.given
        or word in names.surnames
    )


def _first_full_match(
    pattern: re.Pattern[str], text: str, start: int, end: int
) -> re.Match[str] | None:
    """The longest match of ``pattern`` that ends exactly at ``end``, starting at a word start."""
    for begin in range(start, end):
        if begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in "._%+-'’"):
            continue
        match = pattern.match(text, begin, end)
        if match is not None:
            return match
    return None
