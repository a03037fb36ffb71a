"""User text is stored in Slack's escaped form (`&amp;`, `&lt;`, `&gt;` for what a person
typed); this turns it back into the characters typed, for places that show text raw."""

from __future__ import annotations

import re

_ENTITY = re.compile(r"&(amp|lt|gt);")
_CHARS = {"amp": "&", "lt": "<", "gt": ">"}


def as_typed(text: str) -> str:
    return _ENTITY.sub(lambda m: _CHARS[m[1]], text)
