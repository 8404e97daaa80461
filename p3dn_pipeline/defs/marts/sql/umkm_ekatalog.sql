-- Mentored UMKM that also sell on e-katalog (matched on NIB or hashed NPWP-16), with their
-- transacted packages and value per quarter. Grain: kd_klpd x tahun x triwulan x
-- pelaku_usaha_id.

-- Mentored businesses that also sell on e-katalog, with their orders per quarter
-- (grain: kd_klpd x tahun x triwulan x pelaku_usaha_id). Matched on NIB, or on the
-- hashed NPWP-16 of a sole proprietor, which is the owner's NIK.
CREATE OR REPLACE TABLE marts.umkm_ekatalog AS
WITH binaan AS (
    SELECT pelaku_usaha_id,
           arg_max(kode_kab_kota, tahun * 4 + triwulan) AS kode_kab_kota,
           arg_max(sektor, tahun * 4 + triwulan) AS sektor,
           -- NIB is often empty for micro businesses; any quarter that has it identifies it.
           arg_max(nib, tahun * 4 + triwulan) FILTER (WHERE nib IS NOT NULL) AS nib
    FROM staging.kpkp_roster
    GROUP BY pelaku_usaha_id
),
cocok AS (
    SELECT b.pelaku_usaha_id, b.kode_kab_kota, b.sektor, p.kd_penyedia, p.kd_penyedia_sikap,
           CASE WHEN b.nib = p.nib THEN 'NIB' ELSE 'NPWP' END AS dasar_pencocokan
    FROM binaan AS b
    JOIN staging.ekatalog_penyedia AS p ON b.nib = p.nib
    -- Two equi-joins, not one join on "NIB OR NPWP" (a nested loop over every business x
    -- vendor); a pair matched both ways is one row, as before.
    UNION
    SELECT b.pelaku_usaha_id, b.kode_kab_kota, b.sektor, p.kd_penyedia, p.kd_penyedia_sikap,
           CASE WHEN b.nib = p.nib THEN 'NIB' ELSE 'NPWP' END AS dasar_pencocokan
    FROM binaan AS b
    JOIN staging.ekatalog_penyedia AS p ON b.pelaku_usaha_id = p.npwp_16_hash
),
pesanan AS (
    SELECT c.pelaku_usaha_id, c.kode_kab_kota, c.sektor, c.dasar_pencocokan,
           e.kd_klpd, e.versi_katalog, e.kd_paket, e.nilai_rp, e.tgl_order
    FROM cocok AS c
    JOIN staging.ekatalog_paket AS e
        ON e.versi_katalog = 'v6' AND e.kd_penyedia_sikap = c.kd_penyedia_sikap
    WHERE e.is_transacted
    -- v6 orders name the vendor by kd_penyedia_sikap, v5 packages by kd_penyedia: two
    -- equi-joins over disjoint rows instead of one OR join (a nested loop).
    UNION ALL
    SELECT c.pelaku_usaha_id, c.kode_kab_kota, c.sektor, c.dasar_pencocokan,
           e.kd_klpd, e.versi_katalog, e.kd_paket, e.nilai_rp, e.tgl_order
    FROM cocok AS c
    JOIN staging.ekatalog_paket AS e
        ON e.versi_katalog = 'v5' AND e.kd_penyedia = c.kd_penyedia
    WHERE e.is_transacted
)
SELECT
    kd_klpd,
    CAST(year(tgl_order) AS INTEGER) AS tahun,
    CAST(quarter(tgl_order) AS INTEGER) AS triwulan,
    pelaku_usaha_id,
    any_value(kode_kab_kota) AS kode_kab_kota,
    any_value(sektor) AS sektor,
    min(dasar_pencocokan) AS dasar_pencocokan,
    count(DISTINCT versi_katalog || ':' || kd_paket) AS jumlah_paket,
    sum(nilai_rp) AS nilai_rp
FROM (SELECT DISTINCT * FROM pesanan)
GROUP BY kd_klpd, tahun, triwulan, pelaku_usaha_id
ORDER BY kd_klpd, tahun, triwulan, pelaku_usaha_id;

COMMENT ON TABLE marts.umkm_ekatalog IS 'UMKM binaan KPKP yang juga menjadi penyedia e-katalog (cocok lewat NIB atau NPWP-16 ter-hash), dengan jumlah dan nilai paket per triwulan. / Mentored UMKM selling on e-katalog, per quarter.';
COMMENT ON COLUMN marts.umkm_ekatalog.kd_klpd IS 'Kode K/L/PD pembeli di e-katalog. / Buying government.';
COMMENT ON COLUMN marts.umkm_ekatalog.tahun IS 'Tahun tanggal pesanan. / Order year.';
COMMENT ON COLUMN marts.umkm_ekatalog.triwulan IS 'Triwulan tanggal pesanan. / Order quarter.';
COMMENT ON COLUMN marts.umkm_ekatalog.pelaku_usaha_id IS 'Pengenal pelaku usaha: HMAC-SHA256 dari NIK (bukan NIK). / Keyed hash of the owner''s NIK.';
COMMENT ON COLUMN marts.umkm_ekatalog.kode_kab_kota IS 'Kode Kemendagri kota menurut daftar binaan terbaru. / Kota code, latest roster.';
COMMENT ON COLUMN marts.umkm_ekatalog.sektor IS 'Sektor menurut daftar binaan terbaru. / Sector, latest roster.';
COMMENT ON COLUMN marts.umkm_ekatalog.dasar_pencocokan IS 'NIB atau NPWP (NPWP-16 = NIK pemilik usaha perorangan). / Match basis.';
COMMENT ON COLUMN marts.umkm_ekatalog.jumlah_paket IS 'Jumlah paket e-katalog bertransaksi. / Transacted packages.';
COMMENT ON COLUMN marts.umkm_ekatalog.nilai_rp IS 'Nilai paket e-katalog bertransaksi (Rp). / Transacted value, rupiah.';
