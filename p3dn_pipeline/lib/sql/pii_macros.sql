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
-- An identifier of ASCII digits only, what p3dn_digits makes of nearly every NIK and NPWP,
-- is its length in 9s: the two Unicode-class regexes cost ten times as much (0.5 s per
-- million values).
CREATE OR REPLACE TEMP MACRO p3dn_shape(value) AS (
    CASE WHEN regexp_full_match(value, '[0-9]+') THEN repeat('9', strlen(value))
         ELSE regexp_replace(regexp_replace(value, '\p{N}', '9', 'g'), '\p{L}', 'A', 'g')
    END
);

-- p3dn_nfkc and p3dn_teks of a column (x is named more than once, so give it a column, not
-- an expression), skipping the work for the values they leave as they are: a value of plain
-- ASCII (strlen counts bytes, length characters) under NFKC, which changes no ASCII
-- character, and a value with no white space to fold under p3dn_teks (its white-space class,
-- kept in step). A raw load reads every field through both (readers._select_sql), and nearly
-- every value is such a value.
CREATE OR REPLACE TEMP MACRO p3dn_nfkc_kolom(x) AS
    CASE WHEN x IS NULL OR strlen(x) = length(x) THEN x ELSE p3dn_nfkc(x) END;

CREATE OR REPLACE TEMP MACRO p3dn_teks_kolom(x) AS
    CASE WHEN NOT regexp_matches(x, '^ |  | $|[\t\n\x0B\f\r\x{0085}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]')
         THEN nullif(x, '') ELSE p3dn_teks(x) END;

-- How a hidden value is stored: its shape only.
CREATE OR REPLACE TEMP MACRO p3dn_disembunyikan(t) AS 'disembunyikan, bentuk ' || p3dn_shape(t);

-- A value shaped like a NIK (16 digits, grouped or not) or an Indonesian mobile number
-- (0 or +62, then 8 and 8 to 15 more digits and separators) in any field of a dataset whose
-- rows name people: a cell shifted from the NIK or phone column. Stored as its shape only,
-- so staging quarantines the row for the field it broke without the value ever written.
-- p3dn_seperti_identitas(t) is the test, on t = p3dn_nfkc(coalesce(p3dn_teks(v), '')).
-- p3dn_tanpa_identitas(x) applies it to any expression, binding its argument once
-- (list_transform over a one-element list: a macro pastes its argument wherever it is
-- named); a raw load computes t once per field in a projection of its own instead
-- (readers._select_sql), which costs half as much.
CREATE OR REPLACE TEMP MACRO p3dn_seperti_identitas(t) AS
    regexp_full_match(t, '''?([0-9]{16}(\.0)?|[0-9]{4}([ .-][0-9]{4}){3}|(\+62|0)[ -]?8[0-9 .-]{8,15})');

CREATE OR REPLACE TEMP MACRO p3dn_tanpa_identitas(x) AS
    list_transform([x], lambda v: list_transform([p3dn_nfkc(coalesce(p3dn_teks(v), ''))], lambda t:
        CASE WHEN p3dn_seperti_identitas(t) THEN p3dn_disembunyikan(t) ELSE v END)[1])[1];

-- Letters and spaces shaped like a person's name ("Siti Aminah") in a field of a dataset
-- whose rows name people that must hold a code, number, date, month or quarter
-- (Dataset.coded_fields): a cell shifted from the name column. Kept as its shape only, like
-- a NIK or phone number above; the field's own rule (or p3dn_masalah_disembunyikan)
-- quarantines the row. A word those fields may hold ("TW IV", "Januari", "nihil") is not a
-- name, and neither is one token with a dot between letters ("X.KODE", "SKPD.A"): that is
-- a code written wrong, which the field's own rules judge, while a name's initials are
-- followed by a space ("M. Yusuf").
-- p3dn_seperti_nama(t) is the test, on t = coalesce(p3dn_teks(v), '').
CREATE OR REPLACE TEMP MACRO p3dn_seperti_nama(t) AS
    regexp_full_match(t, '\p{L}[\p{L}\p{M}.''’ -]*\p{L}\.?')
    AND NOT regexp_full_match(t, '\S*\p{L}\.\p{L}\S*')
    AND NOT regexp_full_match(lower(t), '((tw|triwulan|kuartal|q)\.? ?)?(iv|iii|ii|i)|(januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|jan|feb|peb|mar|apr|jun|jul|agu|agt|ags|sep|okt|nov|des)\.?|nihil|kosong|tidak ada|belum ada');

CREATE OR REPLACE TEMP MACRO p3dn_tanpa_nama(x) AS
    list_transform([x], lambda v: list_transform([coalesce(p3dn_teks(v), '')], lambda t:
        CASE WHEN p3dn_seperti_nama(t) THEN p3dn_disembunyikan(t) ELSE v END)[1])[1];

-- The staging problem of a field whose value was hidden by the two macros above, for fields
-- no other rule of theirs would quarantine (a code kept as text).
CREATE OR REPLACE TEMP MACRO p3dn_masalah_disembunyikan(kolom, x) AS
    CASE WHEN starts_with(x, 'disembunyikan, bentuk ')
        THEN {'column_name': kolom, 'rule': 'personal_data_in_field', 'offending_value': x} END;
