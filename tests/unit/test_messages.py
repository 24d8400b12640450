"""What a citizen reads on their phone: SMS in plain ASCII (GSM-7, 160 characters a segment), e-mail in full Vietnamese.

Which SMS can exceed one 160-character segment:
- `rejected_sms`: it carries the staff member's free-text reason (up to 200 characters of it), how to correct
  and the office's phone, so it takes two or three segments. It must still fit SNS's 1600-byte limit.
- `submitted_sms` and `reminder_sms` name the last day and the office's opening hours (giờ làm việc): with
  the hours known they take two segments; `submitted_sms` fits one when the hours are not known.
- `approved_sms` fits one segment; `expired_sms` has no variable text but the reference and always fits.
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
OFFICE_PHONE = "0243 9440116"
HOURS = "Thứ Hai – Thứ Sáu: 7:30–17:00; Thứ Bảy: 7:30–11:30 (trừ ngày nghỉ lễ, Tết)"  # a long, realistic value
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


def all_sms(office: str = OFFICE, reason: str = "Ảnh chân dung bị mờ, vui lòng chụp lại",
            hours: str | None = HOURS) -> dict[str, str]:
    return {
        "submitted": submitted_sms(REGISTRATION_ID, office, DEADLINE, opening_hours=hours),
        "reminder": reminder_sms(REGISTRATION_ID, office, DEADLINE, opening_hours=hours),
        "expired": expired_sms(REGISTRATION_ID),
        "approved": approved_sms("0123456789", "Ab3dEf7hJk", 7),
        "rejected": rejected_sms(REGISTRATION_ID, reason, office_name=office, office_phone=OFFICE_PHONE),
    }


def submitted(office: str = OFFICE, deadline: datetime = DEADLINE, hours: str | None = HOURS) -> str:
    return submitted_sms(REGISTRATION_ID, office, deadline, opening_hours=hours)


def rejected(reason: str, office: str = OFFICE, phone: str | None = OFFICE_PHONE) -> str:
    return rejected_sms(REGISTRATION_ID, reason, office_name=office, office_phone=phone)


@pytest.mark.parametrize("office", OFFICE_NAMES)
def test_every_sms_is_plain_ascii_for_every_office(office: str):
    for kind, text in all_sms(office).items():
        assert text.isascii(), kind
        assert text.startswith("BHXH VN: "), kind


@pytest.mark.parametrize("office", [SHORTEST_OFFICE, OFFICE, LONGEST_OFFICE])
def test_every_sms_fits_the_sns_limit(office: str):
    for kind, text in all_sms(office, reason="Đ" * 500).items():
        assert len(text.encode("utf-8")) <= SNS_SMS_LIMIT_BYTES, kind


def test_the_submitted_sms_names_the_office_the_last_day_and_the_opening_hours():
    text = submitted()

    assert "BHXH co so Hoan Kiem" in text
    assert "han cuoi ngay 05/12/2026" in text
    assert "gio lam viec: Thu Hai - Thu Sau: 7:30-17:00; Thu Bay: 7:30-11:30" in text
    assert REFERENCE in text


@pytest.mark.parametrize("hours", [HOURS, None])
def test_a_whole_day_window_names_no_midnight_nobody_can_use(hours: str | None):
    for kind in ("submitted", "reminder"):
        text = all_sms(hours=hours)[kind]
        assert "23:59" not in text, kind
        assert "05/12/2026" in text, kind


@pytest.mark.parametrize("hours", [None, "", "   "], ids=["null", "empty", "blank"])
def test_unknown_opening_hours_read_within_working_hours(hours: str | None):
    for kind in ("submitted", "reminder"):
        text = all_sms(hours=hours)[kind]
        assert "(trong gio lam viec)" in text, kind
        assert "gio lam viec:" not in text, kind


def test_a_shortened_window_that_ends_mid_day_names_the_time_too():
    deadline = datetime(2026, 12, 5, 7, 30, tzinfo=UTC)  # 14:30 on 05/12/2026 in Viet Nam

    assert "han cuoi 14:30 ngay 05/12/2026" in submitted(deadline=deadline)


def test_a_deadline_late_in_the_utc_day_is_shown_on_the_next_vietnam_day():
    deadline = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)  # 01:00 on 06/12/2026 in Viet Nam

    text = submitted(deadline=deadline)

    assert "06/12/2026" in text
    assert "05/12/2026" not in text


def test_the_submitted_sms_shows_the_same_day_whatever_zone_the_deadline_is_given_in():
    assert submitted() == submitted(deadline=DEADLINE.astimezone(VIETNAM_TZ))


@pytest.mark.parametrize("office", OFFICE_NAMES)
def test_with_the_hours_the_window_sms_stay_within_two_segments_for_every_office(office: str):
    for kind in ("submitted", "reminder"):
        assert len(all_sms(office)[kind]) <= TWO_SEGMENTS, kind


def test_without_hours_the_submitted_sms_fits_one_segment_for_every_office():
    longest = max((submitted(name, hours=None) for name in OFFICE_NAMES), key=len)

    assert len(longest) <= ONE_SEGMENT, f"{len(longest)} characters: {longest}"


def test_the_reminder_names_the_office_the_last_day_and_the_hours_for_every_office():
    for name in OFFICE_NAMES:
        text = reminder_sms(REGISTRATION_ID, name, DEADLINE, opening_hours="Thứ Hai – Thứ Sáu: 7:30–17:00")
        assert unaccented(name) in text
        assert "han cuoi ngay 05/12/2026 (gio lam viec: Thu Hai - Thu Sau: 7:30-17:00)" in text
        assert REFERENCE in text
        assert len(text) <= TWO_SEGMENTS, text


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
    text = rejected("Ảnh chân dung bị mờ")

    assert "Ly do: Anh chan dung bi mo." in text
    assert REFERENCE in text
    assert text.isascii()
    assert len(text) <= TWO_SEGMENTS


def test_the_rejection_sms_says_how_to_correct_and_whom_to_call():
    text = rejected("Ảnh chân dung bị mờ")

    assert "Sua theo ly do tren roi gui lai to khai tren ung dung VssID." in text
    assert "Can ho tro, goi BHXH co so Hoan Kiem: 0243 9440116." in text


def test_without_an_office_phone_the_rejection_sms_still_names_the_office_to_contact():
    text = rejected("Ảnh chân dung bị mờ", phone=None)

    assert text.endswith("Can ho tro, lien he BHXH co so Hoan Kiem.")


def test_a_long_rejection_reason_is_cut_at_200_characters_and_stays_within_the_sns_limit():
    reason = "Giấy tờ tùy thân không rõ nét, " * 20  # 620 characters
    assert len(reason) > 500

    text = rejected(reason, office=LONGEST_OFFICE)

    assert unaccented(reason[:200]) in text
    assert unaccented(reason[:201]) not in text
    assert text.isascii()
    assert len(text.encode("utf-8")) <= SNS_SMS_LIMIT_BYTES
    assert len(text) <= 3 * 153  # at most three segments
    assert OFFICE_PHONE in text  # whom to call is never cut off


@pytest.mark.parametrize(
    "reason", ["Ảnh “mờ”, chụp lại", "Sai số CCCD – kiểm tra lại", "Ảnh mờ…", "Thiếu mặt sau ‘CCCD’"]
)
def test_a_rejection_reason_with_typographic_punctuation_still_gives_an_ascii_sms(reason: str):
    assert rejected(reason).isascii()


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

    subject, body = rejected_email("Nguyễn Thị Hường", REGISTRATION_ID, reason, office_name=OFFICE,
                                   office_phone=OFFICE_PHONE)

    assert REFERENCE in subject
    assert f"Lý do: {reason}" in body
    assert "Kính gửi Nguyễn Thị Hường," in body


def test_the_rejection_email_says_how_to_correct_and_whom_to_call():
    _, body = rejected_email("Nguyễn Thị Hường", REGISTRATION_ID, "Ảnh mờ", office_name=OFFICE,
                             office_phone=OFFICE_PHONE)

    assert "sửa thông tin hoặc chụp lại ảnh theo lý do trên, rồi gửi lại" in body
    assert "liên hệ BHXH cơ sở Hoàn Kiếm, điện thoại 0243 9440116" in body


def test_every_sms_builder_is_covered_by_these_tests():
    # Every public *_sms builder is covered above; a new one must be added to all_sms().
    builders = {name for name in dir(messages) if name.endswith("_sms")}
    assert builders == {f"{kind}_sms" for kind in all_sms()}
