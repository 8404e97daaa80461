-- E-commerce domestic-product sections, typed (grain: one row per platform x month x
-- business). A business is identified by NIB, else hashed NPWP; a row with neither is kept
-- (it counts in the platform's totals) but cannot be matched to any other source.
CREATE OR REPLACE TEMP TABLE typed_ecommerce_penjualan AS
WITH parsed AS (
    SELECT r.*,
        coalesce(p3dn_bulan(r.bulan), month(p3dn_tanggal(r.bulan))) AS bulan_num,
        coalesce(p3dn_tahun(r.bulan), year(p3dn_tanggal(r.bulan))) AS tahun_num,
        p3dn_angka(r.nilai_penjualan) AS nilai_num,
        p3dn_angka(r.jumlah_transaksi) AS transaksi_num,
        p3dn_nib(r.nib) AS nib_norm,
        CASE WHEN r.npwp_shape IN ('999999999999999', '9999999999999999') THEN r.npwp_hash END
            AS npwp_ok_hash
    FROM raw.ecommerce_penjualan AS r
)
SELECT
    CAST(tahun_num AS INTEGER) AS tahun,
    CAST(bulan_num AS INTEGER) AS bulan,
    CAST(ceil(bulan_num / 3) AS INTEGER) AS triwulan,
    p3dn_teks(platform) AS platform,
    -- The seller within this source (the key); a name only when nothing else is given,
    -- and then never used to match another source.
    coalesce('nib:' || nib_norm, 'npwp:' || npwp_ok_hash,
             'nama:' || upper(p3dn_teks(nama_usaha)), 'baris:' || _source_file || ':' || _source_row)
        AS penjual_id,
    nib_norm AS nib,
    npwp_ok_hash AS npwp_hash,
    list_filter(['nib:' || nib_norm, 'npwp:' || npwp_ok_hash], lambda k: k IS NOT NULL)
        AS kunci_penjual,
    p3dn_teks(nama_usaha) AS nama_usaha,
    p3dn_teks(kategori) AS kategori,
    TRY_CAST(transaksi_num AS INTEGER) AS jumlah_transaksi,
    TRY_CAST(nilai_num AS DECIMAL(18, 2)) AS nilai_penjualan_rp,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN bulan_num IS NULL OR tahun_num IS NULL
            THEN {'column_name': 'Bulan', 'rule': 'not_a_month', 'offending_value': bulan} END,
        CASE WHEN p3dn_teks(platform) IS NULL
            THEN {'column_name': 'Platform', 'rule': 'required', 'offending_value': NULL} END,
        p3dn_masalah_angka_wajib('Nilai Penjualan (Rp)', nilai_penjualan, 16),
        CASE WHEN p3dn_teks(jumlah_transaksi) IS NOT NULL
                  AND (transaksi_num IS NULL OR transaksi_num <> trunc(transaksi_num)
                       OR TRY_CAST(transaksi_num AS INTEGER) IS NULL)
            THEN {'column_name': 'Jumlah Transaksi', 'rule': 'not_a_count', 'offending_value': jumlah_transaksi}
             WHEN transaksi_num < 0
            THEN {'column_name': 'Jumlah Transaksi', 'rule': 'negative_amount', 'offending_value': jumlah_transaksi} END,
        CASE WHEN coalesce(p3dn_teks(nib), '-') <> '-' AND nib_norm IS NULL
            THEN {'column_name': 'NIB', 'rule': 'nib_not_13_digits', 'offending_value': nib} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM parsed;
