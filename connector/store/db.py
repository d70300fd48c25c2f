"""Engine and sessions for SQLite (one process) or PostgreSQL (several processes and machines)."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite opens transactions lazily and only for DML, which lets two writers both read and then
    # fail to upgrade their locks. Autocommit at the driver level plus our own BEGIN IMMEDIATE (below)
    # makes every transaction take the write lock up front and wait for it (busy_timeout).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a transaction reported committed survives a power loss too (an acknowledged webhook is
    # never lost); NORMAL would only survive a crash of the process.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class _WriterQueue:
    """Serialises SQLite writers, across threads and processes, on an OS file lock.

    SQLite admits one writer at a time and makes the others poll: its busy handler sleeps 1, 2, 5,
    10 ... up to 100 ms between tries, so two web processes taking turns spend most of their time
    asleep. Waiting on flock() instead wakes the next writer the moment the lock is released.
    """

    def __init__(self, database: Path) -> None:
        self._path = database.with_name(database.name + ".lock")
        self._threads = threading.RLock()
        self._file = self._path.open("a+b")

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)

    def close(self) -> None:
        self._file.close()


class Store:
    """Owns the engine; hands out sessions whose transaction commits on success, rolls back on error."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # hide_parameters: an error's message carries no statement parameters (customers' words).
        kwargs: dict[str, Any] = {"echo": echo, "future": True, "hide_parameters": True}
        self._writers: _WriterQueue | None = None
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:":
                path = Path(database).expanduser().resolve()
                path.parent.mkdir(parents=True, exist_ok=True)
                self._writers = _WriterQueue(path)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises. Do not nest."""
        with (
            self._writers.held() if self._writers else nullcontext(),
            self._sessions() as session,
            session.begin(),
        ):
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["engine"] = self.engine
        return config

    def upgrade(self, revision: str = "head") -> None:
        command.upgrade(self.alembic_config(), revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._writers is not None:
            self._writers.close()
