"""Taking a number back from a draft someone else holds it with (giành lại mã số BHXH).

A draft holds its number for a few hours after it was created or corrected; if someone else's draft is
in the way, the person the register names can end its hold at once by proving the register's phone:

1. `POST /v1/registrations/takeover` `{social_insurance_number, captcha_id, captcha_answer}` → 202
   `{challenge_id, expires_in, resend_after}`. A code goes by SMS to the register's phone only when a
   draft holds the number and the register has a phone; the answer is the same in every case, so this
   does not tell who is in the register, who has a phone on file or whether anything is held.
2. `POST /v1/registrations/takeover/{challenge_id}/verify` `{otp}` → 200 `{social_insurance_number,
   released}`: the draft stops holding the number (the draft itself stays), and the owner's own Form 01
   can be created.

Codes are `services.otp` challenges (purpose TAKEOVER): 6 digits, 5 minutes, 5 wrong tries. They are
counted under `takeover:<number>` (5 an hour, 10 a day, whether or not one is sent, so the 429s say nothing
either) and against the phone's daily SMS budget, not against the number's sign-in codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.errors import ValidationFailedError
from chalicelib.observability import logger
from chalicelib.services import captchas, claims, otp, register_match

PURPOSE = "TAKEOVER"
_COUNTED_AS = "takeover:"  # the challenge's username: whose hourly and daily code limits a takeover uses
_SIN = re.compile(r"[0-9]{10}")


@dataclass(frozen=True)
class _RegisterContact:
    """Who `otp.send` writes to and counts the SMS against: the number, at the register's phone."""

    username: str
    phone: str


def start(body: dict[str, Any]) -> dict[str, Any]:
    sin = body.get("social_insurance_number")
    if not isinstance(sin, str) or not _SIN.fullmatch(sin):
        raise ValidationFailedError(
            fields={"social_insurance_number": "must be exactly 10 digits"},
            extra={"fields_vi": {"social_insurance_number": "phải gồm đúng 10 chữ số"}},
        )
    captchas.spend(body.get("captcha_id"), body.get("captcha_answer"))
    person = register_match.person(sin)
    phone = (person or {}).get("phone")
    contact = None
    if phone and claims.blocking_draft(sin, clock.now()) is not None:
        contact = _RegisterContact(_COUNTED_AS + sin, phone)
    challenge_id = otp.create(PURPOSE, _COUNTED_AS + sin)
    sent = otp.send(otp.load(challenge_id, PURPOSE), contact)  # type: ignore[arg-type]  # nobody: sends nothing
    return {"challenge_id": challenge_id, "expires_in": sent["expires_in"], "resend_after": sent["resend_after"]}


def verify(challenge_id: str, body: dict[str, Any]) -> dict[str, Any]:
    challenge = otp.load(challenge_id, PURPOSE)
    otp.verify(challenge, body.get("otp"))
    sin = challenge.username.removeprefix(_COUNTED_AS)
    with otp.given_back_on_failure(challenge):
        released = claims.release_draft_hold(sin, clock.now())
    logger.info("number taken back from a draft", extra={"released": released})
    return {"social_insurance_number": sin, "released": released}
