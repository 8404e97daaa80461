-- P3DN per SKPD and fiscal year, for Dinas PPKUKM and every SKPD's procurement officer:
-- belanja pengadaan, SiRUP commitment to PDN and UMK, e-katalog realisation, and
-- pct_realisasi_komitmen / pct_pdn_belanja / pct_umk_belanja against their targets. Grain:
-- kd_klpd x tahun_anggaran x kd_satker_str.

-- P3DN per SKPD (grain: kd_klpd x tahun_anggaran x kd_satker_str): the procurement base,
-- the SiRUP commitment, the e-katalog realisation and the three shares against their targets.
-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_p3dn_per_skpd AS
WITH belanja AS (
    SELECT kd_klpd, tahun_anggaran, kd_satker_str,
           max(nama_satker) AS nama_satker,
           sum(belanja_pengadaan_rp) AS belanja_pengadaan_rp
    FROM staging.sirup_struktur_anggaran
    GROUP BY ALL
),
komitmen AS (
    SELECT kd_klpd, tahun_anggaran, kd_satker_str,
           max(nama_satker) AS nama_satker,
           sum(pagu_rp) AS pagu_komitmen_rp,
           sum(pagu_rp) FILTER (WHERE is_pdn) AS komitmen_pdn_rp,
           sum(pagu_rp) FILTER (WHERE is_ukm) AS komitmen_umk_rp,
           count(*) AS jumlah_paket_rup
    FROM staging.sirup_paket_penyedia
    WHERE is_komitmen
    GROUP BY ALL
),
realisasi AS (
    SELECT kd_klpd, tahun_anggaran, kd_satker_str,
           sum(nilai_rp) AS realisasi_ekatalog_rp,
           sum(nilai_rp) FILTER (WHERE is_pdn) AS realisasi_pdn_rp,
           sum(nilai_rp) FILTER (WHERE is_ukm) AS realisasi_umk_rp,
           sum(nilai_rp) FILTER (WHERE NOT is_rup_komitmen) AS realisasi_tanpa_rup_rp,
           sum(nilai_tkdn_diketahui_rp) AS realisasi_tkdn_diketahui_rp,
           sum(nilai_tkdn_min_25_rp) AS realisasi_tkdn_min_25_rp,
           count(*) AS jumlah_paket_ekatalog
    FROM staging.ekatalog_paket
    WHERE is_transacted
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
        max(target_pct) FILTER (WHERE kpi = 'pct_umk_belanja') AS umk_belanja
    FROM reference.target_kpi
),
angka AS (
    SELECT
        skpd.kd_klpd, skpd.tahun_anggaran, skpd.kd_satker_str,
        coalesce(belanja.nama_satker, komitmen.nama_satker, nama.nama_satker) AS nama_skpd,
        coalesce(belanja.belanja_pengadaan_rp, 0) AS belanja_pengadaan_rp,
        coalesce(komitmen.pagu_komitmen_rp, 0) AS pagu_komitmen_rp,
        coalesce(komitmen.komitmen_pdn_rp, 0) AS komitmen_pdn_rp,
        coalesce(komitmen.komitmen_umk_rp, 0) AS komitmen_umk_rp,
        coalesce(realisasi.realisasi_ekatalog_rp, 0) AS realisasi_ekatalog_rp,
        coalesce(realisasi.realisasi_pdn_rp, 0) AS realisasi_pdn_rp,
        coalesce(realisasi.realisasi_umk_rp, 0) AS realisasi_umk_rp,
        coalesce(realisasi.realisasi_tanpa_rup_rp, 0) AS realisasi_tanpa_rup_rp,
        coalesce(realisasi.realisasi_tkdn_diketahui_rp, 0) AS realisasi_tkdn_diketahui_rp,
        coalesce(realisasi.realisasi_tkdn_min_25_rp, 0) AS realisasi_tkdn_min_25_rp,
        coalesce(komitmen.jumlah_paket_rup, 0) AS jumlah_paket_rup,
        coalesce(realisasi.jumlah_paket_ekatalog, 0) AS jumlah_paket_ekatalog
    FROM skpd
    LEFT JOIN belanja USING (kd_klpd, tahun_anggaran, kd_satker_str)
    LEFT JOIN komitmen USING (kd_klpd, tahun_anggaran, kd_satker_str)
    LEFT JOIN realisasi USING (kd_klpd, tahun_anggaran, kd_satker_str)
    LEFT JOIN (SELECT kd_klpd, tahun_anggaran, kd_satker_str, max(nama_satker) AS nama_satker
               FROM staging.ekatalog_paket_v6 GROUP BY ALL) AS nama
        USING (kd_klpd, tahun_anggaran, kd_satker_str)
)
SELECT
    angka.*,
    -- A share with a zero base is undefined, not 0 %: NULL, and the target flag is NULL too.
    p3dn_pct(realisasi_pdn_rp, komitmen_pdn_rp) AS pct_realisasi_komitmen,
    p3dn_pct(komitmen_pdn_rp, belanja_pengadaan_rp) AS pct_pdn_belanja,
    p3dn_pct(komitmen_umk_rp, belanja_pengadaan_rp) AS pct_umk_belanja,
    target.realisasi_komitmen AS target_pct_realisasi_komitmen,
    target.pdn_belanja AS target_pct_pdn_belanja,
    target.umk_belanja AS target_pct_umk_belanja,
    p3dn_pct(realisasi_pdn_rp, komitmen_pdn_rp) >= target.realisasi_komitmen
        AS memenuhi_target_realisasi_komitmen,
    p3dn_pct(komitmen_pdn_rp, belanja_pengadaan_rp) >= target.pdn_belanja
        AS memenuhi_target_pdn_belanja,
    p3dn_pct(komitmen_umk_rp, belanja_pengadaan_rp) >= target.umk_belanja
        AS memenuhi_target_umk_belanja
FROM angka CROSS JOIN target
ORDER BY kd_klpd, tahun_anggaran, kd_satker_str;

COMMENT ON TABLE marts.p3dn_per_skpd IS 'P3DN per SKPD per tahun anggaran: belanja pengadaan, komitmen PDN/UMK (SiRUP), realisasi e-katalog, persentase terhadap target. / P3DN per SKPD and fiscal year: procurement base, PDN/UMK commitment (SiRUP), e-katalog realisation, shares against targets.';
COMMENT ON COLUMN marts.p3dn_per_skpd.kd_klpd IS 'Kode K/L/PD LKPP (pemda), mis. D107 Kab. Bandung. / LKPP government code.';
COMMENT ON COLUMN marts.p3dn_per_skpd.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_per_skpd.kd_satker_str IS 'Kode SKPD (kd_satker_str SiRUP = Kode SKPD APBD). / SKPD code.';
COMMENT ON COLUMN marts.p3dn_per_skpd.nama_skpd IS 'Nama SKPD. / SKPD name.';
COMMENT ON COLUMN marts.p3dn_per_skpd.belanja_pengadaan_rp IS 'Belanja pengadaan (Rp) = belanja operasi + modal, RUP-StrukturAnggaranPD. / Procurement spending base, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pagu_komitmen_rp IS 'Total pagu paket penyedia SiRUP yang terumumkan, aktif, tidak dihapus (Rp). / Announced SiRUP vendor-package budget, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.komitmen_pdn_rp IS 'Komitmen PDN (Rp): pagu paket SiRUP berstatus PDN (terumumkan, aktif, tidak dihapus). / Domestic-product commitment, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.komitmen_umk_rp IS 'Komitmen UMK (Rp): pagu paket SiRUP berstatus UKM. / Commitment to micro/small businesses, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_ekatalog_rp IS 'Nilai transaksi e-katalog v5+v6 berstatus transaksi (Rp), semua paket. / Transacted e-katalog value, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_pdn_rp IS 'Realisasi PDN (Rp): nilai e-katalog bertransaksi yang kd_rup-nya paket komitmen SiRUP berstatus PDN. / Realised domestic-product spending, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_umk_rp IS 'Realisasi UMK (Rp): nilai e-katalog bertransaksi yang kd_rup-nya paket komitmen SiRUP berstatus UKM. / Realised spending with micro/small businesses, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_tanpa_rup_rp IS 'Nilai e-katalog bertransaksi yang kd_rup-nya tidak ada di SiRUP atau paketnya bukan komitmen (tidak dihitung PDN/UMK). / Transacted value with no committed SiRUP package, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_tkdn_diketahui_rp IS 'Nilai e-katalog bertransaksi yang TKDN semua produknya diketahui (Ecat-ProdukDetail) (Rp). / Transacted value whose products all have a TKDN figure, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.realisasi_tkdn_min_25_rp IS 'Bagian dari realisasi_tkdn_diketahui_rp dengan TKDN setiap produk >= 25 % (Rp). / Of that, value whose products all have TKDN >= 25 %, rupiah.';
COMMENT ON COLUMN marts.p3dn_per_skpd.jumlah_paket_rup IS 'Jumlah paket SiRUP yang menjadi komitmen. / Number of committed SiRUP packages.';
COMMENT ON COLUMN marts.p3dn_per_skpd.jumlah_paket_ekatalog IS 'Jumlah paket e-katalog bertransaksi. / Number of transacted e-katalog packages.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_realisasi_komitmen IS 'Persen realisasi komitmen P3DN = 100 x realisasi_pdn_rp / komitmen_pdn_rp; NULL bila komitmen 0. / PDN realisation as percent of commitment.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_pdn_belanja IS 'Persen PDN terhadap belanja pengadaan = 100 x komitmen_pdn_rp / belanja_pengadaan_rp. / PDN commitment as percent of procurement spending.';
COMMENT ON COLUMN marts.p3dn_per_skpd.pct_umk_belanja IS 'Persen UMK terhadap belanja pengadaan = 100 x komitmen_umk_rp / belanja_pengadaan_rp. / Micro/small-business commitment as percent of procurement spending.';
COMMENT ON COLUMN marts.p3dn_per_skpd.target_pct_realisasi_komitmen IS 'Target persen realisasi komitmen (reference.target_kpi). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_per_skpd.target_pct_pdn_belanja IS 'Target persen PDN terhadap belanja pengadaan (reference.target_kpi). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_per_skpd.target_pct_umk_belanja IS 'Target persen UMK terhadap belanja pengadaan (reference.target_kpi). / Target, percent.';
COMMENT ON COLUMN marts.p3dn_per_skpd.memenuhi_target_realisasi_komitmen IS 'TRUE bila pct_realisasi_komitmen >= target; NULL bila tidak terukur. / Target met.';
COMMENT ON COLUMN marts.p3dn_per_skpd.memenuhi_target_pdn_belanja IS 'TRUE bila pct_pdn_belanja >= target; NULL bila tidak terukur. / Target met.';
COMMENT ON COLUMN marts.p3dn_per_skpd.memenuhi_target_umk_belanja IS 'TRUE bila pct_umk_belanja >= target; NULL bila tidak terukur. / Target met.';
