-- APBD realisation lines, typed (grain: kode_skpd x kode_rekening x tahun x bulan).
-- The export's numbers and months are Indonesian text; kd_klpd is configuration because
-- a pemda's own LRA export does not name the pemda.
CREATE OR REPLACE TEMP TABLE typed_apbd_realisasi AS
WITH parsed AS (
    SELECT *,
        rtrim(p3dn_teks(kode_skpd), '. ') AS kode_skpd_norm,
        p3dn_kode_rekening(kode_rekening) AS kode_rekening_norm,
        p3dn_angka(anggaran) AS anggaran_num,
        p3dn_angka(realisasi) AS realisasi_num,
        p3dn_bulan(periode) AS bulan_num,
        coalesce(p3dn_tahun(tahun), p3dn_tahun(periode)) AS tahun_num
    FROM raw.apbd_realisasi
)
SELECT
    $kd_klpd AS kd_klpd,
    tahun_num AS tahun_anggaran,
    bulan_num AS bulan,
    kode_skpd_norm AS kode_skpd,
    upper(p3dn_teks(nama_skpd)) AS nama_skpd,
    kode_rekening_norm AS kode_rekening,
    p3dn_teks(uraian) AS uraian,
    TRY_CAST(anggaran_num AS DECIMAL(18, 2)) AS anggaran_rp,
    TRY_CAST(realisasi_num AS DECIMAL(18, 2)) AS realisasi_rp,
    -- Procurement-eligible spending, the P3DN base: barang dan jasa (5.1.02) + modal (5.2).
    starts_with(kode_rekening_norm, '5.1.02.') OR starts_with(kode_rekening_norm, '5.2.')
        AS is_belanja_pengadaan,
    CASE
        WHEN starts_with(kode_rekening_norm, '5.1.01.') THEN 'pegawai'
        WHEN starts_with(kode_rekening_norm, '5.1.02.') THEN 'barang_jasa'
        WHEN starts_with(kode_rekening_norm, '5.1.05.') THEN 'hibah'
        WHEN starts_with(kode_rekening_norm, '5.1.06.') THEN 'bansos'
        WHEN starts_with(kode_rekening_norm, '5.2.') THEN 'modal'
        WHEN starts_with(kode_rekening_norm, '5.3.') THEN 'tidak_terduga'
        WHEN starts_with(kode_rekening_norm, '5.4.') THEN 'transfer'
        ELSE 'lainnya'
    END AS kelompok_belanja,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN kode_skpd_norm IS NULL
            THEN {'column_name': 'Kode SKPD', 'rule': 'required', 'offending_value': kode_skpd} END,
        CASE WHEN kode_rekening_norm IS NULL
            THEN {'column_name': 'Kode Rekening', 'rule': 'invalid_code', 'offending_value': kode_rekening}
             -- Fewer than six levels is a subtotal line: summing it would count spending twice.
             WHEN NOT regexp_full_match(kode_rekening_norm, '[0-9]+(\.[0-9]+){5}')
            THEN {'column_name': 'Kode Rekening', 'rule': 'subtotal_line_not_six_levels', 'offending_value': kode_rekening} END,
        CASE WHEN realisasi_num IS NULL
            THEN p3dn_bukan_angka('Realisasi', realisasi)
             WHEN realisasi_num IS NOT NULL AND TRY_CAST(realisasi_num AS DECIMAL(18, 2)) IS NULL
            THEN {'column_name': 'Realisasi', 'rule': 'out_of_range', 'offending_value': p3dn_angka_terlalu_besar(realisasi_num, 16)} END,
        CASE WHEN p3dn_teks(anggaran) IS NOT NULL AND anggaran_num IS NULL
            THEN p3dn_bukan_angka('Anggaran', anggaran)
             WHEN anggaran_num IS NOT NULL AND TRY_CAST(anggaran_num AS DECIMAL(18, 2)) IS NULL
            THEN {'column_name': 'Anggaran', 'rule': 'out_of_range', 'offending_value': p3dn_angka_terlalu_besar(anggaran_num, 16)} END,
        CASE WHEN bulan_num IS NULL
            THEN {'column_name': 'Bulan/Periode', 'rule': 'not_a_month', 'offending_value': periode} END,
        CASE WHEN tahun_num IS NULL
            THEN {'column_name': 'Tahun', 'rule': 'not_a_year', 'offending_value': coalesce(tahun, periode)} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM parsed;
