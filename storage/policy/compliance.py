"""Offers that may involve something of value to a referral source.

Liaison work must respect the Stark Law and the Anti-Kickback Statute. The app gives no legal
advice: it makes such offers visible, so that whoever reviews them sees the flag.
"""

from __future__ import annotations

import re

VALUE_WORDS = re.compile(
    r"\b(lunch(?:es|eon)?|dinners?|breakfasts?|meals?|catered|catering|drinks|gifts?"
    r"|gift cards?|sponsor(?:s|ed|ing|ship)?|honorari(?:um|a)|tickets?|golf|spa"
    r"|paid (?:speaker|speaking|event|events|trip)|stipends?)\b",
    re.IGNORECASE,
)


def value_words(text: str) -> list[str]:
    """The words in `text` that suggest something of value, each once, as written."""
    seen: dict[str, str] = {}
    for match in VALUE_WORDS.finditer(text):
        seen.setdefault(match.group(0).lower(), match.group(0))
    return list(seen.values())
