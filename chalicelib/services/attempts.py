"""The guessing budget of a secret: attempts are counted atomically BEFORE the guess is compared.

A budget is one counter item (models.sign_in.AttemptCounter, in the counters table with its TTL), keyed
by what is guessed at — "login:<number>", "staff:<username>" — whether or not that account exists, so
an unknown name is counted and refused exactly like a real one.

`take` adds one with a single conditional UpdateItem: the item is new, or its count is below the limit
and its window has not ended. Only a request whose take succeeded may compare the secret, so forty
requests in the same millisecond get at most `limit` comparisons between them; the others are refused
with the time the budget opens again. A window that has ended starts again (conditionally on the old
window, so two requests cannot both restart it). `failed` records a wrong guess after it was judged and,
when that guess spent the budget, locks it for a whole window from that moment; a right guess `clear`s
the budget.
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib import clock
from chalicelib.models.base import condition_failed
from chalicelib.models.sign_in import AttemptCounter

# The TTL removes a budget this long after its window (or lock) has ended and nothing touched it.
_KEEP_SECONDS = 3600
_RACES = 3  # a take that loses this many races in a row (window restarts, clears) is refused


class BudgetSpentError(Exception):
    """No attempt left until `until_epoch`; `counter` is the budget as read (staff sign-in needs it)."""

    def __init__(self, until_epoch: int, counter: AttemptCounter) -> None:
        super().__init__("attempt budget spent")
        self.until_epoch = until_epoch
        self.counter = counter

    @property
    def retry_after(self) -> int:
        return max(int(self.until_epoch - clock.now().timestamp()), 1)


def _now() -> int:
    return int(clock.now().timestamp())


def take(key: str, limit: int, window_seconds: int) -> AttemptCounter:
    """Count one attempt before it is judged; returns the budget after it (`count` is this attempt's
    number, 1…limit). Raises BudgetSpentError when `limit` attempts are counted in an open window."""
    for _ in range(_RACES):
        now = _now()
        counter = AttemptCounter(key)
        try:
            counter.update(
                actions=[AttemptCounter.count.add(1),
                         AttemptCounter.window_end_epoch.set(AttemptCounter.window_end_epoch | now + window_seconds),
                         AttemptCounter.expires_at_epoch.set(now + window_seconds + _KEEP_SECONDS)],
                condition=AttemptCounter.counter_key.does_not_exist()
                | ((AttemptCounter.count < limit) & (AttemptCounter.window_end_epoch > now)),
            )
            return counter
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
        try:
            current = AttemptCounter.get(key, consistent_read=True)
        except AttemptCounter.DoesNotExist:
            continue  # cleared in between: take again
        if current.window_end_epoch > now:
            raise BudgetSpentError(current.window_end_epoch, current)
        # The window has ended: this attempt is the first of a new one, unless another request got there first.
        # (What the staff budget knows about a stolen password outlives the window: a success clears it.)
        same_window = (AttemptCounter.window_end_epoch == current.window_end_epoch if current.window_end_epoch
                       else AttemptCounter.window_end_epoch.does_not_exist() | (AttemptCounter.window_end_epoch == 0))
        try:
            current.update(
                actions=[AttemptCounter.count.set(1),
                         AttemptCounter.window_end_epoch.set(now + window_seconds),
                         AttemptCounter.expires_at_epoch.set(now + window_seconds + _KEEP_SECONDS)],
                condition=same_window,
            )
            return current
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
    raise BudgetSpentError(_now() + 1, AttemptCounter(key, count=limit))


def failed(key: str, window_seconds: int, *, lock_at: int | None = None,
           second_factor: bool | None = None) -> AttemptCounter:
    """Record a wrong attempt after it was judged, in one write; returns the budget after it.

    `lock_at`: this attempt spent the budget (its count reached this limit), so the budget stays spent
    for a whole window from now. `second_factor`: the write also counts (True) or does not count (False)
    a wrong second factor sent with the right password — the same write either way, so the time taken
    does not tell a right password from a wrong one.
    """
    now = _now()
    actions = [AttemptCounter.expires_at_epoch.set(now + window_seconds + _KEEP_SECONDS)]
    if lock_at is not None:
        actions += [AttemptCounter.count.set(lock_at), AttemptCounter.window_end_epoch.set(now + window_seconds)]
    if second_factor is not None:
        actions.append(AttemptCounter.second_factor_failures.add(1 if second_factor else 0))
        if second_factor:
            actions.append(AttemptCounter.second_factor_failed_epoch.set(now))
    counter = AttemptCounter(key)
    counter.update(actions=actions)
    return counter


def clear(key: str) -> None:
    """A right guess: the budget starts afresh."""
    try:
        AttemptCounter(key).delete()
    except DeleteError as exc:
        if not condition_failed(exc):
            raise
