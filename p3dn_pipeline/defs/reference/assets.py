"""Reference data shipped with the package: DKI geography (Kemendagri codes) and KPI targets."""

from pathlib import Path

from p3dn_pipeline.defs.factories import build_sql_asset

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
