"""LKPP SPSE exports (ISB): finished tender and non-tender selections with LKPP's own contract,
PDN and UMK values, their signed e-kontrak contracts, and purchases recorded outside the
selection system (pencatatan non-tender and swakelola) with their payments. See README.md in
this folder for what the exports look like.

ERROR rules block every mart built from the table; WARN rules are shown in the UI and in
marts.data_quality. A rule is ERROR when a failure would make a published figure wrong: the
Selesai and pencatatan tables are summed into the realisation by channel, the e-kontrak and
payment tables are not (they would count a contract twice), so their rules only warn.
"""

from p3dn_pipeline.lib.quality import (
    Between,
    ExistsIn,
    InSet,
    MatchesRegex,
    RowCondition,
    Rule,
    SumsMatch,
)
from p3dn_pipeline.lib.sources import Dataset, Source, Staged, fields

# Eight dotted groups, e.g. 5.03.5.04.0.00.29.0000 (as in SiRUP).
KD_SATKER_STR_PATTERN = r"^[0-9]+(\.[0-9]+){7}$"
YEAR = "tahun_anggaran"
NEWEST_EXPORT = "tanggal_data DESC NULLS LAST"
STATUS_NONTENDER = ("Selesai", "Berlangsung")
# status_*_pct_ket: every value but Paket Dibatalkan is counted as realised, so an unknown
# value would be counted without anyone deciding it should.
STATUS_PENCATATAN = ("Paket Selesai", "Paket Sedang Berjalan", "Paket Dibatalkan")
STATUS_KONTRAK = ("Kontrak Sedang Berjalan", "Kontrak Selesai")

PAGU_NOT_NEGATIVE = "pagu_not_negative"
NILAI_KONTRAK_NOT_NEGATIVE = "nilai_kontrak_not_negative"
NILAI_PDN_KONTRAK_WITHIN_NILAI_KONTRAK = "nilai_pdn_kontrak_within_nilai_kontrak"
NILAI_UMK_KONTRAK_WITHIN_NILAI_KONTRAK = "nilai_umk_kontrak_within_nilai_kontrak"
KD_SATKER_STR_PATTERN_MATCHED = "kd_satker_str_pattern"
STATUS_NONTENDER_KNOWN = "status_nontender_known"
STATUS_KONTRAK_KNOWN = "status_kontrak_known"
NILAI_KONTRAK_AS_SELECTION = "nilai_kontrak_as_selection"
TOTAL_REALISASI_NOT_NEGATIVE = "total_realisasi_not_negative"
NILAI_PDN_WITHIN_TOTAL_REALISASI = "nilai_pdn_within_total_realisasi"
NILAI_UMK_WITHIN_TOTAL_REALISASI = "nilai_umk_within_total_realisasi"
STATUS_KET_KNOWN = "status_ket_known"
NILAI_REALISASI_NOT_NEGATIVE = "nilai_realisasi_not_negative"
PACKAGE_KNOWN = "package_known"
PAYMENTS_ADD_UP_TO_TOTAL_REALISASI = "payments_add_up_to_total_realisasi"

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


def _selection_rules(selesai_table: str | None, code: str) -> tuple[Rule, ...]:
    """Rules of a table holding LKPP's contract, PDN and UMK values; summed when
    ``selesai_table`` is None (the Selesai tables), else compared with it (e-kontrak)."""
    summed = selesai_table is None
    rules = [
        Rule(NILAI_KONTRAK_NOT_NEGATIVE, Between("nilai_kontrak_rp", min_value=0),
             "ERROR" if summed else "WARN", "Contract values are not negative."),
        Rule(NILAI_PDN_KONTRAK_WITHIN_NILAI_KONTRAK,
             RowCondition("nilai_pdn_kontrak_rp <= nilai_kontrak_rp",
                          ("nilai_pdn_kontrak_rp", "nilai_kontrak_rp")), "WARN",
             "The PDN part of a contract is not more than the contract."),
        Rule(NILAI_UMK_KONTRAK_WITHIN_NILAI_KONTRAK,
             RowCondition("nilai_umk_kontrak_rp <= nilai_kontrak_rp",
                          ("nilai_umk_kontrak_rp", "nilai_kontrak_rp")), "WARN",
             "The UMK part of a contract is not more than the contract."),
        Rule(KD_SATKER_STR_PATTERN_MATCHED, MatchesRegex("kd_satker_str", KD_SATKER_STR_PATTERN),
             "WARN", "kd_satker_str has eight dotted groups."),
    ]
    if summed:
        rules.insert(0, Rule(PAGU_NOT_NEGATIVE, Between("pagu_rp", min_value=0), "ERROR",
                             "Package budgets are not negative."))
    else:
        rules += [
            Rule(STATUS_KONTRAK_KNOWN, InSet("status_kontrak", STATUS_KONTRAK), "WARN",
                 "status_kontrak is one the pipeline knows."),
            Rule(NILAI_KONTRAK_AS_SELECTION,
                 SumsMatch("nilai_kontrak_rp", (code,), selesai_table, "nilai_kontrak_rp"),
                 "WARN", "The selection's latest contracts add up to the contract value of "
                         "the selection in its Selesai export."),
        ]
    return tuple(rules)


def _pencatatan_rules() -> tuple[Rule, ...]:
    return (
        Rule(TOTAL_REALISASI_NOT_NEGATIVE, Between("total_realisasi_rp", min_value=0), "ERROR",
             "Realised values are not negative."),
        Rule(PAGU_NOT_NEGATIVE, Between("pagu_rp", min_value=0), "ERROR",
             "Package budgets are not negative."),
        Rule(STATUS_KET_KNOWN, InSet("status_ket", STATUS_PENCATATAN), "ERROR",
             "Every package is Selesai, Sedang Berjalan or Dibatalkan: an unknown status "
             "would be counted as realised."),
        Rule(NILAI_PDN_WITHIN_TOTAL_REALISASI,
             RowCondition("nilai_pdn_rp <= total_realisasi_rp",
                          ("nilai_pdn_rp", "total_realisasi_rp")), "WARN",
             "The PDN part is not more than the realised value."),
        Rule(NILAI_UMK_WITHIN_TOTAL_REALISASI,
             RowCondition("nilai_umk_rp <= total_realisasi_rp",
                          ("nilai_umk_rp", "total_realisasi_rp")), "WARN",
             "The UMK part is not more than the realised value."),
        Rule(KD_SATKER_STR_PATTERN_MATCHED, MatchesRegex("kd_satker_str", KD_SATKER_STR_PATTERN),
             "WARN", "kd_satker_str has eight dotted groups."),
    )


def _payment_rules(parent_table: str, code: str) -> tuple[Rule, ...]:
    return (
        Rule(NILAI_REALISASI_NOT_NEGATIVE, Between("nilai_realisasi_rp", min_value=0), "WARN",
             "Payments are not negative."),
        Rule(PACKAGE_KNOWN, ExistsIn(code, parent_table, code), "WARN",
             "The payment's package is in the package export."),
        Rule(PAYMENTS_ADD_UP_TO_TOTAL_REALISASI,
             SumsMatch("nilai_realisasi_rp", (code,), parent_table, "total_realisasi_rp"),
             "WARN", "A package's payments add up to its total_realisasi."),
    )


# Each ISB export is the whole dataset for one kd_klpd x year at pull time: where two exports
# hold the same slice, the one with the newest export date (_event_date, tgl_penarikan) wins.
EXPORT_DATE = "tanggal_data"

SOURCE = Source(
    title="LKPP SPSE (ISB): tender, non-tender, e-kontrak, pencatatan",
    staged=(
        # A later pull of the same export is the current one: newest data date first.
        Staged(SPSE_TENDER_SELESAI, key=("kd_tender",), rules=_selection_rules(None, "kd_tender"),
               year_column=YEAR, recency=NEWEST_EXPORT, snapshot_date=EXPORT_DATE),
        Staged(SPSE_NONTENDER_SELESAI, key=("kd_nontender",),
               rules=(*_selection_rules(None, "kd_nontender"),
                      Rule(STATUS_NONTENDER_KNOWN, InSet("status_nontender", STATUS_NONTENDER),
                           "WARN", "status_nontender is Selesai or Berlangsung (only Selesai "
                                   "is counted).")),
               year_column=YEAR, recency=NEWEST_EXPORT, snapshot_date=EXPORT_DATE),
        # An addendum is a new version of the same contract: the highest version is current.
        Staged(SPSE_TENDER_KONTRAK, key=("kd_tender", "no_kontrak"),
               rules=_selection_rules("staging.spse_tender_selesai", "kd_tender"),
               year_column=YEAR, recency="versi_addendum DESC NULLS LAST",
               snapshot_date=EXPORT_DATE),
        Staged(SPSE_NONTENDER_KONTRAK, key=("kd_nontender", "no_kontrak"),
               rules=_selection_rules("staging.spse_nontender_selesai", "kd_nontender"),
               year_column=YEAR, recency="versi_addendum DESC NULLS LAST",
               snapshot_date=EXPORT_DATE),
        Staged(SPSE_PENCATATAN_NONTENDER, key=("kd_nontender_pct",), rules=_pencatatan_rules(),
               year_column=YEAR, recency=NEWEST_EXPORT, snapshot_date=EXPORT_DATE),
        # The export repeats a payment once per kd_rup of its package: the key keeps one.
        Staged(SPSE_PENCATATAN_NONTENDER_REALISASI,
               key=("kd_nontender_pct", "jenis_realisasi", "no_realisasi", "tgl_realisasi"),
               rules=_payment_rules("staging.spse_pencatatan_nontender", "kd_nontender_pct"),
               year_column=YEAR, snapshot_date=EXPORT_DATE),
        Staged(SPSE_PENCATATAN_SWAKELOLA, key=("kd_swakelola_pct",), rules=_pencatatan_rules(),
               year_column=YEAR, recency=NEWEST_EXPORT, snapshot_date=EXPORT_DATE),
        Staged(SPSE_PENCATATAN_SWAKELOLA_REALISASI,
               key=("kd_swakelola_pct", "jenis_realisasi", "no_realisasi", "tgl_realisasi"),
               rules=_payment_rules("staging.spse_pencatatan_swakelola", "kd_swakelola_pct"),
               year_column=YEAR, snapshot_date=EXPORT_DATE),
    ),
)
