-- e-katalog v6 orders, typed and trimmed (grain: one row per kd_paket).
-- `problems` lists every hard rule the row breaks; lib/sql/split_staging.sql sends rows with
-- problems, and all but the newest copy of a duplicated key, to quarantine.
CREATE OR REPLACE TEMP TABLE typed_ekatalog_paket_v6 AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    rtrim(p3dn_teks(kd_satker_str), '.') AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    p3dn_teks(kd_paket) AS kd_paket,
    -- A later CSV pull repeats the order's code once per product line (60505290,60505290):
    -- that is one code. Several different codes are kept in kd_rup_list (kd_rup is NULL).
    p3dn_kode_rup(kd_rup) AS kd_rup,
    p3dn_kode_rup_list(kd_rup) AS kd_rup_list,
    p3dn_teks(rup_nama_pkt) AS rup_nama_pkt,
    p3dn_teks(product_ids) AS product_ids,
    upper(replace(p3dn_teks(sumber_dana), ' ', '')) AS sumber_dana,
    p3dn_teks(mak) AS mak,
    p3dn_teks(kd_penyedia_v6) AS kd_penyedia_v6,
    -- LKPP writes 0 when the SIKaP vendor id is unknown.
    nullif(TRY_CAST(p3dn_teks(kd_penyedia_sikap) AS BIGINT), 0) AS kd_penyedia_sikap,
    TRY_CAST(p3dn_teks(jml_jenis_produk) AS INTEGER) AS jml_jenis_produk,
    TRY_CAST(p3dn_angka(jml_produk) AS DECIMAL(18, 4)) AS jml_produk,
    coalesce(p3dn_rupiah(ongkir), 0) AS ongkir_rp,
    p3dn_rupiah(total_harga) AS total_harga_rp,
    p3dn_tanggal(tgl_order) AS tgl_order,
    upper(p3dn_teks(status_pkt)) AS status_pkt,
    upper(p3dn_teks(status_pengiriman)) AS status_pengiriman,
    -- What LKPP dashboards count as transacted (DOMAIN.md 2.1).
    upper(p3dn_teks(status_pkt)) IN ('ON_PROCESS', 'ON_ADDENDUM', 'COMPLETED',
                                     'PAYMENT_OUTSIDE_SYSTEM') AS is_transacted,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(kd_paket) IS NULL
            THEN {'column_name': 'kd_paket', 'rule': 'required', 'offending_value': kd_paket} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd}
             -- INAPROC v1 also serves private-sector orders (kode_klpd = swasta): not
             -- government procurement, so never in a P3DN figure; counted here.
             WHEN lower(p3dn_teks(kd_klpd)) = 'swasta'
            THEN {'column_name': 'kd_klpd', 'rule': 'private_sector_order', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        CASE WHEN p3dn_teks(kd_satker_str) IS NULL
            THEN {'column_name': 'kd_satker_str', 'rule': 'required', 'offending_value': kd_satker_str} END,
        CASE WHEN p3dn_teks(kd_rup) IS NOT NULL AND p3dn_kode_rup_list(kd_rup) IS NULL
            THEN {'column_name': 'kd_rup', 'rule': 'not_a_number', 'offending_value': kd_rup} END,
        p3dn_masalah_rupiah_wajib('total_harga', total_harga),
        CASE WHEN p3dn_tanggal(tgl_order) IS NULL
            THEN {'column_name': 'tgl_order', 'rule': 'not_a_date', 'offending_value': tgl_order} END,
        p3dn_masalah_tanggal_tahun('tgl_order', tgl_order,
                                   TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER), _loaded_at),
        CASE WHEN p3dn_teks(status_pkt) IS NULL
            THEN {'column_name': 'status_pkt', 'rule': 'required', 'offending_value': status_pkt} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.ekatalog_paket_v6;
