"""A throwaway PostgreSQL server in a temporary folder, for the tests and the measurements.

It runs Debian's PostgreSQL binaries (``make test`` installs the ``postgresql`` package when they
are missing): ``initdb`` a cluster in a new folder, ``pg_ctl start`` it listening on a unix socket
in that folder only (no TCP port to collide with), one new database per test. PostgreSQL refuses
to run as root: as root, the server runs as the ``postgres`` user the package creates.

    python -m tests.pg_server DIR    # starts one and prints its ARKHIV_DATABASE_URL
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

USER = "arkhiv"


def binaries() -> Path | None:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    found = shutil.which("pg_config")
    if found:
        result = subprocess.run([found, "--bindir"], capture_output=True, text=True)
        folder = Path(result.stdout.strip())
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


class PgServer:
    """A PostgreSQL cluster in ``folder`` (created), started by :meth:`start`."""

    def __init__(self, folder: Path | None = None, durable: bool = False):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError(
                "PostgreSQL's binaries are not installed (initdb, pg_ctl): `make test` installs "
                "Debian's postgresql package, or run apt-get install postgresql"
            )
        self.folder = Path(folder or tempfile.mkdtemp(prefix="arkhiv-pg-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.data = self.folder / "data"
        self.durable = durable
        self._numbers = itertools.count(1)
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("running as root, and there is no postgres user") from exc
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            os.chmod(self.folder, 0o755)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self._as, *command], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}")

    def start(self) -> PgServer:
        if not self.data.exists():
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
        options = [f"-k {self.folder}", "-c listen_addresses=''", "-c max_connections=300"]
        if not self.durable:  # tests: nothing here has to survive a power cut
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            " ".join(options),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def stop(self, remove: bool = True) -> None:
        with contextlib.suppress(RuntimeError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@/{database}?host={self.folder}"

    def new_database(self, prefix: str = "arkhiv") -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def new_schema(self, prefix: str = "t") -> str:
        """A new, empty schema of the one database, named first on the URL's search path: a
        fresh store as cheap as a new folder (a new database copies a template)."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url()}&options=-csearch_path%3D{name}"


if __name__ == "__main__":
    server = PgServer(Path(sys.argv[1]) if len(sys.argv) > 1 else None, durable=True).start()
    print(server.new_database())
