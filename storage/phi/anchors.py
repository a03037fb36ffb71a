"""Try word-anchored patterns only at the words that can start them.

Python's `re` tries every branch of a large alternation at every position of the text, and
most of the label and cue patterns are large alternations. Each of them can only start at a
word whose first letters are known, so `Anchored` reads those first letters (up to three)
from the parsed pattern, and `Words` indexes a text's words by their first letters. A scan
then tries each pattern only at the few words that can start it. A pattern that can start
with something other than a letter keeps plain `finditer`.
"""

from __future__ import annotations

import re
import re._parser as sre
from collections.abc import Iterator
from typing import Any

_DEPTH = 3
_LIMIT = 5000  # prefixes; beyond it a pattern is not worth indexing
_SMALL_CLASS = 8
_WORD = re.compile(r"[^\W\d_]+")

_Prefixes = set[tuple[str, bool]]  # (letters, whether what follows may add letters)


class Words:
    """The start offsets of a text's words, by their lower-cased first 1, 2 and 3 letters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index: dict[str, list[int]] = {}
        for match in _WORD.finditer(text):
            word = match[0][:_DEPTH].lower()
            at = match.start()
            for n in range(1, len(word) + 1):
                self.index.setdefault(word[:n], []).append(at)


class Anchored:
    """A compiled pattern with the word prefixes its matches can start with."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.prefixes = first_letters(pattern.pattern, pattern.flags)

    def finditer(self, words: Words) -> Iterator[re.Match[str]]:
        if self.prefixes is None:
            yield from self.pattern.finditer(words.text)
            return
        starts: set[int] = set()
        for key in self.prefixes & words.index.keys():
            starts.update(words.index[key])
        done = 0
        for at in sorted(starts):
            if at < done:
                continue
            match = self.pattern.match(words.text, at)
            if match is not None and match.end() > at:
                done = match.end()
                yield match


def first_letters(pattern: str, flags: int) -> frozenset[str] | None:
    """The lower-case letter prefixes (up to three letters) any match of `pattern` begins
    with, or None when a match may begin with a non-letter (or the set grows too large)."""
    try:
        found = _sequence(list(sre.parse(pattern, flags)))
    except _TooMany:
        return None
    if any(letters == "" for letters, _ in found):
        return None
    return frozenset(letters for letters, _ in found)


class _TooMany(Exception):
    pass


def _sequence(items: list[tuple[Any, Any]]) -> _Prefixes:
    current: _Prefixes = {("", True)}
    for op, value in items:
        if all(not more or len(s) >= _DEPTH for s, more in current):
            break
        following = _element(op, value)
        joined: _Prefixes = set()
        for letters, more in current:
            if not more or len(letters) >= _DEPTH:
                joined.add((letters, False))
                continue
            for tail, tail_more in following:
                both = letters + tail
                joined.add((both[:_DEPTH], tail_more and len(both) < _DEPTH))
        if len(joined) > _LIMIT:
            raise _TooMany
        current = joined
    return current


def _element(op: Any, value: Any) -> _Prefixes:
    name = str(op)
    if name == "LITERAL":
        char = chr(value)
        return {(char.lower(), True)} if char.isalpha() else {("", False)}
    if name == "IN":
        letters = _class_letters(value)
        return {(c, True) for c in letters} if letters else {("", False)}
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return {("", True)}  # zero width
    if name == "BRANCH":
        out: _Prefixes = set()
        for branch in value[1]:
            out |= _sequence(list(branch))
        return out
    if name == "SUBPATTERN":
        return _sequence(list(value[-1]))
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _, item = value
        once = {(s, more and s == "") for s, more in _sequence(list(item))}
        return once | {("", True)} if low == 0 else once
    return {("", False)}  # anything else ends what can be known


def _class_letters(items: list[tuple[Any, Any]]) -> set[str]:
    """The lower-case letters of a small character class of letters only, else empty."""
    letters: set[str] = set()
    for op, value in items:
        name = str(op)
        if name == "LITERAL" and chr(value).isalpha():
            letters.add(chr(value).lower())
        elif name == "RANGE" and value[1] - value[0] < _SMALL_CLASS:
            letters.update(chr(c).lower() for c in range(value[0], value[1] + 1))
        else:
            return set()
        if len(letters) > _SMALL_CLASS or not all(c.isalpha() for c in letters):
            return set()
    return letters
