"""Making user text safe and short enough to repost."""

from __future__ import annotations

from datetime import UTC, datetime

SECTION_LIMIT = 3000  # Block Kit section text
FALLBACK_LIMIT = 300  # the notification text beside the blocks


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def from_user(text: object) -> str:
    """Text as a user sent it, minus what no database can store (NUL) and the outer blanks."""
    return str(text or "").replace("\x00", "").strip()


def from_slack_text(text: object) -> str:
    """Message and slash-command text as the user typed it: Slack escapes &, < and > in
    what it sends (modal inputs arrive raw). Stored raw, escaped again when reposted."""
    raw = str(text or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return from_user(raw)


def parse_id(value: object) -> int | None:
    """An item id carried by a button or a modal: untrusted, so only plain small digits."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def escape(text: str) -> str:
    """Slack's control characters; with them escaped no one can ping @channel or a group."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Escape `text` and cut it to at most `limit` characters, ending with "…" when cut."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # never leave half an entity such as "&am"
    return cut + "…"


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
