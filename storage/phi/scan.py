"""Scan a message for patient identifiers, and redact what was found."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence

from storage.phi import names, patterns
from storage.phi.anchors import Anchored
from storage.phi.cues import Context
from storage.phi.model import Finding, Kind
from storage.phi.normalize import View, clean, digits
from storage.phi.validators import ipv4_valid, npi_valid, phone_digits, ssn_valid, vin_valid

# When findings overlap, the earlier kind in this order wins (a phone-shaped MRN is an MRN).
_RANK = {
    kind: i
    for i, kind in enumerate(
        [
            Kind.SSN, Kind.MRN, Kind.DOB, Kind.HEALTH_PLAN, Kind.ACCOUNT, Kind.LICENSE,
            Kind.DEVICE, Kind.VEHICLE, Kind.AGE, Kind.EMAIL, Kind.URL, Kind.IP, Kind.FAX,
            Kind.PHONE, Kind.ADDRESS, Kind.DATE, Kind.NAME,
        ]
    )
}  # fmt: skip
_DEVICE_CUE = re.compile(
    patterns.tolerant(
        r"\b(?:udi|pacemaker|defibrillator|icd|implant(?:ed)?|insulin\s+pump|pump|stent|"
        r"hearing\s+aid|cpap|bipap|prosthe(?:sis|tic)|neurostimulator|cgm|glucose\s+monitor|"
        r"loop\s+recorder|port|shunt|lvad|wheelchair|walker)\b"
    ),
    re.I,
)
_LABELLED = [(rule, Anchored(rule.pattern)) for rule in patterns.LABELLED]
_SSN_LAST4 = Anchored(patterns.SSN_LAST4)
_AGE_IS = Anchored(patterns.AGE_IS)
_STREET_WORDS = (
    "the a an of on in at to and or for with from by is was are be this that our "
    "your my her his their new more patients referrals offices practices doctors "
    "visits events mailers people pts calls days weeks hours minutes times percent "
    "per"
)
_STREET_STOP = frozenset(_STREET_WORDS.split())


def scan(text: str, *, mrn_pattern: re.Pattern[str] | None = None) -> tuple[Finding, ...]:
    """The patient identifiers in `text`, in order, spans in the original text."""
    if not text:
        return ()
    view = clean(text)
    numbers = digits(view)
    context = Context(view)
    found: list[Finding] = []
    labels: list[tuple[int, int]] = []
    found += _labelled(numbers, context, labels)
    found += _labelled(view, context, labels, only=(Kind.DOB,))
    found += _labelled_after(view, labels)
    found += _strong_shapes(view, numbers, mrn_pattern)
    found += _age(view, context)
    found += _weak(view, numbers, context)
    found += names.find(view, context, labels)
    return _resolve(found, view.markup)


def redact(text: str, findings: Sequence[Finding]) -> str:
    """`text` with each finding's span replaced by "[kind]"; overlapping spans merge."""
    out: list[str] = []
    at = 0
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if finding.end <= at:
            continue
        start = max(finding.start, at)
        if start == at and out and out[-1].startswith("["):
            at = max(at, finding.end)  # overlaps the previous one: already replaced
            continue
        out.append(text[at:start])
        out.append(f"[{finding.kind}]")
        at = finding.end
    out.append(text[at:])
    return "".join(out)


def _labelled(
    view: View,
    context: Context,
    labels: list[tuple[int, int]],
    only: tuple[Kind, ...] | None = None,
) -> Iterator[Finding]:
    for rule, pattern in _LABELLED:
        if only is not None and rule.kind not in only:
            continue
        for match in pattern.finditer(view.words()):
            value = match["v"]
            if sum(c.isdigit() for c in value) < rule.min_digits:
                continue
            start, end = view.span(*match.span("v"))
            if rule.kind is Kind.MRN and patterns.PHONE_SHAPE.fullmatch(view.source[start:end]):
                continue  # "patient's #: 480.555.0199" is a phone number, left to the phone rule
            cue: str | None = None
            if rule.needs_cue:
                link = context.patient_cue(start, end)
                if link is None and rule.kind is Kind.DEVICE:
                    window = view.text[max(0, match.start() - 80) : match.end() + 80]
                    device = _DEVICE_CUE.search(window)
                    if device is None or context.business_nearer(start, end):
                        continue
                    cue = device[0]
                elif link is None:
                    continue
                else:
                    cue = link.word
            elif not rule.strong and context.business_nearer(start, end):
                continue
            labels.append((view.span(*match.span("label"))[0], end))
            yield Finding(rule.kind, start, end, rule.rule, cue)
    for match in (
        patterns.SSN_MASKED.finditer(view.text)
        if "x" in view.text.lower() or "*" in view.text
        else ()
    ):
        start, end = view.span(*match.span())
        yield Finding(Kind.SSN, start, end, "masked-ssn")
    for match in _SSN_LAST4.finditer(view.words()):
        start, end = view.span(*match.span("v"))
        labels.append((view.span(*match.span("label"))[0], end))
        yield Finding(Kind.SSN, start, end, "ssn-last4")


def _labelled_after(view: View, labels: list[tuple[int, int]]) -> Iterator[Finding]:
    """A value followed by its label ("has 123456789 as the SSN"), read from the clean view
    so that a date before a label ("dob 1986-08-07 mrn") is not one number."""
    for match in patterns.LABEL_AFTER.finditer(view.text):
        ssn = match["label"].lower().startswith(("ss", "soc"))
        if ssn and not (len(match["v"]) == 9 and match["v"].isdigit()):
            continue
        start, end = view.span(*match.span("v"))
        labels.append((start, view.span(*match.span("label"))[1]))
        yield Finding(Kind.SSN if ssn else Kind.MRN, start, end, "labelled-after")


def _strong_shapes(
    view: View, numbers: View, mrn_pattern: re.Pattern[str] | None
) -> Iterator[Finding]:
    for match in patterns.SSN_SHAPE.finditer(view.text):
        if ssn_valid(re.sub(r"\D", "", match["v"])):
            yield Finding(Kind.SSN, *view.span(*match.span("v")), "ssn")
    for match in patterns.MBI.finditer(view.text):
        yield Finding(Kind.HEALTH_PLAN, *view.span(*match.span("v")), "mbi")
    if mrn_pattern is not None:
        for source in (view, numbers):
            for match in mrn_pattern.finditer(source.text):
                if match.end() > match.start():
                    yield Finding(Kind.MRN, *source.span(*match.span()), "custom-mrn")


def _age(view: View, context: Context) -> Iterator[Finding]:
    text = view.text
    if not patterns.AGE_HINT.search(text):
        return
    for match in patterns.AGE.finditer(text):
        group = next(g for g in ("v", "v2", "v3", "v4") if match[g] is not None)
        before = text[max(0, match.start() - 20) : match.start()]
        after = text[match.end(group) : match.end(group) + 16]
        if patterns.AGE_AGGREGATE_BEFORE.search(before) or patterns.AGE_AGGREGATE_AFTER.match(
            after
        ):
            continue
        start, end = view.span(*match.span())
        if context.business_nearer(start, end, own=False):
            continue
        link = context.patient_cue(start, end)
        if group == "v3" and match["sex"].islower() and link is None:
            continue  # "94m" may be millions; "94M" or "94m admitted" is a man of 94
        yield Finding(Kind.AGE, start, end, "age-over-89", link.word if link else None)
    for match in _AGE_IS.finditer(view.words()):
        start, end = view.span(*match.span("v"))
        link = context.patient_cue(start, end)
        if link is not None:
            yield Finding(Kind.AGE, start, end, "age+patient-cue", link.word)


def _weak(view: View, numbers: View, context: Context) -> Iterator[Finding]:
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
    spelled = "dot" in lower or any(f"at{c}" in lower for c in ")]}") or " @" in lower
    for match in patterns.SPELLED_EMAIL.finditer(text) if spelled else ():
        if "@" in match[0]:
            continue
        spelled_dot = re.search(r"dot", match[0], re.I)
        if match["at"].strip() == "at" and spelled_dot is None:
            continue  # "sign up at lakeside.com" is a sentence, not an address
        yield (Kind.EMAIL, "spelled-email", *view.span(*match.span()))
    for match in patterns.URL.finditer(text) if "/" in text or "www." in lower else ():
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


def _resolve(found: list[Finding], markup: list[tuple[int, int]]) -> tuple[Finding, ...]:
    """Widen findings to the Slack markup they sit in, and drop the ones inside a
    higher-ranked finding (a DOB's date is not also a "date")."""
    widened = {_widen(f, markup) for f in found}
    kept: list[Finding] = []
    for finding in sorted(widened, key=lambda f: (_RANK[f.kind], f.start - f.end)):
        if any(k.start <= finding.start and finding.end <= k.end and k != finding for k in kept):
            continue
        if any(
            k.kind is finding.kind and k.start < finding.end and finding.start < k.end for k in kept
        ):
            continue
        kept.append(finding)
    return tuple(sorted(kept, key=lambda f: (f.start, f.end, _RANK[f.kind])))


def _widen(finding: Finding, markup: list[tuple[int, int]]) -> Finding:
    i = bisect_right(markup, (finding.start, len(markup) and 1 << 62)) - 1
    if 0 <= i < len(markup) and markup[i][0] <= finding.start < markup[i][1]:
        start, end = markup[i]
        return Finding(finding.kind, start, max(end, finding.end), finding.rule, finding.cue)
    return finding
