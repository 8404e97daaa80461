"""Console command ``p3dn``: run the whole pipeline, read the headline figures, or see the
state of every source, mart and check."""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
from pathlib import Path

import duckdb

from p3dn_pipeline.lib.warehouse import fetch_dicts
from p3dn_pipeline.settings import PiiKeyError, check_pii_key, load_settings


def rupiah(value) -> str:
    if value is None:
        return "-"
    return "Rp" + f"{value:,.0f}".replace(",", ".")


def desimal(value, digits: int = 2) -> str:
    """12345.678 -> '12.345,68', the Indonesian way."""
    return f"{value:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def persen(value) -> str:
    return "tidak terukur" if value is None else f"{value:.2f}".replace(".", ",") + " %"


def headline_report(warehouse_path: Path) -> str:
    """The headline KPIs with their basis, read from the marts (read-only)."""
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        provinsi = fetch_dicts(con, "SELECT * FROM marts.p3dn_provinsi")
        umkm = fetch_dicts(
            con,
            "SELECT kd_klpd, tahun, triwulan, jumlah_aktif AS aktif, jumlah_baru AS baru, "
            "is_baseline, produksi_ton_ytd AS produksi_ton, "
            "produksi_olahan_ton_ytd AS produksi_olahan_ton, omzet_rp_ytd AS omzet "
            "FROM marts.umkm_binaan_triwulan WHERE tingkat = 'provinsi' ORDER BY ALL")
        ekatalog = fetch_dicts(
            con, "SELECT count(DISTINCT pelaku_usaha_id) AS pelaku, sum(nilai_rp) AS nilai "
                 "FROM marts.umkm_ekatalog")
        penjualan = fetch_dicts(
            con, "SELECT kanal, jumlah_penjualan, jumlah_umkm_cocok, nilai_cocok_rp, "
                 "pct_penjualan_cocok FROM marts.umkm_pencocokan ORDER BY kanal")
        matching = fetch_dicts(
            con, "SELECT tahun, count(DISTINCT batch) AS batch, "
                 "sum(nilai_ketertarikan_rp) AS minat, sum(nilai_realisasi_rp) AS realisasi "
                 "FROM marts.business_matching GROUP BY tahun ORDER BY tahun")
    finally:
        con.close()
    lines = ["", "== Realisasi komitmen P3DN =="]
    for row in provinsi:
        lines.append(
            f"{row['kd_klpd']} TA {row['tahun_anggaran']}: "
            f"{persen(row['pct_realisasi_komitmen'])} "
            f"(realisasi PDN semua kanal {rupiah(row['pembilang_realisasi_pdn_rp'])} / "
            f"komitmen PDN {rupiah(row['penyebut_komitmen_pdn_rp'])}; "
            f"target {persen(row['target_pct_realisasi_komitmen'])})")
        lines.append(
            f"    kanal: {row['kanal_dihitung'] or '-'} (swakelola tidak dihitung); "
            f"e-katalog saja {persen(row['pct_realisasi_komitmen_ekatalog'])}; "
            f"PDN / realisasi {persen(row['pct_pdn_realisasi'])}, "
            f"UMK / realisasi {persen(row['pct_umk_realisasi'])}")
        lines.append(
            f"    PDN / belanja pengadaan {persen(row['pct_pdn_belanja'])}, "
            f"UMK / belanja pengadaan {persen(row['pct_umk_belanja'])} "
            f"(belanja pengadaan {rupiah(row['belanja_pengadaan_rp'])}); "
            f"data s.d. {row['tanggal_data']}, {row['jumlah_file_sumber']} file sumber")
    if umkm:
        lines += ["", "== UMKM binaan Dinas KPKP =="]
        for row in umkm:
            lines.append(
                f"{row['kd_klpd']} {row['tahun']} TW {row['triwulan']}: {row['aktif']} aktif, "
                + ("triwulan dasar" if row["is_baseline"] else f"{row['baru']} baru")
                + f", produksi {desimal(row['produksi_ton'])} ton (olahan "
                f"{desimal(row['produksi_olahan_ton'])} ton), omzet {rupiah(row['omzet'])} "
                "(s.d. triwulan)")
        lines.append(
            f"UMKM binaan yang berjualan di e-katalog: {ekatalog[0]['pelaku']} pelaku usaha, "
            f"{rupiah(ekatalog[0]['nilai'])}")
    if penjualan:
        lines += ["", "== Penjualan UMKM kohort (binaan KPKP, business matching, Jakpreneur) =="]
        lines += [f"{row['kanal']}: {row['jumlah_umkm_cocok']} UMKM, "
                  f"{rupiah(row['nilai_cocok_rp'])}; {persen(row['pct_penjualan_cocok'])} dari "
                  f"{row['jumlah_penjualan']} penjualan cocok (NIB, lalu NPWP, lalu ID Jakpreneur)"
                  for row in penjualan]
    for row in matching:
        lines.append(f"Business matching {row['tahun']}: {row['batch']} batch, minat "
                     f"{rupiah(row['minat'])}, terealisasi di kanal mana pun "
                     f"{rupiah(row['realisasi'])}")
    return "\n".join(lines)


def run_pipeline(*, full_refresh: bool = False) -> int:
    """What the daily schedule does, in this process: load the landing folder (which
    registers the fiscal years with data; left out when it would change nothing), then build
    every asset over those years in one run; then print the KPIs."""
    from dagster import DagsterInstance

    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.defs.automation import LEFT_OUT_UNCHANGED_TAG, plan_after_load
    from p3dn_pipeline.lib.builds import FULL_REFRESH_TAG
    from p3dn_pipeline.lib.dagster_storage import PostgresPoolError, pool_postgres_storages
    from p3dn_pipeline.lib.partitions import fiscal_year_range_tags, registered_fiscal_years
    from p3dn_pipeline.lib.resources import LOADED_BY_TAG, default_resources
    from p3dn_pipeline.lib.run_plan import load_plan
    from p3dn_pipeline.lib.step_threads import StepThreadsError, step_threads

    settings = load_settings()
    print(f"Landing folder: {settings.landing_dir}\nWarehouse: {settings.warehouse_path}")
    try:
        # The run's resources refuse the same key (every other way of starting a run meets
        # it there); here the refusal is said alone, before Dagster starts a run at all.
        check_pii_key(settings)
    except PiiKeyError as refused:
        print(refused, file=sys.stderr)
        return 1
    os.environ.setdefault("DAGSTER_HOME", str(Path.cwd() / ".dagster_home"))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    instance = DagsterInstance.get()
    try:
        # With PostgreSQL instance storage, the two runs' events (and their planning) go
        # through kept-open connections (lib/dagster_storage.py).
        pool_postgres_storages(instance, step_threads() + 1)
    except (StepThreadsError, PostgresPoolError) as wrong:
        print(wrong, file=sys.stderr)
        return 1
    # Loads, rejections and failures, not Dagster's step-by-step debug events.
    run_config = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    load_job = defs.resolve_job_def("load_landing")
    # With nothing new in the landing folder the load run would load nothing and change
    # nothing (lib/run_plan.py, load_plan): its 22 steps are left out, as a refresh leaves
    # out the tables it would not change.
    load = load_plan(load_job.asset_layer.asset_graph, settings.warehouse_path,
                     settings.landing_dir, default_resources()["pipeline"], instance,
                     {FULL_REFRESH_TAG: "true"} if full_refresh else {})
    print(load.summary())
    tags = {}
    if load.needed:
        loaded = load_job.execute_in_process(instance=instance, raise_on_error=False,
                                             run_config=run_config)
        if not loaded.success:
            return _failed(loaded)
        tags[LOADED_BY_TAG] = loaded.run_id
    tags.update(fiscal_year_range_tags(instance))
    print(f"Fiscal years: {', '.join(map(str, registered_fiscal_years(instance)))}.")
    if full_refresh:
        tags[FULL_REFRESH_TAG] = "true"
    job = defs.resolve_job_def("refresh_all")
    # Every fiscal year in one run: a single writer, as the daily schedule runs it; without
    # the raw steps the load run has just run, nor the tables whose inputs it left
    # unchanged, as refresh_after_load asks it.
    selection, left_out = plan_after_load(job, instance, tags)
    print(left_out.summary())
    if left_out.keys:
        tags[LEFT_OUT_UNCHANGED_TAG] = str(len(left_out.keys))
    result = job.execute_in_process(instance=instance, raise_on_error=False, tags=tags,
                                    run_config=run_config, asset_selection=selection)
    if not result.success:
        return _failed(result)
    print(headline_report(settings.warehouse_path))
    print(recorded_summary(result))
    return 0


def pull_exports(datasets: list[str] | None, years: list[int] | None) -> int:
    """``p3dn pull``: the INAPROC pull job in this process, for some datasets and years (by
    default every dataset and P3DN_PULL_YEARS); each pull's summary, then what failed.
    Exit status 1 when any pull failed (the others are still pulled)."""
    from dagster import AssetKey, DagsterInstance

    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.lib.inaproc import ENDPOINTS, TOKEN_ENV, PullError, load_pull_config
    from p3dn_pipeline.lib.partitions import (
        plausible_fiscal_years,
        register_pull_years,
        year_range_tags,
        year_ranges,
    )

    if not os.environ.get(TOKEN_ENV, "").strip():
        from p3dn_pipeline.defs.inaproc.assets import NO_TOKEN

        print(NO_TOKEN, file=sys.stderr)
        return 1
    try:
        config = load_pull_config()
    except PullError as error:
        print(error, file=sys.stderr)
        return 1
    unknown = sorted(set(datasets or []) - set(ENDPOINTS))
    if unknown:
        print(f"Unknown dataset(s) {', '.join(unknown)}; the API serves: "
              f"{', '.join(ENDPOINTS)}", file=sys.stderr)
        return 1
    years = sorted(set(years or config.years))
    wrong = [y for y in years if y not in plausible_fiscal_years()]
    if wrong:
        print(f"Year(s) {', '.join(map(str, wrong))} outside 2018 to next year; nothing "
              "pulled.", file=sys.stderr)
        return 1
    selected = [AssetKey(["pull", name]) for name in (datasets or ENDPOINTS)]
    print(f"Pulling {len(selected)} dataset(s) of kode_klpd {config.kd_klpd} for "
          f"{', '.join(map(str, years))} from {config.base_url} into "
          f"{load_settings().landing_dir}")
    os.environ.setdefault("DAGSTER_HOME", str(Path.cwd() / ".dagster_home"))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    instance = DagsterInstance.get()
    register_pull_years(instance, years)
    run_config = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    job = defs.resolve_job_def("inaproc_pull")
    failed = []
    # Consecutive years are one run (one rate limiter); a gap makes another.
    for first, last in year_ranges(years):
        result = job.execute_in_process(instance=instance, asset_selection=selected,
                                        tags=year_range_tags(first, last),
                                        raise_on_error=False, run_config=run_config)
        for event in result.get_asset_materialization_events():
            summary = event.materialization.metadata.get("summary")
            if summary is not None:
                print(summary.value)
        failed += [event.message for event in result.all_events if event.is_step_failure]
    if failed:
        print("Failed (the previous snapshot of each stays in place):", file=sys.stderr)
        for message in failed:
            print(f"  {message}", file=sys.stderr)
        return 1
    print("The landing sensor (or the 06:00 run, or p3dn run) loads the new files.")
    return 0


def recorded_summary(result) -> str:
    """The run summary exactly as the run recorded it in Dagster (publish/run_summary)."""
    from p3dn_pipeline.defs.publish.assets import RUN_SUMMARY_KEY

    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == RUN_SUMMARY_KEY:
            return materialization.metadata["summary_text"].value
    return "\n(no run summary was recorded: publish/run_summary did not run)"


def _failed(result) -> int:
    for event in result.all_events:
        if event.is_failure:
            print(event.message, file=sys.stderr)
    print("The run failed; see the messages above or the Dagster UI (make dev).",
          file=sys.stderr)
    return 1


def print_status() -> int:
    """The status report; exit status 1 when a mart is stale or never built, or an ERROR check
    fails, so that a monitor (deploy/p3dn-status.service) notices."""
    from p3dn_pipeline.status import StatusError, status_and_problems

    try:
        report, problems = status_and_problems(load_settings().warehouse_path)
    except StatusError as err:
        print(err, file=sys.stderr)
        return 1
    print(report)
    return 1 if problems else 0


def accept_file(path_text: str) -> int:
    """``p3dn accept <path>``: confirm the held version of a file (one that lost more rows
    than P3DN_SUSPECT_SHRINK allows); the next run loads it. Writes only the confirmation."""
    import datetime as dt
    import getpass

    from p3dn_pipeline.lib import ledger

    settings = load_settings()
    path = _ledger_path(path_text, settings.landing_dir)
    if not settings.warehouse_path.exists():
        print(f"No warehouse at {settings.warehouse_path}: nothing is held.", file=sys.stderr)
        return 1
    try:
        con = duckdb.connect(str(settings.warehouse_path))
    except duckdb.IOException as err:
        print(f"Cannot open {settings.warehouse_path} to record the confirmation ({err}). A "
              "run is probably writing it: try again when it has finished, or launch a run "
              f"with the tag {ledger.ACCEPT_TAG}={path}.", file=sys.stderr)
        return 1
    try:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        accepted = ledger.accept_held(con, path, f"{getpass.getuser()} (p3dn accept)", now)
        held = ledger.held_paths(con)
    finally:
        con.close()
    if not accepted:
        print(f"Nothing of {path!r} is held back"
              + (f"; held: {', '.join(held)}." if held else "; no file is held."),
              file=sys.stderr)
        return 1
    for version in accepted:
        print(f"Accepted {path} (sha256 {version['sha256'][:12]}..., "
              f"{version['rows_loaded']} rows). The next run loads it (p3dn run, or the "
              "daily run at 06:00 WIB).")
    return 0


def _ledger_path(text: str, landing_dir: Path) -> str:
    """A path as the ledger writes it (relative to the landing folder, '/'), from what a
    person types: that, or the file's path from here."""
    candidate = Path(text)
    if candidate.exists():
        try:
            return candidate.resolve().relative_to(landing_dir.resolve()).as_posix()
        except ValueError:
            pass
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="p3dn", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="materialize every asset and print the headline KPIs")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild every table, even those whose inputs have not changed")
    commands.add_parser("kpi", help="print the headline KPIs from the warehouse (read-only)")
    commands.add_parser("status", help="files loaded and rejected per source, mart freshness, "
                                       "failing checks (read-only)")
    accept = commands.add_parser(
        "accept", help="confirm a file held back for losing many rows; the next run loads it")
    accept.add_argument("path", help="the file, as `p3dn status` shows it (relative to the "
                                     "landing folder) or as a path to it")
    pull = commands.add_parser(
        "pull", help="fetch LKPP's datasets from the INAPROC data API into the landing folder")
    pull.add_argument("--dataset", action="append", metavar="NAME",
                      help="a dataset to pull (repeatable; default: every dataset a "
                           "source folder declares an INAPROC endpoint for)")
    pull.add_argument("--year", action="append", type=int, metavar="YYYY",
                      help="a fiscal year to pull (repeatable; default: P3DN_PULL_YEARS, "
                           "else this year and last)")
    args = parser.parse_args(argv)
    if args.command == "pull":
        return pull_exports(args.dataset, args.year)
    if args.command == "run":
        return run_pipeline(full_refresh=args.full_refresh)
    if args.command == "accept":
        return accept_file(args.path)
    if args.command == "status":
        return print_status()
    print(headline_report(load_settings().warehouse_path))
    return 0


def entry() -> None:
    """The ``p3dn`` console command: ``main``, then a quick exit.

    Tearing the interpreter down module by module after Dagster, DuckDB and pyarrow have been
    loaded takes about 0.6 s and frees nothing the operating system would not. The exit
    handlers still run and every stream is flushed; only that teardown is skipped.
    """
    code = main()
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
