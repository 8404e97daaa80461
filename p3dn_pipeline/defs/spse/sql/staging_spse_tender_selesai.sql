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
    p3dn_rupiah(pagu) AS pagu_rp,
    p3dn_rupiah(hps) AS hps_rp,
    p3dn_rupiah(nilai_kontrak) AS nilai_kontrak_rp,
    p3dn_rupiah(nilai_pdn_kontrak) AS nilai_pdn_kontrak_rp,
    p3dn_rupiah(nilai_umk_kontrak) AS nilai_umk_kontrak_rp,
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
        p3dn_masalah_tanggal('_event_date', _event_date),
        CASE WHEN p3dn_teks(kd_rup_paket) IS NOT NULL AND p3dn_kode_rup_list(kd_rup_paket) IS NULL
            THEN {'column_name': 'kd_rup_paket', 'rule': 'not_a_number', 'offending_value': kd_rup_paket} END,
        CASE WHEN p3dn_teks(kd_paket) IS NOT NULL AND TRY_CAST(p3dn_digits(kd_paket) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_paket', 'rule': 'not_a_number', 'offending_value': kd_paket} END,
        p3dn_masalah_rupiah('pagu', pagu),
        p3dn_masalah_rupiah('hps', hps),
        p3dn_masalah_rupiah('nilai_kontrak', nilai_kontrak),
        p3dn_masalah_rupiah('nilai_pdn_kontrak', nilai_pdn_kontrak),
        p3dn_masalah_rupiah('nilai_umk_kontrak', nilai_umk_kontrak),
        CASE WHEN p3dn_teks(kd_penyedia) IS NOT NULL AND TRY_CAST(p3dn_digits(kd_penyedia) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_penyedia', 'rule': 'not_a_number', 'offending_value': kd_penyedia} END,
        p3dn_masalah_tanggal('tgl_penetapan_pemenang', tgl_penetapan_pemenang),
        -- A contract or payment date outside its fiscal year's window, or after its file
        -- was loaded, as for e-katalog orders: quarantined, never a data date.
        p3dn_masalah_tanggal_tahun('tgl_penetapan_pemenang', tgl_penetapan_pemenang,
                                   TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER), _loaded_at)
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.spse_tender_selesai;
