"""APBD realisation exports (BPKD / SIPD Laporan Realisasi Anggaran): raw and staging."""

from pathlib import Path

from p3dn_pipeline.datasets import APBD_REALISASI
from p3dn_pipeline.defs.apbd.checks import RULES
from p3dn_pipeline.defs.factories import build_raw_asset, build_staging_asset

SQL = Path(__file__).parent / "sql"

assets = [
    build_raw_asset(APBD_REALISASI),
    build_staging_asset(APBD_REALISASI, SQL / "staging_apbd_realisasi.sql",
                        key_columns=["kd_klpd", "tahun_anggaran", "kode_skpd", "kode_rekening",
                                     "bulan"],
                        rules=RULES["apbd_realisasi"], year_column="tahun_anggaran",
                        extra_deps=[["staging", "sirup_struktur_anggaran"]]),
]

CHECKED_TABLES = ["staging.apbd_realisasi"]
