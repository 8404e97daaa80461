"""A throwaway PostgreSQL server for tests and for trying deploy/dagster-postgres.yaml.

It runs from a temporary folder on a free loopback port with password authentication, and is
deleted when it stops. PostgreSQL refuses to run as root, so under root the server runs as the
``postgres`` user that Debian's package creates (``nobody`` where there is none).

By hand: ``.venv/bin/python -m p3dn_pipeline_tests.pg_server`` prints the DAGSTER_PG_*
variables to export and keeps the server up until Ctrl-C.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = ("install PostgreSQL's server binaries (Debian/Ubuntu: `apt-get install -y "
                "postgresql`; `scripts/ensure-postgres.sh` does it, and make test runs it as root)")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be started; the message says why and what to do."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    db_name: str
    log_file: Path | None = None

    def connections_made(self) -> int:
        """How many connections to :attr:`db_name` the server has authorised so far (it logs
        each one: ``log_connections``), counted from its log."""
        if self.log_file is None:
            raise PostgresUnavailable("this server's log is not known")
        # The line ends at the database name, or goes on with " application_name=...".
        marker = re.compile(rf"connection authorized: user={re.escape(self.user)} "
                            rf"database={re.escape(self.db_name)}(\s|$)")
        with open(self.log_file, encoding="utf-8", errors="replace") as log:
            return sum(marker.search(line) is not None for line in log)

    @property
    def dagster_env(self) -> dict[str, str]:
        """The variables deploy/dagster-postgres.yaml reads."""
        return {"DAGSTER_PG_HOST": self.host, "DAGSTER_PG_PORT": str(self.port),
                "DAGSTER_PG_DB": self.db_name, "DAGSTER_PG_USERNAME": self.user,
                "DAGSTER_PG_PASSWORD": self.password}

    def connect(self):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=self.user,
                                password=self.password, dbname=self.db_name)


def postgres_bin_dir() -> Path:
    """Where initdb and pg_ctl are: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailable(f"PostgreSQL's initdb was not found; {INSTALL_HINT}")


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_user() -> str | None:
    """None: run as ourselves. Under root, an unprivileged user that PostgreSQL accepts."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and there is neither a 'postgres' nor a "
                              "'nobody' user to run PostgreSQL as")


def _run(command: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


@contextmanager
def throwaway_postgres(db_name: str = "dagster") -> Iterator[PostgresServer]:
    bin_dir = postgres_bin_dir()
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="p3dn-pg-"))
    password = secrets.token_hex(16)
    data_dir = root / "data"
    log_file = root / "server.log"
    password_file = root / "password"
    password_file.write_text(password + "\n")
    if user is not None:
        account = pwd.getpwnam(user)
        for path in (root, password_file):
            os.chown(path, account.pw_uid, account.pw_gid)
    port = free_loopback_port()
    started = False
    try:
        init = _run([str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "dagster",
                     f"--pwfile={password_file}", "--auth=scram-sha-256", "-E", "UTF8",
                     "--locale=C.UTF-8", "--no-sync"], user)
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed (exit {init.returncode}): "
                                      f"{(init.stderr or init.stdout)[-1500:]}")
        # Loopback only, socket in our own folder (not /var/run/postgresql), no fsync: the
        # data is thrown away anyway.
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                   "-c full_page_writes=off -c synchronous_commit=off -c log_connections=on")
        start = _run([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(log_file),
                      "-o", options, "-w", "-t", "60", "start"], user)
        if start.returncode != 0:
            log = log_file.read_text(errors="replace")[-1500:] if log_file.exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed (exit {start.returncode}): "
                                      f"{start.stderr[-800:]}\n{log}")
        started = True
        server = PostgresServer("127.0.0.1", port, "dagster", password, db_name, log_file)
        if db_name != "postgres":
            admin = PostgresServer("127.0.0.1", port, "dagster", password, "postgres",
                                   log_file).connect()
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{db_name}"')
            admin.close()
        yield server
    finally:
        if started:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w",
                  "stop"], user)
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    import time

    with throwaway_postgres() as server:
        print("PostgreSQL is up (stops and is deleted on Ctrl-C). Export:")
        for name, value in server.dagster_env.items():
            print(f"export {name}={value}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
