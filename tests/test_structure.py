"""Structure for the domain, driven as Slack drives it: service lines, goals, needed-by dates,
links and kinds of offer, from the forms (view_submission, Slack's element shapes) to the
posted messages, the author's confirmation and the rows stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from conftest import ADMIN, LIA_CHANNEL, MKT_CHANNEL, Served, serve, set_up, settings_for
from fake_slack import FakeSlack
from sqlalchemy import select

from handlers import ids
from storage.enums import Action, GoalLevel, GoalStatus, OfferType
from storage.models import AuditEntry, Goal, Item, Offer, Question, ServiceLine, Update
from storage.policy.permissions import Actor

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
M1, L1 = "U_M1", "U_L1"
ASK, SHARE, OFFER = (f"{ids.COMPOSE}:{kind}" for kind in ("ask", "share", "offer"))


@pytest.fixture
def bridge(fake: FakeSlack, db_url: str) -> Iterator[Served]:
    """Both teams set up, served with the clock stopped at NOW."""
    app = serve(settings_for(fake, db_url), clock=lambda: NOW)
    try:
        yield set_up(app, (M1,), (L1,))
    finally:
        app.runtime.stop()


def select_(block: str, value: object, label: str = "x") -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": label, "emoji": True}, "value": str(value)}
    return {block: {block: {"type": "static_select", "selected_option": option}}}


def datepicker(on: str) -> dict[str, Any]:
    block = ids.NEEDED_BY_BLOCK
    return {block: {block: {"type": "datepicker", "selected_date": on}}}


def url(value: str) -> dict[str, Any]:
    return {ids.LINK_BLOCK: {ids.LINK_INPUT: {"type": "url_text_input", "value": value}}}


def text(words: str) -> dict[str, dict[str, str]]:
    return {ids.TEXT_BLOCK: {ids.TEXT_INPUT: words}}


def line_id(app: Served, name: str) -> int:
    return next(line.id for line in app.rows(ServiceLine) if line.name == name)


def add_goal(app: Served, user: str, title: str, level: GoalLevel, **more: Any) -> Any:
    elements = {**select_("level", level), **select_("status", more.pop("status", "on_track"))}
    for block, value in more.items():
        elements |= select_(block, value)
    return app.slack.view_submission(
        user, ids.GOAL_MODAL, {"title": {"title": title}}, elements=elements
    )


def posted_to(fake: FakeSlack, channel: str, words: str) -> dict[str, Any]:
    [post] = fake.wait_for(
        "chat.postMessage",
        where=lambda c: c.body.get("channel") == channel and words in json.dumps(c.body),
    )
    return post.body


def test_a_question_with_every_field_is_stored_posted_and_confirmed(
    bridge: Served, fake: FakeSlack
) -> None:
    corporate = add_goal(bridge, ADMIN, "Grow ortho referrals 10%", GoalLevel.CORPORATE)
    assert corporate.json()["response_action"] == "update"
    [goal] = bridge.rows(Goal)
    ortho = line_id(bridge, "Orthopedics")
    fields = select_(ids.SERVICE_LINE_BLOCK, ortho) | select_(ids.GOAL_BLOCK, goal.id)
    reply = bridge.slack.view_submission(
        M1,
        ASK,
        text("Which ortho offices see new surgeons?"),
        elements=fields | datepicker("2026-12-10"),
    )
    assert reply.json()["response_action"] == "update"
    confirmation = json.dumps(reply.json()["view"]["blocks"])
    [question] = bridge.rows(Question)
    assert (question.service_line_id, question.goal_id) == (ortho, goal.id)
    assert question.needed_by == date(2026, 12, 10)
    body = json.dumps(posted_to(fake, LIA_CHANNEL, "new surgeons")["blocks"])
    thursday = int(datetime(2026, 12, 10, 12, tzinfo=UTC).timestamp())
    for shown in (body, confirmation):
        assert "Orthopedics" in shown and "Grow ortho referrals 10%" in shown
        assert f"Needed by <!date^{thursday}^{{date_short_pretty}}|Dec 10, 2026>" in shown


def test_an_update_and_an_offer_carry_their_link_type_and_line(
    bridge: Served, fake: FakeSlack
) -> None:
    spine = line_id(bridge, "Spine")
    shared = bridge.slack.view_submission(
        M1,
        SHARE,
        text("Spine campaign plan for Q1"),
        elements=select_(ids.SERVICE_LINE_BLOCK, spine) | url("https://docs.example.org/spine-q1"),
    )
    assert shared.json()["response_action"] == "update"
    offered = bridge.slack.view_submission(
        L1,
        OFFER,
        text("Talking points on the spine program"),
        elements=select_(ids.OFFER_TYPE_BLOCK, OfferType.TALKING_POINTS)
        | url("http://intranet.example.org/tp"),
    )
    assert offered.json()["response_action"] == "update"
    [update] = bridge.rows(Update)
    [offer] = bridge.rows(Offer)
    assert (update.service_line_id, update.link) == (spine, "https://docs.example.org/spine-q1")
    assert (offer.offer_type, offer.link) == (
        OfferType.TALKING_POINTS,
        "http://intranet.example.org/tp",
    )
    plan = json.dumps(posted_to(fake, LIA_CHANNEL, "Spine campaign")["blocks"])
    assert "Spine" in plan and "<https://docs.example.org/spine-q1|Link>" in plan
    help_ = json.dumps(posted_to(fake, MKT_CHANNEL, "Talking points on")["blocks"])
    assert "Talking points" in help_ and "<http://intranet.example.org/tp|Link>" in help_
    assert "Sales-meeting support" not in help_


def test_a_one_line_command_still_posts_at_once_without_structure(
    bridge: Served, fake: FakeSlack
) -> None:
    reply = bridge.slack.command("/ask", "Who covers the north territory?", M1, MKT_CHANNEL)
    assert "on its way to Physician Liaisons" in reply.text
    [question] = bridge.rows(Question)
    assert (question.service_line_id, question.goal_id, question.needed_by) == (None, None, None)
    body = json.dumps(posted_to(fake, LIA_CHANNEL, "north territory")["blocks"])
    assert "Needed by" not in body and ":hospital:" not in body
    assert fake.calls("views.open") == []


def test_the_forms_offer_the_workspace_lines_and_goals(bridge: Served, fake: FakeSlack) -> None:
    add_goal(bridge, ADMIN, "Grow ortho referrals 10%", GoalLevel.CORPORATE)
    bridge.slack.command("/ask", "", M1, MKT_CHANNEL, trigger_id="t-ask")
    [opened] = fake.wait_for("views.open", where=lambda c: c.body.get("trigger_id") == "t-ask")
    blocks = {b["block_id"]: b for b in opened.body["view"]["blocks"] if "block_id" in b}
    lines = [o["text"]["text"] for o in blocks[ids.SERVICE_LINE_BLOCK]["element"]["options"]]
    assert len(lines) == 10 and "Women's health" in lines and lines == sorted(lines)
    assert blocks[ids.NEEDED_BY_BLOCK]["element"]["type"] == "datepicker"
    [group] = blocks[ids.GOAL_BLOCK]["element"]["option_groups"]
    assert group["options"][0]["text"]["text"] == "Grow ortho referrals 10%"


def test_admins_edit_the_service_lines_and_tagged_items_keep_theirs(
    bridge: Served, fake: FakeSlack
) -> None:
    listed = bridge.slack.command("/liaison", "servicelines", M1, MKT_CHANNEL).text
    assert "(10)" in listed and "Women's health" in listed
    refused = bridge.slack.command("/liaison", "servicelines add ENT", M1, MKT_CHANNEL).text
    assert "Only" in refused and "change the service lines" in refused
    assert "ENT" in bridge.slack.command("/liaison", "servicelines add  ENT ", ADMIN).text
    again = bridge.slack.command("/liaison", "servicelines add ent", ADMIN).text
    assert "already on the list" in again

    ortho = line_id(bridge, "Orthopedics")
    tagged = select_(ids.SERVICE_LINE_BLOCK, ortho)
    bridge.slack.view_submission(M1, ASK, text("Which ortho offices?"), elements=tagged)
    removed = bridge.slack.command("/liaison", "servicelines remove orthopedics", ADMIN).text
    assert "Orthopedics is off the list" in removed
    listed = bridge.slack.command("/liaison", "servicelines", M1, MKT_CHANNEL).text
    assert "Orthopedics" not in listed and "ENT" in listed and "(10)" in listed

    # The form can no longer tag with it; nothing is stored.
    reply = bridge.slack.view_submission(M1, ASK, text("Another ortho question"), elements=tagged)
    assert reply.json() == {
        "response_action": "errors",
        "errors": {ids.SERVICE_LINE_BLOCK: "That service line is no longer on the list."},
    }
    [question] = bridge.rows(Question)
    # The tagged question still reads its line when redrawn (answered here).
    answered = bridge.slack.view_submission(
        L1, ids.ANSWER_MODAL, text("Lakeside"), private_metadata=str(question.id)
    )
    assert answered.json()["response_action"] == "update"
    [edit] = fake.wait_for("chat.update")
    assert "Orthopedics" in json.dumps(edit.body["blocks"])
    # Adding the name back brings the same line back.
    bridge.slack.command("/liaison", "servicelines add Orthopedics", ADMIN)
    assert line_id(bridge, "Orthopedics") == ortho
    with bridge.runtime.db.unit_of_work() as uow:
        audited = uow.session.scalars(
            select(AuditEntry.object_id).where(AuditEntry.action == Action.SERVICE_LINES)
        ).all()
    assert len(audited) == 3 and ortho in audited


def test_goals_lifecycle_and_who_may(bridge: Served, fake: FakeSlack) -> None:
    # Corporate goals are the admins'.
    refused = add_goal(bridge, M1, "Grow ortho referrals 10%", GoalLevel.CORPORATE).json()
    assert refused["response_action"] == "errors" and "Only" in refused["errors"]["title"]
    assert bridge.rows(Goal) == []
    add_goal(bridge, ADMIN, "Grow ortho referrals 10%", GoalLevel.CORPORATE)
    [top] = bridge.rows(Goal)
    # A team goal belongs to its author's team and serves a corporate goal.
    missing = add_goal(bridge, M1, "Visit 40 ortho offices", GoalLevel.TEAM).json()
    assert missing["errors"] == {"parent": "Choose the corporate goal this team goal serves."}
    spine = line_id(bridge, "Spine")
    saved = add_goal(
        bridge,
        M1,
        "Visit 40 ortho offices",
        GoalLevel.TEAM,
        parent=top.id,
        service_line=spine,
        status="at_risk",
    ).json()
    assert saved["response_action"] == "update"
    team_goal = next(g for g in bridge.rows(Goal) if g.level == GoalLevel.TEAM)
    assert (team_goal.parent_id, team_goal.service_line_id) == (top.id, spine)
    assert team_goal.status == GoalStatus.AT_RISK and team_goal.team_id is not None

    listing = bridge.slack.command("/liaison", "goals", L1, LIA_CHANNEL)
    shown = json.dumps(listing.json()["blocks"])
    assert "Grow ortho referrals 10%" in shown and "Marketing: *Visit 40 ortho offices*" in shown
    assert shown.count(ids.GOAL_EDIT) == 2 and ids.GOAL_ADD in shown

    # The other team can't edit it: the Edit button says so, the form refuses too.
    bridge.slack.action(L1, ids.GOAL_EDIT, str(team_goal.id), response_url=fake.response_url("no"))
    [no] = fake.wait_for("response_url", where=lambda c: c.name == "no")
    assert "Only" in no.body["text"]
    edit = {"title": {"title": "Visit 40 ortho offices"}}
    status = select_("status", "off_track") | select_("parent", top.id)
    meta = str(team_goal.id)
    other = bridge.slack.view_submission(
        L1, ids.GOAL_MODAL, edit, private_metadata=meta, elements=status
    )
    assert other.json()["response_action"] == "errors"
    # Its own team changes its status through the same form, prefilled. A team goal's rule
    # needs nothing from Slack: a member Slack was never asked about edits it while Slack
    # can't say who is an admin.
    newcomer = "U_M3"
    bridge.runtime.services.teams.join(Actor(bridge.slack.team_id, newcomer), "marketing", NOW)
    fake.fail_next("users.info", "500", times=5)
    asked = len(fake.calls("users.info", include_failed=True))
    bridge.slack.action(newcomer, ids.GOAL_EDIT, meta, trigger_id="t-edit")
    [form] = fake.wait_for("views.open", where=lambda c: c.body.get("trigger_id") == "t-edit")
    assert "Visit 40 ortho offices" in json.dumps(form.body["view"]["blocks"])
    mine = bridge.slack.view_submission(
        newcomer, ids.GOAL_MODAL, edit, private_metadata=meta, elements=status
    )
    assert mine.json()["response_action"] == "update"
    [changed] = [g for g in bridge.rows(Goal) if g.id == team_goal.id]
    assert changed.status == GoalStatus.OFF_TRACK
    assert len(fake.calls("users.info", include_failed=True)) == asked
    with bridge.runtime.db.unit_of_work() as uow:
        actions = uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_type == "goal")
        ).all()
    assert actions == [Action.CORPORATE_GOAL, Action.TEAM_GOAL, Action.TEAM_GOAL]


@pytest.mark.parametrize(
    ("callback", "elements", "block", "message"),
    [
        (ASK, datepicker("2026-12-04"), ids.NEEDED_BY_BLOCK, "Choose today or a later day."),
        (ASK, datepicker("12/10/2026"), ids.NEEDED_BY_BLOCK, "Pick a day with the calendar."),
        (
            SHARE,
            url("javascript:alert(1)"),
            ids.LINK_BLOCK,
            "Use a web link that starts with https://",
        ),
        (
            SHARE,
            url("https://x.test/a b"),
            ids.LINK_BLOCK,
            "Use a web link that starts with https://",
        ),
        (
            ASK,
            select_(ids.SERVICE_LINE_BLOCK, "abc"),
            ids.SERVICE_LINE_BLOCK,
            "Choose a service line from the list.",
        ),
        (
            OFFER,
            select_(ids.OFFER_TYPE_BLOCK, "lunch"),
            ids.OFFER_TYPE_BLOCK,
            "Choose a kind of help from the list.",
        ),
    ],
)
def test_bad_input_is_shown_on_its_field_and_changes_nothing(
    bridge: Served,
    fake: FakeSlack,
    callback: str,
    elements: dict[str, Any],
    block: str,
    message: str,
) -> None:
    user = L1 if callback == OFFER else M1
    reply = bridge.slack.view_submission(user, callback, text("Ortho plan"), elements=elements)
    assert reply.json() == {"response_action": "errors", "errors": {block: message}}
    assert bridge.rows(Item) == []


def test_a_goal_or_line_of_another_workspace_is_refused(bridge: Served) -> None:
    from conftest import typed

    from storage.goals import GoalService
    from storage.views import GoalDraft

    other = Actor("T_OTHER", "U_BOSS", app_admin=True)
    draft = GoalDraft(typed("Their goal"), GoalLevel.CORPORATE)
    foreign = GoalService(bridge.runtime.db).create(other, draft, NOW)
    reply = bridge.slack.view_submission(
        M1, ASK, text("Which offices?"), elements=select_(ids.GOAL_BLOCK, foreign.id)
    )
    assert reply.json()["errors"] == {ids.GOAL_BLOCK: "That goal doesn't exist in this workspace."}
    with bridge.runtime.db.unit_of_work() as uow:
        theirs = uow.session.scalars(
            select(ServiceLine.id).where(ServiceLine.workspace_id == "T_OTHER")
        ).first()
    reply = bridge.slack.view_submission(
        M1, ASK, text("Which offices?"), elements=select_(ids.SERVICE_LINE_BLOCK, theirs)
    )
    assert ids.SERVICE_LINE_BLOCK in reply.json()["errors"]
    assert bridge.rows(Item) == []


def test_patient_identifiers_in_a_link_or_goal_are_kept_out(bridge: Served) -> None:
    reply = bridge.slack.view_submission(
        M1, SHARE, text("Ortho plan"), elements=url("https://x.test/chart?mrn=12345678")
    )
    assert "patient information" in reply.json()["errors"][ids.LINK_BLOCK]
    goal = add_goal(bridge, ADMIN, "Call back Pt Ann Lee, MRN 12345678", GoalLevel.CORPORATE)
    assert "patient information" in goal.json()["errors"]["title"]
    assert bridge.rows(Item) == [] and bridge.rows(Goal) == []


def test_an_edit_button_with_a_forged_id_opens_nothing(bridge: Served, fake: FakeSlack) -> None:
    for n, value in enumerate(("abc", "999", "")):
        name = f"forged-{n}"
        bridge.slack.action(M1, ids.GOAL_EDIT, value, response_url=fake.response_url(name))
        [said] = fake.wait_for("response_url", where=lambda c, name=name: c.name == name)
        assert said.body["text"] == "That goal no longer exists."
    assert fake.calls("views.open") == []


def test_the_digest_reads_each_item_tags(bridge: Served) -> None:
    ortho = line_id(bridge, "Orthopedics")
    fields = select_(ids.SERVICE_LINE_BLOCK, ortho) | datepicker("2026-12-10")
    bridge.slack.view_submission(M1, ASK, text("Which ortho offices?"), elements=fields)
    view = bridge.runtime.services.digests.preview("T0001", "liaison", NOW)
    [waiting] = view.waiting.items
    assert waiting.service_line is not None and waiting.service_line.name == "Orthopedics"
    assert waiting.needed_by == date(2026, 12, 10) and waiting.goal is None


def test_with_no_corporate_goal_the_form_offers_no_team_goal(
    bridge: Served, fake: FakeSlack
) -> None:
    # A team goal needs a corporate goal to serve, and its form no field to choose one.
    bridge.slack.action(M1, ids.GOAL_ADD, "new", trigger_id="t-first")
    [form] = fake.wait_for("views.open", where=lambda c: c.body.get("trigger_id") == "t-first")
    [level] = [b for b in form.body["view"]["blocks"] if b.get("block_id") == "level"]
    offered = [o["value"] for o in level["element"]["options"]]
    assert offered == [GoalLevel.CORPORATE]
    add_goal(bridge, ADMIN, "Grow ortho referrals 10%", GoalLevel.CORPORATE)
    bridge.slack.action(M1, ids.GOAL_ADD, "new", trigger_id="t-next")
    [form] = fake.wait_for("views.open", where=lambda c: c.body.get("trigger_id") == "t-next")
    [level] = [b for b in form.body["view"]["blocks"] if b.get("block_id") == "level"]
    assert [o["value"] for o in level["element"]["options"]] == list(GoalLevel)


def test_a_goal_edited_as_it_stands_keeps_its_ampersand(bridge: Served, fake: FakeSlack) -> None:
    add_goal(bridge, ADMIN, "Grow M&A referrals <10%>", GoalLevel.CORPORATE)
    [goal] = bridge.rows(Goal)
    assert goal.title == "Grow M&amp;A referrals &lt;10%&gt;"
    bridge.slack.action(ADMIN, ids.GOAL_EDIT, str(goal.id), trigger_id="t-amp")
    [form] = fake.wait_for("views.open", where=lambda c: c.body.get("trigger_id") == "t-amp")
    [title] = [b for b in form.body["view"]["blocks"] if b.get("block_id") == "title"]
    # The form shows what was typed, and saving it unchanged changes nothing.
    assert title["element"]["initial_value"] == "Grow M&A referrals <10%>"
    again = {"title": {"title": title["element"]["initial_value"]}}
    saved = bridge.slack.view_submission(
        ADMIN,
        ids.GOAL_MODAL,
        again,
        private_metadata=str(goal.id),
        elements=select_("status", "on_track"),
    )
    assert saved.json()["response_action"] == "update"
    assert [g.title for g in bridge.rows(Goal)] == ["Grow M&amp;A referrals &lt;10%&gt;"]


def test_labels_in_the_forms_show_an_ampersand_as_typed(bridge: Served, fake: FakeSlack) -> None:
    add_goal(bridge, ADMIN, "Grow M&A referrals", GoalLevel.CORPORATE)
    bridge.slack.command("/liaison", "servicelines add ENT &amp; Audiology", ADMIN, MKT_CHANNEL)
    bridge.slack.command("/ask", "", M1, MKT_CHANNEL, trigger_id="t-labels")
    [opened] = fake.wait_for("views.open", where=lambda c: c.body.get("trigger_id") == "t-labels")
    blocks = {b["block_id"]: b for b in opened.body["view"]["blocks"] if "block_id" in b}
    lines = [o["text"]["text"] for o in blocks[ids.SERVICE_LINE_BLOCK]["element"]["options"]]
    assert "ENT & Audiology" in lines
    [group] = blocks[ids.GOAL_BLOCK]["element"]["option_groups"]
    assert group["label"]["text"] == group["options"][0]["text"]["text"] == "Grow M&A referrals"


def test_a_goal_target_longer_than_its_field_is_refused(bridge: Served) -> None:
    # The form caps the field; a submission that did not pass through it is checked too.
    elements = select_("level", GoalLevel.CORPORATE) | select_("status", "on_track")
    values = {"title": {"title": "Grow ortho referrals"}, "target": {"target": "x" * 501}}
    reply = bridge.slack.view_submission(ADMIN, ids.GOAL_MODAL, values, elements=elements)
    assert reply.json() == {
        "response_action": "errors",
        "errors": {"target": "Keep the target under 500 characters."},
    }
    assert bridge.rows(Goal) == []
