-- e-katalog product catalogue with TKDN parsed (grain: one row per kd_produk).
-- kd_produk is text: v5 uses integers, v6 orders list product UUIDs.
CREATE OR REPLACE TEMP TABLE typed_ekatalog_produk AS
SELECT
    p3dn_teks(kd_produk) AS kd_produk,
    p3dn_teks(nama_produk) AS nama_produk,
    p3dn_teks(nama_penyedia) AS nama_penyedia,
    lower(p3dn_teks(jenis_produk)) AS jenis_produk,
    nullif(p3dn_teks(nomor_tkdn), '') AS nomor_tkdn,
    -- LKPP writes TKDN as text with a decimal point; '' means no TKDN certificate.
    TRY_CAST(p3dn_persen(tkdn_produk) AS DECIMAL(7, 2)) AS tkdn_pct,
    TRY_CAST(p3dn_persen(nilai_bmp) AS DECIMAL(7, 2)) AS bmp_pct,
    p3dn_teks(nama_komoditas) AS nama_komoditas,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(kd_produk) IS NULL
            THEN {'column_name': 'kd_produk', 'rule': 'required', 'offending_value': kd_produk} END,
        CASE WHEN p3dn_teks(tkdn_produk) IS NOT NULL
              AND TRY_CAST(p3dn_persen(tkdn_produk) AS DECIMAL(7, 2)) IS NULL
            THEN p3dn_bukan_angka('tkdn_produk', tkdn_produk)
             WHEN TRY_CAST(p3dn_persen(tkdn_produk) AS DECIMAL(7, 2)) NOT BETWEEN 0 AND 100
            THEN {'column_name': 'tkdn_produk', 'rule': 'percentage_out_of_range', 'offending_value': tkdn_produk} END,
        CASE WHEN p3dn_teks(nilai_bmp) IS NOT NULL
              AND TRY_CAST(p3dn_persen(nilai_bmp) AS DECIMAL(7, 2)) IS NULL
            THEN p3dn_bukan_angka('nilai_bmp', nilai_bmp) END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.ekatalog_produk;
