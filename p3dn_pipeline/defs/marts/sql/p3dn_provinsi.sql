-- The headline 'realisasi komitmen P3DN' per pemda and year as quoted to the press:
-- realised PDN over every channel (e-katalog, tender, non-tender, pencatatan non-tender,
-- toko daring; swakelola aside) over the SiRUP PDN commitment, with each channel's part, the
-- e-katalog-only ratio as a named secondary figure, the PDN and UMK shares of realised
-- procurement, the targets with their basis, sources, data date and load time. Grain:
-- kd_klpd x tahun_anggaran.

-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_p3dn_provinsi AS
WITH total AS (
    SELECT kd_klpd, tahun_anggaran,
           sum(realisasi_pdn_rp) AS realisasi_pdn_rp,
           sum(realisasi_rp) AS realisasi_rp,
           sum(realisasi_umk_rp) AS realisasi_umk_rp,
           sum(realisasi_pdn_tidak_diketahui_rp) AS realisasi_pdn_tidak_diketahui_rp,
           sum(realisasi_umk_tidak_diketahui_rp) AS realisasi_umk_tidak_diketahui_rp,
           sum(realisasi_pdn_ekatalog_rp) AS realisasi_pdn_ekatalog_rp,
           sum(realisasi_swakelola_rp) AS realisasi_swakelola_rp,
           sum(komitmen_pdn_rp) AS komitmen_pdn_rp,
           sum(komitmen_umk_rp) AS komitmen_umk_rp,
           sum(belanja_pengadaan_rp) AS belanja_pengadaan_rp,
           sum(realisasi_ekatalog_rp) AS realisasi_ekatalog_rp,
           count(*) AS jumlah_skpd,
           any_value(target_pct_realisasi_komitmen) AS target_pct_realisasi_komitmen,
           any_value(target_pct_pdn_belanja) AS target_pct_pdn_belanja,
           any_value(target_pct_umk_belanja) AS target_pct_umk_belanja,
           any_value(target_pct_pdn_realisasi) AS target_pct_pdn_realisasi,
           any_value(target_pct_umk_realisasi) AS target_pct_umk_realisasi
    FROM marts.p3dn_per_skpd
    GROUP BY ALL
),
kanal AS (
    -- Each channel's PDN part of the numerator, and which channels had data at all.
    SELECT kd_klpd, tahun_anggaran,
           coalesce(sum(realisasi_pdn_rp) FILTER (WHERE kanal = 'tender'), 0) AS realisasi_pdn_tender_rp,
           coalesce(sum(realisasi_pdn_rp) FILTER (WHERE kanal = 'nontender'), 0) AS realisasi_pdn_nontender_rp,
           coalesce(sum(realisasi_pdn_rp) FILTER (WHERE kanal = 'pencatatan_nontender'), 0) AS realisasi_pdn_pencatatan_rp,
           coalesce(sum(realisasi_rp) FILTER (WHERE kanal = 'tokodaring'), 0) AS realisasi_tokodaring_rp,
           string_agg(kanal, ', ' ORDER BY kanal) FILTER (WHERE masuk_rasio_p3dn) AS kanal_dihitung,
           sum(jumlah_paket_tanpa_nilai) FILTER (WHERE masuk_rasio_p3dn) AS jumlah_paket_tanpa_nilai
    FROM marts.p3dn_realisasi_kanal
    GROUP BY ALL
),
target AS (
    SELECT max(dasar) FILTER (WHERE kpi = 'pct_realisasi_komitmen') AS dasar_target_realisasi_komitmen
    FROM reference.target_kpi
),
sumber AS (
    -- Which export files feed each pemda-year, and how fresh the data inside them is. The
    -- data date is a date a figure can honestly be "as of": one inside the fiscal year's
    -- window (p3dn_dalam_tahun_anggaran: 1 October before to 31 March after by default)
    -- and not after its file was loaded (WIB), so never after the run. Staging quarantines
    -- an order dated 2099-01-01 (date_outside_fiscal_year); dates that still reach this
    -- point (SiRUP's and SPSE's own event dates) are held to the same window here.
    SELECT kd_klpd, tahun_anggaran,
           count(DISTINCT _source_file) AS jumlah_file_sumber,
           max(tanggal_data) FILTER (
               WHERE p3dn_dalam_tahun_anggaran(tanggal_data, tahun_anggaran)
                 AND tanggal_data <= p3dn_hari_dimuat(_loaded_at))
               AS tanggal_data,
           max(_loaded_at) AS dimuat_pada
    FROM (
        SELECT kd_klpd, tahun_anggaran, _source_file, tanggal_data, _loaded_at
        FROM marts.p3dn_realisasi_paket WHERE masuk_rasio_p3dn
        UNION ALL
        SELECT kd_klpd, tahun_anggaran, _source_file, tanggal_data, _loaded_at
        FROM staging.sirup_paket_penyedia WHERE is_komitmen
        UNION ALL
        SELECT kd_klpd, tahun_anggaran, _source_file, NULL, _loaded_at
        FROM staging.sirup_struktur_anggaran
    )
    GROUP BY ALL
),
angka AS (
    SELECT total.*,
           coalesce(kanal.realisasi_pdn_tender_rp, 0) AS realisasi_pdn_tender_rp,
           coalesce(kanal.realisasi_pdn_nontender_rp, 0) AS realisasi_pdn_nontender_rp,
           coalesce(kanal.realisasi_pdn_pencatatan_rp, 0) AS realisasi_pdn_pencatatan_rp,
           coalesce(kanal.realisasi_tokodaring_rp, 0) AS realisasi_tokodaring_rp,
           coalesce(kanal.kanal_dihitung, '') AS kanal_dihitung,
           coalesce(kanal.jumlah_paket_tanpa_nilai, 0) AS jumlah_paket_tanpa_nilai,
           p3dn_pct(total.realisasi_pdn_rp, total.komitmen_pdn_rp) AS pct
    FROM total LEFT JOIN kanal USING (kd_klpd, tahun_anggaran)
)
SELECT
    angka.kd_klpd,
    angka.tahun_anggaran,
    angka.pct AS pct_realisasi_komitmen,
    realisasi_pdn_rp AS pembilang_realisasi_pdn_rp,
    komitmen_pdn_rp AS penyebut_komitmen_pdn_rp,
    target_pct_realisasi_komitmen,
    target.dasar_target_realisasi_komitmen,
    angka.pct >= target_pct_realisasi_komitmen AS memenuhi_target_realisasi_komitmen,
    realisasi_pdn_ekatalog_rp,
    realisasi_pdn_tender_rp,
    realisasi_pdn_nontender_rp,
    realisasi_pdn_pencatatan_rp,
    realisasi_tokodaring_rp,
    kanal_dihitung,
    p3dn_pct(realisasi_pdn_ekatalog_rp, komitmen_pdn_rp) AS pct_realisasi_komitmen_ekatalog,
    realisasi_rp,
    realisasi_pdn_tidak_diketahui_rp,
    realisasi_umk_rp,
    realisasi_umk_tidak_diketahui_rp,
    jumlah_paket_tanpa_nilai,
    p3dn_pct(realisasi_pdn_rp, realisasi_rp - realisasi_pdn_tidak_diketahui_rp) AS pct_pdn_realisasi,
    p3dn_pct(realisasi_umk_rp, realisasi_rp - realisasi_umk_tidak_diketahui_rp) AS pct_umk_realisasi,
    target_pct_pdn_realisasi,
    target_pct_umk_realisasi,
    realisasi_swakelola_rp,
    p3dn_pct(komitmen_pdn_rp, belanja_pengadaan_rp) AS pct_pdn_belanja,
    p3dn_pct(komitmen_umk_rp, belanja_pengadaan_rp) AS pct_umk_belanja,
    komitmen_umk_rp,
    belanja_pengadaan_rp,
    target_pct_pdn_belanja,
    target_pct_umk_belanja,
    realisasi_ekatalog_rp,
    jumlah_skpd,
    'realisasi PDN: ' || coalesce(nullif(kanal_dihitung, ''), 'tidak ada kanal')
        || ' (LKPP e-Katalog v5+v6, SPSE-TenderSelesaiNilai, SPSE-NonTenderSelesai, '
        || 'SPSE-PencatatanNonTender, Bela-TokoDaringRealisasi; swakelola tidak dihitung); '
        || 'komitmen: SiRUP RUP-PaketPenyedia-Terumumkan (pagu, status_pdn, status_ukm); '
        || 'belanja pengadaan: RUP-StrukturAnggaranPD' AS sumber,
    sumber.jumlah_file_sumber,
    sumber.tanggal_data,
    sumber.dimuat_pada,
    'Realisasi komitmen P3DN ' || coalesce(replace(CAST(angka.pct AS VARCHAR), '.', ','), 'tidak terukur')
        || ' % = realisasi PDN semua kanal (' || coalesce(nullif(kanal_dihitung, ''), 'tidak ada kanal')
        || '; swakelola tidak dihitung) Rp' || replace(format('{:,.0f}', realisasi_pdn_rp), ',', '.')
        || ' / komitmen PDN SiRUP Rp' || replace(format('{:,.0f}', komitmen_pdn_rp), ',', '.')
        || ' (' || angka.kd_klpd || ' TA ' || angka.tahun_anggaran
        || ', data s.d. ' || coalesce(strftime(sumber.tanggal_data, '%d-%m-%Y'), '?')
        || '); e-katalog saja: '
        || coalesce(replace(CAST(p3dn_pct(realisasi_pdn_ekatalog_rp, komitmen_pdn_rp) AS VARCHAR), '.', ','), 'tidak terukur')
        || ' %' AS keterangan
FROM angka
CROSS JOIN target
LEFT JOIN sumber USING (kd_klpd, tahun_anggaran)
ORDER BY kd_klpd, tahun_anggaran;

COMMENT ON TABLE marts.p3dn_provinsi IS 'Angka utama realisasi komitmen P3DN per pemda per tahun (realisasi PDN semua kanal / komitmen PDN SiRUP), dengan bagian tiap kanal, angka e-katalog saja, pembilang, penyebut, target dan dasarnya, sumber dan tanggal data. / Headline P3DN commitment realisation (every channel) per government and year, with its basis.';
COMMENT ON COLUMN marts.p3dn_provinsi.kd_klpd IS 'Kode K/L/PD LKPP. / LKPP government code.';
COMMENT ON COLUMN marts.p3dn_provinsi.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_realisasi_komitmen IS 'Realisasi komitmen P3DN (%) = 100 x pembilang / penyebut, semua kanal kecuali swakelola. / Headline percent over every channel.';
COMMENT ON COLUMN marts.p3dn_provinsi.pembilang_realisasi_pdn_rp IS 'Pembilang: realisasi PDN e-katalog + tender + non-tender + pencatatan non-tender + toko daring (Rp). / Numerator, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.penyebut_komitmen_pdn_rp IS 'Penyebut: komitmen PDN SiRUP (Rp). / Denominator, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.target_pct_realisasi_komitmen IS 'Target persen realisasi komitmen. / Target, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.dasar_target_realisasi_komitmen IS 'Dasar dan sumber target (reference.target_kpi). / Basis and source of the target.';
COMMENT ON COLUMN marts.p3dn_provinsi.memenuhi_target_realisasi_komitmen IS 'TRUE bila pct_realisasi_komitmen >= target; NULL bila tidak terukur. / Target met.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_pdn_ekatalog_rp IS 'Bagian e-katalog dari pembilang (Rp). / E-katalog part of the numerator.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_pdn_tender_rp IS 'Bagian tender dari pembilang (Rp). / Tender part of the numerator.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_pdn_nontender_rp IS 'Bagian non-tender dari pembilang (Rp). / Non-tender part of the numerator.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_pdn_pencatatan_rp IS 'Bagian pencatatan non-tender dari pembilang (Rp). / Recorded-purchase part of the numerator.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_tokodaring_rp IS 'Realisasi toko daring (Rp); nilai PDN-nya tidak diketahui, jadi bagiannya di pembilang 0. / Online-shop realisation; its PDN value is unknown.';
COMMENT ON COLUMN marts.p3dn_provinsi.kanal_dihitung IS 'Kanal yang punya data dan masuk pembilang. / Channels with data in the numerator.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_realisasi_komitmen_ekatalog IS 'Angka sekunder, e-katalog saja: 100 x realisasi_pdn_ekatalog_rp / komitmen PDN. / Secondary figure, e-katalog only.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_rp IS 'Realisasi pengadaan semua kanal kecuali swakelola (Rp). / Realised procurement, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_pdn_tidak_diketahui_rp IS 'Realisasi yang nilai PDN-nya tidak diketahui (Rp). / Realised value with unknown PDN value.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_umk_rp IS 'Realisasi UMK dari sisi penyedia (Rp). / Realised value with micro/small vendors.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_umk_tidak_diketahui_rp IS 'Realisasi yang nilai UMK-nya tidak diketahui (Rp). / Realised value with unknown UMK value.';
COMMENT ON COLUMN marts.p3dn_provinsi.jumlah_paket_tanpa_nilai IS 'Paket tender/non-tender/pencatatan tanpa nilai kontrak (tidak masuk jumlah). / Packages without a contract value.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_pdn_realisasi IS 'Persen PDN dari realisasi = 100 x realisasi PDN / (realisasi - yang tidak diketahui). / PDN share of realised procurement.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_umk_realisasi IS 'Persen UMK dari realisasi = 100 x realisasi UMK / (realisasi - yang tidak diketahui). / UMK share of realised procurement.';
COMMENT ON COLUMN marts.p3dn_provinsi.target_pct_pdn_realisasi IS 'Target persen PDN dari realisasi. / Target, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.target_pct_umk_realisasi IS 'Target persen UMK dari realisasi. / Target, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_swakelola_rp IS 'Realisasi pencatatan swakelola (Rp), di luar rasio. / Recorded self-managed work, outside the ratio.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_pdn_belanja IS 'Komitmen PDN / belanja pengadaan (%). / PDN commitment share of procurement, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.pct_umk_belanja IS 'Komitmen UMK / belanja pengadaan (%). / Micro/small commitment share of procurement, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.komitmen_umk_rp IS 'Komitmen UMK SiRUP (Rp). / UMK commitment, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.belanja_pengadaan_rp IS 'Belanja pengadaan, RUP-StrukturAnggaranPD (Rp). / Procurement base, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.target_pct_pdn_belanja IS 'Target persen PDN terhadap belanja pengadaan. / Target, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.target_pct_umk_belanja IS 'Target persen UMK terhadap belanja pengadaan. / Target, percent.';
COMMENT ON COLUMN marts.p3dn_provinsi.realisasi_ekatalog_rp IS 'Seluruh nilai e-katalog bertransaksi (Rp). / All transacted e-katalog value, rupiah.';
COMMENT ON COLUMN marts.p3dn_provinsi.jumlah_skpd IS 'Jumlah SKPD dalam perhitungan. / Number of SKPD counted.';
COMMENT ON COLUMN marts.p3dn_provinsi.sumber IS 'Sumber data pembilang dan penyebut. / Sources of numerator and denominator.';
COMMENT ON COLUMN marts.p3dn_provinsi.jumlah_file_sumber IS 'Jumlah file ekspor yang dipakai. / Number of export files used.';
COMMENT ON COLUMN marts.p3dn_provinsi.tanggal_data IS 'Tanggal data terbaru di sumber, hanya tanggal dalam toleransi tahun anggaran (1 Okt sebelumnya s.d. 31 Mar sesudahnya) dan tidak sesudah file dimuat. / Latest data date in the sources, within the fiscal year tolerance and never after the file was loaded.';
COMMENT ON COLUMN marts.p3dn_provinsi.dimuat_pada IS 'Waktu file sumber terbaru dimuat ke gudang data. / When the newest source file was loaded.';
COMMENT ON COLUMN marts.p3dn_provinsi.keterangan IS 'Kalimat siap kutip berisi angka, dasarnya, kanalnya dan angka e-katalog saja. / Quotable sentence with the figure, its basis and channels.';
