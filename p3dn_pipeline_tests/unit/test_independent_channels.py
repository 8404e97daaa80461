"""The independent computation of realisation by channel and of the all-channel headline
(``independent.p3dn_realisasi_kanal`` / ``p3dn_headline``), on a landing folder written here
by hand, every figure worked out by hand in the comments (issue-12 contract, "Channel and
headline definitions")."""

from __future__ import annotations

import csv
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from p3dn_pipeline_tests import independent

DKI, LAIN = "DKI", "B999"
NEW, OLD = "2026-01-05", "2025-10-01"  # data dates of two pulls


def _json(folder: Path, name: str, rows: list[dict]) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows), encoding="utf-8")


def _csv(folder: Path, name: str, rows: list[dict]) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)


def _plan(kd_rup: int, pagu: int, pdn: bool, aktif: bool = True, tahun: int = 2025) -> dict:
    return {"tahun_anggaran": tahun, "kd_klpd": DKI, "kd_satker_str": "1.01.0.00.0.00.01.0000",
            "kd_rup": kd_rup, "pagu": pagu, "status_pdn": "PDN" if pdn else "Impor",
            "status_ukm": "UKM", "status_aktif_rup": aktif, "status_delete_rup": False,
            "status_umumkan_rup": "Terumumkan", "_event_date": NEW}


def _order(kd_paket: str, kd_rup: str, nilai: int, status: str, sikap: int,
           tahun: int = 2025) -> dict:
    return {"tahun_anggaran": tahun, "kd_klpd": DKI, "kd_satker_str": "1.01.0.00.0.00.01.0000",
            "kd_paket": kd_paket, "kd_rup": kd_rup, "product_ids": "p", "kd_penyedia_v6": "v",
            "kd_penyedia_sikap": sikap, "total_harga": nilai, "tgl_order": f"{tahun}-03-01",
            "status_pkt": status}


def _tender(kd: int, nilai, pdn, umk, kd_klpd: str = DKI, event: str = NEW) -> dict:
    return {"tahun_anggaran": 2025, "kd_klpd": kd_klpd, "kd_satker": "1.01.0.00.0.00.01.0000",
            "kd_tender": kd, "kd_rup_paket": "50000001", "pagu": 5000, "nilai_kontrak": nilai,
            "nilai_pdn_kontrak": pdn, "nilai_umk_kontrak": umk, "_event_date": event}


def _nontender(kd: int, status: str, nilai, pdn, umk) -> dict:
    return {"tahun_anggaran": 2025, "kd_klpd": DKI, "kd_nontender": kd, "kd_rup": "50000005",
            "status_nontender": status, "nilai_kontrak": nilai, "nilai_pdn_kontrak": pdn,
            "nilai_umk_kontrak": umk, "tgl_penarikan": NEW}


def _contract(code: str, kd: int, no: str, nilai, versi: int = 0) -> dict:
    return {"tahun_anggaran": 2025, "kd_klpd": DKI, code: kd, "no_kontrak": no,
            "status_kontrak": "Kontrak Sedang Berjalan", "nilai_kontrak": nilai,
            "nilai_pdn_kontrak": nilai, "nilai_umk_kontrak": nilai, "versi_addendum": versi}


def _pct(kd: int, kd_rup: str, ket: str, total, pdn, umk) -> dict:
    return {"tahun_anggaran": 2025, "kd_klpd": DKI, "kd_nontender_pct": kd, "kd_rup": kd_rup,
            "pagu": 1000, "total_realisasi": total, "nilai_pdn_pct": pdn, "nilai_umk_pct": umk,
            "status_nontender_pct_ket": ket, "_event_date": NEW}


def _swakelola(kd: int, ket: str, total) -> dict:
    return {"tahun_anggaran": 2025, "kd_klpd": DKI, "kd_rup": "40000001",
            "kd_swakelola_pct": kd, "total_realisasi": total, "nilai_pdn_pct": 0,
            "nilai_umk_pct": 0, "status_swakelola_pct_ket": ket, "_event_date": NEW}


def _toko(order_id: str, marketplace: str, valuasi: int, verif: str, konfirmasi: str) -> dict:
    return {"tahun": 2025, "kd_klpd": DKI, "kd_satker": "65501", "order_id": order_id,
            "valuasi": valuasi, "marketplace": marketplace, "status_verif": verif,
            "status_konfirmasi_ppmse": konfirmasi}


@pytest.fixture
def reading(tmp_path) -> independent.Reading:
    landing = tmp_path / "landing"
    # SiRUP 2025. Committed (announced, active, not deleted) PDN pagu: 3000 + 500 = 3500.
    _json(landing, "lkpp/rup.json", [
        _plan(50000001, 3000, pdn=True),            # tendered
        _plan(50000002, 500, pdn=True),             # bought in the catalogue
        _plan(50000003, 300, pdn=False),            # committed, Impor
        _plan(50000004, 200, pdn=True, aktif=False),  # not active: not committed
    ])
    _json(landing, "lkpp/penyedia.json", [
        {"kd_penyedia": 1, "kode_penyedia_sikap": 111, "penyedia_ukm": "UKM"},
        {"kd_penyedia": 2, "kode_penyedia_sikap": 222, "penyedia_ukm": "Non UKM"},
        {"kd_penyedia": 3, "kode_penyedia_sikap": 333, "penyedia_ukm": "Belum Terdefinisi"},
    ])
    _json(landing, "lkpp/v6.json", [
        _order("O1", "50000002", 400, "COMPLETED", 111),   # PDN 400, UMK 400
        _order("O2", "50000003", 100, "ON_PROCESS", 222),  # committed Impor: PDN 0; UMK 0
        _order("O3", "50000004", 50, "COMPLETED", 0),      # not committed: PDN ?; vendor ?: UMK ?
        _order("O4", "50000002", 70, "CANCELLED", 111),    # not transacted: left out
        _order("O5", "59999999", 30, "COMPLETED", 333),    # no SiRUP: PDN ?; Belum Terdefinisi: UMK ?
        # Same kd_rup as O1 but fiscal year 2024: no 2024 plan, so PDN unknown; UMK 60.
        _order("O6", "50000002", 60, "COMPLETED", 111, tahun=2024),
    ])
    # Tender, the newer pull: T1 as strings with decimals; T2 unfinished; T3 PDN unknown;
    # T4 another government's row.
    _json(landing, "spse/tender_a.json", [
        _tender(1001, "900.50", "800.25", "0.00"),
        _tender(1002, None, None, None),
        _tender(1003, 200, None, None),
        _tender(1004, 1000, 1000, None, kd_klpd=LAIN),
    ])
    # An older pull, later in path order: its copy of T1 loses to the newer data date.
    _json(landing, "spse/tender_b.json", [_tender(1001, 999, 999, 999, event=OLD)])
    _json(landing, "spse/tender_kontrak.json", [
        _contract("kd_tender", 1001, "K1", "450.25"),  # two contracts adding up to T1's 900.50
        _contract("kd_tender", 1001, "K2", "450.25"),
        _contract("kd_tender", 1003, "K3", 200),       # T3, then its addendum: 210
        _contract("kd_tender", 1003, "K3", 210, versi=1),
    ])
    _json(landing, "spse/nontender.json", [
        _nontender(2001, "Selesai", 100, 100, 100),
        _nontender(2002, "Berlangsung", None, None, None),  # not Selesai: left out
        _nontender(2003, " selesai ", 50.5, 0, 50.5),        # case and spaces ignored
        _nontender(2004, "Selesai", None, None, None),       # Selesai without a value
        _nontender(2005, "Berlangsung", 70, 70, 70),         # a value, but not Selesai
    ])
    _json(landing, "spse/nontender_kontrak.json", [_contract("kd_nontender", 2001, "S1", 100)])
    # Pencatatan as a CSV pull (an empty cell is null).
    _csv(landing, "spse/pencatatan.csv", [
        _pct(3001, "50000001;50000003", "Paket Selesai", 300, 250, 300),
        _pct(3002, "50000001", "Paket Dibatalkan", 999, 999, 999),  # cancelled: left out
        _pct(3003, "50000001", " Paket Sedang Berjalan", 40, None, 0),  # PDN unknown
        _pct(3004, "50000001,50000001", "Paket Selesai", 10, 10, 10),   # one code, repeated
        _pct(3005, "5000000x", "Paket Selesai", 1000, 1000, 1000),      # not a code: quarantined
    ])
    _json(landing, "spse/swakelola.json", [
        _swakelola(4001, "Paket Selesai", 80),
        _swakelola(4002, "Paket Dibatalkan", 60),
    ])
    _json(landing, "bela/toko.json", [
        _toko("7001", "mbiz market", 25, "verified", "selesai"),
        _toko("7002", "mbiz market", 40, "verified", "gagal"),     # payment failed
        _toko("7003", "mbiz market", 15, "unverified", "selesai"),  # not verified
        _toko("7001", "mbiz market", 25, "verified", "selesai"),   # the export repeats it
        _toko("7001", "blibli", 5, "Verified", "Selesai"),         # another shop's order 7001
    ])
    return independent.read_landing(landing)


def _kanal(jumlah, rp, pdn, umk, pdn_tt, umk_tt, tanpa=0) -> dict:
    return {"jumlah_paket": jumlah, "realisasi_rp": D(rp), "realisasi_pdn_rp": D(pdn),
            "realisasi_umk_rp": D(umk), "realisasi_pdn_tidak_diketahui_rp": D(pdn_tt),
            "realisasi_umk_tidak_diketahui_rp": D(umk_tt), "jumlah_paket_tanpa_nilai": tanpa}


def test_every_new_file_is_recognised_and_unusable_rows_are_set_aside(reading):
    assert reading.unreadable == {}
    for dataset, raw in (("spse_tender_selesai", 5), ("spse_tender_kontrak", 4),
                         ("spse_nontender_selesai", 5), ("spse_nontender_kontrak", 1),
                         ("spse_pencatatan_nontender", 5), ("spse_pencatatan_swakelola", 2),
                         ("bela_tokodaring", 5), ("ekatalog_penyedia", 3)):
        assert reading.raw_count(dataset) == raw, dataset
    # 3005's kd_rup is not a code; every other row is usable.
    assert [r.row for r in reading.rows["spse_pencatatan_nontender"] if r.key is None] == [6]
    assert reading.kept["spse_pencatatan_nontender"][(3001,)].values["kd_rup_list"] == [
        50000001, 50000003]
    assert reading.kept["spse_pencatatan_nontender"][(3004,)].values["kd_rup_list"] == [50000001]
    # T1's two copies disagree; the newer pull's is kept. The repeated toko-daring order
    # is one order.
    assert reading.kept["spse_tender_selesai"][(1001,)].values["nilai"] == D("900.50")
    assert len(reading.conflicts["spse_tender_selesai"]) == 1
    assert len(reading.kept["bela_tokodaring"]) == 4


def test_realisation_by_channel_follows_each_rule(reading):
    assert independent.p3dn_realisasi_kanal(reading) == {
        # O1 400 + O2 100 + O3 50 + O5 30 = 580 (O4 cancelled). PDN: O1 400 (+ O2 0, known);
        # unknown O3 50 + O5 30 = 80. UMK: O1 400 (+ O2 0); unknown O3 50 (no vendor) + O5
        # 30 (vendor 'Belum Terdefinisi') = 80.
        (DKI, 2025, "ekatalog"): _kanal(4, "580", "400", "400", "80", "80"),
        # O6: no 2024 plan for its kd_rup -> PDN unknown 60; its vendor is UKM -> UMK 60.
        (DKI, 2024, "ekatalog"): _kanal(1, "60", "0", "60", "60", "0"),
        # T1 900.50 (PDN 800.25, UMK 0) + T3 200 (PDN, UMK unknown); T2 without a value.
        # Contracts K1-K3 are not summed.
        (DKI, 2025, "tender"): _kanal(2, "1100.50", "800.25", "0", "200", "200", tanpa=1),
        # T4 under its own kd_klpd: PDN 1000, UMK unknown 1000.
        (LAIN, 2025, "tender"): _kanal(1, "1000", "1000", "0", "0", "1000"),
        # Selesai only: 2001 100 + 2003 50.5 = 150.5; PDN 100 + 0; UMK 100 + 50.5; 2004 has
        # no value. 2002 and 2005 (Berlangsung) are left out.
        (DKI, 2025, "nontender"): _kanal(2, "150.5", "100", "150.5", "0", "0", tanpa=1),
        # 3001 300 + 3003 40 + 3004 10 = 350; PDN 250 + 10 = 260, unknown 40 (3003);
        # UMK 300 + 0 + 10 = 310. 3002 cancelled, 3005 quarantined.
        (DKI, 2025, "pencatatan_nontender"): _kanal(3, "350", "260", "310", "40", "0"),
        # 4001 80 (PDN 0, UMK 0); 4002 cancelled.
        (DKI, 2025, "pencatatan_swakelola"): _kanal(1, "80", "0", "0", "0", "0"),
        # mbiz 7001 25 (once) + blibli 7001 5 = 30; 7002 gagal, 7003 not verified; PDN and
        # UMK of toko daring are unknown.
        (DKI, 2025, "tokodaring"): _kanal(2, "30", "0", "0", "30", "30"),
    }


def test_all_channel_headline(reading):
    headline = independent.p3dn_headline(reading)
    dki = headline[(DKI, 2025)]
    # Komitmen PDN: 3000 + 500 = 3500 (50000003 is Impor, 50000004 not active).
    assert dki["komitmen_pdn_rp"] == 3500
    # PDN over e-katalog 400 + tender 800.25 + nontender 100 + pencatatan 260 + toko 0
    # = 1560.25 (swakelola's 0 kept out).
    assert dki["realisasi_pdn_rp"] == D("1560.25")
    # Realised: 580 + 1100.50 + 150.5 + 350 + 30 = 2211; PDN unknown 80 + 200 + 0 + 40 + 30
    # = 350; UMK 400 + 0 + 150.5 + 310 + 0 = 860.5, UMK unknown 80 + 200 + 0 + 0 + 30 = 310.
    assert (dki["realisasi_rp"], dki["realisasi_pdn_tidak_diketahui_rp"],
            dki["realisasi_umk_rp"], dki["realisasi_umk_tidak_diketahui_rp"]) == (
        D("2211"), D("350"), D("860.5"), D("310"))
    assert dki["realisasi_pdn_pencatatan_swakelola_rp"] == 0
    # 100 x 1560.25 / 3500 = 44.5785... -> 44.58; e-katalog only 100 x 400 / 3500 = 11.428...
    # -> 11.43; PDN share 100 x 1560.25 / (2211 - 350) = 83.8393... -> 83.84; UMK share
    # 100 x 860.5 / (2211 - 310) = 45.2656... -> 45.27.
    assert (dki["pct_realisasi_komitmen"], dki["pct_realisasi_komitmen_ekatalog"],
            dki["pct_pdn_realisasi"], dki["pct_umk_realisasi"]) == (
        D("44.58"), D("11.43"), D("83.84"), D("45.27"))
    # Another government: no commitment -> no ratio; its PDN share 1000 / 1000 = 100 %, its
    # UMK share has no known base.
    lain = headline[(LAIN, 2025)]
    assert (lain["pct_realisasi_komitmen"], lain["pct_pdn_realisasi"],
            lain["pct_umk_realisasi"]) == (None, D("100.00"), None)
    # 2024: only O6 (PDN unknown, UMK 60 of 60), no plan.
    assert (headline[(DKI, 2024)]["pct_realisasi_komitmen"],
            headline[(DKI, 2024)]["pct_pdn_realisasi"],
            headline[(DKI, 2024)]["pct_umk_realisasi"]) == (None, None, D("100.00"))


def test_contracts_that_differ_from_their_selection_are_listed_not_summed(reading):
    # T1's contracts add up to 900.50; T3's addendum (the latest version) says 210, not 200.
    assert independent.kontrak_berbeda(reading) == [("tender", 1003, D(200), D(210))]


def test_the_ekatalog_only_headline_still_works(reading):
    # The pre-issue-12 figure: transacted e-katalog value on committed PDN packages (O1 400)
    # over the commitment 3500 = 11.43 %. It matches SiRUP on kd_rup and fiscal year, so O6
    # (2024, with 2025's code) links to no plan and adds nothing to 2024's numerator.
    provinsi = independent.p3dn_provinsi(reading)
    assert provinsi[(DKI, 2025)]["pct_realisasi_komitmen"] == D("11.43")
    assert provinsi[(DKI, 2024)]["pembilang_realisasi_pdn_rp"] == 0
    assert provinsi[(DKI, 2024)]["realisasi_ekatalog_rp"] == 60
