"""SPSE exports: selections, their contracts, and purchases recorded outside the system.

Made against the year's SiRUP plan (``HasilSirup.pemilihan``): every Tender or Seleksi
package put out to tender gets a row in SPSE-TenderSelesaiNilai (and its signed contracts in
SPSE-TenderEkontrak-Kontrak); a Pengadaan Langsung package is bought either through SPSE
(SPSE-NonTenderSelesai, contracts in SPSE-NonTenderEkontrak-Kontrak) or recorded afterwards
(SPSE-PencatatanNonTender, one row per payment in ...Realisasi). Self-managed work
(SPSE-PencatatanSwakelola + Realisasi) is planned in SiRUP's swakelola list, which the sample
does not hold: its kd_rup are codes of their own.

Field names, order and JSON types follow the real exports (samples of Kab. Bandung, DOMAIN
§2.1), with the dirt they show: money as JSON strings with decimals (the latest year's
TenderSelesaiNilai, a few non-tender rows) or numbers with cents; no ``nilai_kontrak`` for an
unfinished selection; a ``nilai_kontrak`` without ``nilai_pdn_kontrak`` (PDN unknown);
Berlangsung non-tenders with null values; several contracts for one selection whose values
add up to it, and an addendum whose value no longer does; ``;``-joined kd_rup in pencatatan;
cancelled pencatatan ("Paket Dibatalkan") that still carry values; a row of another kd_klpd.
The personal fields the real exports carry (nip_ppk, nama_ppk, wakil_sah_penyedia,
no_rek_bank, nama_pemilik_rek_bank, nama_pelaksana, a person's NPWP) are filled with invented
values, so the pipeline's handling of them is exercised.

Every dataset draws from its own random stream (``config.rng("spse", ...)``): adding these
files changed no byte of the others, and one can change without moving the rest.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from p3dn_pipeline.synth import identifiers, people
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.nomenklatur import KONSTRUKSI, KONSULTANSI, paket_untuk
from p3dn_pipeline.synth.organisations import (
    JENIS_INSTANSI, KD_KLPD_DKI, KD_LPSE_DKI, KD_SATKER_SPSE, NAMA_INSTANSI, NAMA_LPSE_DKI,
    SKPD_DKI, URL_LPSE_DKI, Skpd)
from p3dn_pipeline.synth.sirup import KD_METODE, HasilSirup, jumlah_paket
from p3dn_pipeline.synth.writers import CsvWriter, JsonArrayWriter

METODE_TENDER = (KD_METODE["Tender"], KD_METODE["Seleksi"])
METODE_LANGSUNG = KD_METODE["Pengadaan Langsung"]
# How a Pengadaan Langsung package is bought: through SPSE (non-tender), recorded afterwards
# (pencatatan), or not yet at the time of the pull.
PORSI_NONTENDER, PORSI_PENCATATAN = 0.55, 0.35
# Swakelola packages recorded per SiRUP penyedia package, and their kd_rup block (SiRUP's
# swakelola list is a different one; DKI's penyedia packages start at 50,000,000).
SWAKELOLA_PER_PAKET = 0.12
KD_RUP_SWAKELOLA_AWAL = 40_000_000
# Another government's row in the latest TenderSelesaiNilai (a BUMD tendering through the
# province's LPSE), as the real Kab. Bandung file holds one of its PDAM.
KLPD_LAIN = {"kd_klpd": "B1131", "nama_klpd": "Perumda PAM Jaya", "jenis_klpd": "BUMD"}
JENIS_SPSE = {"Barang": "Pengadaan Barang", "Pekerjaan Konstruksi": "Pekerjaan Konstruksi",
              "Jasa Konsultansi": "Jasa Konsultansi Badan Usaha Non Konstruksi",
              "Jasa Lainnya": "Jasa Lainnya"}
BENTUK_USAHA = {"PT": "Perseroan Terbatas (PT)",
                "CV": "Persekutuan Komanditer (CV / Commanditer Venoschaap )",
                "orang": "Orang Perseorangan"}
BANK = ("Bank DKI", "BANK DKI", "Bank DKI Cabang Balai Kota", "Bank Mandiri", "BNI",
        "BANK BRI", "Bank Syariah Indonesia", "BCA")
ALASAN_BATAL = ("double input", "salah input metode pemilihan", "anggaran perubahan",
                "salah tidak memasukan realisasi")
NAMA_SWAKELOLA = (
    "Belanja Perjalanan Dinas Biasa", "Belanja Perjalanan Dinas Dalam Kota",
    "Honorarium Narasumber atau Pembahas, Moderator, Pembawa Acara, dan Panitia",
    "Belanja Tagihan Air", "Belanja Tagihan Telepon", "Belanja Tagihan Listrik",
    "Penyediaan Jasa Surat Menyurat", "Belanja Makanan dan Minuman Rapat",
    "Sosialisasi Program kepada Masyarakat", "Belanja Jasa Tenaga Pendukung Administrasi",
    "Rapat Koordinasi dan Konsultasi SKPD", "Pelatihan Peningkatan Kapasitas Aparatur",
)


@dataclass(frozen=True)
class Penyedia:
    kd_penyedia: int
    nama: str
    bentuk: str        # PT, CV, orang
    umk: bool          # a small business (usaha mikro/kecil): its contracts count as UMK
    npwp: str          # 15 digits; a person's is the NIK's shape
    npwp16: str
    wakil: str         # wakil_sah_penyedia: a person
    bank: str
    no_rek: str


@dataclass(frozen=True)
class Ppk:
    nip: str
    nama: str


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

def rp(sen: int | None, teks: bool = False) -> int | float | str | None:
    """An amount in sen as LKPP writes it: a whole number, a number with cents, or (teks) a
    JSON string with two decimals."""
    if sen is None:
        return None
    rupiah, cents = divmod(sen, 100)
    if teks:
        return f"{rupiah}.{cents:02d}"
    return rupiah if cents == 0 else float(f"{rupiah}.{cents:02d}")


def _kali(sen: int, faktor: float, bulat: bool) -> int:
    """sen x faktor, rounded to whole rupiah when ``bulat``, else to the sen."""
    nilai = round(sen * faktor)
    return nilai - nilai % 100 if bulat else nilai


def bagi(rng: random.Random, total: int, jumlah: int) -> list[int]:
    """``total`` split into ``jumlah`` positive parts that add up to it exactly."""
    if jumlah <= 1 or total < jumlah:
        return [total]
    bobot = [rng.uniform(0.5, 1.5) for _ in range(jumlah)]
    parts = [int(total * b / sum(bobot)) for b in bobot[:-1]]
    parts.append(total - sum(parts))
    return parts


def bagi_seperti(total: int | None, pola: list[int]) -> list[int | None]:
    """``total`` split in the proportions of ``pola``, adding up to it exactly."""
    if total is None:
        return [None] * len(pola)
    jumlah = sum(pola)
    parts = [total * p // jumlah if jumlah else 0 for p in pola[:-1]]
    return [*parts, total - sum(parts)]


class Paksa:
    """Dirt every file must show: drawn with probability ``p`` per candidate row, and forced
    on the ``ke``-th candidate when it has not occurred yet."""

    def __init__(self, p: float, ke: int) -> None:
        self.p, self.ke = p, ke
        self.calon = self.terjadi = 0

    def __call__(self, rng: random.Random) -> bool:
        self.calon += 1
        kena = rng.random() < self.p or (self.terjadi == 0 and self.calon >= self.ke)
        self.terjadi += kena
        return kena


def _tanggal(rng: random.Random, awal: dt.date, akhir: dt.date) -> dt.date:
    if akhir <= awal:
        return awal
    return awal + dt.timedelta(days=rng.randrange((akhir - awal).days + 1))


def _jam(rng: random.Random, tanggal: dt.date, awal: int = 7, akhir: int = 22) -> dt.datetime:
    return dt.datetime.combine(tanggal, dt.time(rng.randint(awal, akhir), rng.randrange(60),
                                                rng.randrange(60)))


def _iso_z(waktu: dt.datetime, mikro: int = 0) -> str:
    """'2025-02-24T00:00:00.000000Z', as SPSE's contract dates are written."""
    return f"{waktu:%Y-%m-%dT%H:%M:%S}.{mikro:06d}Z"


def _singkatan(skpd: Skpd) -> str:
    kata = [k for k in skpd.nama.replace(",", " ").split() if k not in ("DAN", "DAERAH")]
    return "".join(k[0] for k in kata)[:6]


def _mak(rng: random.Random, skpd: Skpd, rekening: str) -> str:
    """'1.03.10.2.01.0029.5.2.04.01.01.0003.': kegiatan then kode rekening, trailing dot."""
    return (f"{skpd.kode_bidang}.{rng.randint(1, 5):02d}.2.{rng.randint(1, 10):02d}."
            f"{rng.randint(1, 30):04d}.{rekening}.")


def _blok_kode(config: SynthConfig) -> int:
    """Codes per year of one kind (kd_tender, order_id...): above any year's row count."""
    return 2 * sum(jumlah_paket(config).values()) + 1_000


def kode_spse(config: SynthConfig, tahun: int, jenis: int, urutan: int) -> int:
    """SPSE's 11-digit codes ('10018467000'): a sequence then '000', one block per year and
    kind of record, so no code repeats across the sample's years."""
    blok = _blok_kode(config)
    awal = 10_000_000 + jenis * 2_000_000 + config.years.index(tahun) * blok
    return (awal + urutan) * 1000


class Penulis:
    """Rows as dicts, written as a JSON array or (csv) a CSV file with the same fields in the
    same order; null becomes an empty cell, as in LKPP's CSV pulls."""

    def __init__(self, out_dir: Path, relatif: str, fields: list[str], csv: bool) -> None:
        self.relatif = relatif
        self.fields = fields
        self._csv = csv
        self._out = (CsvWriter(out_dir / relatif, fields) if csv
                     else JsonArrayWriter(out_dir / relatif))

    def write(self, row: dict[str, Any]) -> None:
        assert list(row) == self.fields, (self.relatif, list(row))
        if self._csv:
            self._out.write(["" if v is None else v for v in row.values()])
        else:
            self._out.write(row)

    def close(self) -> tuple[str, int]:
        self._out.close()
        return self.relatif, self._out.rows


def sebagai_csv(config: SynthConfig, tahun: int) -> bool:
    """Some datasets arrive as a CSV pull in every other year (not the latest)."""
    return config.years.index(tahun) % 2 == 0 and tahun != config.tahun_terakhir


# --------------------------------------------------------------------------------------------
# Vendors and PPK
# --------------------------------------------------------------------------------------------

def bangun_penyedia(config: SynthConfig) -> tuple[list[Penyedia], list[Penyedia]]:
    """SPSE vendors (SIKaP codes): (small businesses, the others)."""
    rng = config.rng("spse", "penyedia")
    kecil: list[Penyedia] = []
    besar: list[Penyedia] = []
    jumlah = max(60, min(20_000, round(config.paket_sirup * 0.15)))
    kode = rng.sample(range(100_000, 60_000_000), jumlah)
    for kd in kode:
        u = rng.random()
        bentuk = "orang" if u < 0.15 else "CV" if u < 0.55 else "PT"
        perempuan = rng.random() < 0.35
        wakil = people.nama_orang(rng, perempuan)
        if bentuk == "orang":
            nama = wakil.upper() if rng.random() < 0.5 else wakil
            lahir = dt.date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
            npwp16 = identifiers.nik(f"317{rng.randint(1, 5)}{rng.randint(1, 10):02d}", lahir,
                                     perempuan, rng.randint(1, 9999))
            npwp = npwp16[1:]
        else:
            nama = people.nama_perusahaan(rng)
            if not nama.startswith(bentuk):
                nama = bentuk + nama[2:]
            if rng.random() < 0.1:
                nama = nama.lower()  # vendors type their own names
            npwp16 = identifiers.npwp_badan_16(rng)
            npwp = npwp16[1:]
        umk = bentuk != "PT" or rng.random() < 0.35
        penyedia = Penyedia(kd, nama, bentuk, umk, npwp, npwp16, wakil, rng.choice(BANK),
                            f"{rng.randrange(10**9, 10**13)}")
        (kecil if umk else besar).append(penyedia)
    return kecil, besar


def _pilih_penyedia(rng: random.Random, pool: tuple[list[Penyedia], list[Penyedia]],
                    peluang_kecil: float, perorangan: bool = True) -> Penyedia:
    """A vendor, small with the given chance; a tender is won by a business entity."""
    kecil, besar = pool
    while True:
        vendor = rng.choice(kecil if rng.random() < peluang_kecil else besar)
        if perorangan or vendor.bentuk != "orang":
            return vendor


class DaftarPpk:
    """One PPK (pejabat pembuat komitmen) per satker and year, invented."""

    def __init__(self, config: SynthConfig, tahun: int) -> None:
        self._config = config
        self._tahun = tahun
        self._ppk: dict[str, Ppk] = {}

    def untuk(self, kode: str) -> Ppk:
        if kode not in self._ppk:
            rng = self._config.rng("spse", "ppk", self._tahun, kode)
            nama = people.nama_orang(rng, rng.random() < 0.45)
            gelar = rng.choice(("", "", ", S.T.", ", S.E.", ", S.Kom.", ", M.Si."))
            self._ppk[kode] = Ppk(identifiers.nip(rng, self._tahun), nama + gelar)
        return self._ppk[kode]


def _satker_spse(skpd: Skpd) -> dict[str, Any]:
    return {"kd_satker": KD_SATKER_SPSE[skpd.kode], "kd_satker_str": skpd.kode,
            "nama_satker": skpd.nama}


_KLPD = {"kd_klpd": KD_KLPD_DKI, "nama_klpd": NAMA_INSTANSI, "jenis_klpd": JENIS_INSTANSI}


# --------------------------------------------------------------------------------------------
# Tender: SPSE-TenderSelesaiNilai and SPSE-TenderEkontrak-Kontrak
# --------------------------------------------------------------------------------------------

FIELDS_TENDER = [
    "tahun_anggaran", "kd_klpd", "nama_klpd", "jenis_klpd", "kd_satker", "nama_satker",
    "kd_lpse", "kd_tender", "kd_paket", "kd_rup_paket", "pagu", "hps", "nilai_penawaran",
    "nilai_terkoreksi", "nilai_negosiasi", "nilai_kontrak", "tgl_pengumuman_tender",
    "tgl_penetapan_pemenang", "kd_penyedia", "nama_penyedia", "npwp_penyedia",
    "npwp_16_penyedia", "nilai_pdn_kontrak", "nilai_umk_kontrak", "_event_date",
]
FIELDS_TENDER_KONTRAK = [
    "tahun_anggaran", "kd_klpd", "nama_klpd", "jenis_klpd", "kd_satker", "kd_satker_str",
    "nama_satker", "alamat_satker", "kd_lpse", "kd_tender", "nama_paket", "lingkup_pekerjaan",
    "no_sppbj", "no_kontrak", "tgl_kontrak", "tgl_kontrak_awal", "tgl_kontrak_akhir",
    "kota_kontrak", "nip_ppk", "nama_ppk", "jabatan_ppk", "no_sk_ppk", "kd_penyedia",
    "nama_penyedia", "npwp_penyedia", "npwp_16_penyedia", "bentuk_usaha_penyedia",
    "tipe_penyedia", "anggota_kso", "wakil_sah_penyedia", "jabatan_wakil_penyedia",
    "nama_rek_bank", "no_rek_bank", "nama_pemilik_rek_bank", "nilai_kontrak",
    "alasan_ubah_nilai_kontrak", "alasan_nilai_kontrak_10_persen", "nilai_pdn_kontrak",
    "nilai_umk_kontrak", "jenis_kontrak", "informasi_lainnya", "status_kontrak",
    "tgl_penetapan_status_kontrak", "alasan_penetapan_status_kontrak", "apakah_addendum",
    "versi_addendum", "alasan_addendum",
]


@dataclass
class Seleksi:
    """What a contract row needs from its selection."""

    skpd: Skpd
    kode: int            # kd_tender / kd_nontender
    nama_paket: str
    jenis_pengadaan: str
    penyedia: Penyedia
    nilai: int           # sen
    pdn: int | None
    umk: int | None
    tanggal: dt.date     # winner chosen / selection finished


def _nilai_pdn(rng: random.Random, nilai: int, pdn_rup: bool, bulat: bool) -> int:
    """LKPP's PDN value of a contract: DKI buys mostly domestic."""
    if pdn_rup:
        u = rng.random()
        if u < 0.86:
            return nilai
        if u < 0.95:
            return _kali(nilai, rng.uniform(0.6, 0.98), bulat)
        return 0
    return _kali(nilai, rng.uniform(0.0, 0.45), bulat) if rng.random() < 0.7 else 0


def _tulis_kontrak(rng: random.Random, config: SynthConfig, tahun: int, sel: Seleksi,
                   out: Penulis, ppk: Ppk, nontender: bool, jumlah: int,
                   addendum: bool = False, pembulatan: bool = False) -> None:
    """The signed contract(s) of one selection; several split its value exactly."""
    data_date = config.tanggal_tarik(tahun)
    pola = bagi(rng, sel.nilai, jumlah)
    pdn = bagi_seperti(sel.pdn, pola)
    umk = bagi_seperti(sel.umk, pola)
    singkat = _singkatan(sel.skpd)
    for i, nilai in enumerate(pola):
        tgl_kontrak = min(sel.tanggal + dt.timedelta(days=rng.randint(3, 21) + 10 * i),
                          data_date - dt.timedelta(days=3))
        akhir = min(dt.date(tahun, 12, 31), tgl_kontrak + dt.timedelta(
            days=rng.choice((30, 60, 90, 120, 150, 180))))
        selesai = akhir < data_date and rng.random() < (0.7 if nontender else 0.5)
        nilai_pdn, nilai_umk = pdn[i], umk[i]
        if sel.pdn is None:  # SPSE's selection has no PDN value; the contract form does
            nilai_pdn = nilai if rng.random() < 0.85 else 0
            nilai_umk = nilai if sel.penyedia.umk else 0
        alasan_ubah = ""
        if pembulatan:
            # The contract rounds the selection's value down to the thousand.
            baru = nilai - nilai % 100_000
            baru = baru - 100_000 if baru == nilai else baru
            nilai_pdn = min(nilai_pdn, baru) if nilai_pdn is not None else None
            nilai_umk = min(nilai_umk, baru) if nilai_umk is not None else None
            nilai, alasan_ubah = baru, rng.choice(("Pembulatan", "pembulatan angka koma"))
        versi = 0
        if addendum:
            faktor = rng.uniform(1.02, 1.09)
            nilai = _kali(nilai, faktor, True)
            nilai_pdn = _kali(nilai_pdn, faktor, True) if nilai_pdn is not None else None
            nilai_umk = _kali(nilai_umk, faktor, True) if nilai_umk is not None else None
            versi = 1
        nomor = rng.randint(1, 999)
        row: dict[str, Any] = {
            "tahun_anggaran": tahun, **_KLPD, **_satker_spse(sel.skpd),
        }
        if not nontender:
            row["alamat_satker"] = "Jl. Medan Merdeka Selatan No. 8-9, Jakarta Pusat"
        row |= {
            "kd_lpse": KD_LPSE_DKI,
            ("kd_nontender" if nontender else "kd_tender"): sel.kode,
            "nama_paket": sel.nama_paket,
        }
        if nontender:
            row["mtd_pengadaan"] = "Pengadaan Langsung"
        row |= {
            "lingkup_pekerjaan": None if nontender else f"<p>{sel.nama_paket}\r\n</p>",
            "no_sppbj": f"027/{nomor}/SPPBJ/{singkat}/{tahun}",
            "no_kontrak": f"027/{nomor + 1 + i}/{'SPK' if nontender else 'KTR'}/{singkat}/{tahun}",
            "tgl_kontrak": _iso_z(dt.datetime.combine(tgl_kontrak, dt.time())),
            "tgl_kontrak_awal": None if nontender else _iso_z(
                dt.datetime.combine(tgl_kontrak, dt.time())),
            "tgl_kontrak_akhir": None if nontender else _iso_z(
                dt.datetime.combine(akhir, dt.time())),
            "kota_kontrak": rng.choice(("Jakarta", "Jakarta", "DKI Jakarta", "Jakarta Pusat")),
            "nip_ppk": ppk.nip, "nama_ppk": ppk.nama,
            "jabatan_ppk": "Pejabat Pembuat Komitmen",
            "no_sk_ppk": f"e-{rng.randint(10, 999)}/{tahun}",
        }
        if not nontender:
            row["kd_penyedia"] = sel.penyedia.kd_penyedia
        row |= {
            "nama_penyedia": sel.penyedia.nama,
            "npwp_penyedia": sel.penyedia.npwp,
            "npwp_16_penyedia": sel.penyedia.npwp16,
            "bentuk_usaha_penyedia": BENTUK_USAHA[sel.penyedia.bentuk],
            "tipe_penyedia": None if nontender else "Penyedia Badan Usaha Non KSO",
            "anggota_kso": None,
            "wakil_sah_penyedia": sel.penyedia.wakil,
            "jabatan_wakil_penyedia": "Pemilik" if sel.penyedia.bentuk == "orang" else "Direktur",
            "nama_rek_bank": sel.penyedia.bank,
            "no_rek_bank": sel.penyedia.no_rek,
            "nama_pemilik_rek_bank": sel.penyedia.nama if sel.penyedia.bentuk != "orang"
            else sel.penyedia.wakil,
            "nilai_kontrak": rp(nilai),
            "alasan_ubah_nilai_kontrak": alasan_ubah,
            "alasan_nilai_kontrak_10_persen": None,
            "nilai_pdn_kontrak": rp(nilai_pdn),
            "nilai_umk_kontrak": rp(nilai_umk),
            "jenis_kontrak": rng.choice(("Lumsum", "Lumsum", "Gabungan Lumsum dan Harga Satuan")
                                        if sel.jenis_pengadaan != KONSULTANSI
                                        else ("Lumsum", "Waktu Penugasan")),
            "informasi_lainnya": None if nontender else "",
            "status_kontrak": "Kontrak Selesai" if selesai else "Kontrak Sedang Berjalan",
            "tgl_penetapan_status_kontrak": _iso_z(_jam(rng, min(
                akhir + dt.timedelta(days=rng.randint(0, 10)), data_date)),
                rng.randrange(1000) * 1000) if selesai else None,
            "alasan_penetapan_status_kontrak": None,
            "apakah_addendum": "Ya" if versi else "Tidak",
            "versi_addendum": versi,
            "alasan_addendum": "Perubahan volume pekerjaan (CCO)" if versi else None,
        }
        out.write(row)


def _tulis_tender(config: SynthConfig, tahun: int, sirup: HasilSirup, out_dir: Path,
                  penyedia: tuple[list[Penyedia], list[Penyedia]],
                  ppk: DaftarPpk) -> list[tuple[str, int]]:
    rng = config.rng("spse", "tender", tahun)
    rng_kontrak = config.rng("spse", "tender_kontrak", tahun)
    data_date = config.tanggal_tarik(tahun)
    teks = tahun == config.tahun_terakhir  # the latest pull writes money as strings
    belum_selesai, pdn_tak_tahu = Paksa(0.08, 2), Paksa(0.15, 3)
    banyak_kontrak, addendum = Paksa(0.08, 2), Paksa(0.02, 4)
    seleksi = Penulis(out_dir, f"spse/spse_tender_selesai_nilai_{tahun}.json", FIELDS_TENDER,
                      False)
    kontrak = Penulis(out_dir, f"spse/spse_tender_ekontrak_kontrak_{tahun}.json",
                      FIELDS_TENDER_KONTRAK, False)
    urutan = 0
    for skpd in SKPD_DKI:
        daftar = sirup.pemilihan[skpd.kode]
        for i in range(len(daftar)):
            if daftar.kd_metode[i] not in METODE_TENDER or rng.random() < 0.07:
                continue  # not put out to tender (yet)
            urutan += 1
            kd_rup, pagu = daftar.kd_rup[i], daftar.pagu[i]
            template, nama_paket = paket_untuk(skpd, kd_rup)
            kd_tender = kode_spse(config, tahun, 0, urutan * 7 + rng.randrange(7))
            umumkan = dt.date(tahun, daftar.bulan_pilih[i], rng.randint(1, 28))
            menang = min(umumkan + dt.timedelta(days=rng.randint(14, 45)),
                         dt.date(tahun, 12, 28))
            bulat = rng.random() < 0.5
            hps = _kali(pagu * 100, rng.uniform(0.95, 1.0), bulat)
            vendor = _pilih_penyedia(rng, penyedia, 0.55 if pagu <= 15_000_000_000 else 0.05,
                                     perorangan=False)
            selesai = not belum_selesai(rng)
            penawaran = nego = nilai = pdn = umk = None
            if selesai:
                penawaran = _kali(hps, rng.uniform(0.82, 0.99), rng.random() < 0.5)
                nego = _kali(penawaran, rng.uniform(0.995, 1.0), penawaran % 100 == 0) \
                    if rng.random() < 0.3 else penawaran
                nilai = nego - nego % 100_000 if rng.random() < 0.15 else nego
                if not pdn_tak_tahu(rng):
                    pdn = _nilai_pdn(rng, nilai, bool(daftar.pdn[i]), nilai % 100 == 0)
                    umk = nilai if vendor.umk else 0
            seleksi.write({
                "tahun_anggaran": tahun, **_KLPD, "kd_satker": skpd.kode,
                "nama_satker": skpd.nama, "kd_lpse": KD_LPSE_DKI, "kd_tender": kd_tender,
                "kd_paket": kd_tender - 1000 * rng.randint(100, 900),
                "kd_rup_paket": str(kd_rup), "pagu": pagu,
                "hps": rp(hps, teks), "nilai_penawaran": rp(penawaran, teks),
                "nilai_terkoreksi": rp(penawaran, teks), "nilai_negosiasi": rp(nego, teks),
                "nilai_kontrak": rp(nilai, teks),
                "tgl_pengumuman_tender": umumkan.isoformat(),
                "tgl_penetapan_pemenang": menang.isoformat(),
                "kd_penyedia": vendor.kd_penyedia if selesai else None,
                "nama_penyedia": vendor.nama if selesai else None,
                "npwp_penyedia": vendor.npwp if selesai else None,
                "npwp_16_penyedia": vendor.npwp16 if selesai else None,
                "nilai_pdn_kontrak": rp(pdn, teks), "nilai_umk_kontrak": rp(umk, teks),
                "_event_date": data_date.isoformat(),
            })
            if nilai is None or rng_kontrak.random() < 0.08:
                continue  # no contract signed yet
            sel = Seleksi(skpd, kd_tender, nama_paket, template.jenis_pengadaan, vendor, nilai,
                          pdn, umk, menang)
            jumlah = rng_kontrak.choice((2, 2, 3)) if banyak_kontrak(rng_kontrak) else 1
            _tulis_kontrak(rng_kontrak, config, tahun, sel, kontrak, ppk.untuk(skpd.kode),
                           nontender=False, jumlah=jumlah,
                           addendum=jumlah == 1 and addendum(rng_kontrak))
    if teks:
        # A BUMD's tender on the province's LPSE: its own kd_klpd, its own satker code.
        pagu = rng.randrange(2_000, 6_000) * 1_000_000
        hps = _kali(pagu * 100, rng.uniform(0.95, 1.0), False)
        nilai = _kali(hps, rng.uniform(0.85, 0.97), False)
        vendor = _pilih_penyedia(rng, penyedia, 0.0)
        menang = dt.date(tahun, rng.randint(3, 9), rng.randint(1, 28))
        kd_tender = kode_spse(config, tahun, 0, (urutan + 1) * 7)
        seleksi.write({
            "tahun_anggaran": tahun, **KLPD_LAIN, "kd_satker": "01",
            "nama_satker": KLPD_LAIN["nama_klpd"], "kd_lpse": KD_LPSE_DKI,
            "kd_tender": kd_tender, "kd_paket": kd_tender - 1000 * rng.randint(100, 900),
            "kd_rup_paket": str(rng.randrange(30_000_000, 40_000_000)), "pagu": pagu,
            "hps": rp(hps, teks), "nilai_penawaran": rp(nilai, teks),
            "nilai_terkoreksi": rp(nilai, teks), "nilai_negosiasi": rp(nilai, teks),
            "nilai_kontrak": rp(nilai, teks),
            "tgl_pengumuman_tender": (menang - dt.timedelta(days=30)).isoformat(),
            "tgl_penetapan_pemenang": menang.isoformat(),
            "kd_penyedia": vendor.kd_penyedia, "nama_penyedia": vendor.nama,
            "npwp_penyedia": vendor.npwp, "npwp_16_penyedia": vendor.npwp16,
            "nilai_pdn_kontrak": None, "nilai_umk_kontrak": None,
            "_event_date": data_date.isoformat(),
        })
    return [seleksi.close(), kontrak.close()]


# --------------------------------------------------------------------------------------------
# Pengadaan Langsung: which packages go where
# --------------------------------------------------------------------------------------------

def _bagi_pengadaan_langsung(config: SynthConfig, tahun: int, sirup: HasilSirup) -> tuple[
        dict[str, array], dict[str, array]]:
    """Per satker, the indexes (into ``sirup.pemilihan``) of its Pengadaan Langsung packages
    bought through SPSE and of those recorded as pencatatan."""
    rng = config.rng("spse", "pembagian", tahun)
    nontender: dict[str, array] = {}
    pencatatan: dict[str, array] = {}
    for skpd in SKPD_DKI:
        daftar = sirup.pemilihan[skpd.kode]
        nontender[skpd.kode], pencatatan[skpd.kode] = array("i"), array("i")
        for i in range(len(daftar)):
            if daftar.kd_metode[i] != METODE_LANGSUNG:
                continue
            u = rng.random()
            if u < PORSI_NONTENDER:
                nontender[skpd.kode].append(i)
            elif u < PORSI_NONTENDER + PORSI_PENCATATAN:
                pencatatan[skpd.kode].append(i)
    return nontender, pencatatan


# --------------------------------------------------------------------------------------------
# Non-tender: SPSE-NonTenderSelesai and SPSE-NonTenderEkontrak-Kontrak
# --------------------------------------------------------------------------------------------

FIELDS_NONTENDER = [
    "tahun_anggaran", "lpse_id", "kd_klpd", "nama_klpd", "jenis_klpd", "kd_satker",
    "kd_satker_str", "nama_satker", "kd_lpse", "nama_lpse", "kd_nontender", "kd_pkt_dce",
    "kd_rup", "nama_paket", "pagu", "hps", "nilai_penawaran", "nilai_terkoreksi",
    "nilai_negosiasi", "nilai_kontrak", "nilai_pdn_kontrak", "nilai_umk_kontrak",
    "sumber_dana", "mak", "kualifikasi_paket", "jenis_pengadaan", "mtd_pemilihan",
    "kontrak_pembayaran", "status_nontender", "tgl_pengumuman_nontender",
    "tgl_selesai_nontender", "kd_penyedia", "nama_penyedia", "npwp_penyedia",
    "npwp16_penyedia", "url_lpse", "tgl_penarikan",
]
FIELDS_NONTENDER_KONTRAK = [
    f for f in FIELDS_TENDER_KONTRAK if f not in ("alamat_satker", "kd_penyedia")
]
FIELDS_NONTENDER_KONTRAK.insert(FIELDS_NONTENDER_KONTRAK.index("kd_tender"), "kd_nontender")
FIELDS_NONTENDER_KONTRAK.remove("kd_tender")
FIELDS_NONTENDER_KONTRAK.insert(FIELDS_NONTENDER_KONTRAK.index("nama_paket") + 1,
                                "mtd_pengadaan")


def _jenis_spse(rng: random.Random, jenis: str) -> str:
    if jenis == KONSULTANSI:
        return rng.choice(("Jasa Konsultansi Badan Usaha Non Konstruksi",
                           "Jasa Konsultansi Badan Usaha Konstruksi",
                           "Jasa Konsultansi Perorangan Konstruksi"))
    return JENIS_SPSE[jenis]


def _tulis_nontender(config: SynthConfig, tahun: int, sirup: HasilSirup, bagian: dict[str, array],
                     out_dir: Path, penyedia: tuple[list[Penyedia], list[Penyedia]],
                     ppk: DaftarPpk) -> list[tuple[str, int]]:
    rng = config.rng("spse", "nontender", tahun)
    rng_kontrak = config.rng("spse", "nontender_kontrak", tahun)
    data_date = config.tanggal_tarik(tahun)
    berlangsung, tanpa_nilai, pdn_tak_tahu = Paksa(0.07, 2), Paksa(0.07, 3), Paksa(0.03, 5)
    nilai_teks = Paksa(0.04, 4)
    banyak_kontrak, pembulatan = Paksa(0.04, 3), Paksa(0.01, 6)
    seleksi = Penulis(out_dir, f"spse/spse_nontender_selesai_{tahun}.json", FIELDS_NONTENDER,
                      False)
    kontrak = Penulis(out_dir, f"spse/spse_nontender_ekontrak_kontrak_{tahun}.json",
                      FIELDS_NONTENDER_KONTRAK, False)
    urutan = 0
    for skpd in SKPD_DKI:
        daftar = sirup.pemilihan[skpd.kode]
        for i in bagian[skpd.kode]:
            urutan += 1
            kd_rup, pagu = daftar.kd_rup[i], daftar.pagu[i]
            template, nama_paket = paket_untuk(skpd, kd_rup)
            kd_nontender = kode_spse(config, tahun, 1, urutan * 3 + rng.randrange(3))
            umumkan = _jam(rng, dt.date(tahun, daftar.bulan_pilih[i], rng.randint(1, 28)), 8, 17)
            tutup = umumkan + dt.timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 6))
            teks = nilai_teks(rng)
            bulat = rng.random() < 0.6
            hps = _kali(pagu * 100, rng.uniform(0.97, 1.0), bulat)
            penawaran = _kali(hps, rng.uniform(0.97, 1.0), bulat)
            nego = _kali(penawaran, rng.uniform(0.98, 1.0), bulat)
            vendor = _pilih_penyedia(rng, penyedia, 0.85)
            status = "Berlangsung" if berlangsung(rng) else "Selesai"
            nilai = pdn = umk = None
            if status == "Selesai" and not tanpa_nilai(rng):
                nilai = nego - nego % 100 if rng.random() < 0.6 else nego
                if not pdn_tak_tahu(rng):
                    pdn = _nilai_pdn(rng, nilai, bool(daftar.pdn[i]), nilai % 100 == 0)
                    umk = nilai if vendor.umk else 0
            seleksi.write({
                "tahun_anggaran": tahun, "lpse_id": KD_LPSE_DKI, **_KLPD, **_satker_spse(skpd),
                "kd_lpse": KD_LPSE_DKI, "nama_lpse": NAMA_LPSE_DKI,
                "kd_nontender": kd_nontender,
                "kd_pkt_dce": kd_nontender + 1000 * rng.randint(50_000, 400_000),
                "kd_rup": str(kd_rup), "nama_paket": nama_paket, "pagu": pagu,
                "hps": rp(hps, teks), "nilai_penawaran": rp(penawaran, teks),
                "nilai_terkoreksi": rp(penawaran, teks), "nilai_negosiasi": rp(nego, teks),
                "nilai_kontrak": rp(nilai, teks), "nilai_pdn_kontrak": rp(pdn, teks),
                "nilai_umk_kontrak": rp(umk, teks),
                "sumber_dana": rng.choice(("APBD",) * 8 + ("APBDP",) + (
                    ("BLUD",) if skpd.blud else ("APBD",))),
                "mak": _mak(rng, skpd, template.rekening),
                "kualifikasi_paket": "Kecil",
                "jenis_pengadaan": _jenis_spse(rng, template.jenis_pengadaan),
                "mtd_pemilihan": "Penunjukan Langsung" if rng.random() < 0.03
                else "Pengadaan Langsung",
                "kontrak_pembayaran": rng.choice(("Lumsum", "Lumsum", "Lumsum", "Harga Satuan",
                                                  "Gabungan Lumsum dan Harga Satuan")),
                "status_nontender": status,
                "tgl_pengumuman_nontender": f"{umumkan:%Y-%m-%d %H:%M:%S}",
                "tgl_selesai_nontender": f"{tutup:%Y-%m-%d %H:%M:%S}",
                "kd_penyedia": vendor.kd_penyedia, "nama_penyedia": vendor.nama,
                "npwp_penyedia": vendor.npwp, "npwp16_penyedia": vendor.npwp16,
                "url_lpse": URL_LPSE_DKI, "tgl_penarikan": data_date.isoformat(),
            })
            if nilai is None or rng_kontrak.random() < 0.05:
                continue
            sel = Seleksi(skpd, kd_nontender, nama_paket, template.jenis_pengadaan, vendor,
                          nilai, pdn, umk, min(tutup.date(), data_date - dt.timedelta(days=5)))
            jumlah = 2 if banyak_kontrak(rng_kontrak) else 1
            _tulis_kontrak(rng_kontrak, config, tahun, sel, kontrak, ppk.untuk(skpd.kode),
                           nontender=True, jumlah=jumlah,
                           pembulatan=jumlah == 1 and pembulatan(rng_kontrak))
    return [seleksi.close(), kontrak.close()]


# --------------------------------------------------------------------------------------------
# Pencatatan non-tender (+ realisasi)
# --------------------------------------------------------------------------------------------

FIELDS_PENCATATAN = [
    "tahun_anggaran", "kd_klpd", "nama_klpd", "jenis_klpd", "kd_satker", "kd_satker_str",
    "nama_satker", "kd_lpse", "kd_nontender_pct", "kd_pkt_dce", "kd_rup", "nama_paket", "pagu",
    "total_realisasi", "nilai_pdn_pct", "nilai_umk_pct", "sumber_dana", "uraian_pekerjaan",
    "informasi_lainnya", "kategori_pengadaan", "mtd_pemilihan", "bukti_pembayaran",
    "nip_ppk", "nama_ppk", "status_nontender_pct", "status_nontender_pct_ket",
    "alasan_pembatalan", "tgl_buat_paket", "tgl_mulai_paket", "tgl_selesai_paket",
    "_event_date",
]
FIELDS_PENCATATAN_REALISASI = [
    "tahun_anggaran", "kd_klpd", "nama_klpd", "jenis_klpd", "kd_satker", "kd_satker_str",
    "nama_satker", "kd_lpse", "nama_lpse", "kd_nontender_pct", "kd_paket_dce", "kd_rup_paket",
    "nama_paket", "pagu", "jenis_realisasi", "no_realisasi", "tgl_realisasi",
    "nilai_realisasi", "dok_realisasi", "ket_realisasi", "nip_ppk", "nama_ppk",
    "nama_penyedia", "npwp_penyedia", "_event_date",
]
JENIS_REALISASI = ("Kwitansi", "Bukti Pembelian", "Surat Perjanjian", "Dokumen Lainnya")


def _uraian(rng: random.Random, nama: str) -> str:
    if rng.random() < 0.5:
        return ""
    return f"<p>{nama}</p>" + " " * rng.randint(0, 24) + "\r\n" + " " * rng.randint(0, 16)


def _status_pct(rng: random.Random, batal: Paksa) -> tuple[str, str, str | None]:
    """(status_*_pct, status_*_pct_ket, alasan_pembatalan)."""
    if batal(rng):
        return "Ditutup", "Paket Dibatalkan", rng.choice(ALASAN_BATAL)
    if rng.random() < 0.22:
        return "Aktif", "Paket Sedang Berjalan", None
    return "Aktif", "Paket Selesai", None


def _total_realisasi(rng: random.Random, pagu: int, ket: str) -> int:
    """Rupiah paid so far (whole rupiah, as the real pencatatan exports)."""
    if ket == "Paket Sedang Berjalan":
        return round(pagu * rng.uniform(0.15, 0.85))
    if rng.random() < 0.3:
        return pagu
    return round(pagu * rng.uniform(0.85 if ket == "Paket Selesai" else 0.4, 1.0))


def _tulis_pencatatan(config: SynthConfig, tahun: int, sirup: HasilSirup,
                      bagian: dict[str, array], out_dir: Path,
                      penyedia: tuple[list[Penyedia], list[Penyedia]],
                      ppk: DaftarPpk) -> list[tuple[str, int]]:
    rng = config.rng("spse", "pencatatan", tahun)
    rng_bayar = config.rng("spse", "pencatatan_realisasi", tahun)
    data_date = config.tanggal_tarik(tahun)
    gabung, batal, desimal = Paksa(0.05, 3), Paksa(0.07, 4), Paksa(0.03, 5)
    akhiran = "csv" if sebagai_csv(config, tahun) else "json"
    paket_out = Penulis(out_dir, f"spse/spse_pencatatan_nontender_{tahun}.{akhiran}",
                        FIELDS_PENCATATAN, akhiran == "csv")
    bayar_out = Penulis(out_dir, f"spse/spse_pencatatan_nontender_realisasi_{tahun}.json",
                        FIELDS_PENCATATAN_REALISASI, False)
    urutan = 0
    for skpd in SKPD_DKI:
        daftar = sirup.pemilihan[skpd.kode]
        indeks = list(bagian[skpd.kode])
        j = 0
        while j < len(indeks):
            kelompok = [indeks[j]]
            # One recorded purchase paying two planned packages: kd_rup "a;b".
            if j + 1 < len(indeks) and gabung(rng):
                kelompok.append(indeks[j + 1])
            j += len(kelompok)
            urutan += 1
            i = kelompok[0]
            kode_rup = [daftar.kd_rup[k] for k in kelompok]
            pagu = sum(daftar.pagu[k] for k in kelompok)
            template, nama_paket = paket_untuk(skpd, kode_rup[0])
            kd_pct = kode_spse(config, tahun, 2, urutan * 3 + rng.randrange(3))
            status, ket, alasan = _status_pct(rng, batal)
            total = _total_realisasi(rng, pagu, ket)
            kecil = rng.random() < 0.8
            u = rng.random()
            if daftar.pdn[i]:
                pdn_sen = total * 100 if u < 0.8 else 0 if u < 0.9 else _kali(
                    total * 100, rng.uniform(0.5, 0.95), True)
            else:
                pdn_sen = 0 if u < 0.7 else _kali(total * 100, rng.uniform(0.1, 0.5), True)
            if 0 < pdn_sen < total * 100 and desimal(rng):
                pdn_sen += rng.randint(1, 99)  # LKPP's own computation leaves cents
            umk_sen = total * 100 if kecil else 0
            if umk_sen and pdn_sen % 100 and rng.random() < 0.5:
                umk_sen = pdn_sen
            dibuat = _jam(rng, dt.date(tahun, daftar.bulan_pilih[i], rng.randint(1, 28)))
            mulai = dibuat + dt.timedelta(minutes=rng.randint(2, 60 * 24 * 10))
            selesai_paket = min(mulai.date() + dt.timedelta(days=rng.randint(0, 60)),
                                dt.date(tahun, 12, 31))
            p = ppk.untuk(skpd.kode)
            paket_out.write({
                "tahun_anggaran": tahun, **_KLPD, **_satker_spse(skpd), "kd_lpse": KD_LPSE_DKI,
                "kd_nontender_pct": kd_pct,
                "kd_pkt_dce": kd_pct + 1000 * rng.randint(20_000, 120_000),
                "kd_rup": ";".join(str(k) for k in kode_rup), "nama_paket": nama_paket,
                "pagu": pagu, "total_realisasi": total,
                "nilai_pdn_pct": rp(pdn_sen), "nilai_umk_pct": rp(umk_sen),
                "sumber_dana": rng.choice(("APBD",) * 10 + ("APBDP", "APBDP;APBD")),
                "uraian_pekerjaan": _uraian(rng, nama_paket), "informasi_lainnya": None,
                "kategori_pengadaan": _jenis_spse(rng, template.jenis_pengadaan),
                "mtd_pemilihan": "Pengadaan Langsung",
                "bukti_pembayaran": "NonSPK" if rng.random() < 0.8 else "SPK",
                "nip_ppk": p.nip, "nama_ppk": p.nama,
                "status_nontender_pct": status, "status_nontender_pct_ket": ket,
                "alasan_pembatalan": alasan,
                "tgl_buat_paket": _iso_z(dibuat, rng.randrange(1000) * 1000),
                "tgl_mulai_paket": f"{mulai:%Y-%m-%d %H:%M:%S}",
                "tgl_selesai_paket": f"{selesai_paket:%Y-%m-%d} 00:00:00",
                "_event_date": data_date.isoformat(),
            })
            # The payments recorded against it, adding up to total_realisasi.
            if total <= 0:
                continue
            jumlah = rng_bayar.choices((1, 2, 3), (60, 30, 10))[0]
            vendor = _pilih_penyedia(rng_bayar, penyedia, 0.9)
            for n, nilai in enumerate(bagi(rng_bayar, total, jumlah)):
                tgl = min(dibuat.date() + dt.timedelta(days=rng_bayar.randint(0, 40) + 15 * n),
                          data_date - dt.timedelta(days=5))
                gaya = rng_bayar.random()
                nama_penyedia = (vendor.wakil.upper() if gaya < 0.3 else vendor.nama
                                 if gaya < 0.5 else None)
                bayar_out.write({
                    "tahun_anggaran": tahun, **_KLPD, **_satker_spse(skpd),
                    "kd_lpse": KD_LPSE_DKI, "nama_lpse": NAMA_LPSE_DKI,
                    "kd_nontender_pct": kd_pct,
                    "kd_paket_dce": kd_pct + 1000 * rng_bayar.randint(20_000, 120_000),
                    "kd_rup_paket": str(kode_rup[n % len(kode_rup)]),
                    "nama_paket": nama_paket, "pagu": pagu,
                    "jenis_realisasi": rng_bayar.choice(JENIS_REALISASI),
                    "no_realisasi": f"BKU_{urutan:04d}{n + 1}",
                    "tgl_realisasi": _iso_z(dt.datetime.combine(tgl, dt.time())),
                    "nilai_realisasi": nilai, "dok_realisasi": None,
                    "ket_realisasi": rng_bayar.choice(("", "-", f"{nama_paket} {tgl:%d/%m/%Y}")),
                    "nip_ppk": p.nip, "nama_ppk": p.nama,
                    "nama_penyedia": nama_penyedia,
                    "npwp_penyedia": vendor.npwp if nama_penyedia else None,
                    "_event_date": data_date.isoformat(),
                })
    return [paket_out.close(), bayar_out.close()]


# --------------------------------------------------------------------------------------------
# Pencatatan swakelola (+ realisasi)
# --------------------------------------------------------------------------------------------

FIELDS_SWAKELOLA = [
    "tahun_anggaran", "kd_klpd", "nama_klpd", "jenis_klpd", "kd_satker", "kd_satker_str",
    "nama_satker", "kd_rup", "kd_lpse", "kd_swakelola_pct", "kd_pkt_dce", "nama_paket", "pagu",
    "total_realisasi", "nilai_pdn_pct", "nilai_umk_pct", "sumber_dana", "uraian_pekerjaan",
    "informasi_lainnya", "tipe_swakelola", "tipe_swakelola_nama", "nip_ppk", "nama_ppk",
    "status_swakelola_pct", "status_swakelola_pct_ket", "alasan_pembatalan", "tgl_buat_paket",
    "tgl_mulai_paket", "tgl_selesai_paket", "_event_date",
]
FIELDS_SWAKELOLA_REALISASI = [
    "tahun_anggaran", "kd_klpd", "kd_satker", "kd_lpse", "kd_swakelola_pct", "jenis_realisasi",
    "no_realisasi", "tgl_realisasi", "nilai_realisasi", "dok_realisasi", "ket_realisasi",
    "nip_ppk", "nama_ppk", "nama_pelaksana", "npwp_pelaksana", "_event_date",
]


def _tulis_swakelola(config: SynthConfig, tahun: int, out_dir: Path,
                     ppk: DaftarPpk) -> list[tuple[str, int]]:
    rng = config.rng("spse", "swakelola", tahun)
    rng_bayar = config.rng("spse", "swakelola_realisasi", tahun)
    data_date = config.tanggal_tarik(tahun)
    batal = Paksa(0.12, 3)
    paket_out = Penulis(out_dir, f"spse/spse_pencatatan_swakelola_{tahun}.json",
                        FIELDS_SWAKELOLA, False)
    bayar_out = Penulis(out_dir, f"spse/spse_pencatatan_swakelola_realisasi_{tahun}.json",
                        FIELDS_SWAKELOLA_REALISASI, False)
    per_satker = jumlah_paket(config)
    kd_rup = KD_RUP_SWAKELOLA_AWAL + config.years.index(tahun) * _blok_kode(config)
    urutan = 0
    for skpd in SKPD_DKI:
        for _ in range(max(1, round(per_satker[skpd.kode] * SWAKELOLA_PER_PAKET))):
            urutan += 1
            kd_rup += rng.randint(1, 5)
            kd_pct = kode_spse(config, tahun, 3, urutan * 3 + rng.randrange(3))
            nama = rng.choice(NAMA_SWAKELOLA)
            pagu = max(250_000, int(round(rng.lognormvariate(16, 1.1), -3)))
            status, ket, alasan = _status_pct(rng, batal)
            total = _total_realisasi(rng, pagu, ket)
            pdn = total if rng.random() < 0.2 else 0
            umk = total if pdn and rng.random() < 0.6 else 0
            tipe = rng.random() < 0.15
            dibuat = _jam(rng, _tanggal(rng, dt.date(tahun, 1, 5), dt.date(tahun, 11, 30)))
            mulai = dibuat + dt.timedelta(minutes=rng.randint(1, 60 * 24))
            p = ppk.untuk(skpd.kode)
            paket_out.write({
                "tahun_anggaran": tahun, **_KLPD, "kd_satker": str(skpd.kd_satker),
                "kd_satker_str": skpd.kode, "nama_satker": skpd.nama, "kd_rup": str(kd_rup),
                "kd_lpse": KD_LPSE_DKI, "kd_swakelola_pct": kd_pct, "kd_pkt_dce": kd_pct + 50_000,
                "nama_paket": nama, "pagu": pagu, "total_realisasi": total,
                "nilai_pdn_pct": pdn, "nilai_umk_pct": umk,
                "sumber_dana": "APBD" if rng.random() < 0.85 else "APBD;APBDP",
                "uraian_pekerjaan": _uraian(rng, nama) if rng.random() < 0.97 else None,
                "informasi_lainnya": None,
                "tipe_swakelola": 1 if tipe else None,
                "tipe_swakelola_nama": "Tipe 1" if tipe else None,
                "nip_ppk": p.nip, "nama_ppk": p.nama,
                "status_swakelola_pct": status, "status_swakelola_pct_ket": ket,
                "alasan_pembatalan": alasan,
                "tgl_buat_paket": f"{dibuat:%Y-%m-%d %H:%M:%S}",
                "tgl_mulai_paket": f"{mulai:%Y-%m-%d %H:%M:%S}",
                "tgl_selesai_paket": f"{_tanggal(rng, mulai.date(), dt.date(tahun, 12, 31))}"
                                     " 00:00:00",
                "_event_date": data_date.isoformat(),
            })
            if total <= 0 or ket == "Paket Dibatalkan":
                continue
            jumlah = rng_bayar.choices((1, 2, 3, 4), (45, 30, 15, 10))[0]
            for n, nilai in enumerate(bagi(rng_bayar, total, jumlah)):
                tgl = min(mulai.date() + dt.timedelta(days=rng_bayar.randint(0, 30) + 20 * n),
                          data_date - dt.timedelta(days=5))
                pelaksana = rng_bayar.random() < 0.4
                lahir = dt.date(rng_bayar.randint(1965, 1998), rng_bayar.randint(1, 12),
                                rng_bayar.randint(1, 28))
                perempuan = rng_bayar.random() < 0.4
                bayar_out.write({
                    "tahun_anggaran": tahun, "kd_klpd": KD_KLPD_DKI,
                    "kd_satker": str(skpd.kd_satker), "kd_lpse": KD_LPSE_DKI,
                    "kd_swakelola_pct": kd_pct,
                    "jenis_realisasi": rng_bayar.choice(JENIS_REALISASI),
                    "no_realisasi": f"{rng_bayar.randint(1, 999):03d}/UP/{skpd.kode}/"
                                    f"{n + 1}/{tahun}",
                    "tgl_realisasi": f"{tgl:%Y-%m-%d} 00:00:00",
                    "nilai_realisasi": nilai,
                    "dok_realisasi": rng_bayar.choice((None, None, "Laporan Kegiatan/SPJ",
                                                       "Bukti Transfer", "Nota Dinas")),
                    "ket_realisasi": rng_bayar.choice(("", "Telah dilaksanakan", nama)),
                    "nip_ppk": p.nip, "nama_ppk": p.nama,
                    "nama_pelaksana": people.nama_orang(rng_bayar, perempuan)
                    if pelaksana else None,
                    "npwp_pelaksana": identifiers.nik(f"317{rng_bayar.randint(1, 5)}01", lahir,
                                                      perempuan, rng_bayar.randint(1, 9999))
                    if pelaksana else None,
                    "_event_date": data_date.isoformat(),
                })
    return [paket_out.close(), bayar_out.close()]


def tulis_spse(config: SynthConfig, tahun: int, sirup: HasilSirup,
               out_dir: Path) -> list[tuple[str, int]]:
    """Write the year's SPSE exports; returns the (file, rows) written."""
    penyedia = bangun_penyedia(config)
    ppk = DaftarPpk(config, tahun)
    nontender, pencatatan = _bagi_pengadaan_langsung(config, tahun, sirup)
    keluaran = _tulis_tender(config, tahun, sirup, out_dir, penyedia, ppk)
    keluaran += _tulis_nontender(config, tahun, sirup, nontender, out_dir, penyedia, ppk)
    keluaran += _tulis_pencatatan(config, tahun, sirup, pencatatan, out_dir, penyedia, ppk)
    keluaran += _tulis_swakelola(config, tahun, out_dir, ppk)
    return keluaran
