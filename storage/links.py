"""Links people give the app: web links only, and nothing that could break Slack's markup."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from storage.errors import InvalidSetting

LINK_FIELD = "link"


def web_link(url: str) -> str:
    """The link if it is an http(s) address Slack can show as `<url|label>`; else refused."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or re.search(r"[\s<>|]", url):
        raise InvalidSetting(LINK_FIELD, "Use a web link that starts with https://")
    return url
