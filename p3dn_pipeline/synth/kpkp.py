"""Dinas KPKP's quarterly rosters of mentored UMKM (one XLSX per triwulan).

The businesses are built once per run (``bangun_pelaku_usaha``): who they are, where, and
their year-to-date production and turnover per quarter. Each quarter's workbook then lists
the businesses active that quarter, typed the way a person keeps such a sheet: two title
rows above the header, NIK as text (now and then with a leading apostrophe or spaces), NIB
spelt differently from one quarter to the next, kota written four ways, dates as real date
cells, serial numbers or Indonesian text, omzet as a number or as "Rp 12.500.000".

Production and omzet are cumulative from January (as Dinas KPKP reports them: "97,08 ton
sampai dengan triwulan II"), so for one business they never fall within a year and start
again each January. Annual omzet is mostly mikro (< Rp2 miliar), some kecil, very few
menengah (PP 7/2021), and grows from year to year so UMKM-growth marts have a signal.

Some columns describe the business rather than the quarter and stay fixed for it: ``Jenis
Produk`` (Segar or Olahan; the published 97,08 ton counts only Olahan; empty for
Kerajinan), ``Kelompok`` and ``Jumlah Anggota``: about 4 % of the rows are a group (a
Kelompok Wanita Tani, a Pokdakan of fish farmers, a Poklahsar of fish processors) mentored
under one member's NIK, its member count now and then left empty. About 1 % of businesses
have a sector outside the five (``Olahan Mangrove``, ``Kerajinan Limbah Kerang``): data the
pipeline must keep, not errors. These attributes come from their own random stream, so a
business keeps its NIK, sector and place whatever is added here.

Each year holds at least one implausible row for the pipeline to flag: a business whose
year-to-date omzet is far above what its production can sell for (Rp2,52 miliar on 317 kg
of vegetables). A seed that does not produce one by chance gets one planted.

Dirt the pipeline must quarantine: ``NIK_SALAH`` roster rows over the whole run carry a
mistyped NIK, one digit dropped (15 digits) or typed twice (17 digits), as happens when a
16-digit number is keyed in by hand from a KTP photocopy. The pipeline cannot tell whose it
is, so it quarantines the row (``nik_not_16_digits``) rather than count a new business.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from p3dn_pipeline.synth import formats, identifiers, people
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.geography import Kecamatan, Kelurahan, Kota, load_kota
from p3dn_pipeline.synth.writers import new_workbook

SEKTOR = ("Pertanian Perkotaan", "Peternakan", "Perikanan", "Olahan Pangan", "Kerajinan")
_BOBOT_SEKTOR = (0.38, 0.12, 0.20, 0.22, 0.08)
# Kepulauan Seribu's mentored businesses are mostly fish farmers.
_BOBOT_SEKTOR_KEPULAUAN = (0.10, 0.05, 0.70, 0.12, 0.03)
# Median yearly production in kg of a mentored business, by sector.
_PRODUKSI_MEDIAN_KG = {"Pertanian Perkotaan": 600, "Peternakan": 400, "Perikanan": 1500,
                       "Olahan Pangan": 300, "Kerajinan": 60}
JENIS_PEMBINAAN = {
    "Pertanian Perkotaan": ("Pelatihan Hidroponik", "Bantuan Bibit dan Media Tanam",
                            "Pendampingan Urban Farming", "Fasilitasi Pemasaran"),
    "Peternakan": ("Pelatihan Manajemen Ternak", "Bantuan Bibit Ternak",
                   "Pemeriksaan Kesehatan Hewan", "Fasilitasi Pemasaran"),
    "Perikanan": ("Pelatihan Budidaya Bioflok", "Bantuan Benih Ikan", "Bantuan Pakan Ikan",
                  "Pendampingan Teknis Budidaya"),
    "Olahan Pangan": ("Pelatihan Pengolahan Pangan", "Fasilitasi Sertifikasi Halal",
                      "Fasilitasi PIRT", "Pelatihan Pengemasan", "Fasilitasi Pemasaran"),
    "Kerajinan": ("Pelatihan Desain Produk", "Fasilitasi Pameran", "Fasilitasi Pemasaran"),
}
# Sectors outside the list, by the listed sector they are drawn like (production, names).
SEKTOR_LAIN = {
    "Pertanian Perkotaan": ("Tanaman Hias", "Budidaya Jamur"),
    "Peternakan": ("Budidaya Maggot",),
    "Perikanan": ("Budidaya Kerang Hijau",),
    "Olahan Pangan": ("Olahan Mangrove", "Olahan Rumput Laut"),
    "Kerajinan": ("Kerajinan Limbah Kerang", "Kerajinan Daur Ulang"),
}
PELUANG_SEKTOR_LAIN = 0.01
# Share of a sector's businesses that sell processed rather than fresh products.
PELUANG_OLAHAN = {"Pertanian Perkotaan": 0.15, "Peternakan": 0.20, "Perikanan": 0.25,
                  "Olahan Pangan": 0.98}
# Groups mentored under one member's NIK: Kelompok Wanita Tani (KWT), Kelompok Pembudidaya
# Ikan (Pokdakan), Kelompok Pengolah dan Pemasar Hasil Perikanan (Poklahsar); the words
# their names are made of.
PELUANG_KELOMPOK = 0.05  # of the sectors that form groups (about 4 % of all businesses)
_NAMA_KELOMPOK = {
    "KWT": (("Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Seruni", "Flamboyan"),
            ("Asri", "Lestari", "Indah", "Sejahtera", "Mandiri", "Berseri")),
    "Pokdakan": (("Mina", "Lele", "Nila", "Bahari", "Tirta"),
                 ("Jaya", "Makmur", "Sejahtera", "Barokah", "Mandiri")),
    "Poklahsar": (("Sari", "Putri", "Mutiara", "Citra"),
                  ("Laut", "Bahari", "Samudra", "Pesisir", "Rasa")),
}
ANGGOTA_MIN, ANGGOTA_MAKS = 8, 30
# Every fifth group leaves its member count empty (counted, not drawn, so even a small
# sample has one).
ANGGOTA_KOSONG_SETIAP = 5
# What makes a roster row implausible: year-to-date omzet of at least Rp1 miliar at Rp4 juta
# or more per kg (Kerajinan, sold by the piece, is left out).
OMZET_JANGGAL_MIN = 1_000_000_000
OMZET_PER_KG_JANGGAL = 4_000_000

JUDUL_ROSTER = "DAFTAR PELAKU UMKM BINAAN DINAS KPKP PROVINSI DKI JAKARTA"
KOLOM_ROSTER = (
    "No", "NIK", "Nama", "NIB", "Jenis Kelamin", "Nama Usaha", "Sektor", "Kota", "Kecamatan",
    "Kelurahan", "Tanggal Pembinaan", "Jenis Pembinaan", "Jenis Produk", "Kelompok",
    "Jumlah Anggota", "Produksi (kg)", "Omzet (Rp)",
    "Triwulan", "No HP",
)
BARIS_JUDUL = 2  # title row and a blank row above the header
ROMAWI = ("I", "II", "III", "IV")
# How a NIB gets written: 9120101234567, "9120 1012 3456 7", "912.010.123.456.7", number cell.
_GAYA_NIB = ("polos", "spasi", "titik", "angka")

NIK_SALAH = 3  # roster rows with a mistyped NIK, over all quarters generated

_BATAS_MIKRO = 2_000_000_000
_BATAS_KECIL = 15_000_000_000


def label_triwulan(tahun: int, triwulan: int) -> str:
    """'TW II 2025': the sheet name and the Triwulan column of a roster."""
    return f"TW {ROMAWI[triwulan - 1]} {tahun}"


@dataclass(frozen=True, slots=True)
class Lokasi:
    kota: Kota
    kecamatan: Kecamatan
    kelurahan: Kelurahan


@dataclass(slots=True)
class PelakuUsaha:
    """One mentored business and its owner (the owner's data is personal data)."""

    nomor: int
    nik: str
    nama: str
    perempuan: bool
    no_hp: str
    nib: str | None
    gaya_nib: str             # how this business usually writes its NIB
    nama_usaha: str
    sektor: str
    lokasi_awal: Lokasi
    pindah: tuple[int, Lokasi] | None  # (from quarter index, new location)
    aktif_mulai: int          # quarter index of its first roster
    aktif_sampai: int         # quarter index after its last roster
    # quarter index -> (produksi kg, omzet rupiah), both year-to-date
    capaian: dict[int, tuple[float, int]]
    # Fixed attributes of the business, drawn from their own stream (tambah_atribut).
    sektor_lain: str | None = None     # a sector outside the five, written instead
    jenis_produk: str | None = None    # "Segar" / "Olahan"; None for Kerajinan
    kelompok: str | None = None        # "KWT Melati Asri": a group under this member's NIK
    jumlah_anggota: int | None = None  # of the group; None when not given

    @property
    def sektor_tertulis(self) -> str:
        """The sector as Dinas KPKP writes it (one of the five, or another)."""
        return self.sektor_lain or self.sektor

    def aktif(self, indeks_triwulan: int) -> bool:
        return self.aktif_mulai <= indeks_triwulan < self.aktif_sampai

    def lokasi(self, indeks_triwulan: int) -> Lokasi:
        if self.pindah is not None and indeks_triwulan >= self.pindah[0]:
            return self.pindah[1]
        return self.lokasi_awal


def daftar_triwulan(config: SynthConfig) -> list[tuple[int, int]]:
    """Every (tahun, triwulan) generated, in time order; a business's quarter index."""
    return [(tahun, tw) for tahun in config.years for tw in (1, 2, 3, 4)]


def _omzet_tahunan_awal(rng: random.Random) -> float:
    kelas = rng.random()
    if kelas < 0.001:  # menengah
        return rng.uniform(_BATAS_KECIL, 45_000_000_000)
    if kelas < 0.012:  # kecil
        return rng.uniform(_BATAS_MIKRO, 12_000_000_000)
    return min(rng.lognormvariate(16.7, 1.0), 1_900_000_000)  # mikro, median ~Rp18 juta


def _lokasi_acak(rng: random.Random, kota: Kota) -> Lokasi:
    kecamatan = rng.choice(kota.kecamatan)
    return Lokasi(kota, kecamatan, rng.choice(kecamatan.kelurahan))


def _lokasi_pindah(rng: random.Random, asal: Lokasi) -> Lokasi:
    """A move to another kelurahan, mostly next door in the same kecamatan."""
    if rng.random() < 0.7 and len(asal.kecamatan.kelurahan) > 1:
        lain = [k for k in asal.kecamatan.kelurahan if k != asal.kelurahan]
        return Lokasi(asal.kota, asal.kecamatan, rng.choice(lain))
    while True:
        baru = _lokasi_acak(rng, asal.kota)
        if baru.kelurahan != asal.kelurahan:
            return baru


def _capaian(rng: random.Random, config: SynthConfig, sektor: str, mulai: int,
             sampai: int) -> dict[int, tuple[float, int]]:
    """Year-to-date production and omzet for each quarter the business is active."""
    omzet_tahunan = _omzet_tahunan_awal(rng)
    # Bigger businesses produce more, but far less than proportionally.
    skala_produksi = (omzet_tahunan / 18_000_000) ** 0.4
    produksi_tahunan = (_PRODUKSI_MEDIAN_KG[sektor] * rng.lognormvariate(0, 0.6)
                        * skala_produksi)
    capaian: dict[int, tuple[float, int]] = {}
    for urutan_tahun, _ in enumerate(config.years):
        musim = [rng.uniform(0.6, 1.4) for _ in range(4)]
        total_musim = sum(musim)
        produksi = omzet = 0.0
        for tw in range(4):
            indeks = urutan_tahun * 4 + tw
            if not mulai <= indeks < sampai:
                continue
            produksi += produksi_tahunan * musim[tw] / total_musim
            omzet += omzet_tahunan * musim[tw] / total_musim
            # Rounding the running total (not each quarter) keeps it non-decreasing.
            capaian[indeks] = (round(produksi, 1), round(omzet, -3))
        pertumbuhan = rng.lognormvariate(0.07, 0.18)
        omzet_tahunan *= pertumbuhan
        produksi_tahunan *= pertumbuhan ** 0.5
    return {i: (p, int(o)) for i, (p, o) in capaian.items()}


def bangun_pelaku_usaha(config: SynthConfig) -> tuple[PelakuUsaha, ...]:
    """The run's mentored businesses (the same for every file that refers to them)."""
    rng = config.rng("pelaku_usaha")
    semua_kota = load_kota()
    semua_kecamatan = [kec for kota in semua_kota for kec in kota.kecamatan]
    # Population weights, with Kepulauan Seribu lifted: its fishers are a KPKP focus.
    bobot_kota = [kota.penduduk * (6 if kota.is_kabupaten else 1) for kota in semua_kota]
    jumlah_triwulan = 4 * len(config.years)
    nik_terpakai: set[str] = set()
    hasil = []
    for nomor in range(1, config.pelaku_usaha + 1):
        kota = rng.choices(semua_kota, bobot_kota)[0]
        lokasi = _lokasi_acak(rng, kota)
        sektor = rng.choices(
            SEKTOR, _BOBOT_SEKTOR_KEPULAUAN if kota.is_kabupaten else _BOBOT_SEKTOR)[0]
        perempuan = rng.random() < (0.7 if sektor == "Olahan Pangan" else 0.4)
        # Most owners hold a NIK from the kecamatan they farm in; some moved in.
        kecamatan_nik = lokasi.kecamatan if rng.random() < 0.85 else rng.choice(
            semua_kecamatan)
        while True:
            lahir = dt.date(rng.randint(1960, 2003), rng.randint(1, 12), rng.randint(1, 28))
            nik = identifiers.nik(kecamatan_nik.digit_nik, lahir, perempuan,
                                  rng.randint(1, 9999))
            if nik not in nik_terpakai:
                nik_terpakai.add(nik)
                break
        mulai = 0 if rng.random() < 0.85 else rng.randrange(1, jumlah_triwulan)
        sampai = mulai + 1
        while sampai < jumlah_triwulan and rng.random() > 0.02:
            sampai += 1
        pindah = None
        if sampai - mulai > 1 and rng.random() < 0.03:
            pindah = (rng.randrange(mulai + 1, sampai), _lokasi_pindah(rng, lokasi))
        # Micro businesses often have no NIB yet (OSS registration is what mentoring pushes).
        nib = identifiers.nib(rng) if rng.random() < 0.6 else None
        hasil.append(PelakuUsaha(
            nomor=nomor, nik=nik, nama=people.nama_orang(rng, perempuan), perempuan=perempuan,
            no_hp=identifiers.no_hp(rng), nib=nib,
            gaya_nib=rng.choices(_GAYA_NIB, (0.55, 0.15, 0.15, 0.15))[0],
            nama_usaha=people.nama_usaha(rng, sektor), sektor=sektor, lokasi_awal=lokasi,
            pindah=pindah, aktif_mulai=mulai, aktif_sampai=sampai,
            capaian=_capaian(rng, config, sektor, mulai, sampai),
        ))
    _tambah_atribut(config, hasil)
    _tanam_omzet_janggal(config, hasil)
    return tuple(hasil)


def _tambah_atribut(config: SynthConfig, pelaku: list[PelakuUsaha]) -> None:
    """Jenis produk, group and any sector outside the list, from a stream of their own."""
    rng = config.rng("pelaku_usaha_atribut")
    kelompok = 0
    for usaha in pelaku:
        if rng.random() < PELUANG_SEKTOR_LAIN:
            usaha.sektor_lain = rng.choice(SEKTOR_LAIN[usaha.sektor])
        peluang_olahan = PELUANG_OLAHAN.get(usaha.sektor)
        if usaha.sektor_lain is not None and usaha.sektor_lain.startswith("Olahan"):
            usaha.jenis_produk = "Olahan"
        elif peluang_olahan is not None:
            usaha.jenis_produk = "Olahan" if rng.random() < peluang_olahan else "Segar"
        jenis = _jenis_kelompok(usaha)
        if jenis is not None and rng.random() < PELUANG_KELOMPOK:
            depan, belakang = _NAMA_KELOMPOK[jenis]
            usaha.kelompok = f"{jenis} {rng.choice(depan)} {rng.choice(belakang)}"
            anggota = rng.randint(ANGGOTA_MIN, ANGGOTA_MAKS)
            kelompok += 1
            if kelompok % ANGGOTA_KOSONG_SETIAP != 2:
                usaha.jumlah_anggota = anggota


def _jenis_kelompok(usaha: PelakuUsaha) -> str | None:
    """Urban farming groups are KWT; fish farmers Pokdakan; fish processors Poklahsar."""
    if usaha.sektor == "Pertanian Perkotaan":
        return "KWT"
    if usaha.sektor == "Perikanan":
        return "Poklahsar" if usaha.jenis_produk == "Olahan" else "Pokdakan"
    if usaha.sektor == "Olahan Pangan":
        return "Poklahsar"
    return None


def janggal(usaha: PelakuUsaha, produksi: float, omzet: int) -> bool:
    """Omzet far above what the production can sell for (see OMZET_PER_KG_JANGGAL)."""
    return (usaha.sektor != "Kerajinan" and omzet >= OMZET_JANGGAL_MIN
            and omzet >= OMZET_PER_KG_JANGGAL * max(produksi, 1.0))


def _tanam_omzet_janggal(config: SynthConfig, pelaku: list[PelakuUsaha]) -> None:
    """Make sure every year has an implausible row: where chance gave none, one small
    producer's omzet of that year is raised to Rp2,2-2,9 miliar (all its quarters alike,
    so the year-to-date figures still never fall)."""
    rng = config.rng("roster_omzet_janggal")
    for urutan_tahun, _ in enumerate(config.years):
        indeks_tahun = range(4 * urutan_tahun, 4 * urutan_tahun + 4)
        if any(janggal(u, *u.capaian[i]) for u in pelaku for i in indeks_tahun
               if i in u.capaian):
            continue
        calon = [u for u in pelaku if u.sektor != "Kerajinan"
                 and any(i in u.capaian for i in indeks_tahun)
                 and u.capaian[max(i for i in indeks_tahun if i in u.capaian)][0] <= 400]
        usaha = rng.choice(calon)
        terakhir = max(i for i in indeks_tahun if i in usaha.capaian)
        faktor = rng.uniform(2.2e9, 2.9e9) / max(usaha.capaian[terakhir][1], 1)
        for i in indeks_tahun:
            if i in usaha.capaian:
                produksi, omzet = usaha.capaian[i]
                usaha.capaian[i] = (produksi, int(round(omzet * faktor, -3)))


# Writing the rosters ------------------------------------------------------------------

def _tulis_nib(nib: str, gaya: str) -> str | int:
    if gaya == "spasi":
        return " ".join(nib[i:i + 4] for i in range(0, 13, 4))
    if gaya == "titik":
        return ".".join(nib[i:i + 3] for i in range(0, 13, 3))
    if gaya == "angka":
        return int(nib)  # someone typed it into a number cell
    return nib


def _tulis_nik(rng: random.Random, nik: str) -> str:
    gaya = rng.random()
    if gaya < 0.08:
        return "'" + nik  # pasted from a CSV where the apostrophe kept it as text
    if gaya < 0.13:
        return f"{nik[:6]} {nik[6:12]} {nik[12:]}"
    return nik


def _tulis_kota(rng: random.Random, kota: Kota) -> str:
    pendek = kota.nama_pendek
    singkat = "Kab. Adm." if kota.is_kabupaten else "Kota Adm."
    return rng.choices((pendek, f"{singkat} {pendek}", pendek.upper(), kota.nama_resmi),
                       (0.4, 0.2, 0.2, 0.2))[0]


def _tulis_sektor(rng: random.Random, sektor: str) -> str:
    gaya = rng.random()
    if gaya < 0.12:
        return sektor.upper()
    if gaya < 0.2:
        return sektor.lower()
    return sektor


def _awal_triwulan(tahun: int, triwulan: int) -> dt.date:
    return dt.date(tahun, 3 * triwulan - 2, 1)


def _awal_triwulan_berikut(tahun: int, triwulan: int) -> dt.date:
    return dt.date(tahun + 1, 1, 1) if triwulan == 4 else _awal_triwulan(tahun, triwulan + 1)


def _tanggal_dalam_triwulan(rng: random.Random, tahun: int, triwulan: int) -> dt.date:
    awal = _awal_triwulan(tahun, triwulan)
    hari = (_awal_triwulan_berikut(tahun, triwulan) - awal).days
    return awal + dt.timedelta(days=rng.randrange(hari))


def nik_salah_ketik(config: SynthConfig) -> dict[tuple[int, int], tuple[float, int, int]]:
    """Where the mistyped NIKs go: (tahun, triwulan) -> (position in the sheet as a share of
    its rows, digit typed, 15 for dropped or 17 for doubled). Quarters differ, and every
    roster job derives the same answer from the seed."""
    rng = config.rng("roster_nik_salah")
    triwulan = daftar_triwulan(config)
    return {tw: (rng.random(), rng.randrange(6, 16), rng.choice((15, 17)))
            for tw in rng.sample(triwulan, min(NIK_SALAH, len(triwulan)))}


def salah_ketik(nik: str, posisi: int, panjang: int) -> str:
    """The NIK with the digit at ``posisi`` dropped (15 digits) or typed twice (17)."""
    if panjang == 15:
        return nik[:posisi] + nik[posisi + 1:]
    return nik[:posisi + 1] + nik[posisi:]


def tulis_roster(config: SynthConfig, pelaku: tuple[PelakuUsaha, ...], out_dir: Path,
                 tahun: int, triwulan: int) -> tuple[str, int]:
    """Write one quarter's roster; returns (path relative to out_dir, data rows)."""
    indeks = daftar_triwulan(config).index((tahun, triwulan))
    rng = config.rng("roster", tahun, triwulan)
    label = label_triwulan(tahun, triwulan)
    relatif = f"kpkp/roster_kpkp_{tahun}_TW{triwulan}.xlsx"
    aktif = sorted(
        (p for p in pelaku if p.aktif(indeks)),
        key=lambda p: (p.lokasi(indeks).kelurahan.kode, p.nomor),
    )
    # The sheet is compiled in the second week after the quarter closes.
    disusun = _awal_triwulan_berikut(tahun, triwulan) + dt.timedelta(days=10)
    workbook = new_workbook(out_dir / relatif, dt.datetime.combine(disusun, dt.time(9, 0)))
    sheet = workbook.add_worksheet(label)
    tebal = workbook.add_format({"bold": True})
    format_tanggal = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_string(0, 0, f"{JUDUL_ROSTER} {label.replace('TW', 'TRIWULAN')}", tebal)
    for kolom, judul in enumerate(KOLOM_ROSTER):
        sheet.write_string(BARIS_JUDUL, kolom, judul, tebal)

    salah = nik_salah_ketik(config).get((tahun, triwulan))
    baris_salah = int(salah[0] * len(aktif)) + 1 if salah else None
    for nomor_baris, usaha in enumerate(aktif, start=1):
        baris = BARIS_JUDUL + nomor_baris
        lokasi = usaha.lokasi(indeks)
        produksi, omzet = usaha.capaian[indeks]
        sheet.write_number(baris, 0, nomor_baris)
        nik = _tulis_nik(rng, usaha.nik)
        if nomor_baris == baris_salah:
            nik = salah_ketik(usaha.nik, *salah[1:])
        sheet.write_string(baris, 1, nik)
        sheet.write_string(baris, 2, usaha.nama)
        if usaha.nib is not None:
            gaya = usaha.gaya_nib if rng.random() < 0.7 else rng.choice(_GAYA_NIB)
            nib = _tulis_nib(usaha.nib, gaya)
            if isinstance(nib, int):
                sheet.write_number(baris, 3, nib)
            else:
                sheet.write_string(baris, 3, nib)
        elif rng.random() < 0.1:
            sheet.write_string(baris, 3, "-")
        if rng.random() < 0.8:
            kelamin = "P" if usaha.perempuan else "L"
        else:
            kelamin = "Perempuan" if usaha.perempuan else "Laki-laki"
        sheet.write_string(baris, 4, kelamin)
        sheet.write_string(baris, 5, usaha.nama_usaha)
        sheet.write_string(baris, 6, _tulis_sektor(rng, usaha.sektor_tertulis))
        sheet.write_string(baris, 7, _tulis_kota(rng, lokasi.kota))
        huruf_besar = rng.random() < 0.1
        sheet.write_string(baris, 8, lokasi.kecamatan.nama.upper() if huruf_besar
                           else lokasi.kecamatan.nama)
        sheet.write_string(baris, 9, lokasi.kelurahan.nama.upper() if huruf_besar
                           else lokasi.kelurahan.nama)
        _tulis_tanggal_pembinaan(rng, sheet, baris, 10,
                                 _tanggal_dalam_triwulan(rng, tahun, triwulan), format_tanggal)
        sheet.write_string(baris, 11, rng.choice(JENIS_PEMBINAAN[usaha.sektor]))
        # Business attributes: written as they are, no draws from the quarter's stream.
        if usaha.jenis_produk is not None:
            sheet.write_string(baris, 12, usaha.jenis_produk)
        if usaha.kelompok is not None:
            sheet.write_string(baris, 13, usaha.kelompok)
        if usaha.jumlah_anggota is not None:
            sheet.write_number(baris, 14, usaha.jumlah_anggota)
        sheet.write_number(baris, 15, produksi)
        if rng.random() < 0.25:
            gaya = rng.choices(("rp_space", "rp_nospace", "rp_dash"), (0.6, 0.2, 0.2))[0]
            sheet.write_string(baris, 16, formats.format_rupiah(omzet, gaya))
        else:
            sheet.write_number(baris, 16, omzet)
        sheet.write_string(baris, 17, label)
        sheet.write_string(baris, 18, usaha.no_hp)
    workbook.close()
    return relatif, len(aktif)


def _tulis_tanggal_pembinaan(rng: random.Random, sheet, baris: int, kolom: int,
                             tanggal: dt.date, format_tanggal) -> None:
    """A date as date cell, bare serial number (a 'General' cell) or Indonesian text."""
    gaya = rng.random()
    if gaya < 0.35:
        sheet.write_datetime(baris, kolom, dt.datetime.combine(tanggal, dt.time()),
                             format_tanggal)
    elif gaya < 0.55:
        sheet.write_number(baris, kolom, formats.excel_serial(tanggal))
    elif gaya < 0.75:
        sheet.write_string(baris, kolom, formats.format_tanggal(tanggal, "long"))
    elif gaya < 0.85:
        sheet.write_string(baris, kolom, formats.format_tanggal(tanggal, "long_day"))
    else:
        sheet.write_string(baris, kolom, formats.format_tanggal(tanggal, "slash"))
