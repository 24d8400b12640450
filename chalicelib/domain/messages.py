"""The SMS and e-mail texts a citizen receives about their registration.

SMS are written in Vietnamese without diacritics, as Vietnamese government and bank SMS usually are:
a message with diacritics is sent as UCS-2, which cuts a segment from 160 to 70 characters and
triples the cost, and some older handsets show it badly. E-mails keep full diacritics.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from chalicelib.clock import VIETNAM_TZ

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


def _day(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime("%H:%M ngay %d/%m/%Y")


def submitted_sms(registration_id: str, office_name: str, deadline: datetime) -> str:
    return unaccented(
        f"BHXH VN: Da nhan to khai {reference(registration_id)}. Mang giay to goc den {office_name} "
        f"truoc {_day(deadline)} de doi chieu."
    )


def reminder_sms(registration_id: str, office_name: str, deadline: datetime) -> str:
    return unaccented(
        f"BHXH VN: Nhac lich: to khai so {reference(registration_id)} can doi chieu giay to goc tai "
        f"{office_name} truoc {_day(deadline)}. Qua han, to khai se het hieu luc."
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


def rejected_sms(registration_id: str, reason: str) -> str:
    return unaccented(
        f"BHXH VN: To khai so {reference(registration_id)} chua duoc duyet. Ly do: {reason[:200].rstrip('. ')}. "
        "Ban co the sua va gui lai to khai tren ung dung VssID."
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


def rejected_email(full_name: str, registration_id: str, reason: str) -> tuple[str, str]:
    subject = f"Tờ khai {reference(registration_id)} chưa được duyệt"
    body = (
        f"Kính gửi {full_name},\n\nTờ khai đăng ký giao dịch điện tử số {reference(registration_id)} "
        f"chưa được duyệt.\nLý do: {reason}\n\nBạn có thể sửa và gửi lại tờ khai trên ứng dụng VssID.\n\n"
        "Bảo hiểm xã hội Việt Nam"
    )
    return subject, body
