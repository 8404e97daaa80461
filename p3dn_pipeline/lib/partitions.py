"""Fiscal-year partitions (tahun anggaran) for the year-sliced staging tables and marts, taken
from the data: a year is a partition once a loaded export holds rows of it.

Loading comes first: the raw assets (``load_landing`` job, or the first step of ``p3dn
run``) load the new files and register the fiscal years their rows belong to as dynamic
partitions in the Dagster instance; the run that builds staging and marts then covers
exactly those years (:func:`fiscal_year_range_tags`). So a year without data is never a
partition, a new year's first export makes it one, and the UI's partition bar shows only
years with data.

A year must also be plausible to become a partition: from 2018 (the first year of the
current SiRUP and e-katalog exports this pipeline reads) to next year (SiRUP publishes next
year's plans from the last quarter of this one). Rows of any other year belong to no
partition and are quarantined on every run (``fiscal_year_outside_partitions``), so a typo
such as 2099 neither becomes a partition nor vanishes.

Raw tables are not partitioned: they are kept per file version by the file ledger, which
already makes loading idempotent. From staging on, a year's slice is deleted and inserted
again in one transaction, so re-running a year gives the same tables.

Every asset has a single-run backfill policy: a backfill of several years is one run, one
DuckDB writer, never a crowd of runs fighting over the file lock (and `dg launch
--partition-range` can run it without a daemon).
"""

import datetime as dt
import warnings
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from dagster import BackfillPolicy, BetaWarning, DagsterInstance, DynamicPartitionsDefinition
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

FIRST_FISCAL_YEAR = 2018
FISCAL_YEARS = DynamicPartitionsDefinition(name="tahun_anggaran")
SINGLE_RUN = BackfillPolicy.single_run()
# BackfillPolicy is marked beta in Dagster 1.13; it is what keeps a backfill to one DuckDB
# writer, and the tests pin its behaviour, so the warning on every asset is only noise.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")
_JAKARTA = ZoneInfo("Asia/Jakarta")


def plausible_fiscal_years(today: dt.date | None = None) -> list[int]:
    """The years a row may belong to: 2018 up to next year (Jakarta time)."""
    today = today or dt.datetime.now(_JAKARTA).date()
    return list(range(FIRST_FISCAL_YEAR, today.year + 2))


def registered_fiscal_years(instance: DagsterInstance) -> list[int]:
    """The years with data, as registered in the instance, in order."""
    return sorted(int(key) for key in instance.get_dynamic_partitions(FISCAL_YEARS.name))


def register_fiscal_years(instance: DagsterInstance, years: Iterable[int]) -> list[int]:
    """Make every plausible year of ``years`` a partition; returns the years added.

    Dynamic partitions keep the order they were added in, and a partition range (a backfill of
    2023 to 2024) follows that order: a year older than one already there is therefore
    registered by putting every key back in calendar order.
    """
    plausible = set(plausible_fiscal_years())
    existing = registered_fiscal_years(instance)
    new = sorted({int(y) for y in years if y is not None and int(y) in plausible} - set(existing))
    if not new:
        return []
    if existing and new[0] < existing[-1]:
        for key in instance.get_dynamic_partitions(FISCAL_YEARS.name):
            instance.delete_dynamic_partition(FISCAL_YEARS.name, key)
        instance.add_dynamic_partitions(FISCAL_YEARS.name,
                                        [str(y) for y in sorted({*existing, *new})])
    else:
        instance.add_dynamic_partitions(FISCAL_YEARS.name, [str(y) for y in new])
    return new


def fiscal_year_range_tags(instance: DagsterInstance, first: str | None = None,
                           last: str | None = None) -> dict[str, str]:
    """Run tags for one run over a range of years (every year with data when no range is
    given).

    Before any export with a fiscal year has been loaded (a fresh install with only rosters),
    the current fiscal year is registered, so that every table exists, empty, and the
    figures read "tidak terukur" rather than fail; it is the year the next LKPP export
    brings anyway. Years are never unregistered: a year whose exports were all removed stays
    a partition, so the next run empties its slices instead of leaving its old figures.
    """
    if not registered_fiscal_years(instance):
        register_fiscal_years(instance, [dt.datetime.now(_JAKARTA).year])
    years = [str(y) for y in registered_fiscal_years(instance)]
    return {ASSET_PARTITION_RANGE_START_TAG: first or years[0],
            ASSET_PARTITION_RANGE_END_TAG: last or years[-1]}


def fiscal_years_of_run(instance: DagsterInstance, tags: dict[str, str]) -> list[int]:
    """The fiscal years a run with these range tags (fiscal_year_range_tags) builds: every
    registered year from the first to the last."""
    first = int(tags[ASSET_PARTITION_RANGE_START_TAG])
    last = int(tags[ASSET_PARTITION_RANGE_END_TAG])
    return [year for year in registered_fiscal_years(instance) if first <= year <= last]


# The years the INAPROC pull assets fetch (P3DN_PULL_YEARS): their own partitions, because a
# year asked of the API is not yet a year with data, and a fiscal year is one only once an
# export holds rows of it.
PULL_YEARS = DynamicPartitionsDefinition(name="tahun_tarik_inaproc")


def register_pull_years(instance: DagsterInstance, years: Iterable[int]) -> None:
    """Make each plausible year of ``years`` a pull partition, every key in calendar order (a
    range of years follows the order the keys were added in)."""
    plausible = set(plausible_fiscal_years())
    wanted = {int(y) for y in years if int(y) in plausible}
    existing = [int(k) for k in instance.get_dynamic_partitions(PULL_YEARS.name)]
    new = sorted(wanted - set(existing))
    if not new:
        return
    if existing and (new[0] < max(existing) or existing != sorted(existing)):
        for key in existing:
            instance.delete_dynamic_partition(PULL_YEARS.name, str(key))
        new = sorted({*existing, *new})
    instance.add_dynamic_partitions(PULL_YEARS.name, [str(y) for y in new])


def year_ranges(years: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last) ranges: 2023, 2024, 2026 -> (2023, 2024), (2026, 2026)."""
    ranges: list[list[int]] = []
    for year in sorted(set(years)):
        if ranges and year == ranges[-1][1] + 1:
            ranges[-1][1] = year
        else:
            ranges.append([year, year])
    return [(first, last) for first, last in ranges]


def year_range_tags(first: int, last: int) -> dict[str, str]:
    return {ASSET_PARTITION_RANGE_START_TAG: str(first), ASSET_PARTITION_RANGE_END_TAG: str(last)}
