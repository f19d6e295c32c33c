"""The write transaction: many threads at once, each write durable and atomic on its own."""

import sqlite3
import threading

import pytest

from kiosk.storage import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "t.db")
    with store.write() as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT UNIQUE)")
    return store


def other_connection_count(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]


def test_concurrent_writes_are_all_committed_and_failures_roll_back_alone(store):
    barrier = threading.Barrier(16)
    seen_after_return = []

    def writer(n):
        barrier.wait()
        for i in range(25):
            try:
                with store.write() as conn:
                    conn.execute("INSERT INTO t (who) VALUES (?)", (f"{n}-{i}",))
                    if i % 5 == 4:
                        conn.execute("INSERT INTO t (who) VALUES (?)", (f"{n}-{i}",))  # conflict
            except sqlite3.IntegrityError:
                continue
            # Back from write(): the row must already be durable, seen by any connection.
            with sqlite3.connect(store.path) as other:
                found = other.execute("SELECT 1 FROM t WHERE who = ?", (f"{n}-{i}",)).fetchone()
            seen_after_return.append(found is not None)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other_connection_count(store.path) == 16 * 20
    assert len(seen_after_return) == 16 * 20 and all(seen_after_return)


def test_an_error_inside_a_write_leaves_nothing_behind(store):
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute("INSERT INTO t (who) VALUES ('half')")
        raise RuntimeError("boom")
    with store.write() as conn:
        conn.execute("INSERT INTO t (who) VALUES ('whole')")
    with sqlite3.connect(store.path) as conn:
        assert [r[0] for r in conn.execute("SELECT who FROM t")] == ["whole"]


def test_a_nested_write_joins_the_enclosing_one(store):
    with pytest.raises(RuntimeError), store.write() as outer:
        outer.execute("INSERT INTO t (who) VALUES ('outer')")
        with store.write() as inner:
            inner.execute("INSERT INTO t (who) VALUES ('inner')")
        raise RuntimeError("boom")
    assert other_connection_count(store.path) == 0
