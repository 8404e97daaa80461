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
-- A business-matching row (Kode Paket, Kode RUP list, the business's keys) names a realised
-- package (its code in its channel, kd_rup, its seller's keys): by its code (e-katalog codes
-- carry their catalogue version), or as a package of a named SiRUP plan sold by the same
-- business. The one rule marts.business_matching and marts.umkm_transaksi both use.
CREATE OR REPLACE TEMP MACRO p3dn_bm_menunjuk_paket(kode_paket, kode_rup_list, kunci_usaha,
                                                   kd_paket, kd_rup, kunci_penyedia) AS (
    (kode_paket IS NOT NULL AND kd_paket IN (kode_paket, 'v6:' || kode_paket, 'v5:' || kode_paket))
    OR (kd_rup IS NOT NULL AND list_contains(kode_rup_list, kd_rup)
        AND list_has_any(kunci_penyedia, kunci_usaha))
);

CREATE OR REPLACE TEMP MACRO p3dn_pct(pembilang, penyebut) AS (
    CASE WHEN pembilang IS NULL OR penyebut IS NULL OR penyebut = 0 THEN NULL ELSE
        CAST(sign(pembilang) * sign(penyebut)
             * ((20000 * abs(CAST(CAST(pembilang AS DECIMAL(38, 4)) * 10000 AS HUGEINT))
                 + abs(CAST(CAST(penyebut AS DECIMAL(38, 4)) * 10000 AS HUGEINT)))
                // (2 * abs(CAST(CAST(penyebut AS DECIMAL(38, 4)) * 10000 AS HUGEINT)))) AS DECIMAL(38, 0))
        * CAST(0.01 AS DECIMAL(3, 2))
    END
);
