"""Undo the usual disguises of abusive words, keeping a map back to the original text.

People hide words from filters: ``f.u.c.k``, ``sh1t``, ``ｉｄｉｏｔ``, Cyrillic ``і`` for Latin
``i``, zero-width spaces inside a word, ``fuuuuck``. :func:`normalise` maps a text to one
canonical, lower-case form in four passes:

1. characters: NFKC, then accents and other combining marks dropped, zero-width and other
   invisible characters dropped, control characters dropped, look-alike letters from other
   scripts mapped to Latin, any kind of space mapped to a plain space;
2. spaced letters: three or more single letters (or digits, with a letter among them) joined
   by spaces, dots, dashes and the like become one word (``k i l l`` -> ``kill``), a wider
   gap separating words (``k i l l   y o u`` -> ``kill you``);
3. leetspeak: in a word with at least two letters and a digit or symbol next to a letter, the
   digits and symbols become letters (``b1tch`` -> ``bitch``, ``$hit`` -> ``shit``); times,
   ordinals and measures such as ``10pm`` and ``2nd`` are left alone;
4. repeats: a letter repeated three or more times is kept twice (``fuuuck`` -> ``fuuck``).

Every character of the canonical text remembers which character of the original it came
from, so a span found in the canonical text maps back with :meth:`Normalised.original_span`.
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["Normalised", "normalise", "normalise_batch", "squeezed_words"]

# Letters from other scripts (Cyrillic, Greek, small capitals and other IPA letters) and
# quote marks that look like a Latin letter or an apostrophe. NFKC already folds full-width,
# mathematical and circled letters.
_LOOK_ALIKES = {
    **str.maketrans(
        "авеёкмнорстухѕіїјԁԛԝһӏүɡпгьшидαβγεηικνορτυχωςμᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢıłøđħƒ’‘ʼ`´′",
        "abeekmhopctyxsiijdqwhlygnrbwudabyenikvoptuxwsuabcdefghijklmnoprstuvwyzilodhf''''''",
    ),
    **str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"}),
}
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_LINE_BREAKS = frozenset("\n\u2028\u2029\x85")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPECIAL = re.compile(r"[^\t\n\r\x20-\x7e]")

_SPACED_RUN = re.compile(r"(?<![^\W_])[^\W_](?:[ .\-_*,/|~+·•:]{1,3}[^\W_](?![^\W_])){2,}")
_SPACER = re.compile(r"[ .\-_*,/|~+·•:]+")
# Runs made only of these are text-speak ("u r a", "c u"), not a word spelled out.
_TEXT_SPEAK = frozenset("aiuryncbxok24")

_LEET = str.maketrans("01345789@$!|+€¡", "oieastbgasiltei")
# A word that leetspeak may hide in: a run of these characters.
_LEET_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789@$!|+€¡*"
_LEET_WORD_END = re.compile(r"[a-z0-9@$!|+€¡*]*")
# A letter next to a digit or leet symbol; "!" only before a letter ("b!tch", not "great!"),
# "@" only after one ("b@stard", not "@user").
_LEET_MIX = re.compile(r"[a-z][0-9@$|+€]|[0-9$!|+€¡][a-z]")
_TRAILING_SYMBOLS = "@$!|+€¡*"
_LEET_SYMBOLS = re.compile(r"[@$!|+€¡]")
_NOT_LEET = re.compile(
    r"\d+(?:st|nd|rd|th|am|pm|s|k|m|mm|cm|km|kg|g|ml|l|h|hr|hrs|yr|yrs|min|mins|ft|"
    r"x|p|gb|mb|mph|bed|beds|sqm|c|f)|@[a-z_]+"
)
_CHARACTERS, _SPACING, _LEETSPEAK, _REPEATS = 1, 2, 4, 8
_WORD_PASSES = _SPACING | _LEETSPEAK | _REPEATS
# Character kinds of ASCII for the batch pre-check, as a ``bytes.translate`` table from a
# character to its kinds; a character beyond ASCII, read as "?", is of none of them.
_LETTER, _DIGIT, _SPACER_KIND, _LEET_AFTER, _LEET_BEFORE, _CONTROL_KIND = (
    1 << bit for bit in range(6)
)
_KINDS = bytes(
    _LETTER * ("a" <= chr(code) <= "z")
    | _DIGIT * ("0" <= chr(code) <= "9")
    | _SPACER_KIND * (chr(code) in " .-_*,/|~+:")
    | _LEET_AFTER * (chr(code) in "0123456789@$|+")
    | _LEET_BEFORE * (chr(code) in "0123456789$!|+")  # "@user" is a mention, not leet
    | _CONTROL_KIND * (code == 127 or (code < 32 and chr(code) not in "\t\n\r"))
    for code in range(256)
)
# For ``squeezed_words``: letters and the separator between texts stay, the rest is a space.
_WORD_BYTES = bytes(
    code if chr(code) in string.ascii_lowercase + "\x00" else ord(" ") for code in range(256)
)
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_ASCII_REPEAT = re.compile(r"([A-Za-z])\1\1")


class Normalised(NamedTuple):
    """A text in canonical form, with the original position of every canonical character.

    Attributes:
        original: the text as written.
        text: the canonical, lower-case form.
        origin: ``origin[i]`` is the index in ``original`` of the character that became
            ``text[i]``; non-decreasing, one entry per character of ``text``.
        joined: ``(start, end)`` spans of ``text`` that were spaced-out letters joined into
            one word; word boundaries inside them are unknown.
    """

    original: str
    text: str
    origin: Sequence[int]
    joined: tuple[tuple[int, int], ...] = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the canonical span ``text[start:end]`` to a span of the original text.

        The span grows over what was dropped right after its last character: marks and
        invisible characters, and the repeats of that character, so it never cuts a letter
        from its accent or ``fuuuuck`` after ``fuu``.

        Args:
            start: first canonical index, inclusive.
            end: last canonical index, exclusive.

        Returns:
            ``(start, end)`` in ``original``, covering every character that produced the span.

        Raises:
            ValueError: when the span is empty or outside the canonical text.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError("span outside the canonical text")
        first = self.origin[start]
        last = self.origin[end - 1] + 1
        limit = self.origin[end] if end < len(self.text) else len(self.original)
        repeated = self.original[last - 1].lower()
        while last < limit and (
            _is_dropped_mark(self.original[last]) or self.original[last].lower() == repeated
        ):
            last += 1
        return first, last


def normalise(text: str) -> Normalised:
    """Map ``text`` to its canonical form (see the module docstring).

    Args:
        text: any text, including empty text and text with control characters.

    Returns:
        The canonical form and its map back to ``text``.

    Raises:
        TypeError: when ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalise() takes str, not {type(text).__name__}")
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return _passes_over(text, text.lower(), range(len(text)), _WORD_PASSES)
    return _passes_over(text, *_map_characters(text), _WORD_PASSES)


def normalise_batch(texts: Sequence[str]) -> list[Normalised]:
    """Normalise many texts at once: the same as ``[normalise(t) for t in texts]``, faster.

    Characters are mapped text by text (only non-ASCII texts need it); then one vectorised
    look over the whole batch tells which of the other passes each text may need. Most
    texts need none and are only lower-cased.

    Args:
        texts: any texts.

    Returns:
        One :class:`Normalised` per text, in order.

    Raises:
        TypeError: when an item of ``texts`` is not a ``str``.
    """
    mapped: list[tuple[str, Sequence[int]]] = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"normalise() takes str, not {type(text).__name__}")
        mapped.append((text.lower(), range(len(text))) if text.isascii() else _map_characters(text))
    return [
        Normalised(text, canonical, origin)
        if not passes
        else normalise(text)
        if passes & _CHARACTERS
        else _passes_over(text, canonical, origin, passes)
        for text, (canonical, origin), passes in zip(
            texts, mapped, _passes([canonical for canonical, _ in mapped]), strict=True
        )
    ]


def _passes_over(text: str, canonical: str, origin: Sequence[int], passes: int) -> Normalised:
    """Run the word passes named in ``passes`` over characters already mapped."""
    joined: tuple[tuple[int, int], ...] = ()
    if passes & _SPACING:
        canonical, origin, joined = _join_spaced_letters(canonical, origin)
    if passes & _LEETSPEAK:
        canonical = _undo_leetspeak(canonical)
    if passes & _REPEATS:
        canonical, origin, joined = _collapse_repeats(canonical, origin, joined)
    return Normalised(text, canonical, origin, joined)


def _passes(texts: Sequence[str]) -> list[int]:
    """The passes each text (its characters mapped) may need: a vectorised over-approximation.

    A control character left (ASCII texts are not mapped) needs the character pass, hence
    all; joining spaced letters may make leetspeak, and undoing leetspeak repeats. Other
    characters beyond ASCII count as letters, the most demanding guess.
    """
    if not texts:
        return []
    joined = "\n".join(texts)
    data = joined.encode("ascii", "replace")
    kind = np.frombuffer(data.translate(_KINDS), dtype=np.uint8)
    if joined.isascii():
        codes = np.frombuffer(data, dtype=np.uint8)
    else:
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
    ascii_letter = (kind & _LETTER) > 0
    ascii_alnum = ascii_letter | ((kind & _DIGIT) > 0)
    other = codes >= 128  # a letter, a neighbour that is not one, or a spacer: as needed
    letter, alnum, spacer = ascii_letter | other, ascii_alnum | other, (kind & _SPACER_KIND) > 0
    spacer |= other
    before, after = np.zeros_like(alnum), np.zeros_like(alnum)
    before[1:], after[:-1] = ascii_alnum[:-1], ascii_alnum[1:]
    single = alnum & ~before & ~after
    single_letter = single & letter
    spaced = np.zeros_like(alnum)
    for gap in (1, 2, 3):
        pair = (single[: -gap - 1] & single_letter[gap + 1 :]) | (
            single_letter[: -gap - 1] & single[gap + 1 :]
        )
        for offset in range(1, gap + 1):
            pair &= spacer[offset : len(spacer) - gap - 1 + offset]
        spaced[: -gap - 1] |= pair
    leet = np.zeros_like(alnum)
    leet[:-1] = (ascii_letter[:-1] & ((kind[1:] & _LEET_AFTER) > 0)) | (
        ((kind[:-1] & _LEET_BEFORE) > 0) & ascii_letter[1:]
    )
    repeated = np.zeros_like(alnum)
    repeated[:-2] = (codes[:-2] == codes[1:-1]) & (codes[1:-1] == codes[2:]) & letter[:-2]
    starts = np.cumsum([0, *(len(text) + 1 for text in texts)])
    passes = np.zeros(len(texts), dtype=np.uint8)
    for flagged, needed in (
        (repeated, _REPEATS),
        (leet, _LEETSPEAK | _REPEATS),
        (spaced, _WORD_PASSES),
        ((kind & _CONTROL_KIND) > 0, _CHARACTERS),
    ):
        texts_flagged = np.searchsorted(starts, np.flatnonzero(flagged), side="right") - 1
        passes[texts_flagged] |= needed
    return passes.tolist()


def squeezed_words(texts: Sequence[str]) -> list[frozenset[str]]:
    """The words of each canonical text, a doubled letter made single (``kill`` -> ``kil``).

    The lexicons index their words the same way, so a cheap set intersection tells whether a
    text can match them at all, however its letters are repeated.

    Args:
        texts: canonical texts, as made by :func:`normalise` (no letter thrice in a row).

    Returns:
        One set of words per text, in order.

    Raises:
        Nothing.
    """
    if not texts:
        return []
    # Every character but a letter or the separator becomes a space, so the words are what
    # ``str.split`` finds, the same as ``[a-z]+`` would; then a letter or space repeated in a
    # row is kept once (``split`` ignores how many spaces there are).
    data = "\x00".join(texts).encode("ascii", "replace").translate(_WORD_BYTES)
    codes = np.frombuffer(data, dtype=np.uint8)
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = (codes[1:] != codes[:-1]) | (codes[1:] == 0)
    squeezed = codes[keep].tobytes().decode("ascii")
    return [frozenset(part.split()) for part in squeezed.split("\x00")]


def _is_dropped_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me", "Cf") or char in _INVISIBLE


_CHARACTER_CACHE: dict[str, str] = {}
_CHARACTER_CACHE_LIMIT = 50_000


def _canonical_character(char: str) -> str:
    cached = _CHARACTER_CACHE.get(char)
    if cached is not None:
        return cached
    category = unicodedata.category(char)
    if char in _LINE_BREAKS:
        result = "\n"
    elif category in ("Zs", "Zl", "Zp") or char == "\t":
        result = " "
    elif category in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me") or char in _INVISIBLE:
        result = ""
    else:
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char))
        result = "".join(c for c in folded if not unicodedata.combining(c))
        result = result.lower().translate(_LOOK_ALIKES)
        result = unicodedata.normalize("NFC", result)
    if len(_CHARACTER_CACHE) < _CHARACTER_CACHE_LIMIT:
        _CHARACTER_CACHE[char] = result
    return result


def _map_characters(text: str) -> tuple[str, list[int]]:
    parts: list[str] = []
    origin: list[int] = []
    previous = 0
    for special in _SPECIAL.finditer(text):
        index = special.start()
        if index > previous:
            parts.append(text[previous:index].lower())
            origin.extend(range(previous, index))
        mapped = _canonical_character(special.group())
        if mapped:
            parts.append(mapped)
            origin.extend([index] * len(mapped))
        previous = index + 1
    parts.append(text[previous:].lower())
    origin.extend(range(previous, len(text)))
    return "".join(parts), origin


def _cut(
    text: str, origin: Sequence[int], cuts: Sequence[tuple[int, int]]
) -> tuple[str, list[int], Callable[[int], int]]:
    """Delete the sorted, disjoint ``cuts`` from ``text``; also return the index remapping."""
    parts: list[str] = []
    new_origin: list[int] = []
    starts: list[int] = []
    removed_before: list[int] = []
    previous = removed = 0
    for start, end in cuts:
        parts.append(text[previous:start])
        new_origin.extend(origin[previous:start])
        starts.append(start)
        removed_before.append(removed)
        removed += end - start
        previous = end
    parts.append(text[previous:])
    new_origin.extend(origin[previous:])
    ends = [end for _, end in cuts]

    def remap(index: int) -> int:
        position = bisect.bisect_right(starts, index) - 1
        if position < 0:
            return index
        return index - removed_before[position] - min(index, ends[position]) + starts[position]

    return "".join(parts), new_origin, remap


def _join_spaced_letters(
    text: str, origin: Sequence[int]
) -> tuple[str, Sequence[int], tuple[tuple[int, int], ...]]:
    """Join spelled-out words; a spacer longer than the run's shortest one separates words."""
    cuts: list[tuple[int, int]] = []
    words: list[tuple[int, int]] = []
    for run in _SPACED_RUN.finditer(text):
        letters = _SPACER.sub("", run.group())
        if _TEXT_SPEAK.issuperset(letters) or not any(c.isalpha() for c in letters):
            continue
        spacers = list(_SPACER.finditer(text, run.start(), run.end()))
        shortest = min(len(spacer.group()) for spacer in spacers)
        word_start = run.start()
        for spacer in spacers:
            if len(spacer.group()) > shortest:
                cuts.append((spacer.start() + 1, spacer.end()))
                words.append((word_start, spacer.start()))
                word_start = spacer.end()
            else:
                cuts.append(spacer.span())
        words.append((word_start, run.end()))
    if not cuts:
        return text, origin, ()
    joined_text, new_origin, remap = _cut(text, origin, cuts)
    joined = tuple((remap(start), remap(end)) for start, end in words if end - start > 1)
    return joined_text, new_origin, joined


def _undo_leetspeak(text: str) -> str:
    mix = _LEET_MIX.search(text)
    if mix is None:
        return text
    chars: list[str] | None = None
    # Only a word with a letter beside a digit or symbol can change: go from one such pair
    # to the next, each time taking the whole word around it.
    while mix is not None:
        position = mix.start()
        start = len(text[:position].rstrip(_LEET_CHARACTERS))
        end = _LEET_WORD_END.match(text, position).end()  # type: ignore[union-attr]
        mix = _LEET_MIX.search(text, end)
        body = text[start:end].rstrip(_TRAILING_SYMBOLS)
        if not _LEET_MIX.search(body) or _NOT_LEET.fullmatch(body):
            continue
        letters = sum(c.isalpha() for c in body)
        if letters < 2 and not (letters and _LEET_SYMBOLS.search(body)):
            continue
        if chars is None:
            chars = list(text)
        chars[start : start + len(body)] = body.translate(_LEET)
    return text if chars is None else "".join(chars)


def _collapse_repeats(
    text: str, origin: Sequence[int], joined: tuple[tuple[int, int], ...]
) -> tuple[str, Sequence[int], tuple[tuple[int, int], ...]]:
    if text.isascii() and not _ASCII_REPEAT.search(text):
        return text, origin, joined  # the quick look for ASCII text; same answer as _REPEAT
    cuts = [(repeat.start() + 2, repeat.end()) for repeat in _REPEAT.finditer(text)]
    if not cuts:
        return text, origin, joined
    collapsed, new_origin, remap = _cut(text, origin, cuts)
    return collapsed, new_origin, tuple((remap(start), remap(end)) for start, end in joined)
