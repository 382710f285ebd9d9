"""Threats: violence, harm to staff, their families or property, and veiled threats.

A threat is found by phrase patterns over the canonical text (:mod:`.normalise`), built from
the word lists in ``lexicon/threat.txt``:

- *intent*: someone says they will do violence to a person or property — an agent and an
  intent ("I'll", "we're gonna", "someone should", "my lads will"), a few harmless words
  ("come round and", "fucking", or any words ending in "and"), a violent verb ("batter",
  "glass", "torch") and a target ("you", "your kids", "the housing officer", "the office",
  "him", a capitalised name);
- *bare*: a violent verb and a personal target opening a sentence ("kill you");
- *passive*: harm said to be coming to "you" or "your ..." ("you'll get stabbed",
  "your windows will be smashed", "you should be shot");
- *phrases*: veiled threats, warnings, threats of self-harm and death wishes
  ("watch your back", "I know where you live", "you'll regret this", "hope you die").

Housing talk is not a threat: "the damp is killing me" has no agent that threatens and no
target, "the boiler is shot" has no target, and the lexicon's guard words undo idioms such as
"shoot you an email", "break your heart", "you're dead right" or "you'll get hurt on those
stairs". Negations break the chain: "I would never hurt you" does not match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.normalise import Normalised

__all__ = ["RULE", "ThreatDetector"]

RULE = "threat-lexicon@1"
_LEXICON = "threat.txt"
_WORD_LISTS = frozenset({"violence", "participle", "person", "property"})
_INTENT_SCORE = 0.9
_PASSIVE_SCORE = 0.85
_BARE_SCORE = 0.75

_SEP = r"[\s\-_.]+"
_ANY_WORD = r"[a-z0-9']+"
_SQUEEZE = re.compile(r"([a-z])\1+")
_PHRASE_PART = re.compile(r"\{[^}]+\}|\([^)]*\)\??|\.\.\.|[^\s(){}]+|\s+")
_NEGATION = (
    r"(?:not|never|no|nobody|nothing|don'?t|won'?t|wouldn'?t|can'?t|couldn'?t|shouldn'?t"
    r"|didn'?t|wont|dont|cant)(?![a-z])"
)


def _choices(words: str) -> tuple[str, ...]:
    return tuple(words.split("|"))


# Placeholders usable in the lexicon's phrases, and the grammar's own word classes.
_YOU = _choices(
    "you|u|ya|ye|yous|youse|you lot|you all|yall|y'all|all of you|the lot of you|"
    "every one of you|each of you|you people"
)
_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "you": _YOU,
    "target": (*_YOU, "him", "her", "them", "em", "whoever"),
    "your": _choices("your|ur|yer|ya"),
    "his": _choices("your|ur|yer|ya|his|her|their"),
    "you're": _choices("you're|you are|ur|u r|u are|your|yer|you r|u're"),
    "you'll": _choices(
        "you'll|you will|u will|u'll|you're going to|you are going to|you're gonna|"
        "you are gonna|ur gonna|u r gonna|your gonna|you gonna|u gonna|you shall|"
        "yall will|you lot will"
    ),
    "you've": _choices("you've|you have|u have|u've"),
    "i": _choices("i|we"),
    "i'm": _choices("i'm|i am|we're|we are"),
    "i'll": _choices(
        "i'll|i will|i shall|i'm going to|i am going to|i'm gonna|i am gonna|imma|ima|"
        "i'ma|i'd|i would|we'll|we will|we shall|we're going to|we are going to|"
        "we're gonna|we are gonna|we'd|we would"
    ),
}
_AGENTS = (
    "{i'll}",
    "i want to",
    "i wanna",
    "i could",
    "i might",
    "i'm about to",
    "i'm coming to",
    "i'm coming round to",
    "we want to",
    "we could",
    "we might",
    "we're coming to",
    "(someone|somebody|people) (will|should|needs to|is going to|is gonna|ought to|has to"
    "|wants to|could|must|might)",
    "(my|the|our) (lads|boys|brothers|mates|sons|son|brother|husband|partner|fella|cousins"
    "|dad|family|friends|mate) (will|'ll|are going to|are gonna|is going to|is gonna|would"
    "|are coming to|is coming to|want to|wants to)",
)
_CLAUSE_START_INTENTS = _choices("gonna|going to|will|shall|wanna|want to|about to")
_FILLERS = _choices(
    "come|coming|round|around|down|over|up|there|here|and|to|go|going|gonna|just|fucking|"
    "fuckin|fking|fkn|fckn|fcking|frickin|friggin|effin|effing|bloody|flipping|personally|actually|literally|really|seriously|"
    "happily|gladly|definitely|absolutely|properly|get|have|be|the|lads|boys|someone|"
    "somebody|my|then|also|soon|one|day|all|of|make|sure|myself|am|gunna|end|first|next|"
    "time"
)
_INTENSIFIERS = (
    *_choices(
        "fucking|fuckin|fking|fkn|fckn|fcking|bloody|effing|effin|frigging|friggin|out|up|"
        "seven bells out of"
    ),
    "the (shit|fuck|hell|crap|living daylights|life) out of",
)
_TARGETS = _choices("{target}|everyone|everybody|anyone|anybody")
_TARGET_DETERMINERS = _choices(
    "the|that|this|those|these|every|all|any|all the|all your|each|your|ur|yer|his|their|her"
)
_POSSESSIVES = _choices("your|ur|yer|ya|his|their")
_PASSIVE_AUXILIARIES = _choices(
    "will|'ll|are going to|'re going to|are gonna|'re gonna|gonna|better|'d better|"
    "had better|need to|should|deserve to|deserves to|ought to|want to|wanna|might|may|"
    "could|can|is going to|is gonna|'s going to|'s gonna|are about to|'re about to|"
    "is about to"
)
_PASSIVE_VERBS = _choices("be|get|end up|wind up|be getting|get fucking|be fucking")
_PASSIVE_GUARD = (
    r"(?:by|from|on|off|in|at|because|due|with|during|through)"
    + _SEP
    + r"(?:the|this|that|those|these|a|an|all|it|some|them|falling|loose|broken|damp|mould"
    r"|mold|fumes|faulty|bad|dodgy|rotten|exposed|live|electric|gas|here)(?![a-z])"
)

_Sections = dict[str, tuple[float | None, list[str]]]
# Frequent words (squeezed, as anchors are): a poor index for a rule, since most texts have them.
_COMMON_WORDS = frozenset(
    "a an the i me my we us our you your he him his she her they them their it its this that "
    "these those is are was were be ben being have has had do dos did get got go going gona "
    "to of in on at for with by from up down out over about into so not no and or but if "
    "wil would should could can may might must shal se come coming back now then just al "
    "some any one what where when who how why know".split()
)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One compiled pattern, the word sets it needs (a cheap pre-check) and its score."""

    pattern: re.Pattern[str]
    anchors: tuple[frozenset[str], ...]
    score: float

    def applies(self, words: frozenset[str]) -> bool:
        for anchor in self.anchors:
            if anchor.isdisjoint(words):
                return False
        return True


class ThreatDetector:
    """Finds threats in canonical text; build it once with :meth:`load`."""

    def __init__(self, lexicon: str) -> None:
        """Compile the rules of a threat lexicon (the format of ``lexicon/threat.txt``).

        Args:
            lexicon: the lexicon's text.

        Raises:
            ValueError: when a word list is missing, a phrase section has no score, or a
                phrase is malformed.
        """
        sections = _sections(lexicon)
        missing = _WORD_LISTS - sections.keys()
        if missing:
            raise ValueError(f"threat lexicon lacks sections {sorted(missing)}")
        phrases = sorted(sections.keys() - _WORD_LISTS)
        unscored = [name for name in phrases if sections[name][0] is None]
        if unscored:
            raise ValueError(f"threat lexicon sections {unscored} need a score")
        rules = (
            *_verb_rules(sections),
            _passive_rule(sections),
            *(
                _phrase_rule(line, sections[name][0] or 0.0)
                for name in phrases
                for line in sections[name][1]
            ),
        )
        self._unanchored = tuple(rule for rule in rules if not rule.anchors)
        self._by_word: dict[str, list[_Rule]] = {}
        for rule in rules:
            if rule.anchors:
                for word in min(rule.anchors, key=_commonness):
                    self._by_word.setdefault(word, []).append(rule)
        self._triggers = frozenset(self._by_word)

    @classmethod
    def load(cls) -> ThreatDetector:
        """Build the detector from the lexicon shipped in the package.

        Returns:
            The detector.

        Raises:
            ValueError: when the shipped lexicon is malformed.
            OSError: when the package data cannot be read.
        """
        lexicon = resources.files(__package__).joinpath("lexicon", _LEXICON)
        return cls(lexicon.read_text(encoding="utf-8"))

    def detect_batch(
        self, texts: Sequence[Normalised], words: Sequence[frozenset[str]]
    ) -> list[list[Finding]]:
        """Find the threats in normalised texts.

        Args:
            texts: the texts, as made by :func:`~.normalise.normalise_batch`.
            words: their words, as made by :func:`~.normalise.squeezed_words`; a rule is only
                tried on a text that has the words it needs.

        Returns:
            For each text, in order, its THREAT findings with spans into the original text, not
            overlapping, in order.

        Raises:
            ValueError: when ``texts`` and ``words`` differ in length.
        """
        if len(texts) != len(words):
            raise ValueError("threat detection needs the words of every text")
        triggers, by_word, unanchored = self._triggers, self._by_word, self._unanchored
        results: list[list[Finding]] = []
        for text, text_words in zip(texts, words, strict=True):
            if not unanchored and triggers.isdisjoint(text_words):
                results.append([])
                continue
            rules = {id(rule): rule for word in text_words & triggers for rule in by_word[word]}
            spans = [
                span
                for rule in (*unanchored, *rules.values())
                if rule.applies(text_words)
                for span in _matches(rule, text)
            ]
            results.append([Finding(FindingType.THREAT, *span, RULE) for span in _merge(spans)])
        return results


def _commonness(anchor: frozenset[str]) -> tuple[int, int, int]:
    """Rank a rule's word sets: the best index has no common word, long words, few words."""
    return (
        sum(word in _COMMON_WORDS for word in anchor),
        -min(len(word) for word in anchor),
        len(anchor),
    )


def _matches(rule: _Rule, normalised: Normalised) -> Iterator[tuple[int, int, float]]:
    for match in rule.pattern.finditer(normalised.text):
        if match.groupdict().get("name") is not None:
            name = normalised.original[slice(*normalised.original_span(*match.span("name")))]
            if not name[:1].isupper() or name.isupper():
                continue
        yield (*normalised.original_span(match.start(), match.end()), rule.score)


def _merge(spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    merged: list[tuple[int, int, float]] = []
    for start, end, score in sorted(spans):
        if merged and start < merged[-1][1]:
            last_start, last_end, last_score = merged[-1]
            merged[-1] = (last_start, max(end, last_end), max(score, last_score))
        else:
            merged.append((start, end, score))
    return merged


def _sections(lexicon: str) -> _Sections:
    sections: _Sections = {}
    current: list[str] | None = None
    for number, raw in enumerate(lexicon.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([a-z]+)(?:\s+(0(?:\.\d+)?|1(?:\.0+)?))?\]", line)
        if header:
            current = []
            score = float(header.group(2)) if header.group(2) else None
            sections[header.group(1)] = (score, current)
        elif current is None:
            raise ValueError(f"threat lexicon line {number} lies outside any section")
        else:
            current.append(line)
    return sections


def _entry(line: str) -> tuple[list[str], list[str]]:
    """Split ``a, b | c, d`` into its words or forms and its guard words."""
    head, _, guards = line.partition(" | ")
    return _split(head), _split(guards)


def _split(items: str) -> list[str]:
    return [item.strip() for item in items.split(",") if item.strip()]


def _words(sections: _Sections, name: str) -> list[str]:
    return [word for line in sections[name][1] for word in _split(line)]


def _guarded(form: str, guards: list[str], skip: int) -> str:
    """The regex of ``form`` that fails when a guard word follows within ``skip`` words."""
    body = _phrase(form)[0]
    if not guards:
        return body
    words = _alternatives(guards)[0]
    return rf"{body}(?!(?:{_SEP}[a-z'*]+){{0,{skip}}}{_SEP}{words}(?![a-z]))"


def _forms(sections: _Sections, name: str, skip: int) -> tuple[str, frozenset[str]]:
    """The guarded forms of a [violence] or [participle] list, and their first words."""
    forms: list[str] = []
    anchors: set[str] = set()
    for line in sections[name][1]:
        words, guards = _entry(line)
        forms.extend(_guarded(form, guards, skip) for form in words)
        anchors.update(_SQUEEZE.sub(r"\1", form.split()[0]) for form in words)
    return f"(?:{'|'.join(forms)})", frozenset(anchors)


def _verb_rules(sections: _Sections) -> tuple[_Rule, _Rule]:
    """The intent rule ("I'll batter you") and the bare rule ("kill you")."""
    verbs, anchors = _forms(sections, "violence", 2)
    agent = _alternatives(_AGENTS)[0]
    start = _alternatives(_CLAUSE_START_INTENTS)[0]
    fillers = _alternatives(_FILLERS)[0]
    between = (
        rf"(?:(?:{_SEP}{fillers}){{0,4}}"
        rf"|(?:{_SEP}(?!{_NEGATION}){_ANY_WORD}){{1,8}}?{_SEP}(?:and|then)(?:{_SEP}{fillers}){{0,2}})"
    )
    harm = (
        rf"{_SEP}{verbs}(?:{_SEP}{_alternatives(_INTENSIFIERS)[0]}){{0,2}}"
        rf"{_SEP}{_target(sections)}(?![a-z0-9])"
    )
    intent = rf"(?:(?<![a-z0-9']){agent}|(?:^|(?<=[.!?\n]))\s*{start}){between}{harm}"
    bare = (
        rf"(?:^|(?<=[.!?\n]))\s*{verbs}{_SEP}{_alternatives(_PLACEHOLDERS['target'])[0]}"
        r"(?![a-z0-9])"
    )
    return (
        _Rule(re.compile(intent), (anchors,), _INTENT_SCORE),
        _Rule(re.compile(bare), (anchors,), _BARE_SCORE),
    )


def _target(sections: _Sections) -> str:
    possessives = _alternatives(_POSSESSIVES)[0]
    return (
        f"(?:{_target_nouns(sections)}|{possessives}{_SEP}[a-z']+"
        rf"|{_alternatives(_TARGETS)[0]}|(?P<name>[a-z][a-z'\-]+))"
    )


def _target_nouns(sections: _Sections) -> str:
    """Targets such as "the manager", "your kids", "that new housing officer", "the office"."""
    nouns = _alternatives(_words(sections, "person") + _words(sections, "property"))[0]
    determiners = _alternatives(_TARGET_DETERMINERS)[0]
    return f"{determiners}{_SEP}(?:[a-z]+{_SEP})?{nouns}"


def _passive_rule(sections: _Sections) -> _Rule:
    participles, anchors = _forms(sections, "participle", 0)
    you = _alternatives(_PLACEHOLDERS["you"])[0]
    yours = _alternatives(_PLACEHOLDERS["your"])[0]
    subjects = f"(?:{you}|{yours}{_SEP}[a-z]+|{_target_nouns(sections)})"
    auxiliaries = _alternatives(_PASSIVE_AUXILIARIES)[0]
    verbs = _alternatives(_PASSIVE_VERBS)[0]
    pattern = (
        rf"(?<![a-z0-9']){subjects}[\s\-_.]*{auxiliaries}{_SEP}{verbs}"
        rf"{_SEP}{participles}(?![a-z0-9])(?!{_SEP}{_PASSIVE_GUARD})"
    )
    return _Rule(re.compile(pattern), (anchors,), _PASSIVE_SCORE)


def _phrase_rule(line: str, score: float) -> _Rule:
    forms, guards = _entry(line)
    if len(forms) != 1:
        raise ValueError(f"a threat phrase has no commas outside its guard: {line!r}")
    anchors = _phrase(forms[0])[1]
    body = _guarded(forms[0], guards, 0)
    return _Rule(re.compile(rf"(?<![a-z0-9']){body}(?![a-z0-9])"), tuple(anchors), score)


def _fuzzy_word(word: str) -> str:
    parts = []
    for char in _SQUEEZE.sub(r"\1", word):
        if char == "'":
            parts.append(r"(?:'|\s)?")
        elif char.isalnum():  # "kk*" rather than "k+": re skips a failing branch on a literal
            parts.append(re.escape(char) * 2 + "*")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _phrase(phrase: str) -> tuple[str, list[frozenset[str]]]:
    """Compile a lexicon phrase to a regex, with the word sets a text needs to match it.

    ``{name}`` is a placeholder, ``(a|b)`` a choice and ``(a|b)?`` an optional one, ``*`` any
    one word and ``...`` up to six words; other words match with their letters repeated.
    """
    parts = _PHRASE_PART.findall(phrase)
    regex: list[str] = []
    anchors: list[frozenset[str]] = []
    separator = ""
    for index, part in enumerate(parts):
        if part.isspace():
            separator = _SEP
            continue
        if part.startswith("{"):
            if part[1:-1] not in _PLACEHOLDERS:
                raise ValueError(f"unknown placeholder {part} in threat phrase {phrase!r}")
            regex.append(separator + _alternatives(_PLACEHOLDERS[part[1:-1]])[0])
        elif part.startswith("("):
            body, first_words = _alternatives(part.rstrip("?")[1:-1].split("|"))
            if part.endswith("?"):
                regex.append(f"(?:{separator}{body})?")
            else:
                regex.append(separator + body)
                if first_words:
                    anchors.append(first_words)
        elif part == "...":
            regex.append(rf"(?:{_SEP}{_ANY_WORD}){{0,6}}?")
        elif part == "*":
            regex.append(separator + _ANY_WORD)
        else:
            regex.append(separator + _fuzzy_word(part))
            standalone = (index == 0 or parts[index - 1].isspace()) and (
                index == len(parts) - 1 or parts[index + 1].isspace()
            )
            if part.isalpha() and standalone:
                anchors.append(frozenset({_SQUEEZE.sub(r"\1", part)}))
        separator = ""
    return "".join(regex), anchors


def _alternatives(choices: Iterable[str]) -> tuple[str, frozenset[str]]:
    """A regex group matching any of the phrases, and the words one of which a match needs.

    The words are empty when some phrase has no plain word to look for.
    """
    return _cached_alternatives(tuple(sorted(set(choices), key=len, reverse=True)))


@functools.lru_cache(maxsize=1024)
def _cached_alternatives(ordered: tuple[str, ...]) -> tuple[str, frozenset[str]]:
    anchors = [_rarest_word(choice) for choice in ordered]
    group = "(?:" + "|".join(_phrase(choice)[0] for choice in ordered) + ")"
    return group, frozenset() if None in anchors else frozenset(filter(None, anchors))


def _rarest_word(phrase: str) -> str | None:
    """The squeezed word of ``phrase`` best to look for: plain, not common, longest."""
    words = [_SQUEEZE.sub(r"\1", word) for word in phrase.split() if word.isalpha()]
    if not words:
        return None
    return min(words, key=lambda word: (word in _COMMON_WORDS, -len(word)))
