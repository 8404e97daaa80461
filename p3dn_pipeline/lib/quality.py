"""Quality rules for DuckDB tables: Great Expectations 1.x suites run by GX inside DuckDB, reported
to Dagster.

The pipeline's rules live in stored Expectation Suites, GX's own JSON, one per staging table
(``defs/<source>/expectations/<table>.json``) and one per mart with plausibility rules
(``defs/marts/expectations/``). :func:`load_suite` reads one into :class:`Rule` objects (a
Dagster check name, our severity and description from each expectation's ``meta``, and GX's
type and kwargs as written) without importing GX; :func:`validate_suite` hands exactly those
expectations to GX and returns one :class:`RuleResult` per rule plus GX's own
``ExpectationSuiteValidationResult`` JSON; :func:`to_asset_check_results` turns the results
into ``dagster.AssetCheckResult`` objects. The helpers :class:`NotNull`, :class:`Unique`,
:class:`Between`, :class:`InSet`, :class:`MatchesRegex`, :class:`RowCondition`,
:class:`ExistsIn`, :class:`SumsMatch` and :class:`RowCountBetween` write such expectations
(tests, benchmarks, :func:`write_suite`)::

    rules = load_suite("p3dn_pipeline/defs/<source>/expectations/<table>.json")
    validation = validate_suite(conn, "staging.<table>", rules)
    yield from to_asset_check_results(validation.results)

Who executes what (verified with great_expectations 1.24.1, duckdb 2.0.1, duckdb-engine 0.17.0,
SQLAlchemy 2.1): GX, always, on the duckdb dialect; no table is pulled into Python (only
aggregates and at most a few hundred rows per rule leave the database).

* Column expectations (``expect_column_values_to_not_be_null``, ``..._to_be_between``,
  ``..._to_be_in_set``, ``expect_table_row_count_to_be_between``) are GX built-ins: GX bundles
  their aggregates into one ``SELECT sum(CASE ...)`` pass and returns unexpected counts and up
  to ``sample_size`` unexpected rows with their ``_source_file``/``_source_row``
  (``unexpected_index_column_names``), in result format SUMMARY.
* Everything else is GX's ``UnexpectedRowsExpectation``: a query on ``{batch}`` returning the
  unexpected rows (file, row and the columns a reader needs). GX counts them with
  ``SELECT COUNT(*) FROM (<query>)`` and, in result format COMPLETE (so a second
  ``batch.validate`` pass), returns the first 200; our samples are the first ``sample_size`` of
  those by file and row. Uniqueness is a ``GROUP BY ... HAVING count(*) > 1`` join (GX's own
  ``ExpectColumnValuesToBeUnique`` computes ``count(*) OVER (PARTITION BY ...)`` three times,
  3.9 s for one 10-million-row column); a regex is DuckDB's ``regexp_matches`` (GX raises
  "Regex is not supported for dialect duckdb"); exists-in and sums-match read the other table
  in the query. Such a rule costs two scans of its columns and shares none with another rule:
  see benchmarks/RESULTS.md (2026-12-05) for what that costs at 10 million rows. It has no
  ``mostly``, and its percentage is of all rows.

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
   connection is untouched). That is also why the table asset needs no ``schema_name``, which
   GX 1.14+ deprecates (a test fails on any GX deprecation warning).

4. GX runs each ``UnexpectedRowsExpectation`` as two queries: ``SELECT COUNT(*) ... FROM (<query>)``
   for its count and ``<query>`` itself for its first 200 rows, each a full read of the table
   (for a uniqueness rule, a 10-million-group aggregate, twice). The cursor knows the queries of
   the validation's rules (:class:`_RuleQueries`) and runs each once: the rows it keeps
   (``_GX_MAX_ROWS``) answer the row query, and when the query returned no more than that, the
   COUNT too (the count is then exactly the rows it returned). Above that, the COUNT runs as GX
   wrote it. A statement of any other form runs as GX sent it.

GX is imported lazily (about 2.7 s; in a background thread while DuckDB checks the columns);
importing this module imports neither GX nor SQLAlchemy nor Dagster. Anything GX returns that
breaks one of these assumptions raises :class:`GXCompatibilityError` naming the GX version.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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
    "SuiteExpectation",
    "SumsMatch",
    "Unique",
    "Validation",
    "GX_MODULES",
    "check_specs",
    "load_suite",
    "suite_json",
    "to_asset_check_result",
    "to_asset_check_results",
    "validate_suite",
    "validate_table",
    "write_suite",
]

Severity = Literal["ERROR", "WARN"]
Scalar = Union[int, float, Decimal, str, date, datetime, time, bool]

DEFAULT_SAMPLE_COLUMNS: tuple[str, ...] = ("_source_file", "_source_row")
# What validating (and rendering Data Docs) imports late: a step that does either names them
# (``incremental_asset(imports=...)``), so a run imports them before its steps run side by
# side (lib/step_threads.py).
GX_MODULES: tuple[str, ...] = ("great_expectations", "duckdb_engine", "sqlalchemy")
# The most rows GX may read from one query. GX 1.x reads aggregates (one row), samples
# (`partial_unexpected_count` rows), column reflection (one row) and, for
# UnexpectedRowsExpectation, 200 rows; anything more means it is pulling a table into Python.
_GX_MAX_ROWS = 1000
_GX_SUPPORTED_MAJOR = 1
# The version the suites were written with and the tests run on (pyproject.toml pins it).
_GX_PINNED = "1.24.1"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CHECK_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class GXCompatibilityError(RuntimeError):
    """Great Expectations did not behave as this layer assumes (an upgrade changed it)."""


# --------------------------------------------------------------------------------------------
# Declarative checks: Python helpers that write a GX expectation (type + kwargs). The pipeline's
# own rules live in stored suite files (defs/<source>/expectations/<table>.json, read with
# load_suite); these helpers write those files and serve tests and benchmarks.
# --------------------------------------------------------------------------------------------

URE_TYPE = "unexpected_rows_expectation"


def _mostly_kwargs(mostly: float) -> dict[str, Any]:
    if not 0.0 < mostly <= 1.0:
        raise ValueError(f"mostly must be in (0, 1], got {mostly}")
    return {} if mostly == 1.0 else {"mostly": mostly}


def _no_mostly(kind: str, mostly: float) -> None:
    # GX's UnexpectedRowsExpectation fails on any unexpected row; it has no `mostly`.
    if mostly != 1.0:
        raise ValueError(f"{kind} runs as GX's UnexpectedRowsExpectation, which has no mostly")


def _ident(name: str) -> str:
    """A column or table name as written in a query a data engineer reads: bare when plain."""
    return name if _IDENTIFIER.match(name) else _q(name)


def _query_text(sql: str) -> str:
    # GX fills {batch} with str.format, so any other brace (a regex quantifier {6}, a struct
    # literal) must be doubled in the stored query.
    return sql.replace("{", "{{").replace("}", "}}")


def _select_list(columns: Sequence[str], lineage: bool, prefix: str = "") -> str:
    # Only the columns the samples show: GX fetches up to 200 of these rows, and DuckDB then
    # reads just these columns (SELECT * would read the whole table once more per rule).
    shown = [*(DEFAULT_SAMPLE_COLUMNS if lineage else ()), *columns]
    return ", ".join(prefix + _ident(c) for c in dict.fromkeys(shown))


def _unexpected_rows_query(columns: Sequence[str], lineage: bool, where: str) -> str:
    return (f"SELECT {_select_list(columns, lineage)} FROM {{batch}} WHERE "
            + _query_text(where))


@dataclass(frozen=True)
class NotNull:
    """Column has no NULLs (``ExpectColumnValuesToNotBeNull``)."""

    column: str
    mostly: float = 1.0

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

    GX's own ``ExpectColumnValuesToBeUnique`` computes ``count(*) OVER (PARTITION BY ...)``
    three times (3.9 s for one 10-million-row column on the 2-core machine), so this is an
    ``UnexpectedRowsExpectation`` whose query joins the table to its duplicated keys (a hash
    aggregate). As in GX, every row of a duplicated key is unexpected and, with several
    columns, a key holding a NULL is not compared.
    """

    columns: tuple[str, ...]
    mostly: float = 1.0
    lineage: bool = True  # the table has _source_file/_source_row, shown first

    gx_type: ClassVar[str] = URE_TYPE

    def __post_init__(self) -> None:
        if isinstance(self.columns, str):
            object.__setattr__(self, "columns", (self.columns,))
        object.__setattr__(self, "columns", tuple(self.columns))
        if not self.columns:
            raise ValueError("Unique needs at least one column")
        _no_mostly("Unique", self.mostly)

    def gx_kwargs(self) -> dict[str, Any]:
        keys = ", ".join(_ident(c) for c in self.columns)
        not_null = " AND ".join(f"{_ident(c)} IS NOT NULL" for c in self.columns)
        return {"unexpected_rows_query": (
            f"SELECT {_select_list(self.columns, self.lineage)} FROM {{batch}} JOIN (SELECT {keys} FROM {{batch}} WHERE {not_null} "
            f"GROUP BY ALL HAVING count(*) > 1) AS duplicated_keys USING ({keys})")}


@dataclass(frozen=True)
class Between:
    """Values lie in ``[min_value - tolerance, max_value + tolerance]`` (either bound optional).

    ``tolerance`` widens both bounds: a number for numeric columns, a ``timedelta`` for dates.
    ``mostly`` lets a fraction of rows fall outside. NULLs are skipped
    (``ExpectColumnValuesToBeBetween``).
    """

    column: str
    min_value: Scalar | None = None
    max_value: Scalar | None = None
    tolerance: int | float | Decimal | timedelta | None = None
    mostly: float = 1.0

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
    """Values belong to a fixed set; NULLs are skipped (``ExpectColumnValuesToBeInSet``)."""

    column: str
    values: tuple[Scalar, ...]
    mostly: float = 1.0

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

    GX 1.x raises "Regex is not supported for dialect duckdb" for
    ``ExpectColumnValuesToMatchRegex``, so this is an ``UnexpectedRowsExpectation`` with
    DuckDB's ``regexp_matches`` (braces of the pattern doubled in the stored query).
    """

    column: str
    regex: str
    mostly: float = 1.0
    lineage: bool = True  # the table has _source_file/_source_row, shown first

    gx_type: ClassVar[str] = URE_TYPE

    def __post_init__(self) -> None:
        re.compile(self.regex)  # fail at definition time on a malformed pattern
        _no_mostly("MatchesRegex", self.mostly)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def gx_kwargs(self) -> dict[str, Any]:
        return {"unexpected_rows_query": _unexpected_rows_query(
            self.columns, self.lineage, f"NOT regexp_matches({_ident(self.column)}, {_sql_string(self.regex)})")}


@dataclass(frozen=True)
class RowCondition:
    """Every row satisfies a DuckDB boolean expression over its own columns, e.g.
    ``RowCondition("abs(total_harga - kuantitas * harga_satuan) <= 1",
    ("total_harga", "kuantitas", "harga_satuan"))``. ``columns`` lists the columns the
    expression reads (shown in samples). A row whose expression is NULL is not unexpected;
    add NotNull rules for completeness. An ``UnexpectedRowsExpectation``.
    """

    expression: str
    columns: tuple[str, ...]
    mostly: float = 1.0
    lineage: bool = True  # the table has _source_file/_source_row, shown first

    gx_type: ClassVar[str] = URE_TYPE

    def __post_init__(self) -> None:
        if isinstance(self.columns, str):
            object.__setattr__(self, "columns", (self.columns,))
        object.__setattr__(self, "columns", tuple(self.columns))
        if not self.expression.strip():
            raise ValueError("RowCondition needs an expression")
        _no_mostly("RowCondition", self.mostly)

    def gx_kwargs(self) -> dict[str, Any]:
        return {"unexpected_rows_query": _unexpected_rows_query(
            self.columns, self.lineage, f"NOT ({self.expression})")}


@dataclass(frozen=True)
class ExistsIn:
    """Every non-NULL value of ``column`` exists in ``ref_table.ref_column`` (referential
    integrity). ``ref_table`` is ``schema.table`` or ``table`` (then in the validated table's
    schema). An ``UnexpectedRowsExpectation`` (``NOT IN (SELECT ...)``, a hash anti-join in
    DuckDB; NULLs in the reference column are ignored so they cannot make every value unknown).
    """

    column: str
    ref_table: str
    ref_column: str
    mostly: float = 1.0
    lineage: bool = True  # the table has _source_file/_source_row, shown first

    gx_type: ClassVar[str] = URE_TYPE

    def __post_init__(self) -> None:
        _split_table(self.ref_table)
        _check_identifier(self.ref_column)
        _no_mostly("ExistsIn", self.mostly)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def gx_kwargs(self) -> dict[str, Any]:
        column = _ident(self.column)
        return {"unexpected_rows_query": _unexpected_rows_query(
            self.columns, self.lineage, f"{column} IS NOT NULL AND {column} NOT IN (SELECT {self.ref_column} FROM "
            f"{self.ref_table} WHERE {self.ref_column} IS NOT NULL)")}


@dataclass(frozen=True)
class SumsMatch:
    """Per key, the sum of ``column`` equals the sum of ``ref_column`` in ``ref_table`` for the
    same key, within ``tolerance`` (two tables telling the same amount).

    ``key`` names the grouping columns here, ``ref_key`` the matching columns of ``ref_table``
    (default: the same names). Only keys found on both sides are compared, and only where both
    sums are known: a key missing on one side is an ExistsIn question. Every row of a key whose
    sums differ is unexpected; its samples carry both sums. An ``UnexpectedRowsExpectation``.
    """

    column: str
    key: tuple[str, ...]
    ref_table: str
    ref_column: str
    ref_key: tuple[str, ...] | None = None
    tolerance: int | float | Decimal = 0
    mostly: float = 1.0
    lineage: bool = True  # the table has _source_file/_source_row, shown first

    gx_type: ClassVar[str] = URE_TYPE

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
        _no_mostly("SumsMatch", self.mostly)

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
        ref_keys = ", ".join(self.ref_key or ())
        not_null = " AND ".join(f"{k} IS NOT NULL" for k in self.key)
        ref_not_null = " AND ".join(f"{k} IS NOT NULL" for k in self.ref_key or ())
        join = " AND ".join(f"o.{k} = r.{rk}" for k, rk in zip(self.key, self.ref_key or ()))
        back = " AND ".join(f"t.{k} = d.{k}" for k in self.key)
        return {"unexpected_rows_query": (
            f"SELECT {_select_list(self.columns, self.lineage, 't.')}, d.total AS {self.sum_label}, d.ref_total AS {_q(self.ref_label)} "
            f"FROM {{batch}} AS t JOIN (SELECT {', '.join('o.' + k for k in self.key)}, o.total, "
            f"r.total AS ref_total FROM (SELECT {keys}, sum({self.column}) AS total FROM {{batch}} "
            f"WHERE {not_null} GROUP BY ALL) AS o JOIN (SELECT {ref_keys}, "
            f"sum({self.ref_column}) AS total FROM {self.ref_table} WHERE {ref_not_null} "
            f"GROUP BY ALL) AS r ON {join} WHERE abs(o.total - r.total) > {self.tolerance}) AS d "
            f"ON {back}")}


@dataclass(frozen=True)
class RowCountBetween:
    """The table's row count lies in range (``ExpectTableRowCountToBeBetween``)."""

    min_value: int | None = None
    max_value: int | None = None

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


@dataclass(frozen=True)
class SuiteExpectation:
    """One expectation as read from a stored suite file: GX's ``type`` and ``kwargs`` as
    written there; ``columns`` is a column expectation's column (checked to exist). An
    UnexpectedRowsExpectation's samples show the columns its query selects."""

    gx_type: str
    kwargs: Mapping[str, Any]
    columns: tuple[str, ...] = ()
    mostly: float = 1.0

    def gx_kwargs(self) -> dict[str, Any]:
        return dict(self.kwargs)

    def __repr__(self) -> str:  # stable: part of the staging asset's fingerprint
        return (f"SuiteExpectation({self.gx_type!r}, "
                f"{json.dumps(_json_safe(dict(self.kwargs)), sort_keys=True)}, {self.columns!r})")


Check = Union[NotNull, Unique, Between, InSet, MatchesRegex, RowCondition, ExistsIn, SumsMatch,
              RowCountBetween, SuiteExpectation]


def is_unexpected_rows(check: Check) -> bool:
    return check.gx_type == URE_TYPE


def tables_referenced(check: Check) -> list[str]:
    """Tables an UnexpectedRowsExpectation reads besides its own batch (``schema.table``)."""
    if not is_unexpected_rows(check):
        return []
    query = str(check.gx_kwargs()["unexpected_rows_query"])
    found = re.findall(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)\b",
                       query, flags=re.IGNORECASE)
    return list(dict.fromkeys(found))


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
    """What one rule found. For column expectations the counts are GX's (``unexpected_percent``
    of the non-NULL values the rule looked at, of all rows for NotNull); for an
    UnexpectedRowsExpectation ``unexpected_count`` is GX's observed count of rows the query
    returned and the percentage is of all rows. ``samples`` are at most ``sample_size``
    unexpected rows, each a dict of the sample columns (``_source_file``, ``_source_row``) and
    the rule's columns. ``executed_by`` is ``great_expectations==<version>``."""

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
# Stored Expectation Suites: the JSON GX writes (ExpectationSuite.to_json_dict) and reads
# --------------------------------------------------------------------------------------------

_GX_SEVERITY = {"ERROR": "critical", "WARN": "warning"}


def suite_json(name: str, rules: Sequence[Rule]) -> dict[str, Any]:
    """The suite file for ``rules``, in GX 1.x's ``ExpectationSuite`` JSON layout: each
    expectation's ``meta`` carries the Dagster check name, our severity (ERROR/WARN, mirrored
    in GX's own ``severity``: critical/warning) and the description."""
    expectations = []
    for rule in rules:
        check = rule.expectation
        meta: dict[str, Any] = {"dagster_check": rule.name, "severity": rule.severity,
                                "description": rule.description}
        expectations.append({"type": check.gx_type, "kwargs": _json_safe(check.gx_kwargs()),
                             "meta": meta, "severity": _GX_SEVERITY[rule.severity]})
    return {"name": name, "id": None, "expectations": expectations,
            "meta": {"great_expectations_version": _GX_PINNED}, "notes": None}


def write_suite(path: str | os.PathLike[str], name: str, rules: Sequence[Rule]) -> None:
    text = json.dumps(suite_json(name, rules), indent=2, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _selected_columns(query: str) -> tuple[str, ...]:
    """Plain columns of a query's outer SELECT list (``t.`` prefixes dropped, computed ``AS``
    items left out): ``SELECT _source_file, t.kd, sum(x) AS s FROM ...`` -> (_source_file, kd)."""
    match = re.match(r"\s*SELECT\s+(.*?)\s+FROM\s", query, flags=re.IGNORECASE | re.DOTALL)
    if not match or "(" in match.group(1):
        return ()
    found = []
    for item in match.group(1).split(","):
        name = item.strip().split(".")[-1]
        if _IDENTIFIER.match(name) and not re.search(r"\sAS\s", item, flags=re.IGNORECASE):
            found.append(name)
    return tuple(found)


def load_suite(path: str | os.PathLike[str]) -> tuple[Rule, ...]:
    """The rules of a stored suite file (the suite is what runs: its expectations are handed
    to GX as written). Read without importing GX, so loading definitions stays fast; a file
    GX would not read, or whose meta lacks what Dagster needs, fails here, naming it."""
    where = os.fspath(path)
    with open(where, encoding="utf-8") as f:
        suite = json.load(f)
    if not isinstance(suite, dict) or not isinstance(suite.get("expectations"), list):
        raise ValueError(f"{where}: not an ExpectationSuite JSON (no 'expectations' list)")
    rules = []
    for i, item in enumerate(suite["expectations"]):
        at = f"{where}: expectation {i}"
        meta = item.get("meta") or {}
        for key in ("dagster_check", "severity", "description"):
            if not meta.get(key):
                raise ValueError(f"{at} has no meta.{key}")
        at = f"{where}: {meta['dagster_check']}"
        gx_type, kwargs = item.get("type"), item.get("kwargs")
        if not isinstance(gx_type, str) or not isinstance(kwargs, dict):
            raise ValueError(f"{at} needs a 'type' and a 'kwargs' object")
        if meta["severity"] not in _GX_SEVERITY:
            raise ValueError(f"{at}: meta.severity must be ERROR or WARN, got {meta['severity']!r}")
        if item.get("severity", "critical") != _GX_SEVERITY[meta["severity"]]:
            raise ValueError(f"{at}: GX severity {item.get('severity')!r} contradicts "
                             f"meta.severity {meta['severity']} (ERROR=critical, WARN=warning)")
        if gx_type == URE_TYPE:
            if "{batch}" not in str(kwargs.get("unexpected_rows_query", "")):
                raise ValueError(f"{at}: unexpected_rows_query must read {{batch}}")
            # The table columns its query selects (the staging contract checks they exist);
            # its samples show every column it selects.
            columns = _selected_columns(str(kwargs["unexpected_rows_query"]))
        else:
            columns = tuple(c for c in [kwargs.get("column")] if c)
        rules.append(Rule(meta["dagster_check"], SuiteExpectation(gx_type, kwargs, columns),
                          meta["severity"], meta["description"]))
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{where}: duplicate dagster_check names {duplicates}")
    return tuple(rules)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validation:
    """A table's validation: one :class:`RuleResult` per rule, and GX's own
    ``ExpectationSuiteValidationResult`` JSON (what Data Docs render; unexpected rows trimmed to
    the samples) with the suite JSON it ran."""

    results: list[RuleResult]
    suite: dict[str, Any]
    validation_result: dict[str, Any]


def validate_table(
    database: str | os.PathLike[str] | duckdb.DuckDBPyConnection,
    table: str,
    rules: Sequence[Rule],
    *,
    sample_columns: Sequence[str] = DEFAULT_SAMPLE_COLUMNS,
    sample_size: int = 5,
    read_only: bool = True,
) -> list[RuleResult]:
    """Run ``rules`` against ``table`` (``schema.table`` or ``table``) with GX, inside DuckDB.

    ``database`` is an open connection (preferred: e.g. dagster-duckdb's
    ``DuckDBResource.get_connection()``; we only use ``cursor()``\\ s of it, so its config and
    pending state are untouched) or a database file path, opened (``read_only`` by default) and
    closed here. Data committed by the caller's connection is visible; uncommitted writes of an
    open transaction are not. Returns one result per rule, in ``rules`` order.
    """
    return validate_suite(database, table, rules, sample_columns=sample_columns,
                          sample_size=sample_size, read_only=read_only).results


def validate_suite(
    database: str | os.PathLike[str] | duckdb.DuckDBPyConnection,
    table: str,
    rules: Sequence[Rule],
    *,
    suite_name: str | None = None,
    sample_columns: Sequence[str] = DEFAULT_SAMPLE_COLUMNS,
    sample_size: int = 5,
    read_only: bool = True,
) -> Validation:
    """:func:`validate_table`, also returning GX's validation result and the suite JSON."""
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate rule names: {duplicates}")
    if sample_size < 0:
        raise ValueError("sample_size must be >= 0")
    schema, name = _split_table(table)
    suite_name = suite_name or f"{schema}.{name}"

    if isinstance(database, duckdb.DuckDBPyConnection):
        return _validate(database, schema, name, rules, tuple(sample_columns), sample_size, suite_name)
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
        return _validate(con, schema, name, rules, tuple(sample_columns), sample_size, suite_name)
    finally:
        con.close()


def _validate(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rules: Sequence[Rule],
    sample_columns: tuple[str, ...],
    sample_size: int,
    suite_name: str,
) -> Validation:
    with importing_gx_meanwhile():  # only DuckDB queries in this block
        cur = con.cursor()
        try:
            table_columns = _table_columns(cur, schema, table)
            for rule in rules:
                check = rule.expectation
                wanted = [] if is_unexpected_rows(check) and isinstance(check, SuiteExpectation) else check.columns
                missing = [c for c in wanted if c not in table_columns]
                if missing:
                    raise ValueError(f"rule {rule.name}: {schema}.{table} has no column(s) {missing}")
                if isinstance(check, (ExistsIn, SumsMatch)):
                    ref_schema, ref_name = _split_table(check.ref_table, default_schema=schema)
                    ref_columns = _table_columns(cur, ref_schema, ref_name)
                    needed = [check.ref_column]
                    if isinstance(check, SumsMatch):
                        needed += list(check.ref_key or ())
                    for column in needed:
                        if column not in ref_columns:
                            raise ValueError(f"rule {rule.name}: {ref_schema}.{ref_name} has no column {column!r}")
            present_samples = tuple(c for c in sample_columns if c in table_columns)
            row_count = None
            if any(is_unexpected_rows(r.expectation) for r in rules):
                # The denominator of an UnexpectedRowsExpectation's percentage (DuckDB answers
                # count(*) of a table from its metadata).
                row_count = int(cur.execute(f"SELECT count(*) FROM {_q(schema)}.{_q(table)}").fetchall()[0][0])
        finally:
            cur.close()
    return _run_gx(con, schema, table, rules, present_samples, sample_size, suite_name, row_count)


# ---- GX ----------------------------------------------------------------------------------------


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
    `_import_gx()` imports again on the caller's thread, so an import error surfaces there.

    Only while the caller runs nothing but DuckDB queries: GX imports SQLAlchemy's ORM, pandas
    and numpy, and a thread that meanwhile reaches a module still being imported can find it
    half initialised. Started earlier, at the file ledger (to overlap the raw loads), it broke
    a run: Dagster's event storage met `sqlalchemy.orm.exc` half imported ("partially
    initialized module ... has no attribute 'UnmappedClassError'"). Holding Python's import
    lock for the whole import (``_imp.acquire_lock()``) makes that safe, but then every other
    thread's first import of any module waits for GX: at the ledger the inventory's threads
    waited on ``python_calamine`` and ``encodings.cp437``, and what was left was 1.5 s of a
    69 s run (benchmarks/RESULTS.md, 2026-12-07 20:40); not kept."""
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


@contextmanager
def importing_gx_meanwhile() -> Iterator[None]:
    """Import GX in a background thread while the block runs: for a block that runs nothing
    but DuckDB queries (a table's own SQL, before it is validated), which release the GIL, so
    the 2.7 s import overlaps them instead of following them. It is over when the block is:
    what follows may log to Dagster, which imports modules of its own (the
    :func:`_start_gx_import` hazard)."""
    thread = _start_gx_import()
    try:
        yield
    finally:
        if thread is not None:
            thread.join()


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
        def __init__(self, inner: Any, rule_queries: _RuleQueries | None) -> None:
            self._inner = inner
            self._rule_queries = rule_queries
            self._rows: list[tuple[Any, ...]] = []
            self._pos = 0
            self._truncated = False
            self.description: Any = None

        def _read(self, statement: str, parameters: Any, context: Any) -> _BufferedResult:
            self._inner.execute(statement, parameters, context)
            description = self._inner.description
            if description is None:
                return _BufferedResult(None, [], False)
            rows = self._inner.fetchmany(_GX_MAX_ROWS + 1)
            return _BufferedResult(description, rows[:_GX_MAX_ROWS], len(rows) > _GX_MAX_ROWS)

        def _rule_rows(self, query: str, context: Any) -> _BufferedResult:
            queries = self._rule_queries
            assert queries is not None
            if query not in queries.results:
                queries.results[query] = self._read(query, None, context)
                queries.executed.append(query)
            return queries.results[query]

        def execute(self, statement: str, parameters: Any = None, context: Any = None) -> None:
            result = None
            queries = self._rule_queries
            if queries is not None and not parameters:
                counted = queries.counted_query(statement)
                if counted is not None:
                    rows = self._rule_rows(counted, context)
                    if not rows.truncated:
                        # Every row the query returns is in hand: their number is the COUNT.
                        queries.counts_answered += 1
                        result = self._read(f"SELECT {len(rows.rows)}::BIGINT AS unexpected_row_count",
                                            None, context)
                elif queries.is_rule_query(statement):
                    result = self._rule_rows(statement, context)
            if result is None:
                result = self._read(statement, parameters, context)
            self.description = result.description
            self._rows, self._pos, self._truncated = list(result.rows), 0, result.truncated

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
        def __init__(self, inner: Any, rule_queries: _RuleQueries | None = None) -> None:
            super().__init__(inner)
            self._rule_queries = rule_queries

        def cursor(self) -> BufferedCursor:  # type: ignore[override]
            return BufferedCursor(super().cursor(), self._rule_queries)

    _BUFFERED_CONNECTION_CLASS = BufferedConnection
    return BufferedConnection


@dataclass(frozen=True)
class _BufferedResult:
    description: Any
    rows: list[tuple[Any, ...]]
    truncated: bool  # the query returned more than _GX_MAX_ROWS rows


class _RuleQueries:
    """The ``unexpected_rows_query`` texts of one validation's rules, and each one's result once run.

    A statement is a rule's query when it is that text with ``{batch}`` replaced by whatever GX
    put there (a table, or a subquery and its alias); the COUNT GX wraps around it is
    recognised by its exact form in GX 1.x (``QueryRowCount``). Results live as long as the
    validation: the table does not change while GX reads it.
    """

    _COUNT_FORM = re.compile(
        r"\ASELECT COUNT\(\*\) as unexpected_row_count FROM \((?P<query>.*)\) AS substituted_batch_subquery\Z",
        re.DOTALL)

    def __init__(self, queries: Sequence[str]) -> None:
        self._patterns = [self._pattern(q) for q in dict.fromkeys(queries)]
        self.results: dict[str, _BufferedResult] = {}
        self.executed: list[str] = []  # each rule query DuckDB ran, in order (tests read it)
        self.counts_answered = 0  # COUNT statements answered from a query's rows

    @staticmethod
    def _pattern(query: str) -> re.Pattern[str]:
        marker = "\x00batch\x00"
        # As GX formats it: str.format ({{ }} are literal braces), trailing semicolons dropped.
        text = query.format(batch=marker).rstrip("; \t\r\n\v\f")
        return re.compile(r"\A" + re.escape(text).replace(re.escape(marker), r".+?") + r"\Z", re.DOTALL)

    def is_rule_query(self, statement: str) -> bool:
        return any(p.match(statement) for p in self._patterns)

    def counted_query(self, statement: str) -> str | None:
        """The rule query inside GX's ``SELECT COUNT(*)`` statement, or None."""
        m = self._COUNT_FORM.match(statement)
        if m is None or not self.is_rule_query(m.group("query")):
            return None
        return m.group("query")


def _gx_connection_factory(con: duckdb.DuckDBPyConnection, schema: str,
                           rule_queries: _RuleQueries | None = None) -> Any:
    connection_class = _buffered_connection_class()

    def create() -> Any:
        cursor = con.cursor()  # same database instance as the caller: no config clash, no new lock
        cursor.execute(f"SET search_path = '{schema}'")
        return connection_class(cursor, rule_queries)

    return create


def _to_gx_expectation(rule: Rule) -> Any:
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    check = rule.expectation
    meta: dict[str, Any] = {"dagster_check": rule.name, "severity": rule.severity,
                            "description": rule.description}
    config = ExpectationConfiguration(type=check.gx_type, kwargs=dict(check.gx_kwargs()), meta=meta,
                                      severity=_GX_SEVERITY[rule.severity])
    return config.to_domain_obj()


def _skip_config_saves(context: Any) -> None:
    """An ephemeral context still "saves" its whole project config after each datasource,
    asset and batch definition is added: a YAML dump into an in-memory store that nothing
    reads back (3 per validation, about a sixth of a validation's time). This context lives
    for one validation, so those saves are skipped."""
    import great_expectations as gx
    from great_expectations.data_context import EphemeralDataContext

    if not isinstance(context, EphemeralDataContext):
        raise _gx_error(str(gx.__version__), "get_context(mode='ephemeral') returned a "
                        f"{type(context).__name__}, whose saves may be read back")
    context._save_project_config = lambda: None


def _run_gx(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rules: Sequence[Rule],
    sample_columns: tuple[str, ...],
    sample_size: int,
    suite_name: str,
    row_count: int | None,
) -> Validation:
    gx = _import_gx()
    import sqlalchemy as sa

    version = str(gx.__version__)
    rule_queries = _RuleQueries([r.expectation.gx_kwargs()["unexpected_rows_query"]
                                 for r in rules if is_unexpected_rows(r.expectation)])
    datasource = None
    try:
        try:
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            _skip_config_saves(context)
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            # The URL only selects duckdb_engine's dialect; connections come from `creator`,
            # whose cursors have the table's schema as search_path (so no schema_name, which
            # GX 1.14+ deprecates). NullPool: each GX connection is a fresh cursor.
            datasource = context.data_sources.add_sql(
                name="p3dn_duckdb",
                connection_string="duckdb:///:memory:",
                kwargs={"creator": _gx_connection_factory(con, schema, rule_queries), "poolclass": sa.pool.NullPool},
            )
            asset = datasource.add_table_asset(name=f"{schema}.{table}", table_name=table)
            batch = asset.add_batch_definition_whole_table("whole_table").get_batch()
        except GXCompatibilityError:
            raise
        except Exception as e:
            raise _gx_error(
                version,
                f"could not build a SQL datasource on the caller's DuckDB connection "
                f"(data_sources.add_sql(kwargs={{'creator': ...}}) -> table asset -> batch): {e!r}",
            ) from e

        try:
            expectations = {r.name: _to_gx_expectation(r) for r in rules}
        except Exception as e:
            raise ValueError(f"{schema}.{table}: GX does not accept an expectation of its suite: {e}") from e
        # Two passes, because GX applies one result_format to a whole validation: column
        # expectations in SUMMARY (counts, and `sample_size` unexpected rows by file and row,
        # in one bundled aggregate scan), UnexpectedRowsExpectations in COMPLETE (the only
        # format in which GX returns the rows, at most 200, that its query found).
        map_rules = [r for r in rules if not is_unexpected_rows(r.expectation)]
        row_rules = [r for r in rules if is_unexpected_rows(r.expectation)]
        summary: dict[str, Any] = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": max(sample_size, 1),
            "return_unexpected_index_query": False,
        }
        if sample_columns:
            summary["unexpected_index_column_names"] = list(sample_columns)
        evrs: dict[str, Any] = {}
        meta: dict[str, Any] = {}
        for group, result_format in ((map_rules, summary), (row_rules, {"result_format": "COMPLETE"})):
            if not group:
                continue
            suite = gx.ExpectationSuite(name=suite_name, expectations=[expectations[r.name] for r in group])
            try:
                suite_result = batch.validate(suite, result_format=result_format)
            except Exception as e:
                raise _gx_error(version, f"Batch.validate(suite) raised {e!r}") from e
            meta = meta or dict(suite_result.meta or {})
            for evr in suite_result.results:
                evrs[(evr.expectation_config.meta or {}).get("dagster_check")] = evr
    finally:
        if datasource is not None:
            try:
                datasource.get_engine().dispose()
            except Exception:  # pragma: no cover - best effort cleanup
                pass

    results: list[RuleResult] = []
    for rule in rules:
        evr = evrs.get(rule.name)
        if evr is None:
            raise _gx_error(version, f"the suite result has no result for rule {rule.name} (matched by meta)")
        if is_unexpected_rows(rule.expectation):
            results.append(_parse_rows_result(version, rule, evr, sample_columns, sample_size, row_count))
        else:
            results.append(_parse_gx_result(version, rule, evr, sample_columns, sample_size))
    ordered = [evrs[r.name] for r in rules]
    for rule, evr in zip(rules, ordered):
        if is_unexpected_rows(rule.expectation):
            # Kept results hold the samples only (file, row and the rule's columns).
            shown = next(r for r in results if r.rule_name == rule.name).samples
            evr.result = {**evr.result, "details": {"unexpected_rows": [dict(s) for s in shown]}}
    for evr in ordered:
        evr.result = _decimals_as_floats(evr.result)
    from great_expectations.core import ExpectationSuiteValidationResult

    passed = sum(1 for e in ordered if e.success)
    combined = ExpectationSuiteValidationResult(
        success=passed == len(ordered), results=ordered, suite_name=suite_name,
        statistics={"evaluated_expectations": len(ordered), "successful_expectations": passed,
                    "unsuccessful_expectations": len(ordered) - passed,
                    "success_percent": 100.0 * passed / len(ordered) if ordered else None},
        meta=meta)
    full_suite = gx.ExpectationSuite(name=suite_name, expectations=[expectations[r.name] for r in rules])
    return Validation(results, full_suite.to_json_dict(), _json_safe(combined.to_json_dict()))


def _parse_rows_result(version: str, rule: Rule, evr: Any, sample_columns: tuple[str, ...],
                       sample_size: int, row_count: int | None) -> RuleResult:
    check = rule.expectation
    message = _raised(evr)
    if message is not None:
        raise ValueError(f"rule {rule.name}: its unexpected_rows_query failed in DuckDB ({message}); "
                         f"query: {check.gx_kwargs().get('unexpected_rows_query')}")
    result = dict(evr.result or {})
    if "observed_value" not in result:
        raise _gx_error(version, f"{URE_TYPE} returns no observed_value on the duckdb dialect")
    unexpected = int(result["observed_value"])
    rows = list((result.get("details") or {}).get("unexpected_rows") or [])
    if unexpected and sample_size and not rows:
        raise _gx_error(version, f"{URE_TYPE} returns no details.unexpected_rows with result_format COMPLETE")
    if sample_columns:
        # GX hands back the query's first 200 rows (in table order); the samples are the
        # first of them by file and row.
        rows.sort(key=lambda r: tuple(_sort_key(r.get(c)) for c in sample_columns))
    # Each sample is the row as the query selected it (file and row first).
    samples = tuple({c: row[c] for c in dict.fromkeys([*(c for c in sample_columns if c in row), *row])}
                    for row in rows[:sample_size])
    return _rule_result(version, rule, evr, sample_columns, samples,
                        element_count=row_count, unexpected_count=unexpected,
                        unexpected_percent=(100.0 * unexpected / row_count) if row_count else None,
                        observed_value=None)


def _rule_result(version: str, rule: Rule, evr: Any, sample_columns: tuple[str, ...],
                 samples: tuple[dict[str, Any], ...], **counts: Any) -> RuleResult:
    """The result of one rule as GX returned it: what every kind of rule reports alike, plus
    its own ``counts`` (element_count, unexpected_count, unexpected_percent, observed_value)."""
    return RuleResult(
        rule_name=rule.name,
        severity=rule.severity,
        success=bool(evr.success),
        samples=samples,
        expectation_type=rule.expectation.gx_type,
        expectation_kwargs=rule.expectation.gx_kwargs(),
        description=rule.description,
        executed_by=f"great_expectations=={version}",
        sample_columns=sample_columns,
        **counts,
    )


def _sort_key(value: Any) -> tuple[int, str, Any]:
    # NULLs last; numbers by value, anything else by text.
    if value is None:
        return (2, "", 0)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (0, "", value)
    return (1, str(value), 0)


_MAP_KEYS = ("element_count", "unexpected_count", "unexpected_percent")


def _raised(evr: Any) -> str | None:
    """The message of what GX caught while computing an expectation, if anything."""
    info = evr.exception_info or {}
    for item in [info] if "raised_exception" in info else list(info.values()):
        if isinstance(item, Mapping) and item.get("raised_exception"):
            return str(item.get("exception_message"))
    return None


def _parse_gx_result(
    version: str, rule: Rule, evr: Any, sample_columns: tuple[str, ...], sample_size: int
) -> RuleResult:
    check = rule.expectation
    message = _raised(evr)
    if message is not None:
        raise _gx_error(
            version,
            f"{check.gx_type} for rule {rule.name} raised on the duckdb dialect "
            f"({message}); GX computes every rule of this kind in-database",
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
        return _rule_result(version, rule, evr, sample_columns, (),
                            element_count=int(observed), unexpected_count=None,
                            unexpected_percent=None, observed_value=observed)

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
    return _rule_result(version, rule, evr, sample_columns, samples,
                        element_count=int(result["element_count"] or 0),
                        unexpected_count=unexpected,
                        unexpected_percent=None if percent is None else float(percent),
                        observed_value=result.get("observed_value"))


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


def to_asset_check_result(result: RuleResult, *, asset_key: Any = None,
                          metadata: Mapping[str, Any] | None = None) -> dg.AssetCheckResult:
    """A ``dagster.AssetCheckResult`` for one rule. ``asset_key`` may be omitted inside a
    multi-asset check that targets a single asset; ``metadata`` is added (e.g. a link to the
    kept GX validation result)."""
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
        **(metadata or {}),
    }
    return dg.AssetCheckResult(
        passed=result.success,
        asset_key=asset_key,
        check_name=result.rule_name,
        severity=dg.AssetCheckSeverity.ERROR if result.severity == "ERROR" else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=result.description,
    )


def to_asset_check_results(results: Iterable[RuleResult], *, asset_key: Any = None,
                           metadata: Mapping[str, Any] | None = None) -> list[dg.AssetCheckResult]:
    """One ``AssetCheckResult`` per rule result, to ``yield from`` a multi-asset check."""
    return [to_asset_check_result(r, asset_key=asset_key, metadata=metadata) for r in results]


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


def _decimals_as_floats(value: Any) -> Any:
    """``value`` with every Decimal as ``float(d)``: what GX's own serialization makes of it,
    without the way it gets there. GX's ``convert_decimal_to_float`` walks the whole call stack
    (``inspect.stack()``, reading source files) for every Decimal it meets, about 30 ms each
    under a Dagster step: 1.8 s of a scale-1 run went on the sums and samples of DECIMAL
    columns in the kept results."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _decimals_as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals_as_floats(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_decimals_as_floats(v) for v in value)
    return value


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
