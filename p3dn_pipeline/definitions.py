"""The one Definitions object: everything the modules under defs/ define, found by Dagster's
own autoloading (load_from_defs_folder). Nothing is listed here: a source folder, a mart SQL
file or a new module under defs/ is picked up as it is."""

from pathlib import Path

from dagster import load_from_defs_folder

defs = load_from_defs_folder(path_within_project=Path(__file__).parent)
# Every asset, for materialize() in tests and scripts.
all_assets = list(defs.assets or [])
