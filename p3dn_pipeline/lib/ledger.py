"""The file ledger: one row per version (path + sha256) of every file seen in the landing folder.

Statuses:
- ``pending``: recognised, waiting for its raw asset to load it;
- ``loaded``: its rows are in the raw table (the newest loaded version of a path wins);
- ``rejected``: cannot be used; ``reason`` says why and what to do. A rejected new version
  of a path leaves the previously loaded version's rows in place, so one bad download does
  not wipe a dataset;
- ``held``: readable, but it lost more rows against the version loaded before than
  P3DN_SUSPECT_SHRINK allows; the previous version's rows stay until a person confirms the
  new one (``p3dn accept <path>`` or the run tag ``p3dn/accept=<path>``, recorded in the
  version's ``accepted_by`` and ``accepted_at``), and the next run loads it;
- ``superseded``: an older version of a path whose newer version has been loaded;
- ``removed``: the file is gone from the landing folder, so its rows are gone too.

The landing folder is the truth: the raw tables hold exactly the loaded versions of the
files that are there now.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue

import duckdb

from p3dn_pipeline.lib import landing, limits, readers
from p3dn_pipeline.lib.sources import Dataset
from p3dn_pipeline.lib.warehouse import (
    column_names,
    fetch_dicts,
    resource_exhaustion,
    session_cursor,
    transaction,
)

LEDGER_TABLE = "raw.file_ledger"

LEDGER_DDL = f"""
CREATE TABLE IF NOT EXISTS {LEDGER_TABLE} (
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    modified_ns BIGINT NOT NULL,
    file_format VARCHAR,
    dataset VARCHAR,
    sheet VARCHAR,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    rows_loaded BIGINT,
    first_seen_at TIMESTAMP NOT NULL,
    status_at TIMESTAMP NOT NULL
)
"""
# Added after the first ledgers were written, so added to them on the way (NULL there: such a
# version is hashed again once, and its row then carries them).
LEDGER_LATER_COLUMNS = {"changed_ns": "BIGINT", "inode": "BIGINT", "accepted_by": "VARCHAR",
                        "accepted_at": "TIMESTAMP",
                        # The file's fields, and how they differ from the previous
                        # export of its dataset (Recognition.schema_drift).
                        "fields": "VARCHAR[]", "schema_drift": "VARCHAR",
                        # Workbooks: the sheets loaded, and every other sheet as
                        # "name (why not)": hidden, or no header of the dataset.
                        "sheets_read": "VARCHAR[]", "sheets_skipped": "VARCHAR[]"}
# A run started by the daily schedule carries this tag: it hashes every file, whatever its
# size and times say.
SCHEDULE_TAG = "dagster/schedule_name"
# A run with this tag accepts the held version of the path(s) it names (one per line).
ACCEPT_TAG = "p3dn/accept"


@dataclass
class InventorySummary:
    files_on_disk: int = 0
    new_versions: int = 0
    rejected: list[dict] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # held versions released for loading
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoadSummary:
    loaded: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    held: list[dict] = field(default_factory=list)
    rows_deleted: int = 0


class HeldBack(Exception):
    """A new version lost too many rows against the version loaded before; the message is
    the ledger reason."""

    def __init__(self, reason: str, rows: int):
        super().__init__(reason)
        self.rows = rows


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(LEDGER_DDL).fetchall()
    for column, sql_type in LEDGER_LATER_COLUMNS.items():
        con.execute(f"ALTER TABLE {LEDGER_TABLE} ADD COLUMN IF NOT EXISTS {column} {sql_type}"
                    ).fetchall()


def inventory_options(run_tags: dict[str, str]) -> dict:
    """How a run's tags shape its inventory: a scheduled run hashes every file; the tag
    p3dn/accept=<path> (one path per line) accepts that path's held version."""
    accept = [line.strip() for line in run_tags.get(ACCEPT_TAG, "").splitlines()
              if line.strip()]
    return {"rehash_all": SCHEDULE_TAG in run_tags, "accept": accept}


def accept_held(con: duckdb.DuckDBPyConnection, path: str, accepted_by: str,
                now: dt.datetime) -> list[dict]:
    """Record that a person confirmed the held version(s) of ``path``: the next run loads
    them whatever rows they lost. Returns the versions accepted (none when nothing of that
    path is held)."""
    ensure_ledger(con)
    held = fetch_dicts(con, f"SELECT path, sha256, rows_loaded, reason FROM {LEDGER_TABLE} "
                            "WHERE path = $p AND status = 'held' ORDER BY first_seen_at",
                       {"p": path})
    with transaction(con):
        for version in held:
            _record_acceptance(con, path, version["sha256"], accepted_by, now)
    return held


def held_paths(con: duckdb.DuckDBPyConnection) -> list[str]:
    ensure_ledger(con)
    return [r["path"] for r in fetch_dicts(
        con, f"SELECT DISTINCT path FROM {LEDGER_TABLE} WHERE status = 'held' ORDER BY path")]


def _record_acceptance(con, path: str, sha: str, accepted_by: str, now: dt.datetime) -> bool:
    """Mark a version waiting to be loaded (held, or pending) as accepted; False when that
    version is not waiting (already loaded, or rejected as unreadable)."""
    return bool(con.execute(
        f"UPDATE {LEDGER_TABLE} SET accepted_by = $by, accepted_at = $now "
        "WHERE path = $p AND sha256 = $s AND status IN ('held', 'pending') RETURNING path",
        {"p": path, "s": sha, "by": accepted_by, "now": now}).fetchall())


def _is_accepted(con, path: str, sha: str) -> bool:
    return bool(con.execute(f"SELECT count(*) FROM {LEDGER_TABLE} WHERE path = $p "
                            "AND sha256 = $s AND accepted_by IS NOT NULL",
                            {"p": path, "s": sha}).fetchall()[0][0])


def _signature_key(path: str, signature: dict) -> tuple:
    return (path, signature["size"], signature["mtime_ns"], signature["ctime_ns"],
            signature["inode"])


def take_inventory(con: duckdb.DuckDBPyConnection, landing_dir: Path, now: dt.datetime, *,
                   rehash_all: bool = False, accept: list[str] = ()) -> InventorySummary:
    """Record every new file version; recognise its dataset or reject it with a reason.

    A file whose size, modification time, change time and inode are those of a version
    already recorded is taken to hold that version without being read again, unless
    ``rehash_all`` (every scheduled run): then every file is hashed. A restored mtime does
    not hide a change: the change time (ctime) cannot be set back.

    ``accept`` names paths whose version now in the landing folder a person confirmed
    (run tag p3dn/accept): it is loaded even if it lost many rows. A held version with an
    acceptance, from here or from ``p3dn accept``, becomes pending again.
    """
    ensure_ledger(con)
    summary = InventorySummary()
    recorded = {
        _signature_key(r["path"], r): r["sha256"] for r in fetch_dicts(
            con, f"SELECT path, size_bytes AS size, modified_ns AS mtime_ns, "
                 f"changed_ns AS ctime_ns, inode, sha256 FROM {LEDGER_TABLE} "
                 "WHERE sha256 <> '-'")
    }
    known = {} if rehash_all else recorded
    versions = {(r["path"], r["sha256"]): r["status"]
                for r in fetch_dicts(con, f"SELECT path, sha256, status FROM {LEDGER_TABLE}")}
    present_paths: set[str] = set()
    landing_dir.mkdir(parents=True, exist_ok=True)
    files = list(landing.discover(landing_dir))
    on_disk: dict[str, str] = {}  # path -> sha256 of the readable files
    with transaction(con), ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hashing = _hash_new_files(pool, landing_dir, files, known)
        reading = _read_new_workbook_headers(pool, landing_dir, files, recorded)
        for landed in files:
            summary.files_on_disk += 1
            present_paths.add(landed.relative_path)
            try:
                landing.check_inside(landing_dir, landed)
                # Same size, times and inode: trust the recorded hash instead of re-reading.
                sha = known.get(_signature_key(landed.relative_path, landed.signature()))
                hashed = sha is None
                if hashed:
                    started = hashing.get(landed.relative_path)
                    sha = started.result() if started else landing.sha256_of(landed.path)
            except landing.LandingError as err:
                _raise_if_out_of_resources(err)
                sha = "-"
                if (landed.relative_path, sha) not in versions:
                    _reject_new_version(con, summary, landed, sha, now, err)
                continue
            on_disk[landed.relative_path] = sha
            status = versions.get((landed.relative_path, sha))
            if status in ("removed", "superseded"):
                # Content seen before came back (a file restored, or changed back from B to
                # A): it is what the landing folder holds now, so it is loaded again.
                con.execute(f"DELETE FROM {LEDGER_TABLE} WHERE path = $p AND sha256 = $s",
                            {"p": landed.relative_path, "s": sha}).fetchall()
                status = None
            if status is not None:
                if hashed:
                    # Known content: remember how the file looks now, so that the next run
                    # takes the shortcut again (a chmod or a copy changes its ctime, not its
                    # bytes).
                    _update_signature(con, landed, sha)
                continue
            summary.new_versions += 1
            try:
                started = reading.get(landed.relative_path)
                header = started.result() if started else landing.read_header(landed.path)
                recognition = landing.recognise(header)
            except landing.LandingError as err:
                _raise_if_out_of_resources(err)
                _reject_new_version(con, summary, landed, sha, now, err)
                continue
            _insert_version(con, landed, sha, now, recognition.header.file_format,
                            recognition, "pending", None)
        landing.forget_workbook()  # the last header's workbook: its sheets are whole in memory
        for row in fetch_dicts(con, f"SELECT DISTINCT path FROM {LEDGER_TABLE} "
                                    "WHERE status IN ('loaded', 'pending', 'held')"):
            if row["path"] not in present_paths:
                con.execute(
                    f"UPDATE {LEDGER_TABLE} SET status = 'removed', status_at = $now, "
                    "reason = 'file no longer in the landing folder' "
                    "WHERE path = $p AND status IN ('loaded', 'pending', 'held')",
                    {"p": row["path"], "now": now},
                ).fetchall()
                summary.removed.append(row["path"])
        for path in accept:
            if path not in on_disk:
                summary.warnings.append(
                    f"The run tag {ACCEPT_TAG} names {path!r}, which is not a readable file "
                    "in the landing folder: nothing accepted for it (paths are as in "
                    "raw.file_ledger, e.g. 'apbd/realisasi_apbd_2025.csv')")
            elif not _record_acceptance(con, path, on_disk[path], f"run tag {ACCEPT_TAG}",
                                        now):
                summary.warnings.append(
                    f"The run tag {ACCEPT_TAG} names {path!r}, whose version in the landing "
                    "folder is not waiting to be loaded (it is loaded already, or was "
                    "rejected): nothing accepted for it")
        summary.accepted = [r["path"] for r in fetch_dicts(con, f"""
            UPDATE {LEDGER_TABLE} SET status = 'pending', status_at = $now,
                reason = 'accepted by ' || accepted_by || ' after being held: ' || reason
            WHERE status = 'held' AND accepted_by IS NOT NULL
            RETURNING path""", {"now": now})]
    return summary


def landing_matches_ledger(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> bool:
    """Whether the landing folder holds exactly the file versions the ledger has already
    dealt with (loaded, rejected or held; same path, size, times and inode), nothing it
    loaded has gone, and no held version waits to be loaded. Reads no file: only their
    sizes and times."""
    columns = set(column_names(con, LEDGER_TABLE))
    if not set(LEDGER_LATER_COLUMNS) <= columns:
        return False  # written by an older version (read-only here): the run brings it up
    if con.execute(f"SELECT count(*) FROM {LEDGER_TABLE} WHERE status = 'held' "
                   "AND accepted_by IS NOT NULL").fetchall()[0][0]:
        return False  # a person accepted a held version: the next run loads it
    settled = {_signature_key(r["path"], r) for r in fetch_dicts(
        con, f"SELECT path, size_bytes AS size, modified_ns AS mtime_ns, "
             f"changed_ns AS ctime_ns, inode FROM {LEDGER_TABLE} "
             "WHERE status IN ('loaded', 'rejected', 'held')")}
    present = set()
    for landed in landing.discover(landing_dir):
        if _signature_key(landed.relative_path, landed.signature()) not in settled:
            return False
        present.add(landed.relative_path)
    loaded = {r["path"] for r in fetch_dicts(
        con, f"SELECT DISTINCT path FROM {LEDGER_TABLE} WHERE status IN ('loaded', 'pending')")}
    return loaded <= present


def _same_as_inventoried(path: Path, version: dict) -> bool:
    """Whether the file still holds the bytes the inventory hashed. Same size, times and
    inode: yes, without reading it a second time (a copy still in progress changes them,
    and so does any write); else hash it again."""
    info = path.stat()
    if (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino) == (
            version["size_bytes"], version["modified_ns"], version["changed_ns"],
            version["inode"]):
        return True
    return landing.sha256_of(path) == version["sha256"]


def ledger_state(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of every file version's path, hash, dataset, status and reason: what
    marts.data_quality reads from the ledger."""
    return con.execute(
        f"SELECT coalesce(md5(string_agg(concat_ws('|', path, sha256, dataset, status, "
        f"rows_loaded, reason), chr(10) ORDER BY path, sha256)), '') FROM {LEDGER_TABLE}"
    ).fetchall()[0][0]


def versions_state(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the file versions the ledger knows and their datasets. Status changes are
    left out: loading makes them, and each raw table's own state shows them."""
    return con.execute(
        f"SELECT coalesce(md5(string_agg(concat_ws('|', path, sha256, dataset), chr(10) "
        f"ORDER BY path, sha256)), '') FROM {LEDGER_TABLE}").fetchall()[0][0]


def loaded_versions_state(con: duckdb.DuckDBPyConnection, dataset_name: str) -> str:
    """A digest of the file versions whose rows are in the dataset's raw table: the raw
    table changes exactly when this does."""
    return con.execute(
        f"SELECT coalesce(md5(string_agg(path || '|' || sha256, chr(10) "
        f"ORDER BY path, sha256)), '') FROM {LEDGER_TABLE} "
        "WHERE dataset = $d AND status = 'loaded'", {"d": dataset_name}).fetchall()[0][0]


def _hash_new_files(pool: ThreadPoolExecutor, landing_dir: Path, files: list,
                    known: dict) -> dict[str, Future]:
    """Start hashing every file the ledger has not seen with this size and mtime, several at
    a time: hashlib works outside the GIL, and a national export is tens of GB."""
    return _start_for_unseen(pool, landing_dir, files, known, landing.sha256_of)


def _read_new_workbook_headers(pool: ThreadPoolExecutor, landing_dir: Path, files: list,
                               recorded: dict) -> dict[str, Future]:
    """Start reading the header of every workbook the ledger has never seen with this size,
    times and inode (almost surely a new version), in the hashing pool. calamine parses a
    whole sheet to give its first rows (0.1 s for a KPKP roster) and leaves the GIL while it
    does, so two workbooks parse at once. A workbook whose bytes turn out to be known wasted
    one read; a scheduled run's rehash of every file reads no header."""
    workbooks = [landed for landed in files if landed.path.suffix.lower() == ".xlsx"]
    return _start_for_unseen(pool, landing_dir, workbooks, recorded, landing.read_header)


def _start_for_unseen(pool: ThreadPoolExecutor, landing_dir: Path, files: list, seen: dict,
                      work: Callable[[Path], object]) -> dict[str, Future]:
    """``work(path)`` started in ``pool`` for each file whose path, size, times and inode are
    not in ``seen``, by relative path. A file ``check_inside`` refuses is not read at all
    (the inventory's loop records why)."""
    started = {}
    for landed in files:
        if _signature_key(landed.relative_path, landed.signature()) in seen:
            continue
        try:
            landing.check_inside(landing_dir, landed)
        except landing.LandingError:
            continue
        started[landed.relative_path] = pool.submit(work, landed.path)
    return started


def _raise_if_out_of_resources(err: Exception) -> None:
    """Out of memory or disk while reading a file is no fault of the file: fail the step and
    leave the version pending for the next run. Recorded as rejected, the same bytes would
    never be loaded again, and the run would go on to publish without them."""
    if resource_exhaustion(err) is not None:
        raise err


def _reject_new_version(con, summary: InventorySummary, landed, sha, now, err) -> None:
    reason = f"{landed.relative_path} {err}"
    _insert_version(con, landed, sha, now, None, None, "rejected", reason)
    summary.rejected.append({"path": landed.relative_path, "reason": reason})


def _update_signature(con, landed, sha) -> None:
    con.execute(
        f"UPDATE {LEDGER_TABLE} SET size_bytes = $size, modified_ns = $mtime, "
        "changed_ns = $ctime, inode = $inode WHERE path = $path AND sha256 = $sha",
        {"path": landed.relative_path, "sha": sha, "size": landed.size_bytes,
         "mtime": landed.modified_ns, "ctime": landed.changed_ns, "inode": landed.inode},
    ).fetchall()


def _previous_fields(con, dataset_name: str) -> list[str] | None:
    """The fields of the newest export of this dataset seen before (None: the first one)."""
    found = con.execute(
        f"SELECT fields FROM {LEDGER_TABLE} WHERE dataset = $d AND fields IS NOT NULL "
        "AND status <> 'rejected' ORDER BY first_seen_at DESC, path DESC LIMIT 1",
        {"d": dataset_name}).fetchall()
    return list(found[0][0]) if found else None


def _insert_version(con, landed, sha, now, file_format, recognition, status, reason) -> None:
    con.execute(
        f"INSERT INTO {LEDGER_TABLE} (path, sha256, size_bytes, modified_ns, changed_ns, inode, "
        "file_format, dataset, sheet, status, reason, rows_loaded, first_seen_at, status_at, "
        "fields, schema_drift) "
        "VALUES ($path, $sha, $size, $mtime, $ctime, $inode, $fmt, $dataset, $sheet, $status, "
        "$reason, NULL, $now, $now, $fields, $drift)",
        {"path": landed.relative_path, "sha": sha, "size": landed.size_bytes,
         "mtime": landed.modified_ns, "ctime": landed.changed_ns, "inode": landed.inode,
         "fmt": file_format or landed.path.suffix.lower().lstrip("."),
         "dataset": recognition.dataset.name if recognition else None,
         "sheet": recognition.sheet_names if recognition else None,
         "status": status, "reason": reason,
         "fields": recognition.field_names() if recognition else None,
         "drift": recognition.schema_drift(_previous_fields(con, recognition.dataset.name))
                  if recognition else None,
         "now": now},
    ).fetchall()


# JSON files of one dataset loaded at once, each on its own connection and in its own
# transaction. DuckDB reads a JSON array with one thread, so a second file uses the second
# core (two SiRUP package files at scale 10: 14.8 s one after the other, 7.3 s together).
# A CSV is read by all of DuckDB's threads already: loading two at once only added the
# second connection's set-up. Two at a time, not one per core: each load holds its file's
# buffers within the one memory limit.
PARALLEL_JSON_LOADS = 2


def load_pending(con: duckdb.DuckDBPyConnection, dataset: Dataset, landing_dir: Path,
                 now: dt.datetime) -> LoadSummary:
    """Load every pending version of this dataset, one transaction per file: its JSON files
    two at a time, then its other files one after the other, each workbook read while the
    file before it loads. The summary lists the versions in path order."""
    ensure_ledger(con)
    readers.ensure_raw_table(con, dataset)
    pending = fetch_dicts(
        con, f"SELECT path, sha256, size_bytes, modified_ns, changed_ns, inode "
             f"FROM {LEDGER_TABLE} WHERE dataset = $d AND status = 'pending' ORDER BY path",
        {"d": dataset.name})
    paths = [landing_dir.resolve() / version["path"] for version in pending]
    outcomes: list[LoadSummary] = [LoadSummary() for _ in pending]
    arrays = [n for n, path in enumerate(paths) if path.suffix.lower() == ".json"]
    if len(arrays) > 1:
        _load_json_files_at_once(con, dataset, [(pending[n], paths[n], outcomes[n])
                                                for n in arrays], now)
        loaded_one_by_one = sorted(set(range(len(paths))) - set(arrays))
    else:
        loaded_one_by_one = list(range(len(paths)))
    # The next workbook is read (calamine, cell texts: Python) while DuckDB loads the current
    # one (the personal-data rules, the commit: DuckDB's threads, which leave the GIL free).
    in_turn = [paths[n] for n in loaded_one_by_one]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="p3dn-read-ahead") as reader:
        ahead = _read_ahead(reader, in_turn, 0)
        for number, n in enumerate(loaded_one_by_one):
            current, ahead = ahead, _read_ahead(reader, in_turn, number + 1)
            _load_pending_version(con, dataset, paths[n], pending[n], now, outcomes[n],
                                  current)
    summary = LoadSummary()
    for outcome in outcomes:
        summary.loaded += outcome.loaded
        summary.rejected += outcome.rejected
        summary.held += outcome.held
    summary.rows_deleted = prune_raw(con, dataset)
    return summary


def _load_json_files_at_once(con: duckdb.DuckDBPyConnection, dataset: Dataset,
                             files: list[tuple[dict, Path, LoadSummary]],
                             now: dt.datetime) -> None:
    """Load JSON files PARALLEL_JSON_LOADS at a time: one on ``con`` (this thread only waits
    meanwhile), the others each on a connection with ``con``'s session
    (warehouse.session_cursor). Every file is loaded, held or rejected on its own; an error
    that is no file's fault (out of memory or disk) is raised once every file started has
    finished."""
    connections: Queue = Queue()
    connections.put(con)
    opened = []

    def load(version: dict, path: Path, outcome: LoadSummary) -> None:
        worker = connections.get()
        try:
            _load_pending_version(worker, dataset, path, version, now, outcome, None)
        finally:
            connections.put(worker)

    try:
        for _ in range(min(PARALLEL_JSON_LOADS, len(files)) - 1):
            opened.append(session_cursor(con))
            connections.put(opened[-1])
        with ThreadPoolExecutor(max_workers=len(opened) + 1,
                                thread_name_prefix="p3dn-json-load") as loaders:
            started = [loaders.submit(load, *item) for item in files]
        for future in started:
            future.result()
    finally:
        for worker in opened:
            worker.close()


def _read_ahead(reader: ThreadPoolExecutor, paths: list[Path],
                number: int) -> Future | None:
    """The workbook ``paths[number]`` being read in ``reader`` (None: not a workbook, or past
    the end)."""
    if number >= len(paths) or paths[number].suffix.lower() != ".xlsx":
        return None
    return reader.submit(readers.read_workbook, paths[number])


def _read_workbook_result(read: Future | None, path: Path) -> readers.WorkbookRows | None:
    """The read-ahead workbook, if it is still the file at ``path``. A read that failed is
    not an answer: the load reads the file again itself, and its error (the same, or none if
    the file was replaced meanwhile) is the one recorded."""
    if read is None:
        return None
    try:
        workbook = read.result()
    except Exception:  # noqa: BLE001 - read again below, where errors are handled
        return None
    if workbook is None or workbook.identity != landing.file_identity(path):
        return None
    return workbook


def _load_pending_version(con: duckdb.DuckDBPyConnection, dataset: Dataset, path: Path,
                          version: dict, now: dt.datetime, summary: LoadSummary,
                          read: Future | None) -> None:
    """Load one pending version and record the outcome: loaded, held back or rejected."""
    try:
        try:
            rows, recognition = _load_version(con, dataset, path, version, now,
                                              careful=False, read=read)
        except readers.ReadCarefully:
            # Rolled back: DuckDB's strict reading failed; read it line by line.
            rows, recognition = _load_version(con, dataset, path, version, now,
                                              careful=True)
        summary.loaded.append({
            "path": version["path"], "rows": rows,
            "sheets_read": [h.sheet for h, _ in recognition.sheet_parts],
            "sheets_skipped": recognition.sheets_skipped})
    except HeldBack as held:
        reason = f"{version['path']} {held}"
        con.execute(
            f"UPDATE {LEDGER_TABLE} SET status = 'held', reason = $r, rows_loaded = $n, "
            "status_at = $now WHERE path = $p AND sha256 = $s",
            {"p": version["path"], "s": version["sha256"], "r": reason, "n": held.rows,
             "now": now}).fetchall()
        summary.held.append({"path": version["path"], "reason": reason})
    except (landing.LandingError, OSError) as err:
        _raise_if_out_of_resources(err)
        reason = f"{version['path']} {err}"
        con.execute(
            f"UPDATE {LEDGER_TABLE} SET status = 'rejected', reason = $r, status_at = $now "
            "WHERE path = $p AND sha256 = $s",
            {"p": version["path"], "s": version["sha256"], "r": reason, "now": now},
        ).fetchall()
        summary.rejected.append({"path": version["path"], "reason": reason})


def _load_version(con: duckdb.DuckDBPyConnection, dataset: Dataset, path: Path, version: dict,
                  now: dt.datetime, *, careful: bool,
                  read: Future | None = None) -> tuple[int, landing.Recognition]:
    """Load one pending version in one transaction and record it as loaded. ``read``: the
    workbook being read ahead (:func:`_read_ahead`)."""
    # The header is read again, and the workbook's sheets kept for the load that follows:
    # never a workbook parsed earlier (by the inventory, or before the file was replaced).
    # A workbook read ahead was read after the inventory, and is taken only if the file has
    # not changed since.
    landing.forget_workbook()
    with transaction(con):
        if not _same_as_inventoried(path, version):
            raise landing.LandingError(
                "changed while it was being loaded (still being copied?); "
                "it will be picked up on the next run")
        workbook = _read_workbook_result(read, path)
        recognition = (workbook.recognition if workbook is not None
                       else landing.recognise(landing.read_header(path)))
        if recognition.dataset.name != dataset.name:
            raise landing.LandingError(
                f"now looks like {recognition.dataset.name}; it will be re-examined "
                "on the next run")
        rows = readers.load_file(con, recognition, absolute_path=str(path),
                                 relative_path=version["path"], sha256=version["sha256"],
                                 loaded_at=now, careful=careful, workbook=workbook)
        _hold_if_suspect(con, version, rows)
        con.execute(
            f"UPDATE {LEDGER_TABLE} SET status = 'superseded', status_at = $now "
            "WHERE path = $p AND sha256 <> $s AND status = 'loaded'",
            {"p": version["path"], "s": version["sha256"], "now": now}).fetchall()
        con.execute(
            # A pending version's reason says who accepted it, if it was held: kept.
            f"UPDATE {LEDGER_TABLE} SET status = 'loaded', rows_loaded = $n, "
            "status_at = $now, reason = nullif(concat_ws('; ', reason, $note), ''), "
            "sheet = $sheet, sheets_read = $read, sheets_skipped = $skipped "
            "WHERE path = $p AND sha256 = $s",
            {"p": version["path"], "s": version["sha256"], "n": rows, "now": now,
             "note": recognition.note, "sheet": recognition.sheet_names,
             "read": [h.sheet for h, _ in recognition.sheet_parts] or None,
             "skipped": recognition.sheets_skipped or None},
        ).fetchall()
    return rows, recognition


def _hold_if_suspect(con: duckdb.DuckDBPyConnection, version: dict, rows: int) -> None:
    """Raise HeldBack when this new version lost more of the previous version's rows than
    P3DN_SUSPECT_SHRINK allows and no person has accepted it."""
    previous = fetch_dicts(
        con, f"SELECT rows_loaded FROM {LEDGER_TABLE} WHERE path = $p AND sha256 <> $s "
             "AND status = 'loaded'", {"p": version["path"], "s": version["sha256"]})
    if not previous or not previous[0]["rows_loaded"]:
        return
    before = previous[0]["rows_loaded"]
    share = limits.suspect_shrink()
    if rows >= before * (1 - share) or _is_accepted(con, version["path"], version["sha256"]):
        return
    lost = 1 - rows / before
    raise HeldBack(
        f"holds {rows} rows where the version loaded before held {before} ({lost:.0%} fewer; "
        f"more than {share:.0%} is suspect, {limits.SUSPECT_SHRINK_VARIABLE}): held back, "
        "the previous version's rows stay. If the new file is right, confirm it with "
        f"`p3dn accept {version['path']}` (or a run tagged "
        f"{ACCEPT_TAG}={version['path']}); the next run loads it", rows)


def prune_raw(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> int:
    """Delete raw rows of file versions that are no longer the loaded version of their path."""
    readers.ensure_raw_table(con, dataset)
    with transaction(con):
        deleted = con.execute(
            f"DELETE FROM {dataset.raw_table} AS r WHERE NOT EXISTS ("
            f"  SELECT 1 FROM {LEDGER_TABLE} l WHERE l.path = r._source_file "
            "   AND l.sha256 = r._file_sha256 AND l.dataset = $d AND l.status = 'loaded')",
            {"d": dataset.name},
        ).fetchall()[0][0]
    return deleted
