-- SiRUP announced procurement plan (grain: one row per kd_rup): the P3DN and UMK commitment.
CREATE OR REPLACE TEMP TABLE typed_sirup_paket_penyedia AS
SELECT
    p3dn_teks(kd_klpd) AS kd_klpd,
    TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) AS tahun_anggaran,
    TRY_CAST(p3dn_teks(kd_satker) AS BIGINT) AS kd_satker,
    rtrim(p3dn_teks(kd_satker_str), '.') AS kd_satker_str,
    upper(p3dn_teks(nama_satker)) AS nama_satker,
    TRY_CAST(p3dn_digits(kd_rup) AS BIGINT) AS kd_rup,
    p3dn_teks(nama_paket) AS nama_paket,
    p3dn_rupiah(pagu) AS pagu_rp,
    -- SiRUP's casing drifts ("E-Purchasing" / "e-Purchasing"): one spelling per method.
    CASE lower(p3dn_teks(metode_pengadaan))
        WHEN 'e-purchasing' THEN 'E-Purchasing'
        WHEN 'pengadaan langsung' THEN 'Pengadaan Langsung'
        WHEN 'penunjukan langsung' THEN 'Penunjukan Langsung'
        WHEN 'tender' THEN 'Tender'
        WHEN 'tender cepat' THEN 'Tender Cepat'
        WHEN 'seleksi' THEN 'Seleksi'
        WHEN 'dikecualikan' THEN 'Dikecualikan'
        ELSE p3dn_teks(metode_pengadaan)
    END AS metode_pengadaan,
    p3dn_teks(jenis_pengadaan) AS jenis_pengadaan,
    CASE upper(p3dn_teks(status_pdn)) WHEN 'PDN' THEN 'PDN' WHEN 'IMPOR' THEN 'Impor' END
        AS status_pdn,
    CASE upper(p3dn_teks(status_ukm)) WHEN 'UKM' THEN 'UKM' WHEN 'NON UKM' THEN 'Non UKM'
        WHEN 'NON-UKM' THEN 'Non UKM' END AS status_ukm,
    upper(p3dn_teks(status_pdn)) = 'PDN' AS is_pdn,
    upper(p3dn_teks(status_ukm)) = 'UKM' AS is_ukm,
    TRY_CAST(p3dn_teks(status_aktif_rup) AS BOOLEAN) AS status_aktif_rup,
    TRY_CAST(p3dn_teks(status_delete_rup) AS BOOLEAN) AS status_delete_rup,
    p3dn_teks(status_umumkan_rup) AS status_umumkan_rup,
    coalesce(TRY_CAST(p3dn_teks(status_dikecualikan) AS BOOLEAN), false) AS status_dikecualikan,
    -- A package is a commitment when it is announced, active and not deleted.
    coalesce(TRY_CAST(p3dn_teks(status_aktif_rup) AS BOOLEAN), false)
        AND NOT coalesce(TRY_CAST(p3dn_teks(status_delete_rup) AS BOOLEAN), false)
        AND lower(p3dn_teks(status_umumkan_rup)) = 'terumumkan' AS is_komitmen,
    p3dn_teks(urarian_pekerjaan) AS urarian_pekerjaan,
    p3dn_tanggal(_event_date) AS tanggal_data,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN TRY_CAST(p3dn_digits(kd_rup) AS BIGINT) IS NULL
            THEN {'column_name': 'kd_rup', 'rule': 'not_a_number', 'offending_value': kd_rup} END,
        CASE WHEN p3dn_teks(kd_klpd) IS NULL
            THEN {'column_name': 'kd_klpd', 'rule': 'required', 'offending_value': kd_klpd} END,
        CASE WHEN TRY_CAST(p3dn_teks(tahun_anggaran) AS INTEGER) IS NULL
            THEN {'column_name': 'tahun_anggaran', 'rule': 'not_a_year', 'offending_value': tahun_anggaran} END,
        CASE WHEN p3dn_teks(kd_satker_str) IS NULL
            THEN {'column_name': 'kd_satker_str', 'rule': 'required', 'offending_value': kd_satker_str} END,
        p3dn_masalah_rupiah_wajib('pagu', pagu),
        CASE WHEN upper(p3dn_teks(status_pdn)) NOT IN ('PDN', 'IMPOR') OR status_pdn IS NULL
            THEN {'column_name': 'status_pdn', 'rule': 'unknown_value', 'offending_value': status_pdn} END,
        CASE WHEN upper(p3dn_teks(status_ukm)) NOT IN ('UKM', 'NON UKM', 'NON-UKM') OR status_ukm IS NULL
            THEN {'column_name': 'status_ukm', 'rule': 'unknown_value', 'offending_value': status_ukm} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.sirup_paket_penyedia;
