"""Views of a message that the rules scan, each with a map back to the original text.

`clean()` unwraps Slack markup, unescapes entities, applies NFKC and folds dashes, quotes and
invisible characters. `digits()` works on a clean view: it collapses separators inside
digit runs ("0012 3456" -> "00123456") and turns spelled digits into digits ("four oh
four" -> "404"). Every character of a view knows the original span it came from, so a
finding found in any view points at the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from storage.phi.anchors import Words

# Raw "<...>" in message text is always Slack markup (a literal "<" arrives as "&lt;"), but
# modal values arrive raw, so only the documented forms count.
_TOKEN = re.compile(
    r"<(?P<body>[@#!][^<>\s|]{1,80}|[A-Za-z][A-Za-z0-9+.\-]{0,20}:[^<>\s|]{1,2000})"
    r"(?:\|(?P<label>[^<>\n]{0,500}))?>"
    r"|(?m:^)(?P<quote>&gt;|>)(?=[ \t])"  # a block quote, before "&gt;" reads as ">"
    r"|&(?P<entity>amp|lt|gt|quot|#39|apos|nbsp);"
    r"|(?<![\w:]):(?P<emoji>[a-z0-9_+\-]{0,40}[a-z][a-z0-9_+\-]{0,40}):(?![\w])"
)
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#39": "'", "apos": "'", "nbsp": " "}
_SCHEMES = re.compile(r"^(?:mailto|tel|sms):", re.I)
_FOLD = {
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    **dict.fromkeys("\u2018\u2019\u02bc\u2032", "'"),
    **dict.fromkeys("\u201c\u201d", '"'),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}
_CONTROLS = {c: " " for c in [*range(0, 9), 11, 12, *range(14, 32), 127]}

_WORD_DIGITS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "niner": "9",
}  # fmt: skip
_ITEM = r"(?:\d+|zero|oh|one|two|three|four|five|six|seven|eight|niner|nine|o)"
_SEP = r"(?:[ \t]*[-.,()/][ \t]*|[ \t]{1,3})"
# A run starts after a non-word character, or after letters when it starts with a digit
# ("MM79 830520" is one serial).
_RUN = re.compile(rf"(?:(?<!\w)|(?<=[^\W\d_])(?=\d)){_ITEM}(?:{_SEP}{_ITEM})+(?!\w)", re.I)
_PART = re.compile(rf"{_ITEM}|{_SEP}", re.I)


@dataclass
class View:
    """Text plus, for each character, the original span [starts[i], ends[i]) it came from."""

    text: str
    starts: list[int] = field(repr=False)
    ends: list[int] = field(repr=False)
    markup: list[tuple[int, int]] = field(default_factory=list, repr=False)
    source: str = field(default="", repr=False)  # the original text
    _words: Words | None = field(default=None, init=False, repr=False, compare=False)

    def words(self) -> Words:
        """The view's words, indexed for anchored patterns (built once)."""
        if self._words is None:
            self._words = Words(self.text)
        return self._words

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of view[start:end]."""
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else (self.ends or [0])[-1]
            return at, at
        return self.starts[start], self.ends[end - 1]


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def copy(self, text: str, start: int, end: int) -> None:
        """text[start:end] unchanged, each character mapping to itself."""
        self.parts.append(text[start:end])
        self.starts.extend(range(start, end))
        self.ends.extend(range(start + 1, end + 1))

    def put(self, text: str, start: int, end: int) -> None:
        """New characters that all stand for the original span [start, end)."""
        self.parts.append(text)
        self.starts.extend([start] * len(text))
        self.ends.extend([end] * len(text))

    def view(self, source: str, markup: list[tuple[int, int]]) -> View:
        return View("".join(self.parts), self.starts, self.ends, markup, source)


def clean(text: str) -> View:
    out = _Builder()
    markup: list[tuple[int, int]] = []
    at = 0
    for match in _TOKEN.finditer(text):
        _plain(out, text, at, match.start())
        at = match.end()
        if match["entity"]:
            out.put(_ENTITIES[match["entity"]], match.start(), match.end())
        elif match["emoji"] or match["quote"]:
            out.put(" ", match.start(), match.end())
        else:
            markup.append((match.start(), match.end()))
            _markup(out, text, match)
    _plain(out, text, at, len(text))
    return out.view(text, markup)


def _markup(out: _Builder, text: str, match: re.Match[str]) -> None:
    body, label = match["body"], match["label"]
    body_start = match.start("body")
    if body[0] in "@!":  # a user, group or special mention: no text of the author's
        out.put(" ", match.start(), match.end())
        return
    if body[0] == "#":  # a channel: its name is what the author sees
        if label:
            out.put(" ", match.start(), match.start())
            _plain(out, text, match.start("label"), match.end("label"))
        out.put(" ", match.end(), match.end())
        return
    scheme = _SCHEMES.match(body)
    target_start = body_start + (scheme.end() if scheme else 0)
    out.put(" ", match.start(), match.start())
    _plain(out, text, target_start, match.end("body"))
    target = text[target_start : match.end("body")].lower()
    if label and label.strip().lower() not in (target, body.lower()):
        # A comma keeps the digit view from reading target and label as one number.
        out.put(", ", match.end("body"), match.end("body"))
        _plain(out, text, match.start("label"), match.end("label"))
    out.put(" ", match.end(), match.end())


def _plain(out: _Builder, text: str, start: int, end: int) -> None:
    if start >= end:
        return
    chunk = text[start:end]
    if chunk.isascii():
        if chunk.isprintable() or not any(ord(c) in _CONTROLS for c in chunk):
            out.copy(text, start, end)
        else:
            out.parts.append(chunk.translate(_CONTROLS))
            out.starts.extend(range(start, end))
            out.ends.extend(range(start + 1, end + 1))
        return
    i = start
    while i < end:
        j = i + 1
        while j < end and unicodedata.combining(text[j]):
            j += 1  # a letter and its combining marks normalise together ("e" + U+0301)
        cluster = text[i:j]
        if cluster.isascii():
            out.put(cluster.translate(_CONTROLS), i, j)
        else:
            folded = _FOLD.get(cluster)
            if folded is None:
                folded = unicodedata.normalize("NFKC", cluster)
                folded = "".join(_FOLD.get(c, c) for c in folded).translate(_CONTROLS)
            out.put(folded, i, j)
        i = j


def digits(view: View) -> View:
    """Digit runs with their separators removed and spelled digits turned into digits."""
    out = _Builder()
    text = view.text
    at = 0
    for run in _RUN.finditer(text):
        _copy(out, view, at, run.start())
        _run(out, view, run.start(), run.end())
        at = run.end()
    _copy(out, view, at, len(text))
    return out.view(view.source, view.markup)


def _copy(out: _Builder, view: View, start: int, end: int) -> None:
    out.parts.append(view.text[start:end])
    out.starts.extend(view.starts[start:end])
    out.ends.extend(view.ends[start:end])


def _run(out: _Builder, view: View, start: int, end: int) -> None:
    parts = [(m.start(), m.end(), m[0]) for m in _PART.finditer(view.text, start, end)]
    words = sum(1 for _, _, p in parts if p.isalpha() and p.lower() not in ("o", "oh"))
    numbers = sum(len(p) for _, _, p in parts if p.isdigit())
    # A few number words are ordinary English ("one of two offices"); three or more in a row,
    # or two beside digits, read as a number spoken out.
    spelled = words >= 3 or (words >= 2 and numbers >= 2)
    for i, (s, e, part) in enumerate(parts):
        if part.isdigit():
            _copy(out, view, s, e)
        elif part.isalpha():
            if spelled:
                out.parts.append(_WORD_DIGITS[part.lower()])
                out.starts.append(view.starts[s])
                out.ends.append(view.ends[e - 1])
            else:
                _copy(out, view, s, e)
        elif _joins(parts, i, spelled):
            continue
        else:
            _copy(out, view, s, e)


def _joins(parts: list[tuple[int, int, str]], index: int, spelled: bool) -> bool:
    """Whether the separator at `index` lies inside one number and should go. Slashes stay
    ("10/14" is a date); commas split plain numbers ("12, 14" are two counts)."""
    sep = parts[index][2].strip()
    if spelled:
        return sep != "/"
    return (
        sep in ("", "-", ".", "(", ")")
        and parts[index - 1][2].isdigit()
        and parts[index + 1][2].isdigit()
    )
