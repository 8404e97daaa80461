-- Second half of a staging build for one or more fiscal years (parameter tahun), the
-- year-sliced twin of split_staging.sql. Rows whose year is missing or outside the
-- partitions (parameter semua_tahun) belong to no year: they are quarantined again on every
-- run, so none is ever lost. Identifiers in braces come from code, never from data.
-- execute_all binds the parameters a statement names, comments included: comments here
-- spell them without their sigil.

-- A row the reader could not split into the header's fields (a short or long CSV line, a
-- stray quote) was loaded with no values and what is wrong with it (raw._read_problem, see
-- lib/readers.py). That is its one problem, whatever the typed SQL made of its empty fields.
UPDATE {typed} SET problems = [r._read_problem]
FROM raw.{name} AS r
WHERE r._read_problem IS NOT NULL
  AND {typed}._source_file = r._source_file
  AND {typed}._source_row = r._source_row
  AND {typed}._source_sheet IS NOT DISTINCT FROM r._source_sheet;

-- sliced_{name} is a view, not a second copy of the typed table. A view cannot hold bound
-- parameters, so it reads the years from session variables. quality_gate.rows_accounted_for
-- reads it after this file has run, on the same connection.
SET VARIABLE p3dn_tahun_{name} = CAST($tahun AS INTEGER[]);

SET VARIABLE p3dn_semua_tahun_{name} = CAST($semua_tahun AS INTEGER[]);

CREATE OR REPLACE TEMP VIEW sliced_{name} AS
SELECT * REPLACE (
           CASE WHEN {year} IS NOT NULL
                     AND NOT list_contains(getvariable('p3dn_semua_tahun_{name}'), {year})
                THEN list_append(problems, {{'column_name': '{year}',
                                             'rule': 'fiscal_year_outside_partitions',
                                             'offending_value': CAST({year} AS VARCHAR)}})
                ELSE problems END AS problems),
       CASE WHEN list_contains(getvariable('p3dn_semua_tahun_{name}'), {year}) THEN {year} END AS partisi
FROM {typed}
WHERE list_contains(getvariable('p3dn_tahun_{name}'), {year})
   OR NOT list_contains(getvariable('p3dn_semua_tahun_{name}'), coalesce({year}, -1));

-- Only the copies of a duplicated key need ranking, and they are few: ranking every row
-- sorted and copied the whole table once more. Rows are picked by the hash of their key,
-- which is cheaper to group and join than the key itself and, like PARTITION BY, treats
-- NULLs as equal: every copy of a duplicated key is picked. A row whose key merely shares
-- a hash with another is picked too, and ranks first in its own partition, so it is staged
-- all the same.
CREATE OR REPLACE TEMP TABLE ranked_{name} AS
WITH shared_hash AS (
    SELECT hash({key}) AS key_hash
    FROM sliced_{name}
    WHERE len(problems) = 0
    GROUP BY key_hash
    HAVING count(*) > 1
)
SELECT *,
    -- The same key in two exports (or twice in one): the most recently loaded copy wins.
    row_number() OVER newest_first AS copy_rank,
    first_value(_source_file || coalesce(' sheet ' || _source_sheet, '') || ' row ' || _source_row) OVER newest_first AS kept_copy
FROM sliced_{name}
SEMI JOIN shared_hash ON hash({key}) = key_hash
WHERE len(problems) = 0
WINDOW newest_first AS (PARTITION BY {key}
                        ORDER BY {recency} _loaded_at DESC, _source_file DESC, _source_row DESC);

CREATE TABLE IF NOT EXISTS staging.{name} AS
SELECT * EXCLUDE (problems, copy_rank, kept_copy, partisi) FROM ranked_{name} LIMIT 0;

DELETE FROM staging.{name} WHERE list_contains($tahun, {year});

INSERT INTO staging.{name} BY NAME
SELECT * EXCLUDE (problems, partisi)
FROM (SELECT *
      FROM sliced_{name}
      ANTI JOIN (SELECT DISTINCT hash({key}) AS key_hash FROM ranked_{name})
          ON hash({key}) = key_hash
      WHERE len(problems) = 0
      UNION ALL
      SELECT * EXCLUDE (copy_rank, kept_copy) FROM ranked_{name} WHERE copy_rank = 1);

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

DROP TABLE ranked_{name};
