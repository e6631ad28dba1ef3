"""Two people acting at the same moment, for the race tests (tests/test_*_races.py).

Each action runs in its own thread, and so on its own database connection; a barrier starts them
together. Only PostgreSQL runs them truly at once (SQLite locks the whole file), so those tests
are marked `needs_postgresql` and, being transactional, write the reference data back themselves.
"""

import contextvars
import threading

import pytest
from django.db import connection, connections

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL (SQLite serialises every write); CI runs these with DATABASE_URL=postgres://…",
)


@pytest.fixture
def reference_data(transactional_db, reference_tables):
    """A transactional test may start from an emptied database: the reference data again, written
    back from the copy the browser tests keep (much faster than loading the fixtures)."""
    reference_tables.restore()


def at_once(*actions, timeout=60):
    """Run every action in its own thread, all released together. Returns one (result, exception)
    pair per action, in order; each thread closes its database connection when done."""
    barrier = threading.Barrier(len(actions))
    outcomes = [(None, None)] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout)
            outcomes[index] = (action(), None)
        except Exception as exc:  # noqa: BLE001  (reported to the test, which names what it expects)
            outcomes[index] = (None, exc)
        finally:
            connections.close_all()

    # Each thread runs in a copy of the test's context: its region scope (every region, as the
    # test's own code) goes with it; what a request sets for itself still replaces it.
    threads = [
        threading.Thread(target=contextvars.copy_context().run, args=(run, i, action))
        for i, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "an action did not finish (a deadlock?)"
    return outcomes


def rendezvous(parties, timeout=3):
    """A meeting point inside a transaction: on code without a lock both threads reach it (and then
    act on what they read before it); with the lock the second waits for the first to commit,
    so the first gives up waiting after `timeout` seconds and goes on alone."""
    barrier = threading.Barrier(parties)

    def meet():
        try:
            barrier.wait(timeout)
        except threading.BrokenBarrierError:
            pass

    return meet
