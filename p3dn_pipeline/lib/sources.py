"""What a source folder declares, and the registry that finds every source folder.

A source system (LKPP, APBD, KPKP, ...) is one folder ``p3dn_pipeline/defs/<source>/``
holding everything about it:

- ``source.py`` with one ``SOURCE = Source(...)``: its datasets (how a landed file is
  recognised, which fields are personal data and how each is treated), and for each dataset
  its business key and fiscal-year column; its quality rules are the stored Expectation Suites
  in ``expectations/<dataset>.json`` (read with :func:`expectations`);
- ``sql/staging_<dataset>.sql`` per dataset, meeting the staging contract
  (``p3dn_pipeline.lib.contract``); any other ``sql/staging_<table>.sql`` builds a derived
  staging table from this source's staging tables (e.g. ``staging.ekatalog_paket``);
- ``README.md``: what the real export looks like, its traps, its definitions.

Nothing else names the source: the dataset registry used to recognise files, the raw and
staging assets, the quality report, the mart gate and ``p3dn status`` all come from
:func:`registry`, which imports every ``defs/*/source.py`` it finds.

A dataset is recognised from its field set, never from its file name: LKPP exports are
saved under whatever name the person downloading them chose. Each dataset lists

- ``required``: fields every export of that dataset carries; a file must have all of them;
- ``optional``: fields that are kept when present;
- ``personal``: fields holding personal data (UU 27/2022), which are never written in clear:
  ``hash`` fields are replaced by a keyed HMAC (column ``<name>_hash``) plus a digits-only
  shape (column ``<name>_shape``, e.g. ``9999999999999999``) so staging can still tell a
  malformed identifier from a good one; ``drop`` fields are not read at all.

Headers of spreadsheets are written by people ("Kode SKPD", "Produksi (kg)"), so each
canonical field also accepts aliases, compared case-insensitively after trimming.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from p3dn_pipeline.lib.quality import Rule, load_suite, tables_referenced

PersonalTreatment = Literal["hash", "drop"]

# Where source folders live, as a package: found by walking its folder, never listed by hand.
SOURCES_PACKAGE = "p3dn_pipeline.defs"
SOURCES_FOLDER = Path(__file__).resolve().parent.parent / "defs"
SOURCE_MODULE = "source"

LINEAGE_COLUMNS = ("_source_file", "_source_sheet", "_source_row", "_file_sha256", "_loaded_at")


# Fields written as prose by people (names of offices, packages, products and businesses,
# descriptions, reasons): read as delivered. Every other field (codes, numbers, dates,
# quarters, statuses, categories) is read in its NFKC form (readers._select_sql), where
# "１２３" and "TW Ｉ" must be 123 and TW I, while a description's "120 m²" must stay m².
PROSE_FIELD = re.compile(
    r"nama_.*|.*_nama_.*|uraian|urarian_.*|keterangan.*|ket_.*|alasan_.*|merchant_name|produk"
    r"|tindak_lanjut|kelompok")


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def prose(self) -> bool:
        """Written as prose (a name, a description): read as delivered, not in NFKC form."""
        return PROSE_FIELD.fullmatch(self.name) is not None

    def accepted_headers(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def fields(*names: str) -> tuple[Field, ...]:
    """Fields delivered under their own names only (LKPP's JSON and CSV exports)."""
    return tuple(Field(n) for n in names)


@dataclass(frozen=True)
class Dataset:
    """One kind of export, recognised by its field set."""

    name: str
    title: str
    grain: str
    required: tuple[Field, ...]
    optional: tuple[Field, ...] = ()
    personal: dict[str, PersonalTreatment] = field(default_factory=dict)
    personal_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Personal fields without which a file is not this dataset (the roster's NIK).
    required_personal: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("json", "csv")
    # Each row is about a person (an owner, a mentored farmer): a row shifted by a cell can
    # put their NIK or phone number under any field, so a value shaped like one is never
    # stored as read in any field (readers._select_sql).
    rows_name_people: bool = False
    # With rows_name_people: fields that must hold a code, number, date, month or quarter
    # (NIB, Triwulan, Produksi, amounts, dates, kode). A person's name cannot be told from a
    # business name in free text, but letters and spaces shaped like a name in one of these
    # is a shifted cell: kept as its shape only (readers._select_sql, p3dn_tanpa_nama).
    coded_fields: tuple[str, ...] = ()
    # Where the INAPROC data API serves this dataset, below its base URL (`p3dn pull`,
    # lib/inaproc.py): v1/... pages with a cursor, legacy/... answers with one array.
    inaproc_endpoint: str | None = None
    # Filled in by the registry from the folder the dataset is declared in.
    source: str = ""

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    def all_fields(self) -> tuple[Field, ...]:
        return self.required + self.optional

    def raw_columns(self) -> list[str]:
        """Data columns of the raw table, in order (lineage columns come after)."""
        columns = [f.name for f in self.all_fields()]
        for name, treatment in self.personal.items():
            if treatment == "hash":
                columns += [f"{name}_hash", f"{name}_shape"]
        return columns


@dataclass(frozen=True)
class Staged:
    """A dataset's staging table: typed by ``sql/staging_<dataset>.sql``, split into
    ``staging.<dataset>`` and ``quarantine.<dataset>``, then checked by ``rules``.

    ``key``: the business key; older copies of a duplicated key are quarantined.
    ``recency``: SQL ordering that puts the current copy of a key first (before load time).
    ``year_column``: the fiscal year; with it the table is partitioned by fiscal year.
    ``snapshot_date``: set for exports that are snapshots (an LKPP ISB export is the whole
    dataset for one kd_klpd x fiscal year at pull time): the typed column (or SQL expression)
    that says how new an export is, e.g. its ``tanggal_data``. Then, where two exports hold
    the same kd_klpd x year, only the newest counts and the older one's rows are quarantined
    as ``replaced_by_newer_export`` (lib/sql/replace_older_exports.sql). Needs ``year_column``
    and a ``kd_klpd`` column. Leave it unset for exports legitimately split over several
    files (APBD per month, KPKP rosters per quarter).
    """

    dataset: Dataset
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    year_column: str | None = None
    recency: str = ""
    snapshot_date: str | None = None

    @property
    def name(self) -> str:
        return self.dataset.name

    @property
    def table(self) -> str:
        return f"staging.{self.dataset.name}"


@dataclass(frozen=True)
class Source:
    """Everything a source folder declares (``SOURCE`` in its ``source.py``)."""

    title: str
    staged: tuple[Staged, ...]
    # Filled in by the registry: the folder name, and the folder itself.
    name: str = ""
    folder: Path = Path()

    @property
    def datasets(self) -> tuple[Dataset, ...]:
        return tuple(s.dataset for s in self.staged)

    @property
    def sql_folder(self) -> Path:
        return self.folder / "sql"

    def staging_sql(self, staged: Staged) -> Path:
        return self.sql_folder / f"staging_{staged.name}.sql"

    def derived_sql(self) -> list[Path]:
        """SQL files of derived staging tables: every ``staging_*.sql`` not of a dataset."""
        own = {self.staging_sql(s) for s in self.staged}
        return sorted(p for p in self.sql_folder.glob("staging_*.sql") if p not in own)


@dataclass(frozen=True)
class Registry:
    sources: tuple[Source, ...]

    @property
    def datasets(self) -> tuple[Dataset, ...]:
        return tuple(d for s in self.sources for d in s.datasets)

    @property
    def staged(self) -> tuple[Staged, ...]:
        return tuple(st for s in self.sources for st in s.staged)


class SourceDeclarationError(Exception):
    """A source folder declares something inconsistent; the message names the folder."""


@functools.cache
def registry() -> Registry:
    """Every source folder under ``defs/``: a folder with a ``source.py`` defining SOURCE."""
    sources = []
    for folder in sorted(p for p in SOURCES_FOLDER.iterdir()
                         if (p / f"{SOURCE_MODULE}.py").is_file()):
        module = importlib.import_module(f"{SOURCES_PACKAGE}.{folder.name}.{SOURCE_MODULE}")
        declared = getattr(module, "SOURCE", None)
        if not isinstance(declared, Source):
            raise SourceDeclarationError(
                f"{folder / 'source.py'} must define SOURCE = Source(...) "
                "(see README, 'Adding a source')")
        staged = tuple(
            Staged(dataset=_with_source(s.dataset, folder.name), key=tuple(s.key),
                   rules=tuple(s.rules), year_column=s.year_column, recency=s.recency,
                   snapshot_date=s.snapshot_date)
            for s in declared.staged)
        sources.append(Source(title=declared.title, staged=staged, name=folder.name,
                              folder=folder))
    found = Registry(tuple(sources))
    _check_unique_names(found)
    return found


def _with_source(dataset: Dataset, source: str) -> Dataset:
    return Dataset(**{**dataset.__dict__, "source": source})


def _check_unique_names(found: Registry) -> None:
    seen: dict[str, str] = {}
    for dataset in found.datasets:
        if dataset.name in seen:
            raise SourceDeclarationError(
                f"dataset {dataset.name!r} is declared by both defs/{seen[dataset.name]}/ and "
                f"defs/{dataset.source}/; a dataset belongs to one source folder")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", dataset.name):
            raise SourceDeclarationError(
                f"defs/{dataset.source}/source.py: dataset name {dataset.name!r} must be "
                "lower-case letters, digits and underscores (it names DuckDB tables)")
        seen[dataset.name] = dataset.source


# Recognising a file scores each of its first rows against every dataset's headers: the
# same few hundred cell texts are normalised hundreds of thousands of times per run.
@functools.lru_cache(maxsize=65536)
def normalise_header(header: str) -> str:
    """Compare headers the way a person reads them: case, spacing and BOM do not matter."""
    return _SPACES.sub(" ", header.replace("\ufeff", "")).strip().lower()


_SPACES = re.compile(r"\s+")


# Tables named in SQL as schema.table, by the schemas the pipeline writes.
_TABLE_REFERENCE = re.compile(
    r"\b(raw|staging|quarantine|marts|reference)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)


def sql_without_comments(sql: str) -> str:
    """SQL text without ``--`` comments and string literals, for finding table names."""
    # One pass, so that a quote in a comment or "--" in a string cannot confuse the other.
    return re.sub(r"'(?:[^']|'')*'|--[^\n]*",
                  lambda m: "''" if m.group(0).startswith("'") else "", sql)


def tables_read(sql: str) -> list[tuple[str, str]]:
    """(schema, table) of every table the SQL names, in first-mention order."""
    found: dict[tuple[str, str], None] = {}
    for match in _TABLE_REFERENCE.finditer(sql_without_comments(sql)):
        found[(match.group(1).lower(), match.group(2).lower())] = None
    return list(found)


def leading_comment(sql: str) -> str:
    """The comment block a SQL file starts with, as one paragraph: its description."""
    lines = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        lines.append(stripped.lstrip("-").strip())
    return " ".join(line for line in lines if line)


def rule_tables(rules: Sequence[Rule]) -> list[str]:
    """Qualified tables that rules read besides their own (e.g. the other side of an
    exists-in), found in the FROM/JOIN clauses of their unexpected_rows_query."""
    return list(dict.fromkeys(table for rule in rules
                              for table in tables_referenced(rule.expectation)))


def expectations(source_module: str, dataset: Dataset) -> tuple[Rule, ...]:
    """The rules of ``dataset``'s staging table: its stored Expectation Suite,
    ``expectations/<dataset>.json`` next to the source module (``__file__``). The suite file
    is the one source of truth: what it says is what GX runs and what Dagster shows."""
    return load_suite(Path(source_module).parent / "expectations" / f"{dataset.name}.json")
