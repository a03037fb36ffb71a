"""Links to an item's message, made without a call to Slack per item.

Slack documents one link that opens a given message everywhere (desktop, browser, the
phone apps): the permalink chat.getPermalink answers, whose form is
`https://<workspace>.slack.com/archives/<channel>/p<ts without the dot>`. The workspace's
address is the `url` of the app's start-up auth.test, learned once per process. Until it is
known (Slack out of reach at start, or a preview from the command line), a link opens the
item's channel through Slack's documented `app_redirect`, which needs no address.
"""

from __future__ import annotations

from handlers.text import markup
from storage.views import MessageRef


class Permalinks:
    def __init__(self, workspace_url: str | None = None) -> None:
        self.base: str | None = None
        self.learn(workspace_url)

    def learn(self, workspace_url: object) -> None:
        """Keep the workspace's address from auth.test (e.g. "https://acme.slack.com/")."""
        url = str(workspace_url or "")
        if url.startswith(("https://", "http://")):
            self.base = url.rstrip("/")

    def to(self, workspace_id: str, message: MessageRef) -> str:
        """The link to the message, escaped for use inside `<...|label>`."""
        if self.base:
            return f"{self.base}/archives/{message.channel}/p{message.ts.replace('.', '')}"
        return channel_link(workspace_id, message.channel)


def channel_link(workspace_id: str, channel: str) -> str:
    """Slack's link that opens a channel, escaped for use inside `<...|label>`."""
    return markup(f"https://slack.com/app_redirect?team={workspace_id}&channel={channel}")
