-- Second half of a staging build for one or more fiscal years ($tahun), the year-sliced twin
-- of split_staging.sql. Rows whose year is missing or outside the partitions ($semua_tahun)
-- belong to no year: they are quarantined again on every run, so none is ever lost.
-- Identifiers in braces come from code, never from data.
CREATE OR REPLACE TEMP TABLE sliced_{name} AS
SELECT * REPLACE (
           CASE WHEN {year} IS NOT NULL AND NOT list_contains($semua_tahun, {year})
                THEN list_append(problems, {{'column_name': '{year}',
                                             'rule': 'fiscal_year_outside_partitions',
                                             'offending_value': CAST({year} AS VARCHAR)}})
                ELSE problems END AS problems),
       CASE WHEN list_contains($semua_tahun, {year}) THEN {year} END AS partisi
FROM {typed}
WHERE list_contains($tahun, {year}) OR NOT list_contains($semua_tahun, coalesce({year}, -1));

CREATE OR REPLACE TEMP TABLE ranked_{name} AS
SELECT *,
    -- The same key in two exports (or twice in one): the most recently loaded copy wins.
    row_number() OVER newest_first AS copy_rank,
    first_value(_source_file || coalesce(' sheet ' || _source_sheet, '') || ' row ' || _source_row) OVER newest_first AS kept_copy
FROM sliced_{name}
WHERE len(problems) = 0
WINDOW newest_first AS (PARTITION BY {key}
                        ORDER BY {recency} _loaded_at DESC, _source_file DESC, _source_row DESC);

CREATE TABLE IF NOT EXISTS staging.{name} AS
SELECT * EXCLUDE (problems, copy_rank, kept_copy, partisi) FROM ranked_{name} LIMIT 0;

DELETE FROM staging.{name} WHERE list_contains($tahun, {year});

INSERT INTO staging.{name} BY NAME
SELECT * EXCLUDE (problems, copy_rank, kept_copy, partisi)
FROM ranked_{name}
WHERE copy_rank = 1
ORDER BY {key};

CREATE TABLE IF NOT EXISTS quarantine.{name} (
    _source_file VARCHAR, _source_sheet VARCHAR, _source_row BIGINT, column_name VARCHAR, rule VARCHAR,
    offending_value VARCHAR, _file_sha256 VARCHAR, _loaded_at TIMESTAMP, partisi INTEGER
);

DELETE FROM quarantine.{name} WHERE list_contains($tahun, partisi) OR partisi IS NULL;

INSERT INTO quarantine.{name}
SELECT _source_file, _source_sheet, _source_row, problem.column_name, problem.rule, problem.offending_value,
       _file_sha256, _loaded_at, partisi
FROM (SELECT *, unnest(problems) AS problem FROM sliced_{name} WHERE len(problems) > 0)
UNION ALL
SELECT _source_file, _source_sheet, _source_row, '{key_label}', 'duplicate_key',
       concat_ws(' + ', {key}) || ' (kept: ' || kept_copy || ')', _file_sha256, _loaded_at,
       partisi
FROM ranked_{name}
WHERE copy_rank > 1
ORDER BY _source_file, _source_sheet, _source_row, column_name;
