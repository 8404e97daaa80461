"""The one Definitions object: every asset, job, schedule, sensor and resource of the pipeline."""

from dagster import Definitions, in_process_executor, map_asset_specs

from p3dn_pipeline.defs.alerts import alert_sensors
from p3dn_pipeline.defs.apbd.assets import assets as apbd_assets
from p3dn_pipeline.defs.automation import (
    daily_refresh_schedule,
    landing_folder_sensor,
    refresh_all_job,
    with_mart_freshness,
)
from p3dn_pipeline.defs.factories import build_file_ledger_asset
from p3dn_pipeline.defs.kpkp.assets import assets as kpkp_assets
from p3dn_pipeline.defs.lkpp.assets import assets as lkpp_assets
from p3dn_pipeline.defs.marts.assets import assets as mart_assets
from p3dn_pipeline.defs.publish.assets import assets as publish_assets
from p3dn_pipeline.defs.reference.assets import assets as reference_assets
from p3dn_pipeline.defs.resources import default_resources

all_assets = map_asset_specs(with_mart_freshness, [
    build_file_ledger_asset(), *reference_assets, *lkpp_assets, *apbd_assets, *kpkp_assets,
    *mart_assets, *publish_assets])

# DuckDB allows one writer per file: every run executes its steps one at a time in one
# process, so no step ever waits on (or fails on) the warehouse file lock; dagster.yaml lets
# only one run at a time in.
defs = Definitions(
    assets=all_assets,
    jobs=[refresh_all_job],
    schedules=[daily_refresh_schedule],
    sensors=[landing_folder_sensor, *alert_sensors],
    resources=default_resources(),
    executor=in_process_executor,
)
