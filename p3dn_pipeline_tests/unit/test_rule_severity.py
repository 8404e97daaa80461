"""The severity of every ERROR rule, pinned against a list written here from the domain.

An ERROR rule stops every mart computed from its table (the quality gate); a WARN rule is only
reported. Downgrading one of the rules below to WARN would let a figure be published over data
that makes it wrong, and no figure test would notice on clean data: this list is the only
thing that does (``make mutation`` downgrades each one in turn and expects this test to fail).

Each entry says why the rule must stop the figures. The list is written by hand, not read from
the declarations; a new ERROR rule is added here with its reason, and a rule moved to WARN is
removed here with its reason, in the same change.
"""

from __future__ import annotations

from p3dn_pipeline.lib.sources import registry

# (dataset, rule) -> why a row breaking it makes a published figure wrong.
MUST_STOP_THE_FIGURES = {
    # APBD realisation: the denominator of the spending series.
    ("apbd_realisasi", "skpd_rekening_month_unique"): "a line twice is spending counted twice",
    ("apbd_realisasi", "kode_rekening_six_levels"):
        "a subtotal line summed with its details counts the same rupiah twice",
    ("apbd_realisasi", "bulan_between_1_and_12"): "a month 13 has no place in the monthly series",
    # Money that cannot be negative: a negative order or contract lowers a realised total.
    ("bela_tokodaring", "valuasi_not_negative"): "lowers the toko-daring realisation",
    ("business_matching_batch", "nilai_ketertarikan_not_negative"):
        "lowers the business-matching interest total",
    ("ecommerce_penjualan", "nilai_penjualan_not_negative"): "lowers the e-commerce sales total",
    ("ecommerce_penjualan", "jumlah_transaksi_not_negative"): "lowers the transaction count",
    ("eorder_pesanan", "nilai_order_not_negative"): "lowers the e-Order realisation",
    # KPKP rosters: the mentored-UMKM counts and their growth.
    ("kpkp_roster", "business_per_quarter_unique"):
        "a business twice in a quarter is counted twice as active",
    ("kpkp_roster", "kota_in_dki"): "a business outside DKI is not DKI's to count",
    ("kpkp_roster", "kelurahan_in_dki_list"): "a kelurahan outside DKI puts it under no kota",
    ("kpkp_roster", "produksi_not_negative"): "lowers the production total",
    ("kpkp_roster", "omzet_not_negative"): "lowers the turnover total and the size classes",
    # e-Katalog: the realisation channel with the largest value.
    ("ekatalog_paket_v6", "kd_paket_not_null"): "an order without a key cannot be deduplicated",
    ("ekatalog_paket_v6", "kd_paket_unique"): "an order twice is realisation counted twice",
    ("ekatalog_paket_v6", "total_harga_not_negative"): "lowers the e-katalog realisation",
    ("ekatalog_paket_v6", "status_pkt_known"):
        "an unknown status cannot be counted as transacted or not",
    ("ekatalog_paket_v5", "kd_paket_kd_produk_unique"): "a line twice is counted twice",
    ("ekatalog_paket_v5", "total_harga_not_negative"): "lowers the e-katalog realisation",
    ("ekatalog_paket_v5", "total_harga_is_kuantitas_x_harga_satuan"):
        "a line whose total is not its quantity times its price has a wrong value",
    ("ekatalog_produk", "kd_produk_unique"): "a product twice doubles an order's TKDN lines",
    ("ekatalog_produk", "tkdn_between_0_and_100"): "a TKDN above 100 % inflates the TKDN value",
    ("ekatalog_penyedia", "kd_penyedia_unique"):
        "a vendor twice doubles every order joined to it (UMK value)",
    # SiRUP: the denominator of the headline (komitmen PDN) and the plan-side shares.
    ("sirup_paket_penyedia", "kd_rup_not_null"): "a package without a key joins no realisation",
    ("sirup_paket_penyedia", "kd_rup_unique"):
        "a package twice doubles the commitment and every order joined to it",
    ("sirup_paket_penyedia", "pagu_not_negative"): "lowers the commitment",
    ("sirup_paket_penyedia", "status_pdn_known"):
        "a package neither PDN nor Impor cannot be put in the commitment or out of it",
    ("sirup_paket_penyedia", "status_ukm_known"): "the same for the UMK commitment",
    ("sirup_struktur_anggaran", "satker_per_year_unique"):
        "a budget structure twice doubles belanja pengadaan, the shares' denominator",
    ("sirup_struktur_anggaran", "belanja_not_negative"): "lowers belanja pengadaan",
    ("sirup_struktur_anggaran", "belanja_pengadaan_is_operasi_plus_modal"):
        "a belanja pengadaan that is not operasi + modal is not LKPP's denominator",
    # SPSE: tender, non-tender and pencatatan realisation.
    ("spse_tender_selesai", "pagu_not_negative"): "a negative budget is not an export's",
    ("spse_tender_selesai", "nilai_kontrak_not_negative"): "lowers the tender realisation",
    ("spse_nontender_selesai", "pagu_not_negative"): "a negative budget is not an export's",
    ("spse_nontender_selesai", "nilai_kontrak_not_negative"):
        "lowers the non-tender realisation",
    ("spse_pencatatan_nontender", "total_realisasi_not_negative"):
        "lowers the pencatatan realisation",
    ("spse_pencatatan_nontender", "pagu_not_negative"): "a negative budget is not an export's",
    ("spse_pencatatan_nontender", "status_ket_known"):
        "an unknown status would be counted as realised",
    ("spse_pencatatan_swakelola", "total_realisasi_not_negative"):
        "lowers the swakelola figure reported beside the ratio",
    ("spse_pencatatan_swakelola", "pagu_not_negative"): "a negative budget is not an export's",
    ("spse_pencatatan_swakelola", "status_ket_known"):
        "an unknown status would be counted as realised",
}


def declared_rules() -> dict[tuple[str, str], str]:
    return {(staged.name, rule.name): rule.severity
            for staged in registry().staged for rule in staged.rules}


def test_every_rule_that_must_stop_the_figures_is_declared_error():
    declared = declared_rules()
    missing = sorted(key for key in MUST_STOP_THE_FIGURES if key not in declared)
    assert missing == [], f"rules listed here that no source declares: {missing}"
    downgraded = sorted(key for key in MUST_STOP_THE_FIGURES if declared[key] != "ERROR")
    assert downgraded == [], f"rules that must stop the figures but are not ERROR: {downgraded}"


def test_no_rule_is_error_without_a_reason_written_here():
    declared = declared_rules()
    unexplained = sorted(key for key, severity in declared.items()
                         if severity == "ERROR" and key not in MUST_STOP_THE_FIGURES)
    assert unexplained == [], (f"ERROR rules without a reason in {__name__}: {unexplained}; "
                               "add each with why it must stop the figures")

