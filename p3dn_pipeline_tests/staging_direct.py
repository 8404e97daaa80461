"""Load a landing folder and stage it on one connection, without Dagster: the ledger's
inventory and loads, then every dataset's staging SQL (factories.stage_every_year), the way
the raw and staging assets run them. For tests that need many quick runs (property tests) or
a chosen load time (dates after the load day)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from p3dn_pipeline.lib import ledger
from p3dn_pipeline.lib.factories import stage_every_year
from p3dn_pipeline.lib.sources import registry
from p3dn_pipeline.lib.warehouse import run_sql_file

PACKAGE = Path(__file__).resolve().parents[1] / "p3dn_pipeline"
REFERENCE_SQL = PACKAGE / "defs" / "reference" / "sql"
WILAYAH_DKI = PACKAGE / "reference_data" / "dki_wilayah_kemendagri_2025.csv"


def load_and_stage(con: duckdb.DuckDBPyConnection, landing: Path, now: dt.datetime, *,
                   kd_klpd: str = "DKI", only: set[str] | None = None) -> None:
    """``only``: stage just these datasets (every one by default)."""
    ledger.take_inventory(con, landing, now)
    for dataset in registry().datasets:
        ledger.load_pending(con, dataset, landing, now)
    # The roster's staging reads the DKI place names.
    run_sql_file(con, REFERENCE_SQL / "reference_wilayah_dki.sql", {"path": str(WILAYAH_DKI)})
    for source in registry().sources:
        for staged in source.staged:
            if only is not None and staged.name not in only:
                continue
            stage_every_year(con, source, staged, kd_klpd)
