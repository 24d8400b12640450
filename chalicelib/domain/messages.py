"""The SMS and e-mail texts a citizen receives about their registration.

SMS are written in Vietnamese without diacritics, as Vietnamese government and bank SMS usually are:
a message with diacritics is sent as UCS-2, which cuts a segment from 160 to 70 characters and
triples the cost, and some older handsets show it badly. E-mails keep full diacritics.

Texts about the window name the last day and the office's opening hours (giờ làm việc), never a 23:59 no
office keeps; with the hours unknown they say "trong gio lam viec". A rejection says how to correct and whom
to call.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from chalicelib.domain.deadline import last_day

_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "\u00a0": " "})


def unaccented(text: str) -> str:
    """`Hoàn Kiếm` → `Hoan Kiem`; `Đ` → `D`; typographic punctuation to ASCII; anything else non-ASCII
    to `?` — one stray character would make the whole SMS UCS-2 (70 characters a segment)."""
    text = text.replace("Đ", "D").replace("đ", "d").translate(_TYPOGRAPHY)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return "".join(ch if ch.isascii() else "?" for ch in stripped)


def reference(registration_id: str) -> str:
    """The short reference a person reads out at the office counter."""
    return registration_id[:8].upper()


def _until(deadline: datetime) -> str:
    """`han cuoi ngay 05/12/2026`, or with the time when a shortened window ends mid-day."""
    last = last_day(deadline)
    day = f"ngay {last.day:%d/%m/%Y}"
    return f"han cuoi {day}" if last.until is None else f"han cuoi {last.until:%H:%M} {day}"


def _hours(opening_hours: str | None) -> str:
    return f"gio lam viec: {opening_hours.strip()}" if opening_hours and opening_hours.strip() else "trong gio lam viec"


def submitted_sms(registration_id: str, office_name: str, deadline: datetime, *, opening_hours: str | None) -> str:
    """`opening_hours`: the office's giờ làm việc in Vietnamese, None when not known."""
    return unaccented(
        f"BHXH VN: Da nhan to khai {reference(registration_id)}. Mang giay to goc den {office_name} "
        f"de doi chieu, {_until(deadline)} ({_hours(opening_hours)})."
    )


def reminder_sms(registration_id: str, office_name: str, deadline: datetime, *, opening_hours: str | None) -> str:
    return unaccented(
        f"BHXH VN: Nhac lich: to khai {reference(registration_id)} can doi chieu giay to goc tai "
        f"{office_name}, {_until(deadline)} ({_hours(opening_hours)}). Qua han, to khai het hieu luc."
    )


def expired_sms(registration_id: str) -> str:
    return (
        f"BHXH VN: To khai so {reference(registration_id)} da qua han 10 ngay ma chua doi chieu "
        "giay to goc. Ban co the sua va gui lai to khai tren ung dung VssID."
    )


def approved_sms(username: str, initial_password: str, valid_days: int) -> str:
    return (
        f"BHXH VN: TK VssID {username} da kich hoat. Mat khau khoi tao: {initial_password} "
        f"(hieu luc {valid_days} ngay, doi khi dang nhap). Khong chia se."
    )


def _whom_to_call(office_name: str, office_phone: str | None) -> str:
    return f"Can ho tro, goi {office_name}: {office_phone}." if office_phone else f"Can ho tro, lien he {office_name}."


def rejected_sms(registration_id: str, reason: str, *, office_name: str, office_phone: str | None) -> str:
    """The reason (at most 200 characters of it), how to correct (fix what it names, submit again in the
    app) and whom to call (the office that decided)."""
    return unaccented(
        f"BHXH VN: To khai so {reference(registration_id)} chua duoc duyet. Ly do: {reason[:200].rstrip('. ')}. "
        f"Sua theo ly do tren roi gui lai to khai tren ung dung VssID. {_whom_to_call(office_name, office_phone)}"
    )


def approved_email(full_name: str, username: str, initial_password: str, valid_days: int) -> tuple[str, str]:
    subject = "Tài khoản VssID của bạn đã được kích hoạt"
    body = (
        f"Kính gửi {full_name},\n\n"
        f"Tài khoản giao dịch điện tử với cơ quan BHXH của bạn đã được kích hoạt.\n"
        f"Tên đăng nhập: {username}\nMật khẩu khởi tạo: {initial_password}\n"
        f"Mật khẩu có hiệu lực {valid_days} ngày và phải được đổi ở lần đăng nhập đầu tiên.\n\n"
        "Bảo hiểm xã hội Việt Nam"
    )
    return subject, body


def rejected_email(full_name: str, registration_id: str, reason: str, *, office_name: str,
                   office_phone: str | None) -> tuple[str, str]:
    subject = f"Tờ khai {reference(registration_id)} chưa được duyệt"
    contact = f"{office_name}, điện thoại {office_phone}" if office_phone else office_name
    body = (
        f"Kính gửi {full_name},\n\nTờ khai đăng ký giao dịch điện tử số {reference(registration_id)} "
        f"chưa được duyệt.\nLý do: {reason}\n\n"
        "Cách sửa: mở tờ khai trên ứng dụng VssID, sửa thông tin hoặc chụp lại ảnh theo lý do trên, rồi gửi lại "
        "(Ghi nhận); bạn sẽ có thêm 10 ngày để mang giấy tờ gốc đến đối chiếu.\n"
        f"Cần hỗ trợ, vui lòng liên hệ {contact}.\n\n"
        "Bảo hiểm xã hội Việt Nam"
    )
    return subject, body
