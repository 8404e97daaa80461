"""The landing folder's file ledger, and the raw and staging assets of every source folder.

Sources are not listed here: each folder under defs/ with a ``source.py`` declares its
datasets (see ``p3dn_pipeline.lib.sources``), and this module turns every declaration found
into assets. Adding a source is adding its folder.
"""

from dagster import Definitions

from p3dn_pipeline.lib.factories import build_file_ledger_asset, source_assets
from p3dn_pipeline.lib.sources import registry

defs = Definitions(assets=[
    build_file_ledger_asset(),
    *(asset for source in registry().sources for asset in source_assets(source)),
])
