"""File names that are not UTF-8 text (an archive made on Windows, unpacked on Linux): the file
is rejected alone, with its name shown escaped, wherever a path becomes text (the listing,
the ledger, the sensor's cursor, the status report), and every other file still loads."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from p3dn_pipeline.lib.sources import registry

DATASETS = registry().datasets
from p3dn_pipeline.lib import landing, ledger

NOW = dt.datetime(2025, 10, 1, 6, 0)
APBD_CSV = ("Kode SKPD;Nama SKPD;Kode Rekening;Uraian;Anggaran;Realisasi;Bulan;Tahun\n"
            "1.01.0.00.0.00.01.0000;DINAS PENDIDIKAN;5.1.02.01.01.0024;Belanja ATK;"
            "1.000.000;250.000;Januari;2025\n")
STRUKTUR = [{"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker": "60442",
             "kd_satker_str": "1.01.0.00.0.00.01.0000", "belanja_operasi": 10,
             "belanja_modal": 5, "belanja_pengadaan": 15, "total_belanja": 15}]
REASON_END = ("as names from an archive made on Windows often are: rename it, or unpack the "
              "archive again with a tool that converts names (7-Zip, `unzip -O CP1252`); it is "
              "read on the next run")


def land_windows_names(folder: Path) -> None:
    """What `unzip` makes of an archive whose names were written in Windows-1252."""
    os.makedirs(os.fsencode(folder))
    (folder / "struktur_anggaran_2025.json").write_text(json.dumps(STRUKTUR))
    with open(os.path.join(os.fsencode(folder), b"realisasi_\xe9.csv"), "wb") as handle:
        handle.write(APBD_CSV.encode())
    os.mkdir(os.path.join(os.fsencode(folder), b"arsip_\xfcber"))
    with open(os.path.join(os.fsencode(folder), b"arsip_\xfcber", b"lra.csv"), "wb") as handle:
        handle.write(APBD_CSV.encode())


def run_all(con, folder: Path):
    inventory = ledger.take_inventory(con, folder, NOW)
    for dataset in DATASETS:
        ledger.load_pending(con, dataset, folder, NOW)
    return inventory


def test_a_file_name_that_is_not_utf8_is_rejected_alone_and_the_rest_loads(warehouse_con,
                                                                           tmp_path):
    folder = tmp_path / "landing"
    land_windows_names(folder)

    inventory = run_all(warehouse_con, folder)

    assert warehouse_con.execute(
        "SELECT path, status, dataset, reason, rows_loaded FROM raw.file_ledger ORDER BY path"
    ).fetchall() == [
        ("arsip_\\xfcber/lra.csv", "rejected", None,
         "arsip_\\xfcber/lra.csv has a name (or folder name) that is not UTF-8 text (byte "
         f"0xfc, shown escaped), {REASON_END}", None),
        ("realisasi_\\xe9.csv", "rejected", None,
         "realisasi_\\xe9.csv has a name (or folder name) that is not UTF-8 text (byte 0xe9, "
         f"shown escaped), {REASON_END}", None),
        ("struktur_anggaran_2025.json", "loaded", "sirup_struktur_anggaran", None, 1),
    ]
    assert sorted(r["path"] for r in inventory.rejected) == ["arsip_\\xfcber/lra.csv",
                                                            "realisasi_\\xe9.csv"]
    assert warehouse_con.execute("SELECT count(*) FROM raw.apbd_realisasi").fetchall() == [(0,)]
    # Nothing was read from the refused files, and the next run does not look at them again.
    again = run_all(warehouse_con, folder)
    assert (again.new_versions, again.rejected) == (0, [])


def test_undecodable_bytes_are_escaped_and_named():
    name = os.fsdecode(b"arsip_\xfc\xe9/realisasi.csv")
    assert landing.printable_path(name) == ("arsip_\\xfc\\xe9/realisasi.csv",
                                            "bytes 0xe9, 0xfc")
    assert landing.printable_path("realisasi_é.csv") == ("realisasi_é.csv", None)


def test_status_report_and_landing_sensor_show_the_escaped_name(warehouse_con, tmp_path):
    from p3dn_pipeline.defs.automation import LandingState, scan_landing
    from p3dn_pipeline.status import source_lines

    folder = tmp_path / "landing"
    land_windows_names(folder)
    run_all(warehouse_con, folder)

    lines = source_lines(warehouse_con)
    assert "not recognised as any dataset: 2 files" in lines
    assert ("  rejected: realisasi_\\xe9.csv has a name (or folder name) that is not UTF-8 "
            f"text (byte 0xe9, shown escaped), {REASON_END}") in lines
    "\n".join(lines).encode("utf-8")  # printable: no lone surrogate left

    scan = scan_landing(folder, LandingState(), now_ns=2**62, settle_ns=0)
    assert sorted(scan.changed) == ["arsip_\\xfcber/lra.csv", "realisasi_\\xe9.csv",
                                    "struktur_anggaran_2025.json"]
    cursor = scan.state.to_json()
    assert "\\\\xe9" in cursor and "udc" not in cursor
    assert LandingState.from_json(cursor).files.keys() == scan.state.files.keys()
