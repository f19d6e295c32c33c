"""trytond's WSGI application as the Tryton sync benchmark serves it: under gunicorn, N processes.

    TRYTOND_CONFIG=trytond.conf TRYTOND_DATABASE_NAMES=show \
        gunicorn -w 2 -b 127.0.0.1:8000 benchmarks.trytond_wsgi:app

This machine has no DNS, and Tryton checks an e-mail's domain in DNS before it accepts the
address: like the test suite's trytond, this one runs with Tryton's test switch, which turns that
lookup off (and nothing else a party create does).

With TRYTOND_PROFILE=DIR each worker process profiles itself (cProfile) and writes
DIR/trytond-<pid>.prof when it stops (`python -m pstats` reads it).
"""

import atexit
import cProfile
import os

from trytond.pool import Pool

Pool.test = True

from trytond.application import app  # noqa: E402

__all__ = ["app"]

if os.environ.get("TRYTOND_PROFILE"):
    _profile = cProfile.Profile()
    _profile.enable()

    @atexit.register
    def _dump() -> None:
        _profile.disable()
        _profile.dump_stats(
            os.path.join(os.environ["TRYTOND_PROFILE"], f"trytond-{os.getpid()}.prof")
        )
