-- A place name reduced to what identifies it: upper case, administrative prefixes and
-- punctuation removed ("Kota Adm. Jakarta Barat", "JAKARTA BARAT" -> "JAKARTABARAT";
-- "Kep. Seribu" -> "KEPULAUANSERIBU").
CREATE OR REPLACE TEMP MACRO p3dn_kunci_wilayah(nama) AS (
    replace(
        regexp_replace(
            regexp_replace(
                upper(trim(nama)),
                '^(KOTA ADMINISTRASI|KOTA ADM\.?|KABUPATEN ADMINISTRASI|KAB\.? ADM\.?|KABUPATEN|KAB\.?|KOTA|KECAMATAN|KEC\.?|KELURAHAN|KEL\.?)\s+',
                ''),
            '[^A-Z0-9]', '', 'g'),
        'KEPSERIBU', 'KEPULAUANSERIBU')
);

-- A share in percent with two decimals; a zero or missing base gives NULL ("not measurable"),
-- never 0 % and never a division error.
CREATE OR REPLACE TEMP MACRO p3dn_pct(pembilang, penyebut) AS (
    CAST(round(100 * pembilang / nullif(penyebut, 0), 2) AS DECIMAL(9, 2))
);
