"""Properties of the PHI detector: reformatting a strong identifier never hides it, redaction
removes it, and no text makes the scan fail."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.phi import Kind, redact, scan
from storage.phi.validators import ssn_valid

SPELL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ssns = st.text("0123456789", min_size=9, max_size=9).filter(ssn_valid)
mrns = st.text("0123456789", min_size=7, max_size=10)
dobs = st.tuples(
    st.integers(1, 12), st.integers(1, 28), st.integers(1925, 2005)
)  # month, day, year


@st.composite
def written(draw: st.DrawFn, digits: str, groups: list[int]) -> str:
    """`digits` as people type them: grouped with spaces, dashes or dots, or spelled out."""
    style = draw(st.sampled_from(["plain", "grouped", "spaced", "spelled"]))
    if style == "plain":
        return digits
    if style == "spelled":
        sep = draw(st.sampled_from([" ", "-", ", "]))
        return sep.join("oh" if d == "0" and draw(st.booleans()) else SPELL[int(d)] for d in digits)
    sep = draw(st.sampled_from(["-", " ", ".", " - "]))
    parts, at = [], 0
    for size in groups if style == "grouped" else [1] * len(digits):
        parts.append(digits[at : at + size])
        at += size
    return sep.join(parts)


def _slack(draw: st.DrawFn, text: str) -> str:
    """The same message as Slack may deliver it: escaped, quoted, with mentions."""
    if draw(st.booleans()):
        text = text.replace("&", "&amp;")
    prefix = draw(st.sampled_from(["", "<@U024BE7LH> ", "&gt; ", "> ", "<#C024BE7LH|intake> "]))
    suffix = draw(st.sampled_from(["", " :pray:", " &amp; thanks", " <!here>"]))
    case = draw(st.sampled_from([str, str.lower, str.upper]))
    return prefix + case(text) + suffix


def _found(text: str, kind: Kind, digits: str) -> bool:
    """Whether a finding of `kind` covers every digit of the identifier."""
    for finding in scan(text):
        value = text[finding.start : finding.end]
        if finding.kind is kind and _digits(value) == digits:
            return True
    return False


def _digits(text: str) -> str:
    spelled = {w: str(i) for i, w in enumerate(SPELL)} | {"oh": "0"}
    words = re.findall(r"\d|[a-z]+", text.lower())
    return "".join(spelled.get(w, w) for w in words if w.isdigit() or w in spelled)


@FAST
@given(st.data(), ssns, st.sampled_from(["SSN", "ssn:", "social", "Soc Sec #", "SS#"]))
def test_a_reformatted_ssn_is_still_found(data: st.DataObject, ssn: str, label: str) -> None:
    value = data.draw(written(ssn, [3, 2, 4]))
    text = _slack(data.draw, f"pt {label} {value} for the financial counselor")
    assert _found(text, Kind.SSN, ssn), text


@FAST
@given(st.data(), mrns, st.sampled_from(["MRN", "mrn#", "med rec #", "chart #", "Patient ID"]))
def test_a_reformatted_mrn_is_still_found(data: st.DataObject, mrn: str, label: str) -> None:
    value = data.draw(written(mrn, [len(mrn) // 2, len(mrn) - len(mrn) // 2]))
    text = _slack(data.draw, f"{label} {value} - can someone call the family back?")
    assert _found(text, Kind.MRN, mrn), text


@FAST
@given(st.data(), dobs, st.sampled_from(["DOB", "d.o.b.", "date of birth", "born on"]))
def test_a_reformatted_dob_is_still_found(
    data: st.DataObject, dob: tuple[int, int, int], label: str
) -> None:
    month, day, year = dob
    sep = data.draw(st.sampled_from(["/", "-", "."]))
    value = data.draw(
        st.sampled_from(
            [f"{month}{sep}{day}{sep}{year}", f"{month:02d}{sep}{day:02d}{sep}{year}",
             f"{year}-{month:02d}-{day:02d}"]
        )
    )  # fmt: skip
    text = _slack(data.draw, f"pt {label} {value}, wants her records")
    assert any(f.kind is Kind.DOB and str(year) in text[f.start : f.end] for f in scan(text))


@FAST
@given(st.data(), st.from_regex(r"[a-z]{3,8}\.[a-z]{3,8}", fullmatch=True))
def test_an_email_in_mailto_markup_is_found_and_removed(data: st.DataObject, local: str) -> None:
    email = f"{local}@gmail.com"
    wrapped = data.draw(st.sampled_from([email, f"<mailto:{email}|{email}>", f"<mailto:{email}>"]))
    text = f"the patient's email is {wrapped}"
    findings = scan(text)
    assert any(f.kind is Kind.EMAIL for f in findings), text
    assert local not in redact(text, findings)


@FAST
@given(st.data(), ssns, mrns)
def test_redaction_removes_the_digits(data: st.DataObject, ssn: str, mrn: str) -> None:
    text = _slack(
        data.draw,
        f"SSN {data.draw(written(ssn, [3, 2, 4]))} and MRN {data.draw(written(mrn, [len(mrn)]))}",
    )
    clean = redact(text, scan(text))
    assert ssn not in re.sub(r"\D", "", clean)
    assert mrn not in re.sub(r"\D", "", clean)
    assert "[SSN]" in clean and "[MRN]" in clean


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_scan_never_fails_and_spans_are_inside_the_text(text: str) -> None:
    for finding in scan(text):
        assert 0 <= finding.start < finding.end <= len(text)
    redact(text, scan(text))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["\x00", "😀", "é", "e\u0301", "<", ">", "&amp;", "<@U1>", "<mailto:", "|", "1", "-",
             " ", "\n", "pt", "MRN", "DOB", "one", "Dr.", ":a:", "@", ".", "www.", "ﬁ", "１"]
        ),
        min_size=40,
        max_size=120,
    )
)  # fmt: skip
def test_scan_never_fails_on_long_odd_text(parts: list[str]) -> None:
    chunk = "".join(parts)
    text = chunk * (10_000 // len(chunk) + 1)  # 10k characters of it
    assert len(text) > 10_000
    for finding in scan(text):
        assert 0 <= finding.start < finding.end <= len(text)


def test_ten_thousand_characters_are_scanned_to_the_end() -> None:
    filler = "Dr. Patel at Lakeside Ortho sent 14 referrals; CME dinner Oct 14. " * 160
    text = filler + "pt SSN 219-09-9999"
    assert len(text) > 10_000
    findings = scan(text)
    assert [f.kind for f in findings] == [Kind.SSN]
    assert text[findings[0].start : findings[0].end] == "219-09-9999"
