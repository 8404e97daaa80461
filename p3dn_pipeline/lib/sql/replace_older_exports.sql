-- An LKPP ISB export is the whole dataset for one pemda x fiscal year at the time of the
-- pull. Where two exports of one dataset hold the same kd_klpd x year, the newest is the
-- truth for that slice and every row of the older ones leaves it: a package withdrawn from
-- SiRUP, or an order no longer in the export, must leave the figures. Newest by the export's
-- own data date ({export_date}: the export date, else its newest business date in the
-- slice), then load time, then path. The older rows are quarantined, naming the export that
-- replaced them, so every input row stays accounted for. Identifiers in braces come from
-- code (Staged.snapshot_date), never from data.
UPDATE {typed} SET problems = [{{'column_name': '_source_file',
                                 'rule': 'replaced_by_newer_export',
                                 'offending_value': 'replaced by ' || newest.kept_file}}]
FROM (
    SELECT kd_klpd, tahun, _source_file AS kept_file
    FROM (
        SELECT kd_klpd, {year} AS tahun, _source_file,
               row_number() OVER (
                   PARTITION BY kd_klpd, {year}
                   ORDER BY max({export_date}) DESC NULLS LAST, max(_loaded_at) DESC,
                            _source_file DESC) AS rank_newest,
               count(*) OVER (PARTITION BY kd_klpd, {year}) AS exports_in_slice
        FROM {typed}
        WHERE kd_klpd IS NOT NULL AND {year} IS NOT NULL
        GROUP BY kd_klpd, {year}, _source_file
    )
    WHERE rank_newest = 1 AND exports_in_slice > 1
) AS newest
WHERE {typed}.kd_klpd = newest.kd_klpd
  AND {typed}.{year} = newest.tahun
  AND {typed}._source_file <> newest.kept_file;
