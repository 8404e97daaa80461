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
    "lkpp_isb_rup_master_satker_D107_2025.json",  # a dataset the pipeline does not use
]
TRANSACTED = {"ON_PROCESS", "ON_ADDENDUM", "COMPLETED", "PAYMENT_OUTSIDE_SYSTEM"}


def load(name):
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture(scope="module")
def bandung(tmp_path_factory, module_monkeypatch):
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    require_shared_samples()
    env = point_pipeline_at(module_monkeypatch, tmp_path_factory.mktemp("bandung"))
    copy_samples(LKPP_FILES, env.landing)
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

    rows = bandung.query(
        "SELECT kd_klpd, tahun_anggaran, belanja_pengadaan_rp, penyebut_komitmen_pdn_rp, "
        "komitmen_umk_rp, realisasi_ekatalog_rp, pembilang_realisasi_pdn_rp, "
        "pct_realisasi_komitmen, pct_pdn_belanja, pct_umk_belanja FROM marts.p3dn_provinsi")
    # No e-katalog order in these 25-row samples points at a kd_rup in the SiRUP sample, so
    # realisation against the commitment is 0 and all e-katalog value is unlinked.
    assert rows == [("D107", 2025, Decimal(belanja), Decimal(komitmen_pdn),
                     Decimal(komitmen_umk), Decimal(ekatalog), Decimal(0), Decimal("0.00"),
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


def test_unused_dataset_is_rejected_naming_the_closest_dataset_and_missing_fields(bandung):
    rows = bandung.query("SELECT status, reason FROM raw.file_ledger WHERE path LIKE '%master_satker%'")
    assert rows[0][0] == "rejected"
    assert "closest is sirup_struktur_anggaran" in rows[0][1]
    assert "tahun_anggaran, belanja_operasi, belanja_modal, belanja_pengadaan, total_belanja" \
        in rows[0][1]
