-- SiRUP budget structure per satker (grain: kd_klpd x tahun_anggaran x kd_satker_str):
-- belanja_pengadaan is the base of the P3DN and UMK shares.
CREATE OR REPLACE TEMP TABLE typed_sirup_struktur_anggaran AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    TRY_CAST(p3dn_teks(kd_satker) AS BIGINT) AS kd_satker,
    rtrim(p3dn_teks(kd_satker_str), '.') AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    p3dn_rupiah(belanja_operasi) AS belanja_operasi_rp,
    p3dn_rupiah(belanja_modal) AS belanja_modal_rp,
    coalesce(p3dn_rupiah(belanja_btt), 0) AS belanja_btt_rp,
    coalesce(p3dn_rupiah(belanja_non_pengadaan), 0) AS belanja_non_pengadaan_rp,
    p3dn_rupiah(belanja_pengadaan) AS belanja_pengadaan_rp,
    p3dn_rupiah(total_belanja) AS total_belanja_rp,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    -- Real exports list sub-units (puskesmas, kelurahan) whose budget sits with their parent
    -- SKPD: every figure and the year are null. One finding says so, instead of five.
    CASE WHEN coalesce(tahun_anggaran, belanja_operasi, belanja_modal, belanja_pengadaan,
                       total_belanja) IS NULL
    THEN [{'column_name': 'belanja_pengadaan', 'rule': 'no_budget_figures', 'offending_value': NULL::VARCHAR}]
    ELSE list_filter([
        CASE WHEN p3dn_teks(kd_satker_str) IS NULL
            THEN {'column_name': 'kd_satker_str', 'rule': 'required', 'offending_value': kd_satker_str} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        p3dn_masalah_rupiah_wajib('belanja_pengadaan', belanja_pengadaan),
        CASE WHEN p3dn_rupiah(belanja_operasi) IS NULL
            THEN p3dn_bukan_angka('belanja_operasi', belanja_operasi) END,
        CASE WHEN p3dn_rupiah(belanja_modal) IS NULL
            THEN p3dn_bukan_angka('belanja_modal', belanja_modal) END,
        CASE WHEN p3dn_rupiah(total_belanja) IS NULL
            THEN p3dn_bukan_angka('total_belanja', total_belanja) END
    ], lambda problem: problem IS NOT NULL) END AS problems
FROM raw.sirup_struktur_anggaran;
