"""LKPP open-data exports (e-katalog v5/v6, product and vendor detail, SiRUP): raw and staging."""

from pathlib import Path

from p3dn_pipeline import datasets
from p3dn_pipeline.defs.factories import build_raw_asset, build_sql_asset, build_staging_asset

SQL = Path(__file__).parent / "sql"

_STAGING_KEYS = [
    (datasets.EKATALOG_PAKET_V6, ["kd_paket"], ""),
    (datasets.EKATALOG_PAKET_V5, ["kd_paket", "kd_produk"], ""),
    (datasets.EKATALOG_PRODUK, ["kd_produk"], ""),
    (datasets.EKATALOG_PENYEDIA, ["kd_penyedia"], ""),
    # SiRUP re-publishes packages; the copy with the latest event date is the current plan.
    (datasets.SIRUP_PAKET_PENYEDIA, ["kd_rup"], "tanggal_data DESC NULLS LAST"),
    (datasets.SIRUP_STRUKTUR_ANGGARAN, ["kd_klpd", "tahun_anggaran", "kd_satker_str"], ""),
]

raw_assets = [build_raw_asset(dataset) for dataset, _, _ in _STAGING_KEYS]
staging_assets = [
    build_staging_asset(dataset, SQL / f"staging_{dataset.name}.sql", key_columns=key,
                        recency=recency)
    for dataset, key, recency in _STAGING_KEYS
]
ekatalog_paket = build_sql_asset(
    key=["staging", "ekatalog_paket"],
    sql_file=SQL / "staging_ekatalog_paket.sql",
    deps=[["staging", dataset.name] for dataset, _, _ in _STAGING_KEYS],
    description=(
        "Every e-katalog package, v5 (product lines summed per package) and v6 together, with "
        "its SKPD, transacted flag, linked SiRUP package (PDN/UKM flags) and the value whose "
        "product TKDN is known / >= 25 %. Grain: versi_katalog x kd_paket. The single "
        "definition of e-katalog value every P3DN mart uses."
    ),
)

assets = [*raw_assets, *staging_assets, ekatalog_paket]
