-- e-katalog v5 product lines, typed (grain: one row per kd_paket x kd_produk; a package's
-- value is the sum of its lines).
CREATE OR REPLACE TEMP TABLE typed_ekatalog_paket_v5 AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    -- v5's satker_id is SiRUP's kd_satker (not SPSE's number for the same office).
    TRY_CAST(p3dn_teks(satker_id) AS BIGINT) AS satker_id,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    TRY_CAST(p3dn_teks(kd_paket) AS BIGINT) AS kd_paket,
    p3dn_teks(no_paket) AS no_paket,
    p3dn_teks(nama_paket) AS nama_paket,
    -- A later CSV pull repeats the order's code once per product line (60505290,60505290):
    -- that is one code. Several different codes are kept in kd_rup_list (kd_rup is NULL).
    p3dn_kode_rup(kd_rup) AS kd_rup,
    p3dn_kode_rup_list(kd_rup) AS kd_rup_list,
    upper(p3dn_teks(nama_sumber_dana)) AS sumber_dana,
    rtrim(p3dn_teks(kode_anggaran), '.') AS kode_anggaran,
    p3dn_teks(kd_produk) AS kd_produk,
    TRY_CAST(p3dn_teks(kd_penyedia) AS BIGINT) AS kd_penyedia,
    TRY_CAST(p3dn_angka(kuantitas) AS DECIMAL(18, 4)) AS kuantitas,
    p3dn_rupiah(harga_satuan) AS harga_satuan_rp,
    coalesce(p3dn_rupiah(ongkos_kirim), 0) AS ongkos_kirim_rp,
    p3dn_rupiah(total_harga) AS total_harga_rp,
    p3dn_tanggal(tanggal_buat_paket) AS tanggal_buat_paket,
    p3dn_teks(status_paket) AS status_paket,
    p3dn_teks(paket_status_str) AS paket_status_str,
    -- v5 has no status list like v6's; a package in process or finished is transacted,
    -- one whose workflow step says batal (cancelled) is not.
    p3dn_teks(paket_status_str) IN ('Paket Proses', 'Paket Selesai')
        AND coalesce(lower(status_paket), '') NOT LIKE '%batal%' AS is_transacted,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN TRY_CAST(p3dn_teks(kd_paket) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_paket', 'rule': 'not_a_number', 'offending_value': kd_paket} END,
        CASE WHEN p3dn_teks(kd_produk) IS NULL
            THEN {'column_name': 'kd_produk', 'rule': 'required', 'offending_value': kd_produk} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        CASE WHEN TRY_CAST(p3dn_teks(satker_id) AS BIGINT) IS NULL
            THEN {'column_name': 'satker_id', 'rule': 'not_a_number', 'offending_value': satker_id} END,
        CASE WHEN p3dn_teks(kd_rup) IS NOT NULL AND p3dn_kode_rup_list(kd_rup) IS NULL
            THEN {'column_name': 'kd_rup', 'rule': 'not_a_number', 'offending_value': kd_rup} END,
        p3dn_masalah_rupiah_wajib('total_harga', total_harga),
        CASE WHEN p3dn_tanggal(tanggal_buat_paket) IS NULL
            THEN {'column_name': 'tanggal_buat_paket', 'rule': 'not_a_date', 'offending_value': tanggal_buat_paket} END,
        p3dn_masalah_tanggal_tahun('tanggal_buat_paket', tanggal_buat_paket,
                                   TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER), _loaded_at)
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.ekatalog_paket_v5;
