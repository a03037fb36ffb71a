"""Normalised views of a message map every character back to the original text."""

from __future__ import annotations

import pytest

from storage.phi import Kind, redact, scan
from storage.phi.normalize import clean, digits


def _original(text: str, view_text: str, find: str) -> str:
    """The original text behind the first occurrence of `find` in a view."""
    view = clean(text) if view_text == "clean" else digits(clean(text))
    at = view.text.index(find)
    start, end = view.span(at, at + len(find))
    return text[start:end]


def test_entities_unescape_and_map_back() -> None:
    text = "Q&amp;A &lt;b&gt; pt"
    view = clean(text)
    assert view.text == "Q&A <b> pt"
    assert _original(text, "clean", "&") == "&amp;"
    assert _original(text, "clean", "pt") == "pt"


def test_mentions_and_emoji_drop_out() -> None:
    view = clean("<@U024BE7LH> <!here> hi :tada: 10:30:45")
    assert "U024" not in view.text and "here" not in view.text and "tada" not in view.text
    assert "10:30:45" in view.text


def test_links_give_their_target_and_a_different_label() -> None:
    text = "see <https://example.org/a|the deck> or <mailto:a.b@gmail.com|a.b@gmail.com>"
    view = clean(text)
    assert "https://example.org/a, the deck" in view.text
    assert view.text.count("a.b@gmail.com") == 1
    assert _original(text, "clean", "a.b@gmail.com") == "a.b@gmail.com"


def test_channel_names_stay() -> None:
    assert "intake" in clean("<#C024BE7LH|intake> today").text


def test_block_quotes_are_not_greater_than() -> None:
    assert clean("> 99 y/o").text.lstrip() == "99 y/o"
    assert clean("&gt; 99 y/o").text.lstrip() == "99 y/o"
    assert ">=90" in clean("ages >=90").text


def test_nfkc_dashes_and_invisible_characters() -> None:
    text = "MRN\u00a0１２３\u2013４５６\u200b7"
    view = clean(text)
    assert view.text == "MRN 123-4567"
    assert _original(text, "clean", "4567") == "４５６\u200b7"


def test_combining_accents_compose() -> None:
    view = clean("Jose\u0301 Nu\u0301n\u0303ez")
    assert view.text == "José Núñez"
    assert _original("Jose\u0301 Nu\u0301n\u0303ez", "clean", "Núñez") == "Nu\u0301n\u0303ez"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SSN 123 45 6789", "SSN 123456789"),
        ("call (555) 201-4432 now", "call (5552014432 now"),
        ("four five six, seven eight", "45678"),
        ("five five five oh one two three", "5550123"),
        ("one of two offices", "one of two offices"),
        ("12, 14 and 10/14", "12, 14 and 10/14"),
        ("MM79 830520", "MM79830520"),
    ],
)
def test_digit_view(text: str, expected: str) -> None:
    assert digits(clean(text)).text == expected


def test_spelled_digits_map_to_their_words() -> None:
    text = "MRN four five six, seven eight nine oh"
    view = digits(clean(text))
    at = view.text.index("4567890")
    start, end = view.span(at, at + 7)
    assert text[start:end] == "four five six, seven eight nine oh"


def test_findings_point_into_the_original_text() -> None:
    text = "<@U1> pt&amp;family: SSN １２３-４５-６７８９ &amp; <mailto:jo@aol.com|jo@aol.com>"
    findings = scan(text)
    ssn = next(f for f in findings if f.kind is Kind.SSN)
    assert text[ssn.start : ssn.end] == "１２３-４５-６７８９"
    email = next(f for f in findings if f.kind is Kind.EMAIL)
    assert text[email.start : email.end] == "<mailto:jo@aol.com|jo@aol.com>"
    assert redact(text, findings) == "<@U1> pt&amp;family: SSN [SSN] &amp; [email]"
