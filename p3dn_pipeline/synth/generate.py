"""Run the whole generator: every source, every year, then the manifest.

Work is split into independent jobs that may run in parallel processes: per fiscal year,
LKPP + APBD + SPSE + Bela with the UMKM channels that need that year's SiRUP packages and
e-katalog orders (business matching, e-Order); the KPKP rosters; the e-commerce reports.
Each job rebuilds the shared pools (businesses, vendors, products, Jakpreneur UMKM) from
the seed, which takes well under a second, and draws from its own random streams, so the
files are the same whatever the number of processes.
"""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

from p3dn_pipeline.synth import (
    apbd, bela, bisnis_matching, ecommerce, ekatalog, eorder, jakpreneur, katalog, kpkp, sirup,
    spse)
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.writers import sha256_file

MANIFEST = "MANIFEST.json"

Keluaran = list[tuple[str, int]]  # (path relative to the output folder, data rows)


@cache
def _pelaku_usaha(config: SynthConfig) -> tuple[kpkp.PelakuUsaha, ...]:
    return kpkp.bangun_pelaku_usaha(config)


@cache
def _katalog(config: SynthConfig) -> katalog.Katalog:
    return katalog.bangun_katalog(config, _pelaku_usaha(config))


@cache
def _jakpreneur(config: SynthConfig) -> tuple[jakpreneur.UsahaJakpreneur, ...]:
    return jakpreneur.bangun_jakpreneur(config, _pelaku_usaha(config), _katalog(config))


def _job_lkpp_apbd(config: SynthConfig, tahun: int, out_dir: Path) -> tuple[Keluaran, set[int]]:
    """One fiscal year of SiRUP, APBD, e-katalog, SPSE, Bela, business matching and e-Order;
    returns files and products used."""
    hasil_sirup, keluaran = sirup.tulis_sirup(config, tahun, out_dir)
    keluaran += apbd.tulis_apbd(config, tahun, hasil_sirup.struktur, out_dir)
    produk_dipakai: set[int] = set()
    kat = _katalog(config)
    order_binaan: list[dict] = []
    keluaran += ekatalog.tulis_ekatalog(config, tahun, hasil_sirup, kat, out_dir, produk_dipakai,
                                        order_binaan)
    # The other channels, each from its own random streams (the files above do not move).
    keluaran += spse.tulis_spse(config, tahun, hasil_sirup, out_dir)
    keluaran += bela.tulis_tokodaring(config, tahun, out_dir)
    pool = _jakpreneur(config)
    keluaran += bisnis_matching.tulis_bisnis_matching(config, tahun, hasil_sirup, pool,
                                                      order_binaan, out_dir)
    keluaran.append(eorder.tulis_eorder(config, tahun, hasil_sirup, pool, out_dir))
    return keluaran, produk_dipakai


def _job_roster(config: SynthConfig, tahun: int, out_dir: Path) -> tuple[Keluaran, set[int]]:
    pelaku = _pelaku_usaha(config)
    return [kpkp.tulis_roster(config, pelaku, out_dir, tahun, tw) for tw in (1, 2, 3, 4)], set()


def _job_ecommerce(config: SynthConfig, tahun: int, out_dir: Path) -> tuple[Keluaran, set[int]]:
    return ecommerce.tulis_ecommerce(config, tahun, _jakpreneur(config), out_dir), set()


def _jalankan(argumen) -> tuple[Keluaran, set[int]]:
    """Run one job; a module-level function so a process pool can pickle it."""
    job, config, tahun, out_dir = argumen
    return job(config, tahun, out_dir)


def generate(config: SynthConfig, out_dir: Path, jobs: int = 1) -> dict:
    """Write every file under ``out_dir`` and return the manifest (also written there)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tugas = [(_job_lkpp_apbd, tahun) for tahun in config.years]
    tugas += [(_job_roster, tahun) for tahun in config.years]
    tugas += [(_job_ecommerce, tahun) for tahun in config.years]
    if jobs > 1:
        # Spawned, not forked: a fork of a process already running DuckDB's threads (the
        # test suite, a notebook) can die at random.
        with ProcessPoolExecutor(max_workers=min(jobs, len(tugas)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            hasil = list(pool.map(_jalankan, [(f, config, t, out_dir) for f, t in tugas]))
    else:
        hasil = [_jalankan((f, config, t, out_dir)) for f, t in tugas]

    keluaran: Keluaran = []
    produk_dipakai: set[int] = set()
    for file_job, produk in hasil:
        keluaran += file_job
        produk_dipakai |= produk
    kat = _katalog(config)
    keluaran.append(katalog.tulis_penyedia_detail(kat, out_dir))
    keluaran.append(katalog.tulis_produk_detail(config, kat, produk_dipakai, out_dir))
    keluaran.append(bela.tulis_master_satker(out_dir))

    manifest = {
        "generator": "p3dn-synth",
        "seed": config.seed,
        "scale": config.scale,
        "years": list(config.years),
        "note": "Synthetic data for development and tests; every person in it is invented.",
        "files": [
            {"path": path, "rows": rows, "sha256": sha256_file(out_dir / path)}
            for path, rows in sorted(keluaran)
        ],
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
