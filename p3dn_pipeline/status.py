"""``p3dn status``: what the warehouse holds now, for whoever is on call.

Per source folder (LKPP, APBD, KPKP, ...): files loaded, rows, the last file loaded and when, and files
rejected with their reasons, all from the file ledger. Per mart: rows, when its table was
last written (``quality.builds``: a run that finds its inputs unchanged rewrites nothing, so
this can be days ago), when a run last confirmed it current (its latest materialization in
the Dagster instance), and whether that meets the 08:00 WIB deadline, judged as the freshness
policy in the UI judges it (``automation.mart_freshness``). Then every failing quality
check. Every time is printed one way: ``2025-07-01 06:01 WIB``.

The warehouse is opened read-only, so the command is safe beside BI tools, and a run that is
writing makes it fail with a clear message rather than wait.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from p3dn_pipeline.lib.ledger import LEDGER_TABLE
from p3dn_pipeline.lib.sources import registry
from p3dn_pipeline.lib.warehouse import fetch_dicts, table_exists

WIB = ZoneInfo("Asia/Jakarta")
CHECK_RESULTS_TABLE = "quality.check_results"
SEVERITY_ORDER = {"ERROR": 0, "WARN": 1}


class StatusError(Exception):
    """The status cannot be read; the message says why and what to do."""


def wib(utc_naive: dt.datetime) -> str:
    """Ledger and check times are stored as naive UTC; people in Jakarta read WIB."""
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def source_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    source_of = {d.name: d.source for d in registry().datasets}
    if not table_exists(con, LEDGER_TABLE):
        return ["no file ledger yet: nothing has been loaded"]
    loaded = fetch_dicts(con, f"SELECT path, dataset, rows_loaded, status_at FROM {LEDGER_TABLE} "
                              "WHERE status = 'loaded' ORDER BY status_at DESC, path")
    # A path's newest version decides: a rejection later fixed by a good file is history.
    # A held version (it lost many rows; `p3dn accept` loads it) is shown like a rejection.
    rejected = fetch_dicts(con, f"""
        SELECT path, dataset, reason, status FROM (
            SELECT *, row_number() OVER (PARTITION BY path
                                         ORDER BY first_seen_at DESC, status_at DESC) AS newest
            FROM {LEDGER_TABLE} WHERE status <> 'removed')
        WHERE newest = 1 AND status IN ('rejected', 'held') ORDER BY path""")
    # A loaded export whose fields differ from its dataset's declaration (schema drift).
    drifted = fetch_dicts(con, f"""
        SELECT path, dataset, schema_drift FROM {LEDGER_TABLE}
        WHERE status = 'loaded' AND schema_drift IS NOT NULL ORDER BY path""") \
        if "schema_drift" in {r["column_name"] for r in fetch_dicts(
            con, "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' "
                 "AND table_name = 'file_ledger'")} else []
    lines = []
    for source in [s.name for s in registry().sources]:
        files = [r for r in loaded if source_of.get(r["dataset"]) == source]
        if files:
            last = files[0]
            lines.append(
                f"{source}: {_plural(len(files), 'file')} loaded, "
                f"{_plural(sum(r['rows_loaded'] or 0 for r in files), 'row')}; last loaded "
                f"{last['path']} ({last['dataset']}, {_plural(last['rows_loaded'] or 0, 'row')}) "
                f"at {wib(last['status_at'])}")
        else:
            lines.append(f"{source}: no file loaded")
        lines += [f"  {r['status']}: {r['reason']}" for r in rejected
                  if source_of.get(r["dataset"]) == source]
        lines += [f"  fields changed: {r['path']} ({r['dataset']}): {r['schema_drift']}"
                  for r in drifted if source_of.get(r["dataset"]) == source]
    unrecognised = [r for r in rejected if r["dataset"] not in source_of]
    if unrecognised:
        lines.append(f"not recognised as any dataset: {_plural(len(unrecognised), 'file')}")
        lines += [f"  {r['status']}: {r['reason']}" for r in unrecognised]
    return lines


def _dagster_instance_folder() -> Path | None:
    folder = Path(os.environ.get("DAGSTER_HOME") or Path.cwd() / ".dagster_home")
    return folder if folder.is_dir() else None


def age_text(delta: dt.timedelta) -> str:
    """How long ago, as a person says it: never "0.0 h" for something built a minute ago."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "under a minute ago"
    if minutes < 60:
        return f"{minutes} min ago"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min ago"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h ago"


def _wib_aware(moment: dt.datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def _table_build_times(con: duckdb.DuckDBPyConnection) -> dict[str, dt.datetime]:
    """Mart -> when its table was last written (naive UTC), from the build ledger."""
    if not table_exists(con, "quality.builds"):
        return {}
    return {row["asset_key"].removeprefix("marts/"): row["built_at"] for row in fetch_dicts(
        con, "SELECT asset_key, max(built_at) AS built_at FROM quality.builds "
             "WHERE asset_key LIKE 'marts/%' GROUP BY ALL")}


def mart_lines(con: duckdb.DuckDBPyConnection, now: dt.datetime,
               problems: list[str] | None = None) -> list[str]:
    """One line per mart; what should wake someone is appended to ``problems``."""
    from p3dn_pipeline.defs.automation import mart_freshness

    problems = [] if problems is None else problems
    marts = [r["table_name"] for r in fetch_dicts(
        con, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
             "ORDER BY table_name")]
    if not marts:
        problems.append("no mart has been built")
        return ["no mart in the warehouse yet"]
    confirmed = _latest_materializations(marts)
    written = _table_build_times(con)
    lines = []
    for name in marts:
        rows = con.execute(f'SELECT count(*) FROM marts."{name}"').fetchall()[0][0]
        when = confirmed.get(name)
        if when is NO_INSTANCE:
            lines.append(f"marts.{name}: {_plural(rows, 'row')}, freshness unknown: no Dagster "
                         "instance found (set DAGSTER_HOME to the one the runs use)")
            problems.append(f"marts.{name}: freshness unknown")
            continue
        if isinstance(when, str):
            lines.append(f"marts.{name}: {_plural(rows, 'row')}, never built by a run: {when}")
            problems.append(f"marts.{name} has never been built")
            continue
        table_at = written.get(name)
        table_at = table_at.replace(tzinfo=dt.UTC) if table_at else when
        state = mart_freshness(when, now)
        # The table's own time, then (when a later run found nothing to change) when it was
        # confirmed current: the freshness verdict is on the confirmation, as in the UI.
        line = f"marts.{name}: {_plural(rows, 'row')}, built {_wib_aware(table_at)} " \
               f"({age_text(now - table_at)})"
        if when - table_at > dt.timedelta(minutes=1):
            line += f", unchanged since; confirmed current {_wib_aware(when)}"
        if state.fresh:
            line += ", fresh"
        else:
            line += f", STALE: not confirmed since {_wib_aware(state.due_since)}, due by " \
                    f"{_wib_aware(state.deadline)}"
            problems.append(f"marts.{name} is stale")
        lines.append(line)
    return lines


def _publish_tables() -> set[str]:
    """Tables of the marts schema that the publish step writes (the snapshot history), found
    in its SQL: they are not mart assets, their build is the serving file's."""
    folder = Path(__file__).resolve().parent / "defs" / "publish" / "sql"
    pattern = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                         r"marts\.([a-z_0-9]+)", re.IGNORECASE)
    return {m.group(1) for path in folder.glob("*.sql")
            for m in pattern.finditer(path.read_text(encoding="utf-8"))}


NO_INSTANCE = object()  # no Dagster instance to read the materializations from


def _latest_materializations(marts: list[str]) -> dict[str, dt.datetime | str | object]:
    """Mart -> time of its latest materialization (for the publish step's own tables, the
    serving file's), or why it is unknown."""
    folder = _dagster_instance_folder()
    if folder is None:
        return dict.fromkeys(marts, NO_INSTANCE)
    from dagster import AssetKey, DagsterInstance

    publish_tables = _publish_tables()
    found: dict[str, dt.datetime | str] = {}
    with DagsterInstance.from_config(str(folder)) as instance:
        for name in marts:
            key = (AssetKey(["publish", "serving_file"]) if name in publish_tables
                   else AssetKey(["marts", name]))
            event = instance.get_latest_materialization_event(key)
            found[name] = (dt.datetime.fromtimestamp(event.timestamp, dt.UTC) if event else
                           f"the Dagster instance at {folder} has no materialization of "
                           f"{key.to_user_string()}")
    return found


def check_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not table_exists(con, CHECK_RESULTS_TABLE):
        return [f"no check results recorded yet ({CHECK_RESULTS_TABLE} does not exist)"]
    results = fetch_dicts(con, f"SELECT asset_key, check_name, severity, passed, "
                               f"unexpected_count, checked_at FROM {CHECK_RESULTS_TABLE}")
    failing = sorted((r for r in results if not r["passed"]),
                     key=lambda r: (SEVERITY_ORDER.get(r["severity"], 2), r["asset_key"],
                                    r["check_name"]))
    if not failing:
        return [f"none failing ({_plural(len(results), 'check')} passed)"]
    return [f"{r['severity']} {r['asset_key']} {r['check_name']}: "
            f"{'?' if r['unexpected_count'] is None else r['unexpected_count']} unexpected, "
            f"checked {wib(r['checked_at'])}" for r in failing]


CHANGE_WORDS = {"dihapus": "removed from the landing folder",
                "diganti_versi_baru": "replaced by a new version of itself",
                "diganti_ekspor_lebih_baru": "replaced by a newer pull"}


def _persen(value) -> str:
    return "not measurable" if value is None else f"{value:.2f}".replace(".", ",") + " %"


def change_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Exports removed or replaced at the latest publish, the rows that left the figures, and
    how each headline moved from the previous publish: why a figure changed, said where the
    figure is read."""
    if not (table_exists(con, "marts.p3dn_snapshot")
            and table_exists(con, "marts.p3dn_perubahan_ekspor")):
        return ["nothing published yet"]
    publishes = fetch_dicts(con, "SELECT snapshot_id, max(diambil_pada) AS pada "
                                 "FROM marts.p3dn_snapshot GROUP BY ALL ORDER BY pada DESC LIMIT 2")
    if not publishes:
        return ["nothing published yet"]
    latest = publishes[0]["snapshot_id"]
    changes = fetch_dicts(con, "SELECT * FROM marts.p3dn_perubahan_ekspor "
                               "WHERE snapshot_id = $s ORDER BY perubahan, file", {"s": latest})
    lines = [f"{r['file']} ({r['dataset'] or 'no dataset'}): "
             f"{CHANGE_WORDS.get(r['perubahan'], r['perubahan'])}"
             + (f" {r['pengganti']}" if r["perubahan"] == "diganti_ekspor_lebih_baru"
                and r["pengganti"] else "")
             + f"; {_plural(r['baris_keluar'] or 0, 'row')} left the figures" for r in changes]
    if len(publishes) == 2:
        moves = fetch_dicts(con, """
            SELECT coalesce(a.kd_klpd, b.kd_klpd) AS kd_klpd,
                   coalesce(a.tahun_anggaran, b.tahun_anggaran) AS tahun_anggaran,
                   b.pct_realisasi_komitmen AS sebelum, a.pct_realisasi_komitmen AS sesudah
            FROM (SELECT * FROM marts.p3dn_snapshot WHERE snapshot_id = $latest) AS a
            FULL JOIN (SELECT * FROM marts.p3dn_snapshot WHERE snapshot_id = $previous) AS b
                USING (kd_klpd, tahun_anggaran)
            WHERE a.pct_realisasi_komitmen IS DISTINCT FROM b.pct_realisasi_komitmen
            ORDER BY ALL""", {"latest": latest, "previous": publishes[1]["snapshot_id"]})
        lines += [f"headline {m['kd_klpd']} TA {m['tahun_anggaran']}: {_persen(m['sebelum'])} "
                  f"-> {_persen(m['sesudah'])}" for m in moves]
    return lines or ["no export removed or replaced, no headline moved since the previous "
                     "publish"]


def status_report(warehouse_path: Path, now: dt.datetime | None = None) -> str:
    return status_and_problems(warehouse_path, now)[0]


def status_and_problems(warehouse_path: Path,
                        now: dt.datetime | None = None) -> tuple[str, list[str]]:
    """The report, and what in it should wake someone: stale or never-built marts and failing
    ERROR checks (``p3dn status`` exits 1 when there is any, so a monitor catches a dead
    daemon). Failing WARN checks are shown, not counted: they do not stop a figure."""
    now = now or dt.datetime.now(dt.UTC)
    if not warehouse_path.exists():
        raise StatusError(f"No warehouse at {warehouse_path} yet: run `make run` (or "
                          "`p3dn run`) first, or set P3DN_WAREHOUSE to where it is.")
    try:
        con = duckdb.connect(str(warehouse_path), read_only=True)
    except duckdb.IOException as err:
        raise StatusError(f"Cannot open {warehouse_path} read-only ({err}). A run is probably "
                          "writing it right now: try again when it has finished.") from None
    try:
        lines = [f"Warehouse: {warehouse_path} (opened read-only)", "", "== Sources =="]
        lines += source_lines(con)
        lines += ["", "== Marts (due daily by 08:00 WIB, confirmed by a run after 06:00 WIB) =="]
        problems: list[str] = []
        lines += mart_lines(con, now, problems)
        lines += ["", "== Failing checks =="]
        checks = check_lines(con)
        lines += checks
        lines += ["", "== Changed at the latest publish =="]
        lines += change_lines(con)
    finally:
        con.close()
    problems += [line.split(":", 1)[0].removeprefix("ERROR ") + " fails" for line in checks
                 if line.startswith("ERROR ")]
    lines += ["", "== Verdict =="]
    lines += ([f"NOT OK (exit status 1): {'; '.join(problems)}"] if problems else
              ["OK: every mart is fresh and no ERROR check fails (exit status 0)"])
    return "\n".join(lines), problems
