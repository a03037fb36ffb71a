"""Patient and business cues, and the rule that links a weak identifier to a patient.

A weak identifier (a phone, an email, a date, a name...) counts only when a patient cue is
near it: in the same sentence or within `WINDOW` characters. A business cue that is strictly
nearer wins ("the office fax 555-123-4567" for a patient's referral stays business); when
both are as near, it blocks.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from storage.phi.anchors import Anchored
from storage.phi.normalize import View
from storage.phi.patterns import tolerant, typos

_I = re.IGNORECASE
WINDOW = 60
SENTENCE_REACH = 160

_RELATIVE = (
    r"daughter|son|wife|husband|mother|mom|father|dad|sister|brother|spouse|granddaughter|"
    r"grandson|grandmother|grandfather|grandma|grandpa|niece|nephew|aunt|uncle|caregiver|"
    r"guardian|next\s+of\s+kin|nok|poa|fianc[eé]e?|boyfriend|girlfriend"
)
_CLINICAL = (
    r"admitted|admit|admission\s+date|readmit(?:ted)?|discharged|discharge|discharge\s+date|"
    r"diagnosed|diagnosis|dx|surgery|surgeries|surgical\s+date|procedure|operated|post-?op|"
    r"pre-?op|chemo(?:therapy)?|radiation|infusion|dialysis|mri|ct\s+scan|cat\s+scan|"
    r"x-?rays?|biopsy|labs|(?:lab|test|mri|scan|biopsy)\s+results|mammogram|colonoscopy|"
    r"ultrasound|echo|ekg|ecg|(?-i:ER|ED)|emergency\s+room|emergency\s+department|icu|nicu|"
    r"inpatient|seen\s+(?:for|in|at|on|by|yesterday|today)|presented|passed\s+away|expired|"
    r"deceased|died|dob|d\.o\.b\.?|dos|date\s+of\s+service|symptoms|prescribed|meds|"
    r"medications?|follow-?up\s+(?:visit|appt|appointment)|consulted|transferred|ambulance|"
    r"hospice|snf|rehab|stroke|fracture|fell|cancer|tumor|chest\s+pain|"
    r"knee\s+replacement|hip\s+replacement|c-section|pregnant|hospitalized|"
    r"hospitalised|ward|bedside|bed\s+\d+|code\s+blue|intubated|sedated|vitals|allerg(?:y|ies|ic)|"
    r"lives\s+(?:at|on|in)|resides|home\s+(?:address|phone|number|email)|"
    r"personal\s+(?:email|cell|phone|number)|y/o|yo|years?[- ]old|year-old|elderly|widow(?:er)?|"
    r"woman|gentleman|lady|female|male"
)
PATIENT = re.compile(
    rf"\b(?:(?P<patient>(?:my\s+|the\s+|this\s+|our\s+|a\s+)?{typos('patient')}(?:'s)?|"
    rf"(?-i:pt|Pt|PT)(?:'s|\.)?)(?![\w'])|(?P<relative>(?:{tolerant(_RELATIVE)})(?:'s)?)(?!\w)|"
    rf"(?P<clinical>{tolerant(_CLINICAL)})(?!\w))",
    _I,
)
# "patient experience", "new patient appointments": the word names a business measure.
_PATIENT_NOUN = re.compile(
    r"\s*+(?:experience|satisfaction|volumes?|portal|access|education|engagement|acquisition|"
    r"referrals?|counts?|numbers?|appointments?|navigators?|navigation|advocates?|advocacy|"
    r"outcomes?|population|panels?|mix|flow|safety|services|relations|intake|registration|"
    r"financial|surveys?|feedback|reviews?|testimonials?|stor(?:y|ies)|journey|demographics|"
    r"retention|growth|base|lists?|facing|centered|centric|first|focused|care\s+team|"
    r"transport|marketing|materials|brochures?|handouts?|guide|seminars?|events?|"
    r"loyalty|leakage|capture|share|census|charges|days|mailers?|letters?|line|ambassadors?)\b",
    _I,
)
_PATIENT_AGGREGATE = re.compile(r"(?:new|per|each|every|average|avg|total|more|fewer)\s+$", _I)

BUSINESS = re.compile(
    r"(?<![\w.])(?:(?-i:Dr|DR|dr)\.?(?=\s)|doctor|(?-i:M\.?D|D\.?O|NP|PA-C|PA|DPM|DNP|APRN|FNP|"
    r"DDS|DMD|OD|PhD|RN|MBA|CEO|CFO|COO|VP|PT\s+clinic|OT)|practices?|offices?|clinics?|"
    r"group|npi|dea|campaigns?|events?|invoices?|webinars?|lunch[- ]and[- ]learns?|lunch|"
    r"dinner|breakfast|referrals?|referring|refers|fax\s+line|main\s+line|main\s+number|"
    r"front\s+desk|scheduler|schedulers|territory|mailers?|vendors?|tickets?|seminars?|cme|"
    r"conference|booth|health\s+fair|sponsor(?:ship|ed)?|rsvps?|brochures?|"
    r"flyers?|collateral|newsletters?|landing\s+page|utm_\w*|crm|salesforce|hubspot|marketo|"
    r"tracking|order|orders|po\s*(?:#|number)|purchase\s+order|shipment|fedex|ups|usps|printer|print|venue|hotel|catering|"
    r"budget|quarter|q[1-4]|meetings?|manager|administrator|staff|liaisons?|marketing|reps?|"
    r"sales|billboards?|ads?|promo|signage|agency|website|site|drop-?off|luncheon|gala|golf|"
    r"attendees|physicians|providers|surgeons|partners|associates|ortho|orthopedics|"
    r"cardiology|urgent\s+care|medical\s+group|health\s+system|suite|ste|headquarters|hq|"
    r"billing\s+office|coordinator|recruiter|recruitment|hiring|candidate|founded|"
    r"anniversary|building|company|firm|business|practice's|office's|clinic's|"
    r"(?:text|phone|call|nurse|help|access|referral|appointment|scheduling)\s+line|hotline|"
    r"awareness|fundraiser|fun\s+run|walk|race|admissions|discharges|readmissions|"
    r"board|committee|vote|bylaws|medical\s+staff|privileges|"
    r"center|centre|campus|location|facility|opens|opening|ribbon[- ]cutting|"
    r"van|fleet|kiosk|ipad|tablet|laptop|projector|badge|lanyard|swag|"
    r"survey|contract|renewal|volumes?|cpt|icd(?:-?10)?|drg|codes?|subscription|license\s+renewal|credentialing|onboarding)(?![\w])",
    _I,
)
# A share is about many people: "admissions down 5%".
_SHARE = Anchored(re.compile(r"\d+(?:\.\d+)?\s?%|\bpercent\b", _I))
_PATIENT = Anchored(PATIENT)
_BUSINESS = Anchored(BUSINESS)
# "St. Mary's", "Dr. Patel." do not end a sentence.
_SENTENCE_END = re.compile(
    r"(?=[.!?\n;])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)(?<!\bpt)(?<!\bPt)(?<!\bvs)(?<!\bNo)"
    r"(?<!\b[A-Z])[.!?]+(?=\s+|$)|\n|;"
)


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    word: str
    group: str
    view_end: int  # where the cue ends in the view it was read from


class Context:
    """The cues of one text, in original-text offsets, for nearest-cue queries."""

    def __init__(self, view: View) -> None:
        text = view.text
        self.length = view.ends[-1] if view.ends else 0
        self.patient = [c for c in _cues(_PATIENT, view) if _is_patient(text, c)]
        self.business = _cues(_BUSINESS, view)
        if "%" in text or "percent" in text.lower():
            self.business = sorted(self.business + _cues(_SHARE, view), key=lambda c: c.start)
        self._p_starts = [c.start for c in self.patient]
        self._b_starts = [c.start for c in self.business]
        self._ends = [view.ends[m.end() - 1] for m in _SENTENCE_END.finditer(text) if m.end()]

    def patient_cue(
        self,
        start: int,
        end: int,
        *,
        groups: frozenset[str] | None = None,
        overrule: bool = True,
        own: bool = True,
    ) -> Cue | None:
        """The patient cue that links text[start:end] to a patient, unless a business cue
        is strictly nearer (and `overrule`). `groups` limits which patient cues count;
        `own=False` ignores cues inside the span (the "labs" of ".../labs")."""
        found = self._nearest(self.patient, self._p_starts, start, end, groups, own=own)
        if found is None:
            return None
        cue, distance = found
        if not overrule:
            return cue
        business = self._nearest(self.business, self._b_starts, start, end, None)
        if business is not None and business[1] < distance:
            return None
        return cue

    def business_nearer(self, start: int, end: int, *, own: bool = True) -> bool:
        """Whether a business cue is nearer than any patient cue (used by labelled ids).
        With `own=False` a patient cue inside the span itself ("94 years old") is ignored."""
        business = self._nearest(self.business, self._b_starts, start, end, None)
        if business is None:
            return False
        patient = self._nearest(self.patient, self._p_starts, start, end, None, own=own)
        return patient is None or business[1] < patient[1]

    def _nearest(
        self,
        cues: list[Cue],
        starts: list[int],
        start: int,
        end: int,
        groups: frozenset[str] | None,
        *,
        own: bool = True,
    ) -> tuple[Cue, int] | None:
        first = self._sentence_start(start)
        last = self._sentence_end(end)
        lo = bisect_left(starts, min(start - SENTENCE_REACH, start - WINDOW))
        hi = bisect_right(starts, end + max(SENTENCE_REACH, WINDOW))
        best: tuple[Cue, int] | None = None
        for cue in cues[lo:hi]:
            if groups is not None and cue.group not in groups:
                continue
            if not own and start <= cue.start and cue.end <= end:
                continue
            distance = max(0, start - cue.end, cue.start - end)
            same_sentence = cue.end > first and cue.start < last
            if distance > WINDOW and not (same_sentence and distance <= SENTENCE_REACH):
                continue
            if best is None or distance < best[1]:
                best = (cue, distance)
        return best

    def _sentence_start(self, at: int) -> int:
        i = bisect_right(self._ends, at) - 1
        return self._ends[i] if i >= 0 else 0

    def _sentence_end(self, at: int) -> int:
        i = bisect_left(self._ends, at)
        return self._ends[i] if i < len(self._ends) else self.length


def _cues(pattern: Anchored, view: View) -> list[Cue]:
    found = []
    for match in pattern.finditer(view.words()):
        start, end = view.span(match.start(), match.end())
        found.append(Cue(start, end, match[0], match.lastgroup or "business", match.end()))
    return found


def _is_patient(text: str, cue: Cue) -> bool:
    if cue.group != "patient" or cue.word.endswith("'s"):
        return True  # "the pt's portal" is hers; "the patient portal" is a product
    at = cue.view_end - len(cue.word)
    return not (
        _PATIENT_NOUN.match(text, cue.view_end)
        or _PATIENT_AGGREGATE.search(text, max(0, at - 12), at)
    )
