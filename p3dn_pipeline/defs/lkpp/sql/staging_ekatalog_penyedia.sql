-- e-katalog vendors (grain: one row per kd_penyedia). NPWP arrives only as a keyed hash:
-- a sole proprietor's 16-digit NPWP is the owner's NIK.
CREATE OR REPLACE TEMP TABLE typed_ekatalog_penyedia AS
SELECT
    TRY_CAST(p3dn_teks(kd_penyedia) AS BIGINT) AS kd_penyedia,
    nullif(TRY_CAST(p3dn_teks(kode_penyedia_sikap) AS BIGINT), 0) AS kd_penyedia_sikap,
    p3dn_teks(nama_penyedia) AS nama_penyedia,
    p3dn_teks(penyedia_ukm) AS penyedia_ukm,
    p3dn_nib(nib) AS nib,
    npwp_16_hash,
    npwp_hash,
    p3dn_teks(kbli2020_penyedia) AS kbli2020_penyedia,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN TRY_CAST(p3dn_teks(kd_penyedia) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_penyedia', 'rule': 'not_a_number', 'offending_value': kd_penyedia} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.ekatalog_penyedia;
