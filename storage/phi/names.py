"""Patient names, found through anchors rather than a name list.

A name counts when something ties it to care: a patient cue right before it ("pt Jimenez",
"patient: doe, jane"), a title in a clinical sentence ("Mrs. Okafor was discharged"), a
relative ("her daughter Maria"), a possessive before care ("Lopez's MRI"), a care event
right after it ("Ana Ruiz was admitted"), or an identifier beside it ("Jane Roe DOB ...").
A token after "Dr." or before ", MD" names a physician and never counts.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from storage.phi.anchors import Anchored
from storage.phi.cues import Context
from storage.phi.model import Finding, Kind
from storage.phi.normalize import View
from storage.phi.patterns import tolerant, typos
from storage.phi.words import COMMON, common_shape

_I = re.IGNORECASE
_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['-](?=[^\W\d_])){0,30}")
_AFTER_PATIENT = re.compile(
    rf"(?<![\w'])(?:(?:my|the|this|our|a)\s+)?(?:{typos('patient')}|(?-i:pt|Pt|PT))"
    r"(?:\.|'s(?=\s+name))?(?:\s+name)?(?:\s*+(?:is|was|named|called|:|-|,|=)\s*+|\s++)(?=[^\W\d_])",
    _I,
)
_AFTER_TITLE = re.compile(r"(?<![\w.])(?-i:Mr|Mrs|Ms|Miss|Mx|MR|MRS|MS|mr|mrs|ms)\.?\s+", _I)
_AFTER_RELATIVE = re.compile(
    r"(?<![\w'])(?:his|her|their|the\s+patient'?s|(?-i:pt|Pt)'?s|patient'?s)\s+"
    r"(?:daughter|son|wife|husband|mother|mom|father|dad|sister|brother|spouse|partner|"
    r"granddaughter|grandson|grandmother|grandfather|niece|nephew|caregiver|guardian)"
    r"(?:\s*+,\s*+|\s++)(?:(?:is|named|called)\s+)?(?=[^\W\d_])",
    _I,
)
_CARE_NOUN = (
    r"mri|ct|pet|scan|surgery|procedure|discharge|admission|labs?|lab\s+results|results|"
    r"biopsy|chemo|diagnosis|dx|x-?ray|appointment|appt|follow-?up|meds|medications?|chart|"
    r"mrn|dob|records?|echo|ekg|colonoscopy|mammogram|infusion|pathology|prognosis|"
    r"condition|treatment|care\s+plan|prescription|insurance|claim|bill|room|bed|vitals|"
    r"symptoms|blood\s+work|ssn|birthday|home|family|daughter|son|wife|husband|cell|"
    r"knee|hip|heart|cancer|tumor|fracture|stroke|injury|pain|test|cath|stent|wound|"
    r"readmission|transfer|referral\s+for|consult|op|post-op|pre-op|case"
)
_POSSESSIVE_CARE = re.compile(
    rf"'s\s+(?:[\w-]+\s+){{0,2}}?(?:{_CARE_NOUN})(?!\w)(?!\s+(?:volumes?|numbers|schedule|"
    r"block|center|slots?|capacity|program|lines?|team|department|dept|suite|unit|referrals|"
    r"counts?|times|wait|access|availability|rates?|share|growth|menu|staff|list|days))",
    _I,
)
# A care event after a name ("Ana Ruiz, 72, was admitted", "... Haddad? She was discharged"):
# the event word is found first, then what stands between it and the name.
_CARE_EVENT = Anchored(
    re.compile(
        tolerant(
            r"(?<![\w'])(?:admitted|discharged|readmitted|diagnosed|transferred|intubated|"
            r"coded|passed\s+away|expired|died|fell|presented|underwent|seen\s+in|brought\s+in|"
            r"scheduled\s+for\s+(?:surgery|a\s+procedure|an?\s+mri)|had\s+surgery|post-?op|"
            r"no-?showed|(?:is\s+)?in\s+(?:room|bed|the\s+icu|the\s+er|the\s+ed))(?!\w)"
        ),
        _I,
    )
)
_BEFORE_EVENT = re.compile(
    r"(?:\s*,\s*(?:\d{1,3}\s*(?:y/?o|yo|(?-i:[MF]))?|age\s*\d{1,3})\s*,?)?"
    r"(?:[.?!;]\s+(?-i:She|He|she|he)\s+|\s+)"
    r"(?:(?:was|is|got|has\s+been|had|just|being|will\s+be)\s+)?$",
    _I,
)
# "Eleanor Abernathy (pt) wants...", "Ana Ruiz, a patient of Dr. Cho,..."
_THEN_CUE = re.compile(
    r"(?<=[^\W\d_])(?:\s*+\(\s*(?:pt|patient)\s*\)|\s*+,\s*(?:a|the|our|my)\s+(?:pt|patient)\b|"
    r"\s++(?:is|was)\s+(?:a|the|our|my)\s+(?:pt|patient)\b(?!\s+(?:experience|portal)))",
    _I,
)
_AFTER_PATIENT_A = Anchored(_AFTER_PATIENT)
_AFTER_RELATIVE_A = Anchored(_AFTER_RELATIVE)
_AFTER_TITLE_A = Anchored(_AFTER_TITLE)
_NAME_LABEL = re.compile(r"(?:pt\s+|patient\s+)?name\s*[:=-]?\s*", _I)
_PHYSICIAN_BEFORE = re.compile(r"(?:\bdr|\bdoctor|\bprof)\.?\s*$", _I)
_PHYSICIAN_AFTER = re.compile(
    r"^,?\s*(?-i:M\.?D|D\.?O|NP|PA-C|PA|DPM|DNP|APRN|FNP|RN|DDS|DMD|PhD)\b|^'?s?\s+(?:office|practice|clinic|group|team)\b",
    _I,
)
_CLINICAL = frozenset({"patient", "relative", "clinical"})


def find(view: View, context: Context, labels: list[tuple[int, int]]) -> Iterator[Finding]:
    """Names in a clean view. `labels` are the original spans (label start, value end) of
    the strong identifiers found, for names written beside them."""
    text = view.text
    for match in _AFTER_PATIENT_A.finditer(view.words()):
        yield from _forward(view, match.end(), "name+patient-cue", match[0].strip(), lower=True)
    for match in _AFTER_RELATIVE_A.finditer(view.words()):
        yield from _forward(view, match.end(), "name+relative", match[0].strip(), lower=True)
    for match in _AFTER_TITLE_A.finditer(view.words()):
        span = _tokens_forward(text, match.end(), lower=True, limit=2)
        if span is None:
            continue
        start, end = view.span(match.start(), span[1])
        cue = context.patient_cue(start, end, groups=_CLINICAL)
        if cue is not None:
            yield _finding(view, span, "name+title", cue.word)
    for match in _POSSESSIVE_CARE.finditer(text) if "'s" in text else ():
        span = _tokens_backward(text, match.start(), limit=2, lower=True)
        if span is not None:
            yield _finding(view, span, "name+possessive-care", match[0].split()[-1])
    for match in _CARE_EVENT.finditer(view.words()):
        head = text[max(0, match.start() - 60) : match.start()]
        gap = _BEFORE_EVENT.search(head)
        if gap is None:
            continue
        span = _tokens_backward(text, match.start() - len(head) + gap.start(), limit=3)
        if span is not None:
            yield _finding(view, span, "name+care-event", match[0].split()[-1])
    for match in _THEN_CUE.finditer(text):
        span = _tokens_backward(text, match.start(), limit=3)
        if span is not None:
            yield _finding(view, span, "name+patient-cue", match[0].strip(" ,()"))
    for label in labels:
        yield from _beside(view, label)


def _forward(view: View, at: int, rule: str, cue: str, *, lower: bool) -> Iterator[Finding]:
    span = _tokens_forward(view.text, at, lower=lower, limit=3)
    if span is not None:
        yield _finding(view, span, rule, cue)


def _beside(view: View, label: tuple[int, int]) -> Iterator[Finding]:
    """A name written right before a strong identifier's label, or right after its value
    ("Jane Roe DOB 3/4/1941", "MRN 00123456 (ROE, JANE)")."""
    text = view.text
    start = bisect_left(view.starts, label[0])
    while start > 0 and text[start - 1] in " \t,;:(-":
        start -= 1
    span = _tokens_backward(text, start, limit=3)
    if span is not None:
        yield _finding(view, span, "name+identifier", "identifier")
    end = bisect_left(view.starts, label[1])
    while end < len(text) and text[end] in " \t,;:()-":
        end += 1
    named = _NAME_LABEL.match(text, end)
    if named is not None:
        end = named.end()
    span = _tokens_forward(text, end, lower=False, limit=3)
    if span is not None and " " in text[span[0] : span[1]].strip(", "):
        yield _finding(view, span, "name+identifier", "identifier")


def _tokens_forward(text: str, at: int, *, lower: bool, limit: int) -> tuple[int, int] | None:
    """The name tokens starting at `at`: "Jimenez", "doe, jane", "María José Núñez"."""
    end = None
    pos = at
    for count in range(limit):
        match = _TOKEN.match(text, pos)
        if match is None or not _name_like(match[0], lower=lower):
            break
        if count == 0 and _PHYSICIAN_BEFORE.search(text, max(0, at - 8), at):
            return None
        end = match.end()
        sep = re.match(r"\.?(?:,\s*|\s+)(?=[^\W\d_])", text[end : end + 4])
        if sep is None or "\n" in sep[0]:
            break
        pos = end + sep.end()
    if end is None or _PHYSICIAN_AFTER.match(text, end):
        return None
    return at, end


def _tokens_backward(
    text: str, end: int, *, limit: int, lower: bool = False
) -> tuple[int, int] | None:
    """Capitalised name tokens ending at `end` ("Ana Ruiz", "RUIZ, ANA"); with `lower`, a
    lower-case one too when it is no common word ("tran's mri")."""
    start = None
    pos = end
    for _ in range(limit):
        chunk = text[max(0, pos - 32) : pos]
        match = re.search(r"[^\W\d_](?:[^\W\d_]|['-](?=[^\W\d_])){0,30}$", chunk)
        if match is None:
            break
        word = match[0]
        if not (word[0].isupper() or lower) or not _name_like(word, lower=lower):
            break
        begin = pos - len(word)
        if _PHYSICIAN_BEFORE.search(text, max(0, begin - 8), begin):
            return None
        start = begin
        sep = re.search(r"(?:,\s*|\s)$", text[max(0, begin - 3) : begin])
        if sep is None:
            break
        pos = begin - len(sep[0])
    if start is None or _PHYSICIAN_AFTER.match(text, end):
        return None
    return start, end


def _name_like(word: str, *, lower: bool) -> bool:
    key = word.lower().removesuffix("'s")
    if key in COMMON or len(word) < 2:
        return False
    if word.islower():
        return lower and not common_shape(key)
    return True


def _finding(view: View, span: tuple[int, int], rule: str, cue: str) -> Finding:
    if view.text[span[0] : span[1]].lower().endswith("'s"):
        span = (span[0], span[1] - 2)  # "Nguyen's biopsy": the name is "Nguyen"
    start, end = view.span(*span)
    return Finding(Kind.NAME, start, end, rule, cue)
