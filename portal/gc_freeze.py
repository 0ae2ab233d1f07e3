"""Keeping a web worker's long-lived objects out of Python's full garbage collections.

A worker holds a quarter of a million objects that live as long as it does: Django, the apps, the URL
resolvers, compiled templates, translation catalogues, the passport catalogue. Every full (oldest
generation) collection walks all of them again, 100-300 ms on this project's 2-core machines, and the
request that happens to trigger it waits that long: the tail of every latency figure
(benchmarks/README.md, session 15). `gc.freeze()` moves every object tracked so far into a permanent
generation that collections skip; it costs nothing (the generation lists are linked, not walked).

Objects are frozen while the worker warms up, after its 1st, 10th, 100th and 1,000th request: most of
what lives long is built lazily by the first requests of each kind (a template on first use, a language's
catalogue on its first visitor). A young collection runs before each freeze so that the finished request's
own garbage is not frozen with them. What is frozen is never collected: a cycle that becomes garbage later
stays until the worker restarts, which gunicorn does every thousand requests or so (`max_requests` in
deploy/gunicorn.conf.py).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from typing import Any

#: After these requests of a worker, everything it tracks is frozen.
FREEZE_AFTER = frozenset({1, 10, 100, 1_000})


class FreezeWarmObjects:
    """A WSGI application that freezes the worker's objects after its first requests (`FREEZE_AFTER`)."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application
        self.served = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return self.application(environ, start_response)
        finally:
            self.served += 1
            if self.served in FREEZE_AFTER:
                freeze()


def freeze() -> None:
    """Collect the two young generations (the garbage of the requests just served), then freeze the rest."""
    gc.collect(1)
    gc.freeze()
