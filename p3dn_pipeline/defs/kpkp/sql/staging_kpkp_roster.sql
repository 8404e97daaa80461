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
        END AS sektor_norm,
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
            THEN {'column_name': 'Sektor', 'rule': 'unknown_value', 'offending_value': sektor} END,
        CASE WHEN kode_kab_kota IS NULL
            THEN {'column_name': 'Kota', 'rule': 'not_a_dki_kota', 'offending_value': kota} END,
        CASE WHEN p3dn_teks(tanggal_pembinaan) IS NOT NULL AND tanggal_pembinaan_date IS NULL
            THEN {'column_name': 'Tanggal Pembinaan', 'rule': 'not_a_date', 'offending_value': tanggal_pembinaan} END,
        CASE WHEN p3dn_teks(produksi_kg) IS NOT NULL AND produksi_kg_num IS NULL
            THEN {'column_name': 'Produksi (kg)', 'rule': 'not_a_number', 'offending_value': produksi_kg}
             WHEN produksi_kg_num < 0
            THEN {'column_name': 'Produksi (kg)', 'rule': 'negative_amount', 'offending_value': produksi_kg}
             WHEN produksi_kg_num IS NOT NULL AND TRY_CAST(produksi_kg_num AS DECIMAL(18, 3)) IS NULL
            THEN {'column_name': 'Produksi (kg)', 'rule': 'out_of_range', 'offending_value': p3dn_angka_terlalu_besar(produksi_kg_num, 15)} END,
        CASE WHEN p3dn_teks(omzet_rp) IS NOT NULL AND omzet_rp_num IS NULL
            THEN {'column_name': 'Omzet (Rp)', 'rule': 'not_a_number', 'offending_value': omzet_rp}
             WHEN omzet_rp_num < 0
            THEN {'column_name': 'Omzet (Rp)', 'rule': 'negative_amount', 'offending_value': omzet_rp}
             WHEN omzet_rp_num IS NOT NULL AND TRY_CAST(omzet_rp_num AS DECIMAL(18, 2)) IS NULL
            THEN {'column_name': 'Omzet (Rp)', 'rule': 'out_of_range', 'offending_value': p3dn_angka_terlalu_besar(omzet_rp_num, 16)} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM parsed
WINDOW ytd_order AS (PARTITION BY nik_hash, tahun_num ORDER BY triwulan_num);
