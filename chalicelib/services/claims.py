"""One live registration per social-insurance number, and none once an account exists.

The number is claimed by a registration inside the same DynamoDB transaction that creates or submits
it. A claim held by a registration that no longer blocks (rejected, expired, or a draft not created or
corrected for `draft_hold_seconds`, a few hours) can be taken over; the transaction re-checks that
holder's status, so two requests racing for one number cannot both win. The person the register names
can also end a draft's hold at once by proving the register's phone (`release_draft_hold`, see
`services.takeover`).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.registration_status import RegistrationStatus, holds_claim
from chalicelib.errors import AccountExistsError, RegistrationExistsError
from chalicelib.models.account import Account
from chalicelib.models.base import condition_failed, transaction
from chalicelib.models.registration import Registration, RegistrationClaim
from chalicelib.services.timestamps import stored


def ensure_no_account(sin: str) -> None:
    try:
        Account.get(sin, attributes_to_get=["username"])
    except Account.DoesNotExist:
        return
    raise AccountExistsError()


def _claim_and_holder(sin: str, registration_id: str,
                      now: datetime) -> tuple[RegistrationClaim | None, Registration | None]:
    """The claim on `sin` and, when another registration holds it, that registration; raise if it still
    blocks `registration_id`."""
    try:
        claim = RegistrationClaim.get(sin, consistent_read=True)
    except RegistrationClaim.DoesNotExist:
        return None, None
    if claim.registration_id == registration_id:
        return claim, None
    try:
        holder = Registration.get(claim.registration_id, consistent_read=True)
    except Registration.DoesNotExist:
        return claim, None
    status = RegistrationStatus(holder.status)
    stale_draft = status == RegistrationStatus.DRAFT and holder.draft_expires_epoch < int(now.timestamp())
    if holds_claim(status) and not stale_draft:
        if status == RegistrationStatus.APPROVED:
            raise AccountExistsError()
        raise RegistrationExistsError()
    return claim, holder


def check_claimable(sin: str, registration_id: str, now: datetime) -> None:
    """Raise what claiming `sin` for `registration_id` now would raise (ACCOUNT_EXISTS or
    REGISTRATION_EXISTS), without writing anything."""
    ensure_no_account(sin)
    _claim_and_holder(sin, registration_id, now)


def add_claim(tx: TransactWrite, sin: str, registration_id: str, now: datetime) -> None:
    """Add to `tx` what makes `registration_id` the holder of `sin`; raise if another holds it."""
    tx.condition_check(Account, sin, condition=Account.username.does_not_exist())
    claim, holder = _claim_and_holder(sin, registration_id, now)
    if claim is None:
        tx.save(
            RegistrationClaim(sin, registration_id=registration_id, claimed_at=stored(now)),
            condition=RegistrationClaim.social_insurance_number.does_not_exist(),
        )
        return
    if claim.registration_id == registration_id:
        tx.condition_check(RegistrationClaim, sin, condition=RegistrationClaim.registration_id == registration_id)
        return
    holder_id = claim.registration_id
    now_epoch = int(now.timestamp())
    if holder is not None:
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


def blocking_draft(sin: str, now: datetime) -> Registration | None:
    """The DRAFT that holds `sin` right now (its hold not lapsed), or None: nothing holds the number, or a
    registration past the draft stage does."""
    try:
        claim = RegistrationClaim.get(sin, consistent_read=True)
        holder = Registration.get(claim.registration_id, consistent_read=True)
    except (RegistrationClaim.DoesNotExist, Registration.DoesNotExist):
        return None
    if holder.status != RegistrationStatus.DRAFT.value or holder.draft_expires_epoch < int(now.timestamp()):
        return None
    return holder


def release_draft_hold(sin: str, now: datetime) -> bool:
    """End the hold of the draft holding `sin`: the claim goes and the draft's hold lapses (the draft
    stays; submitting it later takes the number only if it is free then). True if a draft was released."""
    holder = blocking_draft(sin, now)
    if holder is None:
        return False
    try:
        with transaction() as tx:
            tx.update(holder, actions=[Registration.draft_expires_epoch.set(0)],
                      condition=Registration.status == RegistrationStatus.DRAFT.value, add_version_condition=False)
            tx.delete(RegistrationClaim(sin, registration_id=holder.registration_id, claimed_at=""),
                      condition=RegistrationClaim.registration_id == holder.registration_id)
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        return False  # submitted or corrected to another number a moment ago: no draft holds it now
    return True
