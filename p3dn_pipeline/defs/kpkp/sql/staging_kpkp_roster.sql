-- Dinas KPKP's quarterly rosters of mentored businesses, typed and placed on Kemendagri codes
-- (grain: one row per business per tahun x triwulan). The business is identified by its
-- owner's hashed NIK (pelaku_usaha_id); no NIK, name or phone number exists in the warehouse.
CREATE OR REPLACE TEMP TABLE typed_kpkp_roster AS
WITH parsed AS (
    SELECT r.*,
        -- The quarter comes from the roster's own Triwulan column, else from its sheet name.
        coalesce(p3dn_triwulan(r.triwulan), p3dn_triwulan(r._source_sheet)) AS triwulan_num,
        coalesce(p3dn_tahun(r.triwulan), p3dn_tahun(r._source_sheet)) AS tahun_num,
        CASE regexp_replace(lower(p3dn_teks(r.sektor)), '[^a-z]', '', 'g')
            WHEN 'pertanianperkotaan' THEN 'Pertanian Perkotaan'
            WHEN 'urbanfarming' THEN 'Pertanian Perkotaan'
            WHEN 'peternakan' THEN 'Peternakan'
            WHEN 'perikanan' THEN 'Perikanan'
            WHEN 'olahanpangan' THEN 'Olahan Pangan'
            WHEN 'kerajinan' THEN 'Kerajinan'
            -- A sector outside Dinas KPKP's list (mangrove products, shell waste) is data:
            -- it is counted under Lainnya and its own name is kept (sektor_asli).
            ELSE CASE WHEN p3dn_teks(r.sektor) IS NOT NULL THEN 'Lainnya' END
        END AS sektor_norm,
        CASE regexp_replace(lower(p3dn_teks(r.jenis_produk)), '[^a-z]', '', 'g')
            WHEN 'segar' THEN 'Segar' WHEN 'olahan' THEN 'Olahan'
        END AS jenis_produk_norm,
        -- A group (Kelompok Wanita Tani, Pokdakan, Poklahsar) mentored under one member's
        -- NIK: named in its own column, or recognisable by the business name.
        coalesce(p3dn_teks(r.kelompok) NOT IN ('-', '0'), false)
            OR coalesce(p3dn_angka(r.jumlah_anggota) > 1, false)
            OR coalesce(regexp_matches(upper(p3dn_teks(r.nama_usaha)),
                                       '^(KWT|POKDAKAN|POKLAHSAR|KELOMPOK|POKTAN|GAPOKTAN)\b'),
                        false) AS is_kelompok_norm,
        p3dn_angka(r.jumlah_anggota) AS jumlah_anggota_num,
        p3dn_tanggal(r.tanggal_pembinaan) AS tanggal_pembinaan_date,
        p3dn_angka(r.produksi_kg) AS produksi_kg_num,
        p3dn_angka(r.omzet_rp) AS omzet_rp_num,
        kota.kode AS kode_kab_kota,
        kecamatan.kode AS kode_kecamatan,
        kelurahan.kode AS kode_kelurahan
    FROM raw.kpkp_roster AS r
    LEFT JOIN reference.wilayah_dki AS kota
        ON kota.level = 'kab_kota' AND kota.kunci_nama = p3dn_kunci_wilayah(r.kota)
    LEFT JOIN reference.wilayah_dki AS kecamatan
        ON kecamatan.level = 'kecamatan' AND kecamatan.kode_kab_kota = kota.kode
       AND kecamatan.kunci_nama = p3dn_kunci_wilayah(r.kecamatan)
    LEFT JOIN reference.wilayah_dki AS kelurahan
        ON kelurahan.level = 'kelurahan' AND kelurahan.kode_kecamatan = kecamatan.kode
       AND kelurahan.kunci_nama = p3dn_kunci_wilayah(r.kelurahan)
)
SELECT
    $kd_klpd AS kd_klpd,
    tahun_num AS tahun,
    triwulan_num AS triwulan,
    nik_hash AS pelaku_usaha_id,
    p3dn_nib(nib) AS nib,
    -- '-' is how rosters write "no NIB"; anything else that is not 13 digits is malformed.
    coalesce(p3dn_teks(nib), '-') <> '-' AND p3dn_nib(nib) IS NULL AS is_nib_malformed,
    p3dn_teks(nama_usaha) AS nama_usaha,
    CASE upper(left(p3dn_teks(jenis_kelamin), 1)) WHEN 'L' THEN 'L' WHEN 'P' THEN 'P' END
        AS jenis_kelamin,
    sektor_norm AS sektor,
    -- The sector as the roster wrote it, for rows counted under Lainnya.
    CASE WHEN sektor_norm = 'Lainnya' THEN p3dn_teks(sektor) END AS sektor_asli,
    jenis_produk_norm AS jenis_produk,
    is_kelompok_norm AS is_kelompok,
    CASE WHEN is_kelompok_norm THEN coalesce(p3dn_teks(kelompok), p3dn_teks(nama_usaha)) END
        AS nama_kelompok,
    -- Member count of a group when the roster gives one; a person's row has none.
    CASE WHEN is_kelompok_norm AND jumlah_anggota_num BETWEEN 1 AND 100000
              AND jumlah_anggota_num = trunc(jumlah_anggota_num)
         THEN CAST(jumlah_anggota_num AS INTEGER) END AS jumlah_anggota,
    kode_kab_kota,
    kode_kecamatan,
    kode_kelurahan,
    tanggal_pembinaan_date AS tanggal_pembinaan,
    p3dn_teks(jenis_pembinaan) AS jenis_pembinaan,
    -- Year-to-date figures, as Dinas KPKP reports them.
    TRY_CAST(produksi_kg_num AS DECIMAL(18, 3)) AS produksi_kg_ytd,
    TRY_CAST(omzet_rp_num AS DECIMAL(18, 2)) AS omzet_rp_ytd,
    -- Year-to-date figures only grow within a year; a drop is a correction or a typo that
    -- a quality check (WARN) shows, so the figures are kept but not trusted blindly.
    coalesce(produksi_kg_num < lag(produksi_kg_num) OVER ytd_order, false) AS is_produksi_ytd_turun,
    coalesce(omzet_rp_num < lag(omzet_rp_num) OVER ytd_order, false) AS is_omzet_ytd_turun,
    -- Turnover per kg far from its sector's median that year (over 50 times above or below)
    -- is implausible: a typo in one of the two figures, or a business whose production is
    -- not in kg. Shown by a WARN check (omzet_per_kg_plausible) with file and row.
    omzet_rp_num / nullif(produksi_kg_num, 0) AS omzet_per_kg,
    coalesce(omzet_rp_num / nullif(produksi_kg_num, 0)
                 NOT BETWEEN median(omzet_rp_num / nullif(produksi_kg_num, 0)) OVER sektor_tahun / 50
                     AND median(omzet_rp_num / nullif(produksi_kg_num, 0)) OVER sektor_tahun * 50,
             false) AS is_omzet_per_kg_janggal,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        -- Only the shape of a bad NIK is kept (9 = digit), never its digits.
        CASE WHEN nik_hash IS NULL
            THEN {'column_name': 'NIK', 'rule': 'required', 'offending_value': NULL}
             WHEN nik_shape <> '9999999999999999'
            THEN {'column_name': 'NIK', 'rule': 'nik_not_16_digits', 'offending_value': 'shape ' || nik_shape} END,
        CASE WHEN triwulan_num IS NULL OR tahun_num IS NULL
            THEN {'column_name': 'Triwulan', 'rule': 'quarter_unknown', 'offending_value': coalesce(triwulan, _source_sheet)} END,
        CASE WHEN sektor_norm IS NULL
            THEN {'column_name': 'Sektor', 'rule': 'required', 'offending_value': NULL} END,
        CASE WHEN p3dn_teks(jumlah_anggota) IS NOT NULL AND is_kelompok_norm
                  AND (jumlah_anggota_num IS NULL OR jumlah_anggota_num < 1
                       OR jumlah_anggota_num <> trunc(jumlah_anggota_num)
                       OR jumlah_anggota_num > 100000)
            THEN {'column_name': 'Jumlah Anggota', 'rule': 'not_a_count', 'offending_value': jumlah_anggota} END,
        CASE WHEN kode_kab_kota IS NULL
            THEN {'column_name': 'Kota', 'rule': 'not_a_dki_kota', 'offending_value': kota} END,
        CASE WHEN p3dn_teks(tanggal_pembinaan) IS NOT NULL AND tanggal_pembinaan_date IS NULL
            THEN {'column_name': 'Tanggal Pembinaan', 'rule': 'not_a_date', 'offending_value': tanggal_pembinaan} END,
        -- DECIMAL(18, 3) holds 15 digits before the comma, DECIMAL(18, 2) 16.
        p3dn_masalah_angka('Produksi (kg)', produksi_kg, 15),
        p3dn_masalah_angka('Omzet (Rp)', omzet_rp, 16),
        -- NIB is otherwise only checked (WARN): a name or NIK shifted into it quarantines the row.
        p3dn_masalah_disembunyikan('NIB', nib)
    ], lambda problem: problem IS NOT NULL) AS problems
FROM parsed
WINDOW ytd_order AS (PARTITION BY nik_hash, tahun_num ORDER BY triwulan_num),
       sektor_tahun AS (PARTITION BY sektor_norm, tahun_num);
