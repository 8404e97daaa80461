-- Kemendagri codes of DKI Jakarta's kota, kecamatan and kelurahan (cahyadsn/wilayah, MIT),
-- with a matching key so rosters that write "Kota Adm. Jakarta Barat" or "JAKARTA BARAT"
-- are joined on codes, never on names.
CREATE OR REPLACE TABLE reference.wilayah_dki AS
SELECT
    kode,
    nama,
    level,
    nullif(kode_kab_kota, '') AS kode_kab_kota,
    nullif(kode_kecamatan, '') AS kode_kecamatan,
    p3dn_kunci_wilayah(nama) AS kunci_nama
FROM read_csv($path, header = true, all_varchar = true)
ORDER BY kode;
