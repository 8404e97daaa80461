"""The real Kab. Bandung LKPP exports (../shared/samples, not shipped: no licence) load and
produce marts whose totals match a plain-Python hand check of the same files."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from p3dn_pipeline_tests.conftest import SAMPLES, copy_samples, require_shared_samples

pytestmark = pytest.mark.slow

LKPP_FILES = [
    "lkpp_isb_ecat_paket_epurchasing_v6_D107_2025_sample25.json",
    "lkpp_isb_ecat_paket_epurchasing_v5_D107_2025_sample5.json",
    "lkpp_isb_ecat_produk_detail_sample1.json",
    "lkpp_isb_ecat_penyedia_detail_sample1.json",
    "lkpp_isb_rup_paket_penyedia_terumumkan_D107_2025_sample25.json",
    "lkpp_isb_rup_struktur_anggaran_pd_D107_2025.json",
    "lkpp_isb_rup_master_satker_D107_2025.json",
]
# The other realisation channels (issue 12): dataset, file, rows in the file.
CHANNEL_FILES = {
    "spse_tender_selesai": "lkpp_isb_spse_tender_selesai_nilai_D107_2025_sample25.json",
    "spse_nontender_selesai": "lkpp_isb_spse_nontender_selesai_D107_2025_sample25.json",
    "spse_tender_kontrak": "lkpp_isb_spse_tender_ekontrak_kontrak_D107_2025_sample25.json",
    "spse_nontender_kontrak": "lkpp_isb_spse_nontender_ekontrak_kontrak_D107_2025_sample25.json",
    "spse_pencatatan_nontender": "lkpp_isb_spse_pencatatan_nontender_D107_2025_sample25.json",
    "spse_pencatatan_nontender_realisasi":
        "lkpp_isb_spse_pencatatan_nontender_realisasi_D107_2025_sample25.json",
    "spse_pencatatan_swakelola": "lkpp_isb_spse_pencatatan_swakelola_D107_2025_sample25.json",
    "spse_pencatatan_swakelola_realisasi":
        "lkpp_isb_spse_pencatatan_swakelola_realisasi_D107_2025_sample25.json",
    "bela_tokodaring": "lkpp_isb_bela_tokodaring_realisasi_D107_2025_sample25.json",
    "sirup_master_satker": "lkpp_isb_rup_master_satker_D107_2025.json",
}
TRANSACTED = {"ON_PROCESS", "ON_ADDENDUM", "COMPLETED", "PAYMENT_OUTSIDE_SYSTEM"}


def load(name):
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture(scope="module")
def bandung(tmp_path_factory, module_monkeypatch):
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    require_shared_samples()
    env = point_pipeline_at(module_monkeypatch, tmp_path_factory.mktemp("bandung"))
    copy_samples(sorted({*LKPP_FILES, *CHANNEL_FILES.values()}), env.landing)
    env.materialize()
    return env


def test_headline_totals_match_a_hand_check_of_the_files(bandung):
    struktur = load("lkpp_isb_rup_struktur_anggaran_pd_D107_2025.json")
    sirup = load("lkpp_isb_rup_paket_penyedia_terumumkan_D107_2025_sample25.json")
    v6 = load("lkpp_isb_ecat_paket_epurchasing_v6_D107_2025_sample25.json")
    v5 = load("lkpp_isb_ecat_paket_epurchasing_v5_D107_2025_sample5.json")
    committed = [r for r in sirup if r["status_aktif_rup"] and not r["status_delete_rup"]
                 and r["status_umumkan_rup"] == "Terumumkan"]
    belanja = sum(r["belanja_pengadaan"] for r in struktur if r["belanja_pengadaan"] is not None)
    komitmen_pdn = sum(r["pagu"] for r in committed if r["status_pdn"] == "PDN")
    komitmen_umk = sum(r["pagu"] for r in committed if r["status_ukm"] == "UKM")
    ekatalog = (sum(r["total_harga"] for r in v6 if r["status_pkt"] in TRANSACTED)
                + sum(r["total_harga"] for r in v5
                      if r["paket_status_str"] in ("Paket Proses", "Paket Selesai")))
    # The same figures read off the files by hand, so the check above cannot drift silently.
    assert (belanja, komitmen_pdn, komitmen_umk, ekatalog) == (
        2469300268019, 9584325100, 9584325100, 4307770051)

    # Realisation over every channel, read off the files by hand (issue 12 definitions).
    tender = load(CHANNEL_FILES["spse_tender_selesai"])
    nontender = load(CHANNEL_FILES["spse_nontender_selesai"])
    pencatatan = load(CHANNEL_FILES["spse_pencatatan_nontender"])
    toko = load(CHANNEL_FILES["bela_tokodaring"])

    def rp(value):
        return None if value is None else Decimal(str(value))

    d107_tender = [r for r in tender if r["kd_klpd"] == "D107" and r["nilai_kontrak"] is not None]
    finished = [r for r in nontender
                if r["status_nontender"] == "Selesai" and r["nilai_kontrak"] is not None]
    recorded = [r for r in pencatatan if r["status_nontender_pct_ket"] != "Paket Dibatalkan"]
    paid = [r for r in toko if r["status_verif"] == "verified"
            and r["status_konfirmasi_ppmse"] == "selesai"]
    pdn = (sum(rp(r["nilai_pdn_kontrak"]) for r in d107_tender + finished
               if r["nilai_pdn_kontrak"] is not None)
           + sum(rp(r["nilai_pdn_pct"]) for r in recorded))
    realised = (Decimal(ekatalog) + sum(rp(r["nilai_kontrak"]) for r in d107_tender + finished)
                + sum(rp(r["total_realisasi"]) for r in recorded)
                + sum(rp(r["valuasi"]) for r in paid))
    # By hand: tender 21 contracted D107 rows (3 without a value, 1 row of B154), PDN
    # 14.743.568.659,75; 12 finished non-tenders with a value, PDN 943.110.427,18; 24 recorded
    # purchases not cancelled, PDN 280.736.850,06; every toko-daring payment failed ('gagal').
    # No e-katalog order's kd_rup is in the SiRUP sample, so e-katalog adds no PDN.
    assert (len(d107_tender), len(finished), len(recorded), len(paid)) == (21, 12, 24, 0)
    assert (pdn, realised) == (Decimal("15967415936.99"), Decimal("42987098955.06"))
    rows = bandung.query(
        "SELECT kd_klpd, tahun_anggaran, belanja_pengadaan_rp, penyebut_komitmen_pdn_rp, "
        "komitmen_umk_rp, realisasi_ekatalog_rp, pembilang_realisasi_pdn_rp, realisasi_rp, "
        "pct_realisasi_komitmen, pct_realisasi_komitmen_ekatalog, pct_pdn_belanja, "
        "pct_umk_belanja FROM marts.p3dn_provinsi ORDER BY kd_klpd")
    # 100 x 15.967.415.936,99 / 9.584.325.100 = 166,5990... -> 166,60 %: these are 25-row
    # extracts of each export, so realisation and plan do not cover the same packages (the
    # dashboard flags a figure above 100 %). The row of B154 in the tender file stands under
    # its own kd_klpd, with no commitment: no ratio.
    assert rows == [
        ("B154", 2025, Decimal(0), Decimal(0), Decimal(0), Decimal(0), Decimal(0),
         Decimal("3845075298.00"), None, None, None, None),
        ("D107", 2025, Decimal(belanja), Decimal(komitmen_pdn), Decimal(komitmen_umk),
         Decimal(ekatalog), pdn, realised, Decimal("166.60"), Decimal("0.00"),
         Decimal("0.39"), Decimal("0.39"))]


def test_every_input_row_is_staged_or_quarantined(bandung):
    counts = dict(bandung.query(
        "SELECT 'v6', count(*) FROM staging.ekatalog_paket_v6 UNION ALL "
        "SELECT 'v5', count(*) FROM staging.ekatalog_paket_v5 UNION ALL "
        "SELECT 'sirup', count(*) FROM staging.sirup_paket_penyedia UNION ALL "
        "SELECT 'struktur', count(*) FROM staging.sirup_struktur_anggaran UNION ALL "
        "SELECT 'struktur_quarantined', count(DISTINCT _source_row) "
        "FROM quarantine.sirup_struktur_anggaran WHERE rule = 'no_budget_figures'"))
    # 97 of the 165 satker rows are sub-units (puskesmas, kelurahan) with every figure null.
    assert counts == {"v6": 25, "v5": 5, "sirup": 25, "struktur": 68,
                      "struktur_quarantined": 97}


def test_v5_lines_are_summed_per_package_and_placed_on_their_skpd(bandung):
    rows = bandung.query(
        "SELECT kd_paket, kd_satker_str, nilai_rp FROM staging.ekatalog_paket "
        "WHERE versi_katalog = 'v5' ORDER BY kd_paket")
    # Package 11289430 has 4 lines of 12 x Rp5.670.000; v5 satker_id 361176 is the SiRUP
    # kd_satker of Dinas Perhubungan in RUP-StrukturAnggaranPD.
    satker = [r for r in load("lkpp_isb_rup_struktur_anggaran_pd_D107_2025.json")
              if r["kd_satker"] == 361176]
    assert rows == [("11269599", satker[0]["kd_satker_str"], Decimal("167400000.00")),
                    ("11289430", satker[0]["kd_satker_str"], Decimal("272160000.00"))]


def test_every_new_channel_row_is_staged_or_quarantined_with_a_reason(bandung):
    ledger = dict(bandung.query("SELECT path, dataset FROM raw.file_ledger "
                                "WHERE status = 'loaded'"))
    for dataset, name in CHANNEL_FILES.items():
        assert ledger[name] == dataset
        rows = len(load(name))
        staged, quarantined, unexplained = bandung.query(
            f"SELECT (SELECT count(*) FROM staging.{dataset}), "
            f"(SELECT count(DISTINCT _source_row) FROM quarantine.{dataset}), "
            f"(SELECT count(*) FROM quarantine.{dataset} WHERE rule IS NULL)")[0]
        assert (staged + quarantined, unexplained) == (rows, 0), dataset
    quarantined = bandung.query(
        "SELECT 'nontender_realisasi', rule, count(*) FROM "
        "quarantine.spse_pencatatan_nontender_realisasi GROUP BY ALL UNION ALL "
        "SELECT 'swakelola_realisasi', rule, count(*) FROM "
        "quarantine.spse_pencatatan_swakelola_realisasi GROUP BY ALL UNION ALL "
        "SELECT 'bela', rule, count(*) FROM quarantine.bela_tokodaring GROUP BY ALL ORDER BY ALL")
    # The realisasi exports list a payment once per kd_rup of its package (2 + 2 + 3 rows of
    # 3 payments, and the swakelola payment of 3 rows), and the Bela sample repeats its 2
    # orders 13 and 12 times: every repeat is a duplicate_key. The first two non-tender
    # payments (2 rows each) are dated 2024-08-19 and 2024-04-16 in fiscal year 2025, before
    # its window opens on 1 October 2024: all 4 rows are date_outside_fiscal_year, which
    # leaves the third payment's 3 rows with 2 repeats.
    assert quarantined == [("bela", "duplicate_key", 23),
                           ("nontender_realisasi", "date_outside_fiscal_year", 4),
                           ("nontender_realisasi", "duplicate_key", 2),
                           ("swakelola_realisasi", "duplicate_key", 2)]


def test_real_values_type_identically_and_unknown_values_stay_null(bandung):
    rows = load(CHANNEL_FILES["spse_tender_selesai"])
    staged = dict(bandung.query("SELECT kd_tender, nilai_kontrak_rp FROM staging.spse_tender_selesai"))
    assert staged == {r["kd_tender"]: None if r["nilai_kontrak"] is None
                      else Decimal(str(r["nilai_kontrak"])) for r in rows}
    assert staged[10018467000] == Decimal("1269963504.15")
    # The row of another government keeps its kd_klpd; 13 rows have no PDN value.
    assert bandung.query(
        "SELECT kd_klpd, count(*), count(nilai_pdn_kontrak_rp) FROM staging.spse_tender_selesai "
        "GROUP BY ALL ORDER BY ALL") == [("B154", 1, 0), ("D107", 24, 12)]
    assert bandung.query(
        "SELECT count(*) FILTER (WHERE is_sub_unit), count(*) FILTER (WHERE kd_satker_str_induk "
        "NOT IN (SELECT kd_satker_str FROM staging.sirup_master_satker)) "
        "FROM staging.sirup_master_satker") == [(101, 0)]
