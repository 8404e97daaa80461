"""Dagster's SQLite event log, written through kept-open connections in the processes that run
the pipeline.

Dagster's own SQLite event log opens a new SQLAlchemy engine and SQLite connection for every
read and write of a run's database and of the index database: a ``p3dn run`` stores about
900 events, and each costs two to six open/commit/close cycles. In WAL mode (which Dagster
sets) closing the last connection checkpoints the log into the database file and syncs it,
so each event pays several disk syncs: 2 to 18 ms per event on the 2-core benchmark machine,
more than all the SQL of a one-pemda run when the disk is busy.

:func:`install` (called when the definitions load, so in every process that executes runs)
makes ``SqliteEventLogStorage`` keep one open connection per database file (the least recently
used beyond :data:`MAX_OPEN_SHARDS` is closed), in WAL mode from a new run database's first
statement (Dagster sets it after creating the tables), with ``synchronous=NORMAL``: in WAL mode a
commit is then atomic and survives the process being killed; a power cut can lose the last
commits of the run history, never the consistency of the file
(https://www.sqlite.org/pragma.html#pragma_synchronous), and the pipeline's idempotence rests
on the warehouse (file ledger, build fingerprints in DuckDB), not on the run history. Files,
layout and schema are Dagster's: the webserver, the daemon and a process that never imported
this module read them as always.

Dagster's other SQLite storages (runs, schedules, the event index) keep their own engines,
a new connection each time, but each connection gets the same two settings: WAL before
anything runs on it, ``synchronous=NORMAL``. A new ``DAGSTER_HOME`` then creates its
databases in 0.7 s instead of 1.75 s (``DagsterInstance.get()``, three each: about 60 DDL
statements, each a synced commit in SQLite's rollback-journal mode, which Dagster leaves
only after creating its tables; what remains is mostly the checkpoint and sync SQLite does
when the last connection to a file closes, which these engines do after every use).

It also remembers which of Dagster's optional tables exist (``has_table``, asked several
times per event through a new engine each time); a table missing is asked again. And it
remembers the head revision of Dagster's schema migrations: each SQLite database Dagster
opens (runs, schedules, the event index, every run's own events) checks its revision against
the head, and finding the head loads all of Dagster's ~90 migration scripts again, each time
(7 times, 0.14 to 0.22 s, in an unchanged ``p3dn run``). The head is the installed Dagster's,
the same for the whole process; the database's own revision is still read every time.

It is a change to a private method of the Dagster version in the lock (1.13), not a setting:
a custom storage class in ``dagster.yaml`` cannot know the instance folder when an instance
is made with ``DagsterInstance.from_config(folder)``. Other processes (the webserver) follow a
run's events by watching its database file, which a kept-open connection in WAL mode leaves
untouched until a checkpoint: a run's database is therefore checkpointed (PASSIVE, no waiting
for readers) at most once a second and at every run start, end or failure.

PostgreSQL instance storage (``deploy/dagster-postgres.yaml``) has the same cost in another
form: outside the webserver, Dagster gives its PostgreSQL storages a ``NullPool`` engine, so
every read and write opens a new connection (a TCP connection, a backend process forked by
the server, a SCRAM password exchange) and closes it: 3,508 connections for one ``p3dn run``
of the shipped sample, which then took 2.48 times as long as on SQLite; pooled, 53 connections
and 1.22 times (benchmarks/RESULTS.md, 2026-12-08 02:53). :func:`pool_postgres_storages` gives the storages of the instance a run uses a
small pool of kept-open connections instead, as Dagster's webserver does for its own
(``optimize_for_webserver``): the cli calls it for ``p3dn run``, and the in-process executor
(lib/step_threads.py) at the start of every run it executes. ``P3DN_DAGSTER_PG_POOL=0`` keeps
Dagster's connection per operation (where no connection may stay open between operations).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import importlib

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from dagster._core.storage import sql as dagster_sql
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.pool import NullPool, StaticPool

# Open database files kept per storage object: the run being written and the index, plus a
# few a long-lived process reads.
MAX_OPEN_SHARDS = 16
CHECKPOINT_EVERY_SECONDS = 1.0
_BUSY_TIMEOUT_SECONDS = 30
_ORIGINAL = {name: getattr(SqliteEventLogStorage, name)
             for name in ("_connect", "store_event", "wipe", "delete_events", "dispose",
                          "has_table")}


def _tune(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Write-ahead from the first statement. Dagster switches a run's new database to WAL only
    # after creating its tables and indexes, each DDL statement a commit of its own in the
    # rollback-journal mode SQLite starts in, each with its disk syncs: 0.37 s per run (a
    # `p3dn run` makes one or two) against 0.1 s with WAL first. The file ends as Dagster
    # leaves it (WAL, stamped at the migration head); for a database in WAL already this is
    # a no-op.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _create_tuned_engine(*args, **kwargs):
    """Dagster's create_engine for its SQLite storages (runs, schedules, the event index),
    each connection tuned as the kept-open event log's are: a new DAGSTER_HOME's databases
    are otherwise created one synced DDL commit at a time (1.75 s of a first run's start-up
    against 0.7 s), and every later connection syncs on each commit."""
    engine = dagster_sql.create_engine(*args, **kwargs)
    if engine.dialect.name == "sqlite":
        sqlalchemy_event.listen(engine, "connect", _tune_connection)
    return engine


def _tune_connection(dbapi_connection, record) -> None:
    _tune(dbapi_connection, record)  # looked up at each call: tests watch it


def _state(storage: SqliteEventLogStorage) -> dict:
    return storage.__dict__.setdefault("_p3dn_pool", {"engines": OrderedDict(), "checkpointed": {}})


def _engine(storage: SqliteEventLogStorage, shard: str):
    engines = _state(storage)["engines"]
    engine = engines.get(shard)
    if engine is not None:
        engines.move_to_end(shard)
        return engine
    # One connection, shared by the threads of this process one at a time (_db_lock).
    engine = create_engine(storage.conn_string_for_shard(shard), poolclass=StaticPool,
                           connect_args={"timeout": _BUSY_TIMEOUT_SECONDS,
                                         "check_same_thread": False})
    sqlalchemy_event.listen(engine, "connect", _tune_connection)
    engines[shard] = engine
    while len(engines) > MAX_OPEN_SHARDS:
        _, oldest = engines.popitem(last=False)
        oldest.dispose()
    return engine


@contextmanager
def _pooled_connect(self: SqliteEventLogStorage, shard: str) -> Iterator:
    with self._db_lock:
        engine = _engine(self, shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        with engine.connect() as conn:
            with conn.begin():
                yield conn
            if shard != INDEX_SHARD_NAME:
                _checkpoint_now_and_then(self, shard, conn)


def _checkpoint_now_and_then(storage, shard: str, conn, force: bool = False) -> None:
    checkpointed = _state(storage)["checkpointed"]
    now = time.monotonic()
    if force or now - checkpointed.get(shard, 0.0) >= CHECKPOINT_EVERY_SECONDS:
        conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        checkpointed[shard] = now


def _store_event(self: SqliteEventLogStorage, event) -> None:
    _ORIGINAL["store_event"](self, event)
    if event.is_dagster_event and event.get_dagster_event().is_job_event:
        # A run's start, end or failure reaches a watching webserver at once.
        with self._db_lock:
            engine = _engine(self, event.run_id)
            with engine.connect() as conn:
                _checkpoint_now_and_then(self, event.run_id, conn, force=True)


def _has_table(self: SqliteEventLogStorage, table_name: str) -> bool:
    # Dagster asks whether its optional tables (asset check executions, asset event tags,
    # ...) exist several times per event, each time through a new engine and connection
    # (952 times, 1.3 s, in an unchanged run of the sample). A table that exists stays until
    # the storage is wiped; one that does not is asked again (a migration may add it).
    known = _state(self).setdefault("tables", set())
    if table_name in known:
        return True
    found = _ORIGINAL["has_table"](self, table_name)
    if found:
        known.add(table_name)
    return found


def close_connections(storage: SqliteEventLogStorage) -> None:
    with storage._db_lock:
        engines = _state(storage)["engines"]
        while engines:
            _, engine = engines.popitem(last=False)
            engine.dispose()


def _wipe(self: SqliteEventLogStorage) -> None:
    close_connections(self)  # files are deleted: no connection may outlive them
    _state(self).pop("tables", None)
    _ORIGINAL["wipe"](self)


def _delete_events(self: SqliteEventLogStorage, run_id: str) -> None:
    _ORIGINAL["delete_events"](self, run_id)
    with self._db_lock:
        engine = _state(self)["engines"].pop(run_id, None)
        if engine is not None:
            engine.dispose()


def _dispose(self: SqliteEventLogStorage) -> None:
    close_connections(self)
    _ORIGINAL["dispose"](self)


# The modules of Dagster's SQLite storages, each of which imported check_alembic_revision.
_REVISION_CHECKERS = (
    "dagster._core.storage.event_log.sqlite.sqlite_event_log",
    "dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log",
    "dagster._core.storage.runs.sqlite.sqlite_run_storage",
    "dagster._core.storage.schedules.sqlite.sqlite_schedule_storage",
)
_HEAD_REVISIONS: dict[str, str | None] = {}


def _check_alembic_revision(alembic_config, conn) -> tuple:
    """Dagster's check_alembic_revision, with the head found once per migration folder."""
    with dagster_sql._alembic_lock:
        db_revision = MigrationContext.configure(conn).get_current_revision()
        folder = alembic_config.get_main_option("script_location")
        if folder not in _HEAD_REVISIONS:
            _HEAD_REVISIONS[folder] = ScriptDirectory.from_config(
                alembic_config).as_revision_number("head")
    return db_revision, _HEAD_REVISIONS[folder]


def install() -> None:
    """Make Dagster's SQLite event log keep its connections open, in this process (idempotent)."""
    if getattr(SqliteEventLogStorage, "_p3dn_pooled", False):
        return
    for name in _REVISION_CHECKERS:
        module = importlib.import_module(name)
        # Another Dagster version may have moved the check: its storages then check as
        # they always did.
        if getattr(module, "check_alembic_revision", None) is dagster_sql.check_alembic_revision:
            module.check_alembic_revision = _check_alembic_revision
        if getattr(module, "create_engine", None) is dagster_sql.create_engine:
            module.create_engine = _create_tuned_engine
    SqliteEventLogStorage._connect = _pooled_connect
    SqliteEventLogStorage.store_event = _store_event
    SqliteEventLogStorage.wipe = _wipe
    SqliteEventLogStorage.delete_events = _delete_events
    SqliteEventLogStorage.dispose = _dispose
    SqliteEventLogStorage.has_table = _has_table
    SqliteEventLogStorage._p3dn_pooled = True


PG_POOL_ENV = "P3DN_DAGSTER_PG_POOL"
# Connections a PostgreSQL storage keeps open beyond what its threads use at once: a run's
# events come from the run thread and each step thread (P3DN_STEP_THREADS).
_PG_POOL_SPARE = 1
_PG_POOL_OVERFLOW = 4
_PG_POOL_RECYCLE_SECONDS = 3600
_PG_POOL_LOCK = threading.Lock()


class PostgresPoolError(ValueError):
    """P3DN_DAGSTER_PG_POOL holds something other than 0 or 1."""


def postgres_pooling() -> bool:
    """Whether PostgreSQL storages keep connections open: P3DN_DAGSTER_PG_POOL, default 1."""
    text = os.environ.get(PG_POOL_ENV, "1").strip()
    if text not in ("0", "1"):
        raise PostgresPoolError(
            f"{PG_POOL_ENV}={text!r}: 1 keeps a few connections to PostgreSQL open for a "
            "run's events (the default), 0 opens one for every read and write as Dagster does")
    return text == "1"


def pool_postgres_storages(instance, threads: int = 1) -> list[str]:
    """Give the PostgreSQL storages (runs, event log, schedules) of ``instance`` a pool of
    kept-open connections in place of Dagster's ``NullPool`` engine; ``threads``: how many
    threads of this process write to them at once. SQLite storages, a storage already pooled
    (the webserver's, or by an earlier call) and ``P3DN_DAGSTER_PG_POOL=0`` are left as they
    are. Returns the names of the storage classes it pooled."""
    if not postgres_pooling():
        return []
    pooled = []
    with _PG_POOL_LOCK:
        for storage in (instance.run_storage, instance.event_log_storage,
                        instance.schedule_storage):
            if storage is not None and _pool_postgres(storage, threads):
                pooled.append(type(storage).__name__)
    return pooled


def _pool_postgres(storage, threads: int) -> bool:
    engine = getattr(storage, "_engine", None)
    if (not type(storage).__module__.startswith("dagster_postgres.") or engine is None
            or not isinstance(engine.pool, NullPool)):
        return False
    from dagster_postgres.utils import create_pg_engine

    kwargs = {"isolation_level": "AUTOCOMMIT", "pool_size": threads + _PG_POOL_SPARE,
              "max_overflow": _PG_POOL_OVERFLOW, "pool_recycle": _PG_POOL_RECYCLE_SECONDS,
              # A connection the server closed while idle (a restart, a timeout) is replaced
              # on checkout, not handed to Dagster broken.
              "pool_pre_ping": True}
    options = engine.url.query.get("options")
    if options:  # as optimize_for_webserver: libpq options given in the URL
        kwargs["connect_args"] = {"options": options}
    pooled = create_pg_engine(storage.postgres_url, getattr(storage, "_token_provider", None),
                              **kwargs)
    storage._engine = pooled
    engine.dispose()
    # Dagster's dispose() of these storages leaves their engine alone; the kept-open
    # connections close when the storage goes away, or at exit.
    weakref.finalize(storage, pooled.dispose)
    return True
