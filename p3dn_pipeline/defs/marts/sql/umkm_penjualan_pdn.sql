-- Where the province's UMKM sell (grain: tahun x triwulan x kanal x sektor x kode_kab_kota x
-- cohort flags): number of UMKM selling, transactions and value per channel, for businesses
-- mentored by Dinas KPKP, taking part in business matching or selling as Jakpreneur. Cohort
-- flags are columns, so a business in two cohorts is one row, never two.

CREATE OR REPLACE TABLE marts.umkm_penjualan_pdn AS
SELECT
    t.tahun, t.triwulan, t.kanal, u.sektor, u.kode_kab_kota,
    trim(w.nama) AS nama_kab_kota,
    u.is_binaan_kpkp, u.is_peserta_business_matching, u.is_jakpreneur,
    count(DISTINCT t.umkm_id) AS jumlah_umkm,
    sum(t.jumlah_transaksi) AS jumlah_transaksi,
    sum(t.nilai_rp) AS nilai_rp,
    coalesce(sum(t.nilai_rp) FILTER (WHERE t.sumber_nilai = 'dinyatakan_business_matching'), 0)
        AS nilai_dinyatakan_rp,
    count(*) FILTER (WHERE t.dasar_pencocokan = 'NIB') AS jumlah_cocok_nib,
    count(*) FILTER (WHERE t.dasar_pencocokan = 'NPWP') AS jumlah_cocok_npwp
FROM marts.umkm_transaksi AS t
JOIN marts.umkm_pelaku AS u USING (umkm_id)
LEFT JOIN reference.wilayah_dki AS w ON w.kode = u.kode_kab_kota
GROUP BY ALL
ORDER BY ALL;

COMMENT ON TABLE marts.umkm_penjualan_pdn IS 'Di mana UMKM kohort provinsi berjualan: per tahun, triwulan, kanal, sektor, kota dan kohort (binaan KPKP, peserta business matching, Jakpreneur): jumlah UMKM, transaksi, nilai. Dasar pencocokan dan bagian yang cocok per sumber: marts.umkm_pencocokan. / Where cohort UMKM sell, per channel.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.tahun IS 'Tahun transaksi. / Year.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.triwulan IS 'Triwulan transaksi (NULL bila sumber tidak memberi tanggal). / Quarter.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.kanal IS 'ekatalog, tender, nontender, pencatatan, tokodaring, eorder, ecommerce, business_matching. / Channel.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.sektor IS 'Sektor (KPKP, atau business matching). / Sector.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.kode_kab_kota IS 'Kota menurut daftar binaan KPKP; (tidak diketahui) untuk yang tidak dibina KPKP. / Kota.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.nama_kab_kota IS 'Nama kota. / Kota name.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.is_binaan_kpkp IS 'UMKM binaan Dinas KPKP. / Mentored by KPKP.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.is_peserta_business_matching IS 'Peserta business matching. / Business-matching participant.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.is_jakpreneur IS 'Jakpreneur (menjual lewat e-Order). / Jakpreneur.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.jumlah_umkm IS 'UMKM berbeda yang menjual. / Distinct businesses selling.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.jumlah_transaksi IS 'Transaksi (paket, pesanan, atau Jumlah Transaksi e-commerce). / Transactions.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.nilai_rp IS 'Nilai penjualan (Rp), setiap penjualan sekali. / Sales value, each sale once.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.nilai_dinyatakan_rp IS 'Bagian nilai yang hanya dinyatakan business matching, belum terlihat di kanal mana pun (Rp). / Part only stated by business matching.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.jumlah_cocok_nib IS 'Penjualan yang dicocokkan lewat NIB. / Sales matched by NIB.';
COMMENT ON COLUMN marts.umkm_penjualan_pdn.jumlah_cocok_npwp IS 'Penjualan yang dicocokkan lewat NPWP ter-hash (tanpa NIB yang cocok). / Sales matched by hashed NPWP.';
