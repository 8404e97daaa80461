-- The shape of the year-to-date series, published and the pipeline's own (grain: kolom x
-- sumber x tahun x triwulan): olahan tonnage and omzet at each quarter as a share of the same
-- year's value at TW III, so that a year of the pipeline can be read against the published
-- 2023 series (97,08 t by TW II = 68,32 % of 142,09 t by TW III) even where the years differ.

CREATE OR REPLACE TABLE marts.umkm_seri_publikasi AS
WITH seri AS (
    SELECT kolom, 'publikasi' AS sumber, NULL::VARCHAR AS kd_klpd, tahun, triwulan, nilai,
           sumber AS keterangan
    FROM reference.seri_publikasi_umkm
    UNION ALL
    SELECT 'produksi_olahan_ton_ytd', 'pipeline', kd_klpd, tahun, triwulan,
           CAST(produksi_olahan_ton_ytd AS DECIMAL(18, 3)),
           'marts.umkm_binaan_triwulan (tingkat provinsi), ' || kd_klpd
    FROM marts.umkm_binaan_triwulan WHERE tingkat = 'provinsi'
    UNION ALL
    SELECT 'omzet_rp_ytd', 'pipeline', kd_klpd, tahun, triwulan, CAST(omzet_rp_ytd AS DECIMAL(18, 3)),
           'marts.umkm_binaan_triwulan (tingkat provinsi), ' || kd_klpd
    FROM marts.umkm_binaan_triwulan WHERE tingkat = 'provinsi'
)
SELECT s.kolom, s.sumber, s.kd_klpd, s.tahun, s.triwulan, s.nilai,
       tw3.nilai AS nilai_tw3,
       p3dn_pct(s.nilai, tw3.nilai) AS pct_dari_tw3,
       s.keterangan
FROM seri AS s
LEFT JOIN seri AS tw3
    ON tw3.kolom = s.kolom AND tw3.sumber = s.sumber AND tw3.tahun = s.tahun
   AND tw3.triwulan = 3 AND tw3.kd_klpd IS NOT DISTINCT FROM s.kd_klpd
ORDER BY s.kolom, s.sumber DESC, s.tahun, s.triwulan;

COMMENT ON TABLE marts.umkm_seri_publikasi IS 'Bentuk seri s.d. triwulan: angka yang dipublikasikan dan angka pipeline (olahan ton, omzet), masing-masing sebagai persen dari nilai s.d. TW III tahun yang sama. / Shape of the published and the pipeline''s year-to-date series.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.kolom IS 'produksi_olahan_ton_ytd atau omzet_rp_ytd. / Figure.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.sumber IS 'publikasi (reference.seri_publikasi_umkm) atau pipeline (marts.umkm_binaan_triwulan). / Published or computed.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.kd_klpd IS 'Pemda angka pipeline; NULL untuk angka yang dipublikasikan. / Government of a computed value.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.tahun IS 'Tahun. / Year.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.triwulan IS 'Triwulan (s.d.). / Quarter.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.nilai IS 'Nilai s.d. triwulan (ton atau Rp). / Year-to-date value.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.nilai_tw3 IS 'Nilai s.d. TW III tahun yang sama. / The same year''s value by TW III.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.pct_dari_tw3 IS 'nilai / nilai_tw3 (%): bentuk seri. / Share of the TW III value, percent.';
COMMENT ON COLUMN marts.umkm_seri_publikasi.keterangan IS 'Sumber angka. / Where the value comes from.';
