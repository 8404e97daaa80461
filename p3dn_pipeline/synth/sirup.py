"""SiRUP exports: RUP-PaketPenyedia-Terumumkan (the commitment) and RUP-StrukturAnggaranPD.

Packages are written satker by satker with ascending ``kd_rup``; each one's name and
template follow from its ``kd_rup`` (``nomenklatur.paket_untuk``). Of the announced
E-Purchasing packages only ``kd_rup``, pagu and the month selection starts are kept
(compact arrays per satker, ``PaketEPurchasing``): e-katalog orders are made against them
and never exceed their pagu (see ``ekatalog``). A running pagu total per satker sizes the
budget structure: a satker's planned packages come to 75-110 % of its belanja pengadaan.

How the pagu splits by method is what the headline "realisasi komitmen P3DN" rests on,
because only e-katalog orders realise a commitment in the pipeline: DKI buys most of its
goods, services and, through the local catalogue, construction works by E-Purchasing, so
E-Purchasing packages carry about nine tenths of the planned pagu; Pengadaan Langsung
packages are many but small (at most Rp200 juta), Tender and Seleksi few but large.
Pagu are log-normal around each template's median, cut at 2.5 standard deviations so no
single package outweighs a small sample. The PDN and UKM flags are drawn package by
package but held to 93 % and 48 % of the pagu (``_Takaran``), so PDN / belanja pengadaan
comes to about 80-85 % and UMK / belanja pengadaan to about 40-45 % (just over the legal
floor) even at the committed sample's size.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.nomenklatur import KONSTRUKSI, KONSULTANSI, TemplatePaket, paket_untuk
from p3dn_pipeline.synth.organisations import (
    JENIS_INSTANSI, KD_KLPD_DKI, NAMA_INSTANSI, SKPD_DKI, Skpd)
from p3dn_pipeline.synth.writers import JsonArrayWriter

KD_METODE = {"Pengadaan Langsung": 8, "E-Purchasing": 9, "Tender": 13, "Seleksi": 15}
KD_JENIS = {"Barang": "1", "Pekerjaan Konstruksi": "2", "Jasa Konsultansi": "3",
            "Jasa Lainnya": "4"}
# Pengadaan Langsung is allowed up to Rp200 juta (konsultansi Rp100 juta); packages up to
# Rp15 miliar are reserved for usaha kecil (Perpres 12/2021).
BATAS_PENGADAAN_LANGSUNG = 200_000_000
BATAS_PENGADAAN_LANGSUNG_KONSULTANSI = 100_000_000
BATAS_PAKET_UKM = 15_000_000_000
# An e-katalog order is at least Rp700 ribu and at most Rp15 miliar, and a package gets at
# most three of them, so an E-Purchasing package's pagu stays within these bounds (a
# smaller one is bought directly, a bigger one tendered).
PAGU_MIN_E_PURCHASING = 1_500_000
PAGU_MAKS_E_PURCHASING = 45_000_000_000
# Small purchases are mostly made directly, even of goods the catalogue lists.
BATAS_BELANJA_KECIL = 30_000_000
# SiRUP's kd_rup is a national sequence; DKI's packages sit above this number.
KD_RUP_AWAL = 50_000_000


@dataclass(frozen=True)
class StrukturAnggaran:
    belanja_operasi: int
    belanja_modal: int
    belanja_btt: int
    belanja_non_pengadaan: int

    @property
    def belanja_pengadaan(self) -> int:
        return self.belanja_operasi + self.belanja_modal

    @property
    def total_belanja(self) -> int:
        return self.belanja_pengadaan + self.belanja_non_pengadaan + self.belanja_btt


@dataclass
class PaketEPurchasing:
    """One satker's announced E-Purchasing packages, column by column, in kd_rup order:
    a few bytes a package, so a scale-100 year still fits in memory."""

    kd_rup: array = field(default_factory=lambda: array("q"))
    pagu: array = field(default_factory=lambda: array("q"))
    bulan_pilih: array = field(default_factory=lambda: array("b"))  # selection starts, 1-12
    # 1 when the package is part of the PDN commitment (active, not deleted, PDN)
    komitmen_pdn: array = field(default_factory=lambda: array("b"))

    def __len__(self) -> int:
        return len(self.kd_rup)

    def tambah(self, kd_rup: int, pagu: int, bulan_pilih: int, komitmen_pdn: bool) -> None:
        self.kd_rup.append(kd_rup)
        self.pagu.append(pagu)
        self.bulan_pilih.append(bulan_pilih)
        self.komitmen_pdn.append(komitmen_pdn)


@dataclass
class PaketPemilihan:
    """One satker's announced packages of the other methods (Tender, Seleksi, Pengadaan
    Langsung), column by column in kd_rup order: what SPSE's selections and recorded
    purchases (``spse``) are made against. Name and template follow from kd_rup."""

    kd_rup: array = field(default_factory=lambda: array("q"))
    pagu: array = field(default_factory=lambda: array("q"))
    kd_metode: array = field(default_factory=lambda: array("b"))    # KD_METODE values
    bulan_pilih: array = field(default_factory=lambda: array("b"))  # selection starts, 1-12
    pdn: array = field(default_factory=lambda: array("b"))          # status_pdn == "PDN"
    ukm: array = field(default_factory=lambda: array("b"))          # status_ukm == "UKM"

    def __len__(self) -> int:
        return len(self.kd_rup)

    def tambah(self, kd_rup: int, pagu: int, kd_metode: int, bulan_pilih: int, pdn: bool,
               ukm: bool) -> None:
        self.kd_rup.append(kd_rup)
        self.pagu.append(pagu)
        self.kd_metode.append(kd_metode)
        self.bulan_pilih.append(bulan_pilih)
        self.pdn.append(pdn)
        self.ukm.append(ukm)


@dataclass
class HasilSirup:
    """What later sources of the same year need from SiRUP."""

    e_purchasing: dict[str, PaketEPurchasing]  # kode SKPD -> its E-Purchasing packages
    struktur: dict[str, StrukturAnggaran]      # kode SKPD -> budget structure
    komitmen_pdn: int = 0                      # pagu of the PDN commitment, all methods
    komitmen_pdn_e_purchasing: int = 0         # the part of it planned as E-Purchasing
    # kode SKPD -> its announced Tender, Seleksi and Pengadaan Langsung packages
    pemilihan: dict[str, PaketPemilihan] = field(default_factory=dict)


def jumlah_paket(config: SynthConfig) -> dict[str, int]:
    """Packages per satker per year: by budget weight, at least three each."""
    total_bobot = sum(s.bobot for s in SKPD_DKI)
    return {s.kode: max(3, round(config.paket_sirup * s.bobot / total_bobot))
            for s in SKPD_DKI}


def _langkah_kd_rup(config: SynthConfig) -> int:
    """Average gap between DKI's kd_rup (others' packages fall in between), kept small
    enough that every year's block stays 8 digits at large scales."""
    per_tahun = sum(jumlah_paket(config).values())
    return max(1, min(25, 40_000_000 // (per_tahun * len(config.years))))


def _pagu(rng: random.Random, template: TemplatePaket) -> int:
    """Log-normal around the template's median, within 2.5 standard deviations (up to
    about 9.5 times the median): one freak package must not outweigh a small sample."""
    z = max(-2.5, min(2.5, rng.gauss(0.0, 1.0)))
    pagu = template.pagu_median * math.exp(0.9 * z)
    if pagu >= 50_000_000 and rng.random() < 0.3:
        return int(round(pagu, -6))  # planners like round millions
    return max(100_000, int(round(pagu, -2)))


def _metode(rng: random.Random, template: TemplatePaket, pagu: int) -> str:
    """The procurement method, kept within the value thresholds."""
    metode = rng.choices([m for m, _ in template.cara], [w for _, w in template.cara])[0]
    konsultansi = template.jenis_pengadaan == KONSULTANSI
    batas = BATAS_PENGADAAN_LANGSUNG_KONSULTANSI if konsultansi else BATAS_PENGADAAN_LANGSUNG
    tender = "Seleksi" if konsultansi else "Tender"
    if metode == "Pengadaan Langsung" and pagu > batas:
        # Above the direct-purchase ceiling: tendered, or bought from the catalogue.
        if konsultansi or template.jenis_pengadaan == KONSTRUKSI or rng.random() < 0.1:
            metode = tender
        else:
            metode = "E-Purchasing"
    elif metode in ("Tender", "Seleksi"):
        metode = "Pengadaan Langsung" if pagu <= batas else tender
    if metode == "E-Purchasing" and (pagu < PAGU_MIN_E_PURCHASING or (
            pagu < BATAS_BELANJA_KECIL and rng.random() < 0.6)):
        metode = "Pengadaan Langsung"
    elif metode == "E-Purchasing" and pagu > PAGU_MAKS_E_PURCHASING:
        metode = tender
    return metode


def _tanggal_acak(rng: random.Random, awal: dt.date, akhir: dt.date) -> dt.date:
    return awal + dt.timedelta(days=rng.randrange((akhir - awal).days + 1))


class _Takaran:
    """Flags packages at random while holding their pagu to a share of the pagu seen: a
    package is flagged when a random part of it still fits under share x pagu seen so far.
    Each package has about that chance, and in a small sample one big package cannot
    move the year's share (the PDN and UMK shares of belanja pengadaan) by much."""

    def __init__(self, porsi: float) -> None:
        self.porsi = porsi
        self.dilihat = self.ditandai = 0

    def tandai(self, rng: random.Random, pagu: int) -> bool:
        self.dilihat += pagu
        if self.ditandai + pagu * rng.random() > self.porsi * self.dilihat:
            return False
        self.ditandai += pagu
        return True


# Share of pagu flagged PDN (the rest "Impor"), and of the pagu of packages up to Rp15
# miliar reserved for usaha kecil ("UKM").
PORSI_PDN = 0.93
PORSI_UKM = 0.48


def _baris_paket(rng: random.Random, config: SynthConfig, tahun: int, skpd: Skpd,
                 kd_rup: int, takaran_pdn: _Takaran, takaran_ukm: _Takaran) -> dict:
    template, nama_paket = paket_untuk(skpd, kd_rup)
    pagu = _pagu(rng, template)
    metode = _metode(rng, template, pagu)
    if metode == "E-Purchasing" and rng.random() < 0.15:
        metode_tertulis = "e-Purchasing"  # SiRUP's casing drifts between records
    else:
        metode_tertulis = metode
    ukm = pagu <= BATAS_PAKET_UKM and takaran_ukm.tandai(rng, pagu)
    if rng.random() < 0.85:  # planned before the year starts
        dibuat = _tanggal_acak(rng, dt.date(tahun - 1, 11, 20), dt.date(tahun, 2, 28))
    else:  # added during the year, many with the APBD-Perubahan
        dibuat = _tanggal_acak(rng, dt.date(tahun, 3, 1), dt.date(tahun, 10, 31))
    draf = rng.random() < 0.01
    diumumkan = None
    if not draf:
        waktu = dt.datetime.combine(dibuat + dt.timedelta(days=rng.randint(0, 20)),
                                    dt.time(rng.randint(7, 22), rng.randrange(60),
                                            rng.randrange(60)))
        diumumkan = f"{waktu:%Y-%m-%d %H:%M:%S}"
    bulan_pilih = min(11, (dibuat.month if dibuat.year == tahun else 1) + rng.randint(0, 2))
    bulan_kontrak = min(12, bulan_pilih + rng.randint(0, 1))
    bulan_selesai = min(12, bulan_kontrak + rng.choice((0, 1, 3, 6, 11)))
    dikecualikan = rng.random() < 0.01
    return {
        "tahun_anggaran": tahun,
        "kd_klpd": KD_KLPD_DKI,
        "nama_klpd": NAMA_INSTANSI,
        "jenis_klpd": JENIS_INSTANSI,
        "kd_satker": skpd.kd_satker,
        "kd_satker_str": skpd.kode,
        "nama_satker": skpd.nama,
        "kd_rup": kd_rup,
        "nama_paket": nama_paket,
        "pagu": pagu,
        "kd_metode_pengadaan": KD_METODE[metode],
        "metode_pengadaan": metode_tertulis,
        "kd_jenis_pengadaan": KD_JENIS[template.jenis_pengadaan],
        "jenis_pengadaan": template.jenis_pengadaan,
        "status_pradipa": "PraDIPA" if dibuat.year < tahun and rng.random() < 0.3
        else "Non-PraDIPA",
        "status_pdn": "PDN" if takaran_pdn.tandai(rng, pagu) else "Impor",
        "status_ukm": "UKM" if ukm else "Non UKM",
        "alasan_non_ukm": None if ukm or rng.random() < 0.5 else (
            "Nilai paket di atas Rp15 miliar" if pagu > BATAS_PAKET_UKM
            else "Pekerjaan memerlukan kemampuan teknis yang belum dapat dipenuhi usaha kecil"),
        "status_konsolidasi": "Konsolidasi" if rng.random() < 0.02 else "Non-Konsolidasi",
        "tipe_paket": "Penyedia",
        "kd_rup_swakelola": None,
        "kd_rup_lokal": None,
        "volume_pekerjaan": template.volume,
        "urarian_pekerjaan": nama_paket if rng.random() < 0.7 else template.nama.replace(
            " {lokasi}", ""),
        "spesifikasi_pekerjaan": rng.choice(("Sesuai spesifikasi teknis terlampir",
                                             "Sesuai KAK", nama_paket)),
        "tgl_awal_pemilihan": f"{tahun}-{bulan_pilih:02d}-01",
        "tgl_akhir_pemilihan": f"{tahun}-{min(12, bulan_pilih + rng.randint(0, 1)):02d}-01",
        "tgl_awal_kontrak": f"{tahun}-{bulan_kontrak:02d}-01",
        "tgl_akhir_kontrak": f"{tahun}-{bulan_selesai:02d}-01",
        "tgl_awal_pemanfaatan": f"{tahun}-{bulan_kontrak:02d}-01",
        "tgl_akhir_pemanfaatan": f"{tahun}-{bulan_selesai:02d}-01",
        "tgl_buat_paket": dibuat.isoformat(),
        "tgl_pengumuman_paket": diumumkan,
        "status_aktif_rup": rng.random() >= 0.015,
        "status_delete_rup": rng.random() < 0.01,
        "status_umumkan_rup": "Draf" if draf else "Terumumkan",
        "status_dikecualikan": dikecualikan,
        "alasan_dikecualikan": "Dikecualikan sesuai Pasal 61 Perpres 12/2021" if dikecualikan
        else None,
        "tahun_pertama": None,
        "kode_rup_tahun_pertama": None,
        "nomor_kontrak": None,
        "spp_aspek_ekonomi": rng.random() < 0.1,
        "spp_aspek_sosial": rng.random() < 0.03,
        "spp_aspek_lingkungan": rng.random() < 0.03,
        "_event_date": config.tanggal_tarik(tahun).isoformat(),
    }


def tulis_sirup(config: SynthConfig, tahun: int, out_dir: Path) -> tuple[
        HasilSirup, list[tuple[str, int]]]:
    """Write the year's SiRUP packages and budget structure; returns what later sources
    need and the (file, rows) written."""
    rng = config.rng("sirup", tahun)
    jumlah = jumlah_paket(config)
    langkah = _langkah_kd_rup(config)
    blok = sum(jumlah.values()) * langkah
    kd_rup_berikut = KD_RUP_AWAL + config.years.index(tahun) * blok

    e_purchasing: dict[str, PaketEPurchasing] = {}
    pemilihan: dict[str, PaketPemilihan] = {}
    total_pagu: dict[str, int] = {}
    komitmen_pdn = komitmen_pdn_e_purchasing = 0
    takaran_pdn, takaran_ukm = _Takaran(PORSI_PDN), _Takaran(PORSI_UKM)
    relatif_paket = f"lkpp/rup_paket_penyedia_{tahun}.json"
    with JsonArrayWriter(out_dir / relatif_paket) as out:
        for skpd in SKPD_DKI:
            daftar = e_purchasing[skpd.kode] = PaketEPurchasing()
            lain = pemilihan[skpd.kode] = PaketPemilihan()
            total_pagu[skpd.kode] = 0
            for _ in range(jumlah[skpd.kode]):
                kd_rup = kd_rup_berikut + rng.randrange(langkah)
                kd_rup_berikut += langkah
                row = _baris_paket(rng, config, tahun, skpd, kd_rup, takaran_pdn, takaran_ukm)
                out.write(row)
                total_pagu[skpd.kode] += row["pagu"]
                diumumkan = row["status_umumkan_rup"] == "Terumumkan"
                pdn = (diumumkan and row["status_aktif_rup"] and not row["status_delete_rup"]
                       and row["status_pdn"] == "PDN")
                komitmen_pdn += row["pagu"] if pdn else 0
                # Only an announced package can be ordered against in the catalogue.
                if row["kd_metode_pengadaan"] == KD_METODE["E-Purchasing"] and diumumkan:
                    daftar.tambah(kd_rup, row["pagu"], int(row["tgl_awal_pemilihan"][5:7]), pdn)
                    komitmen_pdn_e_purchasing += row["pagu"] if pdn else 0
                elif diumumkan:
                    lain.tambah(kd_rup, row["pagu"], row["kd_metode_pengadaan"],
                                int(row["tgl_awal_pemilihan"][5:7]), row["status_pdn"] == "PDN",
                                row["status_ukm"] == "UKM")
        baris_paket = out.rows

    struktur = _struktur_anggaran(rng, total_pagu)
    relatif_struktur = f"lkpp/rup_struktur_anggaran_{tahun}.json"
    with JsonArrayWriter(out_dir / relatif_struktur) as out:
        for skpd in SKPD_DKI:
            s = struktur[skpd.kode]
            out.write({
                "tahun_anggaran": tahun, "kd_klpd": KD_KLPD_DKI, "nama_klpd": NAMA_INSTANSI,
                "kd_satker": skpd.kd_satker, "kd_satker_str": skpd.kode,
                "nama_satker": skpd.nama, "belanja_operasi": s.belanja_operasi,
                "belanja_modal": s.belanja_modal, "belanja_btt": s.belanja_btt,
                "belanja_non_pengadaan": s.belanja_non_pengadaan,
                "belanja_pengadaan": s.belanja_pengadaan, "total_belanja": s.total_belanja,
            })
        baris_struktur = out.rows
    return (HasilSirup(e_purchasing, struktur, komitmen_pdn, komitmen_pdn_e_purchasing,
                       pemilihan),
            [(relatif_paket, baris_paket), (relatif_struktur, baris_struktur)])


def _struktur_anggaran(rng: random.Random, total_pagu: dict[str, int]) -> dict[
        str, StrukturAnggaran]:
    """Budget per satker, sized so its planned packages are 75-110 % of belanja pengadaan."""
    pengadaan = {s.kode: round(total_pagu[s.kode] / rng.uniform(0.75, 1.1)) for s in SKPD_DKI}
    # The unforeseen-spending reserve is about 2 % of what the province procures.
    cadangan_btt = round(sum(pengadaan.values()) * 0.02)
    struktur = {}
    for skpd in SKPD_DKI:
        total = pengadaan[skpd.kode]
        modal = min(total, round(total * skpd.porsi_modal * rng.uniform(0.8, 1.2)))
        struktur[skpd.kode] = StrukturAnggaran(
            belanja_operasi=total - modal, belanja_modal=modal,
            belanja_btt=cadangan_btt if skpd.btt else 0,
            belanja_non_pengadaan=round(total * skpd.rasio_non_pengadaan
                                        * rng.uniform(0.85, 1.15)),
        )
    return struktur
