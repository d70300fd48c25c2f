"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """../shared/data beside the clone (CI has it; a user's clone does not). ELA_SHARED_DATA overrides."""
    override = os.environ.get("ELA_SHARED_DATA")
    return Path(override) if override else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"needs the shared data set at {path} (not part of a user's clone)")
    return path


POSTGRES_URL_VAR = "ELA_TEST_POSTGRES_URL"


@lru_cache(maxsize=1)
def postgres_url() -> str | None:
    """The test server's URL; None when none is configured.

    Under pytest-xdist (`-n 2`) each worker has a database of its own on that server, created on first
    use ("ela_test_gw0", ...): every store test drops and recreates its schema, and two workers on one
    database would drop each other's tables mid-test.
    """
    url = os.environ.get(POSTGRES_URL_VAR)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.exc import DBAPIError

    base = make_url(url)
    own = base.set(database=f"{base.database or base.username or 'postgres'}_{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database}
            ).first()
            if exists is None:
                conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    except DBAPIError as exc:
        pytest.fail(
            f"{POSTGRES_URL_VAR}: cannot create the database {own.database!r} for this test process "
            f"({exc.orig}); give the role CREATEDB, or run the tests in one process (without -n)",
            pytrace=False,
        )
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def _fresh_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, and a PostgreSQL database when one is configured."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ela.db'}"
    url = postgres_url()
    if not url:
        pytest.skip(f"needs a PostgreSQL server: set {POSTGRES_URL_VAR} (.ci/run starts one)")
    _fresh_postgres(url)
    return url


@pytest.fixture
def store(store_url: str):  # type: ignore[no-untyped-def]
    from connector.store import Store

    db = Store(store_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def postgres_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh PostgreSQL store, for what only a server with row locks can show (deadlocks, SKIP LOCKED)."""
    from connector.store import Store

    url = postgres_url()
    if not url:
        pytest.skip(f"needs a PostgreSQL server: set {POSTGRES_URL_VAR} (.ci/run starts one)")
    _fresh_postgres(url)
    db = Store(url)
    db.upgrade()
    yield db
    db.dispose()
