"""The fixed wording of Form 01 (Tờ khai Mẫu số 01, dành cho cá nhân) beyond the person's own data:
quốc tịch, the content of the registration (nội dung đăng ký: what is registered, where notices go) and the
declarant's commitment (cam kết), in Vietnamese as printed and in English for the API.

The points follow the agency's individual form in substance; the sentences are this project's, so check
them against the Mẫu 01 in force before printing forms for real use (docs/FORM01.md).
"""

from __future__ import annotations

from chalicelib.domain.text_search import normalise

VIETNAM = "Việt Nam"
_VIETNAM_SPELLINGS = frozenset({"viet nam", "vietnam", "vn", "vnm", "cong hoa xa hoi chu nghia viet nam"})

# Where notices about the registration and the account go (nhận thông báo qua). SMS is always one of them.
NOTICE_CHANNELS = ("SMS", "EMAIL", "VSSID")

# Cam kết của người kê khai, numbered as printed; accepted with `commitment_accepted: true` at submit.
COMMITMENT_VI = (
    "Những thông tin kê khai trên là đúng sự thật; tôi chịu trách nhiệm trước pháp luật về nội dung kê khai.",
    "Chấp hành đúng các quy định của pháp luật về giao dịch điện tử trong lĩnh vực bảo hiểm xã hội, bảo hiểm "
    "y tế, bảo hiểm thất nghiệp.",
    "Tự quản lý và giữ bí mật tên đăng nhập, mật khẩu, mã xác thực (OTP) của tài khoản; không cho người khác "
    "sử dụng; chịu trách nhiệm về các giao dịch thực hiện bằng tài khoản của mình.",
    "Thông báo kịp thời cho cơ quan BHXH khi thông tin đăng ký thay đổi hoặc khi tài khoản bị lộ, bị mất "
    "hoặc bị sử dụng trái phép.",
)
COMMITMENT_EN = (
    "The information declared above is true; I am responsible before the law for what I declared.",
    "I will follow the legal rules on electronic transactions in social, health and unemployment insurance.",
    "I will keep my username, password and one-time codes (OTP) secret, not let anyone else use the account, "
    "and answer for the transactions made with it.",
    "I will tell the social-insurance office promptly when the registered information changes or the account "
    "is disclosed, lost or used without my permission.",
)

# Nội dung đăng ký: what the registration is for, as printed (the account's username is the number).
REGISTERED_FOR_VI = ("Đăng ký sử dụng phương thức giao dịch điện tử với cơ quan BHXH bằng tài khoản cá nhân "
                     "(tên đăng nhập là mã số BHXH {number}) trên ứng dụng VssID.")
REGISTERED_FOR_EN = ("Registration for electronic transactions with the social-insurance agency through a "
                     "personal account (username: the social-insurance number {number}) in the VssID app.")


def nationality_of(text: str) -> str:
    """Quốc tịch as stored: any usual spelling of Việt Nam ("Viet Nam", "VIỆT NAM", "Vietnam", "VN") becomes
    "Việt Nam", so rules and staff compare one value; other nationalities are kept as written."""
    return VIETNAM if normalise(text) in _VIETNAM_SPELLINGS else text


def default_channels(*, email_given: bool) -> tuple[str, ...]:
    """What a form that does not choose gets: SMS and the app, and e-mail when it gives an address."""
    return ("SMS", "EMAIL", "VSSID") if email_given else ("SMS", "VSSID")


def channel_lines_vi(channels: tuple[str, ...] | list[str], phone: str | None, email: str | None) -> list[str]:
    """The "nhận thông báo qua" lines of the printed form, each ticked [x] or not [ ]."""
    chosen = set(channels)

    def box(channel: str) -> str:
        return "[x]" if channel in chosen else "[  ]"

    return [
        f"{box('SMS')} Tin nhắn SMS tới số {phone or '—'}",
        f"{box('EMAIL')} Thư điện tử" + (f" tới {email}" if email and "EMAIL" in chosen else ""),
        f"{box('VSSID')} Ứng dụng VssID (theo dõi trạng thái tờ khai)",
    ]


def commitment_view() -> dict[str, list[str]]:
    """The commitment as the app shows it before "Ghi nhận" (submit asks for `commitment_accepted: true`)."""
    return {"vi": list(COMMITMENT_VI), "en": list(COMMITMENT_EN)}


def channels_or_default(channels: list[str] | tuple[str, ...] | None, email: str | None) -> tuple[str, ...]:
    """The channels a stored registration chose; one stored before the choice existed gets the defaults."""
    return tuple(channels) if channels else default_channels(email_given=bool(email))


_ABBREVIATIONS = (("BHXH", "Bảo hiểm xã hội"), ("TP.", "thành phố"), ("TP", "thành phố"), ("Tp.", "thành phố"))


def full_office_name(name: str) -> str:
    """An office's name written out as a form addresses it: "BHXH TP Hà Nội" → "Bảo hiểm xã hội thành phố
    Hà Nội"; a name already in full is kept."""
    words = name.split()
    for short, full in _ABBREVIATIONS:
        words = [full if word == short else word for word in words]
    return " ".join(words)


def addressee(office_name: str | None, parent_name: str | None) -> str:
    """The "Kính gửi" of Form 01: the receiving office in full, and the provincial office it belongs to."""
    if not office_name:
        return "Bảo hiểm xã hội"
    own = full_office_name(office_name)
    return f"{own} (thuộc {full_office_name(parent_name)})" if parent_name else own
