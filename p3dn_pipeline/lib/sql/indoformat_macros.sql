-- Indonesian numbers, dates and identifiers as people type them into SIPD, LKPP and Excel.
-- p3dn_pipeline/lib/indoformat.py holds the same rules in Python. The unit tests check that
-- both sides agree, so change them together. Every macro returns NULL for what it cannot
-- read unambiguously rather than guess. Macros named p3dn__* are helpers for the others.
-- The loader runs this file statement by statement, splitting where a semicolon ends a line:
-- keep that character out of comments and string literals.

-- Unicode White_Space: Excel exports and text copied from the web bring no-break and thin spaces.
CREATE OR REPLACE TEMP MACRO p3dn_teks(x) AS
    nullif(trim(regexp_replace(
        CAST(x AS VARCHAR),
        '[\t\n\x0B\f\r \x{0085}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]+',
        ' ', 'g')), '');

-- Fast paths: the full parsers cost several regex passes, struct captures and lambda calls
-- per value, yet nearly every value in an export has one clean shape (`1.234.567`, `2024`,
-- `Juni`, `2024-09-12`). A public macro first tests for such a shape with one
-- regexp_full_match and reads it directly, and sends everything else to the full parser. A
-- shape qualifies only when the full parser is known to read it the same way, and only when
-- p3dn_teks and p3dn__ascii would leave it unchanged: ASCII, no tab, no space at either end
-- or twice in a row. The unit tests that compare with indoformat.py cover both paths.

-- A regex match is bound once as a lambda argument, list_transform([match], lambda r: ...)[1],
-- because a macro argument is copied into every place it is used, and each copy compiles
-- its regex again when a query is bound.

-- The parsers accept ASCII only. RE2 folds case beyond ASCII (U+212A KELVIN SIGN matches k,
-- U+017F LONG S matches s) and Python folds differently, so both sides agree only on ASCII.
CREATE OR REPLACE TEMP MACRO p3dn__ascii(t) AS
    CASE WHEN NOT regexp_matches(t, '[^\x00-\x7F]') THEN t END;

-- The decimal comma is shifted as text so that `0,000001 jt` stays exact. Five decimals are
-- enough: the cast rounds half away from zero to four, which looks at the fifth decimal only.
CREATE OR REPLACE TEMP MACRO p3dn__desimal(bulat, pecahan, pangkat, negatif) AS
    TRY_CAST(
        CASE WHEN negatif THEN '-' ELSE '' END
        || replace(bulat, '.', '')
        || rpad(left(pecahan, pangkat), pangkat, '0')
        || '.' || substr(pecahan, pangkat + 1, 5) || '0'
        AS DECIMAL(38, 4));

CREATE OR REPLACE TEMP MACRO p3dn__angka_r(r) AS
    CASE WHEN r.bulat <> ''
              AND (r.buka = '') = (r.tutup = '')
              AND CAST(r.buka <> '' AS INTEGER) + CAST(r.minus1 <> '' AS INTEGER)
                  + CAST(r.minus2 <> '' AS INTEGER) <= 1
         THEN p3dn__desimal(
             r.bulat,
             r.pecahan,
             CASE lower(r.satuan)
                 WHEN 'rb' THEN 3 WHEN 'ribu' THEN 3
                 WHEN 'jt' THEN 6 WHEN 'juta' THEN 6
                 WHEN 'm' THEN 9 WHEN 'miliar' THEN 9 WHEN 'milyar' THEN 9
                 WHEN 't' THEN 12 WHEN 'triliun' THEN 12
                 ELSE 0
             END,
             r.buka <> '' OR r.minus1 <> '' OR r.minus2 <> '')
    END;

-- The one number rule (DOMAIN.md 5), for every source: dots only in groups of three are
-- thousands (`150.000` is 150000), a comma is the decimal separator (`150,5`). A single dot
-- that cannot be a thousands dot, because one, two, four or more digits follow it
-- (`12500000.00` and `1.23`, as LKPP API strings write amounts), is a decimal point. A dot
-- followed by exactly three digits is thousands when the digits before it are a group of
-- one to three (`150.000`), and ambiguous otherwise (`1234.567`, `0.500`).
CREATE OR REPLACE TEMP MACRO p3dn__titik_desimal(x) AS
    list_transform(
        [regexp_extract(
            p3dn__ascii(p3dn_teks(x)),
            '^(-)?([0-9]+)\.([0-9]{1,2}|[0-9]{4,})$',
            ['minus', 'bulat', 'pecahan'])],
        lambda r: CASE WHEN r.bulat <> '' THEN p3dn__desimal(r.bulat, r.pecahan, 0, r.minus <> '') END)[1];

-- A dot separates thousands only in groups of three: `12.5` is an English decimal, not 125.
-- M is miliar (10^9), never million, and a lone lowercase m stays unreadable.
-- Typed DOUBLE and DECIMAL values (numbers read from XLSX) print with a decimal point, which
-- the Indonesian rules rightly reject as text, so they are taken as they are.
CREATE OR REPLACE TEMP MACRO p3dn_angka(x) AS
    CASE WHEN typeof(x) IN ('FLOAT', 'DOUBLE') OR typeof(x) LIKE 'DECIMAL%'
         THEN TRY_CAST(CAST(x AS VARCHAR) AS DECIMAL(38, 4))
         -- Fast path: an optional Rp, digits (dotted only in groups of three), then `,-` or up
         -- to five decimals. The full parser reads exactly this as the digits without their
         -- dots and the comma as decimal point (it keeps five decimals, so no digit is cut).
         -- Its Rp is case-insensitive only in ASCII, hence [Rr][Pp] rather than (?i).
         WHEN regexp_full_match(
                  CAST(x AS VARCHAR),
                  '(?:[Rr][Pp]\.? ?)?(?:[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,-|,[0-9]{1,5})?')
         THEN TRY_CAST(
                  replace(replace(rtrim(ltrim(CAST(x AS VARCHAR), 'RrPp. '), ',-'), '.', ''), ',', '.')
                  AS DECIMAL(38, 4))
         ELSE coalesce(
             list_transform(
                 [regexp_extract(
                     p3dn__ascii(p3dn_teks(x)),
                     '^(?:(\() ?)?(-)? ?(?:(?i:rp)\.? ?)?(-)? ?([0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,-|(?:,([0-9]+))?(?: ?((?i:rb|ribu|jt|juta|miliar|milyar|triliun)|M|T))?)(?: ?(\)))?$',
                     ['buka', 'minus1', 'minus2', 'bulat', 'pecahan', 'satuan', 'tutup'])],
                 lambda r: p3dn__angka_r(r))[1],
             p3dn__titik_desimal(x))
    END;

-- A value the number rule cannot read although it is only digits and separators, such as
-- `1,234.56` (English), `1,234,567`, `1.234.56` or `1234.567`: it has a reading, but which
-- one is a guess, so the row is quarantined as `ambiguous_number`, never read either way.
CREATE OR REPLACE TEMP MACRO p3dn_angka_ambigu(x) AS
    p3dn_angka(x) IS NULL
    AND regexp_full_match(p3dn__ascii(p3dn_teks(x)), '-? ?(?:[Rr][Pp]\.? ?)?[0-9]+(?:[.,][0-9]+)+');

CREATE OR REPLACE TEMP MACRO p3dn__persen_r(r) AS
    CASE WHEN r.bulat <> ''
              AND (r.buka = '') = (r.tutup = '')
              AND NOT (r.buka <> '' AND r.minus <> '')
         THEN TRY_CAST(p3dn__desimal(r.bulat, r.pecahan, 0, r.buka <> '' OR r.minus <> '') AS DECIMAL(9, 4))
    END;

CREATE OR REPLACE TEMP MACRO p3dn_persen(x) AS
    CASE WHEN typeof(x) IN ('FLOAT', 'DOUBLE') OR typeof(x) LIKE 'DECIMAL%'
         THEN TRY_CAST(TRY_CAST(CAST(x AS VARCHAR) AS DECIMAL(38, 4)) AS DECIMAL(9, 4))
         ELSE coalesce(
             list_transform(
                 [regexp_extract(
                     p3dn__ascii(p3dn_teks(x)),
                     '^(?:(\() ?)?(-)? ?([0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,([0-9]+))?(?: ?(?:%|(?i:persen)))?(?: ?(\)))?$',
                     ['buka', 'minus', 'bulat', 'pecahan', 'tutup'])],
                 lambda r: p3dn__persen_r(r))[1],
             TRY_CAST(p3dn__titik_desimal(x) AS DECIMAL(9, 4)))
    END;

-- Word turns the apostrophe of Jum'at into U+2019.
CREATE OR REPLACE TEMP MACRO p3dn__teks_tanggal(x) AS
    lower(p3dn__ascii(replace(p3dn_teks(x), chr(8217), '''')));

-- A year beside a day, month or quarter outside 1900..2199 is a typo, not a date to keep.
CREATE OR REPLACE TEMP MACRO p3dn__tahun_wajar(thn) AS
    thn = '' OR TRY_CAST(thn AS INTEGER) BETWEEN 1900 AND 2199;

CREATE OR REPLACE TEMP MACRO p3dn__ymd(thn, bln, tgl) AS
    CASE WHEN thn BETWEEN 1900 AND 2199
         THEN TRY_CAST(printf('%04d-%02d-%02d', thn, bln, tgl) AS DATE)
    END;

CREATE OR REPLACE TEMP MACRO p3dn__nomor_bulan(nama) AS
    CASE left(nama, 3)
        WHEN 'jan' THEN 1 WHEN 'feb' THEN 2 WHEN 'peb' THEN 2 WHEN 'mar' THEN 3
        WHEN 'apr' THEN 4 WHEN 'mei' THEN 5 WHEN 'jun' THEN 6 WHEN 'jul' THEN 7
        WHEN 'agu' THEN 8 WHEN 'agt' THEN 8 WHEN 'ags' THEN 8 WHEN 'sep' THEN 9
        WHEN 'okt' THEN 10 WHEN 'nov' THEN 11 WHEN 'des' THEN 12
    END;

-- A day name that contradicts the date leaves it unclear which of the two is wrong.
CREATE OR REPLACE TEMP MACRO p3dn__hari_cocok(hari, tgl) AS
    CASE WHEN hari = ''
              OR list_position(['minggu', 'senin', 'selasa', 'rabu', 'kamis', 'jumat', 'sabtu'],
                               replace(hari, '''', '')) - 1 = dayofweek(tgl)
         THEN tgl
    END;

CREATE OR REPLACE TEMP MACRO p3dn__tanggal_nama_r(r) AS
    p3dn__hari_cocok(
        r.hari,
        p3dn__ymd(TRY_CAST(r.thn AS INTEGER), p3dn__nomor_bulan(r.bln), TRY_CAST(r.tgl AS INTEGER)));

CREATE OR REPLACE TEMP MACRO p3dn__tanggal_iso_r(r) AS
    p3dn__ymd(TRY_CAST(r.thn AS INTEGER), TRY_CAST(r.bln AS INTEGER), TRY_CAST(r.tgl AS INTEGER));

CREATE OR REPLACE TEMP MACRO p3dn__tanggal_angka_r(r) AS
    CASE WHEN r.pisah1 = r.pisah2
         THEN p3dn__ymd(TRY_CAST(r.thn AS INTEGER), TRY_CAST(r.bln AS INTEGER), TRY_CAST(r.tgl AS INTEGER))
    END;

-- Excel serial days count from 1899-12-30. Only 20000..80000 (1954..2119) is taken as a
-- date, so amounts and yyyymmdd numbers are not misread.
CREATE OR REPLACE TEMP MACRO p3dn__tanggal_excel(serial) AS
    CASE WHEN TRY_CAST(serial AS INTEGER) BETWEEN 20000 AND 80000
         THEN DATE '1899-12-30' + TRY_CAST(serial AS INTEGER)
    END;

-- Day first always: 3/1/2023 is the third of January.
CREATE OR REPLACE TEMP MACRO p3dn__tanggal_s(s) AS coalesce(
    list_transform(
        [regexp_extract(
            s,
            '^(?:(senin|selasa|rabu|kamis|jum''?at|sabtu|minggu)(?:, ?| ))?([0-9]{1,2})[ -](januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|jan|feb|peb|mar|apr|jun|jul|agu|agt|ags|sep|okt|nov|des)\.?[ -]([0-9]{4})$',
            ['hari', 'tgl', 'bln', 'thn'])],
        lambda r: p3dn__tanggal_nama_r(r))[1],
    list_transform(
        [regexp_extract(
            s,
            '^([0-9]{1,2})([/.-])([0-9]{1,2})([/.-])([0-9]{4})$',
            ['tgl', 'pisah1', 'bln', 'pisah2', 'thn'])],
        lambda r: p3dn__tanggal_angka_r(r))[1],
    list_transform(
        [regexp_extract(
            s,
            '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[t ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?(?:z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$',
            ['thn', 'bln', 'tgl'])],
        lambda r: p3dn__tanggal_iso_r(r))[1],
    p3dn__tanggal_excel(regexp_extract(s, '^([1-9][0-9]{4})(?:\.0+)?$', 1)));

-- Fast path: a bare ISO date, which the full parser reads through p3dn__ymd, whose
-- zero-padded text is this very text.
CREATE OR REPLACE TEMP MACRO p3dn_tanggal(x) AS
    CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
         THEN CASE WHEN left(CAST(x AS VARCHAR), 4) BETWEEN '1900' AND '2199'
                   THEN TRY_CAST(CAST(x AS VARCHAR) AS DATE)
              END
         ELSE list_transform([p3dn__teks_tanggal(x)], lambda s: p3dn__tanggal_s(s))[1]
    END;

CREATE OR REPLACE TEMP MACRO p3dn__bulan_nama_r(r) AS
    CASE WHEN r.bln <> '' AND p3dn__tahun_wajar(r.thn) THEN p3dn__nomor_bulan(r.bln) END;

CREATE OR REPLACE TEMP MACRO p3dn__bulan_angka_r(r) AS
    CASE WHEN (r.bln1 || r.bln2) <> '' AND p3dn__tahun_wajar(r.thn1 || r.thn2)
         THEN TRY_CAST(r.bln1 || r.bln2 AS INTEGER)
    END;

CREATE OR REPLACE TEMP MACRO p3dn__bulan_s(s) AS coalesce(
    list_transform(
        [regexp_extract(
            s,
            '^(januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|jan|feb|peb|mar|apr|jun|jul|agu|agt|ags|sep|okt|nov|des)\.?(?:[ -]([0-9]{4}))?$',
            ['bln', 'thn'])],
        lambda r: p3dn__bulan_nama_r(r))[1],
    list_transform(
        [regexp_extract(
            s,
            '^(?:(0?[1-9]|1[0-2])(?:[/-]([0-9]{4}))?|([0-9]{4})[/-](0?[1-9]|1[0-2]))$',
            ['bln1', 'thn1', 'thn2', 'bln2'])],
        lambda r: p3dn__bulan_angka_r(r))[1],
    CAST(month(p3dn__tanggal_s(s)) AS INTEGER));

-- Fast path: a bare month name in ASCII letters of any case. lower() alone is not enough:
-- it folds beyond ASCII too (lower('JUNİ') = 'juni'), and the full parser rejects that.
CREATE OR REPLACE TEMP MACRO p3dn_bulan(x) AS
    CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '[A-Za-z]+')
              AND lower(CAST(x AS VARCHAR)) IN (
                  'januari', 'februari', 'pebruari', 'maret', 'april', 'mei', 'juni', 'juli',
                  'agustus', 'september', 'oktober', 'november', 'desember', 'jan', 'feb',
                  'peb', 'mar', 'apr', 'jun', 'jul', 'agu', 'agt', 'ags', 'sep', 'okt', 'nov',
                  'des')
         THEN p3dn__nomor_bulan(lower(CAST(x AS VARCHAR)))
         ELSE list_transform([p3dn__teks_tanggal(x)], lambda s: p3dn__bulan_s(s))[1]
    END;

-- Two different years (`2024 s.d. 2025`) leave the year open.
CREATE OR REPLACE TEMP MACRO p3dn__satu_tahun(daftar) AS
    CASE WHEN len(daftar) = 1 THEN CAST(daftar[1] AS INTEGER) END;

-- Fast path: four bare digits are no date (an Excel serial has five), so the year is the
-- single digit run itself when it lies in 2000..2100.
CREATE OR REPLACE TEMP MACRO p3dn_tahun(x) AS
    CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '[0-9]{4}')
         THEN CASE WHEN CAST(x AS VARCHAR) BETWEEN '2000' AND '2100'
                   THEN CAST(CAST(x AS VARCHAR) AS INTEGER)
              END
         ELSE coalesce(
             CAST(year(p3dn_tanggal(x)) AS INTEGER),
             p3dn__satu_tahun(list_distinct(list_filter(
                 regexp_extract_all(p3dn_teks(x), '[0-9]+'),
                 lambda digit_run: length(digit_run) = 4 AND digit_run BETWEEN '2000' AND '2100'))))
    END;

CREATE OR REPLACE TEMP MACRO p3dn__triwulan_r(r) AS
    CASE WHEN r.tw <> '' AND p3dn__tahun_wajar(r.thn)
         THEN CASE r.tw
                  WHEN 'i' THEN 1 WHEN 'ii' THEN 2 WHEN 'iii' THEN 3 WHEN 'iv' THEN 4
                  ELSE TRY_CAST(r.tw AS INTEGER)
              END
    END;

CREATE OR REPLACE TEMP MACRO p3dn_triwulan(x) AS
    list_transform(
        [regexp_extract(
            p3dn__teks_tanggal(x),
            '^(?:(?:tw|triwulan|q)\.? ?)?(iv|iii|ii|i|[1-4])(?:(?: ?[/-] ?| )([0-9]{4}))?$',
            ['tw', 'thn'])],
        lambda r: p3dn__triwulan_r(r))[1];

-- SIPD exports end account codes with a dot or a space.
CREATE OR REPLACE TEMP MACRO p3dn__kode_rekening_k(kode) AS
    CASE WHEN regexp_full_match(kode, '[0-9]+(\.[0-9]+)*') THEN kode END;

-- Fast path: a code that is already clean is its own result.
CREATE OR REPLACE TEMP MACRO p3dn_kode_rekening(x) AS
    CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '[0-9]+(\.[0-9]+)*')
         THEN CAST(x AS VARCHAR)
         ELSE p3dn__kode_rekening_k(regexp_replace(p3dn_teks(x), '[. ]+$', ''))
    END;

-- An integer that went through an Excel float prints as `3174012345678901.0`. Doubles hold
-- every integer up to 2^53 = 9007199254740992 exactly, so only such a value has lost no
-- digits. Scientific notation (`9.12E+12`) has lost them and falls out as a letter.
CREATE OR REPLACE TEMP MACRO p3dn__digits_t(t) AS
    CASE WHEN regexp_full_match(t, '[0-9]+\.0')
         THEN CASE WHEN regexp_full_match(t, '(0|[1-9][0-9]{0,15})\.0')
                        AND (length(t) < 18 OR t <= '9007199254740992.0')
                   THEN regexp_replace(t, '\.0$', '')
              END
         WHEN regexp_full_match(t, '[0-9 .-]*[0-9][0-9 .-]*')
         THEN regexp_replace(t, '[ .-]', '', 'g')
    END;

-- Excel marks a number stored as text with a leading apostrophe.
-- Fast path: bare digits are their own result.
-- Full-width (typed with an East Asian keyboard layout) and Arabic-Indic digits as ASCII: an
-- identifier is the same person whatever digits it was typed in, and its hash must agree.
CREATE OR REPLACE TEMP MACRO p3dn_digit_ascii(t) AS
    translate(t, '０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹', '012345678901234567890123456789');

CREATE OR REPLACE TEMP MACRO p3dn_digits(x) AS
    CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '[0-9]+')
         THEN CAST(x AS VARCHAR)
         ELSE list_transform([regexp_replace(p3dn_digit_ascii(p3dn_teks(x)), '^''', '')],
                             lambda t: p3dn__digits_t(t))[1]
    END;

CREATE OR REPLACE TEMP MACRO p3dn_nib(x) AS
    list_transform([p3dn_digits(x)], lambda d: CASE WHEN length(d) = 13 THEN d END)[1];

-- What a quarantine row says of a number too large for its column: its size, never its
-- digits, which may be an identifier (a NIK typed into an amount column).
CREATE OR REPLACE TEMP MACRO p3dn_angka_terlalu_besar(x, max_digits) AS
    'a number of ' || length(CAST(trunc(abs(x)) AS VARCHAR))
    || ' digits before the decimal comma; at most ' || max_digits || ' fit';

-- LKPP's kd_rup fields: one 8-digit code as int or text; a later CSV pull of e-katalog v6
-- repeats the same code once per product line (`60505290,60505290`); pencatatan joins
-- different codes with `;`. The distinct codes, sorted; empty parts (a trailing `;`) are
-- ignored; NULL when the field is empty, and NULL when any part is not a code (the caller
-- quarantines it as `not_a_number`, so a typo is never silently half-read).
CREATE OR REPLACE TEMP MACRO p3dn_kode_rup_list(x) AS
    list_transform([list_transform(list_filter(string_split_regex(p3dn_teks(x), '\s*[;,]\s*'),
                                               lambda part: part <> ''),
                                   lambda part: TRY_CAST(p3dn_digits(part) AS BIGINT))],
                   lambda codes: CASE WHEN len(codes) > 0 AND list_count(codes) = len(codes)
                                      THEN list_sort(list_distinct(codes)) END)[1];

-- The one code of a kd_rup field, also when it is written repeated; NULL when the field
-- holds several different codes (use p3dn_kode_rup_list) or is not a code.
CREATE OR REPLACE TEMP MACRO p3dn_kode_rup(x) AS
    list_transform([p3dn_kode_rup_list(x)], lambda codes: CASE WHEN len(codes) = 1 THEN codes[1] END)[1];

-- An LKPP amount: a JSON number, or text read by the one number rule (p3dn_angka): the
-- API's "1269963504.15" is a decimal point, a typed "150.000" is 150000, never 150. NULL
-- stays NULL (a value LKPP has not given), never 0. A JSON number reaches raw as text that
-- the rule reads exactly (lib/readers.py, p3dn_json_teks).
CREATE OR REPLACE TEMP MACRO p3dn_rupiah(x) AS TRY_CAST(p3dn_angka(x) AS DECIMAL(18, 2));

-- A JSON field as raw text: a string as it is, a JSON number as text the number rule reads
-- as exactly that number. DuckDB prints a number in its shortest form (150.000 -> 150.0),
-- but a fraction of exactly three digits (1.234, 1234.567) would read as thousands or as
-- ambiguous, so it gets a fourth digit, a zero. An exponent (1e+20) is written out. JSON
-- strings go through the rule as typed: "150.000" is 150000, "12500000.00" is 12500000.
CREATE OR REPLACE TEMP MACRO p3dn_json_teks(v) AS
    CASE json_type(v)
        WHEN 'VARCHAR' THEN v ->> '$'
        WHEN 'DOUBLE' THEN list_transform(
            [CAST(v AS VARCHAR)],
            lambda t: CASE WHEN regexp_full_match(t, '-?[0-9]+\.[0-9]{3}') THEN t || '0'
                           WHEN regexp_matches(t, '[eE]')
                           THEN coalesce(CAST(TRY_CAST(TRY_CAST(t AS DOUBLE) AS DECIMAL(38, 4)) AS VARCHAR), t)
                           ELSE t END)[1]
        ELSE CAST(v AS VARCHAR)
    END;

-- The problem a number that cannot be read raises: `ambiguous_number` when it has a
-- reading the rule refuses to guess (`1,234.56`), else `not_a_number`.
CREATE OR REPLACE TEMP MACRO p3dn_bukan_angka(kolom, x) AS
    {'column_name': kolom,
     'rule': CASE WHEN p3dn_angka_ambigu(x) THEN 'ambiguous_number' ELSE 'not_a_number' END,
     'offending_value': CAST(x AS VARCHAR)};

-- The staging problem an LKPP amount field raises, for a `problems` list (NULL when none):
-- text that is not a number (or an ambiguous one), or a negative amount. An empty field is
-- no problem.
CREATE OR REPLACE TEMP MACRO p3dn_masalah_rupiah(kolom, x) AS
    CASE WHEN p3dn_teks(x) IS NOT NULL AND p3dn_rupiah(x) IS NULL
        THEN p3dn_bukan_angka(kolom, x)
         WHEN p3dn_rupiah(x) < 0
        THEN {'column_name': kolom, 'rule': 'negative_amount', 'offending_value': x} END;

-- The same for a required LKPP amount: an empty field is `not_a_number` too.
CREATE OR REPLACE TEMP MACRO p3dn_masalah_rupiah_wajib(kolom, x) AS
    CASE WHEN p3dn_teks(x) IS NULL
        THEN {'column_name': kolom, 'rule': 'not_a_number', 'offending_value': x}
        ELSE p3dn_masalah_rupiah(kolom, x) END;

-- The staging problem an optional date field raises: filled, but not a date.
CREATE OR REPLACE TEMP MACRO p3dn_masalah_tanggal(kolom, x) AS
    CASE WHEN p3dn_teks(x) IS NOT NULL AND p3dn_tanggal(x) IS NULL
        THEN {'column_name': kolom, 'rule': 'not_a_date', 'offending_value': x} END;

-- The staging problem an amount typed by a person raises (a spreadsheet cell read with
-- p3dn_angka), for a `problems` list: text that is no number (or an ambiguous one), a
-- negative amount, or one with more than `max_digits` digits before the decimal comma (what
-- the column's DECIMAL holds). An empty cell is no problem; p3dn_masalah_angka_wajib makes
-- it one.
CREATE OR REPLACE TEMP MACRO p3dn_masalah_angka(kolom, x, max_digits) AS
    CASE WHEN p3dn_teks(x) IS NOT NULL AND p3dn_angka(x) IS NULL
        THEN p3dn_bukan_angka(kolom, x)
         WHEN p3dn_angka(x) < 0
        THEN {'column_name': kolom, 'rule': 'negative_amount', 'offending_value': CAST(x AS VARCHAR)}
         WHEN trunc(abs(p3dn_angka(x))) >= CAST(10 AS HUGEINT) ** max_digits
        THEN {'column_name': kolom, 'rule': 'out_of_range',
              'offending_value': p3dn_angka_terlalu_besar(p3dn_angka(x), max_digits)} END;

CREATE OR REPLACE TEMP MACRO p3dn_masalah_angka_wajib(kolom, x, max_digits) AS
    CASE WHEN p3dn_teks(x) IS NULL
        THEN {'column_name': kolom, 'rule': 'required', 'offending_value': NULL::VARCHAR}
        ELSE p3dn_masalah_angka(kolom, x, max_digits) END;
