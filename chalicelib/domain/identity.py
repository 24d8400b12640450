"""Identity-document rules: Căn cước and CCCD (căn cước công dân) cards, the retired CMND, passports.

Since 1 July 2024 (Luật Căn cước 2023) new cards are "Căn cước"; they carry the same 12-digit personal
identification number as the CCCD before them, and CCCD cards stay valid until their own expiry. The old
CMND (chứng minh nhân dân, 9 or 12 digits) stopped being valid on 1 January 2025, so a registration made
now refuses it and says so (`retired_id_type_problem`).
"""

from __future__ import annotations

import re
from datetime import date

# The 63 province codes used as the first three digits of a CCCD (Thông tư 07/2016/TT-BCA and
# later). They name where the birth was registered, so the 2025 merger of provinces does not change them.
CCCD_PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 "
    "037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 "
    "077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)

# Every type a stored record may carry (the API's enum); a registration accepts only ACCEPTED_ID_TYPES.
ID_TYPES = ("CCCD", "CAN_CUOC", "PASSPORT", "CMND")
ACCEPTED_ID_TYPES = ("CCCD", "CAN_CUOC", "PASSPORT")
CHIP_CARDS = ("CCCD", "CAN_CUOC")  # 12-digit cards for Vietnamese citizens, numbered alike
CAN_CUOC_FIRST_DAY = date(2024, 7, 1)  # cards issued from this day are "Căn cước"
_PASSPORT = re.compile(r"^[A-Z][0-9]{7}$")  # a Vietnamese passport
_FOREIGN_PASSPORT = re.compile(r"^[A-Z0-9]{6,12}$")


def retired_id_type_problem(id_type: str) -> tuple[str, str] | None:
    """Why a registration made now refuses this document type, in English and Vietnamese; None if accepted."""
    if id_type == "CMND":
        return (
            "the old identity card (CMND) ceased to be valid on 01/01/2025; please use your Can cuoc or "
            "CCCD card (id_type CAN_CUOC or CCCD)",
            "CMND hết giá trị sử dụng từ 01/01/2025, vui lòng dùng thẻ Căn cước/CCCD "
            "(chọn loại giấy tờ Căn cước hoặc CCCD)",
        )
    return None


def issue_date_problem(id_type: str, issued_on: date) -> tuple[str, str] | None:
    """A Căn cước card cannot have been issued before 1/7/2024."""
    if id_type == "CAN_CUOC" and issued_on < CAN_CUOC_FIRST_DAY:
        return (
            "a Can cuoc card is issued from 01/07/2024; an older card is a CCCD (id_type CCCD)",
            "thẻ Căn cước được cấp từ ngày 01/07/2024; thẻ cấp trước ngày đó là CCCD (chọn loại CCCD)",
        )
    return None


def foreign_passport_problem(id_number: str) -> tuple[str, str] | None:
    """A foreign passport: 6 to 12 letters and digits (each country has its own scheme)."""
    if not _FOREIGN_PASSPORT.fullmatch(id_number):
        return ("a foreign passport number is 6 to 12 letters and digits",
                "số hộ chiếu nước ngoài gồm 6 đến 12 chữ cái và chữ số")
    return None


def cccd_century_gender_digit(birth: date, gender: str) -> int:
    """The 4th CCCD digit: 0/1 for men/women born 1900–1999, 2/3 for 2000–2099, and so on."""
    century_index = (birth.year - 1900) // 100
    return century_index * 2 + (1 if gender == "female" else 0)


def id_number_problem(id_type: str, id_number: str, birth: date | None, gender: str | None) -> tuple[str, str] | None:
    """Why an ID number is wrong, in English and Vietnamese; None when it is fine."""
    if id_type == "CMND":
        if not re.fullmatch(r"[0-9]{9}", id_number):
            return "an old identity card (CMND) number has 9 digits", "số CMND gồm 9 chữ số"
        return None
    if id_type == "PASSPORT":
        if not _PASSPORT.fullmatch(id_number):
            return (
                "a passport number is one letter followed by 7 digits",
                "số hộ chiếu gồm 1 chữ cái và 7 chữ số",
            )
        return None
    if not re.fullmatch(r"[0-9]{12}", id_number):
        return ("a Can cuoc / citizen identity card (CCCD) number has 12 digits",
                "số thẻ Căn cước/CCCD gồm 12 chữ số")
    if id_number[:3] not in CCCD_PROVINCE_CODES:
        return "the first three digits are not a province code", "3 chữ số đầu không phải mã tỉnh"
    if birth is not None and gender is not None:
        if not 1900 <= birth.year <= 2399:
            return None  # the date-of-birth field reports the real problem
        if int(id_number[3]) != cccd_century_gender_digit(birth, gender):
            return (
                "the 4th digit does not match the date of birth and gender",
                "chữ số thứ 4 không khớp với năm sinh và giới tính",
            )
        if id_number[4:6] != f"{birth.year % 100:02d}":
            return (
                "the 5th and 6th digits do not match the year of birth",
                "chữ số thứ 5 và 6 không khớp với năm sinh",
            )
    return None
