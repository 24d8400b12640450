"""What a citizen reads on their phone: SMS in plain ASCII (GSM-7, 160 characters a segment), e-mail in full Vietnamese.

Which SMS can exceed one 160-character segment:
- `rejected_sms`: it carries the staff member's free-text reason (up to 200 characters of it), so a long
  reason makes it two or three segments. It must still fit SNS's 1600-byte limit.
- `submitted_sms` and `approved_sms` fit one segment for every office in the reference data.
- `reminder_sms` fits for every office in the reference data; `expired_sms` has no variable text but the
  reference and always fits.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib.clock import VIETNAM_TZ
from chalicelib.domain import messages
from chalicelib.domain.credentials import new_initial_password
from chalicelib.domain.messages import (
    approved_email,
    approved_sms,
    expired_sms,
    reference,
    rejected_email,
    rejected_sms,
    reminder_sms,
    submitted_sms,
    unaccented,
)

REGISTRATION_ID = "3f2a9c1e-7b4d-4e8a-9f01-23456789abcd"
REFERENCE = "3F2A9C1E"
DEADLINE = datetime(2026, 12, 5, 16, 59, 59, tzinfo=UTC)  # 23:59:59 on 05/12/2026 in Viet Nam
OFFICE = "BHXH cơ sở Hoàn Kiếm"
SNS_SMS_LIMIT_BYTES = 1600
ONE_SEGMENT = 160
TWO_SEGMENTS = 2 * 153  # a concatenated GSM-7 message carries 153 characters a segment

_OFFICES_FILE = Path(__file__).resolve().parents[2] / "data" / "reference" / "offices.json"
OFFICE_NAMES = sorted({office["name"] for office in json.loads(_OFFICES_FILE.read_text(encoding="utf-8"))})
LONGEST_OFFICE = max(OFFICE_NAMES, key=len)
SHORTEST_OFFICE = min(OFFICE_NAMES, key=len)


def test_the_reference_data_gives_real_office_names():
    assert OFFICE in OFFICE_NAMES
    assert len(OFFICE_NAMES) > 10


# --- unaccented -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Hoàn Kiếm", "Hoan Kiem"),
        ("Nguyễn Thị Hường", "Nguyen Thi Huong"),
        ("Đặng Văn Đức", "Dang Van Duc"),
        ("đường Điện Biên Phủ", "duong Dien Bien Phu"),
        ("ĐƯỜNG ỐNG NƯỚC", "DUONG ONG NUOC"),
        ("Thừa Thiên Huế", "Thua Thien Hue"),
        ("Bắc Kạn, Đắk Lắk, Hà Tĩnh", "Bac Kan, Dak Lak, Ha Tinh"),
        ("Ỷ Lan, Ơn, Ưng", "Y Lan, On, Ung"),
        ("BHXH VN 2026: 23:59", "BHXH VN 2026: 23:59"),
    ],
)
def test_unaccented_strips_every_vietnamese_mark(text: str, plain: str):
    assert unaccented(text) == plain


def _every_vietnamese_vowel() -> list[tuple[str, str]]:
    bases = {
        "a": "a", "ă": "a", "â": "a", "e": "e", "ê": "e", "i": "i", "o": "o",
        "ô": "o", "ơ": "o", "u": "u", "ư": "u", "y": "y",
    }
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # ngang, huyền, sắc, hỏi, ngã, nặng
    pairs = []
    for base, plain in bases.items():
        for tone in tones:
            letter = unicodedata.normalize("NFC", base + tone)
            pairs += [(letter, plain), (letter.upper(), plain.upper())]
    return pairs


VOWELS = _every_vietnamese_vowel()


def test_all_134_vietnamese_letters_with_marks_become_ascii():
    letters = "".join(letter for letter, _ in VOWELS) + "Đđ"
    assert len(set(letters)) == 12 * 6 * 2 + 2
    assert all(len(letter) == 1 for letter, _ in VOWELS)  # precomposed, as phones send them

    assert unaccented(letters) == "".join(plain for _, plain in VOWELS) + "Dd"


def test_decomposed_input_is_unaccented_too():
    assert unaccented(unicodedata.normalize("NFD", "Nguyễn Thị Hường, Đà Nẵng")) == "Nguyen Thi Huong, Da Nang"


def test_the_reference_is_the_first_eight_characters_in_upper_case():
    assert reference(REGISTRATION_ID) == REFERENCE


# --- the SMS --------------------------------------------------------------------------------------------------


def all_sms(office: str = OFFICE, reason: str = "Ảnh chân dung bị mờ, vui lòng chụp lại") -> dict[str, str]:
    return {
        "submitted": submitted_sms(REGISTRATION_ID, office, DEADLINE),
        "reminder": reminder_sms(REGISTRATION_ID, office, DEADLINE),
        "expired": expired_sms(REGISTRATION_ID),
        "approved": approved_sms("0123456789", "Ab3dEf7hJk", 7),
        "rejected": rejected_sms(REGISTRATION_ID, reason),
    }


@pytest.mark.parametrize("office", OFFICE_NAMES)
def test_every_sms_is_plain_ascii_for_every_office(office: str):
    for kind, text in all_sms(office).items():
        assert text.isascii(), kind
        assert text.startswith("BHXH VN: "), kind


@pytest.mark.parametrize("office", [SHORTEST_OFFICE, OFFICE, LONGEST_OFFICE])
def test_every_sms_fits_the_sns_limit(office: str):
    for kind, text in all_sms(office, reason="Đ" * 500).items():
        assert len(text.encode("utf-8")) <= SNS_SMS_LIMIT_BYTES, kind


def test_the_submitted_sms_names_the_office_and_the_deadline_in_vietnam_time():
    text = submitted_sms(REGISTRATION_ID, OFFICE, DEADLINE)

    assert "BHXH co so Hoan Kiem" in text
    assert "23:59 ngay 05/12/2026" in text
    assert REFERENCE in text


def test_a_deadline_late_in_the_utc_day_is_shown_on_the_next_vietnam_day():
    deadline = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)  # 01:00 on 06/12/2026 in Viet Nam

    text = submitted_sms(REGISTRATION_ID, OFFICE, deadline)

    assert "06/12/2026" in text
    assert "05/12/2026" not in text


def test_the_submitted_sms_shows_the_same_day_whatever_zone_the_deadline_is_given_in():
    assert submitted_sms(REGISTRATION_ID, OFFICE, DEADLINE) == submitted_sms(
        REGISTRATION_ID, OFFICE, DEADLINE.astimezone(VIETNAM_TZ)
    )


def test_the_submitted_sms_stays_within_two_segments_for_every_office():
    assert max(len(submitted_sms(REGISTRATION_ID, name, DEADLINE)) for name in OFFICE_NAMES) <= TWO_SEGMENTS


def test_the_submitted_sms_fits_one_segment_for_every_office():
    longest = max((submitted_sms(REGISTRATION_ID, name, DEADLINE) for name in OFFICE_NAMES), key=len)

    assert len(longest) <= ONE_SEGMENT, f"{len(longest)} characters: {longest}"


def test_the_reminder_names_the_office_and_deadline_and_fits_one_segment_for_every_office():
    for name in OFFICE_NAMES:
        text = reminder_sms(REGISTRATION_ID, name, DEADLINE)
        assert unaccented(name) in text
        assert "05/12/2026" in text
        assert REFERENCE in text
        assert len(text) <= ONE_SEGMENT, text


def test_the_expiry_sms_gives_the_reference_and_fits_one_segment():
    text = expired_sms(REGISTRATION_ID)

    assert REFERENCE in text
    assert len(text) <= ONE_SEGMENT


def test_the_approval_sms_carries_the_username_and_the_initial_password():
    password = new_initial_password()

    text = approved_sms("0123456789", password, 7)

    assert "0123456789" in text
    assert password in text
    assert "7 ngay" in text
    assert text.isascii()
    assert len(text) <= TWO_SEGMENTS


def test_the_approval_sms_fits_one_segment():
    text = approved_sms("0123456789", new_initial_password(), 7)

    assert len(text) <= ONE_SEGMENT, f"{len(text)} characters: {text}"


def test_the_rejection_sms_gives_the_reason_without_diacritics():
    text = rejected_sms(REGISTRATION_ID, "Ảnh chân dung bị mờ")

    assert "Ly do: Anh chan dung bi mo." in text
    assert REFERENCE in text
    assert text.isascii()
    assert len(text) <= ONE_SEGMENT


def test_a_long_rejection_reason_is_cut_at_200_characters_and_stays_within_the_sns_limit():
    reason = "Giấy tờ tùy thân không rõ nét, " * 20  # 620 characters
    assert len(reason) > 500

    text = rejected_sms(REGISTRATION_ID, reason)

    assert unaccented(reason[:200]) in text
    assert unaccented(reason[:201]) not in text
    assert text.isascii()
    assert len(text.encode("utf-8")) <= SNS_SMS_LIMIT_BYTES
    assert len(text) <= 3 * 153  # at most three segments


@pytest.mark.parametrize(
    "reason", ["Ảnh “mờ”, chụp lại", "Sai số CCCD – kiểm tra lại", "Ảnh mờ…", "Thiếu mặt sau ‘CCCD’"]
)
def test_a_rejection_reason_with_typographic_punctuation_still_gives_an_ascii_sms(reason: str):
    assert rejected_sms(REGISTRATION_ID, reason).isascii()


# --- e-mail keeps full Vietnamese ----------------------------------------------------------------------------


def test_the_approval_email_keeps_diacritics_and_carries_the_credentials():
    subject, body = approved_email("Nguyễn Thị Hường", "0123456789", "Ab3dEf7hJk", 7)

    assert subject == "Tài khoản VssID của bạn đã được kích hoạt"
    assert "Kính gửi Nguyễn Thị Hường," in body
    assert "Tên đăng nhập: 0123456789" in body
    assert "Mật khẩu khởi tạo: Ab3dEf7hJk" in body
    assert "7 ngày" in body


def test_the_rejection_email_keeps_the_whole_reason_with_diacritics():
    reason = "Ảnh chân dung bị mờ. " * 20

    subject, body = rejected_email("Nguyễn Thị Hường", REGISTRATION_ID, reason)

    assert REFERENCE in subject
    assert f"Lý do: {reason}" in body
    assert "Kính gửi Nguyễn Thị Hường," in body


def test_every_sms_builder_is_covered_by_these_tests():
    # Every public *_sms builder is covered above; a new one must be added to all_sms().
    builders = {name for name in dir(messages) if name.endswith("_sms")}
    assert builders == {f"{kind}_sms" for kind in all_sms()}
