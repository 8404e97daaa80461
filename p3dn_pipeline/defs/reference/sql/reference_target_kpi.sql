-- The targets each P3DN percentage is judged against, each with the basis it is measured on
-- (numerator, denominator), its source, and whether the value is our assumption. Kept as
-- data (reference_data/target_kpi.csv) so a change of policy is a one-line edit, and so a
-- target is never compared with a figure of another basis.
CREATE OR REPLACE TABLE reference.target_kpi AS
SELECT kpi,
       CAST(target_pct AS DECIMAL(5, 2)) AS target_pct,
       pembilang,
       penyebut,
       sumber,
       lower(trim(diasumsikan)) IN ('ya', 'yes', 'true', '1') AS diasumsikan,
       -- One sentence for labels and footnotes.
       'Target ' || replace(CAST(CAST(target_pct AS DECIMAL(5, 2)) AS VARCHAR), '.', ',')
           || ' % atas ' || pembilang || ' / ' || penyebut || ' (sumber: ' || sumber
           || CASE WHEN lower(trim(diasumsikan)) IN ('ya', 'yes', 'true', '1')
                   THEN '; diasumsikan' ELSE '' END || ')' AS dasar
FROM read_csv($path, header = true, all_varchar = true)
ORDER BY kpi;

COMMENT ON TABLE reference.target_kpi IS 'Target setiap persentase P3DN dengan dasar pengukurannya dan sumbernya. / Target of each P3DN percentage with its basis and source.';
COMMENT ON COLUMN reference.target_kpi.kpi IS 'Nama kolom persentase di mart yang dinilai dengan target ini. / The mart percentage column this target applies to.';
COMMENT ON COLUMN reference.target_kpi.target_pct IS 'Nilai target (%). / Target, percent.';
COMMENT ON COLUMN reference.target_kpi.pembilang IS 'Pembilang yang diukur. / Numerator measured.';
COMMENT ON COLUMN reference.target_kpi.penyebut IS 'Penyebut yang diukur. / Denominator measured.';
COMMENT ON COLUMN reference.target_kpi.sumber IS 'Sumber target (regulasi atau dokumen). / Where the target comes from.';
COMMENT ON COLUMN reference.target_kpi.diasumsikan IS 'TRUE bila nilai target adalah asumsi kami (tidak ada sumber primer). / TRUE when the target is our assumption.';
COMMENT ON COLUMN reference.target_kpi.dasar IS 'Kalimat: target, dasar, sumber. / One sentence: target, basis, source.';
