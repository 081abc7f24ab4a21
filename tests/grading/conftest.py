"""Fixtures shared by the grading tests: one throwaway PostgreSQL server per test session."""

from __future__ import annotations

import pytest

from instructor.throwaway_postgres import PostgresUnavailable, ThrowawayPostgres


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (Debian's binaries, `make postgres`) on a private Unix socket."""
    try:
        server = ThrowawayPostgres()
    except PostgresUnavailable as err:
        pytest.fail(str(err))
    with server:
        yield server
