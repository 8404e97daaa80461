-- Every e-katalog package, v5 and v6 together, linked to its SiRUP package and its products'
-- TKDN (grain: one row per versi_katalog x kd_paket). The one place both catalogue versions
-- meet, so every mart counts e-katalog value the same way.
-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_ekatalog_paket AS
WITH satker AS (
    -- SiRUP's numeric kd_satker -> kd_satker_str, for v5 rows that carry only satker_id.
    SELECT kd_klpd, kd_satker, any_value(kd_satker_str ORDER BY kd_satker_str) AS kd_satker_str
    FROM (SELECT kd_klpd, kd_satker, kd_satker_str FROM staging.sirup_struktur_anggaran
          UNION ALL
          SELECT kd_klpd, kd_satker, kd_satker_str FROM staging.sirup_paket_penyedia)
    GROUP BY ALL
),
v6_tkdn AS (
    SELECT o.kd_paket,
           count(*) AS jumlah_produk,
           count(p.tkdn_pct) AS jumlah_produk_tkdn_diketahui,
           min(p.tkdn_pct) AS tkdn_min_pct,
           min(p.tkdn_pct + coalesce(p.bmp_pct, 0)) AS tkdn_bmp_min_pct
    FROM staging.ekatalog_paket_v6 AS o,
         unnest(string_split(o.product_ids, ',')) AS ids(product_id)
    LEFT JOIN staging.ekatalog_produk AS p ON p.kd_produk = trim(ids.product_id)
    GROUP BY o.kd_paket
),
v6 AS (
    SELECT 'v6' AS versi_katalog, o.kd_klpd, o.tahun_anggaran, o.kd_satker_str, o.kd_paket,
           o.kd_rup, o.kd_rup_list, o.tgl_order, o.status_pkt AS status, o.is_transacted,
           NULL::BIGINT AS kd_penyedia, o.kd_penyedia_sikap,
           o.total_harga_rp AS nilai_rp,
           -- An order's value is not split by product: it counts as TKDN-known only when
           -- every product in it has a TKDN figure, and as domestic when all are >= 25 %.
           CASE WHEN t.jumlah_produk = t.jumlah_produk_tkdn_diketahui THEN o.total_harga_rp ELSE 0 END
               AS nilai_tkdn_diketahui_rp,
           CASE WHEN t.jumlah_produk = t.jumlah_produk_tkdn_diketahui AND t.tkdn_min_pct >= 25
                THEN o.total_harga_rp ELSE 0 END AS nilai_tkdn_min_25_rp,
           -- TKDN + BMP >= 40 %: a product that makes buying domestic compulsory (PP 29/2018
           -- ps. 61, Perpres 12/2021 ps. 66). v6 orders list product UUIDs, which
           -- Ecat-ProdukDetail does not key on: such orders stay "not known", never "no".
           CASE WHEN t.jumlah_produk = t.jumlah_produk_tkdn_diketahui AND t.tkdn_bmp_min_pct >= 40
                THEN o.total_harga_rp ELSE 0 END AS nilai_tkdn_bmp_min_40_rp,
           o._source_file, o._loaded_at
    FROM staging.ekatalog_paket_v6 AS o
    LEFT JOIN v6_tkdn AS t USING (kd_paket)
),
v5 AS (
    SELECT 'v5' AS versi_katalog, l.kd_klpd, l.tahun_anggaran,
           any_value(s.kd_satker_str) AS kd_satker_str,
           CAST(l.kd_paket AS VARCHAR) AS kd_paket,
           -- Every code the package's lines name, once.
           CASE WHEN count(DISTINCT l.kd_rup_list) = 1 THEN any_value(l.kd_rup) END AS kd_rup,
           list_sort(list_distinct(flatten(list(l.kd_rup_list)))) AS kd_rup_list,
           min(l.tanggal_buat_paket) AS tgl_order,
           any_value(l.paket_status_str) AS status,
           bool_and(l.is_transacted) AS is_transacted,
           any_value(l.kd_penyedia) AS kd_penyedia, NULL::BIGINT AS kd_penyedia_sikap,
           sum(l.total_harga_rp) AS nilai_rp,
           sum(CASE WHEN p.tkdn_pct IS NOT NULL THEN l.total_harga_rp ELSE 0 END)
               AS nilai_tkdn_diketahui_rp,
           sum(CASE WHEN p.tkdn_pct >= 25 THEN l.total_harga_rp ELSE 0 END)
               AS nilai_tkdn_min_25_rp,
           sum(CASE WHEN p.tkdn_pct + coalesce(p.bmp_pct, 0) >= 40 THEN l.total_harga_rp ELSE 0 END)
               AS nilai_tkdn_bmp_min_40_rp,
           any_value(l._source_file) AS _source_file, max(l._loaded_at) AS _loaded_at
    FROM staging.ekatalog_paket_v5 AS l
    LEFT JOIN satker AS s ON s.kd_klpd = l.kd_klpd AND s.kd_satker = l.satker_id
    LEFT JOIN staging.ekatalog_produk AS p ON p.kd_produk = l.kd_produk
    GROUP BY l.kd_klpd, l.tahun_anggaran, l.kd_paket
),
paket AS (
    SELECT * FROM v6
    UNION ALL BY NAME
    SELECT * FROM v5
),
rup AS (
    -- The SiRUP packages an order names: same kd_rup AND same fiscal year (a code of another
    -- year's plan is another package). An order that names several different codes (a
    -- consolidated purchase) links to each of them, and its value is counted once, below.
    SELECT p.versi_katalog, p.kd_paket,
           count(*) AS jumlah_rup_ditemukan,
           bool_or(r.is_komitmen) AS is_komitmen,
           -- PDN (UKM) only when every committed package it names says so: a mixed order
           -- is not claimed as domestic on the strength of one of its packages.
           bool_and(r.is_pdn) FILTER (WHERE r.is_komitmen) AS is_pdn,
           bool_and(r.is_ukm) FILTER (WHERE r.is_komitmen) AS is_ukm,
           CASE WHEN count(DISTINCT r.kd_satker_str) = 1 THEN min(r.kd_satker_str) END
               AS kd_satker_str
    FROM paket AS p, unnest(p.kd_rup_list) AS codes(kd_rup)
    JOIN staging.sirup_paket_penyedia AS r
        ON r.kd_rup = codes.kd_rup AND r.tahun_anggaran = p.tahun_anggaran
    GROUP BY p.versi_katalog, p.kd_paket
)
SELECT
    paket.versi_katalog, paket.kd_klpd, paket.tahun_anggaran,
    -- The SKPD that planned the package owns its realisation (when all its packages agree),
    -- else the ordering satker. A v5 package whose satker_id and kd_rup are both
    -- unknown to SiRUP still counts, under an explicit placeholder, so its value is never
    -- dropped by a join on a NULL key.
    coalesce(rup.kd_satker_str, paket.kd_satker_str, '(tidak diketahui)') AS kd_satker_str,
    paket.kd_paket, paket.kd_rup, paket.kd_rup_list, paket.tgl_order, paket.status,
    paket.is_transacted, paket.kd_penyedia, paket.kd_penyedia_sikap,
    paket.nilai_rp, paket.nilai_tkdn_diketahui_rp, paket.nilai_tkdn_min_25_rp,
    paket.nilai_tkdn_bmp_min_40_rp,
    rup.jumlah_rup_ditemukan IS NOT NULL AS is_rup_ditemukan,
    -- Realisation counts against the commitment only when its package is part of it
    -- (announced, active, not deleted), so realisasi and komitmen share one basis.
    coalesce(rup.is_komitmen, false) AS is_rup_komitmen,
    coalesce(rup.is_komitmen AND rup.is_pdn, false) AS is_pdn,
    coalesce(rup.is_komitmen AND rup.is_ukm, false) AS is_ukm,
    paket._source_file, paket._loaded_at
-- Not sorted: staging is read by SQL, not by people, and sorting every package row is the
-- dearest part of this step at national size (it spills).
FROM paket
LEFT JOIN rup USING (versi_katalog, kd_paket);
