"""What an item is about, drawn compactly: the tags under a message and the optional fields
of the forms. Selects hold at most 100 options, so long lists are cut or grouped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    OptionGroup,
    StaticSelectElement,
    UrlInputElement,
)

from handlers import ids
from handlers.text import clip, to_modal
from storage.enums import ItemKind, OfferType
from storage.views import Choices, GoalView, ItemView, OfferView, QuestionView, ServiceLineView

OPTION_LIMIT = 100  # options in a select, groups in a select, options in a group
LABEL_LIMIT = 75  # an option's or a group's text
TAG_LIMIT = 80  # a goal's title in a message's tag line


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    """Stored text as a label, cut to fit: plain_text shows &, < and > as they are, so
    the entities of the stored form become the characters they stand for."""
    text = to_modal(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def day(on: date) -> str:
    """A day each reader sees in their own words ("Thursday", "tomorrow"), noon UTC so that
    every timezone from UTC-11 to UTC+11 shows the same date."""
    stamp = int(datetime.combine(on, time(12), tzinfo=UTC).timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}}|{on.strftime('%b %d, %Y')}>"


def tags(view: ItemView) -> str | None:
    """The item's service line, goal, needed-by date, offer type and link, on one line."""
    parts: list[str] = []
    if view.service_line:
        parts.append(f":hospital: {clip(view.service_line.name, TAG_LIMIT)}")
    if view.goal:
        parts.append(f":dart: {clip(view.goal.name, TAG_LIMIT)}")
    if isinstance(view, QuestionView) and view.needed_by:
        parts.append(f":date: Needed by {day(view.needed_by)}")
    if isinstance(view, OfferView) and view.offer_type:
        parts.append(f":label: {view.offer_type.label}")
    link = None if isinstance(view, QuestionView) else view.link
    if link and link.startswith(("https://", "http://")):  # a purged link is no link
        parts.append(f":link: <{link}|Link>")
    return "  ·  ".join(parts) or None


def _option(value: int | str, label: str) -> Option:
    return Option(value=str(value), label=short(label))


def line_select(lines: tuple[ServiceLineView, ...], current: int | None = None) -> InputBlock:
    shown = lines[:OPTION_LIMIT]
    options = [_option(line.id, line.name) for line in shown]
    hint = None
    if len(lines) > OPTION_LIMIT:
        hint = f"The first {OPTION_LIMIT} of {len(lines)} service lines, A to Z."
    return InputBlock(
        block_id=ids.SERVICE_LINE_BLOCK,
        label="Service line",
        optional=True,
        hint=hint,
        element=StaticSelectElement(
            action_id=ids.SERVICE_LINE_BLOCK,
            placeholder="Choose a service line",
            options=options,
            initial_option=next((o for o in options if o.value == str(current)), None),
        ),
    )


def goal_groups(goals: tuple[GoalView, ...], corporate_only: bool = False) -> list[OptionGroup]:
    """One group per corporate goal: the goal itself, then the team goals serving it."""
    groups: list[OptionGroup] = []
    for top in [g for g in goals if g.parent is None][:OPTION_LIMIT]:
        options = [_option(top.id, top.title)]
        if not corporate_only:
            under = [g for g in goals if g.parent and g.parent.id == top.id]
            options += [_option(g.id, f"{g.team_name}: {g.title}") for g in under]
        groups.append(OptionGroup(label=short(top.title), options=options[:OPTION_LIMIT]))
    return groups


def goal_select(
    goals: tuple[GoalView, ...],
    block_id: str = ids.GOAL_BLOCK,
    label: str = "Goal",
    current: int | None = None,
    corporate_only: bool = False,
) -> InputBlock:
    groups = goal_groups(goals, corporate_only)
    options = [o for g in groups for o in g.options or []]
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=block_id == ids.GOAL_BLOCK,
        element=StaticSelectElement(
            action_id=block_id,
            placeholder="Choose a goal",
            option_groups=groups,
            initial_option=next((o for o in options if o.value == str(current)), None),
        ),
    )


def _offer_type_select() -> InputBlock:
    return InputBlock(
        block_id=ids.OFFER_TYPE_BLOCK,
        label="Kind of help",
        optional=True,
        element=StaticSelectElement(
            action_id=ids.OFFER_TYPE_BLOCK,
            placeholder="Choose a kind",
            options=[_option(kind, kind.label) for kind in OfferType],
        ),
    )


def _needed_by() -> InputBlock:
    return InputBlock(
        block_id=ids.NEEDED_BY_BLOCK,
        label="Needed by",
        optional=True,
        hint="Reminders come before this day, and stop once it has passed.",
        element=DatePickerElement(action_id=ids.NEEDED_BY_BLOCK, placeholder="Pick a day"),
    )


def link_input(label: str) -> InputBlock:
    return InputBlock(
        block_id=ids.LINK_BLOCK,
        label=label,
        optional=True,
        element=UrlInputElement(action_id=ids.LINK_INPUT),
    )


def item_fields(kind: ItemKind, choices: Choices | None) -> list[InputBlock]:
    """The optional fields of a compose form, after its text."""
    fields: list[InputBlock] = []
    if kind == ItemKind.OFFER:
        fields.append(_offer_type_select())
    if kind == ItemKind.QUESTION:
        fields.append(_needed_by())
    if choices and choices.service_lines:
        fields.append(line_select(choices.service_lines))
    if choices and choices.goals:
        fields.append(goal_select(choices.goals))
    if kind != ItemKind.QUESTION:
        fields.append(
            link_input("Link to the full document" if kind == ItemKind.UPDATE else "Link")
        )
    return fields
