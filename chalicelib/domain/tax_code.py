"""Mã số thuế (Vietnamese tax code): its check digit.

A unit's code is 10 digits (a branch adds "-" and 3 digits): 2 for the province, 7 of sequence, then a
check digit: 10 - (Σ dᵢ·wᵢ mod 11) over the first nine digits with weights 31, 29, 23, 19, 17, 13, 7, 5, 3
(a remainder of 0 gives 10, which no valid code has). The demo data uses codes that FAIL this check, so a
demo unit can never carry a real company's code.
"""

from __future__ import annotations

import re

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_CODE = re.compile(r"([0-9]{10})(?:-?[0-9]{3})?")


def check_digit_ok(tax_code: str) -> bool:
    """Whether the 10-digit unit code (of a branch code too) has a valid check digit."""
    match = _CODE.fullmatch(tax_code.replace(" ", ""))
    if match is None:
        return False
    digits = [int(ch) for ch in match.group(1)]
    expected = 10 - sum(d * w for d, w in zip(digits, _WEIGHTS, strict=False)) % 11
    return expected == digits[9]
