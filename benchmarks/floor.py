"""The floor: bare DuckDB loading every file of a landing folder into a table, nothing else.

    .venv/bin/python benchmarks/floor.py --landing DIR --db FILE [--threads N]
        [--memory-limit 3GB] [--temp-dir DIR]

What no pipeline over the same files can beat on this machine: one table per file,
``CREATE TABLE ... AS SELECT * FROM read_json(...)`` / ``read_csv(...)`` with DuckDB's own
type and dialect detection, and XLSX read by python-calamine into an Arrow table that DuckDB
then copies, as the pipeline reads spreadsheets (every cell as text, header row found below
any title rows). No typing, no cleaning, no hashing, no checks, no lineage columns. DuckDB's
``memory_limit`` and ``temp_directory`` (where it spills) are set as the benchmark sets the
pipeline's (``P3DN_DUCKDB_MEMORY_LIMIT``, ``P3DN_DUCKDB_TEMP_DIR``).

Prints one JSON line: ``load_s`` (connect to close), ``rows``, ``tables``, ``threads``,
``seconds_by_format`` (.json, .csv, .xlsx), ``memory_limit`` and ``temp_directory`` (as
DuckDB reports them) and ``peak_rss_mb`` (this process's ``ru_maxrss``).
``bench_pipeline.py`` runs it in a fresh process per measurement.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

HEADER_SEARCH_ROWS = 15


def landing_files(landing: Path) -> list[Path]:
    """Files the pipeline would look at: hidden files and the generator's manifest skipped."""
    found = []
    for path in sorted(landing.rglob("*")):
        relative = path.relative_to(landing)
        if not path.is_file() or any(part.startswith((".", "~$")) for part in relative.parts):
            continue
        if path.name != "MANIFEST.json":
            found.append(path)
    return found


def xlsx_tables(path: Path):
    """Each sheet below its header row (the row with most filled cells near the top), as an
    Arrow table of text columns."""
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    for sheet in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        if not rows:
            continue
        top = rows[:HEADER_SEARCH_ROWS]
        header_at = max(range(len(top)), key=lambda i: sum(c not in (None, "") for c in top[i]))
        names = []
        for index, cell in enumerate(rows[header_at]):
            name = str(cell).strip() if cell not in (None, "") else f"column_{index}"
            names.append(name if name not in names else f"{name}_{index}")
        columns: list[list[str | None]] = [[] for _ in names]
        for row in rows[header_at + 1:]:
            if all(c in (None, "") for c in row):
                continue
            for index in range(len(names)):
                cell = row[index] if index < len(row) else None
                columns[index].append(None if cell in (None, "") else str(cell))
        yield sheet, pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns)})


def load(landing: Path, database: Path, threads: int | None, memory_limit: str | None = None,
         temp_dir: Path | None = None) -> dict:
    import duckdb

    database.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, object] = {}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_dir is not None:
        config["temp_directory"] = str(temp_dir)
    start = time.perf_counter()
    con = duckdb.connect(str(database), config=config)
    rows = tables = 0
    seconds_by_format: dict[str, float] = {}
    try:
        for number, path in enumerate(landing_files(landing)):
            file_start = time.perf_counter()
            literal = "'" + str(path).replace("'", "''") + "'"
            suffix = path.suffix.lower()
            if suffix == ".json":
                sources = [f"read_json({literal})"]
            elif suffix == ".csv":
                sources = [f"read_csv({literal})"]
            elif suffix == ".xlsx":
                sources = []
                for sheet_number, (_, table) in enumerate(xlsx_tables(path)):
                    name = f"xlsx_{number}_{sheet_number}"
                    con.register(name, table)
                    sources.append(name)
            else:
                continue
            for sheet_number, source in enumerate(sources):
                target = f"file_{number}_{sheet_number}"
                con.execute(f"CREATE TABLE {target} AS SELECT * FROM {source}").fetchall()
                rows += con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0]
                tables += 1
                if source.startswith("xlsx_"):
                    con.unregister(source)
            seconds_by_format[suffix] = (seconds_by_format.get(suffix, 0.0)
                                         + time.perf_counter() - file_start)
        threads_used, limit_used, temp_used = con.execute(
            "SELECT current_setting('threads'), current_setting('memory_limit'), "
            "current_setting('temp_directory')").fetchall()[0]
    finally:
        con.close()
    return {"load_s": time.perf_counter() - start, "rows": rows, "tables": tables,
            "threads": int(threads_used), "memory_limit": limit_used,
            "temp_directory": temp_used, "seconds_by_format": seconds_by_format}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True, help="DuckDB file to create")
    parser.add_argument("--threads", type=int, default=None,
                        help="DuckDB threads (default: DuckDB's own, the pipeline's too)")
    parser.add_argument("--memory-limit", default=None,
                        help="DuckDB memory_limit, e.g. 3GB (default: DuckDB's, 80%% of RAM)")
    parser.add_argument("--temp-dir", type=Path, default=None,
                        help="DuckDB temp_directory, where it spills (default: DuckDB's)")
    args = parser.parse_args()
    result = load(args.landing, args.db, args.threads, args.memory_limit, args.temp_dir)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
