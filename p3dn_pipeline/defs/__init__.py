"""Dagster definitions: one folder per source system, plus reference data, marts, publish
and automation, each module defining its own Definitions (loaded by
p3dn_pipeline/definitions.py the way Dagster's load_from_defs_folder loads them)."""
