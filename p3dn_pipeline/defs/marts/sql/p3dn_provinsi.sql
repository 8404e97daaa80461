-- The headline 'realisasi komitmen P3DN' per pemda and year as quoted to the press, with
-- numerator, denominator, sources, data date and load time beside it. Grain: kd_klpd x
-- tahun_anggaran.

-- The headline "realisasi komitmen P3DN" per pemda and fiscal year, with its basis beside it
-- (grain: kd_klpd x tahun_anggaran): numerator, denominator, sources, data date, load time.
-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_p3dn_provinsi AS
WITH total AS (
    SELECT kd_klpd, tahun_anggaran,
           sum(realisasi_pdn_rp) AS realisasi_pdn_rp,
           sum(komitmen_pdn_rp) AS komitmen_pdn_rp,
           sum(komitmen_umk_rp) AS komitmen_umk_rp,
           sum(belanja_pengadaan_rp) AS belanja_pengadaan_rp,
           sum(realisasi_ekatalog_rp) AS realisasi_ekatalog_rp,
           count(*) AS jumlah_skpd,
           any_value(target_pct_realisasi_komitmen) AS target_pct_realisasi_komitmen,
           any_value(target_pct_pdn_belanja) AS target_pct_pdn_belanja,
           any_value(target_pct_umk_belanja) AS target_pct_umk_belanja
    FROM marts.p3dn_per_skpd
    GROUP BY ALL
),
sumber AS (
    -- Which export files feed each pemda-year, and how fresh the data inside them is. The
    -- data date is a date a figure can honestly be "as of": one inside the fiscal year's
    -- tolerance (1 October before to 31 March after) and not after its file was loaded
    -- (WIB). A mistyped 2099-01-01 is left out of it (and flagged by its WARN rule), so the
    -- quoted "data s.d." is never in the future.
    SELECT kd_klpd, tahun_anggaran,
           count(DISTINCT _source_file) AS jumlah_file_sumber,
           max(tanggal_data) FILTER (
               WHERE tanggal_data BETWEEN make_date(tahun_anggaran - 1, 10, 1)
                                      AND make_date(tahun_anggaran + 1, 3, 31)
                 AND tanggal_data <= CAST(_loaded_at + INTERVAL 7 HOUR AS DATE))
               AS tanggal_data,
           max(_loaded_at) AS dimuat_pada
    FROM (
        SELECT kd_klpd, tahun_anggaran, _source_file, tgl_order AS tanggal_data, _loaded_at
        FROM staging.ekatalog_paket WHERE is_transacted
        UNION ALL
        SELECT kd_klpd, tahun_anggaran, _source_file, tanggal_data, _loaded_at
        FROM staging.sirup_paket_penyedia WHERE is_komitmen
        UNION ALL
        SELECT kd_klpd, tahun_anggaran, _source_file, NULL, _loaded_at
        FROM staging.sirup_struktur_anggaran
    )
    GROUP BY ALL
)
SELECT
    total.kd_klpd,
    total.tahun_anggaran,
    p3dn_pct(realisasi_pdn_rp, komitmen_pdn_rp) AS pct_realisasi_komitmen,
    realisasi_pdn_rp AS pembilang_realisasi_pdn_rp,
    komitmen_pdn_rp AS penyebut_komitmen_pdn_rp,
    target_pct_realisasi_komitmen,
    p3dn_pct(komitmen_pdn_rp, belanja_pengadaan_rp) AS pct_pdn_belanja,
    p3dn_pct(komitmen_umk_rp, belanja_pengadaan_rp) AS pct_umk_belanja,
    komitmen_umk_rp,
    belanja_pengadaan_rp,
    target_pct_pdn_belanja,
    target_pct_umk_belanja,
    realisasi_ekatalog_rp,
    jumlah_skpd,
    'realisasi: LKPP e-Katalog v5+v6 bertransaksi, ditautkan ke SiRUP lewat kd_rup; '
        || 'komitmen: SiRUP RUP-PaketPenyedia-Terumumkan (pagu, status_pdn, status_ukm); '
        || 'belanja pengadaan: RUP-StrukturAnggaranPD' AS sumber,
    sumber.jumlah_file_sumber,
    sumber.tanggal_data,
    sumber.dimuat_pada,
    'Realisasi komitmen P3DN ' || coalesce(replace(CAST(p3dn_pct(realisasi_pdn_rp, komitmen_pdn_rp) AS VARCHAR), '.', ','), 'tidak terukur')
        || ' % = realisasi PDN Rp' || replace(format('{:,.0f}', realisasi_pdn_rp), ',', '.')
        || ' / komitmen PDN Rp' || replace(format('{:,.0f}', komitmen_pdn_rp), ',', '.')
        || ' (' || total.kd_klpd || ' TA ' || total.tahun_anggaran
        || ', data s.d. ' || coalesce(strftime(sumber.tanggal_data, '%d-%m-%Y'), '?') || ')'
        AS keterangan
FROM total
LEFT JOIN sumber USING (kd_klpd, tahun_anggaran)
ORDER BY kd_klpd, tahun_anggaran;

COMMENT ON TABLE marts.p3dn_provinsi IS 'Angka utama realisasi komitmen P3DN per pemda per tahun, dengan pembilang, penyebut, sumber dan tanggal data. / Headline P3DN commitment realisation per government and year, with its basis.';
COMMENT ON COLUMN marts.p3dn_provinsi.kd_klpd IS 'Kode K/L/PD LKPP. / LKPP government code.';
COMMENT ON COLUMN marts.p3dn_provinsi.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_realisasi_komitmen IS 'Realisasi komitmen P3DN (%) = 100 x pembilang / penyebut. / Headline percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.pembilang_realisasi_pdn_rp IS 'Pembilang: realisasi PDN e-katalog (Rp). / Numerator, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.penyebut_komitmen_pdn_rp IS 'Penyebut: komitmen PDN SiRUP (Rp). / Denominator, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.target_pct_realisasi_komitmen IS 'Target persen realisasi komitmen. / Target, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_pdn_belanja IS 'Komitmen PDN / belanja pengadaan (%). / PDN share of procurement, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_umk_belanja IS 'Komitmen UMK / belanja pengadaan (%). / Micro/small share of procurement, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.komitmen_umk_rp IS 'Komitmen UMK SiRUP (Rp). / UMK commitment, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.belanja_pengadaan_rp IS 'Belanja pengadaan, RUP-StrukturAnggaranPD (Rp). / Procurement base, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.target_pct_pdn_belanja IS 'Target persen PDN terhadap belanja pengadaan. / Target, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.target_pct_umk_belanja IS 'Target persen UMK terhadap belanja pengadaan. / Target, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_ekatalog_rp IS 'Seluruh nilai e-katalog bertransaksi (Rp). / All transacted e-katalog value, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.jumlah_skpd IS 'Jumlah SKPD dalam perhitungan. / Number of SKPD counted.';
COMMENT ON COLUMN marts.p3dn_provinsi.sumber IS 'Sumber data pembilang dan penyebut. / Sources of numerator and denominator.';
COMMENT ON COLUMN marts.p3dn_provinsi.jumlah_file_sumber IS 'Jumlah file ekspor yang dipakai. / Number of export files used.';
COMMENT ON COLUMN marts.p3dn_provinsi.tanggal_data IS 'Tanggal data terbaru di sumber (tgl_order e-katalog / _event_date SiRUP), hanya tanggal dalam toleransi tahun anggaran (1 Okt sebelumnya s.d. 31 Mar sesudahnya) dan tidak sesudah file dimuat. / Latest data date in the sources, within the fiscal year tolerance and never after the file was loaded.';
COMMENT ON COLUMN marts.p3dn_provinsi.dimuat_pada IS 'Waktu file sumber terbaru dimuat ke gudang data. / When the newest source file was loaded.';
COMMENT ON COLUMN marts.p3dn_provinsi.keterangan IS 'Kalimat siap kutip berisi angka dan dasarnya. / Quotable sentence with the figure and its basis.';
