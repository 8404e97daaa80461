"""LKPP open-data exports (e-katalog v5/v6, product and vendor detail, SiRUP): raw and staging."""

from pathlib import Path

from p3dn_pipeline import datasets
from p3dn_pipeline.defs.factories import build_raw_asset, build_sql_asset, build_staging_asset
from p3dn_pipeline.defs.lkpp.checks import RULES

SQL = Path(__file__).parent / "sql"

SIRUP = ["staging", "sirup_paket_penyedia"]
STRUKTUR = ["staging", "sirup_struktur_anggaran"]

YEAR = "tahun_anggaran"

# dataset, business key, newest-first order for duplicates, tables its checks refer to,
# fiscal-year column (products and vendors have no year: they are not partitioned)
_STAGING = [
    (datasets.EKATALOG_PAKET_V6, ["kd_paket"], "", [SIRUP, STRUKTUR], YEAR),
    (datasets.EKATALOG_PAKET_V5, ["kd_paket", "kd_produk"], "", [SIRUP], YEAR),
    (datasets.EKATALOG_PRODUK, ["kd_produk"], "", [], None),
    (datasets.EKATALOG_PENYEDIA, ["kd_penyedia"], "", [], None),
    # SiRUP re-publishes packages; the copy with the latest event date is the current plan.
    (datasets.SIRUP_PAKET_PENYEDIA, ["kd_rup"], "tanggal_data DESC NULLS LAST", [STRUKTUR],
     YEAR),
    (datasets.SIRUP_STRUKTUR_ANGGARAN, ["kd_klpd", "tahun_anggaran", "kd_satker_str"], "", [],
     YEAR),
]
CHECKED_TABLES = [f"staging.{dataset.name}" for dataset, *_ in _STAGING]

raw_assets = [build_raw_asset(dataset) for dataset, *_ in _STAGING]
staging_assets = [
    build_staging_asset(dataset, SQL / f"staging_{dataset.name}.sql", key_columns=key,
                        recency=recency, rules=RULES[dataset.name], extra_deps=refers_to,
                        year_column=year)
    for dataset, key, recency, refers_to, year in _STAGING
]
ekatalog_paket = build_sql_asset(
    key=["staging", "ekatalog_paket"],
    sql_file=SQL / "staging_ekatalog_paket.sql",
    deps=[["staging", dataset.name] for dataset, *_ in _STAGING],
    gate_on=CHECKED_TABLES,
    year_column=YEAR,
    description=(
        "Every e-katalog package, v5 (product lines summed per package) and v6 together, with "
        "its SKPD, transacted flag, linked SiRUP package (PDN/UKM flags) and the value whose "
        "product TKDN is known / >= 25 %. Grain: versi_katalog x kd_paket. The single "
        "definition of e-katalog value every P3DN mart uses."
    ),
)

assets = [*raw_assets, *staging_assets, ekatalog_paket]
