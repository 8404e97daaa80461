-- Monthly APBD realisation of procurement-eligible spending (5.1.02 + 5.2) per SKPD beside the
-- e-katalog PDN value of the same month, with year-to-date sums and share; for BPKD and Dinas
-- PPKUKM. Grain: kd_klpd x tahun_anggaran x kode_skpd x bulan.

-- Monthly APBD procurement-eligible realisation per SKPD beside the e-katalog PDN value of
-- the same month (grain: kd_klpd x tahun_anggaran x kode_skpd x bulan), with year-to-date sums.
-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_p3dn_apbd_bulanan AS
WITH apbd AS (
    SELECT kd_klpd, tahun_anggaran, kode_skpd, bulan,
           max(nama_skpd) AS nama_skpd,
           sum(realisasi_rp) FILTER (WHERE is_belanja_pengadaan) AS realisasi_belanja_pengadaan_rp,
           sum(realisasi_rp) AS realisasi_belanja_total_rp
    FROM staging.apbd_realisasi
    GROUP BY ALL
),
ekatalog AS (
    SELECT kd_klpd, tahun_anggaran, kd_satker_str AS kode_skpd,
           CAST(month(tgl_order) AS INTEGER) AS bulan,
           sum(nilai_rp) FILTER (WHERE is_pdn) AS ekatalog_pdn_rp,
           sum(nilai_rp) AS ekatalog_rp
    FROM staging.ekatalog_paket
    -- Orders placed in December of the year before belong to the fiscal year, not a month of it.
    WHERE is_transacted AND year(tgl_order) = tahun_anggaran
    GROUP BY ALL
),
bulanan AS (
    SELECT kd_klpd, tahun_anggaran, kode_skpd, bulan,
           apbd.nama_skpd,
           coalesce(apbd.realisasi_belanja_pengadaan_rp, 0) AS realisasi_belanja_pengadaan_rp,
           coalesce(apbd.realisasi_belanja_total_rp, 0) AS realisasi_belanja_total_rp,
           coalesce(ekatalog.ekatalog_pdn_rp, 0) AS ekatalog_pdn_rp,
           coalesce(ekatalog.ekatalog_rp, 0) AS ekatalog_rp,
           apbd.kode_skpd IS NOT NULL AS ada_data_apbd
    FROM apbd
    FULL OUTER JOIN ekatalog USING (kd_klpd, tahun_anggaran, kode_skpd, bulan)
)
SELECT
    kd_klpd, tahun_anggaran, kode_skpd,
    coalesce(nama_skpd, max(nama_skpd) OVER per_skpd) AS nama_skpd,
    bulan,
    realisasi_belanja_pengadaan_rp,
    realisasi_belanja_total_rp,
    ekatalog_pdn_rp,
    ekatalog_rp,
    sum(realisasi_belanja_pengadaan_rp) OVER ytd AS realisasi_belanja_pengadaan_ytd_rp,
    sum(ekatalog_pdn_rp) OVER ytd AS ekatalog_pdn_ytd_rp,
    p3dn_pct(sum(ekatalog_pdn_rp) OVER ytd, sum(realisasi_belanja_pengadaan_rp) OVER ytd)
        AS pct_ekatalog_pdn_ytd,
    ada_data_apbd
FROM bulanan
WINDOW per_skpd AS (PARTITION BY kd_klpd, tahun_anggaran, kode_skpd),
       ytd AS (PARTITION BY kd_klpd, tahun_anggaran, kode_skpd ORDER BY bulan
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY kd_klpd, tahun_anggaran, kode_skpd, bulan;

COMMENT ON TABLE marts.p3dn_apbd_bulanan IS 'Realisasi APBD belanja pengadaan (5.1.02 + 5.2) per SKPD per bulan, dibandingkan nilai PDN e-katalog bulan yang sama, dengan akumulasi sampai bulan berjalan. / Monthly APBD procurement realisation per SKPD beside e-katalog PDN value, with year-to-date.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.kd_klpd IS 'Kode K/L/PD (APBD: dari konfigurasi P3DN_KD_KLPD). / Government code.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.kode_skpd IS 'Kode SKPD (= kd_satker_str LKPP). / SKPD code.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.nama_skpd IS 'Nama SKPD. / SKPD name.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.bulan IS 'Bulan 1-12. / Month.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.realisasi_belanja_pengadaan_rp IS 'Realisasi APBD bulan ini pada kode rekening 5.1.02.* dan 5.2.* (Rp). / Procurement-eligible realised spending this month, rupiah.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.realisasi_belanja_total_rp IS 'Realisasi APBD bulan ini semua kode rekening rinci (Rp). / All realised spending this month, rupiah.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.ekatalog_pdn_rp IS 'Nilai e-katalog bertransaksi berstatus PDN, menurut bulan tgl_order (Rp). / e-katalog PDN value ordered this month, rupiah.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.ekatalog_rp IS 'Seluruh nilai e-katalog bertransaksi bulan ini (Rp). / All transacted e-katalog value this month, rupiah.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.realisasi_belanja_pengadaan_ytd_rp IS 'Akumulasi realisasi belanja pengadaan s.d. bulan ini (Rp). / Year-to-date, rupiah.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.ekatalog_pdn_ytd_rp IS 'Akumulasi nilai e-katalog PDN s.d. bulan ini (Rp). / Year-to-date, rupiah.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.pct_ekatalog_pdn_ytd IS 'Persen = 100 x ekatalog_pdn_ytd_rp / realisasi_belanja_pengadaan_ytd_rp. / Share, percent.';
COMMENT ON COLUMN marts.p3dn_apbd_bulanan.ada_data_apbd IS 'FALSE bila bulan ini hanya ada transaksi e-katalog tanpa baris APBD. / Whether APBD lines exist for this month.';
