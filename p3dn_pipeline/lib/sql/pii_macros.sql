-- Keyed hash (HMAC-SHA256, RFC 2104) of a personal identifier, computed inside DuckDB so the
-- clear value is never written anywhere. The pads come from session variables set by
-- p3dn_pipeline.lib.warehouse.prepare_session; the key itself never enters SQL text.
CREATE OR REPLACE TEMP MACRO p3dn_hmac(value) AS (
    CASE WHEN value IS NULL THEN NULL ELSE
        sha256(getvariable('p3dn_hmac_opad')
               || unhex(sha256(getvariable('p3dn_hmac_ipad') || encode(value))))
    END
);

-- A personal identifier's shape without its content: digits become 9, letters A, so staging
-- can quarantine a malformed NIK ("99999999999999", 14 digits) without ever seeing it.
-- Numbers (digits, superscripts, circled and Roman numerals) and letters of every script: a
-- NIK typed in any of them must not survive as its own shape.
CREATE OR REPLACE TEMP MACRO p3dn_shape(value) AS (
    regexp_replace(regexp_replace(value, '\p{N}', '9', 'g'), '\p{L}', 'A', 'g')
);

-- A value shaped like a NIK (16 digits, grouped or not) or an Indonesian mobile number
-- (0 or +62, then 8 and 8 to 15 more digits and separators) in any field of a dataset whose
-- rows name people: a cell shifted from the NIK or phone column. Stored as its shape only,
-- so staging quarantines the row for the field it broke without the value ever written.
CREATE OR REPLACE TEMP MACRO p3dn_tanpa_identitas(x) AS
    CASE WHEN regexp_full_match(p3dn_nfkc(coalesce(p3dn_teks(x), '')),
                                '''?([0-9]{16}(\.0)?|[0-9]{4}([ .-][0-9]{4}){3}|(\+62|0)[ -]?8[0-9 .-]{8,15})')
         THEN 'disembunyikan, bentuk ' || p3dn_shape(p3dn_nfkc(p3dn_teks(x)))
         ELSE x
    END;
