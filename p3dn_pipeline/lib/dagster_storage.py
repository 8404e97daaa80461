"""Dagster's SQLite instance storage, with the event log written through kept-open connections.

Dagster's own SQLite event log opens a new SQLAlchemy engine and SQLite connection for every
read and write of a run's database and of the index database: a run of ``refresh_all``
stores about 700 events, and each costs two to six open/commit/close cycles. In WAL mode (which
Dagster sets) closing the last connection checkpoints the log into the database file and
syncs it, so each event pays several disk syncs: 2 to 18 ms per event on the 2-core benchmark
machine, seconds to tens of seconds per run, more than all the SQL of a one-pemda run.

:class:`PooledSqliteStorage` is Dagster's ``DagsterSqliteStorage`` (same files, same layout,
same schema: an instance written by one reads with the other) whose event log keeps one open
connection per database file, with ``synchronous=NORMAL``: in WAL mode a commit is then
atomic and survives the process being killed; what a power cut can lose is the last commits,
never the consistency of the file (https://www.sqlite.org/pragma.html#pragma_synchronous),
and the warehouse, not the run history, is what the pipeline's idempotence rests on (the
file ledger and the build fingerprints live in DuckDB). Run and schedule storage are
Dagster's, unchanged.

The webserver follows a run's events by watching its database file; with the connection kept
open, writes land in the ``-wal`` file until a checkpoint, so the watch covers both.
Configured in ``dagster.yaml`` (``storage: custom``); ``deploy/dagster-postgres.yaml`` uses
PostgreSQL instead and does not touch this module.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.pool import StaticPool

# Open database files kept per process: the run being written and the index, plus the few a
# webserver reads; the least recently used is closed beyond this.
MAX_OPEN_SHARDS = 16
_BUSY_TIMEOUT_SECONDS = 30


def _tune(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _WalAwareWatchdog(SqliteEventLogStorageWatchdog):
    """Dagster's watchdog for a run's events, also woken by writes to the run's ``-wal``."""

    def __init__(self, event_log_storage, run_id, callback, cursor, **kwargs):
        super().__init__(event_log_storage, run_id, callback, cursor, **kwargs)
        self._patterns = [self._log_path, f"{self._log_path}-wal"]


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, one kept-open connection per database file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, object] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    def _engine(self, shard: str):
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        # One connection, shared by the threads of this process one at a time (_db_lock).
        engine = create_engine(self.conn_string_for_shard(shard), poolclass=StaticPool,
                               connect_args={"timeout": _BUSY_TIMEOUT_SECONDS,
                                             "check_same_thread": False})
        sqlalchemy_event.listen(engine, "connect", _tune)
        self._engines[shard] = engine
        while len(self._engines) > MAX_OPEN_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem(last=False)
                engine.dispose()

    def wipe(self) -> None:
        self._close_all()  # files are deleted: no connection may outlive them
        super().wipe()

    def delete_events(self, run_id: str) -> None:
        super().delete_events(run_id)
        with self._db_lock:
            engine = self._engines.pop(run_id, None)
            if engine is not None:
                engine.dispose()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()

    def watch(self, run_id, cursor, callback) -> None:
        if not self._obs:
            from watchdog.observers import Observer

            self._obs = Observer()
            self._obs.start()
        watchdog = _WalAwareWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (
            watchdog, self._obs.schedule(watchdog, self._base_dir, recursive=True))


class PooledSqliteStorage(DagsterSqliteStorage):
    """``DagsterSqliteStorage`` with :class:`PooledSqliteEventLogStorage`. ``base_dir``
    defaults to ``$DAGSTER_HOME``, as Dagster's default SQLite storage (files under
    ``history/`` and ``schedules/``)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        base_dir = config_value.get("base_dir") or os.environ["DAGSTER_HOME"]
        return cls.from_local(base_dir, inst_data=inst_data)
