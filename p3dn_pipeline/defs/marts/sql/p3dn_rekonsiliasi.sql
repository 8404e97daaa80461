-- Why two "P3DN realisation" figures differ: for each pemda and year, the figure under every
-- basis the pipeline can compute, side by side, each with its numerator and denominator and
-- their sources (grain: kd_klpd x tahun_anggaran x dasar). A user can show that an
-- e-katalog-only ratio, the all-channel ratio and a plan-versus-budget share are three
-- different quantities, all called "realisasi P3DN" in public.

-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_p3dn_rekonsiliasi AS
WITH p AS (SELECT * FROM marts.p3dn_provinsi),
dasar AS (
    SELECT kd_klpd, tahun_anggaran, 1 AS urutan, 'semua_kanal_per_komitmen' AS dasar,
           'realisasi PDN semua kanal (kecuali swakelola)' AS pembilang, pembilang_realisasi_pdn_rp AS pembilang_rp,
           'komitmen PDN SiRUP' AS penyebut, penyebut_komitmen_pdn_rp AS penyebut_rp,
           'Angka utama (marts.p3dn_provinsi.pct_realisasi_komitmen); dasar yang sama dengan angka publikasi DKI "realisasi ... persen dari komitmen belanja PDN"' AS catatan,
           tanggal_data
    FROM p
    UNION ALL
    SELECT kd_klpd, tahun_anggaran, 2, 'ekatalog_per_komitmen',
           'realisasi PDN e-katalog saja', realisasi_pdn_ekatalog_rp,
           'komitmen PDN SiRUP', penyebut_komitmen_pdn_rp,
           'Pembilang satu kanal, penyebut semua metode: selalu lebih rendah dari angka utama',
           tanggal_data
    FROM p
    UNION ALL
    SELECT kd_klpd, tahun_anggaran, 3, 'pdn_per_realisasi',
           'realisasi PDN semua kanal', pembilang_realisasi_pdn_rp,
           'realisasi semua kanal yang nilai PDN-nya diketahui', realisasi_rp - realisasi_pdn_tidak_diketahui_rp,
           'Porsi PDN dari belanja yang sudah terealisasi (target 95 %, SE Kepala LKPP 8/2023); bisa tinggi walau realisasi komitmen rendah',
           tanggal_data
    FROM p
    UNION ALL
    SELECT kd_klpd, tahun_anggaran, 4, 'komitmen_per_belanja_pengadaan',
           'komitmen PDN SiRUP', penyebut_komitmen_pdn_rp,
           'belanja pengadaan RUP-StrukturAnggaranPD', belanja_pengadaan_rp,
           'Sisi rencana: berapa dari belanja pengadaan yang dijanjikan untuk PDN; tidak mengukur realisasi',
           tanggal_data
    FROM p
    UNION ALL
    SELECT kd_klpd, tahun_anggaran, 5, 'semua_kanal_per_belanja_pengadaan',
           'realisasi PDN semua kanal', pembilang_realisasi_pdn_rp,
           'belanja pengadaan RUP-StrukturAnggaranPD', belanja_pengadaan_rp,
           'Realisasi terhadap seluruh anggaran pengadaan, bukan terhadap komitmen',
           tanggal_data
    FROM p
)
SELECT
    kd_klpd, tahun_anggaran, urutan, dasar,
    p3dn_pct(pembilang_rp, penyebut_rp) AS pct,
    pembilang, pembilang_rp, penyebut, penyebut_rp, catatan, tanggal_data,
    coalesce(replace(CAST(p3dn_pct(pembilang_rp, penyebut_rp) AS VARCHAR), '.', ','), 'tidak terukur')
        || ' % = ' || pembilang || ' Rp' || replace(format('{:,.0f}', pembilang_rp), ',', '.')
        || ' / ' || penyebut || ' Rp' || replace(format('{:,.0f}', penyebut_rp), ',', '.')
        || ' (' || kd_klpd || ' TA ' || tahun_anggaran || ')' AS keterangan
FROM dasar
ORDER BY kd_klpd, tahun_anggaran, urutan;

COMMENT ON TABLE marts.p3dn_rekonsiliasi IS 'Angka "realisasi P3DN" pada setiap dasar perhitungan, berdampingan dengan pembilang dan penyebutnya, untuk menjelaskan mengapa dua angka berbeda. / The P3DN figure under every basis, side by side with numerator and denominator.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.kd_klpd IS 'Kode K/L/PD LKPP. / LKPP government code.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.urutan IS 'Urutan tampilan (1 = angka utama). / Display order (1 = headline).';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.dasar IS 'Nama dasar perhitungan. / Basis name.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.pct IS 'Persen = 100 x pembilang_rp / penyebut_rp; NULL bila penyebut 0. / Percent.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.pembilang IS 'Apa yang dihitung di pembilang. / What the numerator is.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.pembilang_rp IS 'Pembilang (Rp). / Numerator, rupiah.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.penyebut IS 'Apa yang dihitung di penyebut. / What the denominator is.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.penyebut_rp IS 'Penyebut (Rp). / Denominator, rupiah.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.catatan IS 'Cara membaca angka ini. / How to read this figure.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.tanggal_data IS 'Tanggal data terbaru sumber. / Latest data date.';
COMMENT ON COLUMN marts.p3dn_rekonsiliasi.keterangan IS 'Kalimat siap kutip. / Quotable sentence.';
