"""The resources every asset uses (p3dn_pipeline.lib.resources) and the run executor."""

from dagster import Definitions, in_process_executor

from p3dn_pipeline.lib.resources import default_resources

# DuckDB allows one writer per file: every run executes its steps one at a time in one
# process, so no step ever waits on (or fails on) the warehouse file lock; dagster.yaml lets
# only one run at a time in.
defs = Definitions(resources=default_resources(), executor=in_process_executor)
