-- UMKM mentored by Dinas KPKP per quarter, kota and sector: active, new, cumulative, growth
-- q-o-q and y-o-y, production (ton) and turnover year-to-date, PP 7/2021 size classes. Grain:
-- kd_klpd x tahun x triwulan x kode_kab_kota x sektor.

-- Mentored UMKM per quarter (grain: kd_klpd x tahun x triwulan x kode_kab_kota x sektor):
-- active, new and cumulative businesses, growth, year-to-date production and turnover,
-- and counts per PP 7/2021 size class.
CREATE OR REPLACE TABLE marts.umkm_binaan_triwulan AS
WITH roster AS (
    SELECT *,
        tahun * 4 + triwulan - 1 AS urutan_triwulan,
        -- PP 7/2021 classes are by annual sales; a year-to-date figure after quarter q is
        -- annualised as ytd x 4 / q.
        omzet_rp_ytd * 4 / triwulan AS omzet_tahunan_rp
    FROM staging.kpkp_roster
),
pertama AS (
    -- A business is new in the quarter it first appears in any roster, in that row's group.
    SELECT pelaku_usaha_id,
           arg_min(kode_kab_kota, urutan_triwulan) AS kode_kab_kota,
           arg_min(sektor, urutan_triwulan) AS sektor,
           min(urutan_triwulan) AS urutan_triwulan
    FROM roster
    GROUP BY pelaku_usaha_id
),
baru AS (
    SELECT kode_kab_kota, sektor, urutan_triwulan, count(*) AS jumlah_baru
    FROM pertama
    GROUP BY ALL
),
aktif AS (
    SELECT kd_klpd, tahun, triwulan, urutan_triwulan, kode_kab_kota, sektor,
           count(DISTINCT pelaku_usaha_id) AS jumlah_aktif,
           -- Decimal arithmetic throughout: dividing would go through floating point.
           sum(produksi_kg_ytd) * CAST(0.001 AS DECIMAL(4, 3)) AS produksi_ton_ytd,
           sum(omzet_rp_ytd) AS omzet_rp_ytd,
           count(*) FILTER (WHERE omzet_tahunan_rp <= 2000000000) AS jumlah_mikro,
           count(*) FILTER (WHERE omzet_tahunan_rp > 2000000000
                             AND omzet_tahunan_rp <= 15000000000) AS jumlah_kecil,
           count(*) FILTER (WHERE omzet_tahunan_rp > 15000000000
                             AND omzet_tahunan_rp <= 50000000000) AS jumlah_menengah,
           count(*) FILTER (WHERE omzet_tahunan_rp > 50000000000) AS jumlah_besar,
           count(*) FILTER (WHERE omzet_tahunan_rp IS NULL) AS jumlah_tanpa_omzet
    FROM roster
    GROUP BY ALL
),
kelompok AS (
    SELECT aktif.*,
           coalesce(baru.jumlah_baru, 0) AS jumlah_baru
    FROM aktif
    LEFT JOIN baru USING (kode_kab_kota, sektor, urutan_triwulan)
)
SELECT
    k.kd_klpd, k.tahun, k.triwulan, k.kode_kab_kota,
    trim(w.nama) AS nama_kab_kota,
    k.sektor,
    k.jumlah_aktif,
    k.jumlah_baru,
    -- Running total of new businesses: everyone ever mentored in this kota x sektor so far.
    sum(k.jumlah_baru) OVER (PARTITION BY k.kd_klpd, k.kode_kab_kota, k.sektor
                             ORDER BY k.urutan_triwulan) AS jumlah_kumulatif,
    sebelumnya.jumlah_aktif AS jumlah_aktif_triwulan_sebelumnya,
    p3dn_pct(k.jumlah_aktif - sebelumnya.jumlah_aktif, sebelumnya.jumlah_aktif)
        AS pct_pertumbuhan_qoq,
    tahun_lalu.jumlah_aktif AS jumlah_aktif_tahun_lalu,
    p3dn_pct(k.jumlah_aktif - tahun_lalu.jumlah_aktif, tahun_lalu.jumlah_aktif)
        AS pct_pertumbuhan_yoy,
    CAST(k.produksi_ton_ytd AS DECIMAL(18, 3)) AS produksi_ton_ytd,
    k.omzet_rp_ytd,
    k.jumlah_mikro, k.jumlah_kecil, k.jumlah_menengah, k.jumlah_besar, k.jumlah_tanpa_omzet
FROM kelompok AS k
LEFT JOIN kelompok AS sebelumnya
    ON sebelumnya.kd_klpd = k.kd_klpd AND sebelumnya.kode_kab_kota = k.kode_kab_kota
   AND sebelumnya.sektor = k.sektor AND sebelumnya.urutan_triwulan = k.urutan_triwulan - 1
LEFT JOIN kelompok AS tahun_lalu
    ON tahun_lalu.kd_klpd = k.kd_klpd AND tahun_lalu.kode_kab_kota = k.kode_kab_kota
   AND tahun_lalu.sektor = k.sektor AND tahun_lalu.urutan_triwulan = k.urutan_triwulan - 4
LEFT JOIN reference.wilayah_dki AS w ON w.kode = k.kode_kab_kota
ORDER BY k.kd_klpd, k.tahun, k.triwulan, k.kode_kab_kota, k.sektor;

COMMENT ON TABLE marts.umkm_binaan_triwulan IS 'UMKM binaan Dinas KPKP per triwulan, kota dan sektor: aktif, baru, kumulatif, pertumbuhan, produksi dan omzet s.d. triwulan, kelas usaha PP 7/2021. / Mentored UMKM per quarter, kota and sector.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.kd_klpd IS 'Kode pemda (konfigurasi P3DN_KD_KLPD). / Government code.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.tahun IS 'Tahun. / Year.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.triwulan IS 'Triwulan 1-4 (TW II = April-Juni). / Quarter.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.kode_kab_kota IS 'Kode Kemendagri kota/kabupaten administrasi, mis. 31.73 Jakarta Barat. / Kemendagri code.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.nama_kab_kota IS 'Nama kota/kabupaten administrasi. / Name.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.sektor IS 'Sektor usaha (Pertanian Perkotaan, Peternakan, Perikanan, Olahan Pangan, Kerajinan). / Sector.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_aktif IS 'Jumlah pelaku usaha (NIK ter-hash berbeda) dalam daftar binaan triwulan ini. / Businesses on this quarter''s roster.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_baru IS 'Pelaku usaha yang pertama kali muncul di daftar binaan pada triwulan ini (dihitung di kota/sektor kemunculan pertama). / First appearance this quarter.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_kumulatif IS 'Akumulasi pelaku usaha baru sejak daftar pertama, per kota dan sektor. / Cumulative businesses ever mentored.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_aktif_triwulan_sebelumnya IS 'Jumlah aktif triwulan kalender sebelumnya. / Active in the previous quarter.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.pct_pertumbuhan_qoq IS 'Pertumbuhan jumlah aktif dibanding triwulan sebelumnya (%). / Quarter-on-quarter growth, percent.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_aktif_tahun_lalu IS 'Jumlah aktif pada triwulan yang sama tahun lalu. / Active a year earlier.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.pct_pertumbuhan_yoy IS 'Pertumbuhan dibanding triwulan yang sama tahun lalu (%). / Year-on-year growth, percent.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.produksi_ton_ytd IS 'Produksi s.d. triwulan ini, ton (jumlah Produksi (kg) / 1000). / Year-to-date production, tonnes.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.omzet_rp_ytd IS 'Omzet s.d. triwulan ini (Rp). / Year-to-date turnover, rupiah.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_mikro IS 'Usaha mikro: omzet disetahunkan <= Rp2 miliar (PP 7/2021). / Micro.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_kecil IS 'Usaha kecil: > Rp2 miliar s.d. Rp15 miliar. / Small.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_menengah IS 'Usaha menengah: > Rp15 miliar s.d. Rp50 miliar. / Medium.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_besar IS 'Di atas batas menengah (> Rp50 miliar). / Above medium.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_tanpa_omzet IS 'Pelaku usaha tanpa angka omzet. / Without a turnover figure.';
