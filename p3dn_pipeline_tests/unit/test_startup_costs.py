"""What makes start-up and event writing cheap must not change what they decide: the staging
contract's column cache, and the Dagster event log kept open (lib/dagster_storage.py)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from dagster import DagsterInstance, asset, materialize
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage

from p3dn_pipeline.lib import contract
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from p3dn_pipeline.lib import dagster_storage
from p3dn_pipeline_tests.unit.test_source_registry import CONTOH, GOOD_SQL, contoh_source

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("P3DN_CACHE_DIR", str(folder))
    return folder


def test_the_contract_runs_a_file_once_and_reads_its_columns_back(tmp_path, cache, monkeypatch):
    source = contoh_source(tmp_path, GOOD_SQL)
    contract.check_staging_sql(source, CONTOH)
    cached = list((cache / "staging-contract").glob("contoh-*.json"))
    assert len(cached) == 1

    def must_not_run(*args):
        raise AssertionError("the file was run again although nothing changed")

    monkeypatch.setattr(contract, "_run_on_empty_raw", must_not_run)
    contract.check_staging_sql(source, CONTOH)  # from the cache


def test_a_changed_file_misses_the_cache_and_is_checked_again(tmp_path, cache):
    contract.check_staging_sql(contoh_source(tmp_path / "a", GOOD_SQL), CONTOH)
    # Same dataset, a file that no longer makes nilai_rp: the cache must not answer for it.
    broken = GOOD_SQL.replace("AS nilai_rp", "AS nilai_rupiah")
    with pytest.raises(contract.StagingContractError, match="lacks the column.s. nilai_rp"):
        contract.check_staging_sql(contoh_source(tmp_path / "b", broken), CONTOH)
    assert len(list((cache / "staging-contract").glob("contoh-*.json"))) == 2


def test_a_file_that_fails_is_never_cached(tmp_path, cache):
    failing = GOOD_SQL.replace("FROM raw.contoh", "FROM raw.contoh WHERE no_such_column")
    for _ in range(2):
        with pytest.raises(contract.StagingContractError, match="fails on an empty raw.contoh"):
            contract.check_staging_sql(contoh_source(tmp_path, failing), CONTOH)
        shutil.rmtree(tmp_path / "contoh")
    assert not list(cache.rglob("*.json"))


def test_an_unreadable_cache_entry_is_run_again(tmp_path, cache):
    source = contoh_source(tmp_path, GOOD_SQL)
    contract.check_staging_sql(source, CONTOH)
    (entry,) = (cache / "staging-contract").glob("contoh-*.json")
    entry.write_text("{half a file")
    contract.check_staging_sql(source, CONTOH)
    assert entry.read_text().startswith('{"')


@asset
def satu() -> int:
    return 1


@asset
def dua(satu: int) -> int:
    return satu + 1


def test_the_kept_open_event_log_keeps_dagster_files_and_readers(tmp_path):
    """Runs written through the kept-open event log read back, from another instance of the
    same folder, exactly as Dagster wrote them; two instances of two folders in one process
    keep to their own files."""
    dagster_storage.install()
    assert SqliteEventLogStorage._p3dn_pooled
    homes = [tmp_path / "a", tmp_path / "b"]
    written = {}
    for home in homes:
        home.mkdir()
        shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
        with DagsterInstance.from_config(str(home)) as instance:
            result = materialize([satu, dua], instance=instance)
            assert result.success
            written[home] = (result.run_id,
                             [e.dagster_event_type for e in instance.all_logs(result.run_id)])
    for home in homes:
        run_id, events = written[home]
        stock = DagsterSqliteStorage.from_local(str(home))
        records = stock.event_log_storage.get_records_for_run(run_id).records
        assert [r.event_log_entry.dagster_event_type for r in records] == events
        assert events.count("ASSET_MATERIALIZATION") == 2
        assert [run.run_id for run in stock.run_storage.get_runs()] == [run_id]
        assert stock.event_log_storage.get_latest_materialization_events(
            [satu.key])[satu.key].run_id == run_id


def test_a_typed_error_text_in_a_workbook_is_quarantined_as_the_cell_shows_it(tmp_path):
    """The column-by-column XLSX reader still sends a cell typed as ``#REF!`` (a string, not
    an Excel error cell) through the per-cell rule, and only its row."""
    import duckdb
    import xlsxwriter

    from p3dn_pipeline.lib import landing, readers

    path = tmp_path / "blibli_2024.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("Laporan PDN")
    rows = [["Bulan", "Platform", "Nama Usaha", "NIB", "Jumlah Transaksi",
             "Nilai Penjualan (Rp)", "Kategori"],
            ["Januari 2024", "Blibli", "Sentra Betawi", "8162699020659", 53, 2505300, "Lain"],
            ["Januari 2024", "Blibli", "Griya Jaya", "2215779246825", 6, " #REF! ", "Lain"],
            [None] * 7,
            ["Februari 2024", "Blibli", "Kue Nikmat", "2606212224673", 14, 1101300, "Lain"]]
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(number, column, value)
    workbook.close()

    recognition = landing.recognise(landing.read_header(path))
    con = duckdb.connect()
    readers._xlsx_source(con, recognition, readers._xlsx_table(recognition, str(path)))
    got = con.execute("SELECT sheet_row, f_nilai_penjualan, read_problem FROM p3dn_xlsx_rows "
                      "ORDER BY sheet_row").fetchall()
    # Row 4 is blank layout and dropped; row 3 keeps what the cell shows and says why.
    assert got == [
        (2, "2505300", None),
        (3, "#REF!", {"column_name": "Nilai Penjualan (Rp)", "rule": "spreadsheet_error",
                      "offending_value": "#REF!"}),
        (5, "1101300", None),
    ]


def test_the_event_log_asks_once_whether_a_table_exists(tmp_path, monkeypatch):
    """Dagster asks whether its optional tables exist several times per event, each time
    through a new connection: a table found is remembered, one missing is asked again."""
    dagster_storage.install()
    asked: list[str] = []
    original = dagster_storage._ORIGINAL["has_table"]

    def counting(self, table_name):
        asked.append(table_name)
        return original(self, table_name)

    monkeypatch.setitem(dagster_storage._ORIGINAL, "has_table", counting)
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert materialize([satu, dua], instance=instance).success
        storage = instance.event_log_storage
        assert storage.has_table("asset_check_executions")
        assert not storage.has_table("no_such_table")
        assert not storage.has_table("no_such_table")
    assert asked.count("asset_check_executions") == 1
    assert asked.count("no_such_table") == 2
    assert len(asked) == len(set(asked)) + 1  # every other table asked once


def test_every_dagster_database_is_written_ahead_before_its_first_table(tmp_path, monkeypatch):
    """Every connection to Dagster's SQLite files, through the kept-open event log or through
    Dagster's own engines (runs, schedules, the event index), is in WAL mode with
    synchronous=NORMAL before Dagster runs anything on it, each brand-new database (no table
    yet) included: Dagster's own order (tables first, then WAL) makes each CREATE a synced
    commit. The files end as Dagster leaves them: WAL, stamped with a migration revision."""
    dagster_storage.install()
    seen: list[tuple[str, str, int, int]] = []
    tune = dagster_storage._tune

    def watching(dbapi_connection, record):
        tune(dbapi_connection, record)
        seen.append((
            Path(dbapi_connection.execute("PRAGMA database_list").fetchone()[2]).name,
            dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0],
            dbapi_connection.execute("PRAGMA synchronous").fetchone()[0],
            dbapi_connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]))

    monkeypatch.setattr(dagster_storage, "_tune", watching)
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        result = materialize([satu, dua], instance=instance)
        assert result.success
        assert instance.all_logs(result.run_id)
    run_database = f"{result.run_id}.db"
    assert {name for name, _, _, tables in seen if tables == 0} == {
        "runs.db", "schedules.db", "index.db", run_database}
    assert all(mode == "wal" and synchronous == 1 for _, mode, synchronous, _ in seen), seen
    for path in (tmp_path / "history" / "runs.db", tmp_path / "schedules" / "schedules.db",
                 tmp_path / "history" / "runs" / "index.db",
                 tmp_path / "history" / "runs" / run_database):
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_the_migration_head_is_found_once_and_every_database_revision_is_still_read(
        tmp_path, monkeypatch):
    """Every SQLite database Dagster opens checks its schema revision against the head; the
    head (finding it loads every migration script) is found once per process, and each
    check still answers what Dagster's own answers."""
    from dagster._core.storage import sql as dagster_sql
    from dagster._core.storage.runs.sqlite import sqlite_run_storage
    from sqlalchemy import create_engine

    dagster_storage.install()
    monkeypatch.setattr(dagster_storage, "_HEAD_REVISIONS", {})
    loaded: list[str] = []

    class CountingScripts:
        @staticmethod
        def from_config(config):
            loaded.append(config.get_main_option("script_location"))
            return dagster_storage_scripts.from_config(config)

    dagster_storage_scripts = dagster_storage.ScriptDirectory
    monkeypatch.setattr(dagster_storage, "ScriptDirectory", CountingScripts)
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        for _ in range(2):
            assert materialize([satu, dua], instance=instance).success
    # Runs, schedules, the event index and two runs' own databases: one head found.
    assert loaded == ["dagster:_core/storage/alembic"]

    config = dagster_sql.get_alembic_config(sqlite_run_storage.__file__)
    engine = create_engine(f"sqlite:///{tmp_path / 'history' / 'runs.db'}")
    with engine.connect() as conn:
        ours = dagster_storage._check_alembic_revision(config, conn)
        assert ours == dagster_sql.check_alembic_revision(config, conn)
        assert ours[0] is not None and ours[0] == ours[1]
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'older'")
        # The database's own revision is read again: a database behind the head shows.
        assert dagster_storage._check_alembic_revision(config, conn) == ("older", ours[1])
    engine.dispose()


def test_the_builds_table_is_made_once_and_replaces_the_old_ones(tmp_path):
    import duckdb

    from p3dn_pipeline.lib import builds

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA quality")
    con.execute("CREATE TABLE quality.build_fingerprints (x INTEGER)")
    con.execute("CREATE TABLE quality.table_builds (x INTEGER)")
    builds.ensure_table(con)
    assert sorted(r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'quality'").fetchall()) == ["builds"]
    con.execute("INSERT INTO quality.builds VALUES ('a', NULL, 'f', 'b', now())")
    builds.ensure_table(con)  # there already: kept, rows and all
    assert con.execute("SELECT count(*) FROM quality.builds").fetchall() == [(1,)]
    con.close()


def test_loading_the_definitions_imports_no_http_client_no_great_expectations_no_arrow():
    """Every ``p3dn run``, run worker and webserver reload loads the definitions: an import
    only one kind of step needs (httpx for an INAPROC pull, 0.12 s; Great Expectations for
    validation, about 2.8 s; pyarrow and numpy for reading a workbook, 0.26 s) is paid by
    the step that needs it, not by every start-up."""
    import subprocess
    import sys

    probe = ("import sys; import p3dn_pipeline.definitions; "
             "print(sorted(m for m in ('httpx', 'great_expectations', 'pyarrow', 'numpy') "
             "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=REPO, check=True)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]


@pytest.mark.parametrize("value", ["yes", "2", "-1", "on"])
def test_a_postgres_pool_setting_other_than_0_or_1_is_refused_with_its_name(
        tmp_path, monkeypatch, value):
    monkeypatch.setenv(dagster_storage.PG_POOL_ENV, value)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        with pytest.raises(dagster_storage.PostgresPoolError,
                           match=rf"P3DN_DAGSTER_PG_POOL='{value}'"):
            dagster_storage.pool_postgres_storages(instance, 3)


@pytest.mark.parametrize("value", ["0", " 0 "])
def test_postgres_pooling_can_be_turned_off(monkeypatch, value):
    monkeypatch.setenv(dagster_storage.PG_POOL_ENV, value)
    assert dagster_storage.postgres_pooling() is False
    monkeypatch.delenv(dagster_storage.PG_POOL_ENV)
    assert dagster_storage.postgres_pooling() is True
