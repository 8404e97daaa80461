-- Every UMKM of the province's cohorts as one business, whichever source names it (grain:
-- umkm_id): mentored by Dinas KPKP, taking part in business matching, or selling through
-- e-Order as a Jakpreneur. Sources name a business by NIB or by hashed NPWP (a sole
-- proprietor's NPWP-16 is the owner's NIK, hashed the same way), and within e-Order by the
-- Jakpreneur ID, never by name; records
-- that share any key are one business, however long the chain (A shares a NIB with B, B an
-- NPWP with C).

CREATE OR REPLACE TEMP TABLE umkm_rekaman AS
-- One record per business per source, with every key it gives.
SELECT 'kpkp' AS sumber, pelaku_usaha_id AS rekaman_id,
       list_distinct(list_filter(
           flatten([['npwp:' || any_value(pelaku_usaha_id)], list('nib:' || nib)]),
           lambda k: k IS NOT NULL)) AS kunci,
       arg_max(kode_kab_kota, tahun * 4 + triwulan) AS kode_kab_kota,
       arg_max(sektor, tahun * 4 + triwulan) AS sektor
FROM staging.kpkp_roster
GROUP BY pelaku_usaha_id
UNION ALL
SELECT 'business_matching', usaha_id,
       list_distinct(flatten(list(kunci_usaha))),
       NULL, arg_max(sektor, tanggal) FILTER (WHERE sektor <> '(tidak diketahui)')
FROM staging.business_matching_batch
GROUP BY usaha_id
UNION ALL
SELECT 'jakpreneur', coalesce(id_jakpreneur, 'nib:' || nib, 'npwp:' || npwp_hash),
       list_distinct(list_filter(flatten([list('nib:' || nib), list('npwp:' || npwp_hash),
                                          list('jakpreneur:' || id_jakpreneur)]),
                                 lambda k: k IS NOT NULL)),
       NULL, NULL
FROM staging.eorder_pesanan
WHERE coalesce(id_jakpreneur, nib, npwp_hash) IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE umkm_kunci_label AS
-- Each key's business: the smallest key reachable from it through records sharing keys
-- (connected components; UNION keeps the recursion finite).
WITH RECURSIVE tepi AS (
    SELECT DISTINCT a.kunci AS dari, b.kunci AS ke
    FROM (SELECT sumber, rekaman_id, unnest(kunci) AS kunci FROM umkm_rekaman) AS a
    JOIN (SELECT sumber, rekaman_id, unnest(kunci) AS kunci FROM umkm_rekaman) AS b
        USING (sumber, rekaman_id)
),
jangkau(awal, kunci) AS (
    SELECT dari, ke FROM tepi
    UNION
    SELECT j.awal, t.ke FROM jangkau AS j JOIN tepi AS t ON t.dari = j.kunci
)
SELECT awal AS kunci, 'U' || left(sha256(min(kunci)), 15) AS umkm_id
FROM jangkau
GROUP BY awal;

CREATE OR REPLACE TABLE marts.umkm_pelaku AS
WITH anggota AS (
    SELECT r.*, (SELECT any_value(l.umkm_id) FROM umkm_kunci_label AS l
                 WHERE l.kunci = r.kunci[1]) AS umkm_id
    FROM umkm_rekaman AS r
    WHERE len(r.kunci) > 0
)
SELECT
    umkm_id,
    bool_or(sumber = 'kpkp') AS is_binaan_kpkp,
    bool_or(sumber = 'business_matching') AS is_peserta_business_matching,
    bool_or(sumber = 'jakpreneur') AS is_jakpreneur,
    -- Where and what: the KPKP roster's latest kota and sector, else business matching's.
    coalesce(any_value(kode_kab_kota) FILTER (WHERE sumber = 'kpkp'), '(tidak diketahui)')
        AS kode_kab_kota,
    coalesce(any_value(sektor) FILTER (WHERE sumber = 'kpkp'),
             any_value(sektor) FILTER (WHERE sumber = 'business_matching'), '(tidak diketahui)')
        AS sektor,
    list_sort(list_distinct(flatten(list(kunci)))) AS kunci,
    count(*) AS jumlah_rekaman
FROM anggota
GROUP BY umkm_id
ORDER BY umkm_id;

DROP TABLE umkm_rekaman;
DROP TABLE umkm_kunci_label;

COMMENT ON TABLE marts.umkm_pelaku IS 'Satu baris per UMKM dari kohort provinsi (binaan KPKP, peserta business matching, Jakpreneur e-Order), dicocokkan antar-sumber lewat NIB atau NPWP ter-hash (NPWP-16 perorangan = NIK pemilik), tidak pernah lewat nama. / One row per UMKM across cohorts, matched by NIB or hashed NPWP, never by name.';
COMMENT ON COLUMN marts.umkm_pelaku.umkm_id IS 'Pengenal usaha lintas sumber (turunan hash dari kuncinya). / Cross-source business id.';
COMMENT ON COLUMN marts.umkm_pelaku.is_binaan_kpkp IS 'Ada di daftar binaan Dinas KPKP. / On a KPKP roster.';
COMMENT ON COLUMN marts.umkm_pelaku.is_peserta_business_matching IS 'Ikut business matching Dinas PPKUKM. / Took part in business matching.';
COMMENT ON COLUMN marts.umkm_pelaku.is_jakpreneur IS 'Menjual lewat e-Order sebagai Jakpreneur. / Sells through e-Order as a Jakpreneur.';
COMMENT ON COLUMN marts.umkm_pelaku.kode_kab_kota IS 'Kota menurut daftar binaan KPKP terbaru; (tidak diketahui) bila tidak dibina KPKP. / Kota, from the KPKP roster.';
COMMENT ON COLUMN marts.umkm_pelaku.sektor IS 'Sektor menurut KPKP, atau business matching. / Sector.';
COMMENT ON COLUMN marts.umkm_pelaku.kunci IS 'Kunci usaha: nib:<NIB>, npwp:<HMAC NPWP/NIK>, jakpreneur:<ID Jakpreneur>. / Business keys.';
COMMENT ON COLUMN marts.umkm_pelaku.jumlah_rekaman IS 'Rekaman sumber yang digabung menjadi usaha ini. / Source records merged.';
