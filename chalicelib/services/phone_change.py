"""Changing the registered phone: the current password, then a code sent to the NEW number, then a
notice to the old one (so a thief who knows the password cannot move the account's SMS quietly)."""

from __future__ import annotations

from typing import Any

from chalicelib.aws import notifier
from chalicelib.domain.contact import mask_phone, normalise_vn_mobile
from chalicelib.errors import ChallengeNotFoundError, ValidationFailedError
from chalicelib.models.account import Account
from chalicelib.observability import logger
from chalicelib.services import otp, sign_in


def start(username: str, body: dict[str, Any]) -> dict[str, object]:
    password = body.get("current_password")
    raw_phone = body.get("new_phone")
    new_phone = normalise_vn_mobile(raw_phone) if isinstance(raw_phone, str) else None
    if new_phone is None:
        raise ValidationFailedError(fields={"new_phone": "must be a Vietnamese mobile number"},
                                    extra={"fields_vi": {"new_phone": "phải là số điện thoại di động Việt Nam"}})
    account = Account.get(username, consistent_read=True)
    sign_in.check_password(account, password)
    if new_phone == account.phone:
        raise ValidationFailedError(fields={"new_phone": "is already the registered number"},
                                    extra={"fields_vi": {"new_phone": "trùng với số đang đăng ký"}})
    challenge_id = otp.create("PHONE", username, new_phone=new_phone)
    return otp.send(otp.load(challenge_id, "PHONE"), account)


def _owned(username: str, challenge_id: str) -> Any:
    challenge = otp.load(challenge_id, "PHONE")
    if challenge.username != username:
        raise ChallengeNotFoundError()  # another citizen's challenge looks like none at all
    return challenge


def resend(username: str, challenge_id: str) -> dict[str, object]:
    return otp.send(_owned(username, challenge_id), Account.get(username))


def confirm(username: str, challenge_id: str, body: dict[str, Any]) -> dict[str, str]:
    challenge = _owned(username, challenge_id)
    otp.verify(challenge, body.get("otp"))
    with otp.given_back_on_failure(challenge):
        account = Account.get(username, consistent_read=True)
        old_phone = account.phone
        account.update(actions=[Account.phone.set(challenge.new_phone)], add_version_condition=False)
    notifier.send_or_queue(old_phone, "BHXH VN: So dien thoai cua tai khoan VssID da duoc doi sang "
                                      f"{mask_phone(challenge.new_phone)}. Neu khong phai ban, hay goi 1900 9068.",
                           "phone_changed")
    logger.info("citizen phone changed")
    return {"phone": challenge.new_phone}
