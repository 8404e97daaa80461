"""The data-quality gate: check results kept in the warehouse, and the rule that no mart is
built over a staging table whose latest build failed an ERROR check or was never checked.

Dagster's blocking checks stop downstream steps within a run. This gate holds across runs
(a schedule, a sensor, someone clicking "Materialize" on one mart): the mart asset itself
refuses to build, naming the failing checks.
"""

import datetime as dt
from collections.abc import Sequence

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, Failure, MetadataValue
from dagster_shared.serdes import deserialize_value, serialize_value

from p3dn_pipeline.lib import builds
from p3dn_pipeline.lib.quality import RuleResult
from p3dn_pipeline.lib.warehouse import column_names, fetch_dicts

ROWS_ACCOUNTED_FOR = "rows_accounted_for"

STATE_DDL = """
CREATE TABLE IF NOT EXISTS quality.check_results (
    table_name VARCHAR NOT NULL,
    asset_key VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    passed BOOLEAN NOT NULL,
    element_count BIGINT,
    unexpected_count BIGINT,
    observed_value VARCHAR,
    description VARCHAR,
    build_id VARCHAR NOT NULL,
    checked_at TIMESTAMP NOT NULL
);
-- The check result's Dagster metadata as it was emitted, so a run that finds the table
-- unchanged can report the same result again without re-checking (see builds.py).
ALTER TABLE quality.check_results ADD COLUMN IF NOT EXISTS metadata_serialized VARCHAR;
-- A failing check's first rows (file, row and the columns it reads), for the quality report.
ALTER TABLE quality.check_results ADD COLUMN IF NOT EXISTS samples VARCHAR
"""


# The columns STATE_DDL adds last: a table that has them is current.
_LATEST_COLUMNS = frozenset({"metadata_serialized", "samples"})


def ensure_state(con: duckdb.DuckDBPyConnection) -> None:
    builds.ensure_table(con)
    # A lookup when the table is current: every step asks, DDL costs more even when it does
    # nothing, and the run plan's read-only connection refuses it (lib/run_plan.py).
    present = set(column_names(con, "quality.check_results"))
    if _LATEST_COLUMNS <= present:
        return
    for statement in STATE_DDL.split(";"):
        con.execute(statement).fetchall()


def record_results(con: duckdb.DuckDBPyConnection, table_name: str, asset_key: AssetKey,
                   build_id: str, rule_results: Sequence[RuleResult],
                   accounting: AssetCheckResult | None, now: dt.datetime,
                   emitted: Sequence[AssetCheckResult] = ()) -> None:
    """The latest results of a table's checks, tied to the build they judged; ``emitted``
    are the check results as reported to Dagster, kept to be reported again unchanged.
    ``accounting`` (rows_accounted_for) is a staging table's; a mart has none."""
    serialized = {result.check_name: serialize_value(dict(result.metadata))
                  for result in emitted}
    ensure_state(con)
    con.execute("DELETE FROM quality.check_results WHERE table_name = $t",
                {"t": table_name}).fetchall()
    rows = [(r.rule_name, r.severity, r.success, r.element_count, r.unexpected_count,
             None if r.observed_value is None else str(r.observed_value), r.description,
             samples_text(r.samples))
            for r in rule_results]
    if accounting is not None:
        rows.append((ROWS_ACCOUNTED_FOR, "ERROR", accounting.passed,
                     accounting.metadata["raw_rows"].value,
                     accounting.metadata["unexpected_count"].value, None,
                     accounting.description, None))
    for name, severity, passed, elements, unexpected, observed, description, samples in rows:
        con.execute(
            "INSERT INTO quality.check_results (table_name, asset_key, check_name, severity, "
            "passed, element_count, unexpected_count, observed_value, description, build_id, "
            "checked_at, metadata_serialized, samples) VALUES ($t, $k, $c, $sev, $ok, $n, "
            "$bad, $obs, $desc, $b, $now, $meta, $samples)",
            {"t": table_name, "k": asset_key.to_user_string(), "c": name, "sev": severity,
             "ok": bool(passed), "n": elements, "bad": unexpected, "obs": observed,
             "desc": description, "b": build_id, "now": now, "meta": serialized.get(name),
             "samples": samples},
        ).fetchall()


def samples_text(samples) -> str | None:
    """A failing check's sample rows as one line: ``file row 12 (sektor=Perikanan, ...)``."""
    parts = []
    for sample in samples:
        where = " ".join(str(sample[c]) for c in ("_source_file", "_source_row")
                         if sample.get(c) is not None)
        values = ", ".join(f"{k}={v}" for k, v in sample.items()
                           if k not in ("_source_file", "_source_row", "_source_sheet"))
        parts.append(f"{where} ({values})" if values else where)
    return "; ".join(parts) or None


def stored_results(con: duckdb.DuckDBPyConnection, table_name: str,
                   asset_key: AssetKey) -> dict[str, AssetCheckResult]:
    """The check results recorded for the table's current build, as they were reported,
    marked with the build and time they judged."""
    ensure_state(con)
    rows = fetch_dicts(con, f"""
        SELECT results.* FROM quality.check_results AS results
        JOIN ({builds.latest_builds_sql()}) AS latest USING (asset_key, build_id)
        WHERE results.table_name = $t AND latest.finished ORDER BY check_name""",
                       {"t": table_name})
    stored = {}
    for row in rows:
        metadata = (deserialize_value(row["metadata_serialized"], dict)
                    if row["metadata_serialized"] else {})
        metadata.update({
            "checked_at": MetadataValue.text(f"{row['checked_at']:%Y-%m-%d %H:%M:%S} UTC"),
            "checked_build_id": MetadataValue.text(row["build_id"]),
            "rechecked": MetadataValue.bool(False),
        })
        stored[row["check_name"]] = AssetCheckResult(
            asset_key=asset_key, check_name=row["check_name"], passed=row["passed"],
            severity=(AssetCheckSeverity.ERROR if row["severity"] == "ERROR"
                      else AssetCheckSeverity.WARN),
            description=row["description"], metadata=metadata)
    return stored


def rows_accounted_for(con: duckdb.DuckDBPyConnection, dataset_name: str,
                       asset_key: AssetKey, *, year_column: str | None = None,
                       years: Sequence[int] = ()) -> AssetCheckResult:
    """Per file: raw rows = staged rows + quarantined rows. Nothing vanishes unexplained.

    For a year-partitioned table the books are kept for the years this run rebuilt (and the
    rows that belong to no year): other years' slices were not touched by it.
    """
    if year_column:
        sources = (f"sliced_{dataset_name}",
                   f"staging.{dataset_name} WHERE list_contains($years, {year_column})",
                   f"quarantine.{dataset_name} "
                   "WHERE list_contains($years, partisi) OR partisi IS NULL")
        params = {"years": list(years)}
    else:
        sources = (f"raw.{dataset_name}", f"staging.{dataset_name}",
                   f"quarantine.{dataset_name}")
        params = None
    per_file = fetch_dicts(con, f"""
        WITH raw_rows AS (SELECT _source_file, count(*) AS n FROM {sources[0]} GROUP BY 1),
        staged AS (SELECT _source_file, count(*) AS n FROM {sources[1]} GROUP BY 1),
        quarantined AS (SELECT _source_file, count(DISTINCT (_source_sheet, _source_row)) AS n
                        FROM {sources[2]} GROUP BY 1)
        SELECT _source_file AS file, coalesce(raw_rows.n, 0) AS raw_rows,
               coalesce(staged.n, 0) AS staged_rows, coalesce(quarantined.n, 0) AS quarantined_rows
        FROM raw_rows FULL OUTER JOIN staged USING (_source_file)
        FULL OUTER JOIN quarantined USING (_source_file)
        ORDER BY file""", params)
    unbalanced = [r for r in per_file
                  if r["raw_rows"] != r["staged_rows"] + r["quarantined_rows"]]
    table = ["| file | raw | staged | quarantined |", "|---|---|---|---|"] + [
        f"| {r['file']} | {r['raw_rows']} | {r['staged_rows']} | {r['quarantined_rows']} |"
        for r in per_file]
    metadata = {
        "files": len(per_file),
        "raw_rows": sum(r["raw_rows"] for r in per_file),
        "staged_rows": sum(r["staged_rows"] for r in per_file),
        "quarantined_rows": sum(r["quarantined_rows"] for r in per_file),
        "unexpected_count": len(unbalanced),
        "per_file": MetadataValue.md("\n".join(table)),
    }
    if year_column:
        metadata["fiscal_years"] = ", ".join(map(str, years))
    return AssetCheckResult(
        asset_key=asset_key, check_name=ROWS_ACCOUNTED_FOR, passed=not unbalanced,
        severity=AssetCheckSeverity.ERROR,
        description="Every raw row is either staged or quarantined with a reason.",
        metadata=metadata)


UPSTREAM_GATE = "upstream_quality_gate"
UPSTREAM_GATE_DESCRIPTION = (
    "[ERROR] Built only from staging tables whose latest build passed every ERROR check and "
    "accounted for every row; the metadata lists each table, its build and its verdict.")


def upstream_verdicts(con: duckdb.DuckDBPyConnection,
                      table_names: Sequence[str]) -> list[dict]:
    """Per checked staging table: its latest build, the checks run on it, the ERROR checks it
    failed and the WARN checks it failed, and when it was checked."""
    if not table_names:
        return []
    ensure_state(con)
    return fetch_dicts(con, f"""
        SELECT wanted.table_name, latest.build_id,
               count(results.check_name) AS checks_run,
               string_agg(results.check_name, ', ' ORDER BY results.check_name)
                   FILTER (WHERE results.severity = 'ERROR' AND NOT results.passed) AS failing,
               string_agg(results.check_name, ', ' ORDER BY results.check_name)
                   FILTER (WHERE results.severity <> 'ERROR' AND NOT results.passed) AS warned,
               max(results.checked_at) AS checked_at
        FROM unnest($tables) AS wanted(table_name)
        LEFT JOIN ({builds.latest_builds_sql()}) AS latest
            ON latest.asset_key = replace(wanted.table_name, '.', '/')
        LEFT JOIN quality.check_results AS results
            ON results.table_name = wanted.table_name AND results.build_id = latest.build_id
        GROUP BY ALL
        ORDER BY wanted.table_name""", {"tables": list(table_names)})


def gate_problems(verdicts: Sequence[dict]) -> list[str]:
    """Why the gate holds, from ``upstream_verdicts``: empty when it passes. The rule for the
    step (assert_upstream_passed) and for the run plan (a gated table it may leave out)."""
    problems = []
    for row in verdicts:
        if row["build_id"] is None:
            problems.append(f"{row['table_name']} has never been built")
        elif row["checks_run"] == 0:
            problems.append(f"{row['table_name']} was rebuilt but not checked since")
        elif row["failing"]:
            problems.append(f"{row['table_name']} failed ERROR check(s): {row['failing']}")
    return problems


def assert_upstream_passed(con: duckdb.DuckDBPyConnection, table_names: Sequence[str],
                           asset_key: AssetKey | None = None) -> AssetCheckResult | None:
    """Refuse to build over staging tables whose latest build failed or skipped its checks;
    when they passed, the gate's verdict as the asset's own check (``asset_key``), so the
    UI shows next to each mart the quality gate it passed."""
    verdicts = upstream_verdicts(con, table_names)
    problems = gate_problems(verdicts)
    if problems:
        raise Failure(
            description=(
                "Not built: the data it would be computed from did not pass its quality gate. "
                + "; ".join(problems)
                + ". Fix the input (see marts.data_quality and the checks in the Dagster UI) "
                "and re-materialize the staging table."),
            allow_retries=False,
        )
    if asset_key is None:
        return None
    table = ["| staging table | build | checks run | ERROR failing | WARN failing | checked |",
             "|---|---|---|---|---|---|"] + [
        f"| {r['table_name']} | {r['build_id']} | {r['checks_run']} | none | "
        f"{r['warned'] or 'none'} | {r['checked_at']:%Y-%m-%d %H:%M} UTC |" for r in verdicts]
    return AssetCheckResult(
        asset_key=asset_key, check_name=UPSTREAM_GATE, passed=True,
        severity=AssetCheckSeverity.ERROR, description=UPSTREAM_GATE_DESCRIPTION,
        metadata={
            "staging_tables": len(verdicts),
            "checks_passed_or_warned": sum(r["checks_run"] for r in verdicts),
            "warn_checks_failing": MetadataValue.md("\n".join(
                f"- {r['table_name']}: {r['warned']}" for r in verdicts if r["warned"])
                or "none"),
            "verdicts": MetadataValue.md("\n".join(table) if verdicts else
                                         "no checked staging table upstream"),
        })
