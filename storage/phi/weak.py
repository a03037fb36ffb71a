"""Weak identifiers: phones, faxes, emails, addresses, dates, URLs, IPs and VINs have the
same form for patients as for offices, so each counts only with a patient cue nearer than
any business cue (see `cues`)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from itertools import chain

from storage.phi import patterns
from storage.phi.cues import Context
from storage.phi.model import Finding, Kind
from storage.phi.normalize import View
from storage.phi.validators import ipv4_valid, npi_valid, phone_digits, vin_valid

_STREET_WORDS = (
    "the a an of on in at to and or for with from by is was are be this that our "
    "your my her his their new more patients referrals offices practices doctors "
    "visits events mailers people pts calls days weeks hours minutes times percent "
    "per"
)
_STREET_STOP = frozenset(_STREET_WORDS.split())


def find(view: View, numbers: View, context: Context) -> Iterator[Finding]:
    """Identifiers that have the same form for patients and for offices: they count only
    with a patient cue nearer than any business cue."""
    for kind, rule, start, end in _weak_candidates(view, numbers):
        # A personal mailbox is nobody's office: a business cue nearby does not clear it.
        personal = kind is Kind.EMAIL and patterns.PERSONAL_DOMAIN.search(
            view.text, *_view_range(view, start, end)
        )
        link = context.patient_cue(start, end, overrule=not personal, own=False)
        if link is not None:
            yield Finding(kind, start, end, f"{rule}+patient-cue", link.word)
        elif kind is Kind.URL and not context.business_nearer(start, end):
            # A patient's own page ("caringbridge.org/visit/...", "mychart/.../patient/")
            own = patterns.URL_PATIENT.search(view.text, *_view_range(view, start, end))
            if own is not None:
                yield Finding(kind, start, end, "url+patient-path", own[0])


def _weak_candidates(view: View, numbers: View) -> Iterator[tuple[Kind, str, int, int]]:
    # Each family runs only when its telltale character is in the text at all.
    text = view.text
    lower = text.lower()
    for match in patterns.EMAIL.finditer(text) if "@" in text else ():
        yield (Kind.EMAIL, "email", *view.span(*match.span()))
    spelled = (
        "dot" in lower or any(f"at{c}" in lower for c in ")]}") or " @" in text or " AT " in text
    )
    for match in patterns.SPELLED_EMAIL.finditer(text) if spelled else ():
        if "@" in match[0]:
            continue
        spelled_dot = re.search(r"dot", match[0], re.I)
        if match["at"].strip() == "at" and spelled_dot is None:
            continue  # "sign up at lakeside.com" is a sentence, not an address
        yield (Kind.EMAIL, "spelled-email", *view.span(*match.span()))
    links = patterns.URL.finditer(text) if "http" in lower or "www." in lower else iter(())
    if patterns.BARE_URL_HINT.search(text):
        links = chain(links, patterns.BARE_URL.finditer(text))
    for match in links:
        url = match[0].rstrip(".,;:!?)]}")
        if "utm_" in url.lower():
            continue
        yield (Kind.URL, "url", *view.span(match.start(), match.start() + len(url)))
    for match in patterns.IPV4.finditer(text) if text.count(".") >= 3 else ():
        if ipv4_valid(match["v"]):
            yield (Kind.IP, "ip", *view.span(*match.span("v")))
    for match in patterns.IPV6.finditer(text) if text.count(":") >= 3 else ():
        yield (Kind.IP, "ip", *view.span(*match.span("v")))
    yield from _phones(numbers)
    for match in patterns.ADDRESS.finditer(text):
        words = match["street"].lower().split()
        if any(w in _STREET_STOP for w in words) or _looks_like_title(text, match):
            continue
        yield (Kind.ADDRESS, "address", *view.span(*match.span("v")))
    for match in patterns.PO_BOX.finditer(text) if "box" in lower else ():
        yield (Kind.ADDRESS, "po-box", *view.span(*match.span("v")))
    for match in patterns.DATE_RE.finditer(text):
        if _date_valid(match[0]):
            yield (Kind.DATE, "date", *view.span(*match.span()))
    for match in patterns.VIN.finditer(text):
        if any(c.isdigit() for c in match["v"]) and vin_valid(match["v"]):
            yield (Kind.VEHICLE, "vin", *view.span(*match.span("v")))


def _view_range(view: View, start: int, end: int) -> tuple[int, int]:
    return bisect_left(view.starts, start), bisect_left(view.starts, end)


def _phones(numbers: View) -> Iterator[tuple[Kind, str, int, int]]:
    text = numbers.text
    for match in patterns.PHONE.finditer(text):
        value = match["v"].lstrip("+")
        if not phone_digits(value):
            continue
        before = text[max(0, match.start() - 40) : match.start()]
        if patterns.EXTENSION.search(before[-12:]):
            continue
        start, end = numbers.span(*match.span("v"))
        if len(value) == 10 and npi_valid(value) and patterns.NPI_NEAR.search(before):
            continue
        if len(value) == 7 and not _seven_digit_shape(numbers, match):
            continue
        words = list(patterns.LINE_WORD.finditer(before))
        kind = Kind.FAX if words and words[-1]["fax"] else Kind.PHONE
        yield (kind, kind.name.lower(), start, end)


def _seven_digit_shape(numbers: View, match: re.Match[str]) -> bool:
    """A bare 7-digit run is a phone only when written like one ("555-1234")."""
    starts, ends = numbers.starts, numbers.ends
    first, last = match.span("v")
    groups = {(starts[i], ends[i]) for i in range(first, last)}
    return len(groups) > 1 and starts[first + 3] > ends[first + 2]


def _looks_like_title(text: str, match: re.Match[str]) -> bool:
    """ "14 referrals from Dr. Patel" is not an address: "Dr" there is a title."""
    end = match.end("v")
    tail = match["v"].rstrip(".").lower()
    return tail.endswith(" dr") and bool(re.match(r"\.?\s+[A-Z]", text[end : end + 3]))


def _date_valid(value: str) -> bool:
    parts = re.split(r"[/\-.]", value)
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        return True  # a month name: the pattern already bounds it
    numbers = [int(p) for p in parts]
    if len(parts[0]) == 4:
        return 1 <= numbers[1] <= 12 and 1 <= numbers[2] <= 31
    first, second = numbers[0], numbers[1]
    if not (1 <= first <= 31 and 1 <= second <= 31) or (first > 12 and second > 12):
        return False
    if len(parts) == 2:
        return "/" in value  # "3.5" and "10-12" are numbers and ranges, not dates
    return True
