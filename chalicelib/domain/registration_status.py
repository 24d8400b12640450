"""The life of a registration: DRAFT → AWAITING_VERIFICATION → APPROVED | REJECTED | EXPIRED."""

from __future__ import annotations

from enum import StrEnum


class RegistrationStatus(StrEnum):
    DRAFT = "DRAFT"  # nháp: being filled in, images uploading
    AWAITING_VERIFICATION = "AWAITING_VERIFICATION"  # chờ đối chiếu giấy tờ gốc tại cơ quan BHXH
    APPROVED = "APPROVED"  # đã duyệt: the account exists
    REJECTED = "REJECTED"  # từ chối: may be corrected and submitted again
    EXPIRED = "EXPIRED"  # quá hạn 10 ngày: may be corrected and submitted again


EDITABLE = frozenset({RegistrationStatus.DRAFT, RegistrationStatus.REJECTED, RegistrationStatus.EXPIRED})
SUBMITTABLE = EDITABLE
DECIDED = frozenset({RegistrationStatus.APPROVED, RegistrationStatus.REJECTED})

# Every legal move; anything else is refused before it reaches the database, and the database's
# conditional writes refuse it again if two requests race.
TRANSITIONS: dict[RegistrationStatus, frozenset[RegistrationStatus]] = {
    RegistrationStatus.DRAFT: frozenset({RegistrationStatus.AWAITING_VERIFICATION}),
    RegistrationStatus.AWAITING_VERIFICATION: frozenset(
        {RegistrationStatus.APPROVED, RegistrationStatus.REJECTED, RegistrationStatus.EXPIRED}
    ),
    RegistrationStatus.REJECTED: frozenset({RegistrationStatus.AWAITING_VERIFICATION}),
    RegistrationStatus.EXPIRED: frozenset({RegistrationStatus.AWAITING_VERIFICATION}),
    RegistrationStatus.APPROVED: frozenset(),
}


def can_move(source: RegistrationStatus, target: RegistrationStatus) -> bool:
    return target in TRANSITIONS[source]


def holds_claim(status: RegistrationStatus) -> bool:
    """Whether a registration in this status blocks another one for the same social-insurance number.

    A rejected or expired registration no longer blocks: the person may correct it or start afresh,
    and whichever is submitted first takes the number again. An abandoned draft stops blocking when
    its draft lifetime ends (checked by the caller, which knows the clock).
    """
    return status in (RegistrationStatus.DRAFT, RegistrationStatus.AWAITING_VERIFICATION, RegistrationStatus.APPROVED)
