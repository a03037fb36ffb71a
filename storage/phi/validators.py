"""Check digits and number-space rules that separate real identifiers from look-alikes."""

from __future__ import annotations

_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def ssn_valid(digits: str) -> bool:
    """SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def npi_valid(digits: str) -> bool:
    """A National Provider Identifier: 10 digits starting 1 or 2, Luhn over '80840' + NPI."""
    return (
        len(digits) == 10
        and digits.isdigit()
        and digits[0] in "12"
        and luhn_valid("80840" + digits)
    )


def vin_valid(vin: str) -> bool:
    """A 17-character VIN (no I, O or Q) whose ninth character is its check digit."""
    vin = vin.upper()
    if len(vin) != 17 or any(c not in _VIN_VALUES for c in vin):
        return False
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    check = total % 11
    return vin[8] == ("X" if check == 10 else str(check))


def phone_digits(digits: str) -> bool:
    """Ten digits, or eleven starting with the country code 1, or seven (a local number).
    Area and exchange are not checked: people write made-up and 555 numbers too."""
    if len(digits) == 11:
        return digits[0] == "1"
    return len(digits) in (7, 10)


def ipv4_valid(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(
        p.isdigit() and len(p) <= 3 and int(p) <= 255 and (p == "0" or p[0] != "0") for p in parts
    )
