"""Check digits and number rules: SSN area/group/serial, NPI Luhn with 80840, VIN, phones."""

from __future__ import annotations

import re

import pytest

from storage.phi import Kind, scan
from storage.phi.validators import (
    ipv4_valid,
    luhn_valid,
    npi_valid,
    phone_digits,
    ssn_valid,
    vin_valid,
)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("123456789", True),
        ("078051120", True),
        ("000123456", False),  # area 000
        ("666123456", False),  # area 666
        ("900123456", False),  # area 9xx
        ("999123456", False),
        ("123001234", False),  # group 00
        ("123450000", False),  # serial 0000
        ("12345678", False),
        ("12345678a", False),
    ],
)
def test_ssn_rules(digits: str, valid: bool) -> None:
    assert ssn_valid(digits) is valid


def test_unlabelled_ssn_needs_a_valid_number_but_a_label_does_not() -> None:
    assert [f.kind for f in scan("the sheet had 219-09-9999 on it")] == [Kind.SSN]
    assert scan("the sheet had 900-12-3456 on it") == ()
    assert [f.kind for f in scan("SSN 900-12-3456")] == [Kind.SSN]


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),  # the CMS example
        ("1245319599", True),
        ("1234567890", False),
        ("3234567893", False),  # NPIs start with 1 or 2
        ("123456789", False),
    ],
)
def test_npi_luhn_with_prefix(npi: str, valid: bool) -> None:
    assert npi_valid(npi) is valid


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_a_labelled_npi_is_business_even_beside_a_patient_word() -> None:
    assert scan("new patient referrals: Dr. Kim, NPI 1234567893") == ()


def test_vin_check_digit() -> None:
    assert vin_valid("1HGCM82633A004352")
    assert vin_valid("1M8GDM9AXKP042788")  # check digit X
    assert not vin_valid("1HGCM82634A004352")
    assert not vin_valid("1HGCM82633A00435")  # 16 characters
    assert not vin_valid("1HGCM8263IA004352")  # I is never used


def test_phone_digits() -> None:
    assert phone_digits("5552014432") and phone_digits("15552014432") and phone_digits("2014432")
    assert not phone_digits("25552014432") and not phone_digits("55520144")


def test_ipv4() -> None:
    assert ipv4_valid("73.152.4.19") and ipv4_valid("0.0.0.0")
    assert not ipv4_valid("256.1.1.1") and not ipv4_valid("01.2.3.4") and not ipv4_valid("1.2.3")


def test_the_hospitals_own_mrn_format_is_a_strong_identifier() -> None:
    pattern = re.compile(r"\bE\d{7}\b")
    text = "can someone call about E1234567 today"
    assert scan(text) == ()
    findings = scan(text, mrn_pattern=pattern)
    assert [(f.kind, f.rule, text[f.start : f.end]) for f in findings] == [
        (Kind.MRN, "custom-mrn", "E1234567")
    ]
    spaced = "ref 0012 3456 for the complaint"
    found = scan(spaced, mrn_pattern=re.compile(r"(?<!\d)\d{8}(?!\d)"))
    assert [spaced[f.start : f.end] for f in found] == ["0012 3456"]
