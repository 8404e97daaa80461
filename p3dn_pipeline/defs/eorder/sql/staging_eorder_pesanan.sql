-- BPPBJ DKI e-Order, typed (grain: one row per order). The fiscal year is the order date's;
-- kd_klpd is this pipeline's pemda (P3DN_KD_KLPD): e-Order is DKI's own system. Only
-- Selesai counts as realised (is_selesai).
CREATE OR REPLACE TEMP TABLE typed_eorder_pesanan AS
WITH parsed AS (
    SELECT r.*,
        p3dn_tanggal(r.tanggal_order) AS tanggal_date,
        p3dn_angka(r.nilai_order) AS nilai_num,
        p3dn_kode_rup_list(r.kode_rup) AS kode_rup_list,
        CASE WHEN r.npwp_shape IN ('999999999999999', '9999999999999999') THEN r.npwp_hash END
            AS npwp_ok_hash,
        CASE regexp_replace(lower(p3dn_teks(r.status)), '[^a-z]', '', 'g')
            WHEN 'selesai' THEN 'Selesai' WHEN 'proses' THEN 'Proses'
            WHEN 'diproses' THEN 'Proses' WHEN 'dibatalkan' THEN 'Dibatalkan'
            WHEN 'batal' THEN 'Dibatalkan'
            ELSE p3dn_teks(r.status)
        END AS status_norm
    FROM raw.eorder_pesanan AS r
)
SELECT
    $kd_klpd AS kd_klpd,
    CAST(year(tanggal_date) AS INTEGER) AS tahun_anggaran,
    p3dn_teks(no_order) AS no_order,
    tanggal_date AS tanggal_order,
    -- An order starts from one SiRUP package; a list with several codes is kept as NULL
    -- in kode_rup (the package cannot be told) but stays in kode_rup_list.
    CASE WHEN len(kode_rup_list) = 1 THEN kode_rup_list[1] END AS kode_rup,
    kode_rup_list,
    p3dn_teks(kode_skpd) AS kode_skpd,
    upper(p3dn_teks(nama_skpd)) AS nama_skpd,
    p3dn_teks(nama_usaha) AS nama_usaha,
    p3dn_nib(nib) AS nib,
    npwp_ok_hash AS npwp_hash,
    upper(p3dn_teks(id_jakpreneur)) AS id_jakpreneur,
    TRY_CAST(nilai_num AS DECIMAL(18, 2)) AS nilai_order_rp,
    status_norm AS status,
    coalesce(status_norm = 'Selesai', false) AS is_selesai,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_teks(no_order) IS NULL
            THEN {'column_name': 'No Order', 'rule': 'required', 'offending_value': NULL} END,
        CASE WHEN p3dn_teks(tanggal_order) IS NULL
            THEN {'column_name': 'Tanggal Order', 'rule': 'required', 'offending_value': NULL}
             WHEN tanggal_date IS NULL
            THEN {'column_name': 'Tanggal Order', 'rule': 'not_a_date', 'offending_value': tanggal_order} END,
        p3dn_masalah_angka_wajib('Nilai Order (Rp)', nilai_order, 16),
        CASE WHEN p3dn_teks(kode_rup) IS NOT NULL AND kode_rup_list IS NULL
            THEN {'column_name': 'Kode RUP', 'rule': 'not_a_number', 'offending_value': kode_rup} END,
        CASE WHEN npwp_hash IS NOT NULL AND npwp_ok_hash IS NULL
            THEN {'column_name': 'NPWP', 'rule': 'npwp_not_15_or_16_digits', 'offending_value': 'shape ' || npwp_shape} END,
        CASE WHEN coalesce(p3dn_teks(nib), '-') <> '-' AND p3dn_nib(nib) IS NULL
            THEN {'column_name': 'NIB', 'rule': 'nib_not_13_digits', 'offending_value': nib} END,
        -- Codes kept as text: a name or NIK shifted into one quarantines the row.
        p3dn_masalah_disembunyikan('No Order', no_order),
        p3dn_masalah_disembunyikan('Kode SKPD', kode_skpd),
        p3dn_masalah_disembunyikan('ID Jakpreneur', id_jakpreneur)
    ], lambda problem: problem IS NOT NULL) AS problems
FROM parsed;
