-- SPSE non-tender selections (Pengadaan Langsung, Penunjukan Langsung) with LKPP's own
-- contract, PDN and UMK values (grain: one row per kd_nontender). Berlangsung rows, and some
-- Selesai rows, have no values yet: they stay NULL, never 0. The export's data date is
-- tgl_penarikan (the day LKPP pulled it).
CREATE OR REPLACE TEMP TABLE typed_spse_nontender_selesai AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    rtrim(p3dn_teks(kd_satker_str), '.') AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    coalesce(p3dn_tanggal(_event_date), p3dn_tanggal(tgl_penarikan)) AS tanggal_data,
    TRY_CAST(p3dn_digits(kd_nontender) AS BIGINT) AS kd_nontender,
    p3dn_kode_rup(kd_rup) AS kd_rup,
    p3dn_teks(nama_paket) AS nama_paket,
    p3dn_teks(mtd_pemilihan) AS mtd_pemilihan,
    p3dn_teks(status_nontender) AS status_nontender,
    coalesce(lower(replace(p3dn_teks(status_nontender), ' ', '')) = 'selesai', false) AS is_selesai,
    TRY_CAST(p3dn_teks(pagu) AS DECIMAL(18, 2)) AS pagu_rp,
    TRY_CAST(p3dn_teks(hps) AS DECIMAL(18, 2)) AS hps_rp,
    TRY_CAST(p3dn_teks(nilai_kontrak) AS DECIMAL(18, 2)) AS nilai_kontrak_rp,
    TRY_CAST(p3dn_teks(nilai_pdn_kontrak) AS DECIMAL(18, 2)) AS nilai_pdn_kontrak_rp,
    TRY_CAST(p3dn_teks(nilai_umk_kontrak) AS DECIMAL(18, 2)) AS nilai_umk_kontrak_rp,
    TRY_CAST(p3dn_digits(kd_penyedia) AS BIGINT) AS kd_penyedia,
    npwp_penyedia_hash,
    npwp16_penyedia_hash,
    p3dn_tanggal(tgl_selesai_nontender) AS tgl_selesai,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(kd_nontender) IS NULL
            THEN {'column_name': 'kd_nontender', 'rule': 'required', 'offending_value': kd_nontender}
             WHEN TRY_CAST(p3dn_digits(kd_nontender) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_nontender', 'rule': 'not_a_number', 'offending_value': kd_nontender} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        CASE WHEN p3dn_teks(_event_date) IS NOT NULL AND p3dn_tanggal(_event_date) IS NULL
            THEN {'column_name': '_event_date', 'rule': 'not_a_date', 'offending_value': _event_date} END,
        CASE WHEN p3dn_teks(tgl_penarikan) IS NOT NULL AND p3dn_tanggal(tgl_penarikan) IS NULL
            THEN {'column_name': 'tgl_penarikan', 'rule': 'not_a_date', 'offending_value': tgl_penarikan} END,
        CASE WHEN p3dn_teks(kd_rup) IS NOT NULL AND p3dn_kode_rup_list(kd_rup) IS NULL
            THEN {'column_name': 'kd_rup', 'rule': 'not_a_number', 'offending_value': kd_rup} END,
        CASE WHEN p3dn_teks(status_nontender) IS NULL
            THEN {'column_name': 'status_nontender', 'rule': 'required', 'offending_value': status_nontender} END,
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
        CASE WHEN p3dn_teks(tgl_selesai_nontender) IS NOT NULL AND p3dn_tanggal(tgl_selesai_nontender) IS NULL
            THEN {'column_name': 'tgl_selesai_nontender', 'rule': 'not_a_date', 'offending_value': tgl_selesai_nontender} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.spse_nontender_selesai;
