"""LKPP SPSE exports (ISB): finished tender and non-tender selections with LKPP's own contract,
PDN and UMK values, their signed e-kontrak contracts, and purchases recorded outside the
selection system (pencatatan non-tender and swakelola) with their payments. See README.md in
this folder for what the exports look like.

ERROR rules block every mart built from the table; WARN rules are shown in the UI and in
marts.data_quality. A rule is ERROR when a failure would make a published figure wrong: the
Selesai and pencatatan tables are summed into the realisation by channel, the e-kontrak and
payment tables are not (they would count a contract twice), so their rules only warn.
"""

from p3dn_pipeline.lib.sources import Dataset, Source, Staged, fields, expectations

# Eight dotted groups, e.g. 5.03.5.04.0.00.29.0000 (as in SiRUP).
KD_SATKER_STR_PATTERN = r"^[0-9]+(\.[0-9]+){7}$"
YEAR = "tahun_anggaran"
NEWEST_EXPORT = "tanggal_data DESC NULLS LAST"

# Columns every SPSE export carries about its pemda and office.
SATKER = ("nama_klpd", "jenis_klpd", "kd_satker", "kd_satker_str", "nama_satker", "kd_lpse")

SPSE_TENDER_SELESAI = Dataset(
    name="spse_tender_selesai",
    inaproc_endpoint="v1/tender/tender-selesai-nilai",
    title="LKPP SPSE-TenderSelesaiNilai (finished tenders with LKPP's contract, PDN and UMK values)",
    grain="one row per tender (kd_tender)",
    required=fields(
        "tahun_anggaran", "kd_klpd", "kd_tender", "kd_paket", "kd_rup_paket", "pagu", "hps",
        "nilai_kontrak", "nilai_pdn_kontrak", "nilai_umk_kontrak",
    ),
    optional=fields(
        *SATKER, "nama_paket", "nilai_penawaran", "nilai_terkoreksi", "nilai_negosiasi",
        "tgl_pengumuman_tender", "tgl_penetapan_pemenang", "kd_penyedia", "_event_date",
    ),
    # A person's NPWP is the NIK: hashed, the hash kept to match vendors across exports.
    personal={"npwp_penyedia": "hash", "npwp_16_penyedia": "hash"},
)

SPSE_NONTENDER_SELESAI = Dataset(
    name="spse_nontender_selesai",
    inaproc_endpoint="v1/tender/non-tender-selesai",
    title="LKPP SPSE-NonTenderSelesai (non-tender selections with LKPP's contract, PDN and UMK values)",
    grain="one row per selection (kd_nontender)",
    required=fields(
        "tahun_anggaran", "kd_klpd", "kd_nontender", "kd_rup", "mtd_pemilihan",
        "status_nontender", "pagu", "nilai_kontrak", "nilai_pdn_kontrak", "nilai_umk_kontrak",
    ),
    optional=fields(
        *SATKER, "nama_paket", "hps", "nilai_penawaran", "nilai_terkoreksi", "nilai_negosiasi",
        "jenis_pengadaan", "tgl_pengumuman_nontender", "tgl_selesai_nontender", "kd_penyedia",
        "tgl_penarikan", "_event_date",
    ),
    personal={"npwp_penyedia": "hash", "npwp16_penyedia": "hash"},
)

# The e-kontrak exports name the officials who signed and the vendor's bank account.
KONTRAK_PERSONAL = {
    "nip_ppk": "hash", "nama_ppk": "drop", "jabatan_ppk": "drop", "no_sk_ppk": "drop",
    "wakil_sah_penyedia": "drop", "jabatan_wakil_penyedia": "drop", "no_rek_bank": "drop",
    "nama_pemilik_rek_bank": "drop", "npwp_penyedia": "hash", "npwp_16_penyedia": "hash",
}
KONTRAK_OPTIONAL = (
    *SATKER, "nama_paket", "no_sppbj", "kd_penyedia", "nilai_pdn_kontrak", "nilai_umk_kontrak",
    "jenis_kontrak", "tgl_penetapan_status_kontrak", "apakah_addendum", "versi_addendum",
    "_event_date",
)

SPSE_TENDER_KONTRAK = Dataset(
    name="spse_tender_kontrak",
    inaproc_endpoint="v1/tender/tender-ekontrak-kontrak",
    title="LKPP SPSE-TenderEkontrak-Kontrak (signed tender contracts)",
    grain="one row per contract version (kd_tender x no_kontrak x versi_addendum)",
    required=fields("tahun_anggaran", "kd_klpd", "kd_tender", "no_kontrak", "tgl_kontrak",
                    "nilai_kontrak", "status_kontrak"),
    optional=fields(*KONTRAK_OPTIONAL),
    personal=KONTRAK_PERSONAL,
)

SPSE_NONTENDER_KONTRAK = Dataset(
    name="spse_nontender_kontrak",
    inaproc_endpoint="v1/tender/non-tender-ekontrak-kontrak",
    title="LKPP SPSE-NonTenderEkontrak-Kontrak (signed non-tender contracts)",
    grain="one row per contract version (kd_nontender x no_kontrak x versi_addendum)",
    required=fields("tahun_anggaran", "kd_klpd", "kd_nontender", "no_kontrak", "tgl_kontrak",
                    "nilai_kontrak", "status_kontrak"),
    optional=fields(*KONTRAK_OPTIONAL, "mtd_pengadaan"),
    personal=KONTRAK_PERSONAL,
)

SPSE_PENCATATAN_NONTENDER = Dataset(
    name="spse_pencatatan_nontender",
    inaproc_endpoint="v1/tender/pencatatan-non-tender",
    title="LKPP SPSE-PencatatanNonTender (purchases recorded outside the selection system)",
    grain="one row per recorded package (kd_nontender_pct)",
    required=fields("tahun_anggaran", "kd_klpd", "kd_nontender_pct", "kd_rup", "pagu",
                    "total_realisasi", "nilai_pdn_pct", "nilai_umk_pct",
                    "status_nontender_pct_ket"),
    optional=fields(*SATKER, "nama_paket", "mtd_pemilihan", "kategori_pengadaan",
                    "status_nontender_pct", "alasan_pembatalan", "_event_date"),
    personal={"nip_ppk": "hash", "nama_ppk": "drop"},
)

SPSE_PENCATATAN_NONTENDER_REALISASI = Dataset(
    name="spse_pencatatan_nontender_realisasi",
    inaproc_endpoint="v1/tender/pencatatan-non-tender-realisasi",
    title="LKPP SPSE-PencatatanNonTenderRealisasi (payments of recorded purchases)",
    grain="one row per payment and kd_rup of its package",
    required=fields("tahun_anggaran", "kd_klpd", "kd_nontender_pct", "jenis_realisasi",
                    "no_realisasi", "tgl_realisasi", "nilai_realisasi"),
    optional=fields(*SATKER, "kd_rup_paket", "nama_paket", "pagu", "_event_date"),
    # nama_penyedia of a recorded purchase is often a person ("FIRMAN MOH. RAMDANI").
    personal={"nip_ppk": "hash", "nama_ppk": "drop", "npwp_penyedia": "hash",
              "nama_penyedia": "drop"},
)

SPSE_PENCATATAN_SWAKELOLA = Dataset(
    name="spse_pencatatan_swakelola",
    inaproc_endpoint="v1/tender/pencatatan-swakelola",
    title="LKPP SPSE-PencatatanSwakelola (self-managed work, recorded)",
    grain="one row per recorded package (kd_swakelola_pct)",
    required=fields("tahun_anggaran", "kd_klpd", "kd_swakelola_pct", "kd_rup", "pagu",
                    "total_realisasi", "nilai_pdn_pct", "nilai_umk_pct",
                    "status_swakelola_pct_ket"),
    optional=fields(*SATKER, "nama_paket", "tipe_swakelola", "status_swakelola_pct",
                    "alasan_pembatalan", "_event_date"),
    personal={"nip_ppk": "hash", "nama_ppk": "drop"},
)

SPSE_PENCATATAN_SWAKELOLA_REALISASI = Dataset(
    name="spse_pencatatan_swakelola_realisasi",
    inaproc_endpoint="v1/tender/pencatatan-swakelola-realisasi",
    title="LKPP SPSE-PencatatanSwakelolaRealisasi (payments of self-managed work)",
    grain="one row per payment and kd_rup of its package",
    required=fields("tahun_anggaran", "kd_klpd", "kd_swakelola_pct", "jenis_realisasi",
                    "no_realisasi", "tgl_realisasi", "nilai_realisasi"),
    optional=fields(*SATKER, "kd_rup_paket", "nama_paket", "pagu", "_event_date"),
    personal={"nip_ppk": "hash", "nama_ppk": "drop", "nama_pelaksana": "drop",
              "npwp_pelaksana": "hash"},
)

# Each ISB export is the whole dataset for one kd_klpd x year at pull time: where two exports
# hold the same slice, the one with the newest export date (_event_date, tgl_penarikan) wins.
EXPORT_DATE = "tanggal_data"

SOURCE = Source(
    title="LKPP SPSE (ISB): tender, non-tender, e-kontrak, pencatatan",
    staged=(
        # A later pull of the same export is the current one: newest data date first.
        Staged(SPSE_TENDER_SELESAI, key=("kd_tender",), rules=expectations(__file__, SPSE_TENDER_SELESAI),
               year_column=YEAR, recency=NEWEST_EXPORT, snapshot_date=EXPORT_DATE),
        Staged(SPSE_NONTENDER_SELESAI, key=("kd_nontender",),
               rules=expectations(__file__, SPSE_NONTENDER_SELESAI),
               year_column=YEAR, recency=NEWEST_EXPORT, snapshot_date=EXPORT_DATE),
        # An addendum is a new version of the same contract: the highest version is current.
        Staged(SPSE_TENDER_KONTRAK, key=("kd_tender", "no_kontrak"),
               rules=expectations(__file__, SPSE_TENDER_KONTRAK),
               year_column=YEAR, recency="versi_addendum DESC NULLS LAST",
               snapshot_date=EXPORT_DATE),
        Staged(SPSE_NONTENDER_KONTRAK, key=("kd_nontender", "no_kontrak"),
               rules=expectations(__file__, SPSE_NONTENDER_KONTRAK),
               year_column=YEAR, recency="versi_addendum DESC NULLS LAST",
               snapshot_date=EXPORT_DATE),
        Staged(SPSE_PENCATATAN_NONTENDER, key=("kd_nontender_pct",), rules=expectations(__file__, SPSE_PENCATATAN_NONTENDER),
               year_column=YEAR, recency=NEWEST_EXPORT, snapshot_date=EXPORT_DATE),
        # The export repeats a payment once per kd_rup of its package: the key keeps one.
        Staged(SPSE_PENCATATAN_NONTENDER_REALISASI,
               key=("kd_nontender_pct", "jenis_realisasi", "no_realisasi", "tgl_realisasi"),
               rules=expectations(__file__, SPSE_PENCATATAN_NONTENDER_REALISASI),
               year_column=YEAR, snapshot_date=EXPORT_DATE),
        Staged(SPSE_PENCATATAN_SWAKELOLA, key=("kd_swakelola_pct",), rules=expectations(__file__, SPSE_PENCATATAN_SWAKELOLA),
               year_column=YEAR, recency=NEWEST_EXPORT, snapshot_date=EXPORT_DATE),
        Staged(SPSE_PENCATATAN_SWAKELOLA_REALISASI,
               key=("kd_swakelola_pct", "jenis_realisasi", "no_realisasi", "tgl_realisasi"),
               rules=expectations(__file__, SPSE_PENCATATAN_SWAKELOLA_REALISASI),
               year_column=YEAR, snapshot_date=EXPORT_DATE),
    ),
)
