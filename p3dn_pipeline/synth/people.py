"""Names of people, businesses and companies for the synthetic rows.

Person names are personal data the pipeline must never store: they are drawn from these
lists so that a leak is easy to spot (grep the warehouse for "Siti Rahmawati").
"""

from __future__ import annotations

import random

NAMA_DEPAN_LAKI = (
    "Agus", "Ahmad", "Andi", "Arief", "Bambang", "Budi", "Dedi", "Dimas", "Eko", "Fajar",
    "Hendra", "Heru", "Imam", "Irfan", "Joko", "Kurniawan", "Muhammad", "Nur", "Rahmat",
    "Rizky", "Slamet", "Sugeng", "Supriyadi", "Teguh", "Wahyu", "Yusuf", "Hasan", "Rudi",
    "Sutrisno", "Haryanto", "Bayu", "Gilang", "Ilham", "Reza", "Taufik", "Zainal",
)
NAMA_DEPAN_PEREMPUAN = (
    "Siti", "Sri", "Dewi", "Nur", "Rina", "Yuliana", "Ani", "Endang", "Fitri", "Indah",
    "Lestari", "Maya", "Nurhayati", "Puji", "Ratna", "Rini", "Sari", "Suryani", "Tuti", "Wati",
    "Yanti", "Aisyah", "Fatimah", "Kartini", "Mega", "Novi", "Putri", "Rahma", "Dian", "Eka",
    "Hartini", "Ika", "Juwita", "Kurnia", "Lilis", "Mulyani",
)
NAMA_BELAKANG = (
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Pratama", "Kusuma", "Setiawan", "Nugroho",
    "Rahmawati", "Susanti", "Purnomo", "Siregar", "Nasution", "Harahap", "Simanjuntak",
    "Lubis", "Hutapea", "Sinaga", "Gunawan", "Hakim", "Firmansyah", "Maulana", "Ramadhan",
    "Kurniasih", "Wulandari", "Handayani", "Permata", "Safitri", "Anggraini", "Suharto",
    "Sulistyo", "Utomo", "Wibowo", "Yulianti", "Hasibuan", "Tanjung", "Manurung", "Sitompul",
    "Halim", "Tan", "Salim", "Sembiring", "Daulay", "Rangkuti", "Fauzi", "Syahputra",
)


def nama_orang(rng: random.Random, perempuan: bool) -> str:
    depan = rng.choice(NAMA_DEPAN_PEREMPUAN if perempuan else NAMA_DEPAN_LAKI)
    if rng.random() < 0.15:
        return depan  # one-word names are common in Indonesia
    return f"{depan} {rng.choice(NAMA_BELAKANG)}"


# What a mentored business calls itself, by sector: (first word, second word).
_USAHA_PER_SEKTOR: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Pertanian Perkotaan": (
        ("Kebun", "Hidroponik", "Tani", "Kelompok Tani", "Urban Farm", "Sayur"),
        ("Hijau", "Lestari", "Sejahtera", "Makmur", "Subur", "Segar", "Asri", "Mandiri"),
    ),
    "Peternakan": (
        ("Ternak", "Peternakan", "Kandang", "Ayam Kampung", "Domba", "Puyuh"),
        ("Berkah", "Jaya", "Barokah", "Sehat", "Mandiri", "Sentosa"),
    ),
    "Perikanan": (
        ("Lele", "Budidaya Ikan", "Nila", "Kolam", "Bioflok", "Ikan Hias", "Rumput Laut"),
        ("Barokah", "Jaya", "Berkah", "Sejahtera", "Lestari", "Bahari", "Makmur"),
    ),
    "Olahan Pangan": (
        ("Dapur", "Keripik", "Kue", "Sambal", "Kerupuk", "Abon", "Dodol Betawi", "Catering"),
        ("Mama", "Bu Sri", "Mak Ijah", "Nikmat", "Gurih", "Lezat", "Betawi", "Rasa"),
    ),
    "Kerajinan": (
        ("Kriya", "Anyaman", "Batik Betawi", "Sanggar", "Kerajinan"),
        ("Eceng Gondok", "Lestari", "Kreatif", "Nusantara", "Ondel-Ondel", "Indah"),
    ),
}


def nama_usaha(rng: random.Random, sektor: str) -> str:
    pertama, kedua = _USAHA_PER_SEKTOR[sektor]
    return f"{rng.choice(pertama)} {rng.choice(kedua)}"


_KATA_PERUSAHAAN = (
    "SINAR", "SURYA", "MITRA", "KARYA", "MANDIRI", "UTAMA", "JAYA", "ABADI", "SENTOSA",
    "PRIMA", "NUSANTARA", "CIPTA", "BINTANG", "TEKNIK", "GLOBAL", "INDO", "PERSADA",
    "SARANA", "MEDIKA", "SOLUSI", "DINAMIKA", "CAHAYA", "MULIA", "PERKASA", "ANUGERAH",
    "BERKAH", "GEMILANG", "SAMUDRA", "TRIJAYA", "INTI", "DATA", "ARTHA", "BUANA", "LESTARI",
    "MAKMUR", "SEJAHTERA", "PRATAMA", "KENCANA", "ANDALAN", "TUNGGAL",
)


def nama_perusahaan(rng: random.Random) -> str:
    """'PT. SINAR SURYA', 'PT.INET GLOBAL INDO', 'CV.PARAMITRA TEKNIK': spacing drifts."""
    badan = "PT" if rng.random() < 0.6 else "CV"
    pemisah = rng.choice((". ", ".", " ", ". "))
    kata = " ".join(rng.sample(_KATA_PERUSAHAAN, rng.choice((2, 2, 3))))
    return f"{badan}{pemisah}{kata}"
