"""The sandbox's Block Kit renderer (bot/sandbox/static/blockkit.js).

blockkit.json lists the types the renderer draws. The first test needs no browser: it walks
what the app's real builders produce and fails as soon as one emits a type not on the list.
The browser tests prove the list true: the JS draws exactly the listed types, each sample
and each real message without an "unsupported" placeholder, and mrkdwn as Slack shows it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser import chromium

from handlers import goals, messages, modals
from handlers.closed import listed
from handlers.permalinks import Permalinks
from storage.enums import Action, GoalLevel, GoalStatus, OfferType
from storage.views import (
    AnswerView,
    Choices,
    DigestView,
    Figures,
    GoalView,
    Listing,
    MessageRef,
    OfferView,
    QuestionView,
    ServiceLineView,
    Tag,
    UpdateView,
)
from storage.workspaces import Closed, Schedule

STATIC = Path(__file__).parents[1] / "bot" / "sandbox" / "static"
SPEC = json.loads((STATIC / "blockkit.json").read_text())
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in New York
VIEW_TYPES = {"modal", "home"}


def app_payloads() -> dict[str, dict[str, Any]]:
    """Every message and modal the app builds, from sample data."""
    earlier = NOW - timedelta(days=4)
    answer = AnswerView("ULENA", "Northside & <b>West</b>", NOW)
    asked = QuestionView(
        1, "UDANA", "Marketing", "Physician Liaisons", "Who refers?", "open", earlier
    )
    answered = QuestionView(
        2, "UDANA", "Marketing", "Physician Liaisons", "Q?", "open", earlier, (answer, answer)
    )
    closed = QuestionView(
        3, "UDANA", "Marketing", "Physician Liaisons", "Q?", "closed", earlier, closed_at=NOW
    )
    offered = OfferView(4, "USAM", "Physician Liaisons", "Marketing", "A list", "offered", earlier)
    accepted = OfferView(
        5,
        "USAM",
        "Physician Liaisons",
        "Marketing",
        "A list",
        "accepted",
        earlier,
        accepted_by="UDANA",
        accepted_at=NOW,
    )
    withdrawn = OfferView(
        6, "USAM", "Physician Liaisons", "Marketing", "x", "withdrawn", earlier, withdrawn_at=NOW
    )
    declined = OfferView(
        8,
        "USAM",
        "Physician Liaisons",
        "Marketing",
        "A list",
        "declined",
        earlier,
        of_value=True,
        declined_by="UDANA",
        moved_by="UDANA",
        moved_at=NOW,
        declined_at=NOW,
        decline_reason="Done <already>",
    )
    delivered = OfferView(
        9,
        "USAM",
        "Physician Liaisons",
        "Marketing",
        "A list",
        "delivered",
        earlier,
        accepted_by="UDANA",
        accepted_at=NOW,
        delivered_by="USAM",
        moved_by="USAM",
        moved_at=NOW,
        delivered_at=NOW,
        delivered_link="https://drive.example.org/list",
    )
    update = UpdateView(
        7, "UDANA", "Marketing", "*Ortho* campaign", earlier, message=MessageRef("C1", "1.000200")
    )
    figures = Figures(3, 2, timedelta(hours=5), 1, 1)
    busy = DigestView(
        "Marketing",
        "Physician Liaisons",
        earlier,
        NOW,
        Listing((update,), 4),
        Listing((asked,), 1),
        Listing((asked,), 1),
        Listing((offered,), 1),
        Listing((accepted,), 1),
        figures,
        "T1",
    )
    empty: Listing[Any] = Listing((), 0)
    quiet = DigestView(
        "Marketing",
        "Physician Liaisons",
        earlier,
        NOW,
        *[empty] * 5,
        Figures(0, 0, None, 0, 0),
        "T1",
    )
    renderer = messages.SlackRenderer(Permalinks("https://acme.slack.com/"))
    parent, thread = renderer.digest(busy)
    built = {
        "plan_update": messages.plan_update(update),
        "question": messages.question(asked),
        "question_answered": messages.question(answered),
        "question_closed": messages.question(closed),
        "answer_reply": messages.answer_reply(asked, answer),
        "answer_dm": messages.with_link(messages.answer_dm(asked, answer), "https://x.test/p1"),
        "offer": messages.offer(offered),
        "offer_accepted": messages.offer(accepted),
        "offer_withdrawn": messages.offer(withdrawn),
        "offer_declined": messages.offer(declined),
        "offer_delivered": messages.offer(delivered),
        "offer_accepted_dm": messages.offer_dm(accepted, Action.ACCEPT),
        "offer_declined_dm": messages.offer_dm(declined, Action.DECLINE),
        "offer_delivered_dm": messages.offer_dm(delivered, Action.DELIVER),
        "guard_notice": messages.guard_notice("CLIAISONS", ("MRN",), True),
        "reask": messages.reask(asked, 1, 2, NOW),
        "reask_last": messages.reask(asked, 2, 2, NOW, broadcast=True),
        "escalation_dm": messages.escalation_dm(asked, 2, NOW),
        "working_on_it": messages.working_on_it(asked, "ULENA", NOW),
        "post_failed": messages.post_failed(
            "CMARKETING", "is_archived", "Ortho <https://x.test/b|brief>", ("UADMIN",)
        ),
        "digest": parent,
        "digest_quiet": renderer.digest(quiet)[0],
        "answer_modal": modals.answer_modal(asked),
        "decline_modal": modals.decline_modal(offered),
        "deliver_modal": modals.deliver_modal(accepted),
        "compose_offer_again": modals.compose_modal(modals.COMPOSERS["offer"], "Lunch", "Why"),
        "done_modal": modals.done_modal("Done", "*Saved*"),
        "settings_modal": modals.settings_modal(Schedule(), listed([])),
        # A zone not in the list is offered too, so the current value is preselected.
        "settings_modal_other_zone": modals.settings_modal(
            Schedule(timezone="America/Boise", reask_broadcast=False),
            listed([Closed(date(2026, 12, 24), "Christmas Eve")]),
        ),
    }
    built |= structured(earlier)
    built |= {f"digest_thread_{n}": part for n, part in enumerate(thread)}
    built |= {f"compose_{k}": modals.compose_modal(c) for k, c in modals.COMPOSERS.items()}
    return built


def many_choices(lines: int, corporate: int, per_goal: int) -> Choices:
    """A workspace with more service lines and goals than one select can hold."""
    views = tuple(ServiceLineView(n, f"Service line {n:03} & more") for n in range(1, lines + 1))
    goal_list: list[GoalView] = []
    for top in range(corporate):
        parent = GoalView(
            1000 + top,
            f"Corporate goal {top} " + "x" * 90,
            GoalLevel.CORPORATE,
            GoalStatus.ON_TRACK,
        )
        goal_list.append(parent)
        goal_list += [
            GoalView(
                2000 + top * per_goal + n,
                f"Team goal {n}",
                GoalLevel.TEAM,
                GoalStatus.AT_RISK,
                parent=Tag(parent.id, parent.title),
                team_key="marketing",
                team_name="Marketing",
                service_line=Tag(1, "Orthopedics"),
                target="40 visits",
                period="FY27",
            )
            for n in range(per_goal)
        ]
    return Choices(views, tuple(goal_list))


def structured(earlier: datetime) -> dict[str, dict[str, Any]]:
    """Messages and forms with every optional field, and lists longer than a select holds."""
    ortho, goal = Tag(1, "Orthopedics"), Tag(2, "Grow ortho referrals 10% <fast>")
    due = NOW.date() + timedelta(days=3)
    asked = QuestionView(
        1,
        "UDANA",
        "Marketing",
        "Physician Liaisons",
        "Q?",
        "open",
        earlier,
        service_line=ortho,
        goal=goal,
        needed_by=due,
    )
    offered = OfferView(
        4,
        "USAM",
        "Physician Liaisons",
        "Marketing",
        "A list",
        "offered",
        earlier,
        service_line=ortho,
        link="https://x.test/list",
        offer_type=OfferType.TARGET_LIST,
    )
    update = UpdateView(
        7, "UDANA", "Marketing", "Plan", earlier, goal=goal, link="https://x.test/p"
    )
    crowded = many_choices(150, 120, 2)
    return {
        "question_tagged": messages.question(asked),
        "offer_tagged": messages.offer(offered),
        "plan_update_tagged": messages.plan_update(update),
        **{
            f"compose_{k}_crowded": modals.compose_modal(c, choices=crowded)
            for k, c in modals.COMPOSERS.items()
        },
        "goal_modal_new": goals.goal_modal(crowded),
        "goal_modal_edit": goals.goal_modal(crowded, crowded.goals[1]),
        "goal_list": goals.goal_list(crowded.goals),
        "goal_list_empty": goals.goal_list(()),
    }


def test_selects_hold_at_most_100_options_however_long_the_lists() -> None:
    for name, built in structured(NOW).items():
        for node in _walk(built):
            if node.get("type") == "static_select":
                groups = node.get("option_groups") or []
                assert len(node.get("options") or []) <= 100, name
                assert len(groups) <= 100 and all(len(g["options"]) <= 100 for g in groups), name
    blocks = structured(NOW)["goal_list"]["blocks"]
    assert len(blocks) <= 50


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)


def types_in(node: Any) -> set[str]:
    if isinstance(node, list):
        return {t for item in node for t in types_in(item)}
    if not isinstance(node, dict):
        return set()
    found = {node["type"]} if isinstance(node.get("type"), str) else set()
    return found | {t for value in node.values() for t in types_in(value)}


def test_the_renderer_draws_every_type_the_app_emits() -> None:
    supported = set(SPEC["blocks"]) | set(SPEC["elements"]) | set(SPEC["texts"]) | VIEW_TYPES
    emitted = {t for payload in app_payloads().values() for t in types_in(payload)}
    assert emitted - supported == set(), "add these to blockkit.json and draw them in blockkit.js"
    assert {"header", "section", "context", "actions", "input", "button"} <= emitted


def test_every_emoji_the_app_writes_has_a_character() -> None:
    import re

    source = "".join(p.read_text() for p in (Path(__file__).parents[1] / "handlers").glob("*.py"))
    assert set(re.findall(r":([a-z_]+):", source)) - set(SPEC["emoji"]) == set()


# -- in the browser ----------------------------------------------------------------------
NAMES = {"UDANA": "Dana Whitfield", "USAM": "Sam Okafor", "ULENA": "Lena Brooks"}
CHANNELS = {"CMARKETING": "marketing"}
OPTION = {"text": {"type": "plain_text", "text": "Tuesday"}, "value": "1"}
ELEMENT_SAMPLES: dict[str, dict[str, Any]] = {
    "button": {"type": "button", "text": {"type": "plain_text", "text": "Accept"}, "value": "1"},
    "plain_text_input": {"type": "plain_text_input", "multiline": True},
    "number_input": {"type": "number_input", "is_decimal_allowed": False, "initial_value": "3"},
    "url_text_input": {"type": "url_text_input", "initial_value": "https://x.test/list"},
    "timepicker": {"type": "timepicker", "initial_time": "09:00"},
    "datepicker": {"type": "datepicker", "initial_date": "2026-12-07"},
    "static_select": {"type": "static_select", "options": [OPTION], "initial_option": OPTION},
    "multi_static_select": {"type": "multi_static_select", "options": [OPTION]},
    "users_select": {"type": "users_select", "initial_user": "USAM"},
    "multi_users_select": {"type": "multi_users_select"},
    "channels_select": {"type": "channels_select"},
    "multi_channels_select": {"type": "multi_channels_select"},
    "conversations_select": {"type": "conversations_select"},
    "multi_conversations_select": {"type": "multi_conversations_select"},
    "checkboxes": {"type": "checkboxes", "options": [OPTION]},
    "radio_buttons": {"type": "radio_buttons", "options": [OPTION]},
    "image": {"type": "image", "image_url": "https://x.test/a.png", "alt_text": "a chart"},
}
MRKDWN = {"type": "mrkdwn", "text": "*Figures*"}
BLOCK_SAMPLES: dict[str, dict[str, Any]] = {
    "header": {"type": "header", "text": {"type": "plain_text", "text": ":newspaper: Digest"}},
    "divider": {"type": "divider"},
    "section": {
        "type": "section",
        "text": MRKDWN,
        "fields": [MRKDWN, {"type": "plain_text", "text": "two"}],
        "accessory": ELEMENT_SAMPLES["button"],
    },
    "context": {"type": "context", "elements": [MRKDWN, ELEMENT_SAMPLES["image"]]},
    "actions": {"type": "actions", "elements": [ELEMENT_SAMPLES["button"]]},
    "image": {"type": "image", "image_url": "https://x.test/b.png", "alt_text": "a map"},
    "input": {
        "type": "input",
        "block_id": "timezone",
        "label": {"type": "plain_text", "text": "Timezone"},
        "element": {"type": "plain_text_input", "action_id": "value"},
    },
}


@pytest.fixture(scope="module")
def kit() -> Iterator[Any]:
    for browser in chromium():
        page = browser.new_page(locale="en-US", timezone_id="UTC")
        page.set_content("<!doctype html><main id=out></main>")
        page.add_script_tag(path=str(STATIC / "blockkit.js"))
        page.evaluate("spec => { window.kit = BlockKit.create(spec); }", SPEC)
        yield page


def draw(page: Any, blocks: list[dict[str, Any]], now: str = "2026-12-07T15:00:00Z") -> Any:
    """Render blocks into #out as a message would be; the container's locator."""
    page.evaluate(
        """([blocks, names, channels, now]) => {
            const ctx = { names, channels, now, tz: "America/New_York", onAction: () => {} };
            document.getElementById("out").replaceChildren(kit.renderBlocks(blocks, ctx));
        }""",
        [blocks, NAMES, CHANNELS, now],
    )
    return page.locator("#out")


def test_the_list_is_exactly_what_the_renderer_draws(kit: Any) -> None:
    tables = kit.evaluate(
        "Object.fromEntries(Object.entries(kit.tables).map(([k, t]) => [k, Object.keys(t).sort()]))"
    )
    assert tables == {k: sorted(SPEC[k]) for k in ("blocks", "elements", "texts")}
    assert set(BLOCK_SAMPLES) == set(SPEC["blocks"])
    assert set(ELEMENT_SAMPLES) == set(SPEC["elements"])


@pytest.mark.parametrize("kind", sorted(BLOCK_SAMPLES))
def test_each_block_type_draws(kit: Any, kind: str) -> None:
    out = draw(kit, [BLOCK_SAMPLES[kind]])
    assert out.locator(".bk-unsupported").count() == 0
    assert out.locator(f"[data-block-type={kind}]").count() == 1


@pytest.mark.parametrize("kind", sorted(ELEMENT_SAMPLES))
def test_each_element_type_draws_in_an_input(kit: Any, kind: str) -> None:
    element = {**ELEMENT_SAMPLES[kind], "action_id": "value"}
    block = {"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "Pick"}}
    out = draw(kit, [{**block, "element": element}])
    assert out.locator(".bk-unsupported").count() == 0
    if kind not in ("button", "image", "checkboxes", "radio_buttons"):
        assert out.get_by_label("Pick").count() == 1  # <label for> names the field


def test_an_unknown_type_shows_as_unsupported(kit: Any) -> None:
    out = draw(kit, [{"type": "video", "title": "x"}])
    assert out.locator(".bk-unsupported").inner_text() == "Unsupported block: video"


def test_every_message_and_modal_the_app_builds_draws(kit: Any) -> None:
    for name, payload in app_payloads().items():
        out = draw(kit, payload["blocks"])
        assert out.locator(".bk-unsupported").count() == 0, name
        assert out.inner_text().strip(), name


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "*bold* and _italic_ and ~gone~",
            "<strong>bold</strong> and <em>italic</em> and <s>gone</s>",
        ),
        ("a `code` b", "a <code>code</code> b"),
        ("```line 1\nline 2```", "<pre>line 1\nline 2</pre>"),
        ("&gt; quoted", "<blockquote>quoted</blockquote>"),
        ("• one\n• two", '<div class="bk-li">• one</div><div class="bk-li">• two</div>'),
        ("first\nsecond", '<div class="bk-line">first</div><div class="bk-line">second</div>'),
        ("_from <@U_X>, open today_", "<em>from "),
        (
            "<@UDANA> in <#CMARKETING>",
            '"bk-mention">@Dana Whitfield</span> in <span class="bk-mention">#marketing',
        ),
        (
            "<https://x.test/a?b=1&amp;c=2|the list>",
            'href="https://x.test/a?b=1&amp;c=2" target="_blank" rel="noopener">the list</a>',
        ),
        ("<javascript:alert(1)|click>", '<div class="bk-line">click</div>'),
        ("<!channel> <!here>", '@channel</span> <span class="bk-mention">@here'),
        (":memo: :handshake: :unknown:", "📝 🤝 :unknown:"),
        ("&lt;img src=x onerror=alert(1)&gt; &amp;", "&lt;img src=x onerror=alert(1)&gt; &amp;"),
        (
            "<!date^1796652000^{date_short_pretty} at {time}|Dec 07, 2026 14:00 UTC>",
            ">Today at 9:00 AM</time>",
        ),
    ],
)
def test_mrkdwn(kit: Any, text: str, html: str) -> None:
    out = draw(kit, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
    assert html in out.locator(".bk-mrkdwn").inner_html()
    assert out.locator("img, script").count() == 0


def test_dates_far_from_today_show_the_date(kit: Any) -> None:
    when = "<!date^1796652000^{date_short_pretty} at {time}|fallback>"
    out = draw(
        kit,
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": when}]}],
        "2027-01-01T00:00:00Z",
    )
    assert out.inner_text() == "Dec 7, 2026 at 9:00 AM"
