"""Which well-formed frames the receiver takes in, account by account, before anything is stored.

The protocol core calls :meth:`Admission.__call__` (as ``Policy.admit``) for every message it
has parsed; a refusal becomes the NAK or DUH the panel gets. It runs in the event loop, so it
does no I/O: the panel keys, each account's settings and the known panels are loaded with the
keys (``receiver``, every 30 s). What is refused, and why (docs/intake.md says the same):

- a frame the store failed to take ``POISON_AFTER`` times, alone in its transaction: DUH, so
  that its panel stops sending it (it would never be stored) and nothing else waits on it;
- more than ``BURST`` frames at once, or ``RATE`` a second sustained, from one account: NAK (the
  panel sends again later, so nothing is lost), and a known account is flagged;
- a clear frame from an account that requires encryption (by default every account with a
  key): DUH, as a downgrade;
- a clear frame from an account whose clear timestamps are checked: NAK outside the DC-09
  window (-40 s / +20 s), DUH without a timestamp;
- an account no site has, beyond ``UNKNOWN_PER_ACCOUNT`` frames an hour (or all unknown
  accounts together beyond ``UNKNOWN_TOTAL``): DUH; within the quota its frames are stored,
  flagged, for someone to look at, but never count as a panel's sign of life.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from alarmvern.intake.signals import frame_key
from alarmvern.sia.protocol import Answer, Message
from alarmvern.sia.protocol.timestamps import in_window
from alarmvern.store.tables import panel_settings, sites

log = logging.getLogger(__name__)

RATE = 50.0  # frames a second, sustained, per account (a flood was 5,300)
BURST = 500.0  # frames at once: an alarm on many zones, or a buffer sent after a line cut
UNKNOWN_PER_ACCOUNT = 20  # frames an hour stored from an account no site has
UNKNOWN_TOTAL = 500  # frames an hour from all unknown accounts together
POISON_AFTER = 3  # failures alone in a transaction before a frame is refused
REMEMBERED = 10_000  # accounts' buckets and failed frames kept at most (memory is bounded)
HOUR = 3600.0

Refusal = tuple[Answer, str]


@dataclass(frozen=True)
class Rules:
    """One account's settings; ``encryption_required`` None means: required if it has a key."""

    encryption_required: bool | None = None
    clear_timestamps_checked: bool = False

    def requires_encryption(self, keyed: bool) -> bool:
        return keyed if self.encryption_required is None else self.encryption_required


NO_RULES = Rules()  # an account without settings of its own (one object, not one per frame)


@dataclass
class Admission:
    """The receiver's per-account gate; ``keys`` is the receiver's own key dict."""

    keys: Mapping[str, bytes]
    clock: Callable[[], float] = time.monotonic
    rules: dict[str, Rules] = field(default_factory=dict)
    known: frozenset[str] | None = None  # None until loaded: no account counts as unknown
    limited: dict[str, datetime] = field(default_factory=dict)  # flags for the sink to write
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _unknown: dict[str, int] = field(default_factory=dict)
    _hour: float = 0.0
    _failures: OrderedDict[str, int] = field(default_factory=OrderedDict)
    _warned: dict[str, float] = field(default_factory=dict)

    def load(self, conn: Connection) -> None:
        """Read the accounts' settings and the known panels (call it off the event loop)."""
        self.rules = {
            str(r.panel_account).upper(): Rules(r.encryption_required, r.clear_timestamps_checked)
            for r in conn.execute(select(panel_settings))
        }
        accounts = select(sites.c.panel_account).where(sites.c.panel_account.is_not(None))
        self.known = frozenset(str(a).upper() for a in conn.execute(accounts).scalars())

    def keyed(self, account: str) -> bool:
        return account in self.keys or account.upper() in self.keys

    def is_known(self, account: str) -> bool:
        return self.known is None or account in self.known

    def __call__(self, message: Message, now: datetime) -> Refusal | None:
        """None to take ``message`` in, or the answer and the reason to refuse it."""
        account = message.account
        if self._failures and self._failures.get(frame_key(message, 0), 0) >= POISON_AFTER:
            return Answer.DUH, "the store cannot hold this frame"
        # The quota first: it bounds how many unknown accounts get a rate bucket.
        if not self.is_known(account) and not self._within_quota(account):
            return Answer.DUH, "unknown account over its quota"
        if not self._take_token(account, now):
            return Answer.NAK, "account over its rate limit"
        rules = self.rules.get(account, NO_RULES)
        if not message.encrypted:
            if rules.requires_encryption(self.keyed(account)):
                return Answer.DUH, "clear frame from an account that requires encryption"
            if rules.clear_timestamps_checked:
                if message.timestamp is None:
                    return Answer.DUH, "clear frame without the timestamp its account must send"
                if not in_window(message.timestamp, now):
                    return Answer.NAK, "timestamp outside window"
        return None

    def failed(self, message: Message) -> None:
        """``message`` could not be stored even alone in its transaction."""
        key = frame_key(message, 0)
        self._failures[key] = self._failures.pop(key, 0) + 1
        while len(self._failures) > REMEMBERED:
            self._failures.popitem(last=False)

    def take_limited(self) -> dict[str, datetime]:
        """The known accounts refused for their rate since the last call, with the time."""
        taken, self.limited = self.limited, {}
        return taken

    def _take_token(self, account: str, now: datetime) -> bool:
        moment = self.clock()
        tokens, since = self._buckets.get(account, (BURST, moment))
        tokens = min(BURST, tokens + (moment - since) * RATE)
        if tokens < 1.0:
            if moment - self._warned.get(account, -HOUR) > 60.0:  # one line a minute at most
                log.warning("intake: account %s over its rate limit; NAK until it slows", account)
                self._warned[account] = moment
            if self.is_known(account):
                self.limited[account] = now
            self._buckets[account] = (tokens, moment)
            return False
        self._buckets[account] = (tokens - 1.0, moment)
        if len(self._buckets) > REMEMBERED:
            self._forget_full(moment)
        return True

    def _forget_full(self, moment: float) -> None:
        # A bucket refilled to the brim says nothing a fresh one would not.
        idle = BURST / RATE
        self._buckets = {a: b for a, b in self._buckets.items() if moment - b[1] < idle}
        self._warned = {a: at for a, at in self._warned.items() if a in self._buckets}

    def _within_quota(self, account: str) -> bool:
        moment = self.clock()
        if moment - self._hour >= HOUR:
            self._hour, self._unknown = moment, {}
        count = self._unknown.get(account, 0)
        total = sum(self._unknown.values())
        if count >= UNKNOWN_PER_ACCOUNT or total >= UNKNOWN_TOTAL:
            return False
        self._unknown[account] = count + 1
        return True
