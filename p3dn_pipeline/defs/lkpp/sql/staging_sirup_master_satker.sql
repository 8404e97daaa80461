-- SiRUP's list of units (grain: one row per kd_klpd x kd_satker_str). A sub-unit (last
-- group of kd_satker_str not 0000: a hospital, puskesmas, kelurahan) has no budget of its
-- own in RUP-StrukturAnggaranPD: kd_satker_str_induk is the SKPD it rolls up to, the same
-- first seven groups with 0000 as the last; for an SKPD it is the unit itself.
CREATE OR REPLACE TEMP TABLE typed_sirup_master_satker AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_digits(kd_satker) AS BIGINT) AS kd_satker,
    rtrim(p3dn_teks(kd_satker_str), '.') AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    p3dn_teks(jenis_satker) AS jenis_satker,
    p3dn_teks(status_satker) AS status_satker,
    CASE WHEN regexp_full_match(rtrim(p3dn_teks(kd_satker_str), '.'), '[0-9]+(\.[0-9]+){6}\.[0-9]*[1-9][0-9]*')
         THEN regexp_replace(rtrim(p3dn_teks(kd_satker_str), '.'), '\.[0-9]+$', '.0000')
         ELSE rtrim(p3dn_teks(kd_satker_str), '.') END AS kd_satker_str_induk,
    coalesce(regexp_full_match(rtrim(p3dn_teks(kd_satker_str), '.'), '[0-9]+(\.[0-9]+){6}\.[0-9]*[1-9][0-9]*'), false) AS is_sub_unit,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN p3dn_teks(kd_satker_str) IS NULL
            THEN {'column_name': 'kd_satker_str', 'rule': 'required', 'offending_value': kd_satker_str} END,
        CASE WHEN p3dn_teks(kd_satker) IS NOT NULL AND TRY_CAST(p3dn_digits(kd_satker) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_satker', 'rule': 'not_a_number', 'offending_value': kd_satker} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.sirup_master_satker;
