"""The SMS and e-mail a citizen receives when their feedback (phản ánh kiến nghị) is answered.

Like the registration notices (chalicelib.domain.messages), the SMS is unaccented Vietnamese (GSM-7: 160
characters a segment instead of 70). An answer may be long, so the SMS carries its beginning and points
to where the whole answer is — the app's feedback screen, looked up with the tracking key — without a
link: a link in an SMS from "BHXH" is exactly what the fraud warnings tell people not to tap.
The e-mail carries the full text with diacritics.
"""

from __future__ import annotations

from chalicelib.domain.messages import unaccented

# Two concatenated GSM-7 segments hold 2 × 153 characters; a little is kept back for the few characters
# (such as [ ] ~ |) that take two places in GSM-7.
SMS_MAX_LENGTH = 300


def _shortened(text: str, room: int) -> str:
    if len(text) <= room:
        return text
    cut = text[:room - 3]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "..."


def answered_sms(feedback_id: str, answer: str) -> str:
    prefix = "BHXH VN tra loi phan anh cua ban: "
    suffix = f" Xem day du tren ung dung VssID, muc Phan anh kien nghi, ma {feedback_id}"
    body = " ".join(unaccented(answer).split())
    return prefix + _shortened(body, SMS_MAX_LENGTH - len(prefix) - len(suffix)) + suffix


def answered_email(contact_name: str, feedback_id: str, message: str, answer: str) -> tuple[str, str]:
    subject = "Trả lời phản ánh, kiến nghị của bạn"
    body = (
        f"Kính gửi {contact_name},\n\n"
        f"Cơ quan Bảo hiểm xã hội đã trả lời phản ánh, kiến nghị của bạn (mã theo dõi: {feedback_id}).\n\n"
        f"Nội dung bạn đã gửi:\n{message}\n\n"
        f"Trả lời:\n{answer}\n\n"
        "Bạn có thể xem lại câu trả lời trên ứng dụng VssID, mục Phản ánh kiến nghị, bằng mã theo dõi trên.\n\n"
        "Bảo hiểm xã hội Việt Nam"
    )
    return subject, body
