"""The perangkat daerah (SKPD) of Pemprov DKI Jakarta that appear in every synthetic source.

One fixed list shared by SiRUP, e-katalog and the APBD export, so the pipeline's joins on
``kd_satker_str`` / ``Kode SKPD`` meet the same strings everywhere. Codes follow the
Permendagri 90/2019 shape ``urusan.bidang.urusan.bidang.urusan.bidang.unit.subunit``
(e.g. ``2.09.3.25.0.00.10.0000``); city-level Suku Dinas are subunits of their Dinas.
The list and its SiRUP ``kd_satker`` numbers do not depend on the generator's seed: like the
real registry, they are the same in every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from p3dn_pipeline.synth.geography import load_kota

# LKPP's kd_klpd for DKI is not public (Kab. Bandung is D107); the pipeline makes it
# configuration, and this placeholder is its default.
KD_KLPD_DKI = "DKI"
NAMA_INSTANSI = "Provinsi DKI Jakarta"
JENIS_INSTANSI = "PROVINSI"


@dataclass(frozen=True)
class Skpd:
    kode: str                   # kd_satker_str in LKPP, "Kode SKPD" in the APBD export
    nama: str                   # upper case, as SiRUP writes it
    kd_satker: int              # SiRUP's own number for the satker (also v5 satker_id)
    bidang: str                 # which kinds of packages it buys (see nomenklatur)
    bobot: float                # relative size of its procurement budget
    porsi_modal: float          # share of belanja pengadaan that is belanja modal (5.2)
    rasio_non_pengadaan: float  # belanja non-pengadaan (pegawai, hibah, bansos) / pengadaan
    blud: bool = False          # hospitals run as BLUD pay partly from BLUD funds
    hibah: bool = False
    bansos: bool = False
    btt: bool = False           # belanja tidak terduga sits with the finance agency only
    kode_kota: str | None = None  # Suku Dinas: the kota it serves

    @property
    def kode_bidang(self) -> str:
        """'2.09' of '2.09.3.25.0.00.10.0000': the first part of its budget codes."""
        return ".".join(self.kode.split(".")[:2])


# (kode, nama, bidang, bobot, porsi_modal, rasio_non_pengadaan, extra flags)
_DINAS_DAN_BADAN: tuple[tuple[str, str, str, float, float, float, dict], ...] = (
    ("1.01.0.00.0.00.01.0000", "DINAS PENDIDIKAN", "pendidikan", 16, 0.30, 1.6,
     {"hibah": True, "bansos": True}),
    ("1.02.0.00.0.00.02.0000", "DINAS KESEHATAN", "kesehatan", 6, 0.25, 0.6, {"blud": True}),
    ("1.02.0.00.0.00.02.0001", "RUMAH SAKIT UMUM DAERAH TARAKAN", "kesehatan", 2.5, 0.30, 0.4,
     {"blud": True}),
    ("1.02.0.00.0.00.02.0002", "RUMAH SAKIT UMUM DAERAH PASAR MINGGU", "kesehatan", 2.5, 0.30,
     0.4, {"blud": True}),
    ("1.02.0.00.0.00.02.0003", "RUMAH SAKIT UMUM DAERAH CENGKARENG", "kesehatan", 2.5, 0.30,
     0.4, {"blud": True}),
    ("1.02.0.00.0.00.02.0004", "RUMAH SAKIT UMUM DAERAH KOJA", "kesehatan", 2, 0.30, 0.4,
     {"blud": True}),
    ("1.03.0.00.0.00.03.0000", "DINAS BINA MARGA", "jalan", 7, 0.60, 0.25, {}),
    ("1.03.0.00.0.00.04.0000", "DINAS SUMBER DAYA AIR", "sumber_daya_air", 8, 0.65, 0.3, {}),
    ("1.03.1.04.2.10.05.0000", "DINAS CIPTA KARYA, TATA RUANG DAN PERTANAHAN", "permukiman", 3,
     0.50, 0.4, {}),
    ("1.04.0.00.0.00.06.0000", "DINAS PERUMAHAN RAKYAT DAN KAWASAN PERMUKIMAN", "permukiman",
     4, 0.60, 0.3, {}),
    ("1.05.0.00.0.00.07.0000", "SATUAN POLISI PAMONG PRAJA", "ketertiban", 2, 0.15, 1.4, {}),
    ("1.05.0.00.0.00.08.0000", "DINAS PENANGGULANGAN KEBAKARAN DAN PENYELAMATAN", "ketertiban",
     2.5, 0.40, 1.0, {}),
    ("1.06.0.00.0.00.09.0000", "DINAS SOSIAL", "sosial", 2, 0.10, 1.5, {"bansos": True}),
    ("2.09.3.25.0.00.10.0000", "DINAS KETAHANAN PANGAN, KELAUTAN DAN PERTANIAN", "pangan", 2,
     0.20, 0.6, {}),
    ("2.17.3.30.3.31.11.0000",
     "DINAS PERINDUSTRIAN, PERDAGANGAN, KOPERASI, USAHA KECIL DAN MENENGAH", "umkm", 1.5, 0.15,
     0.6, {}),
    ("2.11.0.00.0.00.12.0000", "DINAS LINGKUNGAN HIDUP", "lingkungan", 6, 0.35, 0.5, {}),
    ("2.15.0.00.0.00.13.0000", "DINAS PERHUBUNGAN", "perhubungan", 4, 0.30, 0.8, {}),
    ("2.16.2.20.2.21.14.0000", "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK", "kominfo", 2.5,
     0.35, 0.3, {}),
    ("2.07.3.32.3.29.15.0000", "DINAS TENAGA KERJA, TRANSMIGRASI DAN ENERGI", "umum", 1.2,
     0.15, 0.6, {}),
    ("2.08.2.14.0.00.16.0000",
     "DINAS PEMBERDAYAAN, PERLINDUNGAN ANAK DAN PENGENDALIAN PENDUDUK", "sosial", 0.8, 0.10,
     0.7, {}),
    ("2.12.0.00.0.00.17.0000", "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", "umum", 0.6, 0.15,
     0.8, {}),
    ("2.18.0.00.0.00.18.0000", "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU", "umum",
     0.8, 0.12, 0.9, {}),
    ("2.19.0.00.0.00.19.0000", "DINAS PEMUDA DAN OLAHRAGA", "budaya", 1.5, 0.30, 0.5, {}),
    ("2.22.0.00.0.00.20.0000", "DINAS KEBUDAYAAN", "budaya", 1.2, 0.20, 0.6, {}),
    ("2.23.2.24.0.00.21.0000", "DINAS PERPUSTAKAAN DAN KEARSIPAN", "umum", 0.8, 0.25, 0.5, {}),
    ("3.26.0.00.0.00.22.0000", "DINAS PARIWISATA DAN EKONOMI KREATIF", "budaya", 1, 0.10, 0.5,
     {}),
    ("1.05.0.00.0.00.23.0000", "BADAN PENANGGULANGAN BENCANA DAERAH", "ketertiban", 0.8, 0.30,
     0.5, {}),
    ("4.01.0.00.0.00.24.0000", "SEKRETARIAT DAERAH", "umum", 2, 0.15, 1.2, {"hibah": True}),
    ("4.02.0.00.0.00.25.0000", "SEKRETARIAT DPRD", "umum", 1, 0.10, 1.5, {}),
    ("5.01.0.00.0.00.26.0000", "BADAN PERENCANAAN PEMBANGUNAN DAERAH", "umum", 0.5, 0.10, 0.8,
     {}),
    ("5.02.0.00.0.00.27.0000", "BADAN PENGELOLA KEUANGAN DAERAH", "keuangan", 1.5, 0.10, 4.0,
     {"hibah": True, "bansos": True, "btt": True}),
    ("5.02.0.00.0.00.28.0000", "BADAN PENDAPATAN DAERAH", "keuangan", 1.2, 0.10, 1.0, {}),
    ("5.02.0.00.0.00.29.0000", "BADAN PENGELOLA ASET DAERAH", "keuangan", 1.5, 0.30, 0.4, {}),
    ("5.03.0.00.0.00.30.0000", "BADAN KEPEGAWAIAN DAERAH", "umum", 0.4, 0.10, 0.9, {}),
    ("5.04.0.00.0.00.31.0000", "BADAN PENGEMBANGAN SUMBER DAYA MANUSIA", "umum", 0.6, 0.15,
     0.5, {}),
    ("6.01.0.00.0.00.32.0000", "INSPEKTORAT", "umum", 0.3, 0.10, 1.0, {}),
    ("8.01.0.00.0.00.33.0000", "BADAN KESATUAN BANGSA DAN POLITIK", "umum", 0.3, 0.10, 0.9,
     {"hibah": True}),
    ("2.11.0.00.0.00.34.0000", "DINAS PERTAMANAN DAN HUTAN KOTA", "lingkungan", 3, 0.40, 0.4,
     {}),
)

# Dinas with a Suku Dinas in each kota: (kode of the Dinas, name used in "SUKU DINAS <x>",
# also in Kepulauan Seribu?)
_SUKU_DINAS: tuple[tuple[str, str, bool], ...] = (
    ("2.09.3.25.0.00.10.0000", "KPKP", True),
    ("2.17.3.30.3.31.11.0000", "PPKUKM", False),
    ("1.03.0.00.0.00.03.0000", "BINA MARGA", False),
    ("1.03.0.00.0.00.04.0000", "SUMBER DAYA AIR", False),
    ("2.11.0.00.0.00.12.0000", "LINGKUNGAN HIDUP", True),
)
# A Suku Dinas spends about this share of what its Dinas spends.
_BOBOT_SUKU_DINAS = 0.12


def _nomor_subunit(kode_kota: str) -> int:
    """Suku Dinas subunits by kota: Jakarta Pusat 0001 ... Timur 0005, Kep. Seribu 0006."""
    return 6 if kode_kota == "31.01" else int(kode_kota[-2:]) - 70


def _build_skpd() -> tuple[Skpd, ...]:
    # A fixed stream, not the run's seed: kd_satker numbers are registry facts.
    rng = random.Random("kd_satker Pemprov DKI Jakarta")
    kd_dinas = rng.sample(range(60_000, 100_000), len(_DINAS_DAN_BADAN))
    kd_suku_dinas = iter(rng.sample(range(100_000, 400_000), len(_SUKU_DINAS) * 6))

    daftar: list[Skpd] = []
    by_kode: dict[str, Skpd] = {}
    for (kode, nama, bidang, bobot, modal, non, flags), kd in zip(_DINAS_DAN_BADAN, kd_dinas):
        skpd = Skpd(kode, nama, kd, bidang, bobot, modal, non, **flags)
        daftar.append(skpd)
        by_kode[kode] = skpd
    for kode_induk, singkatan, ada_di_kepulauan_seribu in _SUKU_DINAS:
        induk = by_kode[kode_induk]
        for kota in load_kota():
            if kota.is_kabupaten and not ada_di_kepulauan_seribu:
                continue
            kode = f"{induk.kode[:-4]}{_nomor_subunit(kota.kode):04d}"
            daftar.append(Skpd(
                kode=kode, nama=f"SUKU DINAS {singkatan} {kota.nama_resmi.upper()}",
                kd_satker=next(kd_suku_dinas), bidang=induk.bidang,
                bobot=induk.bobot * _BOBOT_SUKU_DINAS, porsi_modal=induk.porsi_modal,
                rasio_non_pengadaan=induk.rasio_non_pengadaan, kode_kota=kota.kode,
            ))
    return tuple(sorted(daftar, key=lambda s: s.kode))


SKPD_DKI: tuple[Skpd, ...] = _build_skpd()


# SPSE, the LPSE's e-procurement system, numbers satkers its own way ("16203093": a number
# then the LPSE's code), so the same office has one kd_satker in SiRUP and another in SPSE
# (DOMAIN §2.1). DKI's LPSE code is not public either: a placeholder, as KD_KLPD_DKI.
KD_LPSE_DKI = 26
NAMA_LPSE_DKI = "LPSE Provinsi DKI Jakarta"
URL_LPSE_DKI = "https://lpse.jakarta.go.id/eproc4"


def _build_kd_satker_spse() -> dict[str, str]:
    rng = random.Random("kd_satker SPSE Pemprov DKI Jakarta")
    nomor = rng.sample(range(10_000, 50_000), len(SKPD_DKI))
    return {skpd.kode: f"{n}{KD_LPSE_DKI:03d}" for skpd, n in zip(SKPD_DKI, nomor)}


KD_SATKER_SPSE: dict[str, str] = _build_kd_satker_spse()


@dataclass(frozen=True)
class UnitTambahan:
    """A sub-unit listed in RUP-MasterSatker with no budget structure and no SiRUP packages
    of its own (a Puskesmas kecamatan under the Dinas Kesehatan): it buys from online shops
    (Bela) and rolls up to its SKPD."""

    kode: str
    nama: str
    kd_satker: int
    kode_induk: str
    kode_kota: str


def _build_unit_tambahan() -> tuple[UnitTambahan, ...]:
    rng = random.Random("kd_satker Puskesmas Pemprov DKI Jakarta")
    kota = load_kota()
    nomor = rng.sample(range(400_000, 500_000), len(kota))
    induk = "1.02.0.00.0.00.02.0000"  # DINAS KESEHATAN
    return tuple(
        UnitTambahan(f"{induk[:-4]}{101 + i:04d}",
                     f"PUSKESMAS KECAMATAN {k.kecamatan[0].nama.upper()}", kd, induk, k.kode)
        for i, (k, kd) in enumerate(zip(kota, nomor)))


UNIT_TAMBAHAN: tuple[UnitTambahan, ...] = _build_unit_tambahan()
