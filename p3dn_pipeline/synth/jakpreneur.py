"""Jakpreneur: the UMKM Pemprov DKI registers and sends to its sales channels.

One pool per run, shared by business matching (``bisnis_matching``), e-Order (``eorder``)
and the e-commerce reports (``ecommerce``), so the same business turns up in several of
them, as in real life. About two in five are KPKP-mentored businesses (every one that is an
e-katalog vendor among them), carrying the NIK and, where they have one, the NIB of the
rosters; the rest are invented. A business is the same across sources by NIB, else NPWP,
never by name (DOMAIN §2.4), and the sources disagree the way real ones do: a mentored
business without a NIB on the roster may have one here, a vendor's NIB is the catalogue's,
some businesses give only an NPWP (15 digits ``99.999.999.9-999.999`` or 16).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from p3dn_pipeline.synth import identifiers, people
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.geography import load_kota
from p3dn_pipeline.synth.katalog import Katalog, Penyedia
from p3dn_pipeline.synth.kpkp import PelakuUsaha

PORSI_BINAAN = 0.4
# Sectors of the invented businesses, as Dinas PPKUKM records them, with what they sell.
PRODUK_PER_SEKTOR = {
    "Kuliner": ("Kue Kering", "Nasi Kotak", "Snack Box", "Kopi Bubuk", "Sambal Kemasan",
                "Keripik Pisang", "Minuman Jahe Instan"),
    "Fesyen": ("Batik Betawi", "Kemeja Batik", "Seragam Kerja", "Tas Kulit", "Hijab"),
    "Kriya": ("Souvenir Ondel-Ondel", "Anyaman Bambu", "Plakat Akrilik", "Tas Anyaman"),
    "Jasa": ("Jasa Percetakan", "Jasa Laundry", "Jasa Sablon", "Jasa Dekorasi"),
    "Pertanian": ("Sayur Hidroponik", "Bibit Tanaman", "Pupuk Organik Cair"),
    "Kesehatan": ("Masker Kain", "Hand Sanitizer", "Jamu Kemasan", "Sabun Herbal"),
}
# What a mentored business sells, by its (listed) KPKP sector.
PRODUK_BINAAN = {
    "Pertanian Perkotaan": ("Sayur Hidroponik", "Selada Hidroponik", "Bibit Cabai",
                            "Microgreens"),
    "Peternakan": ("Telur Ayam Kampung", "Daging Ayam Kampung", "Telur Puyuh"),
    "Perikanan": ("Ikan Lele Segar", "Ikan Nila Segar", "Lele Asap", "Bandeng Presto"),
    "Olahan Pangan": ("Keripik Singkong", "Kerupuk Ikan", "Abon Ikan", "Dodol Betawi",
                      "Nasi Kotak"),
    "Kerajinan": ("Tas Anyaman Eceng Gondok", "Miniatur Ondel-Ondel", "Kain Batik Betawi"),
}
_NAMA_TOKO = (("Dapur", "Rumah", "Toko", "Kedai", "Griya", "Sentra", "Galeri", "Warung"),
              ("Betawi", "Mandiri", "Jaya", "Lestari", "Berkah", "Kita", "Nusantara",
               "Sejahtera", "Ceria", "Makmur"))


@dataclass(frozen=True)
class UsahaJakpreneur:
    id_jakpreneur: str        # "JP-2021-004512"
    nama_usaha: str
    nib: str | None
    npwp: str | None          # 15 digits (written with dots) or 16
    nik_pemilik: str          # personal data
    nama_pemilik: str         # personal data
    no_hp: str                # personal data
    sektor: str
    produk: tuple[str, ...]
    binaan: PelakuUsaha | None = None
    penyedia: Penyedia | None = None  # its e-katalog vendor record, if it is one

    @property
    def npwp_16(self) -> str | None:
        """The NPWP as e-katalog's PenyediaDetail holds it (16 digits), when it has one."""
        return self.npwp if self.npwp is not None and len(self.npwp) == 16 else None


def tulis_npwp(npwp: str) -> str:
    """A 15-digit NPWP as people write it, ``99.999.999.9-999.999``; 16 digits stay bare."""
    if len(npwp) != 15:
        return npwp
    return f"{npwp[:2]}.{npwp[2:5]}.{npwp[5:8]}.{npwp[8]}-{npwp[9:12]}.{npwp[12:]}"


def _id_jakpreneur(rng: random.Random, terpakai: set[str]) -> str:
    while True:
        kode = f"JP-{rng.randint(2020, 2024)}-{rng.randrange(1, 999_999):06d}"
        if kode not in terpakai:
            terpakai.add(kode)
            return kode


def _dari_binaan(rng: random.Random, usaha: PelakuUsaha, penyedia: Penyedia | None,
                 id_jp: str) -> UsahaJakpreneur:
    if penyedia is not None:
        nib, npwp = penyedia.nib, penyedia.npwp_16
    else:
        # Registering with Jakpreneur pushes an OSS registration: some now have a NIB the
        # roster does not show yet.
        nib = usaha.nib if usaha.nib is not None or rng.random() < 0.7 else identifiers.nib(rng)
        npwp = usaha.nik if rng.random() < 0.3 else None  # a sole proprietor's NPWP is the NIK
    produk = rng.sample(PRODUK_BINAAN[usaha.sektor], 2)
    return UsahaJakpreneur(id_jp, usaha.nama_usaha, nib, npwp, usaha.nik, usaha.nama,
                           usaha.no_hp, usaha.sektor_tertulis, tuple(produk), usaha, penyedia)


def usaha_baru(rng: random.Random, id_jp: str, nik_terpakai: set[str]) -> UsahaJakpreneur:
    """An invented UMKM: NIB and/or NPWP, never neither."""
    perempuan = rng.random() < 0.6
    kecamatan = rng.choice([kec for kota in load_kota() for kec in kota.kecamatan])
    while True:
        lahir = dt.date(rng.randint(1962, 2002), rng.randint(1, 12), rng.randint(1, 28))
        nik = identifiers.nik(kecamatan.digit_nik, lahir, perempuan, rng.randint(1, 9999))
        if nik not in nik_terpakai:
            nik_terpakai.add(nik)
            break
    sektor = rng.choices(list(PRODUK_PER_SEKTOR), (40, 15, 12, 10, 8, 15))[0]
    nib = identifiers.nib(rng) if rng.random() < 0.8 else None
    npwp = None
    if nib is None or rng.random() < 0.45:
        gaya = rng.random()
        if gaya < 0.5:
            npwp = f"{rng.randrange(10**14, 10**15)}"  # the old 15 digits
        elif gaya < 0.8:
            npwp = nik                                  # a person's NPWP is the NIK since 2022
        else:
            npwp = identifiers.npwp_badan_16(rng)
    nama = f"{rng.choice(_NAMA_TOKO[0])} {rng.choice(_NAMA_TOKO[1])}"
    if rng.random() < 0.3:
        nama = f"{nama} {people.nama_orang(rng, perempuan).split()[0]}"
    produk = rng.sample(PRODUK_PER_SEKTOR[sektor], 2)
    return UsahaJakpreneur(id_jp, nama, nib, npwp, nik, people.nama_orang(rng, perempuan),
                           identifiers.no_hp(rng), sektor, tuple(produk))


def bangun_jakpreneur(config: SynthConfig, pelaku: tuple[PelakuUsaha, ...],
                      katalog: Katalog) -> tuple[UsahaJakpreneur, ...]:
    """The run's Jakpreneur pool: every mentored e-katalog vendor, other mentored businesses
    (mostly those with a NIB) and invented UMKM, in a fixed order."""
    rng = config.rng("jakpreneur")
    jumlah = config.umkm_jakpreneur
    vendor = {p.binaan.nomor: p for p in katalog.penyedia if p.binaan is not None}
    lain = [u for u in pelaku if u.nomor not in vendor]
    bobot = [3.0 if u.nib is not None else 1.0 for u in lain]
    jumlah_binaan = min(len(pelaku), max(len(vendor), round(jumlah * PORSI_BINAAN)))
    terpilih = {u.nomor for u in pelaku if u.nomor in vendor}
    while len(terpilih) < jumlah_binaan:
        terpilih.add(rng.choices(lain, bobot)[0].nomor)
    id_terpakai: set[str] = set()
    nik_terpakai = {u.nik for u in pelaku}
    hasil = [_dari_binaan(rng, u, vendor.get(u.nomor), _id_jakpreneur(rng, id_terpakai))
             for u in pelaku if u.nomor in terpilih]
    hasil += [usaha_baru(rng, _id_jakpreneur(rng, id_terpakai), nik_terpakai)
              for _ in range(jumlah - len(hasil))]
    return tuple(hasil)
