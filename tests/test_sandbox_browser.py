"""`liaison-bridge sandbox` in a real browser: the three habits, walked as people would."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, screenshot

URL_LINE = re.compile(r"open (http://\S+/)")
THREAD = re.compile(r"^\d+ repl(y|ies)$")
SCRIPT = Path(sys.executable).with_name("liaison-bridge")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture
def sandbox(browser: Any, tmp_path: Path) -> Iterator[str]:
    """The command as a person runs it, on a fresh folder and a free port; its URL."""
    process = subprocess.Popen(
        [str(SCRIPT), "sandbox", "--dir", str(tmp_path / "sandbox"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,  # no .env here: the sandbox needs none
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if found := URL_LINE.search(line):
            break
    else:
        process.wait(5)
        pytest.fail("the sandbox did not start:\n" + "".join(seen))
    try:
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(15)


class Person:
    """Drives the page the way someone using it would, by what the page says."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def act_as(self, person: str) -> None:
        self.page.get_by_label("Acting as").select_option(person)

    def open(self, conversation: str) -> None:
        self.page.get_by_role("navigation", name="Conversations").get_by_role(
            "button", name=conversation, exact=True
        ).click()

    def say(self, channel: str, text: str) -> None:
        box = self.page.get_by_role("textbox", name=f"Message {channel}", exact=True)
        box.fill(text)
        box.press("Enter")

    def message(self, text: str) -> Any:
        return (
            self.page.get_by_role("log", name="Messages")
            .get_by_role("article")
            .filter(has_text=text)
        )

    def in_thread(self, text: str) -> Any:
        return self.page.get_by_role("complementary").get_by_role("article").filter(has_text=text)


def test_the_three_habits_in_the_sandbox(browser: Any, sandbox: str) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(sandbox)
    me = Person(page)

    # An admin makes each channel a team's home; people join their teams.
    me.act_as("UALEX")
    me.open("# marketing")
    me.say("#marketing", "/liaison setup marketing")
    expect(me.message("now the home of Marketing")).to_contain_text("Only visible to you")
    me.open("# physician-liaisons")
    me.say("#physician-liaisons", "/liaison setup liaison")
    expect(me.message("now the home of Physician Liaisons")).to_be_visible()
    for person, channel, team in [
        ("UDANA", "marketing", "marketing"),
        ("URAJ", "marketing", "marketing"),
        ("USAM", "physician-liaisons", "liaison"),
        ("ULENA", "physician-liaisons", "liaison"),
    ]:
        me.act_as(person)
        me.open(f"# {channel}")
        me.say(f"#{channel}", f"/liaison join {team}")
        expect(me.message("You're in")).to_be_visible()

    # Marketing shares an update; the liaisons see it, the user's text shown as typed.
    me.act_as("UDANA")
    me.open("# marketing")
    me.say("#marketing", "/share Ortho campaign launches Sept 9: mailers & <b>flyers</b>")
    expect(me.message("Your plan update is on its way")).to_be_visible()
    me.act_as("USAM")
    me.open("# physician-liaisons")
    update = me.message("Plan update from Marketing")
    expect(update).to_contain_text("mailers & <b>flyers</b>")
    expect(update).to_contain_text("Shared by @Dana Whitfield")
    assert update.locator("b").count() == 0
    screenshot(page, "1-update-in-liaison-channel")

    # Marketing asks; a liaison answers in the modal (a blank answer is refused on the field).
    me.act_as("UDANA")
    me.open("# marketing")
    me.say("#marketing", "/ask Which cardiology practices are splitting referrals?")
    me.act_as("USAM")
    me.open("# physician-liaisons")
    me.message("Which cardiology practices").get_by_role("button", name="Answer").click()
    dialog = page.get_by_role("dialog", name="Answer a question")
    expect(dialog).to_contain_text("Marketing asks:")
    dialog.get_by_label("Your answer").fill("   ")
    dialog.get_by_role("button", name="Answer").click()
    refusal = dialog.get_by_role("alert").filter(has_text="Please write your answer first")
    expect(refusal).to_be_visible()
    expect(dialog.get_by_label("Your answer")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "2-answer-modal-error")
    dialog.get_by_label("Your answer").fill("Northside Cardiology: about a third go to St. Mary's.")
    dialog.get_by_role("button", name="Answer").click()
    expect(dialog).to_contain_text("Your answer is on its way")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    expect(me.message("Which cardiology practices")).to_contain_text("Answered by @Sam Okafor")
    me.act_as("UDANA")
    me.open("Liaison Bridge")
    dm = me.message("answered your question")
    expect(dm).to_contain_text("Northside Cardiology")
    expect(dm.get_by_role("link", name="Open the conversation")).to_be_visible()
    screenshot(page, "3-answer-dm")

    # A liaison offers help; then it is Monday and the digest lists the open offer.
    me.act_as("USAM")
    me.open("# physician-liaisons")
    me.say("#physician-liaisons", "/offer I can pull a target list of splitter PCPs")
    expect(me.message("Your offer is on its way")).to_be_visible()
    clock = page.get_by_text(re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun),")).first
    before = clock.inner_text()
    page.get_by_role("button", name=re.compile("^Skip to the digest")).click()
    expect(clock).not_to_have_text(before)
    expect(clock).to_contain_text("Mon")
    me.act_as("UDANA")
    me.open("# marketing")
    digest = me.message("Weekly digest for Marketing")
    expect(digest).to_contain_text("1 offer of help for you to accept.")
    digest.get_by_role("button", name=THREAD).click()
    lists = me.in_thread("Offers of help for you")
    expect(lists).to_contain_text("splitter PCPs")
    links = lists.get_by_role("link", name="Open", exact=True)
    expect(links.first).to_be_visible()
    hrefs = [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
    assert all(re.search(r"/archives/C\w+/p\d{16}$", href) for href in hrefs), hrefs
    screenshot(page, "4-monday-digest")

    # The first Accept takes the offer; a later Accept (from the digest) is refused.
    offer = me.message("Offer of help to Marketing")
    offer.get_by_role("button", name="Accept").click()
    expect(me.message("You accepted the offer")).to_contain_text("Only visible to you")
    expect(offer).to_contain_text("Accepted by @Dana Whitfield")
    expect(offer.get_by_role("button", name="Accept")).to_have_count(0)
    me.act_as("URAJ")
    me.open("# marketing")
    me.message("Weekly digest for Marketing").get_by_role("button", name=THREAD).click()
    me.in_thread("Offers of help for you").get_by_role("button", name="Accept").click()
    refused = me.in_thread("That offer is already accepted (@Dana Whitfield")
    expect(refused).to_contain_text("Only visible to you")
    screenshot(page, "5-second-accept-refused")

    # An admin's settings form: a bad value is shown on its field, good ones are saved.
    me.act_as("UALEX")
    me.open("# general")
    me.say("#general", "/liaison settings")
    settings = page.get_by_role("dialog", name="Liaison Bridge settings")
    delay = settings.get_by_label("Ask unanswered questions again after (business days)")
    delay.fill("0")
    settings.get_by_role("button", name="Save").click()
    expect(delay).to_have_attribute("aria-invalid", "true")
    screenshot(page, "6-settings-error")
    delay.fill("4")
    settings.get_by_label("Timezone").select_option(label="Central (Chicago)")
    settings.get_by_label("Also post the last reminder to the channel?").select_option(
        label="No, keep every reminder in the thread"
    )
    settings.get_by_label("Weekly digest day").select_option(label="Tuesday")
    settings.get_by_label("Digest time").fill("08:30")
    settings.get_by_role("button", name="Save").click()
    saved = page.get_by_role("dialog", name="Settings saved")
    expect(saved).to_contain_text("Tuesdays at 08:30 Central (Chicago) time")
    expect(saved).to_contain_text("after 4 business days, at most 2 times (none is posted")
    saved.get_by_role("button", name="Done").click()
    expect(saved).to_be_hidden()

    # A guest is no admin: Slack's users.info says so.
    me.act_as("UCASEY")
    me.say("#general", "/liaison settings")
    expect(me.message("Only workspace admins")).to_be_visible()
    screenshot(page, "7-guest-refused")
    assert errors == []
