"""One writer at a time: an exclusive lock on the pipeline's working directory.

The Dagster run queue (dagster.yaml) already serializes runs that the daemon launches;
this lock also covers runs started from the command line, and a second run waits for
the first one, saying so in its log, instead of failing on DuckDB's own file lock.
"""

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


@contextmanager
def exclusive_lock(path: Path, owner: str, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold an exclusive lock on `path`; call `on_wait` with the holder's description first
    when another process holds it, then wait. The operating system releases the lock when
    the holding process dies, so a killed refresh never leaves the warehouse locked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            on_wait(handle.read().strip() or "another process")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"{owner} (pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC)"
        )
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
