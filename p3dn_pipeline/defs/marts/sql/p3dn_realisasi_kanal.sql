-- Realised procurement per channel (grain: kd_klpd x tahun_anggaran x kanal), with its PDN
-- and UMK value, what is unknown, and the packages without a value yet: the parts the P3DN
-- headline adds up, each with its source and data date.

-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_p3dn_realisasi_kanal AS
SELECT
    kd_klpd,
    tahun_anggaran,
    kanal,
    count(*) FILTER (WHERE ada_nilai) AS jumlah_paket,
    coalesce(sum(nilai_rp), 0) AS realisasi_rp,
    coalesce(sum(nilai_pdn_rp), 0) AS realisasi_pdn_rp,
    coalesce(sum(nilai_umk_rp), 0) AS realisasi_umk_rp,
    coalesce(sum(nilai_rp) FILTER (WHERE nilai_pdn_rp IS NULL), 0) AS realisasi_pdn_tidak_diketahui_rp,
    coalesce(sum(nilai_rp) FILTER (WHERE nilai_umk_rp IS NULL), 0) AS realisasi_umk_tidak_diketahui_rp,
    count(*) FILTER (WHERE NOT ada_nilai) AS jumlah_paket_tanpa_nilai,
    bool_and(masuk_rasio_p3dn) AS masuk_rasio_p3dn,
    CASE kanal
        WHEN 'ekatalog' THEN 'LKPP Ecat-PaketEPurchasing v5+v6, status bertransaksi; PDN dari status_pdn paket SiRUP (kd_rup + tahun); UMK dari penyedia_ukm Ecat-PenyediaDetail'
        WHEN 'tender' THEN 'LKPP SPSE-TenderSelesaiNilai: nilai_kontrak, nilai_pdn_kontrak, nilai_umk_kontrak'
        WHEN 'nontender' THEN 'LKPP SPSE-NonTenderSelesai berstatus Selesai: nilai_kontrak, nilai_pdn_kontrak, nilai_umk_kontrak'
        WHEN 'pencatatan_nontender' THEN 'LKPP SPSE-PencatatanNonTender tanpa Paket Dibatalkan: total_realisasi, nilai_pdn_pct, nilai_umk_pct'
        WHEN 'pencatatan_swakelola' THEN 'LKPP SPSE-PencatatanSwakelola tanpa Paket Dibatalkan: total_realisasi, nilai_pdn_pct, nilai_umk_pct (di luar rasio P3DN)'
        WHEN 'eorder' THEN 'BPPBJ DKI e-Order berstatus Selesai: Nilai Order (PDN dan UMK tidak diketahui); SKPD dari paket SiRUP (Kode RUP + tahun)'
        WHEN 'tokodaring' THEN 'LKPP Bela-TokoDaringRealisasi verified + selesai: valuasi (PDN dan UMK tidak diketahui)'
    END AS sumber,
    count(DISTINCT _source_file) AS jumlah_file_sumber,
    -- A date a figure can honestly be "as of": inside the fiscal year's tolerance and not
    -- after its file was loaded (WIB), as for the headline.
    max(tanggal_data) FILTER (
        WHERE p3dn_dalam_tahun_anggaran(tanggal_data, tahun_anggaran)
          AND tanggal_data <= p3dn_hari_dimuat(_loaded_at)) AS data_sd,
    max(_loaded_at) AS dimuat_pada
FROM marts.p3dn_realisasi_paket
GROUP BY kd_klpd, tahun_anggaran, kanal
ORDER BY kd_klpd, tahun_anggaran, kanal;

COMMENT ON TABLE marts.p3dn_realisasi_kanal IS 'Realisasi pengadaan per kanal per pemda per tahun: nilai, nilai PDN, nilai UMK, yang tidak diketahui, dan paket tanpa nilai, dengan sumber dan tanggal data. / Realised procurement per channel with PDN and UMK value, unknowns and packages without a value.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.kd_klpd IS 'Kode K/L/PD LKPP; setiap baris ekspor di bawah kd_klpd-nya sendiri. / LKPP government code, each row under its own.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.kanal IS 'ekatalog, tender, nontender, pencatatan_nontender, pencatatan_swakelola, tokodaring, eorder. / Channel.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.jumlah_paket IS 'Jumlah paket dengan nilai realisasi. / Packages with a realised value.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.realisasi_rp IS 'Nilai realisasi (Rp). / Realised value, rupiah.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.realisasi_pdn_rp IS 'Nilai PDN yang diketahui (Rp). / Known domestic-product value, rupiah.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.realisasi_umk_rp IS 'Nilai UMK yang diketahui, dari sisi penyedia (Rp). / Known micro/small-business value (vendor side), rupiah.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.realisasi_pdn_tidak_diketahui_rp IS 'Nilai realisasi yang nilai PDN-nya tidak diketahui (Rp): tidak dihitung PDN maupun non-PDN. / Realised value whose PDN value is unknown.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.realisasi_umk_tidak_diketahui_rp IS 'Nilai realisasi yang nilai UMK-nya tidak diketahui (Rp). / Realised value whose UMK value is unknown.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.jumlah_paket_tanpa_nilai IS 'Paket tanpa nilai kontrak (belum berkontrak): tidak masuk jumlah. / Packages without a contract value, not in the sums.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.masuk_rasio_p3dn IS 'FALSE untuk swakelola, yang dilaporkan tetapi tidak masuk rasio P3DN. / FALSE for swakelola.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.sumber IS 'Dataset dan aturan penghitungan kanal. / Dataset and counting rule of the channel.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.jumlah_file_sumber IS 'Jumlah file ekspor yang dipakai. / Export files used.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.data_sd IS 'Tanggal data terbaru kanal (dalam toleransi tahun anggaran, tidak sesudah dimuat). / Latest data date of the channel.';
COMMENT ON COLUMN marts.p3dn_realisasi_kanal.dimuat_pada IS 'Waktu file sumber terbaru dimuat. / When the newest source file was loaded.';
