"""One live registration per social-insurance number, and none once an account exists.

The number is claimed by a registration inside the same DynamoDB transaction that creates or submits
it. A claim held by a registration that no longer blocks (rejected, expired, or a draft left untouched
past its lifetime) can be taken over; the transaction re-checks that holder's status, so two
requests racing for one number cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.transactions import TransactWrite

from chalicelib.domain.registration_status import RegistrationStatus, holds_claim
from chalicelib.errors import AccountExistsError, RegistrationExistsError
from chalicelib.models.account import Account
from chalicelib.models.registration import Registration, RegistrationClaim
from chalicelib.services.timestamps import stored


def ensure_no_account(sin: str) -> None:
    try:
        Account.get(sin, attributes_to_get=["username"])
    except Account.DoesNotExist:
        return
    raise AccountExistsError()


def add_claim(tx: TransactWrite, sin: str, registration_id: str, now: datetime) -> None:
    """Add to `tx` what makes `registration_id` the holder of `sin`; raise if another holds it."""
    tx.condition_check(Account, sin, condition=Account.username.does_not_exist())
    try:
        claim = RegistrationClaim.get(sin, consistent_read=True)
    except RegistrationClaim.DoesNotExist:
        tx.save(
            RegistrationClaim(sin, registration_id=registration_id, claimed_at=stored(now)),
            condition=RegistrationClaim.social_insurance_number.does_not_exist(),
        )
        return
    if claim.registration_id == registration_id:
        tx.condition_check(RegistrationClaim, sin, condition=RegistrationClaim.registration_id == registration_id)
        return
    holder_id = claim.registration_id
    try:
        holder = Registration.get(holder_id, consistent_read=True)
    except Registration.DoesNotExist:
        holder = None
    now_epoch = int(now.timestamp())
    if holder is not None:
        status = RegistrationStatus(holder.status)
        stale_draft = status == RegistrationStatus.DRAFT and holder.draft_expires_epoch < now_epoch
        if holds_claim(status) and not stale_draft:
            if status == RegistrationStatus.APPROVED:
                raise AccountExistsError()
            raise RegistrationExistsError()
        tx.condition_check(
            Registration,
            holder_id,
            condition=Registration.status.is_in(RegistrationStatus.REJECTED.value, RegistrationStatus.EXPIRED.value)
            | (
                (Registration.status == RegistrationStatus.DRAFT.value)
                & (Registration.draft_expires_epoch < now_epoch)
            ),
        )
    tx.update(
        claim,
        actions=[RegistrationClaim.registration_id.set(registration_id), RegistrationClaim.claimed_at.set(stored(now))],
        condition=RegistrationClaim.registration_id == holder_id,
    )


def release_claim(tx: TransactWrite, sin: str, registration_id: str) -> None:
    """Let go of `sin` if `registration_id` holds it (the citizen corrected a mistyped number)."""
    try:
        claim = RegistrationClaim.get(sin, consistent_read=True)
    except RegistrationClaim.DoesNotExist:
        return
    if claim.registration_id == registration_id:
        tx.delete(claim, condition=RegistrationClaim.registration_id == registration_id)


def conflict_from_cancellation(sin: str) -> Exception:
    """After a cancelled transaction: the error that tells the client what is in the way."""
    try:
        Account.get(sin, attributes_to_get=["username"], consistent_read=True)
        return AccountExistsError()
    except Account.DoesNotExist:
        return RegistrationExistsError()
