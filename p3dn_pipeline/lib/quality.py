"""Quality rules for DuckDB staging tables: Great Expectations 1.x run inside DuckDB, reported to Dagster.

A table's rules are written as code, one :class:`Rule` each: a name (the Dagster check name), a
declarative check (:class:`NotNull`, :class:`Unique`, :class:`Between`, :class:`InSet`,
:class:`MatchesRegex`, :class:`RowCondition`, :class:`ExistsIn`, :class:`SumsMatch`,
:class:`RowCountBetween`), our own
severity and a description. :func:`validate_table` runs them all inside DuckDB (no table is ever
pulled into pandas: only aggregates and at most ``sample_size`` rows per failing rule leave the
database) and returns one :class:`RuleResult` per rule; :func:`to_asset_check_results` turns them into
``dagster.AssetCheckResult`` objects and :func:`check_specs` declares the matching
``AssetCheckSpec`` list (``blocking=True`` for ERROR rules)::

    RULES = [
        Rule("kd_paket_unique", Unique(("kd_paket",)), "ERROR", "One row per order"),
        Rule("total_harga_non_negative", Between("total_harga", min_value=0), "WARN", "No negative totals"),
    ]

    @dg.multi_asset_check(specs=check_specs("stg_ekatalog_paket", RULES))
    def stg_ekatalog_paket_quality(duckdb: DuckDBResource):
        with duckdb.get_connection() as conn:
            results = validate_table(conn, "stg.ekatalog_paket", RULES)
        yield from to_asset_check_results(results)

Who executes what, and why (verified with great_expectations 1.24.1, duckdb 2.0.1,
duckdb-engine 0.17.0, SQLAlchemy 2.1):

* NotNull, Between, InSet, RowCountBetween run through GX (SQL datasource, duckdb dialect). GX
  bundles their aggregates into one ``SELECT sum(CASE ...)`` pass and returns unexpected counts
  and up to ``sample_size`` unexpected rows with their ``_source_file``/``_source_row``
  (``unexpected_index_column_names``).
* MatchesRegex runs as our own SQL: GX raises "Regex is not supported for dialect duckdb" (and
  "Like patterns are not supported for dialect duckdb") because its dialect tables have no duckdb
  branch. We use DuckDB's ``regexp_matches`` (RE2, search semantics like GX's regex metric).
* RowCondition (arithmetic, e.g. ``abs(total_harga - kuantitas * harga_satuan) <= 1``) and ExistsIn
  (referential integrity) run as our own SQL: GX has no column-arithmetic expectation, and its
  ``UnexpectedRowsExpectation`` (which does work on duckdb once results are buffered, see below)
  costs two extra table scans per rule, cannot be bundled with other rules, gives no
  element_count/percent, and needs every regex ``{n}`` brace doubled.
* SumsMatch (per key, the sum of a column here against the sum of a column in another table)
  runs as our own SQL, one aggregation per rule: GX has no cross-table aggregate expectation.
* Unique runs as our own SQL with GX's semantics (NULLs skipped; every row of a duplicated key is
  unexpected; with several columns a key holding a NULL is not compared, which is what GX's
  equality join does, and the percentage is of rows not entirely NULL): GX computes uniqueness
  with ``count(*) OVER (PARTITION BY ...)`` over every column and runs it three times (count,
  values, index list): 3.9 s for one 10-million-row column on the 2-core machine, against
  0.7-0.9 s for our ``count(DISTINCT hash(key))`` (an exact ``GROUP BY ... HAVING count(*) > 1``
  only when that finds a duplicate). A unit test pins that our counts equal GX's.

Our SQL rules share one scan (``count(*) FILTER (WHERE ...)`` per rule; samples come from the same
scan with ``min_by(row, (_source_file, _source_row), n)``), plus one aggregation per Unique rule.
Every SQL-path result carries the GX expectation type and kwargs it stands for, so the Dagster UI
shows one vocabulary.

Connection handling. GX's SQL datasource builds its own SQLAlchemy engine. Three things break with
a plain ``connection_string="duckdb:///path"``:

1. DuckDB refuses a second connection to the same file in one process with a different config
   ("Can't open a connection to same database file with a different configuration than existing
   connections"); dagster-duckdb opens with ``custom_user_agent=dagster`` and duckdb_engine with its
   own user agent, so they always differ. We therefore pass ``creator=`` (a documented
   ``create_engine`` argument, forwarded by GX's ``kwargs``) that hands out ``cursor()``\\ s of the
   caller's connection: same database instance, no config clash, no second file lock.
2. GX 1.24.1 ``SqlAlchemyExecutionEngine.execute_query`` returns the result *after* its
   ``with engine.connect()`` block closed the connection; SQLAlchemy rolls back the autobegun
   transaction on close, and a DuckDB rollback drops the pending result, so every ``fetchall()``
   returns ``[]`` and GX fails with ``IndexError: list index out of range`` in
   ``resolve_metric_bundle`` (GX issues #10738 and #11579), or ``'NoneType' object is not
   subscriptable`` in ``query.row_count``. Our DB-API cursor wrapper reads each result (at most
   ``_GX_MAX_ROWS`` rows) at ``execute()`` time, before anything can close it; should GX ever ask
   for more rows than that, the cursor raises rather than pull a table into Python. DuckDB 2.0's
   "connection has an unfinished result from execute()" guard fires only in the relational API
   (``.sql()``) after a partly read ``execute()``; duckdb_engine uses ``execute()``/``fetch*()``
   only, our buffered results are read to the end, and our own queries always ``fetchall()``.
3. duckdb_engine 0.17 reflects columns with the PostgreSQL dialect's query, which under
   SQLAlchemy 2.1 reads ``pg_catalog.pg_collation``; DuckDB has no such table, so GX falls back
   to ``SELECT * FROM <table> LIMIT 1`` *without* the schema. Each GX cursor gets
   ``SET search_path`` to the table's schema (a per-connection setting; the caller's own
   connection is untouched).

GX is imported lazily (about 2.7 s; in a background thread while DuckDB runs our SQL rules);
importing this module imports neither GX nor SQLAlchemy nor Dagster. Anything GX returns that
breaks one of these assumptions raises :class:`GXCompatibilityError` naming the GX version.
"""

from __future__ import annotations

import math
import os
import re
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Union

import duckdb

if TYPE_CHECKING:  # pragma: no cover
    import dagster as dg

__all__ = [
    "Between",
    "Check",
    "ExistsIn",
    "GXCompatibilityError",
    "InSet",
    "MatchesRegex",
    "NotNull",
    "RowCondition",
    "RowCountBetween",
    "Rule",
    "RuleResult",
    "Severity",
    "SumsMatch",
    "Unique",
    "check_specs",
    "to_asset_check_result",
    "to_asset_check_results",
    "validate_table",
]

Severity = Literal["ERROR", "WARN"]
Executor = Literal["gx", "sql"]
Scalar = Union[int, float, Decimal, str, date, datetime, time, bool]

DEFAULT_SAMPLE_COLUMNS: tuple[str, ...] = ("_source_file", "_source_row")
# The most rows GX may read from one query. GX 1.x reads aggregates (one row), samples
# (`partial_unexpected_count` rows), column reflection (one row) and, for
# UnexpectedRowsExpectation, 200 rows; anything more means it is pulling a table into Python.
_GX_MAX_ROWS = 1000
_GX_SUPPORTED_MAJOR = 1
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CHECK_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class GXCompatibilityError(RuntimeError):
    """Great Expectations did not behave as this layer assumes (an upgrade changed it)."""


# --------------------------------------------------------------------------------------------
# Declarative checks. Each names the GX expectation it stands for (type + kwargs, shown in
# Dagster) and whether GX or our own SQL executes it (see the module docstring for why).
# --------------------------------------------------------------------------------------------


def _mostly_kwargs(mostly: float) -> dict[str, Any]:
    if not 0.0 < mostly <= 1.0:
        raise ValueError(f"mostly must be in (0, 1], got {mostly}")
    return {} if mostly == 1.0 else {"mostly": mostly}


@dataclass(frozen=True)
class NotNull:
    """Column has no NULLs (``ExpectColumnValuesToNotBeNull``, run by GX)."""

    column: str
    mostly: float = 1.0

    executor: ClassVar[Executor] = "gx"
    gx_class: ClassVar[str] = "ExpectColumnValuesToNotBeNull"
    gx_type: ClassVar[str] = "expect_column_values_to_not_be_null"

    def __post_init__(self) -> None:
        _mostly_kwargs(self.mostly)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def gx_kwargs(self) -> dict[str, Any]:
        return {"column": self.column, **_mostly_kwargs(self.mostly)}


@dataclass(frozen=True)
class Unique:
    """Values (or the combination of several columns) are unique; NULLs are skipped.

    One column stands for ``ExpectColumnValuesToBeUnique``, several for
    ``ExpectCompoundColumnsToBeUnique``; our SQL executes both (GX's uniqueness SQL is 4-5x
    slower on DuckDB; see the module docstring). As in GX, every row of a duplicated key is
    unexpected; with several columns, rows with a NULL in any key column are not compared and
    the percentage is of the rows not entirely NULL.
    """

    columns: tuple[str, ...]
    mostly: float = 1.0

    executor: ClassVar[Executor] = "sql"

    def __post_init__(self) -> None:
        if isinstance(self.columns, str):
            object.__setattr__(self, "columns", (self.columns,))
        object.__setattr__(self, "columns", tuple(self.columns))
        if not self.columns:
            raise ValueError("Unique needs at least one column")
        _mostly_kwargs(self.mostly)

    @property
    def gx_type(self) -> str:  # type: ignore[override]
        if len(self.columns) == 1:
            return "expect_column_values_to_be_unique"
        return "expect_compound_columns_to_be_unique"

    def gx_kwargs(self) -> dict[str, Any]:
        if len(self.columns) == 1:
            return {"column": self.columns[0], **_mostly_kwargs(self.mostly)}
        return {"column_list": list(self.columns), **_mostly_kwargs(self.mostly)}


@dataclass(frozen=True)
class Between:
    """Values lie in ``[min_value - tolerance, max_value + tolerance]`` (either bound optional).

    ``tolerance`` widens both bounds: a number for numeric columns, a ``timedelta`` for dates
    (``Between("tgl_order", date(2022, 1, 1), date(2024, 12, 31), tolerance=timedelta(days=7))``).
    ``mostly`` lets a fraction of rows fall outside. NULLs are skipped
    (``ExpectColumnValuesToBeBetween``, run by GX).
    """

    column: str
    min_value: Scalar | None = None
    max_value: Scalar | None = None
    tolerance: int | float | Decimal | timedelta | None = None
    mostly: float = 1.0

    executor: ClassVar[Executor] = "gx"
    gx_class: ClassVar[str] = "ExpectColumnValuesToBeBetween"
    gx_type: ClassVar[str] = "expect_column_values_to_be_between"

    def __post_init__(self) -> None:
        if self.min_value is None and self.max_value is None:
            raise ValueError("Between needs min_value or max_value")
        _mostly_kwargs(self.mostly)
        self.bounds()  # a tolerance of the wrong type (days on a number) fails here

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def bounds(self) -> tuple[Any, Any]:
        low, high = self.min_value, self.max_value
        if self.tolerance is not None:
            low = None if low is None else low - self.tolerance  # type: ignore[operator]
            high = None if high is None else high + self.tolerance  # type: ignore[operator]
        return low, high

    def gx_kwargs(self) -> dict[str, Any]:
        low, high = self.bounds()
        kwargs: dict[str, Any] = {"column": self.column}
        if low is not None:
            kwargs["min_value"] = low
        if high is not None:
            kwargs["max_value"] = high
        return {**kwargs, **_mostly_kwargs(self.mostly)}


@dataclass(frozen=True)
class InSet:
    """Values belong to a fixed set; NULLs are skipped (``ExpectColumnValuesToBeInSet``, GX)."""

    column: str
    values: tuple[Scalar, ...]
    mostly: float = 1.0

    executor: ClassVar[Executor] = "gx"
    gx_class: ClassVar[str] = "ExpectColumnValuesToBeInSet"
    gx_type: ClassVar[str] = "expect_column_values_to_be_in_set"

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        if not self.values:
            raise ValueError("InSet needs at least one value")
        _mostly_kwargs(self.mostly)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def gx_kwargs(self) -> dict[str, Any]:
        return {"column": self.column, "value_set": list(self.values), **_mostly_kwargs(self.mostly)}


@dataclass(frozen=True)
class MatchesRegex:
    """Values match an RE2 regex, searched anywhere unless anchored (``^...$``); NULLs skipped.

    Stands for ``ExpectColumnValuesToMatchRegex``; our SQL runs it with ``regexp_matches`` because
    GX 1.x raises "Regex is not supported for dialect duckdb".
    """

    column: str
    regex: str
    mostly: float = 1.0

    executor: ClassVar[Executor] = "sql"
    gx_type: ClassVar[str] = "expect_column_values_to_match_regex"

    def __post_init__(self) -> None:
        re.compile(self.regex)  # fail at definition time on a malformed pattern
        _mostly_kwargs(self.mostly)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def gx_kwargs(self) -> dict[str, Any]:
        return {"column": self.column, "regex": self.regex, **_mostly_kwargs(self.mostly)}


@dataclass(frozen=True)
class RowCondition:
    """Every row satisfies a DuckDB boolean expression over its own columns.

    For arithmetic rules, e.g.
    ``RowCondition("abs(total_harga - kuantitas * harga_satuan) <= 1",
    ("total_harga", "kuantitas", "harga_satuan"))``. ``columns`` lists the columns the expression
    reads (checked to exist, shown in samples). A row whose expression is NULL is skipped, like
    missing values in GX column expectations; add NotNull rules for completeness. Stands for an
    ``UnexpectedRowsExpectation``; our SQL runs it (see the module docstring).
    """

    expression: str
    columns: tuple[str, ...]
    mostly: float = 1.0

    executor: ClassVar[Executor] = "sql"
    gx_type: ClassVar[str] = "unexpected_rows_expectation"

    def __post_init__(self) -> None:
        if isinstance(self.columns, str):
            object.__setattr__(self, "columns", (self.columns,))
        object.__setattr__(self, "columns", tuple(self.columns))
        if not self.expression.strip():
            raise ValueError("RowCondition needs an expression")
        _mostly_kwargs(self.mostly)

    def gx_kwargs(self) -> dict[str, Any]:
        return {
            "unexpected_rows_query": f"SELECT * FROM {{batch}} WHERE NOT ({self.expression})",
            **_mostly_kwargs(self.mostly),
        }


@dataclass(frozen=True)
class ExistsIn:
    """Every non-NULL value of ``column`` exists in ``ref_table.ref_column`` (referential integrity).

    ``ref_table`` is ``schema.table`` or ``table`` (then in the validated table's schema). Stands
    for an ``UnexpectedRowsExpectation``; GX has no cross-table column expectation, so our SQL runs
    it (``IN (SELECT ...)``, planned by DuckDB as a hash semi-join; NULLs in the reference column
    are ignored so they cannot make every value unknown).
    """

    column: str
    ref_table: str
    ref_column: str
    mostly: float = 1.0

    executor: ClassVar[Executor] = "sql"
    gx_type: ClassVar[str] = "unexpected_rows_expectation"

    def __post_init__(self) -> None:
        _split_table(self.ref_table)
        _check_identifier(self.ref_column)
        _mostly_kwargs(self.mostly)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def gx_kwargs(self) -> dict[str, Any]:
        return {
            "unexpected_rows_query": (
                f"SELECT * FROM {{batch}} WHERE {self.column} IS NOT NULL AND {self.column} NOT IN "
                f"(SELECT {self.ref_column} FROM {self.ref_table} WHERE {self.ref_column} IS NOT NULL)"
            ),
            **_mostly_kwargs(self.mostly),
        }


@dataclass(frozen=True)
class SumsMatch:
    """Per key, the sum of ``column`` equals the sum of ``ref_column`` in ``ref_table`` for the
    same key, within ``tolerance`` (two tables telling the same amount, e.g. a selection's
    contracts against the selection's own contract value).

    ``key`` names the grouping columns here, ``ref_key`` the matching columns of ``ref_table``
    (default: the same names). Only keys found on both sides are compared, and only where both
    sums are known (a sum of NULLs is NULL): a key missing on one side is an ExistsIn question.
    Every row of a key whose sums differ is unexpected; its samples carry both sums. Stands for
    an ``UnexpectedRowsExpectation``; our SQL runs it, one aggregation per rule, like Unique.
    """

    column: str
    key: tuple[str, ...]
    ref_table: str
    ref_column: str
    ref_key: tuple[str, ...] | None = None
    tolerance: int | float | Decimal = 0
    mostly: float = 1.0

    executor: ClassVar[Executor] = "sql"
    gx_type: ClassVar[str] = "unexpected_rows_expectation"

    def __post_init__(self) -> None:
        for name in ("key", "ref_key"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif value is not None:
                object.__setattr__(self, name, tuple(value))
        if self.ref_key is None:
            object.__setattr__(self, "ref_key", self.key)
        if not self.key or len(self.key) != len(self.ref_key or ()):
            raise ValueError("SumsMatch needs a key, and as many ref_key columns as key columns")
        for name in (self.column, self.ref_column, *self.key, *(self.ref_key or ())):
            _check_identifier(name)
        _split_table(self.ref_table)
        if self.tolerance < 0:
            raise ValueError("SumsMatch tolerance must not be negative")
        _mostly_kwargs(self.mostly)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, self.column)

    @property
    def sum_label(self) -> str:
        """The sample field holding this table's sum for the key."""
        return f"sum_{self.column}"

    @property
    def ref_label(self) -> str:
        """The sample field holding the other table's sum for the key."""
        return f"{self.ref_table}.{self.ref_column}"

    def gx_kwargs(self) -> dict[str, Any]:
        keys = ", ".join(self.key)
        join = " AND ".join(f"o.{k} = r.{rk}" for k, rk in zip(self.key, self.ref_key or ()))
        return {
            "unexpected_rows_query": (
                f"SELECT * FROM {{batch}} WHERE ({keys}) IN (SELECT {', '.join('o.' + k for k in self.key)} "
                f"FROM (SELECT {keys}, sum({self.column}) AS total FROM {{batch}} GROUP BY {keys}) AS o "
                f"JOIN (SELECT {', '.join(self.ref_key or ())}, sum({self.ref_column}) AS total "
                f"FROM {self.ref_table} GROUP BY {', '.join(self.ref_key or ())}) AS r ON {join} "
                f"WHERE abs(o.total - r.total) > {self.tolerance})"
            ),
            **_mostly_kwargs(self.mostly),
        }


@dataclass(frozen=True)
class RowCountBetween:
    """The table's row count lies in range (``ExpectTableRowCountToBeBetween``, run by GX)."""

    min_value: int | None = None
    max_value: int | None = None

    executor: ClassVar[Executor] = "gx"
    gx_class: ClassVar[str] = "ExpectTableRowCountToBeBetween"
    gx_type: ClassVar[str] = "expect_table_row_count_to_be_between"

    def __post_init__(self) -> None:
        if self.min_value is None and self.max_value is None:
            raise ValueError("RowCountBetween needs min_value or max_value")

    @property
    def columns(self) -> tuple[str, ...]:
        return ()

    def gx_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.min_value is not None:
            kwargs["min_value"] = self.min_value
        if self.max_value is not None:
            kwargs["max_value"] = self.max_value
        return kwargs


Check = Union[NotNull, Unique, Between, InSet, MatchesRegex, RowCondition, ExistsIn, SumsMatch,
              RowCountBetween]


@dataclass(frozen=True)
class Rule:
    """One expectation with our severity; ``name`` is the Dagster asset check name."""

    name: str
    expectation: Check
    severity: Severity
    description: str

    def __post_init__(self) -> None:
        if not _CHECK_NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} must match {_CHECK_NAME.pattern} (a Dagster check name)")
        if self.severity not in ("ERROR", "WARN"):
            raise ValueError(f"rule {self.name}: severity must be 'ERROR' or 'WARN', got {self.severity!r}")


@dataclass(frozen=True)
class RuleResult:
    """What one rule found. Counts follow GX: ``unexpected_percent`` is of the non-NULL values
    the rule looked at (of all rows for NotNull); ``samples`` are at most ``sample_size`` unexpected
    rows, each a dict of the sample columns (``_source_file``, ``_source_row``) and the rule's
    columns. ``executed_by`` is ``great_expectations==<version>`` or ``duckdb_sql``."""

    rule_name: str
    severity: Severity
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: Any
    samples: tuple[Mapping[str, Any], ...]
    expectation_type: str
    expectation_kwargs: Mapping[str, Any]
    description: str
    executed_by: str
    sample_columns: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def validate_table(
    database: str | os.PathLike[str] | duckdb.DuckDBPyConnection,
    table: str,
    rules: Sequence[Rule],
    *,
    sample_columns: Sequence[str] = DEFAULT_SAMPLE_COLUMNS,
    sample_size: int = 5,
    read_only: bool = True,
) -> list[RuleResult]:
    """Run ``rules`` against ``table`` (``schema.table`` or ``table``) inside DuckDB.

    ``database`` is an open connection (preferred: e.g. dagster-duckdb's
    ``DuckDBResource.get_connection()``; we only use ``cursor()``\\ s of it, so its config and
    pending state are untouched) or a database file path, opened (``read_only`` by default) and
    closed here. Data committed by the caller's connection is visible; uncommitted writes of an
    open transaction are not. Returns one result per rule, in ``rules`` order.
    """
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate rule names: {duplicates}")
    if sample_size < 0:
        raise ValueError("sample_size must be >= 0")
    schema, name = _split_table(table)

    if isinstance(database, duckdb.DuckDBPyConnection):
        return _validate(database, schema, name, rules, tuple(sample_columns), sample_size)
    try:
        con = duckdb.connect(os.fspath(database), read_only=read_only)
    except duckdb.ConnectionException as e:
        if "different configuration" not in str(e):
            raise
        raise ValueError(
            f"{os.fspath(database)} is already open in this process with another configuration "
            "(e.g. by dagster-duckdb): pass that open connection to validate_table instead of the path"
        ) from e
    try:
        return _validate(con, schema, name, rules, tuple(sample_columns), sample_size)
    finally:
        con.close()


def _validate(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rules: Sequence[Rule],
    sample_columns: tuple[str, ...],
    sample_size: int,
) -> list[RuleResult]:
    cur = con.cursor()
    try:
        table_columns = _table_columns(cur, schema, table)
        for rule in rules:
            missing = [c for c in rule.expectation.columns if c not in table_columns]
            if missing:
                raise ValueError(f"rule {rule.name}: {schema}.{table} has no column(s) {missing}")
            if isinstance(rule.expectation, (ExistsIn, SumsMatch)):
                ref_schema, ref_name = _split_table(rule.expectation.ref_table, default_schema=schema)
                ref_columns = _table_columns(cur, ref_schema, ref_name)
                wanted = [rule.expectation.ref_column]
                if isinstance(rule.expectation, SumsMatch):
                    wanted += list(rule.expectation.ref_key or ())
                for column in wanted:
                    if column not in ref_columns:
                        raise ValueError(f"rule {rule.name}: {ref_schema}.{ref_name} has no column {column!r}")
        present_samples = tuple(c for c in sample_columns if c in table_columns)

        results: dict[str, RuleResult] = {}
        sql_rules = [r for r in rules if r.expectation.executor == "sql"]
        gx_rules = [r for r in rules if r.expectation.executor == "gx"]
        prefetch = _start_gx_import() if gx_rules and sql_rules else None
        if sql_rules:
            results.update(_run_sql(cur, schema, table, sql_rules, present_samples, sample_size))
        if gx_rules:
            if prefetch is not None:
                prefetch.join()
            results.update(_run_gx(con, schema, table, gx_rules, present_samples, sample_size))
        return [results[r.name] for r in rules]
    finally:
        cur.close()


# ---- our SQL path ---------------------------------------------------------------------------


def _run_sql(
    cur: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rules: Sequence[Rule],
    sample_columns: tuple[str, ...],
    sample_size: int,
) -> dict[str, RuleResult]:
    target = f"{_q(schema)}.{_q(table)}"
    row_rules = [r for r in rules if not isinstance(r.expectation, (Unique, SumsMatch))]
    counts: dict[str, tuple[int, int]] = {}
    samples: dict[str, tuple[dict[str, Any], ...]] = {}

    # One scan for every row-level rule. The inner query evaluates each rule's "row is fine"
    # boolean once (NULL when the rule does not look at the row, e.g. a NULL value); the outer
    # one counts FALSE (unexpected) and non-NULL (considered, GX's denominator) and keeps the
    # first `sample_size` unexpected rows by (_source_file, _source_row) with `min_by(..., n)`,
    # so samples cost no extra scan and bounded memory however many rows fail.
    if row_rules:
        inner: list[str] = []
        params: list[Any] = []
        outer = ["count(*)"]
        for i, rule in enumerate(row_rules):
            ok_sql, ok_params = _row_ok_expression(rule.expectation, schema)
            inner.append(f"({ok_sql}) AS __ok_{i}")
            params.extend(ok_params)
            outer.append(f"count(*) FILTER (WHERE NOT __ok_{i})")
            outer.append(f"count(__ok_{i})")
            if sample_size:
                shown = _shown_columns(rule.expectation, sample_columns)
                row = ", ".join(f"{_sql_string(c)}: {_q(c)}" for c in shown)
                key = ", ".join(_q(c) for c in (sample_columns or shown))
                outer.append(f"min_by({{{row}}}, ({key},), {int(sample_size)}) FILTER (WHERE NOT __ok_{i})")
        sql = f"SELECT {', '.join(outer)} FROM (SELECT *, {', '.join(inner)} FROM {target})"
        values = cur.execute(sql, params).fetchall()[0]
        element_count = int(values[0])
        width = 3 if sample_size else 2
        for i, rule in enumerate(row_rules):
            base = 1 + width * i
            counts[rule.name] = (int(values[base]), int(values[base + 1]))
            samples[rule.name] = tuple(dict(s) for s in (values[base + 2] or ())) if sample_size else ()
    else:
        element_count = int(cur.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0])

    # Uniqueness, per rule (a DISTINCT cannot share the scan above: tried, it is slower). Fast
    # path: if the non-NULL keys have as many distinct hashes as rows, every key is unique (equal
    # keys hash equal). Hashing to UBIGINT makes that ~25% cheaper and smaller than grouping the
    # keys themselves. Otherwise (duplicates, or a hash collision) count exactly, GX's way: every
    # row of a key seen more than once is unexpected; keys with a NULL are not compared (GX's
    # equality join); the denominator is the rows not entirely NULL (GX's
    # ignore_row_if="all_values_are_missing").
    for rule in rules:
        check = rule.expectation
        if isinstance(check, Unique):
            keys = ", ".join(_q(c) for c in check.columns)
            not_null = " AND ".join(f"{_q(c)} IS NOT NULL" for c in check.columns)
            all_null = " AND ".join(f"{_q(c)} IS NULL" for c in check.columns)
            rows, distinct = cur.execute(
                f"SELECT count(*), count(DISTINCT hash({keys})) FROM {target} WHERE {not_null}"
            ).fetchall()[0]
            if rows == distinct:
                unexpected = 0
                considered = rows
                if len(check.columns) > 1:
                    considered = cur.execute(f"SELECT count(*) FROM {target} WHERE NOT ({all_null})").fetchall()[0][0]
            else:
                unexpected, considered = cur.execute(
                    f"SELECT coalesce(sum(n) FILTER (WHERE n > 1 AND {not_null}), 0), "
                    f"coalesce(sum(n) FILTER (WHERE NOT ({all_null})), 0) "
                    f"FROM (SELECT {keys}, count(*) AS n FROM {target} GROUP BY {keys})"
                ).fetchall()[0]
            counts[rule.name] = (int(unexpected), int(considered))
            samples[rule.name] = ()
            if unexpected and sample_size:  # only a failing rule pays for a second pass
                samples[rule.name] = _unique_samples(cur, target, check, sample_columns, sample_size)
        elif isinstance(check, SumsMatch):
            counts[rule.name], samples[rule.name] = _sums_match(
                cur, target, schema, check, sample_columns, sample_size)

    results: dict[str, RuleResult] = {}
    for rule in rules:
        check = rule.expectation
        unexpected, considered = counts[rule.name]
        results[rule.name] = RuleResult(
            rule_name=rule.name,
            severity=rule.severity,
            success=_map_success(unexpected, considered, check.mostly),
            element_count=element_count,
            unexpected_count=unexpected,
            unexpected_percent=(100.0 * unexpected / considered) if considered else None,
            observed_value=None,
            samples=samples[rule.name],
            expectation_type=check.gx_type,
            expectation_kwargs=check.gx_kwargs(),
            description=rule.description,
            executed_by="duckdb_sql",
            sample_columns=sample_columns,
        )
    return results


def _row_ok_expression(check: Check, schema: str) -> tuple[str, list[Any]]:
    """SQL boolean: TRUE for an expected row, FALSE for an unexpected one, NULL when skipped."""
    if isinstance(check, MatchesRegex):
        # regexp_matches searches (like GX's regex metric); NULL in, NULL out.
        return f"regexp_matches({_q(check.column)}, ?)", [check.regex]
    if isinstance(check, RowCondition):
        return check.expression, []
    if isinstance(check, ExistsIn):
        # The subquery has no NULLs, so IN gives TRUE/FALSE for a value and NULL for NULL.
        ref_schema, ref_name = _split_table(check.ref_table, default_schema=schema)
        ref_col = _q(check.ref_column)
        return (
            f"{_q(check.column)} IN (SELECT {ref_col} FROM {_q(ref_schema)}.{_q(ref_name)} WHERE {ref_col} IS NOT NULL)",
            [],
        )
    raise TypeError(f"{type(check).__name__} is not a row-level SQL check")  # pragma: no cover


def _shown_columns(check: Check, sample_columns: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys([*sample_columns, *check.columns]))


def _unique_samples(
    cur: duckdb.DuckDBPyConnection,
    target: str,
    check: Unique,
    sample_columns: tuple[str, ...],
    sample_size: int,
) -> tuple[dict[str, Any], ...]:
    shown = _shown_columns(check, sample_columns)
    select = ", ".join(f"t.{_q(c)}" for c in shown)
    order = ", ".join(f"t.{_q(c)}" for c in (sample_columns or shown))
    keys = ", ".join(_q(c) for c in check.columns)
    not_null = " AND ".join(f"{_q(c)} IS NOT NULL" for c in check.columns)
    join = " AND ".join(f"t.{_q(c)} = d.{_q(c)}" for c in check.columns)
    rows = cur.execute(
        f"SELECT {select} FROM {target} AS t JOIN (SELECT {keys} FROM {target} WHERE {not_null} "
        f"GROUP BY {keys} HAVING count(*) > 1) AS d ON {join} ORDER BY {order} LIMIT {int(sample_size)}"
    ).fetchall()
    return tuple(dict(zip(shown, r)) for r in rows)


def _sums_match(
    cur: duckdb.DuckDBPyConnection,
    target: str,
    schema: str,
    check: SumsMatch,
    sample_columns: tuple[str, ...],
    sample_size: int,
) -> tuple[tuple[int, int], tuple[dict[str, Any], ...]]:
    """(unexpected rows, rows compared) and samples: rows of keys whose two sums differ."""
    ref_schema, ref_name = _split_table(check.ref_table, default_schema=schema)
    keys = [_q(c) for c in check.key]
    ref_keys = [_q(c) for c in check.ref_key or ()]
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    ref_not_null = " AND ".join(f"{k} IS NOT NULL" for k in ref_keys)
    join = " AND ".join(f"o.{k} = r.{rk}" for k, rk in zip(keys, ref_keys))
    compared = (
        f"SELECT {', '.join('o.' + k for k in keys)}, o.total, r.total AS ref_total, o.n "
        f"FROM (SELECT {', '.join(keys)}, sum({_q(check.column)}) AS total, count(*) AS n "
        f"FROM {target} WHERE {not_null} GROUP BY ALL) AS o "
        f"JOIN (SELECT {', '.join(ref_keys)}, sum({_q(check.ref_column)}) AS total "
        f"FROM {_q(ref_schema)}.{_q(ref_name)} WHERE {ref_not_null} GROUP BY ALL) AS r ON {join} "
        "WHERE o.total IS NOT NULL AND r.total IS NOT NULL"
    )
    differs = "abs(total - ref_total) > ?"
    unexpected, considered = cur.execute(
        f"SELECT coalesce(sum(n) FILTER (WHERE {differs}), 0), coalesce(sum(n), 0) "
        f"FROM ({compared})", [check.tolerance]).fetchall()[0]
    found: tuple[dict[str, Any], ...] = ()
    if unexpected and sample_size:
        shown = _shown_columns(check, sample_columns)
        select = ", ".join(f"t.{_q(c)}" for c in shown)
        order = ", ".join(f"t.{_q(c)}" for c in (sample_columns or shown))
        on = " AND ".join(f"t.{k} = d.{k}" for k in keys)
        rows = cur.execute(
            f"SELECT {select}, d.total, d.ref_total FROM {target} AS t "
            f"JOIN (SELECT * FROM ({compared}) WHERE {differs}) AS d ON {on} "
            f"ORDER BY {order} LIMIT {int(sample_size)}", [check.tolerance]).fetchall()
        labels = [*shown, check.sum_label, check.ref_label]
        found = tuple(dict(zip(labels, r)) for r in rows)
    return (int(unexpected), int(considered)), found


def _map_success(unexpected: int, considered: int, mostly: float) -> bool:
    # GX's rule for column map expectations: success when the share of expected values among the
    # values considered reaches `mostly`; vacuously true when nothing was considered.
    if considered == 0:
        return True
    if mostly >= 1.0:
        return unexpected == 0
    return (considered - unexpected) / considered >= mostly


# ---- GX path ----------------------------------------------------------------------------------


def _import_gx() -> Any:
    try:
        import great_expectations as gx
    except ImportError as e:  # pragma: no cover - a dependency of the project
        raise GXCompatibilityError("great_expectations is not installed") from e
    major = int(str(gx.__version__).split(".")[0])
    if major != _GX_SUPPORTED_MAJOR:
        raise GXCompatibilityError(
            f"great_expectations {gx.__version__} is installed; p3dn_pipeline.lib.quality supports "
            f"{_GX_SUPPORTED_MAJOR}.x only"
        )
    return gx


def _start_gx_import() -> threading.Thread | None:
    """Import GX (about 2.7 s of single-threaded Python) in a background thread while DuckDB runs
    our SQL rules: DuckDB releases the GIL while it executes, so the two overlap (on the 2-core
    machine this takes about a second off a cold validate_table). The thread only imports;
    `_import_gx()` imports again on the caller's thread, so an import error surfaces there."""
    if "great_expectations" in sys.modules:
        return None

    def target() -> None:
        try:
            import great_expectations  # noqa: F401
        except Exception:  # noqa: BLE001 - re-raised by _import_gx() on the caller's thread
            pass

    thread = threading.Thread(target=target, name="p3dn-quality-gx-import", daemon=True)
    thread.start()
    return thread


def _gx_error(gx_version: str, assumption: str) -> GXCompatibilityError:
    return GXCompatibilityError(
        f"great_expectations {gx_version} over DuckDB {duckdb.__version__}: {assumption} "
        "(p3dn_pipeline.lib.quality depends on this; see its module docstring)"
    )


_BUFFERED_CONNECTION_CLASS: type | None = None


def _buffered_connection_class() -> type:
    """duckdb_engine's DB-API connection whose cursors read every result at execute() time."""
    global _BUFFERED_CONNECTION_CLASS
    if _BUFFERED_CONNECTION_CLASS is not None:
        return _BUFFERED_CONNECTION_CLASS
    import duckdb_engine

    class BufferedCursor:
        # GX reads results after SQLAlchemy has closed (and so rolled back) the connection
        # (GX #10738, #11579); reading at execute() time makes that harmless.
        def __init__(self, inner: Any) -> None:
            self._inner = inner
            self._rows: list[tuple[Any, ...]] = []
            self._pos = 0
            self._truncated = False
            self.description: Any = None

        def execute(self, statement: str, parameters: Any = None, context: Any = None) -> None:
            self._inner.execute(statement, parameters, context)
            self.description = self._inner.description
            self._rows, self._pos, self._truncated = [], 0, False
            if self.description is not None:
                rows = self._inner.fetchmany(_GX_MAX_ROWS + 1)
                self._truncated = len(rows) > _GX_MAX_ROWS
                self._rows = rows[:_GX_MAX_ROWS]

        def executemany(self, statement: str, parameters: Any = None, context: Any = None) -> None:
            self._inner.executemany(statement, parameters, context)
            self.description, self._rows, self._pos, self._truncated = None, [], 0, False

        @property
        def rowcount(self) -> int:
            return -1

        def _take(self, n: int) -> list[tuple[Any, ...]]:
            if self._truncated and self._pos + n > len(self._rows):
                raise GXCompatibilityError(
                    f"great_expectations asked DuckDB for more than {_GX_MAX_ROWS} rows from one query; "
                    "p3dn_pipeline.lib.quality only lets GX read aggregates and samples, so tables stay "
                    "in DuckDB. Check the result_format or the GX upgrade."
                )
            taken = self._rows[self._pos : self._pos + n]
            self._pos += len(taken)
            return taken

        def fetchone(self) -> tuple[Any, ...] | None:
            taken = self._take(1)
            return taken[0] if taken else None

        def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
            return self._take(size or 1)

        def fetchall(self) -> list[tuple[Any, ...]]:
            return self._take(len(self._rows) - self._pos + (1 if self._truncated else 0))

        def close(self) -> None:
            self._rows = []

        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

    class BufferedConnection(duckdb_engine.ConnectionWrapper):  # type: ignore[misc]
        def cursor(self) -> BufferedCursor:  # type: ignore[override]
            return BufferedCursor(super().cursor())

    _BUFFERED_CONNECTION_CLASS = BufferedConnection
    return BufferedConnection


def _gx_connection_factory(con: duckdb.DuckDBPyConnection, schema: str) -> Any:
    connection_class = _buffered_connection_class()

    def create() -> Any:
        cursor = con.cursor()  # same database instance as the caller: no config clash, no new lock
        cursor.execute(f"SET search_path = '{schema}'")
        return connection_class(cursor)

    return create


def _to_gx_expectation(gx: Any, rule: Rule) -> Any:
    check = rule.expectation
    cls = getattr(gx.expectations, check.gx_class, None)  # type: ignore[union-attr]
    if cls is None:
        raise _gx_error(gx.__version__, f"gx.expectations.{check.gx_class} no longer exists")  # type: ignore[union-attr]
    return cls(
        **check.gx_kwargs(),
        meta={"p3dn_rule": rule.name},
        severity="critical" if rule.severity == "ERROR" else "warning",
    )


def _run_gx(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rules: Sequence[Rule],
    sample_columns: tuple[str, ...],
    sample_size: int,
) -> dict[str, RuleResult]:
    gx = _import_gx()
    import sqlalchemy as sa

    version = str(gx.__version__)
    datasource = None
    try:
        try:
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            # The URL only selects duckdb_engine's dialect; connections come from `creator`.
            # NullPool: each GX connection is a fresh cursor, closed when GX closes it.
            datasource = context.data_sources.add_sql(
                name="p3dn_duckdb",
                connection_string="duckdb:///:memory:",
                kwargs={"creator": _gx_connection_factory(con, schema), "poolclass": sa.pool.NullPool},
            )
            asset = datasource.add_table_asset(name=f"{schema}.{table}", table_name=table, schema_name=schema)
            batch = asset.add_batch_definition_whole_table("whole_table").get_batch()
        except GXCompatibilityError:
            raise
        except Exception as e:
            raise _gx_error(
                version,
                f"could not build a SQL datasource on the caller's DuckDB connection "
                f"(data_sources.add_sql(kwargs={{'creator': ...}}) -> table asset -> batch): {e!r}",
            ) from e

        suite = gx.ExpectationSuite(
            name=f"p3dn.{schema}.{table}", expectations=[_to_gx_expectation(gx, r) for r in rules]
        )
        result_format: dict[str, Any] = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": max(sample_size, 1),
            "return_unexpected_index_query": False,
        }
        if sample_columns:
            result_format["unexpected_index_column_names"] = list(sample_columns)
        try:
            suite_result = batch.validate(suite, result_format=result_format)
        except Exception as e:
            raise _gx_error(version, f"Batch.validate(suite) raised {e!r}") from e
    finally:
        if datasource is not None:
            try:
                datasource.get_engine().dispose()
            except Exception:  # pragma: no cover - best effort cleanup
                pass

    by_rule: dict[str, Any] = {}
    for evr in suite_result.results:
        rule_name = (evr.expectation_config.meta or {}).get("p3dn_rule")
        by_rule[rule_name] = evr
    results: dict[str, RuleResult] = {}
    for rule in rules:
        evr = by_rule.get(rule.name)
        if evr is None:
            raise _gx_error(version, f"the suite result has no result for rule {rule.name} (matched by meta)")
        results[rule.name] = _parse_gx_result(version, rule, evr, sample_columns, sample_size)
    return results


_MAP_KEYS = ("element_count", "unexpected_count", "unexpected_percent")


def _parse_gx_result(
    version: str, rule: Rule, evr: Any, sample_columns: tuple[str, ...], sample_size: int
) -> RuleResult:
    check = rule.expectation
    info = evr.exception_info or {}
    raised = [info] if "raised_exception" in info else list(info.values())
    for item in raised:
        if isinstance(item, Mapping) and item.get("raised_exception"):
            raise _gx_error(
                version,
                f"{check.gx_type} for rule {rule.name} raised on the duckdb dialect "
                f"({item.get('exception_message')}); GX computes every rule of this kind in-database",
            )
    if evr.expectation_config.type != check.gx_type:
        raise _gx_error(
            version, f"rule {rule.name} came back as {evr.expectation_config.type!r}, not {check.gx_type!r}"
        )
    result = dict(evr.result or {})

    if isinstance(check, RowCountBetween):
        if "observed_value" not in result:
            raise _gx_error(version, f"{check.gx_type} returns no observed_value on the duckdb dialect")
        observed = result["observed_value"]
        return RuleResult(
            rule_name=rule.name,
            severity=rule.severity,
            success=bool(evr.success),
            element_count=int(observed),
            unexpected_count=None,
            unexpected_percent=None,
            observed_value=observed,
            samples=(),
            expectation_type=check.gx_type,
            expectation_kwargs=check.gx_kwargs(),
            description=rule.description,
            executed_by=f"great_expectations=={version}",
            sample_columns=sample_columns,
        )

    missing = [k for k in _MAP_KEYS if k not in result]
    if missing:
        raise _gx_error(version, f"{check.gx_type} returns no {missing} on the duckdb dialect")
    # On an empty table GX reports None counts: nothing was checked, nothing is unexpected.
    unexpected = int(result["unexpected_count"] or 0)
    samples: tuple[dict[str, Any], ...] = ()
    if unexpected and sample_size:
        if sample_columns:
            index_list = result.get("partial_unexpected_index_list")
            if not index_list:
                raise _gx_error(
                    version,
                    f"{check.gx_type} returns no partial_unexpected_index_list with "
                    f"unexpected_index_column_names={list(sample_columns)} on the duckdb dialect",
                )
            shown = list(dict.fromkeys([*sample_columns, *check.columns]))
            samples = tuple({c: row.get(c) for c in shown} for row in index_list[:sample_size])
        else:
            values = result.get("partial_unexpected_list") or []
            samples = tuple({check.columns[0]: v} for v in values[:sample_size])
    percent = result["unexpected_percent"]
    return RuleResult(
        rule_name=rule.name,
        severity=rule.severity,
        success=bool(evr.success),
        element_count=int(result["element_count"] or 0),
        unexpected_count=unexpected,
        unexpected_percent=None if percent is None else float(percent),
        observed_value=result.get("observed_value"),
        samples=samples,
        expectation_type=check.gx_type,
        expectation_kwargs=check.gx_kwargs(),
        description=rule.description,
        executed_by=f"great_expectations=={version}",
        sample_columns=sample_columns,
    )


# --------------------------------------------------------------------------------------------
# Dagster
# --------------------------------------------------------------------------------------------


def check_specs(asset: Any, rules: Sequence[Rule]) -> list[dg.AssetCheckSpec]:
    """One ``AssetCheckSpec`` per rule, for ``@multi_asset_check(specs=...)``; ERROR rules block
    downstream materialisation (``blocking=True``), WARN rules do not."""
    import dagster as dg

    return [
        dg.AssetCheckSpec(
            name=rule.name,
            asset=asset,
            description=rule.description,
            blocking=rule.severity == "ERROR",
        )
        for rule in rules
    ]


def to_asset_check_result(result: RuleResult, *, asset_key: Any = None) -> dg.AssetCheckResult:
    """A ``dagster.AssetCheckResult`` for one rule. ``asset_key`` may be omitted inside a
    multi-asset check that targets a single asset."""
    import dagster as dg

    metadata: dict[str, Any] = {
        "element_count": _metadata_number(result.element_count),
        "unexpected_count": _metadata_number(result.unexpected_count),
        "unexpected_percent": _metadata_number(result.unexpected_percent),
        "observed_value": _metadata_scalar(result.observed_value),
        "samples": dg.MetadataValue.md(_samples_markdown(result)),
        "expectation_type": dg.MetadataValue.text(result.expectation_type),
        "expectation_kwargs": dg.MetadataValue.json(_json_safe(dict(result.expectation_kwargs))),
        "executed_by": dg.MetadataValue.text(result.executed_by),
    }
    return dg.AssetCheckResult(
        passed=result.success,
        asset_key=asset_key,
        check_name=result.rule_name,
        severity=dg.AssetCheckSeverity.ERROR if result.severity == "ERROR" else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=result.description,
    )


def to_asset_check_results(results: Iterable[RuleResult], *, asset_key: Any = None) -> list[dg.AssetCheckResult]:
    """One ``AssetCheckResult`` per rule result, to ``yield from`` a multi-asset check."""
    return [to_asset_check_result(r, asset_key=asset_key) for r in results]


def _metadata_number(value: int | float | None) -> Any:
    import dagster as dg

    if value is None:
        return dg.MetadataValue.null()
    if isinstance(value, int):
        return dg.MetadataValue.int(value)
    return dg.MetadataValue.float(float(value))


def _metadata_scalar(value: Any) -> Any:
    import dagster as dg

    if value is None:
        return dg.MetadataValue.null()
    if isinstance(value, bool):
        return dg.MetadataValue.bool(value)
    if isinstance(value, int):
        return dg.MetadataValue.int(value)
    if isinstance(value, float) and math.isfinite(value):
        return dg.MetadataValue.float(value)
    return dg.MetadataValue.text(str(value))


def _samples_markdown(result: RuleResult) -> str:
    if not result.samples:
        return "_no unexpected rows_" if result.unexpected_count == 0 else "_no samples_"
    columns = list(dict.fromkeys(c for row in result.samples for c in row))
    lines = [
        "| " + " | ".join(_md_cell(c) for c in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    for row in result.samples:
        lines.append("| " + " | ".join(_md_cell(row.get(c)) for c in columns) + " |")
    if result.unexpected_count is not None and result.unexpected_count > len(result.samples):
        lines.append("")
        lines.append(f"_{len(result.samples)} of {result.unexpected_count} unexpected rows shown_")
    return "\n".join(lines)


def _md_cell(value: Any) -> str:
    text = "NULL" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return str(value)  # Decimal, timedelta, ...


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _check_identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*)")
    return name


def _split_table(table: str, *, default_schema: str = "main") -> tuple[str, str]:
    parts = table.split(".")
    if len(parts) == 1:
        return default_schema, _check_identifier(parts[0])
    if len(parts) == 2:
        return _check_identifier(parts[0]), _check_identifier(parts[1])
    raise ValueError(f"table must be 'schema.table' or 'table', got {table!r}")


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _table_columns(cur: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "AND table_catalog = current_database()",
        [schema, table],
    ).fetchall()
    if not rows:
        raise ValueError(f"table {schema}.{table} does not exist (or has no columns)")
    return {r[0] for r in rows}
