"""Why the default SQLite database uses IMMEDIATE transactions with WAL.

Many officers saving answers at once means many short read-then-write transactions. With
SQLite's default DEFERRED mode a transaction starts as a reader; when it later tries to write
after another writer committed, SQLite returns "database is locked" at once (the busy timeout
cannot help: waiting would not make its snapshot current). IMMEDIATE takes the write lock at
BEGIN, so transactions queue on the busy timeout instead of failing.

Usage: python bench/sqlite_transaction_mode.py [--workers 32] [--transactions 50]
Prints, per mode, how many transactions failed and the elapsed time.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
from pathlib import Path


def run(mode: str, workers: int, transactions: int) -> tuple[int, int, float]:
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE answer (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)")
    setup.executemany("INSERT INTO answer (id, seq) VALUES (?, 0)", [(i,) for i in range(workers)])
    setup.commit()
    setup.close()

    failures = 0
    lock = threading.Lock()
    start_line = threading.Barrier(workers)

    def worker(row: int) -> None:
        nonlocal failures
        conn = sqlite3.connect(path, timeout=20, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA synchronous=NORMAL")
        start_line.wait()
        for _ in range(transactions):
            try:
                conn.execute(f"BEGIN {mode}")
                (seq,) = conn.execute("SELECT seq FROM answer WHERE id = ?", (row,)).fetchone()
                conn.execute("SELECT count(*) FROM answer").fetchone()  # a read touching every row
                conn.execute("UPDATE answer SET seq = ? WHERE id = ?", (seq + 1, row))
                conn.execute("COMMIT")
            except sqlite3.OperationalError:
                conn.execute("ROLLBACK")
                with lock:
                    failures += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures, workers * transactions, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--transactions", type=int, default=50)
    args = parser.parse_args()
    for mode in ("DEFERRED", "IMMEDIATE"):
        failed, total, elapsed = run(mode, args.workers, args.transactions)
        print(f"{mode:9s}  failed {failed:5d} of {total}  in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
