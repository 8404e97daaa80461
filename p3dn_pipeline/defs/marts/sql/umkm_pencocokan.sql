-- How well each source's sellers could be matched to the province's UMKM cohorts (grain:
-- kanal): sellers and sales, how many matched on NIB, on hashed NPWP, not at all, or could
-- not be because the source gives no seller key. The basis of every figure of
-- marts.umkm_penjualan_pdn.

CREATE OR REPLACE TABLE marts.umkm_pencocokan AS
SELECT
    kanal,
    count(*) AS jumlah_penjualan,
    count(*) FILTER (WHERE dasar_pencocokan = 'NIB') AS jumlah_cocok_nib,
    count(*) FILTER (WHERE dasar_pencocokan = 'NPWP') AS jumlah_cocok_npwp,
    count(*) FILTER (WHERE dasar_pencocokan = 'ID Jakpreneur') AS jumlah_cocok_id_jakpreneur,
    count(*) FILTER (WHERE dasar_pencocokan = 'tidak_cocok') AS jumlah_tidak_cocok,
    count(*) FILTER (WHERE dasar_pencocokan = 'tanpa_kunci') AS jumlah_tanpa_kunci,
    p3dn_pct(count(*) FILTER (WHERE umkm_id IS NOT NULL), count(*)) AS pct_penjualan_cocok,
    count(DISTINCT umkm_id) AS jumlah_umkm_cocok,
    coalesce(sum(nilai_rp) FILTER (WHERE umkm_id IS NOT NULL), 0) AS nilai_cocok_rp,
    coalesce(sum(nilai_rp), 0) AS nilai_rp
FROM marts.umkm_transaksi
GROUP BY kanal
ORDER BY kanal;

COMMENT ON TABLE marts.umkm_pencocokan IS 'Bagian penjualan tiap sumber yang cocok dengan UMKM kohort, dan lewat kunci apa (NIB, NPWP ter-hash), serta yang tidak bisa dicocokkan karena sumber tidak memberi kunci penjual. / Share of each source matched to cohort UMKM, by key.';
COMMENT ON COLUMN marts.umkm_pencocokan.kanal IS 'Sumber/kanal penjualan. / Channel.';
COMMENT ON COLUMN marts.umkm_pencocokan.jumlah_penjualan IS 'Penjualan (paket, pesanan, baris laporan). / Sales.';
COMMENT ON COLUMN marts.umkm_pencocokan.jumlah_cocok_nib IS 'Cocok lewat NIB. / Matched by NIB.';
COMMENT ON COLUMN marts.umkm_pencocokan.jumlah_cocok_npwp IS 'Cocok lewat NPWP ter-hash (NPWP-16 perorangan = NIK). / Matched by hashed NPWP.';
COMMENT ON COLUMN marts.umkm_pencocokan.jumlah_cocok_id_jakpreneur IS 'Cocok lewat ID Jakpreneur (e-Order tanpa NIB/NPWP). / Matched by Jakpreneur ID.';
COMMENT ON COLUMN marts.umkm_pencocokan.jumlah_tidak_cocok IS 'Penjual punya kunci, tetapi bukan UMKM kohort. / Seller with keys, not in a cohort.';
COMMENT ON COLUMN marts.umkm_pencocokan.jumlah_tanpa_kunci IS 'Sumber tidak memberi NIB/NPWP penjual (pencatatan, toko daring). / No seller key in the source.';
COMMENT ON COLUMN marts.umkm_pencocokan.pct_penjualan_cocok IS 'Penjualan yang cocok / semua penjualan (%). / Matched share, percent.';
COMMENT ON COLUMN marts.umkm_pencocokan.jumlah_umkm_cocok IS 'UMKM kohort berbeda yang cocok. / Distinct cohort businesses matched.';
COMMENT ON COLUMN marts.umkm_pencocokan.nilai_cocok_rp IS 'Nilai penjualan yang cocok (Rp). / Matched value.';
COMMENT ON COLUMN marts.umkm_pencocokan.nilai_rp IS 'Nilai semua penjualan sumber ini (Rp). / Value of every sale of the source.';
