"""The identifier shapes, compiled once. Labelled ones carry the label that makes them count.

Every pattern is bounded (no nested unbounded repeats), so a scan stays linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.phi.model import Kind

_I = re.IGNORECASE
_TYPO_WORDS = (
    "patient", "social", "member", "number", "chart", "policy", "subscriber", "insurance",
    "account", "birth", "security", "record", "serial", "plate", "medicare", "medicaid", "last",
    "certificate", "license", "discharged", "admitted", "surgery", "diagnosed", "procedure",
    "daughter", "husband", "insulin", "pacemaker", "implant", "mrn", "med",
)  # fmt: skip


def typos(word: str) -> str:
    """`word` or any one swap of neighbouring letters: "ptaient", "scoial", "nmuber"."""
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    return "(?:" + "|".join([word, *sorted(swaps - {word})]) + ")"


def tolerant(label: str) -> str:
    """A label pattern whose key words also match with one transposition typo."""
    for word in _TYPO_WORDS:
        # Not where a quantifier follows: "discharged?" means "discharge" or "discharged".
        label = re.sub(rf"(?<![a-z\\]){word}(?![a-z?*+{{])", typos(word), label)
    return label


# Between a label and its value: punctuation and a few filler words ("MRN is 1234567",
# "member ID #: W123", "medical record number for the patient: 0012345").
GAP = (
    r"(?:[^\w\n]{0,4}(?:is|was|no|nos|num|number|nbr|id|of|on\s+file|listed\s+as|"
    r"for\s+(?:the\s+)?(?:patient|pt|him|her|this\s+(?:patient|pt))|reads|should\s+be|"
    r"ending\s+(?:in\s+)?)\b){0,3}[^\w\n]{0,4}"
)
# An id value: digits with an optional letter prefix; capitals may stand apart ("W 123456789").
ID_VALUE = r"(?P<v>(?:(?-i:[A-Z]{1,4})[ -]?|[A-Za-z]{1,4}-?)?\d[\dA-Za-z-]{2,24})(?![\w])"

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
DATE = (
    r"(?:\d{1,2}[/\-.]\d{1,2}(?:[/\-.](?:\d{4}|\d{2}))?(?![/\-.]?\d)"
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"
    rf"|{_MONTH}\.?\s+\d{{1,2}}{_ORD}(?:,?\s+\d{{4}})?(?!\d)"
    rf"|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH}\.?(?:,?\s+\d{{4}})?(?!\d)"
    rf"|{_MONTH}\.?,?\s+\d{{4}}(?!\d)"
    rf"|\d{{1,2}}[-/ ]{_MONTH}[-/ ](?:\d{{4}}|\d{{2}})(?!\d))"
)
DATE_RE = re.compile(rf"(?<![\w/.\-]){DATE}", _I)
# After a DOB label a bare year or eight packed digits also count.
DOB_VALUE = re.compile(
    rf"(?P<v>{DATE}|(?:19|20)\d{{6}}(?!\d)|\d{{8}}(?!\d)|(?:18|19|20)\d\d(?!\d))", _I
)


@dataclass(frozen=True)
class Labelled:
    """A label and the value after it."""

    rule: str
    kind: Kind
    pattern: re.Pattern[str]
    min_digits: int
    # Strong labels block alone; the others lose to a nearer business cue, and `needs_cue`
    # ones also need a patient cue (a projector's serial number is not PHI).
    strong: bool = True
    needs_cue: bool = False


def _labelled(label: str, value: str = ID_VALUE) -> re.Pattern[str]:
    # Digits may follow a label directly ("MRN1234567"); letters may not ("mrnx").
    return re.compile(rf"(?<![\w/])(?P<label>{tolerant(label)})(?![^\W\d_]){GAP}{value}", _I)


_NUM = r"(?:\s*+(?:#|no\b\.?|nos?\.|num\b\.?|number|nmuber|numebr|nubmer|nbr|id\b))"
MRN_LABEL = (
    rf"mrn|m(?:\.\s?|\s)r(?:\.\s?|\s)n\b\.?|mr{_NUM}|med(?:ical)?\.?\s*rec(?:ord)?s?\.?{_NUM}?|chart{_NUM}|"
    rf"(?:patient|pt)(?:'s)?\s*(?:id\b|#|no\b|number|identifier)|emr{_NUM}|ehr{_NUM}|"
    rf"epic{_NUM}|hospital{_NUM}|record\s*(?:#|no\b)|(?:patient|pt)(?=\s*+#?\s*+\d{{6}})"
)
SSN_LABEL = (
    rf"ssn|ss{_NUM}|ss(?=\s*+\d{{9}}(?!\d))|"
    rf"soc(?:ial)?\.?\s*(?:security|sec\.?)(?:\s*card)?{_NUM}?|social{_NUM}?"
)
SSN_VALUE = r"(?P<v>\d{9})(?!\d)"
SSN_LAST4 = re.compile(
    tolerant(
        r"(?P<label>last\s*(?:4|four)(?:\s+digits)?\s+of\s+(?:the\s+|his\s+|her\s+|pt'?s\s+)?"
        r"(?:ssn|ss#|social(?:\s+security)?(?:\s+number)?)|(?:ssn|social)\s+(?:ending\s+(?:in\s+)?"
        r"|last\s*(?:4|four)\s*(?:digits)?))[^\w\n]{0,4}(?:is\s+)?(?P<v>\d{4})(?!\d)"
    ),
    _I,
)
# "registration has 123456789 as the SSN", "00123456 (MRN)"
_OWNER = r"(?:(?:the|her|his|their|pt'?s|patient'?s)\s+)?"
LABEL_AFTER = re.compile(
    rf"(?<![\w-])(?P<v>\d{{9}}|[A-Z]{{0,3}}\d{{6,10}})(?![\w-])[^\w\n]{{0,3}}"
    rf"(?:(?:is|as|was|=)\s+)?{_OWNER}(?P<label>ssn|social(?:\s+security)?|ss#|mrn|mr#|"
    r"medical\s+record|chart\s+(?:#|number))(?!\w)",
    _I,
)
# A masked SSN still gives its last four digits: "***-**-6789", "xxx-xx-6789".
SSN_MASKED = re.compile(r"(?<![\w*])[x*•]{3}[- .]?[x*•]{2}[- .]?\d{4}(?!\d)", _I)
SSN_SHAPE = re.compile(r"(?<![\w-])(?P<v>\d{3}([-. ]|\s+-\s+)\d{2}\2\d{4})(?![\w-])")
DOB_LABEL = (
    r"d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|birthday|b-?day|"
    rf"born(?:\s+on|\s+in)?|b\.(?=\s*(?:\d|{_MONTH}\b))"
)
PLAN_LABEL = (
    rf"member{_NUM}|mbr{_NUM}|subscriber{_NUM}|sub\s*id|"
    rf"insurance{_NUM}|insurance\s+card|ins\.?{_NUM}|plan{_NUM}|group{_NUM}|grp{_NUM}|"
    rf"(?:medicare|medicaid)\s+(?:recipient|beneficiary|member|client)\s*(?:id|#|no|number)|"
    rf"medicare(?:\s+beneficiary)?{_NUM}?|medicaid{_NUM}?|mbi|hicn|beneficiary{_NUM}|"
    rf"(?:bcbs|aetna|cigna|humana|uhc|tricare|anthem|kaiser|united\s*healthcare){_NUM}"
)
ACCOUNT_LABEL = (
    rf"acc(?:oun)?t\.?{_NUM}?|acct\.?{_NUM}?|a/c|fin{_NUM}|encounter{_NUM}|encounter(?=\s*+\d)|visit{_NUM}|csn|"
    rf"har{_NUM}?|fin|billing{_NUM}|billing\s+account{_NUM}?|guarantor{_NUM}?|claim{_NUM}|"
    rf"(?:prior\s+)?auth(?:orization)?{_NUM}|rx{_NUM}|prescription{_NUM}"
)
LICENSE_LABEL = (
    rf"driver'?s?\s*(?:licen[cs]e|lic\.?){_NUM}?|d/?l{_NUM}?|licen[cs]e{_NUM}|lic\.?{_NUM}|"
    rf"(?:birth|death|marriage)\s+certificate{_NUM}?|certificate{_NUM}|cert\.?{_NUM}|"
    rf"passport{_NUM}?|state\s+id{_NUM}?|green\s+card{_NUM}?"
)
DEVICE_LABEL = (
    rf"s/n|sn{_NUM}?|serial{_NUM}?|model\s*(?:/|&|and)\s*serial{_NUM}?|ser\.?{_NUM}|udi|device{_NUM}|device\s+serial{_NUM}?|"
    rf"(?:implant|pacemaker|pump|defibrillator|icd)\s+(?:serial|s/n|sn){_NUM}?"
)
PLATE_LABEL = rf"licen[cs]e\s+plate{_NUM}?|plates?{_NUM}?|tags?{_NUM}?|vehicle{_NUM}"
PLATE_VALUE = r"(?P<v>(?-i:[A-Z0-9]{1,4}[- ]?[A-Z0-9]{1,4})|[a-z0-9]{1,4}-?[a-z0-9]{1,4})(?![\w])"
VIN_VALUE = r"(?P<v>[A-HJ-NPR-Z0-9]{17})(?![\w])"

LABELLED = (
    Labelled("labelled-ssn", Kind.SSN, _labelled(SSN_LABEL, SSN_VALUE), 9),
    Labelled("labelled-mrn", Kind.MRN, _labelled(MRN_LABEL), 5),
    Labelled("labelled-dob", Kind.DOB, _labelled(DOB_LABEL, DOB_VALUE.pattern), 2),
    Labelled("labelled-member-id", Kind.HEALTH_PLAN, _labelled(PLAN_LABEL), 5),
    # "policy" is also a hospital's rule book ("gift policy #2025-17"): a business cue wins.
    Labelled("labelled-policy", Kind.HEALTH_PLAN, _labelled(rf"policy{_NUM}?"), 5, strong=False),
    Labelled("labelled-account", Kind.ACCOUNT, _labelled(ACCOUNT_LABEL), 4, strong=False),
    Labelled("labelled-license", Kind.LICENSE, _labelled(LICENSE_LABEL), 4, strong=False),
    Labelled("labelled-vin", Kind.VEHICLE, _labelled(r"vin" + _NUM + "?", VIN_VALUE), 1, False),
    Labelled(
        "labelled-serial", Kind.DEVICE, _labelled(DEVICE_LABEL), 3, strong=False, needs_cue=True
    ),
    Labelled(
        "labelled-plate",
        Kind.VEHICLE,
        _labelled(PLATE_LABEL, PLATE_VALUE),
        1,
        strong=False,
        needs_cue=True,
    ),
)

_MBI_L = "[AC-HJKMNP-RT-Y]"
_MBI_A = "[AC-HJKMNP-RT-Y0-9]"
MBI = re.compile(
    rf"(?<![\w-])(?P<v>[1-9]{_MBI_L}{_MBI_A}\d[- ]?{_MBI_L}{_MBI_A}\d[- ]?{_MBI_L}{{2}}\d\d)"
    r"(?![\w-])",
    _I,
)
VIN = re.compile(r"(?<![\w-])(?P<v>[A-HJ-NPR-Z0-9]{17})(?![\w-])", _I)

# Ages: a number of 90 or more with an age unit, "aged 94", clinical shorthand "94F".
_AGE_NUM = r"(?:9\d|1[01]\d)"
_TENS = r"(?:ninety|a\s+hundred(?:\s+and)?|one\s+hundred(?:\s+and)?)"
_UNITS = r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
AGE = re.compile(
    rf"(?<![\w.$])(?P<v>{_AGE_NUM}|{_TENS}{_UNITS})\s*+-?\s*+(?:y/?o\b|y\.\s?o\.?|yo\b|"
    rf"yrs?\.?[- ]old|years?[- ]old|years?\s+of\s+age|yoa\b|yr\b)"
    rf"|(?<![\w.])(?:aged?|age:)\s*(?P<v2>{_AGE_NUM})(?![\w.%])"
    rf"|(?<![\w.$])(?P<v3>{_AGE_NUM})(?P<sex>\s?[MF])(?![\w])"
    r"|(?P<v4>centenarian|nonagenarian)",
    _I,
)
# "pt is 92", "she turned ninety-five": a bare number, so it also needs a patient cue.
_NOT_AGE = (
    r"(?![\d.,%]|\s*(?:%|percent|referrals?|patients?|pts|offices?|practices?|doctors?|"
    r"physicians?|visits?|cases?|days?|weeks?|months?|minutes?|mins?|hours?|hrs?|miles?|"
    r"dollars?|k\b|mailers?|beds?|people|points?|calls?|times|x\b|of\b|out\b|/|mg|lbs?|kg|"
    r"-|years?|yrs?|y/?o|yo\b))"
)
AGE_IS = re.compile(
    rf"(?<![\w'])(?:is|was|turned|turns|turning|age|aged)\s+(?:now\s+|only\s+|just\s+)?"
    rf"(?P<v>{_AGE_NUM}|ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
    rf"(?:one|a)\s+hundred(?:\s+and\s+\w+)?){_NOT_AGE}",
    _I,
)
AGE_HINT = re.compile(r"(?<!\d)(?:9\d|1[01]\d)(?!\d)|ninety|hundred|genarian|centenarian", _I)
AGE_AGGREGATE_BEFORE = re.compile(
    r"(?:over|above|older\s+than|at\s+least|>=?|≥|under|from|between|to|and|than|"
    r"patients|pts|people|members)\s*$",
    _I,
)
AGE_AGGREGATE_AFTER = re.compile(
    r"^\s*(?:\+|and\s+(?:older|over|up|above)|or\s+(?:older|over|more|above)|plus|-\s*\d|"
    r"to\s+\d|s\b|'s\b|percent|%)",
    _I,
)

PERSONAL_DOMAIN = re.compile(
    r"@(?:gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|aol|icloud|me|mac|comcast|"
    r"verizon|att|sbcglobal|bellsouth|cox|charter|protonmail|proton)\.",
    _I,
)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}(?![\w-])")
_DOT = r"(?:\s*+\.\s*+|\s++dot\s++|\s*+[(\[{]dot[)\]}]\s*+)"
SPELLED_EMAIL = re.compile(
    rf"(?<![\w.])[\w+-]{{1,40}}(?:{_DOT}[\w+-]{{1,40}}){{0,3}}"
    rf"(?P<at>\s*+[(\[{{]at[)\]}}]\s*+|\s++at\s++|\s*+@\s*+)"
    rf"[\w-]{{1,40}}(?:{_DOT}[\w-]{{1,40}}){{0,2}}{_DOT}(?:com|org|net|edu|gov|us|io|co|me)\b",
    _I,
)
URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"'|]{2,2000}", _I)
# Without a scheme a link needs a path: "caringbridge.org/visit/..."
_TLD = r"\.(?:com|org|net|edu|gov|io|me|us|ly|co)/"
BARE_URL_HINT = re.compile(_TLD, _I)
BARE_URL = re.compile(
    rf"(?<![\w@./:])[a-z0-9-]{{1,63}}(?:\.[a-z0-9-]{{1,63}}){{0,3}}{_TLD}[^\s<>\"'|]{{0,2000}}", _I
)
URL_PATIENT = re.compile(
    r"patient|mrn|mychart|caringbridge|gofundme|obituar|legacy\.com|pt_?id|member_?id", _I
)
IPV4 = re.compile(r"(?<![\w.])(?P<v>\d{1,3}(?:\.\d{1,3}){3})(?![\w]|\.\d)")
IPV6 = re.compile(
    r"(?<![\w:])(?P<v>(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){2,6}:[0-9a-f]{1,4})(?![\w:])",
    _I,
)
# Phones are read from the digit view, so "555 123 4567", "five five five..." all look alike.
PHONE_SHAPE = re.compile(r"\(?\d{3}\)?[-. ]?\d{3}[-.]\d{4}|\(\d{3}\)\s?\d{3}\s?\d{4}")
PHONE = re.compile(r"(?<![\w+])(?P<v>\+?\d{10,11}|\d{7})(?!\d)")
EXTENSION = re.compile(r"(?:\bext\.?|\bextension|\bx)\s*#?\s*$", _I)
# The last of these words before a number says whether it is a fax or a phone.
LINE_WORD = re.compile(
    r"\b(?:(?P<fax>fax(?:ed|ing)?|f(?=[:.]))|phone|cell|call|tel|mobile|text|ph|landline)\b", _I
)
NPI_NEAR = re.compile(r"\bnpi\b", _I)

_SUFFIX = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|way|court|ct|place|pl|"
    r"terrace|ter|circle|cir|parkway|pkwy|highway|hwy|trail|trl|square|sq|loop|pike|plaza|"
    r"crescent|cres|row|alley|run|path|point|pt"
)
ADDRESS = re.compile(
    r"(?<![\w$#.,/])(?P<v>\d{1,6}[A-Za-z]?\s+(?:[NSEW]\.?\s+|(?:north|south|east|west)\s+)?"
    rf"(?P<street>(?:[\w'.-]{{1,30}}\s+){{0,3}}?)(?:{_SUFFIX})\b\.?"
    r"(?:,?\s*(?:apt|unit|#|no\.?)\s*[\w-]{1,6})?"
    r"(?:,\s*(?-i:[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)(?:,?\s*(?-i:[A-Z]{2}))?(?:\s+\d{5}(?:-\d{4})?)?)?)",
    _I,
)
PO_BOX = re.compile(r"(?<!\w)(?P<v>p\.?\s?o\.?\s*box\s+\d{1,6})(?!\w)", _I)
