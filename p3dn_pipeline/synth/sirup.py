"""SiRUP exports: RUP-PaketPenyedia-Terumumkan (the commitment) and RUP-StrukturAnggaranPD.

Packages are written satker by satker with ascending ``kd_rup``; each one's name and
template follow from its ``kd_rup`` (``nomenklatur.paket_untuk``). Only the ``kd_rup`` of
E-Purchasing packages are kept (a compact int array per satker) for e-katalog orders to link
to, and a running pagu total per satker, from which the budget structure is sized: a
satker's planned packages come to 60-110 % of its belanja pengadaan.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from array import array
from dataclasses import dataclass
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
class HasilSirup:
    """What later sources of the same year need from SiRUP."""

    e_purchasing: dict[str, array]          # kode SKPD -> kd_rup of its E-Purchasing packages
    struktur: dict[str, StrukturAnggaran]   # kode SKPD -> budget structure


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
    pagu = rng.lognormvariate(math.log(template.pagu_median), 0.9)
    if pagu >= 50_000_000 and rng.random() < 0.3:
        return int(round(pagu, -6))  # planners like round millions
    return max(100_000, int(round(pagu, -2)))


def _metode(rng: random.Random, template: TemplatePaket, pagu: int) -> str:
    """The procurement method, kept within the value thresholds."""
    metode = rng.choices([m for m, _ in template.cara], [w for _, w in template.cara])[0]
    konsultansi = template.jenis_pengadaan == KONSULTANSI
    batas = BATAS_PENGADAAN_LANGSUNG_KONSULTANSI if konsultansi else BATAS_PENGADAAN_LANGSUNG
    if metode == "Pengadaan Langsung" and pagu > batas:
        if konsultansi:
            metode = "Seleksi"
        elif template.jenis_pengadaan == KONSTRUKSI or rng.random() < 0.4:
            metode = "Tender"
        else:
            metode = "E-Purchasing"
    elif metode in ("Tender", "Seleksi"):
        if pagu <= batas:
            metode = "Pengadaan Langsung"
        else:
            metode = "Seleksi" if konsultansi else "Tender"
    return metode


def _tanggal_acak(rng: random.Random, awal: dt.date, akhir: dt.date) -> dt.date:
    return awal + dt.timedelta(days=rng.randrange((akhir - awal).days + 1))


def _baris_paket(rng: random.Random, config: SynthConfig, tahun: int, skpd: Skpd,
                 kd_rup: int) -> dict:
    template, nama_paket = paket_untuk(skpd, kd_rup)
    pagu = _pagu(rng, template)
    metode = _metode(rng, template, pagu)
    if metode == "E-Purchasing" and rng.random() < 0.15:
        metode_tertulis = "e-Purchasing"  # SiRUP's casing drifts between records
    else:
        metode_tertulis = metode
    ukm = pagu <= BATAS_PAKET_UKM and rng.random() < 0.62
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
        "status_pdn": "PDN" if rng.random() < 0.9 else "Impor",
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

    e_purchasing: dict[str, array] = {}
    total_pagu: dict[str, int] = {}
    relatif_paket = f"lkpp/rup_paket_penyedia_{tahun}.json"
    with JsonArrayWriter(out_dir / relatif_paket) as out:
        for skpd in SKPD_DKI:
            daftar = e_purchasing[skpd.kode] = array("q")
            total_pagu[skpd.kode] = 0
            for _ in range(jumlah[skpd.kode]):
                kd_rup = kd_rup_berikut + rng.randrange(langkah)
                kd_rup_berikut += langkah
                row = _baris_paket(rng, config, tahun, skpd, kd_rup)
                out.write(row)
                total_pagu[skpd.kode] += row["pagu"]
                if row["kd_metode_pengadaan"] == KD_METODE["E-Purchasing"]:
                    daftar.append(kd_rup)
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
    return (HasilSirup(e_purchasing, struktur),
            [(relatif_paket, baris_paket), (relatif_struktur, baris_struktur)])


def _struktur_anggaran(rng: random.Random, total_pagu: dict[str, int]) -> dict[
        str, StrukturAnggaran]:
    """Budget per satker, sized so its planned packages are 60-110 % of belanja pengadaan."""
    pengadaan = {s.kode: round(total_pagu[s.kode] / rng.uniform(0.6, 1.1)) for s in SKPD_DKI}
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
