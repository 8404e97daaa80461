"""The one Definitions object: everything the modules under defs/ define, found by Dagster's
own autoloading (load_from_defs_folder). Nothing is listed here: a source folder, a mart SQL
file or a new module under defs/ is picked up as it is."""

from pathlib import Path

from dagster import load_from_defs_folder

from p3dn_pipeline.lib import dagster_storage

# Every process that loads the definitions executes runs (p3dn run, run workers, tests): its
# Dagster event log keeps its SQLite connections open (lib/dagster_storage.py).
dagster_storage.install()
defs = load_from_defs_folder(path_within_project=Path(__file__).parent)
# Every asset, for materialize() in tests and scripts.
all_assets = list(defs.assets or [])
