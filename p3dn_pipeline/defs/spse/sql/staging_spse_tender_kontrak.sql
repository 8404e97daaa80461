-- SPSE e-kontrak: signed tender contracts (grain: one row per kd_tender x no_kontrak; an
-- addendum is a new version of the contract and the highest versi_addendum is current). A
-- selection can have several contracts. The same value is in the Selesai export: these
-- rows are never summed into the realisation, they give each contract's status and are
-- compared with the selection's value.
CREATE OR REPLACE TEMP TABLE typed_spse_tender_kontrak AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    rtrim(p3dn_teks(kd_satker_str), '.') AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    p3dn_tanggal(_event_date) AS tanggal_data,
    TRY_CAST(p3dn_digits(kd_tender) AS BIGINT) AS kd_tender,
    p3dn_teks(no_kontrak) AS no_kontrak,
    p3dn_tanggal(tgl_kontrak) AS tgl_kontrak,
    p3dn_teks(status_kontrak) AS status_kontrak,
    TRY_CAST(p3dn_teks(nilai_kontrak) AS DECIMAL(18, 2)) AS nilai_kontrak_rp,
    TRY_CAST(p3dn_teks(nilai_pdn_kontrak) AS DECIMAL(18, 2)) AS nilai_pdn_kontrak_rp,
    TRY_CAST(p3dn_teks(nilai_umk_kontrak) AS DECIMAL(18, 2)) AS nilai_umk_kontrak_rp,
    TRY_CAST(p3dn_digits(kd_penyedia) AS BIGINT) AS kd_penyedia,
    TRY_CAST(p3dn_teks(versi_addendum) AS INTEGER) AS versi_addendum,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(kd_tender) IS NULL
            THEN {'column_name': 'kd_tender', 'rule': 'required', 'offending_value': kd_tender}
             WHEN TRY_CAST(p3dn_digits(kd_tender) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_tender', 'rule': 'not_a_number', 'offending_value': kd_tender} END,
        CASE WHEN p3dn_teks(no_kontrak) IS NULL
            THEN {'column_name': 'no_kontrak', 'rule': 'required', 'offending_value': no_kontrak} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        CASE WHEN p3dn_teks(_event_date) IS NOT NULL AND p3dn_tanggal(_event_date) IS NULL
            THEN {'column_name': '_event_date', 'rule': 'not_a_date', 'offending_value': _event_date} END,
        CASE WHEN p3dn_teks(tgl_kontrak) IS NOT NULL AND p3dn_tanggal(tgl_kontrak) IS NULL
            THEN {'column_name': 'tgl_kontrak', 'rule': 'not_a_date', 'offending_value': tgl_kontrak} END,
        CASE WHEN p3dn_teks(nilai_kontrak) IS NOT NULL AND TRY_CAST(p3dn_teks(nilai_kontrak) AS DECIMAL(18, 2)) IS NULL
            THEN {'column_name': 'nilai_kontrak', 'rule': 'not_a_number', 'offending_value': nilai_kontrak}
             WHEN TRY_CAST(p3dn_teks(nilai_kontrak) AS DECIMAL(18, 2)) < 0
            THEN {'column_name': 'nilai_kontrak', 'rule': 'negative_amount', 'offending_value': nilai_kontrak} END,
        CASE WHEN p3dn_teks(nilai_pdn_kontrak) IS NOT NULL AND TRY_CAST(p3dn_teks(nilai_pdn_kontrak) AS DECIMAL(18, 2)) IS NULL
            THEN {'column_name': 'nilai_pdn_kontrak', 'rule': 'not_a_number', 'offending_value': nilai_pdn_kontrak}
             WHEN TRY_CAST(p3dn_teks(nilai_pdn_kontrak) AS DECIMAL(18, 2)) < 0
            THEN {'column_name': 'nilai_pdn_kontrak', 'rule': 'negative_amount', 'offending_value': nilai_pdn_kontrak} END,
        CASE WHEN p3dn_teks(nilai_umk_kontrak) IS NOT NULL AND TRY_CAST(p3dn_teks(nilai_umk_kontrak) AS DECIMAL(18, 2)) IS NULL
            THEN {'column_name': 'nilai_umk_kontrak', 'rule': 'not_a_number', 'offending_value': nilai_umk_kontrak}
             WHEN TRY_CAST(p3dn_teks(nilai_umk_kontrak) AS DECIMAL(18, 2)) < 0
            THEN {'column_name': 'nilai_umk_kontrak', 'rule': 'negative_amount', 'offending_value': nilai_umk_kontrak} END,
        CASE WHEN p3dn_teks(kd_penyedia) IS NOT NULL AND TRY_CAST(p3dn_digits(kd_penyedia) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_penyedia', 'rule': 'not_a_number', 'offending_value': kd_penyedia} END,
        CASE WHEN p3dn_teks(versi_addendum) IS NOT NULL AND TRY_CAST(p3dn_teks(versi_addendum) AS INTEGER) IS NULL
            THEN {'column_name': 'versi_addendum', 'rule': 'not_a_number', 'offending_value': versi_addendum} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.spse_tender_kontrak;
