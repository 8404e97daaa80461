"""Identifiers shaped like the real ones, drawn from a seeded ``random.Random``.

Shapes: ULID (26 Crockford base32 characters, time first, as LKPP's v6 ids), UUID v4, NIK
(16 digits: kecamatan code, birth date with day + 40 for women, sequence), NIB (13 digits),
NIP (18 digits), NPWP, Indonesian mobile numbers. Values are synthetic: any resemblance to
a real person's number is chance.
"""

from __future__ import annotations

import datetime as dt
import random

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_EPOCH = dt.datetime(1970, 1, 1)


def ulid(rng: random.Random, waktu: dt.datetime) -> str:
    """48-bit milliseconds since 1970 then 80 random bits, as 26 base32 characters."""
    ms = int((waktu - _EPOCH).total_seconds() * 1000)
    angka = (ms << 80) | rng.getrandbits(80)
    huruf = []
    for _ in range(26):
        angka, sisa = divmod(angka, 32)
        huruf.append(_CROCKFORD[sisa])
    return "".join(reversed(huruf))


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID (random, with the version and variant bits set as RFC 4122 says)."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF << 76)) | (0x4 << 76)
    bits = (bits & ~(0x3 << 62)) | (0x2 << 62)
    teks = f"{bits:032x}"
    return f"{teks[:8]}-{teks[8:12]}-{teks[12:16]}-{teks[16:20]}-{teks[20:]}"


def nik(digit_kecamatan: str, tanggal_lahir: dt.date, perempuan: bool, urutan: int) -> str:
    """NIK: 6 digits of the issuing kecamatan, DDMMYY of birth (DD + 40 for women), 4 digits."""
    hari = tanggal_lahir.day + (40 if perempuan else 0)
    return (f"{digit_kecamatan}{hari:02d}{tanggal_lahir.month:02d}"
            f"{tanggal_lahir.year % 100:02d}{urutan:04d}")


def nib(rng: random.Random) -> str:
    """13-digit Nomor Induk Berusaha; never starting with 0, so a number cell keeps all digits."""
    return f"{rng.choice((91, 81, 12, 22, 26))}{rng.randrange(10**11):011d}"


def npwp_badan_16(rng: random.Random) -> str:
    """A company's 16-digit NPWP: since 2024 the old 15 digits with a leading 0."""
    return f"0{rng.randrange(10**14, 10**15)}"


def nip(rng: random.Random, tahun_anggaran: int) -> str:
    """NIP: birth date YYYYMMDD, appointment YYYYMM, sex digit, 3-digit sequence."""
    lahir = dt.date(rng.randint(1968, 1995), rng.randint(1, 12), rng.randint(1, 28))
    tahun_angkat = min(lahir.year + rng.randint(22, 30), tahun_anggaran - 1)
    return (f"{lahir:%Y%m%d}{tahun_angkat}{rng.randint(1, 12):02d}{rng.randint(1, 2)}"
            f"{rng.randint(1, 999):03d}")


_AWALAN_SELULER = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0856", "0857",
                   "0858", "0877", "0878", "0881", "0895", "0896")


def no_hp(rng: random.Random) -> str:
    """A mobile number as people type it: mostly '0812-3456-7890', sometimes bare or +62."""
    awalan = rng.choice(_AWALAN_SELULER)
    tengah, akhir = f"{rng.randrange(10**4):04d}", f"{rng.randrange(10**4):04d}"
    gaya = rng.random()
    if gaya < 0.7:
        return f"{awalan}-{tengah}-{akhir}"
    if gaya < 0.9:
        return f"{awalan}{tengah}{akhir}"
    return f"+62 {awalan[1:]}-{tengah}-{akhir}"
