-- SPSE pencatatan swakelola: self-managed work (swakelola), recorded (grain: one row per kd_swakelola_pct).
-- kd_rup may hold several SiRUP codes joined by `;`: kd_rup_list has each, kd_rup the code
-- when there is exactly one. A cancelled package (Paket Dibatalkan) keeps its row and
-- values: is_dibatalkan says it is not realised. nilai_pdn_pct / nilai_umk_pct are the
-- package's PDN and UMK values in rupiah (not percentages, despite the name).
CREATE OR REPLACE TEMP TABLE typed_spse_pencatatan_swakelola AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    rtrim(p3dn_teks(kd_satker_str), '.') AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    p3dn_tanggal(_event_date) AS tanggal_data,
    TRY_CAST(p3dn_digits(kd_swakelola_pct) AS BIGINT) AS kd_swakelola_pct,
    p3dn_kode_rup_list(kd_rup) AS kd_rup_list,
    p3dn_kode_rup(kd_rup) AS kd_rup,
    p3dn_teks(nama_paket) AS nama_paket,
    p3dn_rupiah(pagu) AS pagu_rp,
    p3dn_rupiah(total_realisasi) AS total_realisasi_rp,
    p3dn_rupiah(nilai_pdn_pct) AS nilai_pdn_rp,
    p3dn_rupiah(nilai_umk_pct) AS nilai_umk_rp,
    p3dn_teks(status_swakelola_pct_ket) AS status_ket,
    coalesce(lower(p3dn_teks(status_swakelola_pct_ket)) = 'paket dibatalkan', false) AS is_dibatalkan,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(kd_swakelola_pct) IS NULL
            THEN {'column_name': 'kd_swakelola_pct', 'rule': 'required', 'offending_value': kd_swakelola_pct}
             WHEN TRY_CAST(p3dn_digits(kd_swakelola_pct) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_swakelola_pct', 'rule': 'not_a_number', 'offending_value': kd_swakelola_pct} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        p3dn_masalah_tanggal('_event_date', _event_date),
        CASE WHEN p3dn_teks(kd_rup) IS NOT NULL AND p3dn_kode_rup_list(kd_rup) IS NULL
            THEN {'column_name': 'kd_rup', 'rule': 'not_a_number', 'offending_value': kd_rup} END,
        p3dn_masalah_rupiah('pagu', pagu),
        CASE WHEN p3dn_teks(total_realisasi) IS NULL
            THEN {'column_name': 'total_realisasi', 'rule': 'required', 'offending_value': total_realisasi}
             WHEN p3dn_rupiah(total_realisasi) IS NULL
            THEN p3dn_bukan_angka('total_realisasi', total_realisasi)
             WHEN p3dn_rupiah(total_realisasi) < 0
            THEN {'column_name': 'total_realisasi', 'rule': 'negative_amount', 'offending_value': total_realisasi} END,
        p3dn_masalah_rupiah('nilai_pdn_pct', nilai_pdn_pct),
        p3dn_masalah_rupiah('nilai_umk_pct', nilai_umk_pct),
        CASE WHEN p3dn_teks(status_swakelola_pct_ket) IS NULL
            THEN {'column_name': 'status_swakelola_pct_ket', 'rule': 'required', 'offending_value': status_swakelola_pct_ket} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.spse_pencatatan_swakelola;
