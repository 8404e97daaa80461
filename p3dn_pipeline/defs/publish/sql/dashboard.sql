-- The dashboard's reads of the serving file, one named query per section of the page.
-- Each "-- name:" line starts a query; dashboard.py runs them by name.

-- name: provinsi
-- The headline per pemda and year, newest year first.
SELECT * FROM marts.p3dn_provinsi
ORDER BY kd_klpd, tahun_anggaran DESC;

-- name: target
-- The targets with the basis each is measured on.
SELECT * FROM marts.p3dn_target ORDER BY kpi;

-- name: per_skpd
-- Every SKPD of the newest fiscal year of each pemda.
SELECT s.*
FROM marts.p3dn_per_skpd AS s
JOIN (SELECT kd_klpd, max(tahun_anggaran) AS tahun_anggaran
      FROM marts.p3dn_per_skpd GROUP BY kd_klpd) AS terbaru
    USING (kd_klpd, tahun_anggaran)
ORDER BY s.kd_klpd, s.tahun_anggaran, s.pct_realisasi_komitmen DESC NULLS LAST,
         s.kd_satker_str;

-- name: snapshot
-- The headline at every publish, oldest first.
SELECT * FROM marts.p3dn_snapshot
ORDER BY diambil_pada, snapshot_id, kd_klpd, tahun_anggaran;

-- name: perubahan
-- What changed in the exports at the latest publish, and the rows that left the figures.
SELECT * FROM p3dn_perubahan_ekspor
WHERE snapshot_id = (SELECT arg_max(snapshot_id, diambil_pada) FROM p3dn_snapshot)
ORDER BY perubahan, file;

-- name: umkm_kota
-- Active mentored businesses per quarter and kota (the mart's kota level).
SELECT kd_klpd, tahun, triwulan, kode_kab_kota,
       coalesce(nama_kab_kota, kode_kab_kota) AS nama_kab_kota, jumlah_aktif
FROM marts.umkm_binaan_triwulan
WHERE tingkat = 'kota'
ORDER BY kd_klpd, tahun, triwulan, kode_kab_kota;

-- name: umkm_sektor
-- Active mentored businesses per quarter and sector (the mart's sector level).
SELECT kd_klpd, tahun, triwulan, sektor, jumlah_aktif
FROM marts.umkm_binaan_triwulan
WHERE tingkat = 'sektor'
ORDER BY kd_klpd, tahun, triwulan, sektor;

-- name: umkm_triwulan
-- Per quarter, province level: the baseline flag, active / new / continuing / departed
-- businesses, growth, production (all and olahan) and turnover year-to-date.
SELECT kd_klpd, tahun, triwulan, is_baseline, jumlah_aktif, jumlah_baru, jumlah_lanjut,
       jumlah_kembali, jumlah_keluar, jumlah_dibawa, pct_pertumbuhan_qoq, pct_pertumbuhan_yoy,
       produksi_ton_ytd, produksi_olahan_ton_ytd, produksi_segar_ton_ytd,
       produksi_jenis_tidak_diketahui_ton_ytd, produksi_olahan_ton_triwulan, omzet_rp_ytd,
       omzet_rp_triwulan
FROM marts.umkm_binaan_triwulan
WHERE tingkat = 'provinsi'
ORDER BY kd_klpd, tahun, triwulan;

-- name: umkm_terbaru
-- Every kota x sector row of the newest quarter of each pemda.
SELECT u.*
FROM marts.umkm_binaan_triwulan AS u
JOIN (SELECT kd_klpd, max(tahun * 4 + triwulan) AS urutan
      FROM marts.umkm_binaan_triwulan GROUP BY kd_klpd) AS terbaru
    ON terbaru.kd_klpd = u.kd_klpd AND terbaru.urutan = u.tahun * 4 + u.triwulan
WHERE u.tingkat = 'kota_sektor'
ORDER BY u.kd_klpd, u.kode_kab_kota, u.sektor;

-- name: ekatalog_triwulan
-- Mentored businesses that sold on e-katalog, per quarter of the order.
SELECT kd_klpd, tahun, triwulan,
       count(DISTINCT pelaku_usaha_id) AS jumlah_pelaku_usaha,
       sum(jumlah_paket) AS jumlah_paket,
       sum(nilai_rp) AS nilai_rp
FROM marts.umkm_ekatalog
GROUP BY kd_klpd, tahun, triwulan
ORDER BY kd_klpd, tahun, triwulan;

-- name: umkm_penjualan_tahun
-- Where cohort UMKM sell, per year and channel: businesses, transactions, value (each sale
-- once, whichever keys matched it).
SELECT tahun, kanal, count(DISTINCT umkm_id) AS jumlah_umkm,
       sum(jumlah_transaksi) AS jumlah_transaksi, sum(nilai_rp) AS nilai_rp
FROM marts.umkm_transaksi
WHERE umkm_id IS NOT NULL
GROUP BY tahun, kanal
ORDER BY tahun, kanal;

-- name: umkm_pencocokan
-- The basis of the sales figures: each source's share matched, and on which key.
SELECT * FROM marts.umkm_pencocokan ORDER BY kanal;

-- name: business_matching_tahun
-- Business matching per year: interest stated against value realised in any channel.
SELECT tahun, sum(jumlah_umkm) AS jumlah_umkm_batch, sum(nilai_ketertarikan_rp) AS nilai_ketertarikan_rp,
       sum(nilai_realisasi_rp) AS nilai_realisasi_rp, count(DISTINCT batch) AS jumlah_batch
FROM marts.business_matching
GROUP BY tahun
ORDER BY tahun;

-- name: umkm_seri
-- The olahan year-to-date series in shape (share of the same year's TW III), published and
-- the pipeline's.
SELECT sumber, tahun, triwulan, nilai, pct_dari_tw3, keterangan
FROM marts.umkm_seri_publikasi
WHERE kolom = 'produksi_olahan_ton_ytd'
ORDER BY sumber DESC, tahun, triwulan;
