-- Published year-to-date figures of Dinas KPKP's mentored UMKM (olahan tonnage, omzet), each
-- with its source: the series the pipeline's own quarters are compared with, in shape (how
-- much of the year's total each quarter has reached), since the years differ.
CREATE OR REPLACE TABLE reference.seri_publikasi_umkm AS
SELECT kolom,
       CAST(tahun AS INTEGER) AS tahun,
       CAST(triwulan AS INTEGER) AS triwulan,
       CAST(nilai AS DECIMAL(18, 3)) AS nilai,
       satuan,
       sumber
FROM read_csv($path, header = true, all_varchar = true)
ORDER BY kolom, tahun, triwulan;

COMMENT ON TABLE reference.seri_publikasi_umkm IS 'Angka UMKM binaan yang dipublikasikan (s.d. triwulan) dengan sumbernya. / Published year-to-date UMKM figures with their source.';
COMMENT ON COLUMN reference.seri_publikasi_umkm.kolom IS 'Kolom marts.umkm_binaan_triwulan yang berdasar sama. / The mart column of the same basis.';
COMMENT ON COLUMN reference.seri_publikasi_umkm.tahun IS 'Tahun. / Year.';
COMMENT ON COLUMN reference.seri_publikasi_umkm.triwulan IS 'Triwulan (s.d.). / Quarter (year to date).';
COMMENT ON COLUMN reference.seri_publikasi_umkm.nilai IS 'Nilai yang dipublikasikan. / Published value.';
COMMENT ON COLUMN reference.seri_publikasi_umkm.satuan IS 'ton atau rupiah. / Unit.';
COMMENT ON COLUMN reference.seri_publikasi_umkm.sumber IS 'Sumber publikasi. / Where it was published.';
