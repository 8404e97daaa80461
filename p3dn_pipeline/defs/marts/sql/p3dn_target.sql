-- The targets the P3DN percentages are judged against, each with the basis it is measured on
-- (numerator and denominator), its source and whether the value is assumed: a copy of
-- reference.target_kpi where BI tools and the dashboard read the marts.
CREATE OR REPLACE TABLE marts.p3dn_target AS
SELECT kpi, target_pct, pembilang, penyebut, sumber, diasumsikan, dasar
FROM reference.target_kpi
ORDER BY kpi;

COMMENT ON TABLE marts.p3dn_target IS 'Target persentase P3DN dengan dasar pengukuran dan sumbernya (salinan reference.target_kpi). / P3DN targets with their basis and source.';
COMMENT ON COLUMN marts.p3dn_target.kpi IS 'Kolom persentase mart yang dinilai (mis. pct_realisasi_komitmen). / The mart percentage column this target applies to.';
COMMENT ON COLUMN marts.p3dn_target.target_pct IS 'Nilai target (%). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_target.pembilang IS 'Pembilang yang diukur. / Numerator measured.';
COMMENT ON COLUMN marts.p3dn_target.penyebut IS 'Penyebut yang diukur. / Denominator measured.';
COMMENT ON COLUMN marts.p3dn_target.sumber IS 'Sumber target. / Where the target comes from.';
COMMENT ON COLUMN marts.p3dn_target.diasumsikan IS 'TRUE bila nilai target adalah asumsi (tanpa sumber primer). / TRUE when assumed.';
COMMENT ON COLUMN marts.p3dn_target.dasar IS 'Kalimat: target, dasar, sumber. / One sentence: target, basis, source.';
