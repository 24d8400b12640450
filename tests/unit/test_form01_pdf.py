"""Form 01 PDF: one page, real Vietnamese text, the parts of the agency's form (addressee in full, nationality,
content of the registration, commitment, the receiving officer's block), the last day with the office's
hours, and a QR code that decodes to the registration id."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pypdf
import pytest

from chalicelib.services.form01_pdf import build_form01_pdf

REGISTRATION_ID = "3f2a9c1e-7b4d-4e8a-9f01-23456789abcd"
SUBMITTED = datetime(2025, 3, 3, 20, 15, tzinfo=UTC)  # 04/03/2025 03:15 in Viet Nam
DEADLINE = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)  # 17:00 on 14/03/2025 in Viet Nam (a shortened window)
WHOLE_DAY = datetime(2026, 12, 5, 16, 59, 59, tzinfo=UTC)  # the procedure's window: to the end of Sat 05/12/2026
HOURS = "Thứ Hai – Thứ Sáu: 7:30–17:00; Thứ Bảy: 7:30–11:30"


def _form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "full_name": "Nguyễn Thị Hường",
        "date_of_birth": "1990-07-15",
        "gender": "female",
        "social_insurance_number": "0123456789",
        "id_type": "CCCD",
        "id_number": "001190012345",
        "id_issued_on": "2021-04-20",
        "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "phone": "+84901234567",
        "email": "huong.nguyen@example.vn",
        "address": "Số 12 ngõ 34 phố Hàng Bài, phường Hoàn Kiếm, thành phố Hà Nội",
        "nationality": "Việt Nam",
        "notice_channels": ["SMS", "EMAIL", "VSSID"],
    }
    form.update(overrides)
    return form


OFFICE = {
    "code": "HN-HK",
    "name": "BHXH quận Hoàn Kiếm",
    "parent_name": "BHXH TP Hà Nội",
    "address": "Số 8 phố Hàng Chuối, phường Phạm Đình Hổ, thành phố Hà Nội",
    "phone": "024 3826 1234",
}


def _build(**overrides: Any) -> bytes:
    return build_form01_pdf(_form(**overrides), OFFICE, REGISTRATION_ID, SUBMITTED, DEADLINE)


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    raw = "\n".join(page.extract_text() for page in _reader(pdf).pages)
    return " ".join(unicodedata.normalize("NFC", raw).split())


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return _build()


def test_is_a_one_page_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF")
    assert len(_reader(pdf).pages) == 1


def test_vietnamese_text_is_extractable(pdf: bytes) -> None:
    text = _text(pdf)
    for expected in (
        "Nguyễn Thị Hường",
        "Hoàn Kiếm",
        "Mẫu số 01",
        "Kính gửi: Bảo hiểm xã hội quận Hoàn Kiếm (thuộc Bảo hiểm xã hội thành phố Hà Nội)",
        "Quốc tịch: Việt Nam",
        "0123456789",
        "Nữ",
        "Căn cước công dân",
        "15/07/1990",
        "0901234567",
        "huong.nguyen@example.vn",
        "Số tham chiếu: 3F2A9C1E",
        REGISTRATION_ID,
        "Ngày ghi nhận: 04/03/2025",
        "17:00 ngày Thứ Sáu, 14/03/2025",
        "chịu trách nhiệm trước pháp luật",
    ):
        assert expected in text, expected
    assert "+84" not in text


def test_missing_email_and_parent_office() -> None:
    office = {**OFFICE, "parent_name": None}
    text = _text(build_form01_pdf(_form(email=None), office, REGISTRATION_ID, SUBMITTED, DEADLINE))
    assert "Kính gửi: Bảo hiểm xã hội quận Hoàn Kiếm" in text
    assert "(thuộc" not in text
    assert re.search(r"Thư điện tử: ?—", text)


def test_a_foreign_national_with_a_passport_is_printed_with_their_nationality() -> None:
    text = _text(_build(nationality="Nhật Bản", id_type="PASSPORT", id_number="TZ123456"))

    assert "Quốc tịch: Nhật Bản" in text
    assert "Loại giấy tờ: Hộ chiếu" in text


def test_a_can_cuoc_card_is_printed_as_can_cuoc() -> None:
    text = _text(_build(id_type="CAN_CUOC", id_issued_on="2025-02-10", id_issued_by="Bộ Công an"))

    assert "Loại giấy tờ: Căn cước Số: 001190012345" in text
    assert "Căn cước công dân" not in text


def test_a_registration_stored_before_nationality_existed_prints_viet_nam() -> None:
    assert "Quốc tịch: Việt Nam" in _text(_build(nationality=None, notice_channels=None))


def test_the_content_of_the_registration_names_the_account_and_ticks_the_chosen_channels(pdf: bytes) -> None:
    text = _text(pdf)

    assert "II. NỘI DUNG ĐĂNG KÝ" in text
    assert "tên đăng nhập là mã số BHXH 0123456789" in text
    assert "[x] Tin nhắn SMS tới số 0901234567" in text
    assert "[x] Thư điện tử tới huong.nguyen@example.vn" in text
    assert "[x] Ứng dụng VssID" in text


def test_a_channel_not_chosen_is_printed_unticked() -> None:
    text = _text(_build(notice_channels=["SMS"]))

    assert "[x] Tin nhắn SMS tới số 0901234567" in text
    assert re.search(r"\[ *\] Thư điện tử(?! tới)", text)
    assert re.search(r"\[ *\] Ứng dụng VssID", text)


def test_the_commitment_is_printed_point_by_point(pdf: bytes) -> None:
    from chalicelib.domain.form01_terms import COMMITMENT_VI

    text = _text(pdf)
    assert "III. CAM KẾT" in text
    for number, point in enumerate(COMMITMENT_VI, start=1):
        assert f"{number}. {point}" in text
    assert "giữ bí mật tên đăng nhập, mật khẩu" in text


def test_a_block_for_the_receiving_officer_is_left_blank_beside_the_signature(pdf: bytes) -> None:
    text = _text(pdf)

    assert "PHẦN DÀNH CHO CƠ QUAN BHXH" in text
    assert "Ngày nhận: ...../...../........" in text
    assert "Người nhận (ký, ghi rõ họ tên):" in text
    assert text.index("PHẦN DÀNH CHO CƠ QUAN BHXH") > text.index("Số tham chiếu")


def test_the_deadline_names_the_last_day_and_the_opening_hours_not_midnight() -> None:
    office = {**OFFICE, "opening_hours": {"vi": HOURS, "en": "Mon–Fri 7:30–17:00"}}

    text = _text(build_form01_pdf(_form(), office, REGISTRATION_ID, SUBMITTED, WHOLE_DAY))

    assert "trong giờ làm việc, chậm nhất ngày Thứ Bảy, 05/12/2026" in text
    assert f"Giờ làm việc: {HOURS}" in text
    assert "23:59" not in text


def test_unknown_opening_hours_still_say_within_working_hours_and_send_the_reader_to_the_phone() -> None:
    text = _text(build_form01_pdf(_form(), {**OFFICE, "opening_hours": None}, REGISTRATION_ID, SUBMITTED, WHOLE_DAY))

    assert "trong giờ làm việc, chậm nhất ngày Thứ Bảy, 05/12/2026" in text
    assert "Giờ làm việc: vui lòng gọi điện thoại cơ quan BHXH" in text
    assert "Điện thoại cơ quan BHXH: 024 3826 1234" in text
    assert "23:59" not in text


def test_longest_address_wraps_and_stays_on_one_page() -> None:
    address = ("Số 123 ngõ 456 đường Nguyễn Trãi, phường Thượng Đình, quận Thanh Xuân, thành phố Hà Nội; " * 4)[:300]
    assert len(address) == 300
    pdf = _build(address=address)
    assert len(_reader(pdf).pages) == 1
    assert "Hà Nội; Số 123 ngõ 456 đường Nguyễn Trãi," in _text(pdf)


def test_every_field_at_its_maximum_loses_nothing() -> None:
    full_name = "Tôn Nữ " + "Hoàng " * 14 + "Thị Minh"
    email = "a" * 64 + "@" + "b" * 60 + ".example.vn"  # no space to break at: must still wrap inside the page
    pdf = _build(
        address="Số 123 ngõ 456 đường Nguyễn Trãi, phường Thượng Đình, " * 6,
        full_name=full_name,
        id_issued_by="Cục Cảnh sát quản lý hành chính về trật tự xã hội, Bộ Công an " * 3,
        email=email,
        nationality="Cộng hòa Dân chủ Nhân dân Lào " * 2,
    )
    pages = [" ".join(unicodedata.normalize("NFC", p.extract_text()).split()) for p in _reader(pdf).pages]
    assert len(pages) <= 2
    text = " ".join(pages)
    assert email in text.replace(" ", "")
    # The signature block moves as a whole, so the name is printed under its own signature line.
    assert full_name in next(page for page in pages if "Người kê khai" in page)


def test_output_is_deterministic(pdf: bytes) -> None:
    assert _build() == pdf


def _decode_qr(modules: list[list[bool]]) -> tuple[str, str]:
    """Read a clean, single-block QR symbol (versions 1-3 at level M): the error level and the byte-mode text.

    Enough of ISO/IEC 18004 to check the printed code without adding a QR decoder dependency.
    """
    n = len(modules)
    version = (n - 17) // 4
    assert 1 <= version <= 3, f"version {version} has several blocks; this reader does not de-interleave"
    # Format information, first copy, around the top-left finder; bit 14 first.
    cells = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    fmt = int("".join("1" if modules[r][c] else "0" for r, c in cells), 2) ^ 0b101010000010010
    level, mask = "MLHQ"[fmt >> 13], (fmt >> 10) & 7

    def is_function(r: int, c: int) -> bool:
        if r == 6 or c == 6 or (r <= 8 and c <= 8) or (r <= 8 and c >= n - 8) or (r >= n - 8 and c <= 8):
            return True
        return version >= 2 and n - 9 <= r <= n - 5 and n - 9 <= c <= n - 5

    masks = [
        lambda r, c: (r + c) % 2 == 0, lambda r, c: r % 2 == 0, lambda r, c: c % 3 == 0,
        lambda r, c: (r + c) % 3 == 0, lambda r, c: (r // 2 + c // 3) % 2 == 0,
        lambda r, c: (r * c) % 2 + (r * c) % 3 == 0, lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
        lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
    ]
    bits: list[int] = []
    right = n - 1
    while right >= 1:
        if right == 6:  # the vertical timing pattern is skipped as a whole column
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(n):
            r = n - 1 - vert if upward else vert
            for c in (right, right - 1):
                if not is_function(r, c):
                    bits.append(int(modules[r][c] != masks[mask](r, c)))
        right -= 2

    def take(count: int) -> int:
        value = int("".join(map(str, bits[:count])), 2)
        del bits[:count]
        return value

    assert take(4) == 0b0100, "expected byte mode"
    length = take(8)
    return level, bytes(take(8) for _ in range(length)).decode("utf-8")


def test_qr_code_holds_the_registration_id(pdf: bytes) -> None:
    images = _reader(pdf).pages[0].images
    assert len(images) == 1
    picture = images[0].image.convert("L")
    border = 4  # modules of quiet zone, as the PDF builder saves the PNG
    size = picture.width // 10 - 2 * border  # the builder uses scale=10: 10 px per module
    assert picture.width == picture.height == (size + 2 * border) * 10
    modules = [
        [picture.getpixel(((border + c) * 10 + 5, (border + r) * 10 + 5)) < 128 for c in range(size)]
        for r in range(size)
    ]
    assert _decode_qr(modules) == ("M", REGISTRATION_ID)
