-- Shared second half of every staging build. {typed} is the table a dataset's staging SQL
-- made (typed columns + `problems` + lineage); {key} its business key; identifiers only,
-- filled in from code, never from data.

-- A row the reader could not split into the header's fields (a short or long CSV line, a
-- stray quote) was loaded with no values and what is wrong with it (raw._read_problem, see
-- lib/readers.py). That is its one problem, whatever the typed SQL made of its empty fields.
UPDATE {typed} SET problems = [r._read_problem]
FROM raw.{name} AS r
WHERE r._read_problem IS NOT NULL
  AND {typed}._source_file = r._source_file
  AND {typed}._source_row = r._source_row
  AND {typed}._source_sheet IS NOT DISTINCT FROM r._source_sheet;

-- Only the copies of a duplicated key need ranking, and they are few: ranking every row
-- sorted and copied the whole table once more. Rows are picked by the hash of their key,
-- which is cheaper to group and join than the key itself and, like PARTITION BY, treats
-- NULLs as equal: every copy of a duplicated key is picked. A row whose key merely shares
-- a hash with another is picked too, and ranks first in its own partition, so it is staged
-- all the same.
CREATE OR REPLACE TEMP TABLE ranked_{name} AS
WITH shared_hash AS (
    SELECT hash({key}) AS key_hash
    FROM {typed}
    WHERE len(problems) = 0
    GROUP BY key_hash
    HAVING count(*) > 1
)
SELECT *,
    -- The same key in two exports (or twice in one): the most recently loaded copy wins.
    row_number() OVER newest_first AS copy_rank,
    first_value(_source_file || coalesce(' sheet ' || _source_sheet, '') || ' row ' || _source_row) OVER newest_first AS kept_copy
FROM {typed}
SEMI JOIN shared_hash ON hash({key}) = key_hash
WHERE len(problems) = 0
WINDOW newest_first AS (PARTITION BY {key}
                        ORDER BY {recency} _loaded_at DESC, _source_file DESC, _source_row DESC);

CREATE OR REPLACE TABLE staging.{name} AS
SELECT * EXCLUDE (problems)
FROM (SELECT *
      FROM {typed}
      ANTI JOIN (SELECT DISTINCT hash({key}) AS key_hash FROM ranked_{name})
          ON hash({key}) = key_hash
      WHERE len(problems) = 0
      UNION ALL
      SELECT * EXCLUDE (copy_rank, kept_copy) FROM ranked_{name} WHERE copy_rank = 1);

CREATE OR REPLACE TABLE quarantine.{name} AS
SELECT _source_file, _source_sheet, _source_row, problem.column_name, problem.rule, problem.offending_value,
       _file_sha256, _loaded_at
FROM (SELECT *, unnest(problems) AS problem FROM {typed} WHERE len(problems) > 0)
UNION ALL
SELECT _source_file, _source_sheet, _source_row, '{key_label}', 'duplicate_key',
       concat_ws(' + ', {key}) || ' (kept: ' || kept_copy || ')', _file_sha256, _loaded_at
FROM ranked_{name}
WHERE copy_rank > 1
ORDER BY _source_file, _source_sheet, _source_row, column_name;

DROP TABLE ranked_{name};
