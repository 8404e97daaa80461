"""Resources shared by every asset: the warehouse and the pipeline's own settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, get_dagster_logger
from dagster_duckdb import DuckDBResource

from p3dn_pipeline.lib.warehouse import prepare_session
from p3dn_pipeline.settings import check_pii_key, load_settings


class P3dnWarehouse(DuckDBResource):
    """The DuckDB warehouse, with the pipeline's macros and hashing key on every connection.

    The key is read from ``P3DN_PII_KEY`` when a connection opens rather than held as resource
    config, because resource config is shown in the Dagster UI.
    """

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        settings = load_settings()
        check_pii_key(settings)
        if settings.uses_demo_pii_key:
            get_dagster_logger().warning(
                "P3DN_PII_KEY is not set: personal identifiers are hashed with the PUBLIC DEMO "
                "key. Fine for the shipped synthetic sample; set P3DN_PII_KEY for real data."
            )
        with self.get_connection() as con:
            # dagster-duckdb closes the connection only when the block ends normally; a
            # step that fails must not leave the warehouse open (and locked) in this process.
            try:
                prepare_session(con, settings.pii_key)
                yield con
            finally:
                con.close()


class PipelineSettings(ConfigurableResource):
    """Where exports arrive and which pemda un-labelled exports (APBD, KPKP) belong to."""

    landing_dir: str
    kd_klpd: str

    @property
    def landing_path(self) -> Path:
        return Path(self.landing_dir)


def default_resources() -> dict:
    settings = load_settings()
    return {
        "warehouse": P3dnWarehouse(database=str(settings.warehouse_path)),
        "pipeline": PipelineSettings(landing_dir=str(settings.landing_dir),
                                     kd_klpd=settings.kd_klpd),
    }
