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

-- A share in percent with two decimals, rounded half away from zero like every other figure;
-- a zero or missing base gives NULL ("not measurable"), never 0 % and never a division error.
-- Computed on integers (amounts scaled to 1/10000) because DuckDB divides decimals in floating
-- point, which rounds an exact tie such as 201 / 20000 = 1,005 % the wrong way.
CREATE OR REPLACE TEMP MACRO p3dn_pct(pembilang, penyebut) AS (
    CASE WHEN pembilang IS NULL OR penyebut IS NULL OR penyebut = 0 THEN NULL ELSE
        CAST(sign(pembilang) * sign(penyebut)
             * ((20000 * abs(CAST(CAST(pembilang AS DECIMAL(38, 4)) * 10000 AS HUGEINT))
                 + abs(CAST(CAST(penyebut AS DECIMAL(38, 4)) * 10000 AS HUGEINT)))
                // (2 * abs(CAST(CAST(penyebut AS DECIMAL(38, 4)) * 10000 AS HUGEINT)))) AS DECIMAL(38, 0))
        * CAST(0.01 AS DECIMAL(3, 2))
    END
);
