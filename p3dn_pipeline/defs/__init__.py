"""Dagster definitions, one folder per source system plus marts and publish."""

import warnings

from dagster import BetaWarning

# BackfillPolicy is marked beta in Dagster 1.13; it is what keeps a backfill to one DuckDB
# writer, and the tests pin its behaviour, so the warning on every import is only noise.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")
