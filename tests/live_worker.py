"""A real Celery worker, in a thread of the test process, consuming the Redis broker from settings."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from portal.celery import app as celery_app


@dataclass
class TaskRun:
    task_id: str
    name: str
    args: tuple
    retval: Any
    state: str
    thread: str


@dataclass
class LiveWorker:
    """What the embedded worker did, recorded from `task_postrun` (there is no result backend)."""

    runs: list[TaskRun] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def runs_of(self, task_id: str) -> list[TaskRun]:
        with self.lock:
            return [run for run in self.runs if run.task_id == task_id]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise AssertionError(f"condition not met within {timeout} s; worker ran {self.runs!r}")

    def wait_for_task(self, task_id: str, timeout: float = 20.0) -> TaskRun:
        return self.wait_for(lambda: next(iter(self.runs_of(task_id)), None), timeout=timeout)


@pytest.fixture
def live_celery_worker(transactional_db) -> Iterator[LiveWorker]:
    """Publish tasks to Redis and run them in a solo worker thread that consumes the default queue.

    The queue is purged first so messages left by an earlier (aborted) run cannot interfere; eager mode
    and the root logger are restored afterwards. Django keeps one database connection per thread, so the
    worker's connection is closed after each task (the test database can be flushed and dropped).
    """
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL must point at a Redis server for the Celery worker tests (make test sets it)")
    assert celery_app.conf.broker_url.startswith("redis://"), celery_app.conf.broker_url

    previous = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "worker_hijack_root_logger": celery_app.conf.worker_hijack_root_logger,
    }
    celery_app.conf.task_always_eager = False
    celery_app.conf.worker_hijack_root_logger = False  # keep pytest's log capture intact
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    celery_app.control.purge()

    recorder = LiveWorker()

    def record(sender=None, task_id=None, task=None, args=None, retval=None, state=None, **kwargs):
        with recorder.lock:
            recorder.runs.append(
                TaskRun(
                    task_id=task_id,
                    name=task.name,
                    args=tuple(args or ()),
                    retval=retval,
                    state=state,
                    thread=threading.current_thread().name,
                )
            )
        connections.close_all()  # this thread's connections only

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            loglevel="WARNING",
            perform_ping_check=False,
            queues=[queue],
            shutdown_timeout=30.0,
        ) as worker:
            consumed = {q.name for q in worker.consumer.task_consumer.queues}
            assert queue in consumed, consumed
            yield recorder
    finally:
        task_postrun.disconnect(record)
        celery_app.control.purge()
        for key, value in previous.items():
            setattr(celery_app.conf, key, value)
