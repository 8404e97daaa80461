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

-- The window a transaction date of fiscal year `tahun` may honestly fall in: from
-- P3DN_DATE_MONTHS_BEFORE_FISCAL_YEAR months before 1 January (default 3: tender dini and
-- pre-budget orders from 1 October) to P3DN_DATE_MONTHS_AFTER_FISCAL_YEAR months after
-- 31 December (default 3: late recording and the 90-day continuation of late work, to
-- 31 March). lib/warehouse.py sets both from the environment. One window for the
-- quarantine rule below and for every "data s.d." date.
CREATE OR REPLACE TEMP MACRO p3dn_dalam_tahun_anggaran(tanggal, tahun) AS
    tanggal BETWEEN CAST(make_date(tahun, 1, 1)
                         - to_months(coalesce(getvariable('p3dn_bulan_sebelum_tahun_anggaran'), 3)) AS DATE)
                AND CAST(make_date(tahun, 12, 31)
                         + to_months(coalesce(getvariable('p3dn_bulan_sesudah_tahun_anggaran'), 3)) AS DATE);

-- The day a file was loaded, in Jakarta (WIB, UTC+7): no date in it can be later.
CREATE OR REPLACE TEMP MACRO p3dn_hari_dimuat(loaded_at) AS
    CAST(loaded_at + INTERVAL 7 HOUR AS DATE);

-- The staging problem a transaction date raises, for a `problems` list: outside its fiscal
-- year's window (an order of 2025 dated 2099-01-01), or after the day its file was loaded.
-- Either would become the published "data s.d." date: quarantined, never a WARN only.
-- An empty or unreadable date and an unknown year are other rules' business.
CREATE OR REPLACE TEMP MACRO p3dn_masalah_tanggal_tahun(kolom, x, tahun, loaded_at) AS
    CASE WHEN p3dn_tanggal(x) IS NULL OR tahun IS NULL THEN NULL
         WHEN NOT p3dn_dalam_tahun_anggaran(p3dn_tanggal(x), tahun)
        THEN {'column_name': kolom, 'rule': 'date_outside_fiscal_year', 'offending_value': x}
         WHEN p3dn_tanggal(x) > p3dn_hari_dimuat(loaded_at)
        THEN {'column_name': kolom, 'rule': 'date_after_load', 'offending_value': x} END;
