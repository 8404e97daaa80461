-- P3DN per SKPD and fiscal year, for Dinas PPKUKM and every SKPD's procurement officer:
-- belanja pengadaan, SiRUP commitment to PDN and UMK, realisation over every channel (with
-- the e-katalog part beside it), and the shares against their targets. Sub-units roll up to
-- their SKPD. Grain: kd_klpd x tahun_anggaran x kd_satker_str.

-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_p3dn_per_skpd AS
WITH induk AS (
    -- A sub-unit's plan and budget count under the SKPD it belongs to (RUP-MasterSatker):
    -- its own budget lines in RUP-StrukturAnggaranPD are empty.
    SELECT kd_klpd, kd_satker_str, kd_satker_str_induk FROM staging.sirup_master_satker
),
belanja AS (
    SELECT s.kd_klpd, s.tahun_anggaran,
           coalesce(induk.kd_satker_str_induk, s.kd_satker_str) AS kd_satker_str,
           max(s.nama_satker) FILTER (WHERE induk.kd_satker_str_induk IS NULL
                                         OR induk.kd_satker_str_induk = s.kd_satker_str)
               AS nama_satker,
           sum(s.belanja_pengadaan_rp) AS belanja_pengadaan_rp
    FROM staging.sirup_struktur_anggaran AS s
    LEFT JOIN induk USING (kd_klpd, kd_satker_str)
    GROUP BY ALL
),
komitmen AS (
    SELECT r.kd_klpd, r.tahun_anggaran,
           coalesce(induk.kd_satker_str_induk, r.kd_satker_str) AS kd_satker_str,
           max(r.nama_satker) FILTER (WHERE induk.kd_satker_str_induk IS NULL
                                         OR induk.kd_satker_str_induk = r.kd_satker_str)
               AS nama_satker,
           sum(r.pagu_rp) AS pagu_komitmen_rp,
           sum(r.pagu_rp) FILTER (WHERE r.is_pdn) AS komitmen_pdn_rp,
           sum(r.pagu_rp) FILTER (WHERE r.is_ukm) AS komitmen_umk_rp,
           count(*) AS jumlah_paket_rup
    FROM staging.sirup_paket_penyedia AS r
    LEFT JOIN induk USING (kd_klpd, kd_satker_str)
    WHERE r.is_komitmen
    GROUP BY ALL
),
realisasi AS (
    -- Swakelola is reported apart and kept out of every P3DN figure.
    SELECT kd_klpd, tahun_anggaran, kd_satker_str,
           sum(nilai_rp) FILTER (WHERE masuk_rasio_p3dn) AS realisasi_rp,
           sum(nilai_pdn_rp) FILTER (WHERE masuk_rasio_p3dn) AS realisasi_pdn_rp,
           sum(nilai_umk_rp) FILTER (WHERE masuk_rasio_p3dn) AS realisasi_umk_rp,
           sum(nilai_rp) FILTER (WHERE masuk_rasio_p3dn AND nilai_pdn_rp IS NULL)
               AS realisasi_pdn_tidak_diketahui_rp,
           sum(nilai_rp) FILTER (WHERE masuk_rasio_p3dn AND nilai_umk_rp IS NULL)
               AS realisasi_umk_tidak_diketahui_rp,
           sum(nilai_rp) FILTER (WHERE kanal = 'ekatalog') AS realisasi_ekatalog_rp,
           sum(nilai_pdn_rp) FILTER (WHERE kanal = 'ekatalog') AS realisasi_pdn_ekatalog_rp,
           sum(nilai_rp) FILTER (WHERE kanal = 'pencatatan_swakelola') AS realisasi_swakelola_rp,
           count(*) FILTER (WHERE masuk_rasio_p3dn AND ada_nilai) AS jumlah_paket_realisasi
    FROM marts.p3dn_realisasi_paket
    GROUP BY ALL
),
ekatalog AS (
    SELECT e.kd_klpd, e.tahun_anggaran,
           coalesce(induk.kd_satker_str_induk, e.kd_satker_str) AS kd_satker_str,
           sum(e.nilai_rp) FILTER (WHERE NOT e.is_rup_komitmen) AS realisasi_tanpa_rup_rp,
           sum(e.nilai_tkdn_diketahui_rp) AS realisasi_tkdn_diketahui_rp,
           sum(e.nilai_tkdn_min_25_rp) AS realisasi_tkdn_min_25_rp,
           sum(e.nilai_tkdn_bmp_min_40_rp) AS realisasi_tkdn_bmp_min_40_rp,
           count(*) AS jumlah_paket_ekatalog
    FROM staging.ekatalog_paket AS e
    LEFT JOIN induk ON induk.kd_klpd = e.kd_klpd AND induk.kd_satker_str = e.kd_satker_str
    WHERE e.is_transacted
    GROUP BY ALL
),
skpd AS (
    SELECT kd_klpd, tahun_anggaran, kd_satker_str FROM belanja
    UNION SELECT kd_klpd, tahun_anggaran, kd_satker_str FROM komitmen
    UNION SELECT kd_klpd, tahun_anggaran, kd_satker_str FROM realisasi
),
target AS (
    SELECT
        max(target_pct) FILTER (WHERE kpi = 'pct_realisasi_komitmen') AS realisasi_komitmen,
        max(target_pct) FILTER (WHERE kpi = 'pct_pdn_belanja') AS pdn_belanja,
        max(target_pct) FILTER (WHERE kpi = 'pct_umk_belanja') AS umk_belanja,
        max(target_pct) FILTER (WHERE kpi = 'pct_pdn_realisasi') AS pdn_realisasi,
        max(target_pct) FILTER (WHERE kpi = 'pct_umk_realisasi') AS umk_realisasi
    FROM reference.target_kpi
),
nama AS (
    SELECT kd_klpd, kd_satker_str, max(nama_satker) AS nama_satker
    FROM (SELECT kd_klpd, kd_satker_str, nama_satker FROM staging.sirup_master_satker
          UNION ALL
          SELECT kd_klpd, kd_satker_str, nama_satker FROM staging.ekatalog_paket_v6)
    GROUP BY ALL
),
angka AS (
    SELECT
        skpd.kd_klpd, skpd.tahun_anggaran, skpd.kd_satker_str,
        coalesce(belanja.nama_satker, komitmen.nama_satker, nama.nama_satker) AS nama_skpd,
        coalesce(belanja.belanja_pengadaan_rp, 0) AS belanja_pengadaan_rp,
        coalesce(komitmen.pagu_komitmen_rp, 0) AS pagu_komitmen_rp,
        coalesce(komitmen.komitmen_pdn_rp, 0) AS komitmen_pdn_rp,
        coalesce(komitmen.komitmen_umk_rp, 0) AS komitmen_umk_rp,
        coalesce(realisasi.realisasi_rp, 0) AS realisasi_rp,
        coalesce(realisasi.realisasi_pdn_rp, 0) AS realisasi_pdn_rp,
        coalesce(realisasi.realisasi_umk_rp, 0) AS realisasi_umk_rp,
        coalesce(realisasi.realisasi_pdn_tidak_diketahui_rp, 0) AS realisasi_pdn_tidak_diketahui_rp,
        coalesce(realisasi.realisasi_umk_tidak_diketahui_rp, 0) AS realisasi_umk_tidak_diketahui_rp,
        coalesce(realisasi.realisasi_ekatalog_rp, 0) AS realisasi_ekatalog_rp,
        coalesce(realisasi.realisasi_pdn_ekatalog_rp, 0) AS realisasi_pdn_ekatalog_rp,
        coalesce(realisasi.realisasi_swakelola_rp, 0) AS realisasi_swakelola_rp,
        coalesce(ekatalog.realisasi_tanpa_rup_rp, 0) AS realisasi_tanpa_rup_rp,
        coalesce(ekatalog.realisasi_tkdn_diketahui_rp, 0) AS realisasi_tkdn_diketahui_rp,
        coalesce(ekatalog.realisasi_tkdn_min_25_rp, 0) AS realisasi_tkdn_min_25_rp,
        coalesce(ekatalog.realisasi_tkdn_bmp_min_40_rp, 0) AS realisasi_tkdn_bmp_min_40_rp,
        coalesce(komitmen.jumlah_paket_rup, 0) AS jumlah_paket_rup,
        coalesce(realisasi.jumlah_paket_realisasi, 0) AS jumlah_paket_realisasi,
        coalesce(ekatalog.jumlah_paket_ekatalog, 0) AS jumlah_paket_ekatalog
    FROM skpd
    LEFT JOIN belanja USING (kd_klpd, tahun_anggaran, kd_satker_str)
    LEFT JOIN komitmen USING (kd_klpd, tahun_anggaran, kd_satker_str)
    LEFT JOIN realisasi USING (kd_klpd, tahun_anggaran, kd_satker_str)
    LEFT JOIN ekatalog USING (kd_klpd, tahun_anggaran, kd_satker_str)
    LEFT JOIN nama USING (kd_klpd, kd_satker_str)
)
SELECT
    angka.*,
    -- A share with a zero base is undefined, not 0 %: NULL, and the target flag is NULL too.
    p3dn_pct(realisasi_pdn_rp, komitmen_pdn_rp) AS pct_realisasi_komitmen,
    p3dn_pct(realisasi_pdn_ekatalog_rp, komitmen_pdn_rp) AS pct_realisasi_komitmen_ekatalog,
    p3dn_pct(komitmen_pdn_rp, belanja_pengadaan_rp) AS pct_pdn_belanja,
    p3dn_pct(komitmen_umk_rp, belanja_pengadaan_rp) AS pct_umk_belanja,
    -- Shares of realised procurement: over the value whose PDN (UMK) value is known, so an
    -- unknown is never read as 0 % or 100 %.
    p3dn_pct(realisasi_pdn_rp, realisasi_rp - realisasi_pdn_tidak_diketahui_rp) AS pct_pdn_realisasi,
    p3dn_pct(realisasi_umk_rp, realisasi_rp - realisasi_umk_tidak_diketahui_rp) AS pct_umk_realisasi,
    target.realisasi_komitmen AS target_pct_realisasi_komitmen,
    target.pdn_belanja AS target_pct_pdn_belanja,
    target.umk_belanja AS target_pct_umk_belanja,
    target.pdn_realisasi AS target_pct_pdn_realisasi,
    target.umk_realisasi AS target_pct_umk_realisasi,
    p3dn_pct(realisasi_pdn_rp, komitmen_pdn_rp) >= target.realisasi_komitmen
        AS memenuhi_target_realisasi_komitmen,
    p3dn_pct(komitmen_pdn_rp, belanja_pengadaan_rp) >= target.pdn_belanja
        AS memenuhi_target_pdn_belanja,
    p3dn_pct(komitmen_umk_rp, belanja_pengadaan_rp) >= target.umk_belanja
        AS memenuhi_target_umk_belanja
FROM angka CROSS JOIN target
ORDER BY kd_klpd, tahun_anggaran, kd_satker_str;

COMMENT ON TABLE marts.p3dn_per_skpd IS 'P3DN per SKPD per tahun anggaran: belanja pengadaan, komitmen PDN/UMK (SiRUP), realisasi semua kanal (bagian e-katalog di sampingnya), persentase terhadap target; sub-unit digulung ke SKPD induk. / P3DN per SKPD and fiscal year: procurement base, PDN/UMK commitment (SiRUP), realisation over every channel, shares against targets; sub-units rolled up.';
COMMENT ON COLUMN marts.p3dn_per_skpd.kd_klpd IS 'Kode K/L/PD LKPP (pemda), mis. D107 Kab. Bandung. / LKPP government code.';
COMMENT ON COLUMN marts.p3dn_per_skpd.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_per_skpd.kd_satker_str IS 'Kode SKPD (kd_satker_str SiRUP = Kode SKPD APBD); sub-unit digulung ke SKPD induk lewat RUP-MasterSatker. / SKPD code, sub-units rolled up.';
COMMENT ON COLUMN marts.p3dn_per_skpd.nama_skpd IS 'Nama SKPD. / SKPD name.';
COMMENT ON COLUMN marts.p3dn_per_skpd.belanja_pengadaan_rp IS 'Belanja pengadaan (Rp) = belanja operasi + modal, RUP-StrukturAnggaranPD. / Procurement spending base, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pagu_komitmen_rp IS 'Total pagu paket penyedia SiRUP yang terumumkan, aktif, tidak dihapus (Rp). / Announced SiRUP vendor-package budget, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.komitmen_pdn_rp IS 'Komitmen PDN (Rp): pagu paket SiRUP berstatus PDN (terumumkan, aktif, tidak dihapus). / Domestic-product commitment, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.komitmen_umk_rp IS 'Komitmen UMK (Rp): pagu paket SiRUP berstatus UKM. / Commitment to micro/small businesses, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_rp IS 'Realisasi pengadaan semua kanal kecuali swakelola (Rp): e-katalog, tender, non-tender, pencatatan non-tender, toko daring (marts.p3dn_realisasi_paket). / Realised procurement over every channel but swakelola, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_pdn_rp IS 'Realisasi PDN semua kanal kecuali swakelola (Rp): nilai PDN LKPP per kontrak/pencatatan; e-katalog: nilai paket yang paket SiRUP-nya (kd_rup + tahun) komitmen PDN. / Realised domestic-product value over every channel, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_umk_rp IS 'Realisasi UMK semua kanal kecuali swakelola (Rp), dari sisi penyedia (nilai_umk LKPP; e-katalog: penyedia_ukm). / Realised value with micro/small vendors, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_pdn_tidak_diketahui_rp IS 'Realisasi yang nilai PDN-nya tidak diketahui (Rp): tidak dihitung PDN maupun non-PDN. / Realised value whose PDN value is unknown, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_umk_tidak_diketahui_rp IS 'Realisasi yang nilai UMK-nya tidak diketahui (Rp). / Realised value whose UMK value is unknown, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_ekatalog_rp IS 'Nilai transaksi e-katalog v5+v6 berstatus transaksi (Rp), semua paket. / Transacted e-katalog value, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_pdn_ekatalog_rp IS 'Bagian e-katalog dari realisasi PDN (Rp). / E-katalog part of the realised PDN value, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_swakelola_rp IS 'Realisasi pencatatan swakelola (Rp): dilaporkan, di luar rasio P3DN. / Recorded self-managed work, outside the P3DN ratio, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_tanpa_rup_rp IS 'Nilai e-katalog bertransaksi yang kd_rup-nya tidak ada di SiRUP tahun itu atau paketnya bukan komitmen (PDN tidak diketahui). / Transacted e-katalog value with no committed SiRUP package, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_tkdn_diketahui_rp IS 'Nilai e-katalog bertransaksi yang TKDN semua produknya diketahui (Ecat-ProdukDetail) (Rp). / Transacted value whose products all have a TKDN figure, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_tkdn_min_25_rp IS 'Bagian dari realisasi_tkdn_diketahui_rp dengan TKDN setiap produk >= 25 % (Rp). / Of that, value whose products all have TKDN >= 25 %, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_tkdn_bmp_min_40_rp IS 'Bagian dari realisasi_tkdn_diketahui_rp dengan TKDN + BMP setiap produk >= 40 % (produk yang mewajibkan pembelian dalam negeri, PP 29/2018 ps. 61). Pesanan v6 mendaftar UUID produk yang tidak menjadi kunci Ecat-ProdukDetail: tidak dapat diuji. / Of that, value whose products all have TKDN + BMP >= 40 %; v6 product UUIDs cannot be tested.';
COMMENT ON COLUMN marts.p3dn_per_skpd.jumlah_paket_rup IS 'Jumlah paket SiRUP yang menjadi komitmen. / Number of committed SiRUP packages.';
COMMENT ON COLUMN marts.p3dn_per_skpd.jumlah_paket_realisasi IS 'Jumlah paket bernilai di semua kanal kecuali swakelola. / Realised packages with a value, every channel but swakelola.';
COMMENT ON COLUMN marts.p3dn_per_skpd.jumlah_paket_ekatalog IS 'Jumlah paket e-katalog bertransaksi. / Number of transacted e-katalog packages.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_realisasi_komitmen IS 'Persen realisasi komitmen P3DN = 100 x realisasi_pdn_rp (semua kanal kecuali swakelola) / komitmen_pdn_rp; NULL bila komitmen 0. / PDN realisation over every channel as percent of commitment.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_realisasi_komitmen_ekatalog IS 'Angka sekunder, e-katalog saja: 100 x realisasi_pdn_ekatalog_rp / komitmen_pdn_rp. / Secondary figure, e-katalog only.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_pdn_belanja IS 'Persen PDN terhadap belanja pengadaan = 100 x komitmen_pdn_rp / belanja_pengadaan_rp. / PDN commitment as percent of procurement spending.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_umk_belanja IS 'Persen UMK terhadap belanja pengadaan = 100 x komitmen_umk_rp / belanja_pengadaan_rp. / Micro/small-business commitment as percent of procurement spending.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_pdn_realisasi IS 'Persen PDN dari realisasi = 100 x realisasi_pdn_rp / (realisasi_rp - realisasi_pdn_tidak_diketahui_rp). / PDN share of realised procurement whose PDN value is known.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_umk_realisasi IS 'Persen UMK dari realisasi = 100 x realisasi_umk_rp / (realisasi_rp - realisasi_umk_tidak_diketahui_rp). / UMK share of realised procurement whose UMK value is known.';
COMMENT ON COLUMN marts.p3dn_per_skpd.target_pct_realisasi_komitmen IS 'Target persen realisasi komitmen (reference.target_kpi). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_per_skpd.target_pct_pdn_belanja IS 'Target persen PDN terhadap belanja pengadaan (reference.target_kpi). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_per_skpd.target_pct_umk_belanja IS 'Target persen UMK terhadap belanja pengadaan (reference.target_kpi). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_per_skpd.target_pct_pdn_realisasi IS 'Target persen PDN dari realisasi (reference.target_kpi). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_per_skpd.target_pct_umk_realisasi IS 'Target persen UMK dari realisasi (reference.target_kpi). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_per_skpd.memenuhi_target_realisasi_komitmen IS 'TRUE bila pct_realisasi_komitmen >= target; NULL bila tidak terukur. / Target met.';
COMMENT ON COLUMN marts.p3dn_per_skpd.memenuhi_target_pdn_belanja IS 'TRUE bila pct_pdn_belanja >= target; NULL bila tidak terukur. / Target met.';
COMMENT ON COLUMN marts.p3dn_per_skpd.memenuhi_target_umk_belanja IS 'TRUE bila pct_umk_belanja >= target; NULL bila tidak terukur. / Target met.';
