-- The targets each P3DN percentage is judged against, with their legal basis. Kept as data
-- (reference_data/target_kpi.csv) so a change of policy is a one-line edit, not a code change.
CREATE OR REPLACE TABLE reference.target_kpi AS
SELECT kpi, CAST(target_pct AS DECIMAL(5, 2)) AS target_pct, dasar
FROM read_csv($path, header = true, all_varchar = true)
ORDER BY kpi;
