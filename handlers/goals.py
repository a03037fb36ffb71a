"""Goals in Slack: the private list behind `/liaison goals`, its buttons, and the goal form.

Block ids of the form are the GoalDraft's fields, so storage's field errors land on them.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers import ids, replies
from handlers.actors import actor_for, workspace_of
from handlers.blocks import Payload, button, payload
from handlers.deps import Deps
from handlers.modals import done_modal
from handlers.state import chosen, chosen_id, written
from handlers.structure import goal_groups, goal_select, line_select
from handlers.text import clip, parse_id, to_modal
from handlers.views import field_error
from storage.enums import GoalLevel, GoalStatus
from storage.errors import InvalidSetting, NotFound, Refused
from storage.goals import ACTION, PERIOD_LIMIT, TARGET_LIMIT, TITLE_LIMIT
from storage.guard import PhiBlocked, Text
from storage.views import Choices, GoalDraft, GoalView

Json = dict[str, Any]

LISTED = 45  # goals with their own Edit button; a message holds at most 50 blocks
STATUS_MARK = {
    GoalStatus.ON_TRACK: ":large_green_circle:",
    GoalStatus.AT_RISK: ":large_yellow_circle:",
    GoalStatus.OFF_TRACK: ":red_circle:",
}
LEVELS = {
    GoalLevel.CORPORATE: "Corporate goal (admins)",
    GoalLevel.TEAM: "Team goal of my team, serving a corporate goal",
}


def describe(goal: GoalView) -> str:
    """A goal on one or two lines of mrkdwn: status, title, whose, and its details."""
    whose = f"{goal.team_name}: " if goal.team_name else ""
    head = f"{STATUS_MARK[goal.status]} {whose}*{clip(goal.title, 200)}*"
    if goal.parent:
        head = "↳ " + head
    details = [goal.status.label]
    if goal.service_line:
        details.append(clip(goal.service_line.name, 80))
    details += [clip(text, 200) for text in (goal.target, goal.period) if text]
    return f"{head}\n{'  ·  '.join(details)}"


def goal_list(goals: tuple[GoalView, ...]) -> Payload:
    blocks: list[Block] = []
    if not goals:
        blocks.append(
            SectionBlock(
                text="No goals yet. Corporate goals come first (admins add "
                "them); each team then adds the goals that serve them."
            )
        )
    for goal in goals[:LISTED]:
        edit = button("Edit", ids.GOAL_EDIT, goal.id)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=describe(goal)), accessory=edit))
    if len(goals) > LISTED:
        more = f"{len(goals) - LISTED} more goals: choose one to edit it."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
        pick = StaticSelectElement(
            action_id=ids.GOAL_PICK, placeholder="Edit a goal", option_groups=goal_groups(goals)
        )
        blocks.append(ActionsBlock(elements=[pick]))
    add = ButtonElement(text="Add a goal", action_id=ids.GOAL_ADD, value="new", style="primary")
    blocks.append(ActionsBlock(elements=[add]))
    return {**payload(f"Goals: {len(goals)}", blocks), "response_type": "ephemeral"}


def _input(block: str, label: str, limit: int, initial: str | None, optional: bool) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=label,
        optional=optional,
        element=PlainTextInputElement(action_id=block, max_length=limit, initial_value=initial),
    )


def _choose(block: str, label: str, options: list[Option], current: str) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=label,
        element=StaticSelectElement(
            action_id=block,
            options=options,
            initial_option=next(o for o in options if o.value == current),
        ),
    )


def _initial(text: str | None) -> str | None:
    """Stored text as a field's initial value: Slack takes it raw, and sends it back raw."""
    return to_modal(text) if text else None


def goal_modal(choices: Choices, goal: GoalView | None = None) -> dict[str, Any]:
    """A new goal's form, or an existing goal's (its level stays what it is)."""
    blocks: list[Block] = [
        _input("title", "Goal", TITLE_LIMIT, _initial(goal.title if goal else None), optional=False)
    ]
    corporate = [g for g in choices.goals if g.level == GoalLevel.CORPORATE]
    if goal is None:
        # A team goal serves a corporate goal: none yet, none to serve, so no team level.
        offered = LEVELS if corporate else {GoalLevel.CORPORATE: LEVELS[GoalLevel.CORPORATE]}
        levels = [Option(value=level, label=label) for level, label in offered.items()]
        blocks.append(
            _choose("level", "Level", levels, GoalLevel.TEAM if corporate else GoalLevel.CORPORATE)
        )
    if corporate and (goal is None or goal.level == GoalLevel.TEAM):
        parent = goal.parent.id if goal and goal.parent else None
        label = "Corporate goal it serves (team goals)"
        blocks.append(goal_select(tuple(corporate), "parent", label, parent, True))
    if choices.service_lines:
        line = goal.service_line.id if goal and goal.service_line else None
        blocks.append(line_select(choices.service_lines, line))
    blocks += [
        _input(
            "target",
            "Metric and target",
            TARGET_LIMIT,
            _initial(goal.target if goal else None),
            True,
        ),
        _input(
            "period",
            "Period, e.g. FY27",
            PERIOD_LIMIT,
            _initial(goal.period if goal else None),
            True,
        ),
    ]
    statuses = [Option(value=s, label=s.label.capitalize()) for s in GoalStatus]
    blocks.append(
        _choose("status", "Status", statuses, goal.status if goal else GoalStatus.ON_TRACK)
    )
    return View(
        type="modal",
        callback_id=ids.GOAL_MODAL,
        private_metadata=str(goal.id) if goal else "",
        title="Edit the goal" if goal else "Add a goal",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def _level(view: dict[str, Any]) -> GoalLevel:
    picked = chosen(view, "level") or GoalLevel.CORPORATE
    if picked not in set(GoalLevel):
        raise InvalidSetting("level", "Choose corporate or team.")
    return GoalLevel(picked)


def _status(view: dict[str, Any]) -> GoalStatus:
    picked = chosen(view, "status") or GoalStatus.ON_TRACK
    if picked not in set(GoalStatus):
        raise InvalidSetting("status", "Choose a status from the list.")
    return GoalStatus(picked)


def register(app: App, deps: Deps) -> None:
    goals = deps.services.goals

    def open_form(
        context: BoltContext,
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        picked: object = None,
    ) -> None:
        """The goal form: a new goal's, or (`picked`: an untrusted id) an existing one's."""

        def say(text: str) -> None:
            deps.background.submit(
                respond, text=text, response_type="ephemeral", replace_original=False
            )

        workspace, user = workspace_of(context, body), body["user"]["id"]
        try:
            current = None
            if picked is not None:
                goal_id = parse_id(picked)
                if goal_id is None:
                    raise NotFound("goal")
                action = goals.action_on(workspace, goal_id)
                current = goals.can_edit(actor_for(deps, client, workspace, user, action), goal_id)
            view = goal_modal(goals.choices(workspace, deps.clock()), current)
        except Refused as refused:
            say(replies.refusal(refused))
            return
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except (SlackApiError, OSError):
            say(replies.BUTTON_FORM_FAILED)

    @app.action(ids.GOAL_ADD)
    def add(
        ack: Ack, context: BoltContext, body: Json, client: WebClient, respond: Respond
    ) -> None:
        ack()
        open_form(context, body, client, respond)

    @app.action(ids.GOAL_EDIT)
    def edit(
        ack: Ack, context: BoltContext, body: Json, client: WebClient, respond: Respond
    ) -> None:
        ack()
        open_form(context, body, client, respond, body["actions"][0].get("value") or "")

    @app.action(ids.GOAL_PICK)
    def pick(
        ack: Ack, context: BoltContext, body: Json, client: WebClient, respond: Respond
    ) -> None:
        ack()
        option = body["actions"][0].get("selected_option") or {}
        open_form(context, body, client, respond, option.get("value") or "")

    @app.view(ids.GOAL_MODAL)
    def save(ack: Ack, context: BoltContext, body: Json, view: Json, client: WebClient) -> None:
        now, workspace, user = deps.clock(), workspace_of(context, body), body["user"]["id"]
        goal_id = parse_id(view.get("private_metadata"))
        try:
            level = _level(view)
            # An edit is what the goal is; the form's level counts only for a new goal.
            action = goals.action_on(workspace, goal_id) if goal_id else ACTION[level]
            who = actor_for(deps, client, workspace, user, action)

            def screen(block: str) -> Text | None:
                raw = written(view, block)
                try:
                    return (
                        deps.services.guard.screen(who, raw, now, where=f"goal {block}")
                        if raw
                        else None
                    )
                except PhiBlocked as blocked:
                    raise InvalidSetting(block, replies.phi_field(blocked)) from None

            title = screen("title")
            if title is None:
                raise InvalidSetting("title", "Give the goal a title.")
            draft = GoalDraft(
                title,
                level,
                _status(view),
                chosen_id(view, "parent", "goal"),
                chosen_id(view, ids.SERVICE_LINE_BLOCK, "service line"),
                screen("target"),
                screen("period"),
            )
            if view.get("private_metadata") and goal_id is None:
                raise NotFound("goal")
            saved = (
                goals.edit(who, goal_id, draft, now) if goal_id else goals.create(who, draft, now)
            )
        except InvalidSetting as invalid:
            field_error(ack, invalid.message, invalid.field)
            return
        except Refused as refused:
            field_error(ack, replies.refusal(refused), "title")
            return
        ack(response_action="update", view=done_modal("Goal saved", describe(saved)))
