-- UMKM mentored by Dinas KPKP per quarter at every level (province, kota, sektor, kota x
-- sektor): active, new, continuing, returning and departed businesses after the baseline
-- quarter, groups and their members, year-to-date production (olahan / segar) and turnover
-- that keep a departed business's figures within the year, the quarterly flow, growth q-o-q
-- and y-o-y, PP 7/2021 size classes. Grain: kd_klpd x tahun x triwulan x tingkat x
-- kode_kab_kota x sektor.

CREATE OR REPLACE TABLE marts.umkm_binaan_triwulan AS
WITH roster AS (
    SELECT *,
        tahun * 4 + triwulan - 1 AS urutan,
        -- PP 7/2021 classes are by annual sales; a year-to-date figure after quarter q is
        -- annualised as ytd x 4 / q.
        omzet_rp_ytd * 4 / triwulan AS omzet_tahunan_rp
    FROM staging.kpkp_roster
),
dimuat AS (
    -- Every quarter that has a roster; the first one ever loaded is the baseline, where
    -- nobody is "new": everyone was already being mentored.
    SELECT DISTINCT kd_klpd, tahun, triwulan, urutan,
           urutan = min(urutan) OVER (PARTITION BY kd_klpd) AS is_baseline
    FROM roster
),
tingkat AS (
    -- '*' stands for "all" in the grouping columns until the end, so that joins between
    -- levels are plain equality; the result shows NULL there.
    SELECT * FROM (VALUES ('provinsi', false, false), ('kota', true, false),
                          ('sektor', false, true), ('kota_sektor', true, true))
        AS t(tingkat, per_kota, per_sektor)
),
riwayat AS (
    -- Each roster row with where the business was before and after (by quarter order).
    SELECT r.*,
           min(urutan) OVER usaha AS urutan_pertama,
           lag(urutan) OVER (usaha ORDER BY urutan) AS urutan_sebelumnya,
           lead(urutan) OVER (usaha ORDER BY urutan) AS urutan_berikutnya
    FROM roster AS r
    WINDOW usaha AS (PARTITION BY kd_klpd, pelaku_usaha_id)
),
aktif AS (
    SELECT r.kd_klpd, r.urutan, t.tingkat,
           CASE WHEN t.per_kota THEN r.kode_kab_kota ELSE '*' END AS kode_kab_kota,
           CASE WHEN t.per_sektor THEN r.sektor ELSE '*' END AS sektor,
           count(DISTINCT r.pelaku_usaha_id) AS jumlah_aktif,
           -- Everyone on a roster for the first time here (the baseline included), for the
           -- running count of businesses ever mentored.
           count(*) FILTER (WHERE r.urutan = r.urutan_pertama) AS jumlah_pertama_kali,
           count(*) FILTER (WHERE r.urutan = r.urutan_pertama) AS jumlah_baru,
           count(*) FILTER (WHERE r.urutan_sebelumnya = r.urutan - 1) AS jumlah_lanjut,
           count(*) FILTER (WHERE r.urutan_sebelumnya < r.urutan - 1) AS jumlah_kembali,
           count(*) FILTER (WHERE r.is_kelompok) AS jumlah_kelompok,
           sum(r.jumlah_anggota) FILTER (WHERE r.is_kelompok) AS jumlah_anggota_kelompok,
           count(*) FILTER (WHERE r.is_kelompok AND r.jumlah_anggota IS NULL)
               AS jumlah_kelompok_tanpa_jumlah_anggota,
           count(*) FILTER (WHERE r.omzet_tahunan_rp <= 2000000000) AS jumlah_mikro,
           count(*) FILTER (WHERE r.omzet_tahunan_rp > 2000000000
                             AND r.omzet_tahunan_rp <= 15000000000) AS jumlah_kecil,
           count(*) FILTER (WHERE r.omzet_tahunan_rp > 15000000000
                             AND r.omzet_tahunan_rp <= 50000000000) AS jumlah_menengah,
           count(*) FILTER (WHERE r.omzet_tahunan_rp > 50000000000) AS jumlah_besar,
           count(*) FILTER (WHERE r.omzet_tahunan_rp IS NULL) AS jumlah_tanpa_omzet,
           string_agg(DISTINCT r.sektor_asli, '; ' ORDER BY r.sektor_asli) AS sektor_lainnya
    FROM riwayat AS r CROSS JOIN tingkat AS t
    GROUP BY ALL
),
keluar AS (
    -- A business on the previous quarter's roster and not on this one has left (or was not
    -- reported), counted where it last was; only when this quarter has a roster at all.
    SELECT r.kd_klpd, r.urutan + 1 AS urutan, t.tingkat,
           CASE WHEN t.per_kota THEN r.kode_kab_kota ELSE '*' END AS kode_kab_kota,
           CASE WHEN t.per_sektor THEN r.sektor ELSE '*' END AS sektor,
           count(*) AS jumlah_keluar
    FROM riwayat AS r CROSS JOIN tingkat AS t
    JOIN dimuat AS d ON d.kd_klpd = r.kd_klpd AND d.urutan = r.urutan + 1
    WHERE r.urutan_berikutnya IS DISTINCT FROM r.urutan + 1
    GROUP BY ALL
),
terakhir_dalam_tahun AS (
    -- Year-to-date figures that keep their history: at each loaded quarter, every business
    -- seen earlier in the same year counts with its latest row up to that quarter, so one
    -- absent from a later roster keeps its production and turnover in the year's total.
    SELECT d.kd_klpd, d.urutan, r.pelaku_usaha_id,
           arg_max(r, r.triwulan) AS baris,
           max(r.triwulan) < any_value(d.triwulan) AS is_dibawa
    FROM dimuat AS d
    JOIN roster AS r
        ON r.kd_klpd = d.kd_klpd AND r.tahun = d.tahun AND r.triwulan <= d.triwulan
    GROUP BY d.kd_klpd, d.urutan, r.pelaku_usaha_id
),
ytd AS (
    SELECT y.kd_klpd, y.urutan, t.tingkat,
           CASE WHEN t.per_kota THEN y.baris.kode_kab_kota ELSE '*' END AS kode_kab_kota,
           CASE WHEN t.per_sektor THEN y.baris.sektor ELSE '*' END AS sektor,
           count(*) FILTER (WHERE y.is_dibawa) AS jumlah_dibawa,
           -- Decimal arithmetic throughout: dividing would go through floating point.
           coalesce(sum(y.baris.produksi_kg_ytd), 0) AS produksi_kg_ytd,
           coalesce(sum(y.baris.produksi_kg_ytd) FILTER (WHERE y.baris.jenis_produk = 'Olahan'), 0)
               AS produksi_olahan_kg_ytd,
           coalesce(sum(y.baris.produksi_kg_ytd) FILTER (WHERE y.baris.jenis_produk = 'Segar'), 0)
               AS produksi_segar_kg_ytd,
           coalesce(sum(y.baris.produksi_kg_ytd) FILTER (WHERE y.baris.jenis_produk IS NULL), 0)
               AS produksi_jenis_tidak_diketahui_kg_ytd,
           coalesce(sum(y.baris.omzet_rp_ytd), 0) AS omzet_rp_ytd
    FROM terakhir_dalam_tahun AS y CROSS JOIN tingkat AS t
    GROUP BY ALL
),
kunci AS (
    SELECT kd_klpd, urutan, tingkat, kode_kab_kota, sektor FROM aktif
    UNION SELECT kd_klpd, urutan, tingkat, kode_kab_kota, sektor FROM keluar
    UNION SELECT kd_klpd, urutan, tingkat, kode_kab_kota, sektor FROM ytd
),
gabung AS (
    SELECT k.*, d.tahun, d.triwulan, d.is_baseline,
           -- New / continuing / returning / departed need the quarter before to be loaded.
           EXISTS (SELECT 1 FROM dimuat AS p WHERE p.kd_klpd = k.kd_klpd
                   AND p.urutan = k.urutan - 1) AS ada_triwulan_sebelumnya,
           coalesce(a.jumlah_aktif, 0) AS jumlah_aktif,
           coalesce(a.jumlah_pertama_kali, 0) AS jumlah_pertama_kali,
           coalesce(a.jumlah_baru, 0) AS jumlah_baru,
           coalesce(a.jumlah_lanjut, 0) AS jumlah_lanjut,
           coalesce(a.jumlah_kembali, 0) AS jumlah_kembali,
           coalesce(x.jumlah_keluar, 0) AS jumlah_keluar,
           coalesce(a.jumlah_kelompok, 0) AS jumlah_kelompok,
           coalesce(a.jumlah_anggota_kelompok, 0) AS jumlah_anggota_kelompok,
           coalesce(a.jumlah_kelompok_tanpa_jumlah_anggota, 0)
               AS jumlah_kelompok_tanpa_jumlah_anggota,
           coalesce(y.jumlah_dibawa, 0) AS jumlah_dibawa,
           coalesce(y.produksi_kg_ytd, 0) AS produksi_kg_ytd,
           coalesce(y.produksi_olahan_kg_ytd, 0) AS produksi_olahan_kg_ytd,
           coalesce(y.produksi_segar_kg_ytd, 0) AS produksi_segar_kg_ytd,
           coalesce(y.produksi_jenis_tidak_diketahui_kg_ytd, 0)
               AS produksi_jenis_tidak_diketahui_kg_ytd,
           coalesce(y.omzet_rp_ytd, 0) AS omzet_rp_ytd,
           coalesce(a.jumlah_mikro, 0) AS jumlah_mikro,
           coalesce(a.jumlah_kecil, 0) AS jumlah_kecil,
           coalesce(a.jumlah_menengah, 0) AS jumlah_menengah,
           coalesce(a.jumlah_besar, 0) AS jumlah_besar,
           coalesce(a.jumlah_tanpa_omzet, 0) AS jumlah_tanpa_omzet,
           a.sektor_lainnya
    FROM kunci AS k
    JOIN dimuat AS d USING (kd_klpd, urutan)
    LEFT JOIN aktif AS a USING (kd_klpd, urutan, tingkat, kode_kab_kota, sektor)
    LEFT JOIN keluar AS x USING (kd_klpd, urutan, tingkat, kode_kab_kota, sektor)
    LEFT JOIN ytd AS y USING (kd_klpd, urutan, tingkat, kode_kab_kota, sektor)
)
SELECT
    g.kd_klpd, g.tahun, g.triwulan, g.tingkat, nullif(g.kode_kab_kota, '*') AS kode_kab_kota,
    trim(w.nama) AS nama_kab_kota,
    nullif(g.sektor, '*') AS sektor,
    g.is_baseline,
    g.ada_triwulan_sebelumnya,
    g.jumlah_aktif,
    -- Counted from the second loaded quarter on; NULL at the baseline, and NULL for the
    -- comparisons with a previous quarter that has no roster.
    CASE WHEN NOT g.is_baseline THEN g.jumlah_baru END AS jumlah_baru,
    CASE WHEN g.ada_triwulan_sebelumnya THEN g.jumlah_lanjut END AS jumlah_lanjut,
    CASE WHEN NOT g.is_baseline THEN g.jumlah_kembali END AS jumlah_kembali,
    CASE WHEN g.ada_triwulan_sebelumnya THEN g.jumlah_keluar END AS jumlah_keluar,
    -- Everyone ever on a roster here so far (counted where they first appeared).
    sum(g.jumlah_pertama_kali) OVER (
        PARTITION BY g.kd_klpd, g.tingkat, g.kode_kab_kota, g.sektor ORDER BY g.urutan)
        AS jumlah_kumulatif,
    g.jumlah_kelompok,
    g.jumlah_anggota_kelompok,
    g.jumlah_kelompok_tanpa_jumlah_anggota,
    g.jumlah_dibawa,
    CAST(g.produksi_kg_ytd * CAST(0.001 AS DECIMAL(4, 3)) AS DECIMAL(18, 3)) AS produksi_ton_ytd,
    CAST(g.produksi_olahan_kg_ytd * CAST(0.001 AS DECIMAL(4, 3)) AS DECIMAL(18, 3))
        AS produksi_olahan_ton_ytd,
    CAST(g.produksi_segar_kg_ytd * CAST(0.001 AS DECIMAL(4, 3)) AS DECIMAL(18, 3))
        AS produksi_segar_ton_ytd,
    CAST(g.produksi_jenis_tidak_diketahui_kg_ytd * CAST(0.001 AS DECIMAL(4, 3)) AS DECIMAL(18, 3))
        AS produksi_jenis_tidak_diketahui_ton_ytd,
    CAST(g.omzet_rp_ytd AS DECIMAL(18, 2)) AS omzet_rp_ytd,
    -- The quarter's own flow: the year-to-date difference from the previous quarter of the
    -- same year (TW I is its own year-to-date); NULL when that quarter has no roster.
    CAST(CASE WHEN g.triwulan = 1 THEN g.produksi_kg_ytd
              WHEN g.ada_triwulan_sebelumnya
              THEN g.produksi_kg_ytd - coalesce(sebelumnya.produksi_kg_ytd, 0) END
         * CAST(0.001 AS DECIMAL(4, 3)) AS DECIMAL(18, 3)) AS produksi_ton_triwulan,
    CAST(CASE WHEN g.triwulan = 1 THEN g.produksi_olahan_kg_ytd
              WHEN g.ada_triwulan_sebelumnya
              THEN g.produksi_olahan_kg_ytd - coalesce(sebelumnya.produksi_olahan_kg_ytd, 0) END
         * CAST(0.001 AS DECIMAL(4, 3)) AS DECIMAL(18, 3)) AS produksi_olahan_ton_triwulan,
    CAST(CASE WHEN g.triwulan = 1 THEN g.omzet_rp_ytd
              WHEN g.ada_triwulan_sebelumnya
              THEN g.omzet_rp_ytd - coalesce(sebelumnya.omzet_rp_ytd, 0) END
         AS DECIMAL(18, 2)) AS omzet_rp_triwulan,
    -- Growth against the previous calendar quarter (TW I against the previous year's TW IV)
    -- and against the same quarter a year earlier, at this row's own level: percentages
    -- are computed from counts, never added up.
    CASE WHEN g.ada_triwulan_sebelumnya THEN coalesce(sebelumnya.jumlah_aktif, 0) END
        AS jumlah_aktif_triwulan_sebelumnya,
    p3dn_pct(g.jumlah_aktif - sebelumnya.jumlah_aktif, sebelumnya.jumlah_aktif)
        AS pct_pertumbuhan_qoq,
    tahun_lalu.jumlah_aktif AS jumlah_aktif_tahun_lalu,
    p3dn_pct(g.jumlah_aktif - tahun_lalu.jumlah_aktif, tahun_lalu.jumlah_aktif)
        AS pct_pertumbuhan_yoy,
    CAST(tahun_lalu.omzet_rp_ytd AS DECIMAL(18, 2)) AS omzet_rp_ytd_tahun_lalu,
    p3dn_pct(g.omzet_rp_ytd - tahun_lalu.omzet_rp_ytd, tahun_lalu.omzet_rp_ytd)
        AS pct_pertumbuhan_omzet_yoy,
    g.jumlah_mikro, g.jumlah_kecil, g.jumlah_menengah, g.jumlah_besar, g.jumlah_tanpa_omzet,
    g.sektor_lainnya
FROM gabung AS g
LEFT JOIN gabung AS sebelumnya
    ON sebelumnya.kd_klpd = g.kd_klpd AND sebelumnya.tingkat = g.tingkat
   AND sebelumnya.kode_kab_kota = g.kode_kab_kota AND sebelumnya.sektor = g.sektor
   AND sebelumnya.urutan = g.urutan - 1
LEFT JOIN gabung AS tahun_lalu
    ON tahun_lalu.kd_klpd = g.kd_klpd AND tahun_lalu.tingkat = g.tingkat
   AND tahun_lalu.kode_kab_kota = g.kode_kab_kota AND tahun_lalu.sektor = g.sektor
   AND tahun_lalu.urutan = g.urutan - 4
LEFT JOIN reference.wilayah_dki AS w ON w.kode = g.kode_kab_kota
ORDER BY g.kd_klpd, g.tahun, g.triwulan,
         CASE g.tingkat WHEN 'provinsi' THEN 1 WHEN 'kota' THEN 2 WHEN 'sektor' THEN 3 ELSE 4 END,
         g.kode_kab_kota, g.sektor;

COMMENT ON TABLE marts.umkm_binaan_triwulan IS 'UMKM binaan Dinas KPKP per triwulan di setiap tingkat (provinsi, kota, sektor, kota x sektor): aktif, baru, lanjut, kembali, keluar (setelah triwulan dasar), kelompok, produksi olahan/segar dan omzet s.d. triwulan (usaha yang keluar tetap dihitung dalam tahunnya), arus triwulanan, pertumbuhan, kelas usaha PP 7/2021. Jangan menjumlahkan antar tingkat. / Mentored UMKM per quarter at every level; never add rows of different levels.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.kd_klpd IS 'Kode pemda (konfigurasi P3DN_KD_KLPD). / Government code.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.tahun IS 'Tahun. / Year.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.triwulan IS 'Triwulan 1-4 (TW II = April-Juni). / Quarter.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.tingkat IS 'provinsi, kota, sektor atau kota_sektor: tingkat agregasi baris ini; pilih satu tingkat sebelum menjumlahkan. / Aggregation level; pick one before adding up.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.kode_kab_kota IS 'Kode Kemendagri kota/kabupaten administrasi (mis. 31.73 Jakarta Barat); NULL di tingkat provinsi dan sektor. / Kemendagri code; NULL above kota level.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.nama_kab_kota IS 'Nama kota/kabupaten administrasi. / Name.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.sektor IS 'Sektor usaha (Pertanian Perkotaan, Peternakan, Perikanan, Olahan Pangan, Kerajinan, Lainnya); NULL di tingkat provinsi dan kota. / Sector; NULL above sector level.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.is_baseline IS 'TRUE pada triwulan pertama yang pernah dimuat: triwulan dasar, tanpa hitungan baru/lanjut/keluar. / The first loaded quarter: a baseline.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.ada_triwulan_sebelumnya IS 'Triwulan kalender sebelumnya punya daftar binaan (syarat hitungan lanjut/keluar dan arus). / The previous quarter has a roster.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_aktif IS 'Pelaku usaha (NIK ter-hash berbeda) dalam daftar binaan triwulan ini; kelompok dihitung satu. / Businesses on this quarter''s roster; a group counts once.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_baru IS 'Pertama kali muncul di daftar mana pun pada triwulan ini; NULL di triwulan dasar. / On a roster for the first time; NULL at the baseline.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_lanjut IS 'Juga ada di daftar triwulan sebelumnya. / Also on the previous quarter''s roster.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_kembali IS 'Pernah ada, absen triwulan sebelumnya, kembali sekarang. / Seen before, absent last quarter, back now.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_keluar IS 'Ada di daftar triwulan sebelumnya, tidak ada di triwulan ini (dihitung di kota/sektor terakhirnya). / Left since the previous quarter, counted where it last was.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_kumulatif IS 'Pelaku usaha yang pernah dibina sampai triwulan ini, termasuk triwulan dasar (di kota/sektor kemunculan pertama). / Ever mentored so far.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_kelompok IS 'Baris yang merupakan kelompok (KWT, Pokdakan, Poklahsar). / Rows that are groups.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_anggota_kelompok IS 'Jumlah anggota kelompok-kelompok itu bila daftar memberikannya. / Their members, where given.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_kelompok_tanpa_jumlah_anggota IS 'Kelompok tanpa jumlah anggota di daftar. / Groups without a member count.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_dibawa IS 'Pelaku usaha yang tidak ada di daftar triwulan ini tetapi angka s.d. triwulannya tetap dihitung (dibawa dari triwulan terakhirnya tahun ini). / Absent now, its year-to-date figures carried forward.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.produksi_ton_ytd IS 'Produksi s.d. triwulan ini, ton (Produksi (kg) / 1000), termasuk yang dibawa. / Year-to-date production, tonnes, carried forward included.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.produksi_olahan_ton_ytd IS 'Bagian produk Olahan (angka yang dipublikasikan, mis. 97,08 ton s.d. TW II 2023). / Processed products only (the published series).';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.produksi_segar_ton_ytd IS 'Bagian produk Segar. / Fresh products.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.produksi_jenis_tidak_diketahui_ton_ytd IS 'Produksi tanpa Jenis Produk. / Production without a Jenis Produk.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.omzet_rp_ytd IS 'Omzet s.d. triwulan ini (Rp), termasuk yang dibawa. / Year-to-date turnover, carried forward included.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.produksi_ton_triwulan IS 'Arus triwulan: selisih produksi s.d. triwulan ini dan triwulan sebelumnya tahun yang sama (TW I = s.d. TW I). / Quarterly flow.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.produksi_olahan_ton_triwulan IS 'Arus triwulan produk Olahan. / Quarterly flow, processed.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.omzet_rp_triwulan IS 'Arus triwulan omzet (Rp). / Quarterly turnover flow.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_aktif_triwulan_sebelumnya IS 'Jumlah aktif triwulan kalender sebelumnya (TW I: TW IV tahun lalu). / Active in the previous quarter.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.pct_pertumbuhan_qoq IS 'Pertumbuhan jumlah aktif dibanding triwulan sebelumnya (%). / Quarter-on-quarter growth, percent.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_aktif_tahun_lalu IS 'Jumlah aktif pada triwulan yang sama tahun lalu. / Active a year earlier.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.pct_pertumbuhan_yoy IS 'Pertumbuhan jumlah aktif dibanding triwulan yang sama tahun lalu (%). / Year-on-year growth, percent.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.omzet_rp_ytd_tahun_lalu IS 'Omzet s.d. triwulan yang sama tahun lalu (Rp). / Year-to-date turnover a year earlier.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.pct_pertumbuhan_omzet_yoy IS 'Pertumbuhan omzet s.d. triwulan dibanding tahun lalu (%). / Year-on-year growth of year-to-date turnover.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_mikro IS 'Usaha mikro: omzet disetahunkan <= Rp2 miliar (PP 7/2021). / Micro.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_kecil IS 'Usaha kecil: > Rp2 miliar s.d. Rp15 miliar. / Small.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_menengah IS 'Usaha menengah: > Rp15 miliar s.d. Rp50 miliar. / Medium.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_besar IS 'Di atas batas menengah (> Rp50 miliar). / Above medium.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.jumlah_tanpa_omzet IS 'Pelaku usaha tanpa angka omzet. / Without a turnover figure.';
COMMENT ON COLUMN marts.umkm_binaan_triwulan.sektor_lainnya IS 'Sektor asli yang dihitung sebagai Lainnya (di luar lima sektor Dinas KPKP). / Original sector names counted as Lainnya.';
