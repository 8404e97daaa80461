"""Reference data shipped with the package: DKI geography (Kemendagri codes) and KPI targets."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from p3dn_pipeline.datasets import DATASETS
from p3dn_pipeline.defs import incremental
from p3dn_pipeline.defs.factories import build_sql_asset, table_metadata
from p3dn_pipeline.defs.partitions import SINGLE_RUN
from p3dn_pipeline.defs.resources import P3dnWarehouse
from p3dn_pipeline.lib.warehouse import table_exists, transaction

SQL = Path(__file__).parent / "sql"
REFERENCE_DATA = Path(__file__).parent.parent.parent / "reference_data"

assets = [
    build_sql_asset(
        key=["reference", "wilayah_dki"],
        sql_file=SQL / "reference_wilayah_dki.sql",
        params={"path": str(REFERENCE_DATA / "dki_wilayah_kemendagri_2025.csv")},
        deps=[],
        description=(
            "DKI Jakarta's 6 kota/kabupaten, 44 kecamatan and 267 kelurahan with Kemendagri "
            "codes (Kepmendagri 300.2.2-2138/2025, via cahyadsn/wilayah, MIT), plus a name key "
            "for matching how rosters spell them. Grain: one row per wilayah."
        ),
    ),
    build_sql_asset(
        key=["reference", "target_kpi"],
        sql_file=SQL / "reference_target_kpi.sql",
        params={"path": str(REFERENCE_DATA / "target_kpi.csv")},
        deps=[],
        description=(
            "Targets each P3DN percentage is judged against (95 %, 80 %, 40 %) with their "
            "legal basis. Grain: one row per KPI."
        ),
    ),
]


@asset(key=AssetKey(["reference", "datasets"]), group_name="reference", kinds={"duckdb"},
       backfill_policy=SINGLE_RUN)
def datasets_reference(context: AssetExecutionContext,
                       warehouse: P3dnWarehouse) -> MaterializeResult:
    """The datasets the pipeline recognises (p3dn_pipeline/datasets.py): name, source system,
    title, grain and required fields, so BI users can read marts.data_quality by source.
    Grain: one row per dataset."""
    rows = [(d.name, d.source, d.title, d.grain,
             ", ".join([f.name for f in d.required] + list(d.required_personal)))
            for d in DATASETS]
    build_print = incremental.fingerprint("reference.datasets", rows)
    with warehouse.session() as con:
        if (table_exists(con, "reference.datasets") and incremental.is_unchanged(
                con, context, context.asset_key, build_print, None)):
            return MaterializeResult(metadata={**table_metadata(con, "reference.datasets"),
                                               "rebuilt": False})
        with transaction(con):
            con.execute("CREATE OR REPLACE TABLE reference.datasets (dataset VARCHAR, "
                        "source VARCHAR, title VARCHAR, grain VARCHAR, "
                        "required_fields VARCHAR)").fetchall()
            con.executemany("INSERT INTO reference.datasets VALUES (?, ?, ?, ?, ?)", rows)
            incremental.record_build(con, context.asset_key, build_print, None,
                                     incremental.utc_now())
            metadata = table_metadata(con, "reference.datasets")
    return MaterializeResult(metadata={**metadata, "rebuilt": True})


assets.append(datasets_reference)
