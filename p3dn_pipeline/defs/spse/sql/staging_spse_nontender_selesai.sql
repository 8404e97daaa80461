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
    p3dn_rupiah(pagu) AS pagu_rp,
    p3dn_rupiah(hps) AS hps_rp,
    p3dn_rupiah(nilai_kontrak) AS nilai_kontrak_rp,
    p3dn_rupiah(nilai_pdn_kontrak) AS nilai_pdn_kontrak_rp,
    p3dn_rupiah(nilai_umk_kontrak) AS nilai_umk_kontrak_rp,
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
        p3dn_masalah_tanggal('_event_date', _event_date),
        p3dn_masalah_tanggal('tgl_penarikan', tgl_penarikan),
        CASE WHEN p3dn_teks(kd_rup) IS NOT NULL AND p3dn_kode_rup_list(kd_rup) IS NULL
            THEN {'column_name': 'kd_rup', 'rule': 'not_a_number', 'offending_value': kd_rup} END,
        CASE WHEN p3dn_teks(status_nontender) IS NULL
            THEN {'column_name': 'status_nontender', 'rule': 'required', 'offending_value': status_nontender} END,
        p3dn_masalah_rupiah('pagu', pagu),
        p3dn_masalah_rupiah('hps', hps),
        p3dn_masalah_rupiah('nilai_kontrak', nilai_kontrak),
        p3dn_masalah_rupiah('nilai_pdn_kontrak', nilai_pdn_kontrak),
        p3dn_masalah_rupiah('nilai_umk_kontrak', nilai_umk_kontrak),
        CASE WHEN p3dn_teks(kd_penyedia) IS NOT NULL AND TRY_CAST(p3dn_digits(kd_penyedia) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_penyedia', 'rule': 'not_a_number', 'offending_value': kd_penyedia} END,
        p3dn_masalah_tanggal('tgl_selesai_nontender', tgl_selesai_nontender),
        -- A contract or payment date outside its fiscal year's window, or after its file
        -- was loaded, as for e-katalog orders: quarantined, never a data date.
        p3dn_masalah_tanggal_tahun('tgl_selesai_nontender', tgl_selesai_nontender,
                                   TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER), _loaded_at)
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.spse_nontender_selesai;
