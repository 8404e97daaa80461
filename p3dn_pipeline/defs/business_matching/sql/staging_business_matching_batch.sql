-- Dinas PPKUKM business-matching batches, typed (grain: one row per batch x business x buying
-- SKPD x product). A business is identified by NIB, else its hashed NPWP, else its owner's
-- hashed NIK (usaha_id); no NIK, NPWP, name or phone number of a person is in the warehouse.
CREATE OR REPLACE TEMP TABLE typed_business_matching_batch AS
WITH parsed AS (
    SELECT r.*,
        TRY_CAST(regexp_extract(p3dn_teks(r.batch), '[0-9]+') AS INTEGER) AS batch_num,
        p3dn_tanggal(r.tanggal) AS tanggal_date,
        p3dn_nib(r.nib) AS nib_norm,
        -- NPWP has 15 digits (99.999.999.9-999.999) or 16 since 2022; NIK has 16.
        CASE WHEN r.npwp_shape IN ('999999999999999', '9999999999999999') THEN r.npwp_hash END
            AS npwp_ok_hash,
        CASE WHEN r.nik_pemilik_shape = '9999999999999999' THEN r.nik_pemilik_hash END
            AS nik_ok_hash,
        p3dn_angka(r.nilai_ketertarikan) AS nilai_num,
        p3dn_persen(r.tkdn) AS tkdn_num,
        p3dn_kode_rup_list(r.kode_rup) AS kode_rup_list,
        CASE regexp_replace(lower(p3dn_teks(r.tindak_lanjut)), '[^a-z]', '', 'g')
            WHEN 'ketertarikan' THEN 'Ketertarikan' WHEN 'minat' THEN 'Ketertarikan'
            WHEN 'negosiasi' THEN 'Negosiasi'
            WHEN 'transaksi' THEN 'Transaksi' WHEN 'deal' THEN 'Transaksi'
            WHEN 'batal' THEN 'Batal' WHEN 'dibatalkan' THEN 'Batal'
            ELSE p3dn_teks(r.tindak_lanjut)
        END AS tindak_lanjut_norm
    FROM raw.business_matching_batch AS r
)
SELECT
    $kd_klpd AS kd_klpd,
    batch_num AS batch,
    tanggal_date AS tanggal,
    CAST(year(tanggal_date) AS INTEGER) AS tahun,
    -- The business within this source: the strongest identifier it gives.
    coalesce('nib:' || nib_norm, 'npwp:' || npwp_ok_hash, 'nik:' || nik_ok_hash) AS usaha_id,
    nib_norm AS nib,
    npwp_ok_hash AS npwp_hash,
    nik_ok_hash AS nik_pemilik_hash,
    -- Every key another source may know the business by (the owner's NIK is the NPWP-16 of
    -- a sole proprietor, hashed the same way): what the UMKM marts match on.
    list_filter(['nib:' || nib_norm, 'npwp:' || npwp_ok_hash, 'npwp:' || nik_ok_hash],
                lambda k: k IS NOT NULL) AS kunci_usaha,
    p3dn_teks(nama_usaha) AS nama_usaha,
    coalesce(p3dn_teks(sektor), '(tidak diketahui)') AS sektor,
    coalesce(p3dn_teks(produk), '') AS produk,
    TRY_CAST(tkdn_num AS DECIMAL(7, 2)) AS tkdn_pct,
    coalesce(p3dn_teks(kode_skpd), upper(p3dn_teks(skpd_pembeli)), '(tidak diketahui)')
        AS kode_skpd_pembeli,
    upper(p3dn_teks(skpd_pembeli)) AS skpd_pembeli,
    TRY_CAST(nilai_num AS DECIMAL(18, 2)) AS nilai_ketertarikan_rp,
    tindak_lanjut_norm AS tindak_lanjut,
    -- One purchase may name one package; several codes stay a list for the link.
    kode_rup_list,
    kode_rup_list[1] AS kode_rup,
    p3dn_teks(kode_paket) AS kode_paket,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN batch_num IS NULL
            THEN {'column_name': 'Batch', 'rule': 'not_a_number', 'offending_value': batch} END,
        p3dn_masalah_tanggal('Tanggal', tanggal),
        CASE WHEN nib_norm IS NULL AND npwp_ok_hash IS NULL AND nik_ok_hash IS NULL
            THEN {'column_name': 'NIB', 'rule': 'no_business_identifier', 'offending_value': NULL} END,
        -- Only the shape of a bad NIK or NPWP is kept (9 = digit), never its digits.
        CASE WHEN nik_pemilik_hash IS NOT NULL AND nik_pemilik_shape <> '9999999999999999'
            THEN {'column_name': 'NIK Pemilik', 'rule': 'nik_not_16_digits', 'offending_value': 'shape ' || nik_pemilik_shape} END,
        CASE WHEN npwp_hash IS NOT NULL AND npwp_ok_hash IS NULL
            THEN {'column_name': 'NPWP', 'rule': 'npwp_not_15_or_16_digits', 'offending_value': 'shape ' || npwp_shape} END,
        CASE WHEN coalesce(p3dn_teks(nib), '-') <> '-' AND nib_norm IS NULL
            THEN {'column_name': 'NIB', 'rule': 'nib_not_13_digits', 'offending_value': nib} END,
        p3dn_masalah_angka('Nilai Ketertarikan (Rp)', nilai_ketertarikan, 16),
        CASE WHEN p3dn_teks(tkdn) IS NOT NULL AND tkdn_num IS NULL
            THEN {'column_name': 'TKDN (%)', 'rule': 'not_a_number', 'offending_value': tkdn} END,
        CASE WHEN p3dn_teks(kode_rup) IS NOT NULL AND kode_rup_list IS NULL
            THEN {'column_name': 'Kode RUP', 'rule': 'not_a_number', 'offending_value': kode_rup} END,
        CASE WHEN p3dn_teks(tindak_lanjut) IS NULL
            THEN {'column_name': 'Tindak Lanjut', 'rule': 'required', 'offending_value': NULL} END,
        -- Codes kept as text: a name or NIK shifted into one quarantines the row.
        p3dn_masalah_disembunyikan('Kode SKPD', kode_skpd),
        p3dn_masalah_disembunyikan('Kode Paket', kode_paket)
    ], lambda problem: problem IS NOT NULL) AS problems
FROM parsed;
