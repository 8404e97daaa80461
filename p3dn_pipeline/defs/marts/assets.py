"""The marts BI tools read: one asset per ``sql/<mart>.sql``, plus the data-quality report.

Nothing here lists a mart, a source or a dataset. Each SQL file is a mart named after it:
its upstream assets are the tables it reads, its description is the comment it starts with,
and it is partitioned by fiscal year when it builds ``hasil_<mart>`` (see
``p3dn_pipeline.lib.factories.build_sql_asset``). Every mart carries the 08:00 WIB freshness
policy (``automation.with_mart_freshness``).
"""

from pathlib import Path

from dagster import AssetKey, Definitions, MetadataValue, map_asset_specs

from p3dn_pipeline.defs.automation import with_mart_freshness
from p3dn_pipeline.lib import builds, ledger
from p3dn_pipeline.lib.factories import (
    FILE_LEDGER_KEY,
    Build,
    build_sql_asset,
    incremental_asset,
    table_metadata,
)
from p3dn_pipeline.lib.sources import registry
from p3dn_pipeline.lib.warehouse import execute_all, fetch_dicts, table_exists

SQL = Path(__file__).parent / "sql"
DATA_QUALITY_SQL = SQL / "data_quality.sql"
_MODULES = builds.folder_modules(Path(__file__).parent)

assets = [
    build_sql_asset(key=["marts", sql_file.stem], sql_file=sql_file, preview=True,
                    own_code=_MODULES)
    for sql_file in sorted(SQL.glob("*.sql")) if sql_file != DATA_QUALITY_SQL
]


def quarantine_findings_sql(con) -> str:
    """Every dataset's quarantine table as one view, from the source folders' declarations:
    a new source's quarantined rows reach the report without anyone listing them. A table
    not built yet (its staging step failed before it) has no findings to report."""
    parts = [
        f"SELECT '{staged.name}' AS dataset, _source_file, rule, column_name, "
        f"coalesce(_source_sheet || '!', '') || _source_row AS baris, "
        # Only the rule that names the newer export shows its value in the report.
        f"CASE WHEN rule = 'replaced_by_newer_export' "
        f"THEN replace(offending_value, 'replaced by ', '') END AS pengganti "
        f"FROM quarantine.{staged.name}"
        for staged in registry().staged if table_exists(con, f"quarantine.{staged.name}")
    ] or ["SELECT NULL::VARCHAR AS dataset, NULL::VARCHAR AS _source_file, "
          "NULL::VARCHAR AS rule, NULL::VARCHAR AS column_name, NULL::VARCHAR AS baris, "
          "NULL::VARCHAR AS pengganti "
          "WHERE false"]
    return "CREATE OR REPLACE TEMP VIEW quarantine_findings AS\n" + "\nUNION ALL\n".join(parts)


def _build_data_quality(step: Build) -> None:
    execute_all(step.con, quarantine_findings_sql(step.con))
    execute_all(step.con, DATA_QUALITY_SQL.read_text(encoding="utf-8"))
    step.con.execute("DROP VIEW quarantine_findings").fetchall()


def _describe_data_quality(step: Build) -> dict:
    metadata = table_metadata(step.con, "marts.data_quality")
    summary = fetch_dicts(step.con, """
        SELECT sumber, dataset,
               count(*) FILTER (WHERE jenis = 'file_ditolak') AS files_rejected,
               coalesce(sum(jumlah_baris_gagal) FILTER (WHERE jenis = 'baris_dikarantina'), 0)
                   AS rows_quarantined,
               string_agg(aturan, ', ' ORDER BY aturan) FILTER (
                   WHERE jenis = 'pemeriksaan_tabel' AND NOT lulus AND severity = 'ERROR')
                   AS failing_error_checks,
               string_agg(aturan, ', ' ORDER BY aturan) FILTER (
                   WHERE jenis = 'pemeriksaan_tabel' AND NOT lulus AND severity = 'WARN')
                   AS failing_warn_checks
        FROM marts.data_quality GROUP BY ALL ORDER BY ALL""")
    lines = ["| source | dataset | files rejected | rows quarantined | failing ERROR checks "
             "| failing WARN checks |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['sumber']} | {r['dataset'] or '(unrecognised)'} | {r['files_rejected']} | "
              f"{r['rows_quarantined']} | {r['failing_error_checks'] or ''} | "
              f"{r['failing_warn_checks'] or ''} |" for r in summary]
    metadata["summary"] = MetadataValue.md("\n".join(lines))
    return metadata


data_quality = incremental_asset(
    key=AssetKey(["marts", "data_quality"]), group="marts",
    # Every staging table, whose quarantine and check results it reports.
    deps=[FILE_LEDGER_KEY, AssetKey(["reference", "datasets"]),
          *(AssetKey(["staging", staged.name]) for staged in registry().staged)],
    own_code=[DATA_QUALITY_SQL, *_MODULES],
    description=(
        "Every data-quality finding, for BI users and the people on call: rejected files, "
        "quarantined rows per file and rule, and each table check with its severity and "
        "counts. Built even when checks fail (it has no quality gate): it is what explains "
        "the failure. Grain: one row per source x file x rule."),
    # Every status in the ledger, which loading changes after the ledger's own step.
    params=lambda step: [ledger.ledger_state(step.con), quarantine_findings_sql(step.con)],
    exists=lambda step: table_exists(step.con, "marts.data_quality"),
    describe=_describe_data_quality,
)(_build_data_quality)

assets.append(data_quality)

defs = Definitions(assets=map_asset_specs(with_mart_freshness, assets))
