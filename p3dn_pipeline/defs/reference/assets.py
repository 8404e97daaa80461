"""Reference data shipped with the package: DKI geography (Kemendagri codes), KPI targets, and
the datasets the source folders declare."""

from pathlib import Path

from dagster import AssetKey, Definitions

from p3dn_pipeline.lib import builds
from p3dn_pipeline.lib.factories import Build, build_sql_asset, incremental_asset, table_metadata
from p3dn_pipeline.lib.sources import registry
from p3dn_pipeline.lib.warehouse import table_exists

SQL = Path(__file__).parent / "sql"
REFERENCE_DATA = Path(__file__).parent.parent.parent / "reference_data"
_MODULES = builds.folder_modules(Path(__file__).parent)

assets = [
    build_sql_asset(
        key=["reference", "wilayah_dki"],
        sql_file=SQL / "reference_wilayah_dki.sql",
        params={"path": str(REFERENCE_DATA / "dki_wilayah_kemendagri_2025.csv")},
        own_code=_MODULES,
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
        own_code=_MODULES,
        description=(
            "Targets each P3DN percentage is judged against (95 %, 80 %, 40 %) with their "
            "legal basis. Grain: one row per KPI."
        ),
    ),
    build_sql_asset(
        key=["reference", "seri_publikasi_umkm"],
        sql_file=SQL / "reference_seri_publikasi_umkm.sql",
        params={"path": str(REFERENCE_DATA / "seri_publikasi_umkm.csv")},
        own_code=_MODULES,
        description=(
            "Published year-to-date figures of Dinas KPKP's mentored UMKM (olahan tonnage "
            "97,08 t by TW II 2023, 142,09 t by TW III; omzet), each with its source: the series "
            "the pipeline's quarters are compared with in shape. Grain: one row per figure."
        ),
    ),
]


def _dataset_rows() -> list[tuple]:
    return [(d.name, d.source, d.title, d.grain,
             ", ".join([f.name for f in d.required] + list(d.required_personal)))
            for d in registry().datasets]


def _build_datasets(step: Build) -> None:
    step.con.execute("CREATE OR REPLACE TABLE reference.datasets (dataset VARCHAR, "
                     "source VARCHAR, title VARCHAR, grain VARCHAR, "
                     "required_fields VARCHAR)").fetchall()
    step.con.executemany("INSERT INTO reference.datasets VALUES (?, ?, ?, ?, ?)",
                         _dataset_rows())


assets.append(incremental_asset(
    key=AssetKey(["reference", "datasets"]), group="reference", deps=[], own_code=_MODULES,
    description=(
        "The datasets the pipeline recognises, as the source folders under p3dn_pipeline/defs/ "
        "declare them: name, source, title, grain and required fields, so BI users can read "
        "marts.data_quality by source. Grain: one row per dataset."),
    params=lambda step: _dataset_rows(),
    exists=lambda step: table_exists(step.con, "reference.datasets"),
    describe=lambda step: table_metadata(step.con, "reference.datasets"),
)(_build_datasets))

defs = Definitions(assets=assets)
