"""One asset per dataset of the INAPROC data API, partitioned by the years pulled, the job
that runs them, and the 05:00 WIB schedule that runs it before the 06:00 refresh.

The pull only writes snapshot files into the landing folder (p3dn_pipeline/lib/inaproc.py);
the landing sensor, or the 06:00 ``load_landing`` run, loads them like any export. So no
other job calls the network: ``refresh_all`` and ``load_landing`` leave the group ``pull``
out, and a machine without a token skips the schedule instead of failing every morning.
"""

import os

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    Failure,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    schedule,
)
from p3dn_pipeline.lib.inaproc import (
    ENDPOINTS,
    TOKEN_ENV,
    Endpoint,
    InaprocApi,
    PullError,
    PullResult,
    load_pull_config,
    run_pulls,
)
from p3dn_pipeline.lib.partitions import (
    PULL_YEARS,
    SINGLE_RUN,
    register_pull_years,
    year_range_tags,
)
from p3dn_pipeline.settings import load_settings

PULL_GROUP = "pull"
PULL_JOB_NAME = "inaproc_pull"
NO_TOKEN = (f"{TOKEN_ENV} is not set, so nothing is pulled from the INAPROC data API (exports "
            "dropped into the landing folder by hand still load at 06:00). See the README, "
            "'Pulling exports from the INAPROC data API', to get a token.")


def pull_metadata(result: PullResult) -> dict:
    return {
        "snapshot_file": MetadataValue.path(result.path) if result.status != "empty"
        else MetadataValue.text("(none: no rows)"),
        "status": result.status,
        "endpoint": result.endpoint,
        "kode_klpd": result.kd_klpd,
        "pages": MetadataValue.int(result.pages),
        "dagster/row_count": MetadataValue.int(result.rows),
        "requests": MetadataValue.int(result.requests),
        "waited_s": MetadataValue.float(float(round(result.waited_s, 3))),
        "waits": MetadataValue.text("\n".join(map(str, result.waits)) or "none"),
        "resumed_from_page": MetadataValue.int(result.resumed_from_page or 0),
        "warnings": MetadataValue.text("\n".join(result.warnings) or "none"),
        "summary": result.summary(),
    }


def pull_asset(endpoint: Endpoint):
    @asset(
        key=AssetKey([PULL_GROUP, endpoint.dataset]),
        group_name=PULL_GROUP,
        partitions_def=PULL_YEARS,
        backfill_policy=SINGLE_RUN,
        kinds={"json"},
        description=(
            f"LKPP's {endpoint.dataset} for the pemda P3DN_KD_KLPD, pulled from the INAPROC "
            f"data API ({endpoint.path}) into the landing folder as one snapshot file per "
            "year, inaproc/<dataset>/<kode_klpd>_<tahun>.json, replaced whole when a pull "
            "completes; loaded by load_landing like an export dropped by hand."),
    )
    def _pull(context: AssetExecutionContext, inaproc: InaprocApi) -> MaterializeResult:
        years = [int(key) for key in context.partition_keys]
        landing = load_settings().landing_dir

        def written(result: PullResult) -> None:
            context.log.info(result.summary())
            for warning in result.warnings:
                context.log.warning(f"{endpoint.dataset} {result.year}: {warning}")
            context.add_asset_metadata(pull_metadata(result), partition_key=str(result.year))

        def failed(dataset: str, year: int, error: PullError) -> None:
            context.log.error(f"{dataset} {year}: {inaproc.client.scrub(str(error))}")

        results, failures = run_pulls(inaproc.client, [endpoint.dataset],
                                      inaproc.config.kd_klpd, years, landing,
                                      on_result=written, on_error=failed)
        if failures:
            raise Failure(
                description="; ".join(f"{dataset} {year}: {message}"
                                      for dataset, year, message in failures)
                + (f". Pulled: {', '.join(str(r.year) for r in results)}." if results else
                   ". Nothing pulled; each previous snapshot stays in place."),
                allow_retries=True)
        return MaterializeResult(metadata={
            "years": ", ".join(str(r.year) for r in results),
            "dagster/row_count": MetadataValue.int(sum(r.rows for r in results)),
            "pages": MetadataValue.int(sum(r.pages for r in results)),
            "waited_s": MetadataValue.float(float(round(sum(r.waited_s for r in results), 3))),
            "snapshot_files": MetadataValue.text(
                "\n".join(r.path for r in results if r.status != "empty") or "none"),
        })

    return _pull


pull_assets = [pull_asset(endpoint) for endpoint in ENDPOINTS.values()]

inaproc_pull_job = define_asset_job(
    PULL_JOB_NAME, selection=AssetSelection.groups(PULL_GROUP),
    description=("Pulls LKPP's datasets from the INAPROC data API into the landing folder "
                 "(P3DN_PULL_YEARS, P3DN_KD_KLPD); load_landing then loads them."),
    # A retry resumes each unfinished pull from its last completed page.
    run_tags={"dagster/max_retries": "2"},
)


def pull_run_request(instance, years: list[int]) -> RunRequest:
    """One run over every pull year from the first to the last: one rate limiter."""
    register_pull_years(instance, years)
    return RunRequest(tags=year_range_tags(min(years), max(years)))


# Before the 06:00 WIB refresh: one run at a time writes (dagster.yaml), so a pull still
# going at 06:00 makes load_landing wait for it rather than load half the night's data.
@schedule(
    name="inaproc_pull_0500_wib",
    job=inaproc_pull_job,
    cron_schedule="0 5 * * *",
    execution_timezone="Asia/Jakarta",
    default_status=DefaultScheduleStatus.RUNNING,
    description=("Every day at 05:00 WIB: pull the INAPROC data API's datasets into the "
                 "landing folder for the 06:00 run; skips when INAPROC_API_TOKEN is not set."),
)
def inaproc_pull_schedule(context: ScheduleEvaluationContext):
    if not os.environ.get(TOKEN_ENV, "").strip():
        return SkipReason(NO_TOKEN)
    return pull_run_request(context.instance, load_pull_config().years)


defs = Definitions(assets=pull_assets, jobs=[inaproc_pull_job],
                   schedules=[inaproc_pull_schedule])
