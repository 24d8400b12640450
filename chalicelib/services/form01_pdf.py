"""The filled Form 01 (Tờ khai Mẫu số 01) as a one-page A4 PDF the citizen prints, signs and brings to the office.

As the agency's form for individuals has it: addressed to the receiving office in full ("Kính gửi: Bảo hiểm
xã hội …"), the person's data with nationality, the content of the registration (where notices go), the
commitment, and a block for the receiving officer left blank for the counter. The QR code holds the
registration id, so counter staff open the record by scanning instead of typing.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from datetime import date, datetime
from importlib.resources import files
from typing import Any

from chalicelib.clock import VIETNAM_TZ
from chalicelib.domain.deadline import last_day
from chalicelib.domain.form01_terms import (
    COMMITMENT_VI,
    REGISTERED_FOR_VI,
    VIETNAM,
    addressee,
    channel_lines_vi,
    default_channels,
)
from chalicelib.domain.messages import reference

_ID_TYPES = {"CAN_CUOC": "Căn cước", "CCCD": "Căn cước công dân", "CMND": "Chứng minh nhân dân",
             "PASSPORT": "Hộ chiếu"}
_GENDERS = {"male": "Nam", "female": "Nữ"}
_NONE = "—"
_MARGIN = 15.0  # mm
_QR_SIZE = 35.0  # mm: scans reliably from a phone held at arm's length over the counter
_SIZE = 10.5  # pt, the body text
_LINE_H = 5.2  # mm


@functools.lru_cache(maxsize=1)
def _font_paths() -> tuple[str, str]:
    # Resolved once per Lambda container; fpdf2 needs real file paths, which a wheel install gives.
    font_dir = files("font_roboto") / "files"
    return str(font_dir / "Roboto-Regular.ttf"), str(font_dir / "Roboto-Bold.ttf")


def _text(value: str | None) -> str:
    # Decomposed input (NFD from some keyboards or reference data) would need mark positioning that
    # a plain TTF embed does not do; Roboto has every precomposed Vietnamese letter.
    return unicodedata.normalize("NFC", value) if value else _NONE


def _dmy(iso_date: str | None) -> str:
    if not iso_date:
        return _NONE
    try:
        return date.fromisoformat(iso_date).strftime("%d/%m/%Y")
    except ValueError:  # a printable form beats a 500; the stored value was validated on the way in
        return iso_date


def _national_phone(e164: str | None) -> str:
    # Vietnamese readers and counter staff know numbers as 09xx…, not +849xx….
    if e164 and e164.startswith("+84"):
        return "0" + e164[3:]
    return _text(e164)


def _qr_png(registration_id: str) -> io.BytesIO:
    import segno

    # boost_error off keeps the level exactly M, so the symbol size only depends on the id length.
    qr = segno.make_qr(registration_id, error="m", boost_error=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=10, border=4)
    buf.seek(0)
    return buf


def _deadline_lines(deadline_at: datetime, office: dict[str, Any]) -> list[str]:
    """The last day and the opening hours: a person can use "trong giờ làm việc ngày 05/12/2026", not
    a 23:59 no office keeps."""
    last = last_day(deadline_at)
    day = f"{last.weekday_vi}, {last.day:%d/%m/%Y}"
    when = f"trong giờ làm việc, chậm nhất ngày {day}" if last.until is None else f"{last.until:%H:%M} ngày {day}"
    lines = [f"Hạn đối chiếu giấy tờ gốc: {when}, tại {_text(office.get('name'))}, {_text(office.get('address'))}"]
    hours = office.get("opening_hours")
    hours_vi = hours.get("vi") if isinstance(hours, dict) else None
    if hours_vi:
        lines.append(f"Giờ làm việc: {_text(hours_vi)}")
    elif office.get("phone"):
        lines.append("Giờ làm việc: vui lòng gọi điện thoại cơ quan BHXH để hỏi trước khi đến.")
    return lines


def build_form01_pdf(form: dict[str, Any], office: dict[str, Any], registration_id: str,
                     submitted_at: datetime, deadline_at: datetime) -> bytes:
    """Render Form 01 for one registration; `form` and `office` are the stored, validated records."""
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos

    regular, bold = _font_paths()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(_MARGIN, 10, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=10)
    # A fixed date makes the same registration always give byte-identical PDFs (stable S3 ETag, cacheable).
    pdf.set_creation_date(submitted_at)
    pdf.set_title(f"Tờ khai Mẫu số 01 - {reference(registration_id)}")
    pdf.set_author("Bảo hiểm xã hội Việt Nam")
    pdf.set_lang("vi")
    pdf.add_font("Roboto", "", regular)
    pdf.add_font("Roboto", "B", bold)
    pdf.add_page()
    width = pdf.epw

    def line(text: str, size: float = _SIZE, style: str = "", align: Align = Align.L, w: float = 0,
             h: float = _LINE_H) -> None:
        pdf.set_font("Roboto", style, size)
        pdf.multi_cell(w, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(text: str) -> None:
        pdf.ln(1.5)
        line(text, _SIZE + 0.5, "B")

    def row(number: int, *pairs: tuple[str, str], bold_value: bool = False) -> None:
        """One numbered line of label: value pairs; the last value wraps within the page."""
        pdf.set_x(pdf.l_margin)
        for index, (label, value) in enumerate(pairs):
            prefix = f"{number}. " if index == 0 else "    "
            pdf.set_font("Roboto", "", _SIZE)
            pdf.cell(pdf.get_string_width(prefix + label + ": ") + 0.5, _LINE_H, f"{prefix}{label}: ")
            pdf.set_font("Roboto", "B" if bold_value else "", _SIZE)
            if index < len(pairs) - 1:
                pdf.cell(pdf.get_string_width(value) + 1, _LINE_H, value)
            else:
                # Wraps (address up to 300 characters, long e-mails) instead of running off the page.
                pdf.multi_cell(0, _LINE_H, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_font("Roboto", "", 10)
    pdf.cell(0, 5, "Mẫu số 01", align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, "B", Align.C)
    line("Độc lập - Tự do - Hạnh phúc", 12, "B", Align.C)
    pdf.line(pdf.w / 2 - 28, pdf.get_y(), pdf.w / 2 + 28, pdf.get_y())
    pdf.ln(4)
    line("TỜ KHAI ĐĂNG KÝ SỬ DỤNG PHƯƠNG THỨC GIAO DỊCH ĐIỆN TỬ\nTRONG LĨNH VỰC BẢO HIỂM XÃ HỘI", 13, "B", Align.C,
         h=6.5)
    line("(Dành cho cá nhân)", 10, "", Align.C, h=5)
    pdf.ln(1)
    recipient = addressee(office.get("name") or f"BHXH {office.get('code') or ''}".strip(), office.get("parent_name"))
    line(f"Kính gửi: {_text(recipient)}", 12, "", Align.C)

    heading("I. THÔNG TIN NGƯỜI ĐĂNG KÝ")
    id_type = form.get("id_type") or ""
    row(1, ("Họ và tên", _text(form.get("full_name")).upper()), bold_value=True)
    row(2, ("Ngày sinh", _dmy(form.get("date_of_birth"))),
        ("Giới tính", _GENDERS.get(form.get("gender") or "", _text(form.get("gender")))),
        ("Quốc tịch", _text(form.get("nationality") or VIETNAM)))
    row(3, ("Mã số BHXH", _text(form.get("social_insurance_number"))))
    row(4, ("Loại giấy tờ", _ID_TYPES.get(id_type, _text(id_type))), ("Số", _text(form.get("id_number"))))
    row(5, ("Ngày cấp", _dmy(form.get("id_issued_on"))), ("Nơi cấp", _text(form.get("id_issued_by"))))
    row(6, ("Số điện thoại", _national_phone(form.get("phone"))))
    row(7, ("Thư điện tử", _text(form.get("email"))))
    row(8, ("Địa chỉ liên hệ", _text(form.get("address"))))

    heading("II. NỘI DUNG ĐĂNG KÝ")
    line("1. " + REGISTERED_FOR_VI.format(number=_text(form.get("social_insurance_number"))), align=Align.J)
    line("2. Nhận thông báo về tờ khai và tài khoản qua:")
    channels = form.get("notice_channels") or default_channels(email_given=bool(form.get("email")))
    for text in channel_lines_vi(channels, _national_phone(form.get("phone")), form.get("email")):
        pdf.set_x(pdf.l_margin + 5)
        line(text, w=width - 5)

    heading("III. CAM KẾT")
    line("Tôi cam kết:")
    for number, point in enumerate(COMMITMENT_VI, start=1):
        pdf.set_x(pdf.l_margin + 5)
        line(f"{number}. {point}", align=Align.J, w=width - 5)
    pdf.ln(2)

    # Only overlong data gets here: move the block whole, so the QR stays beside its reference.
    if pdf.will_page_break(_QR_SIZE + 2):
        pdf.add_page()
    top = pdf.get_y()
    text_w = width - _QR_SIZE - 5
    line(f"Số tham chiếu: {reference(registration_id)}", 11, "B", w=text_w)
    line(f"Mã hồ sơ: {registration_id}", 8, w=text_w, h=4)
    line(f"Ngày ghi nhận: {submitted_at.astimezone(VIETNAM_TZ):%d/%m/%Y}", 9.5, w=text_w, h=4.5)
    for text in _deadline_lines(deadline_at, office):
        line(text, 9.5, w=text_w, h=4.5)
    if office.get("phone"):
        line(f"Điện thoại cơ quan BHXH: {office['phone']}", 9.5, w=text_w, h=4.5)
    line("Mang tờ khai đã ký và giấy tờ tùy thân bản gốc khi đến đối chiếu.", 9, w=text_w, h=4.5)
    pdf.image(_qr_png(registration_id), x=pdf.l_margin + width - _QR_SIZE, y=top, w=_QR_SIZE, h=_QR_SIZE)
    pdf.set_y(max(pdf.get_y(), top + _QR_SIZE) + 3)
    if pdf.will_page_break(40):  # never a signature line without the name, or the other way round
        pdf.add_page()

    # Two columns: the receiving officer's block, left blank for the counter; the declarant's signature.
    # Dates left blank on purpose: filled in by hand when the paper is signed and received.
    half = width / 2
    top = pdf.get_y()
    for text, size, style in (
        ("PHẦN DÀNH CHO CƠ QUAN BHXH", 10, "B"),
        ("Ngày nhận: ...../...../........", 10, ""),
        ("Người nhận (ký, ghi rõ họ tên):", 10, ""),
    ):
        line(text, size, style, Align.L, w=half - 4, h=5.5)
    officer_bottom = pdf.get_y() + 16
    pdf.set_y(top)
    for text, size, style in (
        ("........., ngày ..... tháng ..... năm ........", 10, ""),
        ("Người kê khai", 11, "B"),
        ("(Ký, ghi rõ họ tên)", 9.5, ""),
    ):
        pdf.set_x(pdf.l_margin + half)
        line(text, size, style, Align.C, w=half, h=5)
    pdf.ln(16)  # room for the handwritten signature
    pdf.set_x(pdf.l_margin + half)
    line(_text(form.get("full_name")), 11, "B", Align.C, w=half)
    pdf.set_y(max(pdf.get_y(), officer_bottom))
    return bytes(pdf.output())
