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
    p3dn_rupiah(nilai_kontrak) AS nilai_kontrak_rp,
    p3dn_rupiah(nilai_pdn_kontrak) AS nilai_pdn_kontrak_rp,
    p3dn_rupiah(nilai_umk_kontrak) AS nilai_umk_kontrak_rp,
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
        p3dn_masalah_tanggal('_event_date', _event_date),
        p3dn_masalah_tanggal('tgl_kontrak', tgl_kontrak),
        -- A contract or payment date outside its fiscal year's window, or after its file
        -- was loaded, as for e-katalog orders: quarantined, never a data date.
        p3dn_masalah_tanggal_tahun('tgl_kontrak', tgl_kontrak,
                                   TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER), _loaded_at),
        p3dn_masalah_rupiah('nilai_kontrak', nilai_kontrak),
        p3dn_masalah_rupiah('nilai_pdn_kontrak', nilai_pdn_kontrak),
        p3dn_masalah_rupiah('nilai_umk_kontrak', nilai_umk_kontrak),
        CASE WHEN p3dn_teks(kd_penyedia) IS NOT NULL AND TRY_CAST(p3dn_digits(kd_penyedia) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_penyedia', 'rule': 'not_a_number', 'offending_value': kd_penyedia} END,
        CASE WHEN p3dn_teks(versi_addendum) IS NOT NULL AND TRY_CAST(p3dn_teks(versi_addendum) AS INTEGER) IS NULL
            THEN {'column_name': 'versi_addendum', 'rule': 'not_a_number', 'offending_value': versi_addendum} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.spse_tender_kontrak;
