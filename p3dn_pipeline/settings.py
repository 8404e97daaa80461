"""Configuration from environment variables; every default is for the shipped demo.

Read once per call rather than at import time, so tests and the Dagster UI process can
point the same code at another landing folder or warehouse by setting the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Loudly a demo value: anyone can recompute the hashes made with it. It is accepted only in
# demo mode (P3DN_DEMO_MODE=1, set by the Makefile) on the shipped synthetic sample;
# otherwise a run refuses to start (check_pii_key).
DEMO_PII_KEY = "DEMO-ONLY-KEY-do-not-use-for-real-data"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_path: Path
    pii_key: bytes
    kd_klpd: str
    # What BI tools and people read (defs/publish); by default beside the warehouse, so a
    # test or a second deployment that moves the warehouse moves its serving files with it.
    serving_path: Path
    parquet_dir: Path
    dashboard_path: Path
    serving_storage_version: str
    # DuckDB's resources on every pipeline connection (P3DN_DUCKDB_MEMORY_LIMIT, e.g. '4GB';
    # P3DN_DUCKDB_TEMP_DIR, where sorts and joins larger than memory spill). None: DuckDB's
    # defaults (80 % of RAM; a '<warehouse>.tmp' folder beside the warehouse).
    duckdb_memory_limit: str | None = None
    duckdb_temp_dir: Path | None = None

    @property
    def uses_demo_pii_key(self) -> bool:
        return self.pii_key == DEMO_PII_KEY.encode()


def load_settings() -> Settings:
    warehouse_path = Path(
        os.environ.get("P3DN_WAREHOUSE", REPO_ROOT / "data" / "warehouse" / "p3dn.duckdb")
    )
    return Settings(
        landing_dir=Path(os.environ.get("P3DN_LANDING_DIR", REPO_ROOT / "data" / "landing")),
        warehouse_path=warehouse_path,
        pii_key=os.environ.get("P3DN_PII_KEY", DEMO_PII_KEY).encode(),
        # APBD and KPKP exports do not say which pemda they belong to; LKPP's code for DKI
        # is not public, so it is configuration. "DKI" is the placeholder the sample uses.
        kd_klpd=os.environ.get("P3DN_KD_KLPD", "DKI"),
        serving_path=Path(os.environ.get("P3DN_SERVING", warehouse_path.parent / "marts.duckdb")),
        parquet_dir=Path(os.environ.get("P3DN_PARQUET_DIR", warehouse_path.parent / "parquet")),
        dashboard_path=Path(
            os.environ.get("P3DN_DASHBOARD", warehouse_path.parent / "dashboard.html")),
        # DuckDB 2.0 writes files that DuckDB 1.x cannot open, and BI drivers (Metabase,
        # DBeaver, Evidence) bundle older DuckDB versions: the serving file is written in the
        # v1.0.0 format, which every DuckDB since 0.10 reads.
        serving_storage_version=os.environ.get("P3DN_SERVING_STORAGE_VERSION", "v1.0.0"),
        duckdb_memory_limit=os.environ.get("P3DN_DUCKDB_MEMORY_LIMIT", "").strip() or None,
        duckdb_temp_dir=(Path(os.environ["P3DN_DUCKDB_TEMP_DIR"])
                         if os.environ.get("P3DN_DUCKDB_TEMP_DIR", "").strip() else None),
    )


# A shorter key can be found by trying them all against one known NIK and its hash.
MIN_PII_KEY_LENGTH = 16


class PiiKeyError(RuntimeError):
    """The hashing key would let anyone recompute the hashes; the message says what to do."""


def demo_mode() -> bool:
    """``P3DN_DEMO_MODE=1``: the data is the synthetic sample, so the public demo key is fine
    there. ``make run``, ``make dev`` and ``make test`` set it."""
    return os.environ.get("P3DN_DEMO_MODE", "").strip() == "1"


HOW_TO_SET_A_KEY = (
    "Set P3DN_PII_KEY to a long random secret kept outside the repository, e.g. the output "
    "of: python -c \"import secrets; print(secrets.token_hex(32))\" (export P3DN_PII_KEY=...), "
    "and use the same key for every run (another key gives the same person another id).")


def check_pii_key(settings: Settings, landing_dir: Path | None = None) -> None:
    """Refuse a missing, public or short ``P3DN_PII_KEY``. Demo mode allows the public demo
    key only when every file in the landing folder (``landing_dir``, by default the
    settings') is a file of the shipped synthetic sample. The message never quotes the key."""
    if settings.uses_demo_pii_key and demo_mode():
        from p3dn_pipeline.demo_sample import files_outside_sample

        landing_dir = settings.landing_dir if landing_dir is None else landing_dir
        outside = files_outside_sample(landing_dir)
        if not outside:
            return
        named = ", ".join(outside[:3]) + (f" and {len(outside) - 3} more"
                                          if len(outside) > 3 else "")
        raise PiiKeyError(
            f"P3DN_DEMO_MODE=1 allows the public demo key only on the shipped synthetic "
            f"sample, and the landing folder {landing_dir} holds {len(outside)} file(s) that "
            f"are not part of it ({named}), so no file is read. {HOW_TO_SET_A_KEY} For real "
            "data also set P3DN_DEMO_MODE=0 (e.g. P3DN_DEMO_MODE=0 make run), so that a "
            "missing key stops the run.")
    if settings.uses_demo_pii_key:
        problem = ("P3DN_PII_KEY is not set (or is the public demo key), so personal "
                   "identifiers would be hashed with a key anyone can use to recompute them")
    elif len(settings.pii_key.decode("utf-8", "replace")) < MIN_PII_KEY_LENGTH:
        problem = (f"P3DN_PII_KEY is shorter than {MIN_PII_KEY_LENGTH} characters, short "
                   "enough to be found by trying every key")
    else:
        return
    raise PiiKeyError(
        f"{problem}. {HOW_TO_SET_A_KEY} "
        "Only for the shipped synthetic sample, set P3DN_DEMO_MODE=1 instead (make run does).")
