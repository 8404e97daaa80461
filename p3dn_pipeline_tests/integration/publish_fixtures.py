"""Shared by the publish tests: a warehouse built by the real pipeline from the mini P3DN
fixtures (for the dashboard also two small KPKP rosters and a vendor file), with its serving
file, Parquet folder and dashboard in a temporary folder.

Mentored businesses written here (worked out by hand):
- A: Perikanan, Jakarta Barat (31.73), NIB 1234567890123; TW I 2025 200 kg / Rp50 jt, TW II
  450 kg / Rp120 jt (year-to-date). Vendor 454750 has the same NIB and sold the v5 package
  777 (Paket Selesai, 20-02-2025, Rp12,5 jt): one mentored business on e-katalog in TW I.
- B: Peternakan, Jakarta Selatan (31.74); TW I 1.250 kg / Rp10 jt, TW II 1.500 kg / Rp25 jt.
- C: Olahan Pangan, Jakarta Timur (31.75); TW II only, 300 kg / Rp40 jt.
TW I 2025: 2 active, 1,45 ton, Rp60.000.000. TW II 2025: 3 active, 1 new, 2,25 ton,
Rp185.000.000.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from p3dn_pipeline_tests.conftest import REPO, TEST_PII_KEY, PipelineEnv

MINI = REPO / "p3dn_pipeline_tests" / "fixtures" / "mini_p3dn"
ROSTER_HEADER = ["No", "NIK", "Nama", "NIB", "Sektor", "Kota", "Kecamatan", "Kelurahan",
                 "Tanggal Pembinaan", "Produksi (kg)", "Omzet (Rp)", "Triwulan"]
A = ["3173014501900001", "Siti Aminah", "1234567890123", "Perikanan", "Jakarta Barat",
     "Cengkareng", "Cengkareng Barat"]
B = ["3174011507800003", "Budi Santoso", "", "Peternakan", "Jakarta Selatan", "Tebet",
     "Tebet Timur"]
C = ["3175015203910004", "Dewi Lestari", "", "Olahan Pangan", "Jakarta Timur", "Jatinegara",
     "Bali Mester"]


def write_umkm_exports(landing: Path) -> None:
    rosters = {
        "binaan_2025_tw1.csv": [(A, "13/01/2025", "200", "Rp 50.000.000", "TW I 2025"),
                                (B, "14/01/2025", "1.250", "10.000.000", "TW I 2025")],
        "binaan_2025_tw2.csv": [(A, "07/04/2025", "450", "Rp 120.000.000", "TW II 2025"),
                                (B, "08/04/2025", "1.500", "25.000.000", "TW II 2025"),
                                (C, "09/04/2025", "300", "40.000.000", "TW II 2025")],
    }
    for name, rows in rosters.items():
        with (landing / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(ROSTER_HEADER)
            for number, (person, tanggal, produksi, omzet, triwulan) in enumerate(rows, 1):
                writer.writerow([number, *person, tanggal, produksi, omzet, triwulan])
    (landing / "penyedia.json").write_text(json.dumps([
        {"kd_penyedia": 454750, "nama_penyedia": "CV IKAN SEGAR CENGKARENG",
         "kode_penyedia_sikap": 8001, "penyedia_ukm": "UKM", "nib": "1234567890123"},
    ]), encoding="utf-8")


@dataclass
class PublishEnv:
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "p3dn.duckdb"

    @property
    def serving(self) -> Path:
        return self.root / "serving" / "marts.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.root / "serving" / "parquet"

    @property
    def dashboard(self) -> Path:
        return self.root / "serving" / "dashboard.html"

    @property
    def variables(self) -> dict[str, str]:
        return {"P3DN_LANDING_DIR": str(self.landing), "P3DN_WAREHOUSE": str(self.warehouse),
                "P3DN_PII_KEY": TEST_PII_KEY, "P3DN_KD_KLPD": "DKI",
                "P3DN_SERVING": str(self.serving), "P3DN_PARQUET_DIR": str(self.parquet_dir),
                "P3DN_DASHBOARD": str(self.dashboard)}

    def subprocess_environ(self) -> dict[str, str]:
        return {**os.environ, **self.variables}

    def materialize(self, selection=None, *, raise_on_error: bool = True,
                    full_refresh: bool = False):
        """Every asset (selection None) or a selection, in this process, as a run would."""
        return PipelineEnv(self.landing, self.warehouse).materialize(
            selection=selection, raise_on_error=raise_on_error, full_refresh=full_refresh)

    def publish(self, *, raise_on_error: bool = True):
        from dagster import AssetSelection

        # A forced publish: with the marts unchanged, a plain run would rightly skip it.
        return self.materialize(AssetSelection.groups("publish"), raise_on_error=raise_on_error,
                                full_refresh=True)

    def rebuild_headline_marts_and_publish(self):
        from dagster import AssetKey, AssetSelection

        return self.materialize(
            AssetSelection.assets(AssetKey(["marts", "p3dn_realisasi_paket"]),
                                  AssetKey(["marts", "p3dn_per_skpd"]),
                                  AssetKey(["marts", "p3dn_provinsi"]))
            | AssetSelection.groups("publish"), full_refresh=True)

    @contextmanager
    def read_both(self, *, serving: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse as ``wh`` and the serving file as ``sv``, both read-only, in a fresh
        in-memory database (so the Python client's per-path cache never hands back an old
        copy of the serving file)."""
        con = duckdb.connect()
        try:
            con.execute("ATTACH $p AS wh (READ_ONLY)", {"p": str(self.warehouse)})
            if serving:
                con.execute("ATTACH $p AS sv (READ_ONLY)", {"p": str(self.serving)})
            yield con
        finally:
            con.close()


@contextmanager
def publish_env(root: Path, *, with_umkm: bool = False) -> Iterator[PublishEnv]:
    """The whole pipeline materialized once on the mini fixtures, env vars set meanwhile."""
    from _pytest.monkeypatch import MonkeyPatch

    env = PublishEnv(root)
    shutil.copytree(MINI, env.landing)
    if with_umkm:
        write_umkm_exports(env.landing)
    patch = MonkeyPatch()
    for name, value in env.variables.items():
        patch.setenv(name, value)
    try:
        env.materialize()
        yield env
    finally:
        patch.undo()
