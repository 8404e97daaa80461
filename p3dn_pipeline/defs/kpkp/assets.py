"""Dinas KPKP quarterly rosters of mentored UMKM: raw (NIK hashed on read) and staging."""

from pathlib import Path

from p3dn_pipeline.datasets import KPKP_ROSTER
from p3dn_pipeline.defs.factories import build_raw_asset, build_staging_asset
from p3dn_pipeline.defs.kpkp.checks import RULES

SQL = Path(__file__).parent / "sql"

assets = [
    build_raw_asset(KPKP_ROSTER),
    build_staging_asset(
        KPKP_ROSTER, SQL / "staging_kpkp_roster.sql",
        key_columns=["tahun", "triwulan", "pelaku_usaha_id"],
        rules=RULES["kpkp_roster"],
        # Kota, kecamatan and kelurahan names become Kemendagri codes.
        extra_deps=[["reference", "wilayah_dki"]],
    ),
]

CHECKED_TABLES = ["staging.kpkp_roster"]
