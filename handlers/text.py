"""User text in Slack's own escaped form: taken in, and made safe and short enough to repost.

The stored form is Slack's wire form: the markup Slack sent (mentions, channel links, links,
dates) kept as it is, and `&`, `<` and `>` that a person typed as `&amp;`, `&lt;` and `&gt;`.
`markup()` is the one way text gets there; `clip()` and `gist()` are the ways it goes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from storage.stored_text import as_typed

SECTION_LIMIT = 3000  # Block Kit section text
FALLBACK_LIMIT = 300  # the notification text beside the blocks


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

# Slack's markup that shows as Slack shows it, the broadcasts that would ping a crowd, the
# three entities, and any other "&", "<" or ">" (text, not markup).
_TOKEN = re.compile(
    r"<(?:(?P<keep>@[UW][A-Z0-9_]{1,30}|#[CG][A-Z0-9_]{1,30}|!date\^\d{1,12}\^[^<>|\n]{1,200}"
    r"|(?:https?://|mailto:)[^<>|\s]{1,2000})"
    r"|!(?P<crowd>channel|here|everyone|group|subteam\^[A-Z0-9_]{1,30}))"
    r"(?:\|(?P<label>[^<>\n]{0,500}))?>"
    r"|(?P<entity>&(?:amp|lt|gt);)"
    r"|(?P<bare>[&<>])"
)
_TYPED = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def from_user(text: object) -> str:
    """Text as a user sent it, minus what no database can store (NUL) and the outer blanks."""
    return str(text or "").replace("\x00", "").strip()


def from_slack(text: object) -> str:
    """Command and message-event text, in the stored form: it arrives as Slack's wire form."""
    return markup(from_user(text))


def from_modal(text: object) -> str:
    """Text typed in a form, in the stored form: it arrives raw, so every "&" is a typed one.
    Mention, channel and link markup typed there counts as markup (it is how a command's text
    comes back in a form to fix); any other "<" and ">" is text."""
    return markup(from_user(text).replace("&", "&amp;"))


def to_modal(text: str) -> str:
    """Stored text as a form's initial value, which Slack takes raw."""
    return as_typed(text)


def _label(text: str | None) -> str | None:
    """A label's text: entities kept, any other "&<>" escaped."""
    return None if text is None else "".join(piece for piece, _ in _pieces(text))


def _words(target: str, label: str | None) -> str:
    """A link or date as the words a reader sees, for text shown without markup."""
    if label:
        return label
    return target.removeprefix("mailto:") if target[0] not in "!@#" else "a date"


def _pieces(text: str, *, plain: bool = False) -> Iterator[tuple[str, bool]]:
    """`text` in the stored form, normalised, as (piece, whole) pairs: markup tokens and
    entities must stay whole; a run of other text may be cut anywhere. With `plain`, links
    and dates become their words (mentions and channel links stay: Slack names them)."""
    at = 0
    for match in _TOKEN.finditer(text):
        if match.start() > at:
            yield text[at : match.start()], False
        at = match.end()
        label = _label(match["label"])
        if match["crowd"]:
            # Never a ping: "@channel" or the group's name, as plain words.
            name = label or match["crowd"].split("^")[0].replace("subteam", "team")
            yield "@" + name.removeprefix("@"), True
        elif match["keep"]:
            keep = match["keep"]
            if plain and keep[0] not in "@#":
                yield _words(keep, label), True
            else:
                yield (f"<{keep}>" if label is None else f"<{keep}|{label}>"), True
        else:
            yield match["entity"] or _TYPED[match["bare"]], True
    if at < len(text):
        yield text[at:], False


def markup(text: str) -> str:
    """Text in the stored form, made safe to post: Slack's markup kept, broadcasts turned
    into plain words, any stray "&", "<" or ">" escaped. Stored text is already in this form
    (older rows, stored raw, come out right too); applying it twice changes nothing."""
    return "".join(piece for piece, _ in _pieces(text))


def parse_id(value: object) -> int | None:
    """An item id carried by a button or a modal: untrusted, so only plain small digits."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _cut(pieces: Iterator[tuple[str, bool]], limit: int) -> str:
    parts = list(pieces)
    if sum(len(piece) for piece, _ in parts) <= limit:
        return "".join(piece for piece, _ in parts)
    out: list[str] = []
    room = limit - 1
    for piece, whole in parts:
        if len(piece) > room:
            if not whole:
                out.append(piece[:room])
            break
        out.append(piece)
        room -= len(piece)
    return "".join(out) + "…"


def clip(text: str, limit: int) -> str:
    """Stored text, made safe (see `markup`) and cut to at most `limit` characters, ending
    with "…" when cut: never inside a mention, a link or an entity."""
    return _cut(_pieces(text), limit)


def gist(text: str, limit: int = FALLBACK_LIMIT) -> str:
    """The same for the notification text beside the blocks: links and dates as words."""
    return _cut(_pieces(text, plain=True), limit)


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 question", "3 questions"."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def age(since: datetime, now: datetime) -> str:
    """How long something has been open, in whole days."""
    days = (now - since).days
    return "today" if days < 1 else f"{days} day{'s' if days > 1 else ''}"


def when(moment: datetime) -> str:
    """A time each reader sees in their own timezone, with a UTC fallback."""
    fallback = moment.astimezone(UTC).strftime("%b %d, %Y %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"
