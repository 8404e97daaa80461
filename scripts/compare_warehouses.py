"""Compare the figures of two warehouses table by table, for refactors that must not change
any figure (e.g. the old code and the new on the same landing folder).

    .venv/bin/python scripts/compare_warehouses.py OLD.duckdb NEW.duckdb

Every table of the marts, staging, quarantine and reference schemas is written as sorted CSV
(load times, publish times and ids left out: they differ between any two runs) and the files
are compared byte for byte. Exits 0 when every table is identical, 1 otherwise, naming each
table that differs or exists on one side only.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

import duckdb

SCHEMAS = ("marts", "staging", "quarantine", "reference")
VOLATILE = ("_loaded_at", "dimuat_pada", "diambil_pada", "snapshot_id")


def table_digests(warehouse: Path, scratch: Path) -> dict[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE list_contains($s, schema_name) ORDER BY ALL", {"s": list(SCHEMAS)}).fetchall()
        digests = {}
        for schema, table in tables:
            columns = [r[0] for r in con.execute(f'DESCRIBE {schema}."{table}"').fetchall()]
            dropped = [c for c in columns if c in VOLATILE]
            select = "*" + (f" EXCLUDE ({', '.join(dropped)})" if dropped else "")
            out = scratch / f"{warehouse.stem}.{schema}.{table}.csv"
            con.execute(f"COPY (SELECT {select} FROM {schema}.\"{table}\" ORDER BY ALL) "
                        f"TO '{out}' (HEADER)")
            digests[f"{schema}.{table}"] = hashlib.sha256(out.read_bytes()).hexdigest()
        return digests
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "old").mkdir()
        (Path(folder) / "new").mkdir()
        old = table_digests(args.old, Path(folder) / "old")
        new = table_digests(args.new, Path(folder) / "new")
    differing = sorted(t for t in old.keys() & new.keys() if old[t] != new[t])
    only_old, only_new = sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())
    for table in differing:
        print(f"differs: {table}")
    for table in only_old:
        print(f"only in {args.old}: {table}")
    for table in only_new:
        print(f"only in {args.new}: {table}")
    if differing or only_old or only_new:
        return 1
    print(f"identical: {len(old)} tables ({', '.join(SCHEMAS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
