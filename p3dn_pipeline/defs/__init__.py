"""Dagster definitions: one folder per source system, plus reference data, marts, publish
and automation, each module defining its own Definitions (loaded by load_from_defs_folder)."""
