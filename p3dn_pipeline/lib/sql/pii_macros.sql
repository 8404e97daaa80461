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
-- Digits and letters of every script: a NIK typed in full-width digits must not survive as
-- its own shape.
CREATE OR REPLACE TEMP MACRO p3dn_shape(value) AS (
    regexp_replace(regexp_replace(value, '\p{Nd}', '9', 'g'), '\p{L}', 'A', 'g')
);
