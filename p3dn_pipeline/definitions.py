"""The one Definitions object: every asset, job and resource of the pipeline."""

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from p3dn_pipeline.defs.apbd.assets import assets as apbd_assets
from p3dn_pipeline.defs.factories import build_file_ledger_asset
from p3dn_pipeline.defs.kpkp.assets import assets as kpkp_assets
from p3dn_pipeline.defs.lkpp.assets import assets as lkpp_assets
from p3dn_pipeline.defs.marts.assets import assets as mart_assets
from p3dn_pipeline.defs.reference.assets import assets as reference_assets
from p3dn_pipeline.defs.resources import default_resources

all_assets = [build_file_ledger_asset(), *reference_assets, *lkpp_assets, *apbd_assets,
              *kpkp_assets, *mart_assets]

# DuckDB allows one writer per file: every run executes its steps one at a time in one
# process, so no step ever waits on (or fails on) the warehouse file lock.
refresh_all_job = define_asset_job(
    "refresh_all", selection=AssetSelection.all(),
    description="Every asset, from the landing folder to the marts, in one run.",
)

defs = Definitions(
    assets=all_assets,
    jobs=[refresh_all_job],
    resources=default_resources(),
    executor=in_process_executor,
)
