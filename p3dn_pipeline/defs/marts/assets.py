"""The marts BI tools read: P3DN per SKPD and province, APBD monthly, UMKM growth."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from p3dn_pipeline.defs.apbd.assets import CHECKED_TABLES as APBD
from p3dn_pipeline.defs import incremental
from p3dn_pipeline.defs.factories import FILE_LEDGER_KEY, build_sql_asset, table_metadata
from p3dn_pipeline.defs.kpkp.assets import CHECKED_TABLES as KPKP
from p3dn_pipeline.defs.lkpp.assets import CHECKED_TABLES as LKPP
from p3dn_pipeline.defs.partitions import SINGLE_RUN
from p3dn_pipeline.defs.resources import P3dnWarehouse
from p3dn_pipeline.lib import ledger
from p3dn_pipeline.lib.warehouse import fetch_dicts, run_sql_file, table_exists, transaction

SQL = Path(__file__).parent / "sql"

# Marts of fiscal-year figures are partitioned like their staging tables; the UMKM marts
# follow quarters of the calendar year and are rebuilt whole.
_BY_FISCAL_YEAR = {"p3dn_per_skpd", "p3dn_provinsi", "p3dn_apbd_bulanan"}

# mart -> (upstream assets, checked staging tables it is computed from, description)
_MARTS = {
    "p3dn_per_skpd": (
        [["staging", "sirup_struktur_anggaran"], ["staging", "sirup_paket_penyedia"],
         ["staging", "ekatalog_paket"], ["staging", "ekatalog_paket_v6"],
         ["reference", "target_kpi"]],
        LKPP,
        "P3DN per SKPD and fiscal year, for Dinas PPKUKM and every SKPD's procurement officer: "
        "belanja pengadaan, SiRUP commitment to PDN and UMK, e-katalog realisation, and "
        "pct_realisasi_komitmen / pct_pdn_belanja / pct_umk_belanja against their targets. "
        "Grain: kd_klpd x tahun_anggaran x kd_satker_str.",
    ),
    "p3dn_provinsi": (
        [["marts", "p3dn_per_skpd"], ["staging", "ekatalog_paket"],
         ["staging", "sirup_paket_penyedia"], ["staging", "sirup_struktur_anggaran"]],
        LKPP,
        "The headline 'realisasi komitmen P3DN' per pemda and year as quoted to the press, with "
        "numerator, denominator, sources, data date and load time beside it. "
        "Grain: kd_klpd x tahun_anggaran.",
    ),
    "p3dn_apbd_bulanan": (
        [["staging", "apbd_realisasi"], ["staging", "ekatalog_paket"]],
        APBD + LKPP,
        "Monthly APBD realisation of procurement-eligible spending (5.1.02 + 5.2) per SKPD beside "
        "the e-katalog PDN value of the same month, with year-to-date sums and share; for BPKD "
        "and Dinas PPKUKM. Grain: kd_klpd x tahun_anggaran x kode_skpd x bulan.",
    ),
    "umkm_binaan_triwulan": (
        [["staging", "kpkp_roster"], ["reference", "wilayah_dki"]],
        KPKP,
        "UMKM mentored by Dinas KPKP per quarter, kota and sector: active, new, cumulative, "
        "growth q-o-q and y-o-y, production (ton) and turnover year-to-date, PP 7/2021 size "
        "classes. Grain: kd_klpd x tahun x triwulan x kode_kab_kota x sektor.",
    ),
    "umkm_ekatalog": (
        [["staging", "kpkp_roster"], ["staging", "ekatalog_penyedia"],
         ["staging", "ekatalog_paket"]],
        KPKP + LKPP,
        "Mentored UMKM that also sell on e-katalog (matched on NIB or hashed NPWP-16), with "
        "their transacted packages and value per quarter. "
        "Grain: kd_klpd x tahun x triwulan x pelaku_usaha_id.",
    ),
}

assets = [
    build_sql_asset(key=["marts", name], sql_file=SQL / f"{name}.sql", deps=deps,
                    description=description, preview=True, gate_on=checked,
                    year_column="tahun_anggaran" if name in _BY_FISCAL_YEAR else None)
    for name, (deps, checked, description) in _MARTS.items()
]


@asset(
    key=AssetKey(["marts", "data_quality"]),
    group_name="marts",
    kinds={"duckdb"},
    backfill_policy=SINGLE_RUN,
    deps=[FILE_LEDGER_KEY, AssetKey(["reference", "datasets"]),
          *(AssetKey(["staging", table.split(".")[1]]) for table in LKPP + APBD + KPKP)],
)
def data_quality(context: AssetExecutionContext, warehouse: P3dnWarehouse) -> MaterializeResult:
    """Every data-quality finding, for BI users and the people on call: rejected files,
    quarantined rows per file and rule, and each table check with its severity and counts.
    Built even when checks fail (it has no quality gate): it is what explains the failure.
    Grain: one row per source x file x rule."""
    with warehouse.session() as con:
        # Built from the staging tables' quarantine and check results, which change only
        # with a new build of those, and from every status in the ledger, which loading
        # changes after the ledger's own step: that is read here.
        build_print = incremental.fingerprint(
            "marts.data_quality", incremental.file_digest(SQL / "data_quality.sql"),
            ledger.ledger_state(con),
            incremental.upstream_builds(con, incremental.dependency_keys(context)))
        rebuilt = not (table_exists(con, "marts.data_quality") and incremental.is_unchanged(
            con, context, context.asset_key, build_print, None))
        if rebuilt:
            with transaction(con):
                run_sql_file(con, SQL / "data_quality.sql")
                incremental.record_build(con, context.asset_key, build_print, None,
                                         incremental.utc_now())
        metadata = table_metadata(con, "marts.data_quality")
        metadata["rebuilt"] = rebuilt
        summary = fetch_dicts(con, """
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
    return MaterializeResult(metadata=metadata)


assets.append(data_quality)
