"""Fiscal-year partitions (tahun anggaran) for the LKPP and APBD staging tables and the P3DN
marts, so one past year can be re-run or backfilled alone.

Raw tables are not partitioned: they are kept per file version by the file ledger, which
already makes loading idempotent. From staging on, a year's slice is deleted and inserted
again in one transaction, so re-running a year gives the same tables.

Every asset has a single-run backfill policy: a backfill of several years is one run, one
DuckDB writer, never a crowd of runs fighting over the file lock (and `dg launch
--partition-range` can run it without a daemon).
"""

from dagster import BackfillPolicy, TimeWindowPartitionsDefinition
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

FIRST_FISCAL_YEAR = "2018"

# Yearly windows named by the year; end_offset=2 keeps next year open too, because SiRUP
# publishes next year's procurement plans from the last quarter of this one.
FISCAL_YEARS = TimeWindowPartitionsDefinition(
    start=FIRST_FISCAL_YEAR, cron_schedule="0 0 1 1 *", fmt="%Y", end_offset=2,
    timezone="Asia/Jakarta",
)
SINGLE_RUN = BackfillPolicy.single_run()


def all_fiscal_years() -> list[int]:
    return [int(key) for key in FISCAL_YEARS.get_partition_keys()]


def fiscal_year_range_tags(first: str | None = None, last: str | None = None) -> dict[str, str]:
    """Run tags for one run over a range of years (every year when no range is given)."""
    keys = FISCAL_YEARS.get_partition_keys()
    return {ASSET_PARTITION_RANGE_START_TAG: first or keys[0],
            ASSET_PARTITION_RANGE_END_TAG: last or keys[-1]}
