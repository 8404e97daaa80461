"""Realisation over every channel, on the hand-made mini export set (fixtures/mini_p3dn) plus
one export of every SPSE / Bela dataset written below in the real ISB shapes (field names
and types as in the Kab. Bandung samples). Every figure is worked out by hand here.

SKPD A = 2.09.3.25.0.00.10.0000 (SiRUP kd_satker 1001), its sub-unit A1 =
2.09.3.25.0.00.10.0001 (SiRUP kd_satker 1003, no budget of its own), SKPD B =
1.02.0.00.0.00.01.0000.

Plan (SiRUP, 2025): mini_p3dn's packages plus R6 = 66666666, 10 jt PDN, planned by A1.
  komitmen PDN = R1 100 + R2 50 + R6 10 = 160 jt (R5, SKPD B's only package, is a draft:
  no commitment). DKI komitmen PDN = 160 jt.

e-katalog (mini_p3dn, unchanged): transacted 134,5 jt in A + 3 jt in B = 137,5 jt;
  PDN 97,5 jt; PDN 0 on Impor R3 (30 jt); PDN unknown = O5 7 jt (deleted R4) + O6 3 jt
  (kd_rup unknown) = 10 jt. No vendor detail: UMK unknown for all 137,5 jt.
tender (SPSE-TenderSelesaiNilai):
  T1 R1, "80000000.50" / PDN "70000000.25" / UMK "80000000.50" (strings with decimals)
  T2 not contracted yet (nilai null)                -> jumlah_paket_tanpa_nilai 1
  T3 no kd_rup in SiRUP, 40 jt, PDN null, UMK 0     -> PDN unknown 40 jt
  T4 kd_klpd B154 (another pemda in the same file), 10 jt / 10 jt / 10 jt
  T5 sub-unit A1 in kd_satker, 20 jt / 20 jt / 0    -> counted under A
  DKI: 3 packages, realisasi 140.000.000,50; PDN 90.000.000,25; PDN unknown 40 jt;
  UMK 80.000.000,50.
nontender (SPSE-NonTenderSelesai): N1 Selesai 15/15/15 jt; N2 Berlangsung (nulls: not
  counted at all); N3 Selesai without value (tanpa nilai 1); N4 Selesai "5000000.00"/0/5 jt.
  -> 2 packages, 20 jt, PDN 15 jt, UMK 20 jt.
e-kontrak (never summed): N1 has two contracts 10 + 5 = 15 jt (= N1); N4 one of 6 jt (≠ 5).
pencatatan non-tender: P1 Selesai, kd_rup "11111111;22222222", 3/3/3 jt; P2 Dibatalkan 9 jt;
  P3 Sedang Berjalan 2/1/0 jt -> 2 packages, 5 jt, PDN 4 jt, UMK 3 jt.
pencatatan swakelola: S1 Selesai 7/0/0 jt; S2 Dibatalkan 4 jt -> 7 jt, outside the ratio.
toko daring: B1 verified + selesai 1,5 jt (SiRUP satker 1001 = A); B2 verified + gagal 75 jt;
  B3 unverified + selesai 2 jt -> 1 package, 1,5 jt, PDN and UMK unknown.

Headline DKI 2025 = (97,5 + 90,00000025 + 15 + 4 + 0) jt / 160 jt
  = 206.500.000,25 / 160.000.000 = 129,0625 % -> 129,06 %; e-katalog only 97,5 / 160 =
  60,9375 % -> 60,94 %.
Realised (five channels) = 137,5 + 140,0000005 + 20 + 5 + 1,5 = 304.000.000,50;
  PDN unknown 10 + 40 + 1,5 = 51,5 jt -> PDN share 206.500.000,25 / 252.500.000,50 = 81,78 %;
  UMK 80.000.000,50 + 20 + 3 = 103.000.000,50, unknown 137,5 + 1,5 = 139 jt ->
  103.000.000,50 / 165.000.000,50 = 62,42 %.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"
SKPD_A = "2.09.3.25.0.00.10.0000"
SUB_UNIT_A1 = "2.09.3.25.0.00.10.0001"
SKPD_B = "1.02.0.00.0.00.01.0000"

pytestmark = pytest.mark.slow

PEMDA = {"tahun_anggaran": 2025, "kd_klpd": "DKI", "nama_klpd": "Provinsi DKI Jakarta",
         "jenis_klpd": "PROVINSI"}
SATKER_A = {"kd_satker_str": SKPD_A, "nama_satker": "DINAS KETAHANAN PANGAN, KELAUTAN DAN PERTANIAN"}


def _tender(kd_tender, kd_rup, nilai, pdn, umk, *, kd_satker=SKPD_A, kd_klpd="DKI"):
    return {**PEMDA, "kd_klpd": kd_klpd, "kd_satker": kd_satker,
            "nama_satker": SATKER_A["nama_satker"], "kd_lpse": 1, "kd_tender": kd_tender,
            "kd_paket": kd_tender - 1, "kd_rup_paket": kd_rup, "pagu": 200000000,
            "hps": 199000000, "nilai_penawaran": nilai, "nilai_terkoreksi": nilai,
            "nilai_negosiasi": nilai, "nilai_kontrak": nilai,
            "tgl_pengumuman_tender": "2025-03-18", "tgl_penetapan_pemenang": "2025-04-11",
            "kd_penyedia": 5997014, "nama_penyedia": "CV. CONTOH JAYA",
            "nilai_pdn_kontrak": pdn, "nilai_umk_kontrak": umk, "_event_date": "2025-10-03"}


def _nontender(kd_nontender, kd_rup, status, nilai, pdn, umk):
    return {**PEMDA, "lpse_id": 1, "kd_satker": "12335001", **SATKER_A, "kd_lpse": 1,
            "nama_lpse": "LPSE Provinsi DKI Jakarta", "kd_nontender": kd_nontender,
            "kd_pkt_dce": kd_nontender + 1, "kd_rup": kd_rup, "nama_paket": f"Paket {kd_nontender}",
            "pagu": 20000000, "hps": 19900000, "nilai_penawaran": nilai,
            "nilai_terkoreksi": nilai, "nilai_negosiasi": nilai, "nilai_kontrak": nilai,
            "nilai_pdn_kontrak": pdn, "nilai_umk_kontrak": umk, "sumber_dana": "APBD",
            "mak": "2.09.02.1.01.0001.5.1.02.01.01.0024.", "kualifikasi_paket": "Kecil",
            "jenis_pengadaan": "Pengadaan Barang", "mtd_pemilihan": "Pengadaan Langsung",
            "kontrak_pembayaran": "Lumsum", "status_nontender": status,
            "tgl_pengumuman_nontender": "2025-02-20 16:00:00",
            "tgl_selesai_nontender": "2025-03-05 16:00:00", "kd_penyedia": 29136014,
            "nama_penyedia": "CV. CONTOH", "url_lpse": "https://lpse.jakarta.go.id/eproc4",
            "tgl_penarikan": "2025-10-03"}


def _kontrak(kd_nontender, no_kontrak, nilai):
    return {**PEMDA, "kd_satker": "12335001", **SATKER_A, "kd_lpse": 1,
            "kd_nontender": kd_nontender, "nama_paket": f"Paket {kd_nontender}",
            "mtd_pengadaan": "Pengadaan Langsung", "lingkup_pekerjaan": None,
            "no_sppbj": f"SPPBJ/{no_kontrak}", "no_kontrak": no_kontrak,
            "tgl_kontrak": "2025-03-10T00:00:00.000000Z", "tgl_kontrak_awal": None,
            "tgl_kontrak_akhir": None, "kota_kontrak": "Jakarta", "nama_penyedia": "CV. CONTOH",
            "bentuk_usaha_penyedia": "Persekutuan Komanditer (CV)", "tipe_penyedia": None,
            "anggota_kso": None, "nama_rek_bank": "Bank DKI", "nilai_kontrak": nilai,
            "alasan_ubah_nilai_kontrak": "", "alasan_nilai_kontrak_10_persen": None,
            "nilai_pdn_kontrak": nilai, "nilai_umk_kontrak": nilai, "jenis_kontrak": "Lumsum",
            "informasi_lainnya": None, "status_kontrak": "Kontrak Selesai",
            "tgl_penetapan_status_kontrak": "2025-03-25T13:24:09.178000Z",
            "alasan_penetapan_status_kontrak": None, "apakah_addendum": "Tidak",
            "versi_addendum": 0, "alasan_addendum": None}


def _pencatatan_nontender(kd, kd_rup, ket, total, pdn, umk):
    return {**PEMDA, "kd_satker": "16203001", **SATKER_A, "kd_lpse": 1,
            "kd_nontender_pct": kd, "kd_pkt_dce": kd + 1, "kd_rup": kd_rup,
            "nama_paket": f"Belanja {kd}", "pagu": 10000000, "total_realisasi": total,
            "nilai_pdn_pct": pdn, "nilai_umk_pct": umk, "sumber_dana": "APBD",
            "uraian_pekerjaan": "", "informasi_lainnya": None,
            "kategori_pengadaan": "Pengadaan Barang", "mtd_pemilihan": "Pengadaan Langsung",
            "bukti_pembayaran": "NonSPK",
            "status_nontender_pct": "Ditutup" if ket == "Paket Dibatalkan" else "Aktif",
            "status_nontender_pct_ket": ket, "alasan_pembatalan": None,
            "tgl_buat_paket": "2025-02-01T10:00:01.679000Z",
            "tgl_mulai_paket": "2025-02-01 10:06:52", "tgl_selesai_paket": "2025-02-19 00:00:00",
            "_event_date": "2025-10-03"}


def _pencatatan_swakelola(kd, ket, total):
    return {**PEMDA, "kd_satker": "1001", **SATKER_A, "kd_rup": "77777777", "kd_lpse": 1,
            "kd_swakelola_pct": kd, "kd_pkt_dce": kd + 1, "nama_paket": f"Swakelola {kd}",
            "pagu": 10000000, "total_realisasi": total, "nilai_pdn_pct": 0, "nilai_umk_pct": 0,
            "sumber_dana": "APBD", "uraian_pekerjaan": "", "informasi_lainnya": None,
            "tipe_swakelola": 1, "tipe_swakelola_nama": "Tipe 1",
            "status_swakelola_pct": "Ditutup" if ket == "Paket Dibatalkan" else "Aktif",
            "status_swakelola_pct_ket": ket, "alasan_pembatalan": None,
            "tgl_buat_paket": "2025-03-12 10:47:59", "tgl_mulai_paket": "2025-03-12 10:52:50",
            "tgl_selesai_paket": "2025-05-07 00:00:00", "_event_date": "2025-10-03"}


def _tokodaring(order_id, verif, konfirmasi, valuasi):
    return {"tahun": 2025, "kd_klpd": "DKI", "nama_klpd": "Provinsi DKI Jakarta",
            "kd_satker": "1001", "nama_satker": SATKER_A["nama_satker"], "order_id": order_id,
            "order_desc": None, "valuasi": valuasi, "kategori": None, "metode_bayar": "transfer",
            "tanggal_transaksi": "2025-06-14 14:07:35", "marketplace": "mbiz market",
            "merchant_name": None, "jenis_transaksi": "bela", "kota_kab": "Jakarta Pusat",
            "provinsi": "DKI Jakarta", "status_verif": verif, "sumber_data": "api_v3",
            "status_konfirmasi_ppmse": konfirmasi, "keterangan_ppmse": None}


def _master_satker(kd_satker, kd_satker_str, nama):
    return {"kd_satker": kd_satker, "kd_satker_str": kd_satker_str, "nama_satker": nama,
            "alamat": None, "telepon": None, "fax": None, "kodepos": None,
            "status_satker": "Aktif", "ket_satker": "Satker/OPD Non-BLU/BLUD",
            "jenis_satker": "SKPD", "kd_klpd": "DKI", "nama_klpd": "Provinsi DKI Jakarta",
            "jenis_klpd": "PROVINSI", "kode_eselon": None}


def write_channel_exports(landing: Path) -> None:
    sirup = json.loads((landing / "sirup_paket.json").read_text(encoding="utf-8"))
    sub_unit_package = {**sirup[0], "kd_satker": 1003, "kd_satker_str": SUB_UNIT_A1,
                        "nama_satker": "PUSKESMAS CONTOH", "kd_rup": 66666666,
                        "nama_paket": "Paket 66666666", "pagu": 10000000,
                        "status_pdn": "PDN", "status_ukm": "Non UKM"}
    (landing / "sirup_paket.json").write_text(json.dumps(sirup + [sub_unit_package]),
                                              encoding="utf-8")
    exports = {
        "spse_tender_selesai_nilai.json": [
            _tender(1001, "11111111", "80000000.50", "70000000.25", "80000000.50"),
            _tender(1002, "22222222", None, None, None),
            _tender(1003, "99999999", 40000000, None, 0),
            _tender(1004, "88888888", 10000000, 10000000, 10000000, kd_klpd="B154"),
            _tender(1005, "66666666", 20000000, 20000000, 0, kd_satker=SUB_UNIT_A1),
        ],
        "spse_nontender_selesai.json": [
            _nontender(2001, "22222222", "Selesai", 15000000, 15000000, 15000000),
            _nontender(2002, "22222222", "Berlangsung", None, None, None),
            _nontender(2003, "11111111", "Selesai", None, None, None),
            _nontender(2004, "11111111", "Selesai", "5000000.00", 0, 5000000),
        ],
        "spse_nontender_kontrak.json": [
            _kontrak(2001, "KTR/1", 10000000), _kontrak(2001, "KTR/2", 5000000),
            _kontrak(2004, "KTR/3", 6000000),
        ],
        "spse_pencatatan_nontender.json": [
            _pencatatan_nontender(3001, "11111111;22222222", "Paket Selesai", 3000000, 3000000, 3000000),
            _pencatatan_nontender(3002, "11111111", "Paket Dibatalkan", 9000000, 9000000, 9000000),
            _pencatatan_nontender(3003, "22222222", "Paket Sedang Berjalan", 2000000, 1000000, 0),
        ],
        "spse_pencatatan_swakelola.json": [
            _pencatatan_swakelola(4001, "Paket Selesai", 7000000),
            _pencatatan_swakelola(4002, "Paket Dibatalkan", 4000000),
        ],
        "bela_tokodaring.json": [
            _tokodaring("B1", "verified", "selesai", 1500000),
            _tokodaring("B2", "verified", "gagal", 75000000),
            _tokodaring("B3", "unverified", "selesai", 2000000),
        ],
        "rup_master_satker.json": [
            _master_satker(1001, SKPD_A, SATKER_A["nama_satker"]),
            _master_satker(1003, SUB_UNIT_A1, "PUSKESMAS CONTOH"),
            _master_satker(1002, SKPD_B, "DINAS KESEHATAN"),
        ],
    }
    for name, rows in exports.items():
        (landing / name).write_text(json.dumps(rows, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def channels(tmp_path_factory, module_monkeypatch):
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    root = tmp_path_factory.mktemp("channels")
    shutil.copytree(FIXTURES, root / "landing")
    write_channel_exports(root / "landing")
    env = point_pipeline_at(module_monkeypatch, root)
    env.materialize()
    return env


def rows_of(env, sql: str, params: dict | None = None) -> list[dict]:
    con = env.connect()
    try:
        result = con.execute(sql, params or {})
        names = [d[0] for d in result.description]
        return [dict(zip(names, r)) for r in result.fetchall()]
    finally:
        con.close()


def test_every_landed_channel_file_was_recognised_and_loaded(channels):
    ledger = rows_of(channels, "SELECT path, dataset, status FROM raw.file_ledger "
                               "WHERE status <> 'removed' ORDER BY path")
    by_path = {r["path"]: (r["dataset"], r["status"]) for r in ledger}
    assert by_path["spse_tender_selesai_nilai.json"] == ("spse_tender_selesai", "loaded")
    assert by_path["spse_nontender_selesai.json"] == ("spse_nontender_selesai", "loaded")
    assert by_path["spse_nontender_kontrak.json"] == ("spse_nontender_kontrak", "loaded")
    assert by_path["spse_pencatatan_nontender.json"] == ("spse_pencatatan_nontender", "loaded")
    assert by_path["spse_pencatatan_swakelola.json"] == ("spse_pencatatan_swakelola", "loaded")
    assert by_path["bela_tokodaring.json"] == ("bela_tokodaring", "loaded")
    assert by_path["rup_master_satker.json"] == ("sirup_master_satker", "loaded")


def kanal(env) -> dict[tuple[str, str], dict]:
    return {(r["kd_klpd"], r["kanal"]): r for r in rows_of(
        env, "SELECT * FROM marts.p3dn_realisasi_kanal WHERE tahun_anggaran = 2025")}


def figures(row: dict) -> tuple:
    return (row["jumlah_paket"], row["realisasi_rp"], row["realisasi_pdn_rp"],
            row["realisasi_pdn_tidak_diketahui_rp"], row["realisasi_umk_rp"],
            row["realisasi_umk_tidak_diketahui_rp"], row["jumlah_paket_tanpa_nilai"])


D = Decimal


def test_tender_rule_nulls_unknown_pdn_and_another_kd_klpd(channels):
    rows = kanal(channels)
    assert figures(rows[("DKI", "tender")]) == (
        3, D("140000000.50"), D("90000000.25"), D("40000000.00"), D("80000000.50"), D("0"), 1)
    assert figures(rows[("B154", "tender")]) == (
        1, D("10000000.00"), D("10000000.00"), D("0"), D("10000000.00"), D("0"), 0)


def test_nontender_counts_only_finished_selections(channels):
    assert figures(kanal(channels)[("DKI", "nontender")]) == (
        2, D("20000000.00"), D("15000000.00"), D("0"), D("20000000.00"), D("0"), 1)


def test_pencatatan_leaves_out_cancelled_and_counts_a_multi_code_record_once(channels):
    rows = kanal(channels)
    assert figures(rows[("DKI", "pencatatan_nontender")]) == (
        2, D("5000000.00"), D("4000000.00"), D("0"), D("3000000.00"), D("0"), 0)
    swakelola = rows[("DKI", "pencatatan_swakelola")]
    assert figures(swakelola) == (1, D("7000000.00"), D("0"), D("0"), D("0"), D("0"), 0)
    assert swakelola["masuk_rasio_p3dn"] is False


def test_tokodaring_counts_only_verified_confirmed_payments_with_pdn_unknown(channels):
    assert figures(kanal(channels)[("DKI", "tokodaring")]) == (
        1, D("1500000.00"), D("0"), D("1500000.00"), D("0"), D("1500000.00"), 0)


def test_ekatalog_channel_pdn_from_the_plan_and_umk_unknown_without_vendor_detail(channels):
    assert figures(kanal(channels)[("DKI", "ekatalog")]) == (
        6, D("137500000.00"), D("97500000.00"), D("10000000.00"), D("0"), D("137500000.00"), 0)


def test_ekontrak_contracts_are_never_summed_into_any_channel(channels):
    rows = kanal(channels)
    assert {kanal for _, kanal in rows} == {
        "ekatalog", "tender", "nontender", "pencatatan_nontender", "pencatatan_swakelola",
        "tokodaring"}
    total = sum(r["realisasi_rp"] for (kd_klpd, _), r in rows.items() if kd_klpd == "DKI")
    # 137,5 + 140,0000005 + 20 + 5 + 7 + 1,5 jt; the 21 jt of contracts are not in it.
    assert total == D("311000000.50")


def test_headline_is_all_channel_pdn_over_commitment_with_its_parts(channels):
    [row] = rows_of(channels, "SELECT * FROM marts.p3dn_provinsi WHERE kd_klpd = 'DKI'")
    assert row["pembilang_realisasi_pdn_rp"] == D("206500000.25")
    assert row["penyebut_komitmen_pdn_rp"] == D("160000000.00")
    assert row["pct_realisasi_komitmen"] == D("129.06")
    assert (row["realisasi_pdn_ekatalog_rp"], row["realisasi_pdn_tender_rp"],
            row["realisasi_pdn_nontender_rp"], row["realisasi_pdn_pencatatan_rp"],
            row["realisasi_tokodaring_rp"]) == (
        D("97500000.00"), D("90000000.25"), D("15000000.00"), D("4000000.00"), D("1500000.00"))
    assert row["pct_realisasi_komitmen_ekatalog"] == D("60.94")
    assert row["realisasi_rp"] == D("304000000.50")
    assert row["pct_pdn_realisasi"] == D("81.78")
    assert row["realisasi_umk_rp"] == D("103000000.50")
    assert row["pct_umk_realisasi"] == D("62.42")
    assert row["realisasi_swakelola_rp"] == D("7000000.00")
    assert row["kanal_dihitung"] == "ekatalog, nontender, pencatatan_nontender, tender, tokodaring"
    assert "semua kanal" in row["keterangan"] and "e-katalog saja: 60,94 %" in row["keterangan"]
    assert row["keterangan"].startswith("Realisasi komitmen P3DN 129,06 %")


def test_sub_unit_plan_and_realisation_roll_up_to_the_parent_skpd(channels):
    skpd = {r["kd_satker_str"]: r for r in rows_of(
        channels, "SELECT * FROM marts.p3dn_per_skpd WHERE kd_klpd = 'DKI'")}
    assert SUB_UNIT_A1 not in skpd
    a = skpd[SKPD_A]
    # Komitmen PDN R1 100 + R2 50 + R6 (A1) 10 = 160 jt; realised PDN: e-katalog 97,5 +
    # tender T1 70,00000025 + T5 (A1) 20 + nontender 15 + pencatatan 4 = 206.500.000,25.
    assert a["komitmen_pdn_rp"] == D("160000000.00")
    assert a["realisasi_pdn_rp"] == D("206500000.25")
    assert a["jumlah_paket_rup"] == 4
    assert a["pct_realisasi_komitmen"] == D("129.06")
    assert a["pct_realisasi_komitmen_ekatalog"] == D("60.94")


def test_reconciliation_shows_each_basis_with_its_numerator_and_denominator(channels):
    rows = {r["dasar"]: r for r in rows_of(
        channels, "SELECT * FROM marts.p3dn_rekonsiliasi WHERE kd_klpd = 'DKI'")}
    assert (rows["semua_kanal_per_komitmen"]["pct"],
            rows["semua_kanal_per_komitmen"]["pembilang_rp"],
            rows["semua_kanal_per_komitmen"]["penyebut_rp"]) == (
        D("129.06"), D("206500000.25"), D("160000000.00"))
    assert rows["ekatalog_per_komitmen"]["pct"] == D("60.94")
    assert rows["pdn_per_realisasi"]["pct"] == D("81.78")
    # Belanja pengadaan 200 + 40 jt = 240 jt.
    assert rows["komitmen_per_belanja_pengadaan"]["pct"] == D("66.67")
    assert rows["semua_kanal_per_belanja_pengadaan"]["pct"] == D("86.04")


def test_targets_carry_their_basis_and_source(channels):
    targets = {r["kpi"]: r for r in rows_of(channels, "SELECT * FROM marts.p3dn_target")}
    assert targets["pct_realisasi_komitmen"]["target_pct"] == D("80.00")
    assert targets["pct_realisasi_komitmen"]["diasumsikan"] is True
    assert targets["pct_pdn_belanja"]["target_pct"] == D("95.00")
    assert "SE Kepala LKPP 8/2023" in targets["pct_pdn_belanja"]["sumber"]
    assert targets["pct_umk_belanja"]["target_pct"] == D("40.00")
    assert targets["pct_umk_belanja"]["diasumsikan"] is False
