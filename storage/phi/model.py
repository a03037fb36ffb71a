"""What a scan reports: the kind of identifier and where it sits in the original text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """A HIPAA Safe Harbor identifier that can turn up in chat. The value is the human label
    used in replies and in redaction (``[MRN]``)."""

    NAME = "patient name"
    MRN = "MRN"
    SSN = "SSN"
    DOB = "date of birth"
    PHONE = "phone"
    FAX = "fax"
    EMAIL = "email"
    ADDRESS = "street address"
    DATE = "date"  # an admission, discharge or procedure date tied to a person
    HEALTH_PLAN = "health plan id"
    ACCOUNT = "account number"
    DEVICE = "device serial"
    LICENSE = "license or certificate number"
    VEHICLE = "vehicle plate"
    URL = "URL"
    IP = "IP address"
    AGE = "age over 89"


@dataclass(frozen=True)
class Finding:
    """One identifier. `start`/`end` index the original text, so redaction replaces exactly
    the value; `cue` is the word that made a weak identifier count (None for strong ones)."""

    kind: Kind
    start: int
    end: int
    rule: str
    cue: str | None = None
