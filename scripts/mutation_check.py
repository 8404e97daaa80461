"""The mutation check (``make mutation``): small breaks of the figures, rules and protections,
each applied to a temporary copy of the repository and run against the tests that must catch
it. The check fails when a break survives (its tests all pass), when a break's old text no
longer occurs exactly once in its file (so the list cannot rot silently), or when the tests
fail on the unbroken copy.

How it runs: the tracked files (``git ls-files``, plus new files not yet committed) are copied
once into a temporary folder, beside a link to ``../shared`` when there is one. Each break is
written into the copy, its tests run there with ``python -m pytest -p no:cacheprovider -x -q``
(working directory and ``PYTHONPATH`` = the copy, bytecode caching off, so the copy's code is
what is imported, not the installed checkout's), and the file is restored. Before the breaks,
the check makes sure the copy's package is the one imported and that every listed test passes
on the unbroken copy (``--no-baseline`` skips that, for a quicker look at one break).

Besides the curated ``BREAKS`` below, every ERROR expectation of a stored suite
(``defs/<source>/expectations/*.json``) is downgraded to WARN, one at a time
(``severity_breaks``): each must be caught.

    .venv/bin/python scripts/mutation_check.py              # everything
    .venv/bin/python scripts/mutation_check.py --list       # the breaks, not run
    .venv/bin/python scripts/mutation_check.py --only growth-same-year-only --no-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNIT = "p3dn_pipeline_tests/unit"
INTEGRATION = "p3dn_pipeline_tests/integration"
CHANNELS = f"{INTEGRATION}/test_p3dn_channels.py"
MARTS = f"{INTEGRATION}/test_p3dn_marts.py"
UMKM = f"{INTEGRATION}/test_umkm_marts.py"
SEVERITY_TEST = f"{UNIT}/test_rule_severity.py"
DASHBOARD_TEST = f"{INTEGRATION}/test_dashboard_figures.py"
EXIT_TESTS_FAILED = 1  # pytest: tests ran and some failed


@dataclass(frozen=True)
class Break:
    id: str
    file: str          # relative to the repository
    old: str           # must occur exactly once in the file
    new: str
    tests: tuple[str, ...]  # pytest node ids that must catch it
    why: str


# The first break is the canary: a line every number passes through, caught by fast unit
# tests. If it survived, the copy's code would not be what the tests import.
BREAKS: list[Break] = [
    # -- Number parsing ------------------------------------------------------------------------
    Break("name-in-coded-field-kept",
          "p3dn_pipeline/lib/readers.py",
          'name = "WHEN p3dn_seperti_nama(_p3dn_n[k]) THEN p3dn_disembunyikan(_p3dn_n[k]) "',
          'name = "WHEN p3dn_seperti_nama(_p3dn_n[k]) THEN _p3dn_vp[k] "',
          (f"{UNIT}/test_raw_projection.py",),
          "A name shifted into a code or quarter field must never be stored as read."),
    Break("code-with-dot-taken-for-a-name",
          "p3dn_pipeline/lib/sql/pii_macros.sql",
          "    AND NOT regexp_full_match(t, '\\S*\\p{L}\\.\\p{L}\\S*')\n",
          "",
          (f"{UNIT}/test_session_macros.py",),
          "A wrong code (X.KODE) is the field's own problem, not personal data that hides the row."),
    Break("unexpected-rows-count-from-kept-rows-only",
          "p3dn_pipeline/lib/quality.py",
          "                    if not rows.truncated:\n",
          "                    if True:\n",
          (f"{UNIT}/test_quality_adapter.py",),
          "Above the rows the cursor keeps, the count of unexpected rows is GX's COUNT, not 1000."),
    Break("nfkc-fast-path-skips-non-ascii",
          "p3dn_pipeline/lib/sql/pii_macros.sql",
          "CASE WHEN x IS NULL OR strlen(x) = length(x) THEN x ELSE p3dn_nfkc(x) END",
          "CASE WHEN x IS NULL OR strlen(x) > 0 THEN x ELSE p3dn_nfkc(x) END",
          (f"{UNIT}/test_raw_projection.py",),
          "A NIK typed in full-width digits must be read (and hashed) as the ASCII one."),
    Break("angka-python-thousand-dots-cut",
          "p3dn_pipeline/lib/indoformat.py",
          '+ bulat.replace(".", "")\n',
          '+ bulat.split(".")[0]\n',
          (f"{UNIT}/test_indoformat.py",),
          "`150.000` must read as 150000, never 150 (DOMAIN.md 5)."),
    Break("angka-sql-thousand-dots-kept",
          "p3dn_pipeline/lib/sql/indoformat_macros.sql",
          "replace(replace(rtrim(ltrim(CAST(x AS VARCHAR), 'RrPp. '), ',-'), '.', ''), ',', '.')",
          "replace(rtrim(ltrim(CAST(x AS VARCHAR), 'RrPp. '), ',-'), ',', '.')",
          (f"{UNIT}/test_indoformat.py",),
          "The SQL fast path of p3dn_angka: every amount of every export goes through it."),
    Break("dashboard-number-grouping-english",
          "p3dn_pipeline/defs/publish/dashboard.py",
          'return text.replace(",", "_").replace(".", ",").replace("_", ".")',
          "return text",
          (DASHBOARD_TEST,),
          "An official reads 71,8 % and Rp1.234; 71.8 is a different number in Indonesian."),
    # -- Realisation status sets ---------------------------------------------------------------
    Break("status-v6-payment-outside-system-dropped",
          "p3dn_pipeline/defs/lkpp/sql/staging_ekatalog_paket_v6.sql",
          "'PAYMENT_OUTSIDE_SYSTEM') AS is_transacted",
          "'PAYMENT_OUTSIDE_SYSTEM_') AS is_transacted",
          (CHANNELS,),
          "LKPP counts an order paid outside the system as transacted (DOMAIN.md 2.1)."),
    Break("status-v5-selesai-dropped",
          "p3dn_pipeline/defs/lkpp/sql/staging_ekatalog_paket_v5.sql",
          "IN ('Paket Proses', 'Paket Selesai')",
          "IN ('Paket Proses')",
          (MARTS,),
          "A finished v5 package is realised."),
    Break("status-nontender-berlangsung-counted",
          "p3dn_pipeline/defs/spse/sql/staging_spse_nontender_selesai.sql",
          "= 'selesai', false) AS is_selesai",
          "IN ('selesai', 'berlangsung'), false) AS is_selesai",
          (CHANNELS,),
          "A selection still running has realised nothing yet."),
    Break("status-pencatatan-dibatalkan-counted",
          "p3dn_pipeline/defs/spse/sql/staging_spse_pencatatan_nontender.sql",
          "= 'paket dibatalkan', false) AS is_dibatalkan",
          "= 'dibatalkan', false) AS is_dibatalkan",
          (CHANNELS,),
          "A cancelled recorded purchase is not realisation."),
    Break("status-tokodaring-unverified-counted",
          "p3dn_pipeline/defs/bela/sql/staging_bela_tokodaring.sql",
          "coalesce(lower(p3dn_teks(status_verif)) = 'verified'\n"
          "             AND lower(p3dn_teks(status_konfirmasi_ppmse)) = 'selesai', false)",
          "coalesce(lower(p3dn_teks(status_konfirmasi_ppmse)) = 'selesai', false)",
          (CHANNELS,),
          "Only a verified order whose payment the marketplace confirmed counts."),
    Break("status-eorder-dibatalkan-counted",
          "p3dn_pipeline/defs/eorder/sql/staging_eorder_pesanan.sql",
          "coalesce(status_norm = 'Selesai', false) AS is_selesai",
          "coalesce(status_norm <> 'Proses', false) AS is_selesai",
          (f"{INTEGRATION}/test_umkm_penjualan.py::test_eorder_joins_sirup_and_is_a_realisation_channel",),
          "Only a finished e-Order is realised; a cancelled one never."),
    # -- Channel rules of the realisation mart -------------------------------------------------
    Break("channel-tokodaring-dropped",
          "p3dn_pipeline/defs/marts/sql/p3dn_realisasi_paket.sql",
          "    UNION ALL SELECT * FROM tokodaring\n",
          "",
          (CHANNELS,),
          "Toko daring is one of the channels of the all-channel realisation."),
    Break("channel-tokodaring-counted-twice",
          "p3dn_pipeline/defs/marts/sql/p3dn_realisasi_paket.sql",
          "    UNION ALL SELECT * FROM tokodaring\n",
          "    UNION ALL SELECT * FROM tokodaring\n    UNION ALL SELECT * FROM tokodaring\n",
          (CHANNELS,),
          "Every order counts once."),
    Break("channel-nontender-dropped",
          "p3dn_pipeline/defs/marts/sql/p3dn_realisasi_paket.sql",
          "    UNION ALL SELECT * FROM nontender\n",
          "",
          (CHANNELS,),
          "Non-tender selections are realisation."),
    Break("channel-swakelola-in-the-ratio",
          "p3dn_pipeline/defs/marts/sql/p3dn_realisasi_paket.sql",
          "paket.kanal <> 'pencatatan_swakelola' AS masuk_rasio_p3dn",
          "true AS masuk_rasio_p3dn",
          (CHANNELS,),
          "Swakelola is self-managed work, reported but never in the P3DN ratio."),
    Break("channel-ekatalog-pdn-without-commitment",
          "p3dn_pipeline/defs/marts/sql/p3dn_realisasi_paket.sql",
          "CASE WHEN e.is_rup_komitmen THEN CASE WHEN e.is_pdn THEN e.nilai_rp ELSE 0 END END",
          "CASE WHEN e.is_pdn THEN e.nilai_rp ELSE 0 END",
          (CHANNELS,),
          "An order with no committed SiRUP package has an unknown PDN value, not 0 or 100 %."),
    Break("channel-tender-unknown-pdn-as-zero",
          "p3dn_pipeline/defs/marts/sql/p3dn_realisasi_paket.sql",
          "CASE WHEN t.nilai_kontrak_rp IS NOT NULL THEN t.nilai_pdn_kontrak_rp END AS nilai_pdn_rp",
          "coalesce(t.nilai_pdn_kontrak_rp, 0) AS nilai_pdn_rp",
          (CHANNELS,),
          "An unreported PDN value is unknown, never 0 %."),
    # -- Quarantine conservation ---------------------------------------------------------------
    Break("quarantine-older-copies-lost",
          "p3dn_pipeline/lib/sql/split_staging_by_year.sql",
          "WHERE copy_rank > 1",
          "WHERE copy_rank > 2",
          (f"{INTEGRATION}/test_quarantine_conservation.py",),
          "Every input row is loaded or quarantined: a third copy of a key would vanish."),
    Break("quarantine-single-problem-rows-lost",
          "p3dn_pipeline/lib/sql/split_staging_by_year.sql",
          "FROM sliced_{name} WHERE len(problems) > 0)",
          "FROM sliced_{name} WHERE len(problems) > 1)",
          (f"{INTEGRATION}/test_quarantine_conservation.py",),
          "A row with one problem is neither staged nor quarantined: dropped silently."),
    # -- NIK hashing ---------------------------------------------------------------------------
    Break("nik-hash-without-key",
          "p3dn_pipeline/lib/sql/pii_macros.sql",
          "sha256(getvariable('p3dn_hmac_opad')\n"
          "               || unhex(sha256(getvariable('p3dn_hmac_ipad') || encode(value))))",
          "sha256(encode(value))",
          (f"{UNIT}/test_pii_key.py::test_long_key_is_used_outside_demo_mode",),
          "An unkeyed SHA-256 of a 16-digit NIK is reversed by trying every NIK."),
    Break("nik-hash-inner-pad-wrong",
          "p3dn_pipeline/lib/warehouse.py",
          "return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)",
          "return bytes(b ^ 0x5C for b in key), bytes(b ^ 0x5C for b in key)",
          (f"{UNIT}/test_pii_key.py::test_long_key_is_used_outside_demo_mode",),
          "Not HMAC-SHA256 (RFC 2104): hashes no longer match other systems' or the key's."),
    # -- Growth periods ------------------------------------------------------------------------
    Break("growth-same-year-only",
          "p3dn_pipeline/defs/marts/sql/umkm_binaan_triwulan.sql",
          "   AND sebelumnya.urutan = g.urutan - 1\n",
          "   AND sebelumnya.urutan = g.urutan - 1 AND sebelumnya.tahun = g.tahun\n",
          (f"{INTEGRATION}/test_end_to_end_sample.py::test_umkm_growth_matches_independent_computation",),
          "TW I is compared with the previous year's TW IV (issue 15: the sample's 2025 TW I "
          "growth went blank and no test failed)."),
    Break("growth-year-on-year-wrong-quarter",
          "p3dn_pipeline/defs/marts/sql/umkm_binaan_triwulan.sql",
          "AND tahun_lalu.urutan = g.urutan - 4",
          "AND tahun_lalu.urutan = g.urutan - 3",
          (f"{UMKM}::test_growth_q1_against_previous_q4_and_year_on_year",),
          "Year on year is the same quarter a year earlier."),
    Break("growth-ytd-flow-from-previous-year",
          "p3dn_pipeline/defs/marts/sql/umkm_binaan_triwulan.sql",
          "CAST(CASE WHEN g.triwulan = 1 THEN g.omzet_rp_ytd\n",
          "CAST(CASE WHEN false THEN g.omzet_rp_ytd\n",
          (f"{UMKM}::test_quarterly_flow_is_the_year_to_date_difference",),
          "TW I's flow is its own year to date, never a difference with last year's TW IV."),
    # -- Dashboard labels and values -----------------------------------------------------------
    Break("dashboard-pdn-belanja-card-shows-umk",
          "p3dn_pipeline/defs/publish/dashboard.py",
          "f\"<dt>PDN / belanja pengadaan</dt><dd>{share('pct_pdn_belanja')} \"",
          "f\"<dt>PDN / belanja pengadaan</dt><dd>{share('pct_umk_belanja')} \"",
          (DASHBOARD_TEST,),
          "issue 15: the card said PDN / belanja and showed the UMK share, and no test failed."),
    Break("dashboard-skpd-pdn-belanja-column-shows-umk",
          "p3dn_pipeline/defs/publish/dashboard.py",
          'share("pct_realisasi_komitmen"), share("pct_pdn_belanja"),',
          'share("pct_realisasi_komitmen"), share("pct_umk_belanja"),',
          (DASHBOARD_TEST,),
          "The SKPD table's PDN / belanja column must show the PDN share."),
    Break("dashboard-headline-shows-ekatalog-only",
          "p3dn_pipeline/defs/publish/dashboard.py",
          "f'<div class=\"angka-besar\">{value(\"pct_realisasi_komitmen\", \"persen\")}</div>'",
          "f'<div class=\"angka-besar\">{value(\"pct_realisasi_komitmen_ekatalog\", \"persen\")}</div>'",
          (DASHBOARD_TEST,),
          "The big number is the all-channel figure; e-katalog alone is the secondary one."),
    # -- Fingerprints --------------------------------------------------------------------------
    Break("fingerprint-sql-text-left-out",
          "p3dn_pipeline/lib/factories.py",
          "own_code=[sql_file, *own_code, *file_params.values()],",
          "own_code=[*own_code, *file_params.values()],",
          (f"{INTEGRATION}/test_incremental_runs.py::test_an_edited_mart_sql_is_rebuilt_on_the_next_run",),
          "issue 15: after editing a mart's SQL the stale figure stayed."),
    Break("fingerprint-upstream-builds-left-out",
          "p3dn_pipeline/lib/factories.py",
          "        return builds.fingerprint(code, params(step) if params else None,\n"
          "                                  builds.upstream_builds(step.con, dependency_keys))",
          "        return builds.fingerprint(code, params(step) if params else None)",
          (f"{INTEGRATION}/test_incremental_runs.py::test_one_changed_export_rebuilds_its_chain_only_and_equals_a_rebuild_from_scratch",),
          "A changed export must rebuild everything computed from it."),
    # -- Crash safety --------------------------------------------------------------------------
    Break("mart-table-committed-before-its-build-is-recorded",
          "p3dn_pipeline/lib/factories.py",
          "                    with transaction(con):\n"
          "                        extra = body(step) or {}\n"
          "                        build_id = builds.begin_build(",
          "                    extra = body(step) or {}\n"
          "                    with transaction(con):\n"
          "                        build_id = builds.begin_build(",
          (f"{INTEGRATION}/test_crash_safety.py::test_kill_during_a_mart_build_leaves_the_mart_unbuilt_and_the_rest_whole",),
          "A run killed mid-build must leave no table the build ledger does not know of "
          "(the crash test's mart kill once landed after the commit and showed nothing)."),
    Break("workbook-read-ahead-taken-after-its-file-changed",
          "p3dn_pipeline/lib/ledger.py",
          "    if workbook is None or workbook.identity != landing.file_identity(path):\n",
          "    if workbook is None:\n",
          (f"{UNIT}/test_read_ahead.py",),
          "A workbook read ahead of its load is used only if its file is the one read; "
          "otherwise the load would store rows of a file no longer there."),
    Break("every-workbook-header-read-again-on-a-scheduled-rehash",
          "p3dn_pipeline/lib/ledger.py",
          "        reading = _read_new_workbook_headers(pool, landing_dir, files, recorded)\n",
          "        reading = _read_new_workbook_headers(pool, landing_dir, files, known)\n",
          (f"{UNIT}/test_read_ahead.py",),
          "The daily run rehashes every file; reading every workbook's header as well would "
          "parse every sheet of an unchanged landing folder."),
    Break("shape-of-a-digit-identifier-one-digit-short",
          "p3dn_pipeline/lib/sql/pii_macros.sql",
          "    CASE WHEN regexp_full_match(value, '[0-9]+') THEN repeat('9', strlen(value))\n",
          "    CASE WHEN regexp_full_match(value, '[0-9]+') THEN repeat('9', strlen(value) - 1)\n",
          (f"{UNIT}/test_session_macros.py",),
          "A NIK's stored shape is how staging quarantines a malformed one: the digits-only "
          "shortcut must give the shape the Unicode rule gives."),
    Break("csv-error-value-looked-for-in-the-first-field-only",
          "p3dn_pipeline/lib/readers.py",
          "    guard = \" OR \".join(f\"contains(c{index}, '#')\" for index in indexes)\n",
          "    guard = f\"contains(c{indexes[0]}, '#')\"\n",
          (f"{UNIT}/test_text_files.py",),
          "An Excel error value in any field of a CSV row is that row's read problem; a guard "
          "that skips a field would load #REF! as data."),
    Break("refresh-after-a-load-runs-the-raw-steps-again",
          "p3dn_pipeline/cli.py",
          "                                    run_config=run_config, asset_selection=selection)\n",
          "                                    run_config=run_config, asset_selection=None)\n",
          (f"{INTEGRATION}/test_automation.py::test_p3dn_run_loads_in_the_load_run_and_refreshes_without_loading_again",),
          "Every p3dn run would run the ledger and 21 raw steps twice (0.6 s of an unchanged run)."),
    Break("load-plan-ignores-the-code-version",
          "p3dn_pipeline/lib/run_plan.py",
          "        if (materialization.tags or {}).get(CODE_VERSION_TAG) != graph.get(key).code_version:\n",
          "        if False:\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_load_that_would_change_nothing_is_left_out_and_every_reason_to_load_is_seen",),
          "After a change to the raw layer's code (a new column, a new personal-data rule), "
          "p3dn run would not run the load that brings the raw tables to it."),
    Break("load-plan-trusts-a-raw-load-that-stopped-half-way",
          "p3dn_pipeline/lib/factories.py",
          "            return exists(step) and builds.is_unchanged(con, None, key, content_state(step),\n"
          "                                                        None)\n",
          "            return exists(step)\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_load_that_would_change_nothing_is_left_out_and_every_reason_to_load_is_seen",),
          "A load killed after loading a file but before pruning the replaced version's rows "
          "would never be finished by p3dn run: the raw table keeps both versions' rows."),
    Break("load-plan-ignores-unregistered-fiscal-years",
          "p3dn_pipeline/lib/factories.py",
          "            return (content_as_recorded(con, pipeline, instance)\n"
          "                    and fiscal_years.registered_as_counted(instance, con, dataset.name))\n",
          "            return content_as_recorded(con, pipeline, instance)\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_load_that_would_change_nothing_is_left_out_and_every_reason_to_load_is_seen",),
          "With a new Dagster instance over an existing warehouse (a PostgreSQL storage "
          "switch), no fiscal year would be registered again: the refresh builds no year."),
    Break("load-plan-ignores-the-landing-folder",
          "p3dn_pipeline/lib/run_plan.py",
          "        if not ledger.landing_matches_ledger(con, landing_dir):\n",
          "        if False:\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_load_that_would_change_nothing_is_left_out_and_every_reason_to_load_is_seen",),
          "A new, changed or removed export would not be loaded by p3dn run."),
    Break("load-plan-skips-the-schedules-rehash",
          "p3dn_pipeline/lib/run_plan.py",
          "    if tags.get(ledger.SCHEDULE_TAG):\n",
          "    if False:\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_load_that_would_change_nothing_is_left_out_and_every_reason_to_load_is_seen",),
          "A scheduled run could leave out the daily hash of every file, the check that "
          "catches an export rewritten with the same size and times."),
    Break("serving-reader-without-the-memory-limit",
          "p3dn_pipeline/defs/publish/serving.py",
          "        apply_resource_limits(con, memory_limit=load_settings().duckdb_memory_limit)\n",
          "        pass\n",
          (f"{INTEGRATION}/test_resource_failures.py::test_the_serving_file_reader_has_a_third_of_the_memory_limit",),
          "The Parquet export would read the serving file with no memory limit: 4.7 GB at "
          "scale 100 under a 3GB P3DN_DUCKDB_MEMORY_LIMIT."),
    Break("serving-reader-with-the-whole-memory-limit",
          "p3dn_pipeline/defs/publish/serving.py",
          '        con.execute("SET memory_limit = $limit", {"limit": f"{share} bytes"}).fetchall()\n',
          "        pass\n",
          (f"{INTEGRATION}/test_resource_failures.py::test_the_serving_file_reader_has_a_third_of_the_memory_limit",),
          "The serving reader, a second DuckDB instance beside the warehouse's, would take the "
          "whole memory limit: the Parquet export step peaked at 4,251 MB at scale 100 under 3GB."),
    Break("run-database-written-ahead-only-after-its-tables",
          "p3dn_pipeline/lib/dagster_storage.py",
          '    cursor.execute("PRAGMA journal_mode=WAL")\n',
          "",
          (f"{UNIT}/test_startup_costs.py::test_every_dagster_database_is_written_ahead_before_its_first_table",),
          "Each run's new Dagster event database would create its tables in rollback-journal "
          "mode, every CREATE a synced commit: 0.37 s per run against 0.1 s."),
    Break("dagster-own-engines-untuned",
          "p3dn_pipeline/lib/dagster_storage.py",
          "            module.create_engine = _create_tuned_engine\n",
          "            pass\n",
          (f"{UNIT}/test_startup_costs.py::test_every_dagster_database_is_written_ahead_before_its_first_table",),
          "A new DAGSTER_HOME's run, schedule and index databases would be created one synced "
          "DDL commit at a time: 1.75 s of a first run's start-up against 0.7 s."),
    Break("defs-module-without-definitions-ignored",
          "p3dn_pipeline/definitions.py",
          "            yield load_definitions_from_module(module)\n",
          "            pass\n",
          (f"{INTEGRATION}/test_definitions.py::test_a_module_with_loose_assets_and_a_yaml_component_are_both_loaded",),
          "An asset defined at module level under defs/ without a Definitions object, which "
          "Dagster's own loader picks up, would silently be missing from the project."),
    Break("postgres-storage-connection-per-event",
          "p3dn_pipeline/lib/dagster_storage.py",
          "            or not isinstance(engine.pool, NullPool)):\n",
          "            or True):\n",
          (f"{INTEGRATION}/test_postgres_storage.py::"
           "test_refresh_all_on_the_production_instance_config_is_stored_in_postgres",),
          "With PostgreSQL instance storage (deploy/dagster-postgres.yaml), every event of a "
          "run would open and close a connection of its own again: thousands per run, twice "
          "the run time of SQLite on the shipped sample."),
    Break("step-threads-start-beside-a-spill",
          "p3dn_pipeline/lib/step_threads.py",
          "                        if hindrance is not None:\n",
          "                        if False:\n",
          (f"{INTEGRATION}/test_step_threads.py::"
           "test_no_step_starts_beside_a_running_one_while_duckdb_has_spilled",
           f"{INTEGRATION}/test_step_threads.py::"
           "test_no_step_starts_beside_a_running_one_while_the_warehouse_outgrows_half_the_memory"),
          "Steps would start beside one whose sort or join spills to disk, sharing its memory "
          "limit and spilling more: at scale 100 that filled the benchmark machine's disk."),
    Break("steps-side-by-side-on-a-warehouse-as-large-as-memory",
          "p3dn_pipeline/lib/step_threads.py",
          "        if size > limits.memory_limit_bytes // 2:\n",
          "        if size > limits.memory_limit_bytes:\n",
          (f"{INTEGRATION}/test_step_threads.py::"
           "test_no_step_starts_beside_a_running_one_while_the_warehouse_outgrows_half_the_memory",),
          "Two staging steps over tables larger than their half of the memory limit would start "
          "together and spill together, as they did when scale 100 filled the disk."),
    Break("two-steps-start-together-while-hindered",
          "p3dn_pipeline/lib/step_threads.py",
          "                            free = 0 if running else 1\n",
          "                            free = 0 if running else free\n",
          (f"{INTEGRATION}/test_step_threads.py::"
           "test_ready_steps_start_one_at_a_time_while_hindered_even_with_nothing_running",),
          "With nothing running, two ready steps would start together on a warehouse too large "
          "for them to share the memory limit, and spill together."),
    Break("spill-folder-not-watched",
          "p3dn_pipeline/lib/resources.py",
          "                settings.duckdb_temp_dir or Path(f\"{self.database}.tmp\"))\n",
          "                settings.duckdb_temp_dir or Path(f\"{self.database}.spill\"))\n",
          (f"{INTEGRATION}/test_step_threads.py::"
           "test_the_warehouse_registers_its_memory_limit_and_the_folder_duckdb_spills_into",),
          "The executor would watch a folder DuckDB never spills into, and start steps beside "
          "a spilling one as if nothing were on disk."),
    Break("step-threads-one-at-a-time",
          "p3dn_pipeline/lib/step_threads.py",
          "    max_concurrent = max_concurrent or step_threads()\n",
          "    max_concurrent = 1\n",
          (f"{INTEGRATION}/test_step_threads.py::test_independent_steps_run_at_once_and_dependents_after",),
          "Runs would run their steps one at a time again whatever P3DN_STEP_THREADS says: the "
          "second core idle while a step reads a workbook or GX builds its metrics."),
    Break("step-threads-share-a-waiting-connection",
          "p3dn_pipeline/lib/resources.py",
          "            return self._idle.pop() if self._idle else None\n",
          "            return self._idle[-1] if self._idle else None\n",
          (f"{INTEGRATION}/test_step_threads.py::test_steps_side_by_side_each_get_a_connection_of_their_own",),
          "Two steps side by side would be handed the same DuckDB connection: one transaction "
          "for both, so one step's failure would roll back the other's work."),
    Break("shared-tables-made-inside-steps",
          "p3dn_pipeline/lib/resources.py",
          "            _ensure_shared_tables(con)\n",
          "",
          (f"{INTEGRATION}/test_step_threads.py::test_a_run_connection_makes_the_shared_bookkeeping_tables_before_any_step",),
          "The bookkeeping tables would be created by the first steps that need them, inside "
          "their transactions: two such steps side by side on a new warehouse conflict."),
    Break("late-imports-left-to-the-steps",
          "p3dn_pipeline/lib/step_threads.py",
          "    for name in modules_imported_first(ordered):\n",
          "    for name in []:\n",
          (f"{INTEGRATION}/test_step_threads.py::test_modules_a_step_imports_late_are_imported_before_any_step_starts",),
          "Great Expectations would be imported by a step's thread while another step imports: "
          "a module met half initialised fails that step."),
    Break("fiscal-year-count-cut-despite-qualify",
          "p3dn_pipeline/lib/fiscal_years.py",
          "            or node.get(\"qualify\") or node.get(\"sample\") or node.get(\"group_expressions\")\n",
          "            or node.get(\"sample\") or node.get(\"group_expressions\")\n",
          (f"{UNIT}/test_fiscal_year_count.py",),
          "A staging query whose QUALIFY names a select-list alias would be counted with that "
          "alias dropped: the count could bind the name to another column and find other years."),
    Break("defs-package-import-error-skipped",
          "p3dn_pipeline/definitions.py",
          "                                       onerror=_import_failed):\n",
          "                                       onerror=None):\n",
          (f"{INTEGRATION}/test_definitions.py::test_a_package_under_defs_that_fails_to_import_stops_the_loading",),
          "A source folder whose package fails to import would silently be missing from the "
          "definitions (pkgutil.walk_packages skips an ImportError)."),
    Break("defs-yaml-component-ignored",
          "p3dn_pipeline/definitions.py",
          "        if any((sub / name).exists() for name in COMPONENT_FILES):\n",
          "        if False:\n",
          (f"{INTEGRATION}/test_definitions.py::test_a_module_with_loose_assets_and_a_yaml_component_are_both_loaded",),
          "A YAML component added under defs/ would never be built: only Dagster's loader "
          "builds components."),
    Break("frozen-catalog-answers-for-every-connection",
          "p3dn_pipeline/lib/warehouse.py",
          "    return catalog if catalog is not None and catalog.con is con else None\n",
          "    return catalog\n",
          (f"{UNIT}/test_run_plan.py::test_a_frozen_catalog_answers_from_one_listing_for_its_connection_only",),
          "A step's connection could be answered from the run plan's listing: a table the step "
          "has just created would not exist for it."),
    Break("dagster-migration-head-found-for-every-database",
          "p3dn_pipeline/lib/dagster_storage.py",
          "        if folder not in _HEAD_REVISIONS:\n",
          "        if True:\n",
          (f"{UNIT}/test_startup_costs.py::test_the_migration_head_is_found_once_and_every_database_revision_is_still_read",),
          "Every SQLite database Dagster opens would load its ~90 migration scripts again "
          "(7 times in an unchanged p3dn run)."),
    Break("pyarrow-imported-with-the-definitions",
          "p3dn_pipeline/lib/readers.py",
          "import duckdb\n\nfrom p3dn_pipeline.lib import spreadsheet, textfile\n",
          "import duckdb\nimport pyarrow as pa\n\nfrom p3dn_pipeline.lib import spreadsheet, textfile\n",
          (f"{UNIT}/test_startup_costs.py::test_loading_the_definitions_imports_no_http_client_no_great_expectations_no_arrow",),
          "Every start-up (p3dn run, run workers, the webserver) would pay 0.26 s for a library "
          "only a workbook's load uses."),
    Break("gx-project-config-saved-as-yaml-each-validation",
          "p3dn_pipeline/lib/quality.py",
          "            _skip_config_saves(context)\n",
          "            pass\n",
          (f"{UNIT}/test_quality_adapter.py::test_a_validation_serializes_no_project_config",),
          "Each validation would dump GX's project config as YAML three times (a sixth of it)."),
    Break("gx-import-thread-outlives-the-duckdb-block",
          "p3dn_pipeline/lib/quality.py",
          "        if thread is not None:\n            thread.join()\n\n\ndef _gx_error",
          "        pass\n\n\ndef _gx_error",
          (f"{UNIT}/test_quality_adapter.py::test_gx_is_imported_while_duckdb_runs_and_whole_when_the_block_ends",),
          "GX's import would go on while Dagster code runs: the half-imported-module crash."),
    Break("staging-table-of-an-older-shape-kept",
          "p3dn_pipeline/lib/factories.py",
          "            reshaped = bool(year_column) and _shape_changed(step.con, dataset.name)\n",
          "            reshaped = False\n",
          (f"{INTEGRATION}/test_fiscal_year_partitions.py::test_a_staging_table_of_an_older_shape_is_rebuilt_for_every_year",),
          "A changed SQL file's new columns would meet the old table's slices of other years."),
    Break("run-plan-leaves-out-a-table-whose-upstream-runs",
          "p3dn_pipeline/lib/run_plan.py",
          "            if any(parent in candidates and parent not in would_skip\n",
          "            if False and any(parent in candidates and parent not in would_skip\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_planned_refresh_runs_a_changed_export_and_everything_built_from_a_rebuilt_table",),
          "A table made from a rebuilt reference table would keep its old rows (and its build "
          "would be stale until some later run)."),
    Break("run-plan-leaves-out-a-mart-not-materialized-today",
          "p3dn_pipeline/lib/run_plan.py",
          "                policy = node.freshness_policy\n",
          "                policy = None\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_planned_refresh_leaves_out_what_is_unchanged_and_confirms_the_marts_once_a_day",),
          "An unchanged mart would get no materialization today: its freshness policy fails at "
          "08:00 WIB although its figures are current."),
    Break("run-plan-mart-window-opens-at-the-deadline",
          "p3dn_pipeline/defs/automation.py",
          "    return _latest_deadline(now + MART_BUILD_WINDOW) - MART_BUILD_WINDOW\n",
          "    return _latest_deadline(now)\n",
          (f"{UNIT}/test_run_plan.py",),
          "A mart built at 07:00 WIB would count as built for the next day: the 06:00 run of "
          "the next day would leave it out and it would be flagged stale at 08:00."),
    Break("run-plan-one-fiscal-year-of-a-mart-counts-for-all",
          "p3dn_pipeline/lib/run_plan.py",
          "        if wanted <= found or not records.has_more:\n            return wanted <= found\n",
          "        if found or not records.has_more:\n            return bool(found)\n",
          (f"{UNIT}/test_run_plan.py::test_materialized_since_asks_for_every_fiscal_year_of_a_partitioned_asset",),
          "A mart whose new fiscal year was never materialized would be left out for it."),
    Break("run-plan-ignores-the-quality-gate",
          "p3dn_pipeline/lib/factories.py",
          "            if gated and quality_gate.gate_problems(\n",
          "            if False and quality_gate.gate_problems(\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_planned_refresh_runs_a_mart_whose_quality_gate_now_fails",),
          "A mart over a staging table whose recorded verdict fails would be left out, its "
          "stale figure standing with no refusal in the run."),
    Break("refresh-after-load-sensor-does-not-plan",
          "p3dn_pipeline/defs/automation.py",
          "    selection, left_out = plan_after_load(refresh_job, instance, tags)\n    if log",
          "    selection, left_out = after_load_selection(refresh_job), run_plan.LeftOut(frozenset())\n    if log",
          (f"{INTEGRATION}/test_automation.py::test_p3dn_run_loads_in_the_load_run_and_refreshes_without_loading_again",),
          "The daily refresh (started by the sensor) would run every unchanged table's step again."),
    Break("run-plan-lets-a-probe-error-stop-the-refresh",
          "p3dn_pipeline/lib/run_plan.py",
          "            except Exception:\n",
          "            except ZeroDivisionError:\n",
          (f"{UNIT}/test_run_plan.py::test_a_warehouse_without_bookkeeping_leaves_out_nothing",),
          "A warehouse the plan cannot judge would stop the refresh (the sensor's tick, p3dn "
          "run) instead of leaving the decision to the steps."),
    Break("run-plan-ignores-missing-check-results",
          "p3dn_pipeline/lib/factories.py",
          "        return stored if check_names <= set(stored) else None\n",
          "        return stored\n",
          (f"{INTEGRATION}/test_incremental_runs.py::test_a_planned_refresh_runs_a_changed_export_and_everything_built_from_a_rebuilt_table",),
          "A table whose checks were never recorded would be left out unchecked."),
    # -- Publish atomicity ---------------------------------------------------------------------
    Break("publish-serving-file-written-in-place",
          "p3dn_pipeline/defs/publish/serving.py",
          "    temp = temporary_path(serving_path, publish_id)\n",
          "    temp = serving_path\n",
          (f"{INTEGRATION}/test_publish.py::test_publish_never_waits_for_readers_and_no_reader_sees_half_a_publish",),
          "A BI tool reading while the file is rewritten sees half a publish."),
]


# -- Generated: every ERROR rule downgraded to WARN ----------------------------------------------

def severity_breaks(root: Path = REPO) -> list[Break]:
    """One break per ERROR expectation of a stored suite (``defs/<source>/expectations/*.json``):
    its ``meta.severity`` "ERROR" as "WARN" and GX's own ``severity`` "critical" as "warning"
    (a suite whose two severities disagree is refused at load, which would be caught for the
    wrong reason). The old text runs from the expectation's ``dagster_check`` to its GX
    severity, which names the rule, so it is unique in its file."""
    found = []
    suites = sorted((root / "p3dn_pipeline" / "defs").glob("*/expectations/*.json"))
    for suite in suites:
        text = suite.read_text(encoding="utf-8")
        relative = suite.relative_to(root).as_posix()
        for expectation in json.loads(text)["expectations"]:
            meta = expectation.get("meta", {})
            if meta.get("severity") != "ERROR":
                continue
            name = meta["dagster_check"]
            start = text.index(f'"dagster_check": {json.dumps(name)}')
            end = text.index('"severity": "critical"', start) + len('"severity": "critical"')
            old = text[start:end]
            new = (old.replace('"severity": "ERROR"', '"severity": "WARN"', 1)
                   .replace('"severity": "critical"', '"severity": "warning"'))
            found.append(Break(
                f"severity-{suite.stem.replace('_', '-')}-{name.replace('_', '-')}", relative,
                old, new, (SEVERITY_TEST,),
                f"{name} must stop the figures computed from {suite.stem}."))
    return found


# -- Running ---------------------------------------------------------------------------------

UNTRACKED = {".git", ".venv", ".dagster_home", "__pycache__", ".pytest_cache", "warehouse"}


def tracked_files(root: Path) -> list[str]:
    """The repository's files: git's list (new files not yet committed included), or, outside
    a git checkout, every file but the virtualenv, caches and the warehouse."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others",
                                 "--exclude-standard", "-z"],
                                cwd=root, check=True, capture_output=True).stdout
        names = listed.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        names = [p.relative_to(root).as_posix() for p in root.rglob("*")
                 if not UNTRACKED & set(p.relative_to(root).parts)]
    return [name for name in names if name and (root / name).is_file()]


def make_copy(root: Path, destination: Path) -> Path:
    """The repository's files under ``destination/<name>``, with ``destination/shared``
    linking to the ``shared`` folder beside the repository (the real samples) when there is
    one, so tests find ``../shared/samples`` from the copy as from the checkout."""
    copy = destination / root.name
    for name in tracked_files(root):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    shared = root.parent / "shared"
    if shared.is_dir():
        (destination / "shared").symlink_to(shared)
    return copy


def environment(copy: Path, dagster_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("P3DN_", "PYTEST_")) and k not in ("PYTHONPATH", "DAGSTER_HOME")}
    env.update(PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1",
               DAGSTER_HOME=str(dagster_home), P3DN_DEMO_MODE="1")
    return env


RUNNING: set[subprocess.Popen] = set()


def run_pytest(copy: Path, env: dict[str, str], tests: tuple[str, ...], log: Path) -> int:
    """pytest in the copy, in a process group of its own, so that stopping the check stops
    the tests and whatever they started (stop_all)."""
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                                    "-x", "-q", *tests], cwd=copy, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        RUNNING.add(process)
        try:
            return process.wait()
        finally:
            RUNNING.discard(process)


def stop_all() -> None:
    for process in list(RUNNING):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def check_import_is_the_copy(copy: Path, env: dict[str, str]) -> None:
    imported = subprocess.run(
        [sys.executable, "-c", "import p3dn_pipeline, p3dn_pipeline_tests; "
         "print(p3dn_pipeline.__file__); print(p3dn_pipeline_tests.__file__)"],
        cwd=copy, env=env, check=True, capture_output=True, text=True).stdout.split()
    for path in imported:
        if not Path(path).resolve().is_relative_to(copy.resolve()):
            raise SystemExit(f"the copy's package is not what is imported: {path}")


def stale_breaks(copy: Path, breaks: list[Break]) -> list[str]:
    problems = []
    for b in breaks:
        path = copy / b.file
        count = path.read_text(encoding="utf-8").count(b.old) if path.is_file() else -1
        if count != 1:
            problems.append(f"{b.id}: its old text occurs {count} times in {b.file} "
                            "(must be exactly once): update the break")
    return problems


@dataclass
class Workspace:
    """One copy of the repository, with its own Dagster home and environment."""
    copy: Path
    env: dict[str, str]


def make_workspace(root: Path, folder: Path) -> Workspace:
    folder.mkdir()
    copy = make_copy(root, folder)
    dagster_home = folder / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(copy / "dagster.yaml", dagster_home / "dagster.yaml")
    env = environment(copy, dagster_home)
    check_import_is_the_copy(copy, env)
    return Workspace(copy, env)


def run_break(b: Break, workspace: Workspace, logs: Path) -> tuple[str, float]:
    path = workspace.copy / b.file
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(b.old, b.new, 1), encoding="utf-8")
    started = time.monotonic()
    try:
        code = run_pytest(workspace.copy, workspace.env, b.tests, logs / f"{b.id}.log")
    finally:
        path.write_text(original, encoding="utf-8")
    result = {0: "SURVIVED", EXIT_TESTS_FAILED: "caught"}.get(code, f"ERROR({code})")
    return result, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the breaks and stop")
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these breaks")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip running the tests on the unbroken copy first (CI: make "
                             "test has just run them)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="breaks run at the same time, each in its own copy (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies and logs")
    args = parser.parse_args(argv)

    breaks = BREAKS + severity_breaks()
    if args.only:
        unknown = set(args.only) - {b.id for b in breaks}
        if unknown:
            parser.error(f"unknown break(s): {sorted(unknown)}")
        breaks = [b for b in breaks if b.id in args.only]
    if args.list:
        for b in breaks:
            print(f"{b.id}\n    {b.file}\n    tests: {' '.join(b.tests)}\n    why: {b.why}")
        print(f"{len(breaks)} breaks")
        return 0
    ids = [b.id for b in breaks]
    if len(ids) != len(set(ids)):
        raise SystemExit("two breaks share an id")

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="p3dn-mutation-"))
    # A stopped check (CI's timeout, Ctrl-C) stops its tests too, and removes its copies.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        logs = workdir / "logs"
        logs.mkdir()
        workspaces = [make_workspace(REPO, workdir / f"copy{n}")
                      for n in range(max(1, min(args.jobs, len(breaks))))]
        stale = stale_breaks(workspaces[0].copy, breaks)
        if stale:
            print("\n".join(stale))
            return 1
        if not args.no_baseline:
            tests = tuple(dict.fromkeys(t for b in breaks for t in b.tests))
            t0 = time.monotonic()
            code = run_pytest(workspaces[0].copy, workspaces[0].env, tests,
                              logs / "baseline.log")
            print(f"baseline: {len(tests)} test targets on the unbroken copy: "
                  f"{'pass' if code == 0 else 'FAIL'} ({time.monotonic() - t0:.0f} s)",
                  flush=True)
            if code != 0:
                print((logs / "baseline.log").read_text()[-4000:])
                return 1
        width = max(len(b.id) for b in breaks)
        print(f"{'break':<{width}}  {'result':<8}  {'s':>5}  tests", flush=True)
        results: dict[str, tuple[str, float]] = {}

        def report(b: Break) -> None:
            result, seconds = results[b.id]
            print(f"{b.id:<{width}}  {result:<8}  {seconds:5.1f}  {' '.join(b.tests)}",
                  flush=True)

        rest = breaks
        if breaks[0] is BREAKS[0]:
            # The canary first, alone: if it survived, the copy's code is not what runs.
            results[breaks[0].id] = run_break(breaks[0], workspaces[0], logs)
            report(breaks[0])
            if results[breaks[0].id][0] != "caught":
                print("the canary break was not caught: the copy's code is not what the "
                      "tests import, or the canary's tests are broken")
                return 1
            rest = breaks[1:]
        free: queue.Queue[Workspace] = queue.Queue()
        for workspace in workspaces:
            free.put(workspace)

        def run_on_a_free_copy(b: Break) -> Break:
            workspace = free.get()
            try:
                results[b.id] = run_break(b, workspace, logs)
            finally:
                free.put(workspace)
            return b

        pool = ThreadPoolExecutor(max_workers=len(workspaces))
        try:
            for done in as_completed([pool.submit(run_on_a_free_copy, b) for b in rest]):
                report(done.result())
        finally:
            # Stopped half-way: kill the running tests first, or their threads are waited for.
            stop_all()
            pool.shutdown(cancel_futures=True)
        bad = [b for b in breaks if results[b.id][0] != "caught"]
        total = time.monotonic() - started
        print(f"\n{len(breaks) - len(bad)} of {len(breaks)} breaks caught, {len(bad)} not; "
              f"{total:.0f} s in all ({len(workspaces)} at a time)")
        for b in bad:
            print(f"  {results[b.id][0]}: {b.id} ({b.file}): {b.why}")
        for b in bad:
            print(f"\n--- {b.id} ---\n" + (logs / f"{b.id}.log").read_text()[-3000:])
        return 1 if bad else 0
    finally:
        stop_all()
        if args.keep:
            print(f"copies and logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
