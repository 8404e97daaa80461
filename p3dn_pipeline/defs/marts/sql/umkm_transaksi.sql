-- Every sale a UMKM could have made, from every source, with the business it was matched to
-- (grain: sumber x id_transaksi): realised packages of e-katalog, tender, non-tender,
-- pencatatan, toko daring and e-Order, monthly e-commerce sales, and business-matching
-- transactions whose realisation is in no channel. A seller is matched to marts.umkm_pelaku
-- by NIB first, else by hashed NPWP; never by name. One sale is one row, so a business
-- matched on two keys, or known under two vendor records, never counts a sale twice.

CREATE OR REPLACE TABLE marts.umkm_transaksi AS
WITH kunci_umkm AS (
    SELECT unnest(kunci) AS kunci, umkm_id FROM marts.umkm_pelaku
),
bm_tertaut AS (
    -- Business-matching rows whose realisation some channel shows (p3dn_bm_menunjuk_paket),
    -- found through equi-joins on the Kode Paket (with or without its catalogue version) and
    -- on each Kode RUP of the row, then decided by the rule: the rule alone in a NOT EXISTS
    -- is a nested loop over every (row, package) pair, quadratic in the input.
    SELECT b.rowid AS baris
    FROM staging.business_matching_batch AS b,
         unnest([b.kode_paket, 'v6:' || b.kode_paket, 'v5:' || b.kode_paket]) AS c(kd_paket)
    JOIN marts.p3dn_realisasi_paket AS p ON p.kd_paket = c.kd_paket
    WHERE p.ada_nilai
      AND p3dn_bm_menunjuk_paket(b.kode_paket, b.kode_rup_list, b.kunci_usaha,
                                 p.kd_paket, p.kd_rup, p.kunci_penyedia)
    UNION
    SELECT b.rowid
    FROM staging.business_matching_batch AS b, unnest(b.kode_rup_list) AS r(kd_rup)
    JOIN marts.p3dn_realisasi_paket AS p ON p.kd_rup = r.kd_rup
    WHERE p.ada_nilai
      AND p3dn_bm_menunjuk_paket(b.kode_paket, b.kode_rup_list, b.kunci_usaha,
                                 p.kd_paket, p.kd_rup, p.kunci_penyedia)
),
penjualan AS (
    SELECT CASE p.kanal WHEN 'pencatatan_nontender' THEN 'pencatatan' ELSE p.kanal END
               AS kanal,
           p.kanal || ':' || p.kd_paket AS id_transaksi,
           CAST(coalesce(year(coalesce(p.tanggal, p.tanggal_data)), p.tahun_anggaran) AS INTEGER)
               AS tahun,
           CAST(quarter(coalesce(p.tanggal, p.tanggal_data)) AS INTEGER) AS triwulan,
           1 AS jumlah_transaksi,
           p.nilai_rp,
           'realisasi' AS sumber_nilai,
           p.kunci_penyedia AS kunci_penjual
    FROM marts.p3dn_realisasi_paket AS p
    -- Swakelola is self-managed work, not a sale by a business.
    WHERE p.ada_nilai AND p.kanal <> 'pencatatan_swakelola'
    UNION ALL
    SELECT 'ecommerce', 'ecommerce:' || e.platform || ':' || e.tahun || '-' || e.bulan || ':'
               || e.penjual_id,
           e.tahun, e.triwulan, coalesce(e.jumlah_transaksi, 0), e.nilai_penjualan_rp,
           'laporan_platform', e.kunci_penjual
    FROM staging.ecommerce_penjualan AS e
    UNION ALL
    -- A transaction business matching reports but no channel shows: counted at its stated
    -- value, marked as stated (sumber_nilai), never on top of a realised package.
    SELECT 'business_matching', 'business_matching:' || b.batch || ':' || b.usaha_id || ':'
               || b.kode_skpd_pembeli || ':' || b.produk,
           b.tahun, CAST(quarter(b.tanggal) AS INTEGER), 1, b.nilai_ketertarikan_rp,
           'dinyatakan_business_matching', b.kunci_usaha
    FROM staging.business_matching_batch AS b
    WHERE b.tindak_lanjut = 'Transaksi'
      AND b.rowid NOT IN (SELECT baris FROM bm_tertaut)
),
cocok AS (
    -- NIB first, else NPWP, else (e-Order) the Jakpreneur ID: the business of the first key
    -- of the better kind that matches.
    SELECT s.id_transaksi,
           min(k.umkm_id) FILTER (WHERE k.kunci LIKE 'nib:%') AS umkm_id_nib,
           min(k.umkm_id) FILTER (WHERE k.kunci LIKE 'npwp:%') AS umkm_id_npwp,
           min(k.umkm_id) FILTER (WHERE k.kunci LIKE 'jakpreneur:%') AS umkm_id_jakpreneur
    FROM penjualan AS s, unnest(s.kunci_penjual) AS u(kunci)
    JOIN kunci_umkm AS k ON k.kunci = u.kunci
    GROUP BY s.id_transaksi
)
SELECT
    s.kanal, s.id_transaksi, s.tahun, s.triwulan, s.jumlah_transaksi,
    CAST(s.nilai_rp AS DECIMAL(18, 2)) AS nilai_rp,
    s.sumber_nilai,
    coalesce(c.umkm_id_nib, c.umkm_id_npwp, c.umkm_id_jakpreneur) AS umkm_id,
    CASE WHEN c.umkm_id_nib IS NOT NULL THEN 'NIB'
         WHEN c.umkm_id_npwp IS NOT NULL THEN 'NPWP'
         WHEN c.umkm_id_jakpreneur IS NOT NULL THEN 'ID Jakpreneur'
         WHEN len(s.kunci_penjual) = 0 THEN 'tanpa_kunci'
         ELSE 'tidak_cocok' END AS dasar_pencocokan
FROM penjualan AS s
LEFT JOIN cocok AS c USING (id_transaksi)
ORDER BY s.kanal, s.id_transaksi;

COMMENT ON TABLE marts.umkm_transaksi IS 'Setiap penjualan dari setiap sumber (paket realisasi semua kanal, e-commerce bulanan, transaksi business matching yang tidak ada di kanal mana pun) dengan UMKM kohort yang cocok (NIB, lalu NPWP ter-hash). / Every sale with the cohort business it matched.';
COMMENT ON COLUMN marts.umkm_transaksi.kanal IS 'ekatalog, tender, nontender, pencatatan, tokodaring, eorder, ecommerce, business_matching. / Channel.';
COMMENT ON COLUMN marts.umkm_transaksi.id_transaksi IS 'Pengenal penjualan di sumbernya. / Sale id in its source.';
COMMENT ON COLUMN marts.umkm_transaksi.tahun IS 'Tahun transaksi (tanggal transaksi, bulan laporan, atau tahun anggaran). / Year of the sale.';
COMMENT ON COLUMN marts.umkm_transaksi.triwulan IS 'Triwulan transaksi; NULL bila sumber tidak memberi tanggal. / Quarter.';
COMMENT ON COLUMN marts.umkm_transaksi.jumlah_transaksi IS 'Transaksi: 1 per paket/pesanan; Jumlah Transaksi laporan e-commerce. / Transactions.';
COMMENT ON COLUMN marts.umkm_transaksi.nilai_rp IS 'Nilai (Rp). / Value, rupiah.';
COMMENT ON COLUMN marts.umkm_transaksi.sumber_nilai IS 'realisasi, laporan_platform, atau dinyatakan_business_matching (nilai ketertarikan; belum terlihat di kanal mana pun). / Where the value comes from.';
COMMENT ON COLUMN marts.umkm_transaksi.umkm_id IS 'UMKM kohort (marts.umkm_pelaku); NULL bila penjual tidak cocok. / Matched cohort business.';
COMMENT ON COLUMN marts.umkm_transaksi.dasar_pencocokan IS 'NIB, NPWP, ID Jakpreneur (e-Order), tidak_cocok (ada kunci, bukan UMKM kohort), tanpa_kunci (sumber tidak memberi NIB/NPWP penjual). / Match basis.';
