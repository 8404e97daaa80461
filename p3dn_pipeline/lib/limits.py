"""How large an input may be before it is refused instead of read.

Every limit is far above any real export and far below what takes the machine down, so a
hostile or broken file (a zip bomb, a 1 GB line, a 30 GB file) is rejected in the ledger with
a reason instead of exhausting memory or disk. The configurable ones are read from the
environment on every call, like ``p3dn_pipeline.settings``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

MB = 1 << 20

# Headers are never longer than this; reading more would let one huge first line exhaust
# memory. A header row or first JSON record that does not fit is refused.
HEADER_PROBE_BYTES = 1 << 20
# The widest export (LKPP e-katalog v6) has about 60 fields. DuckDB holds a vector per column,
# so a header of 500 000 one-letter columns would take gigabytes before reading one row.
MAX_COLUMNS = 2000
# An .xlsx holds a dozen parts plus one per sheet; tens of thousands is not a workbook.
MAX_XLSX_ENTRIES = 10_000


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_xlsx_uncompressed_bytes: int
    max_csv_line_bytes: int
    max_json_record_bytes: int


# DuckDB's JSON reader never reads with less than its default of 16 MB (a smaller
# maximum_object_size is ignored), and takes a record up to about twice the limit: its
# buffer holds two. Its memory stays within a few times the limit.
DUCKDB_MIN_JSON_RECORD_BYTES = 16 * MB

# variable -> (default in MB, what it bounds)
LIMIT_VARIABLES = {
    "P3DN_MAX_FILE_MB": (20_000, "size of a landed file"),
    "P3DN_MAX_XLSX_UNCOMPRESSED_MB": (500, "unpacked size of a workbook"),
    "P3DN_MAX_CSV_LINE_MB": (8, "length of a CSV line"),
    "P3DN_MAX_JSON_RECORD_MB": (16, "size of one JSON record"),
}


def _megabytes(variable: str) -> int:
    default, meaning = LIMIT_VARIABLES[variable]
    text = os.environ.get(variable, "").strip()
    if not text:
        return default * MB
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{variable} must be a positive number of megabytes (the largest "
                         f"{meaning} to read), not {text!r}")
    return int(value * MB)


def load_limits() -> Limits:
    return Limits(
        max_file_bytes=_megabytes("P3DN_MAX_FILE_MB"),
        max_xlsx_uncompressed_bytes=_megabytes("P3DN_MAX_XLSX_UNCOMPRESSED_MB"),
        max_csv_line_bytes=_megabytes("P3DN_MAX_CSV_LINE_MB"),
        max_json_record_bytes=max(_megabytes("P3DN_MAX_JSON_RECORD_MB"),
                                  DUCKDB_MIN_JSON_RECORD_BYTES),
    )


def megabytes(size: int) -> str:
    """A size as people read it in a ledger reason: ``2.5 MB``, ``20000 MB``."""
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"


# A new version of a file that loses more than this share of the rows of the version loaded
# before is held back until a person confirms it (ledger status 'held', `p3dn accept`): a
# roster or export cut short by a failed download must not replace a good one unnoticed.
SUSPECT_SHRINK_VARIABLE = "P3DN_SUSPECT_SHRINK"
DEFAULT_SUSPECT_SHRINK = 0.5


def suspect_shrink() -> float:
    """The share of rows (0 to 1) a new version may lose before it is held back; 1 turns the
    hold off, 0 holds back any version with fewer rows."""
    text = os.environ.get(SUSPECT_SHRINK_VARIABLE, "").strip()
    if not text:
        return DEFAULT_SUSPECT_SHRINK
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        raise ValueError(f"{SUSPECT_SHRINK_VARIABLE} must be a share between 0 and 1 (0.5: a "
                         f"new version that loses more than half of its rows is held back), "
                         f"not {text!r}")
    return value
