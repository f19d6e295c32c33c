"""Budgets per client address for failures: wrong console sign-ins and unknown device tokens.

An address that spends its budget within the window is answered 429 with the seconds to wait
until its oldest failure leaves the (moving) window. Only failures are counted, and a request
that succeeds is never refused: a kiosk with a good token behind the same booth NAT as a
misconfigured one is not slowed, and a correct sign-in works again once the window has moved on.

The counts are kept by the `limits` library in the storage that `throttle.storage` names. The
default, `memory://`, is this process's memory, and that is enough because `kiosk serve` runs
one worker process (Socket.IO without a message queue needs exactly one; kiosk.server) and its
HTTPS front door runs inside that process: every request of the show is counted in one place.
Several server nodes behind a load balancer share a storage instead: with a message queue
(`KIOSK_MESSAGE_QUEUE=redis://...`) and no storage named, the counts go to that Redis, so that an
address locked out on one node is locked out on all.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItemPerSecond
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from kiosk.config import ConfigError, ThrottleSettings

log = logging.getLogger(__name__)

SIGN_IN = "sign_in"
TOKEN = "token"


class Throttle:
    """Failures per kind and client address, each kind with its budget per window."""

    def __init__(self, settings: ThrottleSettings, message_queue: str = ""):
        uri = settings.storage
        if message_queue and uri == "memory://":
            uri = message_queue
        where = "throttle.storage" if uri == settings.storage else "live.message_queue"
        try:
            storage = storage_from_string(uri)
        except (ConfigurationError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        if uri != "memory://" and not storage.check():
            raise ConfigError(f"{where}: {uri} does not answer; start it first")
        self.limiter = MovingWindowRateLimiter(storage)
        self._complained = -1e9
        window = settings.window_seconds
        self.budgets = {
            SIGN_IN: RateLimitItemPerSecond(settings.sign_in_failures, window),
            TOKEN: RateLimitItemPerSecond(settings.token_failures, window),
        }

    def wait(self, kind: str, address: str) -> int:
        """Seconds this address must wait before trying again; 0 while within its budget."""
        budget = self.budgets[kind]
        try:
            if self.limiter.test(budget, kind, address):
                return 0
            reset = self.limiter.get_window_stats(budget, kind, address).reset_time
        except Exception as exc:  # a shared storage gone: nobody is refused meanwhile
            self._unavailable(exc)
            return 0
        return max(1, math.ceil(reset - time.time()))

    def failed(self, kind: str, address: str) -> int:
        """Count one failure of this address; the seconds to wait if that spent its budget."""
        try:
            self.limiter.hit(self.budgets[kind], kind, address)
        except Exception as exc:
            self._unavailable(exc)
            return 0
        return self.wait(kind, address)

    def _unavailable(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._complained >= 60:
            self._complained = now
            log.warning("throttle: its storage does not answer (%s); not counting", exc)
