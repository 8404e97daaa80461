-- SPSE finished tenders with LKPP's own contract, PDN and UMK values (grain: one row per
-- kd_tender). A value LKPP does not give yet stays NULL, never 0: an uncontracted tender has
-- no nilai_kontrak, a contract whose PDN part is unknown has no nilai_pdn_kontrak. This
-- export has no kd_satker_str: its kd_satker holds the dotted code (other SPSE exports put
-- SPSE's own number there), so the dotted code is taken from whichever field has it.
CREATE OR REPLACE TEMP TABLE typed_spse_tender_selesai AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    coalesce(rtrim(p3dn_teks(kd_satker_str), '.'),
             CASE WHEN regexp_full_match(rtrim(p3dn_teks(kd_satker), '.'), '[0-9]+(\.[0-9]+){7}')
                  THEN rtrim(p3dn_teks(kd_satker), '.') END) AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    p3dn_tanggal(_event_date) AS tanggal_data,
    TRY_CAST(p3dn_digits(kd_tender) AS BIGINT) AS kd_tender,
    TRY_CAST(p3dn_digits(kd_paket) AS BIGINT) AS kd_paket,
    p3dn_kode_rup(kd_rup_paket) AS kd_rup,
    p3dn_teks(nama_paket) AS nama_paket,
    TRY_CAST(p3dn_teks(pagu) AS DECIMAL(18, 2)) AS pagu_rp,
    TRY_CAST(p3dn_teks(hps) AS DECIMAL(18, 2)) AS hps_rp,
    TRY_CAST(p3dn_teks(nilai_kontrak) AS DECIMAL(18, 2)) AS nilai_kontrak_rp,
    TRY_CAST(p3dn_teks(nilai_pdn_kontrak) AS DECIMAL(18, 2)) AS nilai_pdn_kontrak_rp,
    TRY_CAST(p3dn_teks(nilai_umk_kontrak) AS DECIMAL(18, 2)) AS nilai_umk_kontrak_rp,
    TRY_CAST(p3dn_digits(kd_penyedia) AS BIGINT) AS kd_penyedia,
    npwp_penyedia_hash,
    npwp_16_penyedia_hash,
    p3dn_tanggal(tgl_penetapan_pemenang) AS tgl_penetapan_pemenang,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(kd_tender) IS NULL
            THEN {'column_name': 'kd_tender', 'rule': 'required', 'offending_value': kd_tender}
             WHEN TRY_CAST(p3dn_digits(kd_tender) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_tender', 'rule': 'not_a_number', 'offending_value': kd_tender} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        CASE WHEN p3dn_teks(_event_date) IS NOT NULL AND p3dn_tanggal(_event_date) IS NULL
            THEN {'column_name': '_event_date', 'rule': 'not_a_date', 'offending_value': _event_date} END,
        CASE WHEN p3dn_teks(kd_rup_paket) IS NOT NULL AND p3dn_kode_rup_list(kd_rup_paket) IS NULL
            THEN {'column_name': 'kd_rup_paket', 'rule': 'not_a_number', 'offending_value': kd_rup_paket} END,
        CASE WHEN p3dn_teks(kd_paket) IS NOT NULL AND TRY_CAST(p3dn_digits(kd_paket) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_paket', 'rule': 'not_a_number', 'offending_value': kd_paket} END,
        CASE WHEN p3dn_teks(pagu) IS NOT NULL AND TRY_CAST(p3dn_teks(pagu) AS DECIMAL(18, 2)) IS NULL
            THEN {'column_name': 'pagu', 'rule': 'not_a_number', 'offending_value': pagu}
             WHEN TRY_CAST(p3dn_teks(pagu) AS DECIMAL(18, 2)) < 0
            THEN {'column_name': 'pagu', 'rule': 'negative_amount', 'offending_value': pagu} END,
        CASE WHEN p3dn_teks(hps) IS NOT NULL AND TRY_CAST(p3dn_teks(hps) AS DECIMAL(18, 2)) IS NULL
            THEN {'column_name': 'hps', 'rule': 'not_a_number', 'offending_value': hps}
             WHEN TRY_CAST(p3dn_teks(hps) AS DECIMAL(18, 2)) < 0
            THEN {'column_name': 'hps', 'rule': 'negative_amount', 'offending_value': hps} END,
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
        CASE WHEN p3dn_teks(tgl_penetapan_pemenang) IS NOT NULL AND p3dn_tanggal(tgl_penetapan_pemenang) IS NULL
            THEN {'column_name': 'tgl_penetapan_pemenang', 'rule': 'not_a_date', 'offending_value': tgl_penetapan_pemenang} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.spse_tender_selesai;
