"""LKPP Bela toko-daring exports (ISB): purchases in online marketplaces. See README.md in
this folder for what the exports look like.

ERROR rules block every mart built from the table; WARN rules are shown in the UI and in
marts.data_quality. A rule is ERROR when a failure would make a published figure wrong.
"""

from p3dn_pipeline.lib.sources import Dataset, Source, Staged, fields, expectations

# Purchase dates outside their fiscal year's window are quarantined in staging
# (date_outside_fiscal_year), as e-katalog orders are.

BELA_TOKODARING = Dataset(
    name="bela_tokodaring",
    inaproc_endpoint="legacy/bela/toko-daring-realisasi",
    title="LKPP Bela-TokoDaringRealisasi (purchases in online shops)",
    grain="one row per order (marketplace x order_id)",
    required=fields("tahun", "kd_klpd", "kd_satker", "order_id", "valuasi", "marketplace",
                    "tanggal_transaksi", "status_verif", "status_konfirmasi_ppmse"),
    optional=fields("nama_klpd", "nama_satker", "merchant_name", "metode_bayar",
                    "jenis_transaksi", "sumber_data", "keterangan_ppmse"),
    # The person who ordered. alamat and telepon are not read at all (not declared).
    personal={"nama_pemesan": "drop"},
)

SOURCE = Source(
    title="LKPP Bela (ISB): toko daring",
    staged=(
        Staged(BELA_TOKODARING, key=("marketplace", "order_id"), year_column="tahun_anggaran",
               # An ISB export per kd_klpd x year: the newest (by its newest transaction
               # date) replaces an older one of the same slice.
               snapshot_date="tanggal_transaksi",
               rules=expectations(__file__, BELA_TOKODARING)),
    ),
)
