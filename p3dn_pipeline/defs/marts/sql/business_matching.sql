-- Business matching per batch x buying SKPD x sektor: UMKM taking part, statements of
-- interest (count and Rp), how many turned into a transaction, and the value actually
-- realised, found in the realisation of every channel (e-katalog, SPSE, e-Order) by the
-- Kode Paket the row names, or by its Kode RUP where the seller is the same business (NIB
-- or hashed NPWP). Grain: kd_klpd x batch x kode_skpd_pembeli x sektor.

CREATE OR REPLACE TABLE marts.business_matching AS
WITH bm AS (
    SELECT * FROM staging.business_matching_batch
),
tautan AS (
    -- Each business-matching row and the realised packages it became (p3dn_bm_menunjuk_paket).
    -- The rule alone as a join condition is a nested loop over every (row, package) pair,
    -- quadratic in the input (35 s at scale 1, hours at scale 10). The two equi-joins below
    -- find every pair the rule can accept (by the Kode Paket, with or without its catalogue
    -- version, or by a Kode RUP of the row); the rule then decides, so it stays in one place.
    -- Every use below is EXISTS or DISTINCT: a pair found by both joins counts once.
    SELECT bm.batch, bm.usaha_id, bm.kode_skpd_pembeli, bm.produk,
           p.kanal, p.kd_paket, p.nilai_rp
    FROM bm, unnest([bm.kode_paket, 'v6:' || bm.kode_paket, 'v5:' || bm.kode_paket]) AS c(kd_paket)
    JOIN marts.p3dn_realisasi_paket AS p ON p.kd_paket = c.kd_paket
    WHERE p.ada_nilai
      AND p3dn_bm_menunjuk_paket(bm.kode_paket, bm.kode_rup_list, bm.kunci_usaha,
                                 p.kd_paket, p.kd_rup, p.kunci_penyedia)
    UNION
    SELECT bm.batch, bm.usaha_id, bm.kode_skpd_pembeli, bm.produk,
           p.kanal, p.kd_paket, p.nilai_rp
    FROM bm, unnest(bm.kode_rup_list) AS r(kd_rup)
    JOIN marts.p3dn_realisasi_paket AS p ON p.kd_rup = r.kd_rup
    WHERE p.ada_nilai
      AND p3dn_bm_menunjuk_paket(bm.kode_paket, bm.kode_rup_list, bm.kunci_usaha,
                                 p.kd_paket, p.kd_rup, p.kunci_penyedia)
),
baris AS (
    SELECT bm.*,
           EXISTS (SELECT 1 FROM tautan AS t
                   WHERE t.batch = bm.batch AND t.usaha_id = bm.usaha_id
                     AND t.kode_skpd_pembeli = bm.kode_skpd_pembeli AND t.produk = bm.produk)
               AS is_terealisasi
    FROM bm
),
realisasi AS (
    -- Each realised package once per group, however many rows of the group it links to.
    SELECT b.kd_klpd, b.batch, b.kode_skpd_pembeli, b.sektor,
           sum(nilai_rp) AS nilai_realisasi_rp,
           count(*) AS jumlah_paket_realisasi,
           string_agg(DISTINCT kanal, ', ' ORDER BY kanal) AS kanal_realisasi
    FROM (SELECT DISTINCT b.kd_klpd, b.batch, b.kode_skpd_pembeli, b.sektor, t.kanal,
                          t.kd_paket, t.nilai_rp
          FROM tautan AS t
          JOIN bm AS b USING (batch, usaha_id, kode_skpd_pembeli, produk)) AS b
    GROUP BY ALL
)
SELECT
    b.kd_klpd,
    b.batch,
    min(b.tanggal) AS tanggal,
    CAST(year(min(b.tanggal)) AS INTEGER) AS tahun,
    b.kode_skpd_pembeli,
    any_value(b.skpd_pembeli) AS skpd_pembeli,
    b.sektor,
    count(DISTINCT b.usaha_id) AS jumlah_umkm,
    count(*) AS jumlah_pernyataan_minat,
    coalesce(sum(b.nilai_ketertarikan_rp), 0) AS nilai_ketertarikan_rp,
    count(*) FILTER (WHERE b.tindak_lanjut = 'Transaksi') AS jumlah_transaksi_dilaporkan,
    coalesce(sum(b.nilai_ketertarikan_rp) FILTER (WHERE b.tindak_lanjut = 'Transaksi'), 0)
        AS nilai_ketertarikan_transaksi_rp,
    count(*) FILTER (WHERE b.is_terealisasi) AS jumlah_minat_terealisasi,
    -- Reported as a transaction, but no realisation of any channel found for it.
    count(*) FILTER (WHERE b.tindak_lanjut = 'Transaksi' AND NOT b.is_terealisasi)
        AS jumlah_transaksi_tanpa_realisasi,
    coalesce(any_value(r.jumlah_paket_realisasi), 0) AS jumlah_paket_realisasi,
    coalesce(any_value(r.nilai_realisasi_rp), 0) AS nilai_realisasi_rp,
    any_value(r.kanal_realisasi) AS kanal_realisasi,
    p3dn_pct(coalesce(any_value(r.nilai_realisasi_rp), 0), sum(b.nilai_ketertarikan_rp))
        AS pct_realisasi_terhadap_minat,
    'pembilang: nilai paket terealisasi (marts.p3dn_realisasi_paket: e-katalog, SPSE, e-Order) '
        || 'yang Kode Paket-nya disebut, atau paket Kode RUP yang disebut dengan penyedia usaha '
        || 'yang sama (NIB/NPWP); penyebut: Nilai Ketertarikan (Rp) semua baris batch; sumber: '
        || string_agg(DISTINCT b._source_file, ', ' ORDER BY b._source_file) AS dasar
FROM baris AS b
LEFT JOIN realisasi AS r USING (kd_klpd, batch, kode_skpd_pembeli, sektor)
GROUP BY b.kd_klpd, b.batch, b.kode_skpd_pembeli, b.sektor
ORDER BY b.kd_klpd, b.batch, b.kode_skpd_pembeli, b.sektor;

COMMENT ON TABLE marts.business_matching IS 'Business matching Dinas PPKUKM per batch x SKPD pembeli x sektor: UMKM peserta, pernyataan minat (jumlah, Rp), transaksi yang dilaporkan, dan nilai yang benar-benar terealisasi di e-katalog, SPSE atau e-Order (lewat Kode Paket, atau Kode RUP dengan penyedia yang sama). / Business matching per batch x buying SKPD x sector with the value actually realised.';
COMMENT ON COLUMN marts.business_matching.kd_klpd IS 'Kode pemda (P3DN_KD_KLPD). / Government code.';
COMMENT ON COLUMN marts.business_matching.batch IS 'Nomor batch business matching. / Batch number.';
COMMENT ON COLUMN marts.business_matching.tanggal IS 'Tanggal batch (paling awal di baris-barisnya). / Batch date.';
COMMENT ON COLUMN marts.business_matching.tahun IS 'Tahun batch. / Year.';
COMMENT ON COLUMN marts.business_matching.kode_skpd_pembeli IS 'Kode SKPD pembeli (atau namanya bila kode kosong). / Buying SKPD.';
COMMENT ON COLUMN marts.business_matching.skpd_pembeli IS 'Nama SKPD pembeli. / Buying SKPD name.';
COMMENT ON COLUMN marts.business_matching.sektor IS 'Sektor/KBLI UMKM seperti ditulis. / Sector as written.';
COMMENT ON COLUMN marts.business_matching.jumlah_umkm IS 'UMKM peserta berbeda (NIB, NPWP atau NIK ter-hash). / Distinct businesses.';
COMMENT ON COLUMN marts.business_matching.jumlah_pernyataan_minat IS 'Baris pernyataan minat. / Statements of interest.';
COMMENT ON COLUMN marts.business_matching.nilai_ketertarikan_rp IS 'Nilai Ketertarikan (Rp). / Value of interest stated.';
COMMENT ON COLUMN marts.business_matching.jumlah_transaksi_dilaporkan IS 'Baris dengan Tindak Lanjut = Transaksi. / Reported as a transaction.';
COMMENT ON COLUMN marts.business_matching.nilai_ketertarikan_transaksi_rp IS 'Nilai Ketertarikan baris Transaksi (Rp). / Interest of rows reported as transactions.';
COMMENT ON COLUMN marts.business_matching.jumlah_minat_terealisasi IS 'Baris yang ditemukan realisasinya di kanal mana pun. / Rows whose realisation was found.';
COMMENT ON COLUMN marts.business_matching.jumlah_transaksi_tanpa_realisasi IS 'Transaksi yang dilaporkan tanpa realisasi yang ditemukan. / Reported transactions with no realisation found.';
COMMENT ON COLUMN marts.business_matching.jumlah_paket_realisasi IS 'Paket realisasi yang tertaut (sekali per paket). / Linked realised packages, once each.';
COMMENT ON COLUMN marts.business_matching.nilai_realisasi_rp IS 'Nilai paket realisasi yang tertaut (Rp), sekali per paket. / Realised value, once per package.';
COMMENT ON COLUMN marts.business_matching.kanal_realisasi IS 'Kanal tempat realisasi ditemukan. / Channels of the realisation.';
COMMENT ON COLUMN marts.business_matching.pct_realisasi_terhadap_minat IS 'Nilai realisasi / nilai ketertarikan (%). / Realised over stated interest, percent.';
COMMENT ON COLUMN marts.business_matching.dasar IS 'Pembilang, penyebut dan file sumber angka ini. / Basis of the figure.';
