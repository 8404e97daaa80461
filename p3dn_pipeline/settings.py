"""Configuration from environment variables; every default is for the shipped demo.

Read once per call rather than at import time, so tests and the Dagster UI process can
point the same code at another landing folder or warehouse by setting the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Loudly a demo value: anyone can recompute the hashes made with it. The security issue
# makes running with it outside demo mode an error; until then it is logged as a warning.
DEMO_PII_KEY = "DEMO-ONLY-KEY-do-not-use-for-real-data"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_path: Path
    pii_key: bytes
    kd_klpd: str

    @property
    def uses_demo_pii_key(self) -> bool:
        return self.pii_key == DEMO_PII_KEY.encode()


def load_settings() -> Settings:
    return Settings(
        landing_dir=Path(os.environ.get("P3DN_LANDING_DIR", REPO_ROOT / "data" / "landing")),
        warehouse_path=Path(
            os.environ.get("P3DN_WAREHOUSE", REPO_ROOT / "data" / "warehouse" / "p3dn.duckdb")
        ),
        pii_key=os.environ.get("P3DN_PII_KEY", DEMO_PII_KEY).encode(),
        # APBD and KPKP exports do not say which pemda they belong to; LKPP's code for DKI
        # is not public, so it is configuration. "DKI" is the placeholder the sample uses.
        kd_klpd=os.environ.get("P3DN_KD_KLPD", "DKI"),
    )
