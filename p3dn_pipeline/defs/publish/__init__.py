"""Publish: the serving DuckDB file, Parquet exports, KPI history and the offline dashboard."""
