-- SPSE pencatatan nontender payments (grain: one row per payment: kd_nontender_pct x
-- jenis_realisasi x no_realisasi x tgl_realisasi). The export repeats a payment once per
-- kd_rup of its package (kd_rup_paket differs, the payment does not): the key keeps one row
-- and the repeats go to quarantine as duplicate_key. Payments are never summed into the
-- realisation (the package's total_realisasi is); they are checked against it.
CREATE OR REPLACE TEMP TABLE typed_spse_pencatatan_nontender_realisasi AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    rtrim(p3dn_teks(kd_satker_str), '.') AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    p3dn_tanggal(_event_date) AS tanggal_data,
    TRY_CAST(p3dn_digits(kd_nontender_pct) AS BIGINT) AS kd_nontender_pct,
    p3dn_kode_rup(kd_rup_paket) AS kd_rup,
    p3dn_teks(jenis_realisasi) AS jenis_realisasi,
    p3dn_teks(no_realisasi) AS no_realisasi,
    p3dn_tanggal(tgl_realisasi) AS tgl_realisasi,
    p3dn_rupiah(nilai_realisasi) AS nilai_realisasi_rp,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(kd_nontender_pct) IS NULL
            THEN {'column_name': 'kd_nontender_pct', 'rule': 'required', 'offending_value': kd_nontender_pct}
             WHEN TRY_CAST(p3dn_digits(kd_nontender_pct) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_nontender_pct', 'rule': 'not_a_number', 'offending_value': kd_nontender_pct} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        p3dn_masalah_tanggal('_event_date', _event_date),
        CASE WHEN p3dn_teks(kd_rup_paket) IS NOT NULL AND p3dn_kode_rup_list(kd_rup_paket) IS NULL
            THEN {'column_name': 'kd_rup_paket', 'rule': 'not_a_number', 'offending_value': kd_rup_paket} END,
        p3dn_masalah_tanggal('tgl_realisasi', tgl_realisasi),
        -- A contract or payment date outside its fiscal year's window, or after its file
        -- was loaded, as for e-katalog orders: quarantined, never a data date.
        p3dn_masalah_tanggal_tahun('tgl_realisasi', tgl_realisasi,
                                   TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER), _loaded_at),
        CASE WHEN p3dn_teks(nilai_realisasi) IS NULL
            THEN {'column_name': 'nilai_realisasi', 'rule': 'required', 'offending_value': nilai_realisasi}
             WHEN p3dn_rupiah(nilai_realisasi) IS NULL
            THEN p3dn_bukan_angka('nilai_realisasi', nilai_realisasi)
             WHEN p3dn_rupiah(nilai_realisasi) < 0
            THEN {'column_name': 'nilai_realisasi', 'rule': 'negative_amount', 'offending_value': nilai_realisasi} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.spse_pencatatan_nontender_realisasi;
