-- Bela toko-daring: purchases in online shops (grain: one row per marketplace x order_id).
-- A purchase counts as realised only when verified and confirmed `selesai` by the
-- marketplace (`gagal` = the payment failed). The export has no data date of its own
-- (tanggal_data is NULL) and calls the fiscal year `tahun`. kd_satker is SiRUP's number.
CREATE OR REPLACE TEMP TABLE typed_bela_tokodaring AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun) AS INTEGER) AS tahun_anggaran,
    NULL::VARCHAR AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    NULL::DATE AS tanggal_data,
    TRY_CAST(p3dn_digits(kd_satker) AS BIGINT) AS kd_satker,
    p3dn_teks(order_id) AS order_id,
    p3dn_teks(marketplace) AS marketplace,
    p3dn_teks(merchant_name) AS merchant_name,
    p3dn_rupiah(valuasi) AS valuasi_rp,
    p3dn_tanggal(tanggal_transaksi) AS tanggal_transaksi,
    lower(p3dn_teks(status_verif)) AS status_verif,
    lower(p3dn_teks(status_konfirmasi_ppmse)) AS status_konfirmasi_ppmse,
    coalesce(lower(p3dn_teks(status_verif)) = 'verified'
             AND lower(p3dn_teks(status_konfirmasi_ppmse)) = 'selesai', false) AS is_selesai,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(order_id) IS NULL
            THEN {'column_name': 'order_id', 'rule': 'required', 'offending_value': order_id} END,
        CASE WHEN p3dn_teks(marketplace) IS NULL
            THEN {'column_name': 'marketplace', 'rule': 'required', 'offending_value': marketplace} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun', 'rule': 'not_a_year', 'offending_value': tahun} END,
        CASE WHEN p3dn_teks(kd_satker) IS NOT NULL AND TRY_CAST(p3dn_digits(kd_satker) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_satker', 'rule': 'not_a_number', 'offending_value': kd_satker} END,
        CASE WHEN p3dn_teks(valuasi) IS NULL
            THEN {'column_name': 'valuasi', 'rule': 'required', 'offending_value': valuasi}
             WHEN p3dn_rupiah(valuasi) IS NULL
            THEN p3dn_bukan_angka('valuasi', valuasi)
             WHEN p3dn_rupiah(valuasi) < 0
            THEN {'column_name': 'valuasi', 'rule': 'negative_amount', 'offending_value': valuasi} END,
        p3dn_masalah_tanggal('tanggal_transaksi', tanggal_transaksi),
        p3dn_masalah_tanggal_tahun('tanggal_transaksi', tanggal_transaksi,
                                   TRY_CAST(p3dn_teks(tahun) AS INTEGER), _loaded_at)
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.bela_tokodaring;
