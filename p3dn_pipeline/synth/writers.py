"""Streaming writers that count rows and produce byte-identical files for the same input.

JSON is written one object per line inside an array (what LKPP's ISB API returns, with
line breaks so a diff stays readable); rows go to disk as they come, so a file of ten
million orders never sits in memory. Workbooks get a fixed creation date: xlsxwriter
already stamps the zip entries with a constant time, so equal content gives equal bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import xlsxwriter

# Workbook document properties: fixed, or two runs would differ by their creation time.
_PROPERTI_WORKBOOK = {"author": "p3dn-synth", "company": "Pemprov DKI Jakarta (synthetic)"}


class JsonArrayWriter:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.rows = 0
        self._handle = path.open("w", encoding="utf-8", newline="\n")
        self._handle.write("[")

    def write(self, row: dict[str, Any]) -> None:
        self._handle.write("\n" if self.rows == 0 else ",\n")
        self._handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        self.rows += 1

    def close(self) -> None:
        self._handle.write("\n]\n")
        self._handle.close()

    def __enter__(self) -> JsonArrayWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CsvWriter:
    def __init__(self, path: Path, header: list[str], *, delimiter: str = ",",
                 lineterminator: str = "\n") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.rows = 0
        self._handle = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._handle, delimiter=delimiter,
                                  lineterminator=lineterminator)
        self._writer.writerow(header)

    def write(self, row: list[Any]) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def new_workbook(path: Path, created: dt.datetime) -> xlsxwriter.Workbook:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                               "strings_to_formulas": False,
                                               "strings_to_urls": False})
    workbook.set_properties({**_PROPERTI_WORKBOOK, "created": created})
    return workbook


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
