"""A throwaway PostgreSQL server for the tests and ``make bench`` (never for real grades).

Debian's ``postgresql`` package (``make postgres`` installs it) provides the server binaries in
``/usr/lib/postgresql/<version>/bin``. :class:`ThrowawayPostgres` makes a cluster in a temporary
directory (``initdb -A trust``), starts it on a Unix socket in that directory only (no TCP:
``listen_addresses=''``), and removes everything on exit. PostgreSQL refuses to run as root, so
as root the cluster belongs to the unprivileged ``postgres`` user the package creates::

    with ThrowawayPostgres() as server:
        url = server.create_database("gradebook")   # postgresql+psycopg2://postgres@/gradebook?host=...
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ThrowawayPostgres", "PostgresUnavailable", "server_binaries"]

PORT = 5432   # only names the socket file: the directory is private to this server


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing (``make postgres`` installs them)."""


def server_binaries() -> Path | None:
    """``/usr/lib/postgresql/<newest version>/bin`` when it has initdb, else None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else None


class ThrowawayPostgres:
    def __init__(self, prefix: str = "nnf-pg-"):
        self.bin = server_binaries()
        if self.bin is None:
            raise PostgresUnavailable("PostgreSQL's server binaries (initdb, pg_ctl) are not installed: "
                                      "`make postgres` installs Debian's postgresql package")
        self.prefix = prefix
        self.dir: Path | None = None
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *argv: str) -> subprocess.CompletedProcess:
        command = list(argv)
        if os.geteuid() == 0:   # the server must not run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed: {(done.stderr or done.stdout)[-500:]}")
        return done

    def __enter__(self) -> "ThrowawayPostgres":
        self.dir = Path(tempfile.mkdtemp(prefix=self.prefix))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        try:
            self._run(str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", self.user,
                      "--no-sync", "-E", "UTF8")
            options = f"-k {self.dir} -p {PORT} -c listen_addresses='' -c max_connections=200"
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-o", options,
                      "-l", str(self.dir / "server.log"), "-w", "start")
        except BaseException:
            self._cleanup()
            raise
        return self

    def create_database(self, name: str) -> str:
        """Create database ``name``; its SQLAlchemy URL (psycopg2 over the Unix socket)."""
        self._run(str(self.bin / "createdb"), "-h", str(self.dir), "-p", str(PORT), "-U", self.user, name)
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg2://{self.user}@/{name}?host={self.dir}&port={PORT}"

    def __exit__(self, *exc) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        if self.dir is None:
            return
        if (self.dir / "data" / "postmaster.pid").exists():
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
