"""`/liaison search` and `/liaison stats`: private answers, drawn from plain data.

Search results link to their messages with Slack's own permalinks (chat.getPermalink, the
documented way to link a message), fetched after the ack; a message Slack cannot link
falls back to its channel (`https://slack.com/app_redirect?channel=…`, documented too).
"""

from __future__ import annotations

from datetime import timedelta

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from handlers.blocks import Payload, payload
from handlers.permalinks import channel_link
from handlers.text import clip, plural, user, when
from storage.enums import ItemKind
from storage.reports.search import Found, Results
from storage.reports.stats import Direction, Stats

RESULT_TEXT = 300
NOUN = {ItemKind.UPDATE: "Update", ItemKind.QUESTION: "Question", ItemKind.OFFER: "Offer"}
SEARCH_HELP = (
    "Search items and answers: `/liaison search <words>`, e.g. `/liaison search ortho mailer`."
)
BAR = 10  # characters in a bar


def link(client: WebClient, workspace_id: str, found: Found) -> str | None:
    if not (found.channel and found.ts):
        return None  # not in Slack yet
    try:
        reply = client.chat_getPermalink(channel=found.channel, message_ts=found.ts)
        return str(reply["permalink"])
    except (SlackApiError, OSError, KeyError):
        return channel_link(workspace_id, found.channel)


def search_answer(results: Results, links: dict[int, str | None], echo: str) -> Payload:
    if not results.found:
        return payload(f"Nothing matches “{clip(echo, 100)}”.", [])
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{plural(results.total, 'match', 'matches')} for “{clip(echo, 100)}”, "
                    "newest first."
                )
            ]
        )
    ]
    for found in results.found:
        head = f"*{NOUN[found.kind]}* {found.from_team} → {found.to_team} · {found.status}"
        meta = f"{user(found.author_id)} · {when(found.created_at)}"
        url = links.get(found.id)
        opened = f" · <{url}|Open in Slack>" if url else ""
        text = f"{head}\n{clip(found.text, RESULT_TEXT)}\n{meta}{opened}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    if more := results.total - len(results.found):
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"…and {more} more: add a word.")])
        )
    return payload(plural(results.total, "match", "matches"), blocks)


def answer_search(
    client: WebClient, respond: Respond, workspace_id: str, results: Results, echo: str
) -> None:
    """Runs after the ack: the permalinks take a Web API call each."""
    links = {found.id: link(client, workspace_id, found) for found in results.found}
    respond(response_type="ephemeral", **search_answer(results, links, echo))


def bar(part: int, whole: int) -> str:
    """A text bar of part/whole, e.g. `▓▓▓▓▓▓░░░░` 6 of 10 (answers in the period may
    answer questions asked before it, so part can exceed whole: the bar is then full)."""
    filled = min(BAR, round(BAR * part / whole)) if whole else 0
    return f"`{'▓' * filled}{'░' * (BAR - filled)}` {part} of {whole}"


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} h"


def _column(direction: Direction) -> str:
    return "\n".join(
        [
            f"*{direction.from_team} → {direction.to_team}*",
            f"Questions asked: {direction.asked}",
            f"Answered: {bar(direction.answered, direction.asked)}",
            f"Time to answer, median: {hours(direction.median_hours)}",
            f"Time to answer, 90th percentile: {hours(direction.p90_hours)}",
            f"Offers made: {direction.offers}",
            f"Accepted: {bar(direction.accepted, direction.offers)}",
            f"Delivered: {bar(direction.delivered, direction.offers)}",
        ]
    )


def stats_answer(stats: Stats) -> Payload:
    last = stats.end - timedelta(seconds=1)
    title = {"30d": "Last 30 days", "90d": "Last 90 days", "quarter": "This quarter"}[stats.period]
    head = (
        f"*{title}* ({when(stats.start)} to {when(last)}). Time to answer counts business "
        f"hours only: 09:00–17:00 on business days, {stats.timezone}."
    )
    columns = [MarkdownTextObject(text=_column(d)) for d in stats.directions]
    return payload(
        title,
        [SectionBlock(text=MarkdownTextObject(text=head)), SectionBlock(fields=columns)],
    )
