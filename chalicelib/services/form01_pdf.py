"""The filled Form 01 (Tờ khai Mẫu số 01) as a one-page A4 PDF the citizen prints, signs and brings to the office.

The QR code holds the registration id, so counter staff open the record by scanning instead of typing.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from datetime import date, datetime
from importlib.resources import files

from chalicelib.clock import VIETNAM_TZ
from chalicelib.domain.messages import reference

_ID_TYPES = {"CCCD": "Căn cước công dân", "CMND": "Chứng minh nhân dân", "PASSPORT": "Hộ chiếu"}
_GENDERS = {"male": "Nam", "female": "Nữ"}
_NONE = "—"
_MARGIN = 15.0  # mm
_QR_SIZE = 35.0  # mm: scans reliably from a phone held at arm's length over the counter
_LABEL_W = 55.0  # mm
_LINE_H = 6.0  # mm


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


def build_form01_pdf(form: dict[str, str | None], office: dict[str, str | None], registration_id: str,
                     submitted_at: datetime, deadline_at: datetime) -> bytes:
    """Render Form 01 for one registration; `form` and `office` are the stored, validated records."""
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos

    regular, bold = _font_paths()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(_MARGIN, 12, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=12)
    # A fixed date makes the same registration always give byte-identical PDFs (stable S3 ETag, cacheable).
    pdf.set_creation_date(submitted_at)
    pdf.set_title(f"Tờ khai Mẫu số 01 - {reference(registration_id)}")
    pdf.set_author("Bảo hiểm xã hội Việt Nam")
    pdf.set_lang("vi")
    pdf.add_font("Roboto", "", regular)
    pdf.add_font("Roboto", "B", bold)
    pdf.add_page()
    width = pdf.epw

    def line(text: str, size: float = 11, style: str = "", align: Align = Align.L, w: float = 0,
             h: float = _LINE_H) -> None:
        pdf.set_font("Roboto", style, size)
        pdf.multi_cell(w, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_font("Roboto", "", 10)
    pdf.cell(0, 5, "Mẫu số 01", align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, "B", Align.C)
    line("Độc lập - Tự do - Hạnh phúc", 12, "B", Align.C)
    pdf.line(pdf.w / 2 - 28, pdf.get_y(), pdf.w / 2 + 28, pdf.get_y())
    pdf.ln(6)
    line("TỜ KHAI ĐĂNG KÝ SỬ DỤNG PHƯƠNG THỨC GIAO DỊCH ĐIỆN TỬ\nTRONG LĨNH VỰC BẢO HIỂM XÃ HỘI", 13, "B", Align.C, h=7)
    pdf.ln(2)
    recipient = " - ".join(_text(part) for part in (office.get("parent_name"), office.get("name")) if part)
    line(f"Kính gửi: {recipient}", 12, "", Align.C)
    pdf.ln(3)

    rows = [
        ("Họ và tên", _text(form.get("full_name")).upper()),
        ("Ngày sinh", _dmy(form.get("date_of_birth"))),
        ("Giới tính", _GENDERS.get(form.get("gender") or "", _text(form.get("gender")))),
        ("Mã số BHXH", _text(form.get("social_insurance_number"))),
        ("Loại giấy tờ", _ID_TYPES.get(form.get("id_type") or "", _text(form.get("id_type")))),
        ("Số giấy tờ", _text(form.get("id_number"))),
        ("Ngày cấp", _dmy(form.get("id_issued_on"))),
        ("Nơi cấp", _text(form.get("id_issued_by"))),
        ("Số điện thoại", _national_phone(form.get("phone"))),
        ("Thư điện tử", _text(form.get("email"))),
        ("Địa chỉ liên hệ", _text(form.get("address"))),
    ]
    for number, (label, value) in enumerate(rows, start=1):
        pdf.set_font("Roboto", "", 11)
        pdf.cell(_LABEL_W, _LINE_H, f"{number}. {label}:")
        pdf.set_font("Roboto", "B" if number == 1 else "", 11)
        # Value column wraps (address up to 300 chars, long e-mails) instead of running off the page.
        pdf.multi_cell(0, _LINE_H, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    line("Tôi cam kết các thông tin kê khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật "
         "về nội dung kê khai.", align=Align.J)
    pdf.ln(4)

    local_deadline = deadline_at.astimezone(VIETNAM_TZ)
    # Only overlong data gets here: move the block whole, so the QR stays beside its reference.
    if pdf.will_page_break(40):
        pdf.add_page()
    top = pdf.get_y()
    text_w = width - _QR_SIZE - 5
    line(f"Số tham chiếu: {reference(registration_id)}", 12, "B", w=text_w)
    line(f"Mã hồ sơ: {registration_id}", 9, w=text_w, h=5)
    line(f"Ngày ghi nhận: {submitted_at.astimezone(VIETNAM_TZ):%d/%m/%Y}", w=text_w)
    line(f"Hạn đối chiếu giấy tờ gốc: {local_deadline:%H:%M} ngày {local_deadline:%d/%m/%Y} tại "
         f"{_text(office.get('name'))}, {_text(office.get('address'))}", w=text_w)
    if office.get("phone"):
        line(f"Điện thoại cơ quan BHXH: {office['phone']}", 10, w=text_w, h=5)
    line("Mang tờ khai đã ký và giấy tờ tùy thân bản gốc khi đến đối chiếu.", 9, w=text_w, h=5)
    pdf.image(_qr_png(registration_id), x=pdf.l_margin + width - _QR_SIZE, y=top, w=_QR_SIZE, h=_QR_SIZE)
    pdf.set_y(max(pdf.get_y(), top + _QR_SIZE) + 4)
    if pdf.will_page_break(45):  # never a signature line without the name, or the other way round
        pdf.add_page()

    # Date left blank on purpose: the citizen fills it in when they sign the printed copy.
    sign_x, sign_w = pdf.l_margin + width / 2, width / 2
    for text, size, style in (
        ("........., ngày ..... tháng ..... năm ........", 11, ""),
        ("Người kê khai", 12, "B"),
        ("(Ký, ghi rõ họ tên)", 10, ""),
    ):
        pdf.set_x(sign_x)
        line(text, size, style, Align.C, w=sign_w)
    pdf.ln(20)  # room for the handwritten signature
    pdf.set_x(sign_x)
    line(_text(form.get("full_name")), 12, "B", Align.C, w=sign_w)
    return bytes(pdf.output())
