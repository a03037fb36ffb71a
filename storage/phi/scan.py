"""Scan a message for patient identifiers, and redact what was found."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

from storage.phi import names, patterns, weak
from storage.phi.anchors import Anchored
from storage.phi.cues import Context
from storage.phi.model import Finding, Kind
from storage.phi.normalize import View, clean, digits
from storage.phi.validators import ssn_valid

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
_YEAR = re.compile(r"(?:19|20)\d\d")
_LABELLED = [(rule, Anchored(rule.pattern)) for rule in patterns.LABELLED]
_SSN_LAST4 = Anchored(patterns.SSN_LAST4)
_AGE_IS = Anchored(patterns.AGE_IS)


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
    found += weak.find(view, numbers, context)
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
            if rule.kind is not Kind.DOB and _YEAR.fullmatch(value):
                continue  # "Medicare 2025 rates", "account 2025 plan"
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
