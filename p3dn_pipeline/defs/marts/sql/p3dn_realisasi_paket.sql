-- Every realised procurement package of every channel in one table (grain: kanal x kd_paket):
-- e-katalog orders, finished tenders and non-tenders, recorded purchases (pencatatan), recorded
-- self-managed work (swakelola) and online-shop orders, each with its value and, where LKPP
-- gives it, its domestic-product (PDN) and micro/small-business (UMK) value. The one place
-- every channel's counting rule is written; the channel and headline marts add it up.

-- The result for every year; the asset keeps only the slices of the years it runs for.
CREATE OR REPLACE TEMP TABLE hasil_p3dn_realisasi_paket AS
WITH induk AS (
    -- A sub-unit (Puskesmas, UPT) has no budget of its own in RUP-StrukturAnggaranPD: its
    -- packages count under the SKPD it belongs to, as RUP-MasterSatker lists it.
    SELECT kd_klpd, kd_satker_str, kd_satker_str_induk
    FROM staging.sirup_master_satker
),
satker_sirup AS (
    -- SiRUP's numeric kd_satker -> kd_satker_str, for toko-daring rows that carry only the
    -- number (SPSE's own satker numbers are different and are never joined this way).
    SELECT kd_klpd, kd_satker, any_value(kd_satker_str ORDER BY kd_satker_str) AS kd_satker_str
    FROM (SELECT kd_klpd, kd_satker, kd_satker_str FROM staging.sirup_master_satker
          UNION ALL
          SELECT kd_klpd, kd_satker, kd_satker_str FROM staging.sirup_struktur_anggaran
          UNION ALL
          SELECT kd_klpd, kd_satker, kd_satker_str FROM staging.sirup_paket_penyedia)
    WHERE kd_satker IS NOT NULL AND kd_satker_str IS NOT NULL
    GROUP BY ALL
),
rup AS (
    SELECT kd_klpd, tahun_anggaran, kd_rup, kd_satker_str, is_komitmen
    FROM staging.sirup_paket_penyedia
),
penyedia_per_versi AS (
    SELECT 'v6' AS versi_katalog, kd_penyedia_sikap AS kd, * FROM staging.ekatalog_penyedia
    WHERE kd_penyedia_sikap IS NOT NULL
    UNION ALL
    SELECT 'v5', kd_penyedia, * FROM staging.ekatalog_penyedia WHERE kd_penyedia IS NOT NULL
),
ekatalog AS (
    SELECT 'ekatalog' AS kanal, e.kd_klpd, e.tahun_anggaran,
           e.versi_katalog || ':' || e.kd_paket AS kd_paket, e.kd_rup,
           e.kd_satker_str AS kd_satker_str_pemilik,
           e.nilai_rp,
           -- LKPP gives no PDN value for an order: it is the plan's. An order whose SiRUP
           -- package is a commitment is PDN or not by that package's status_pdn; an order
           -- with no committed package has an unknown PDN value.
           CASE WHEN e.is_rup_komitmen THEN CASE WHEN e.is_pdn THEN e.nilai_rp ELSE 0 END END
               AS nilai_pdn_rp,
           -- UMK from the vendor's side (Ecat-PenyediaDetail penyedia_ukm), not from the
           -- plan's reservation flag; 'Belum Terdefinisi' or an unknown vendor is unknown.
           CASE upper(v.penyedia_ukm) WHEN 'UKM' THEN e.nilai_rp WHEN 'NON UKM' THEN 0 END
               AS nilai_umk_rp,
           e.tgl_order AS tanggal, e.tgl_order AS tanggal_data,
           -- Who sold, as keys another source can match: NIB, hashed NPWP (an NPWP-16 of a
           -- sole proprietor is the owner's NIK, so it matches a roster's hashed NIK).
           list_filter(['nib:' || v.nib, 'npwp:' || v.npwp_16_hash, 'npwp:' || v.npwp_hash],
                       lambda k: k IS NOT NULL) AS kunci_penyedia,
           e._source_file, e._loaded_at
    FROM staging.ekatalog_paket AS e
    -- A v6 order names its vendor by kd_penyedia_sikap, a v5 package by kd_penyedia: one
    -- equi-join on (catalogue version, that code). A join on "this OR that" is a nested loop
    -- over every order x vendor (8 s at scale 1).
    LEFT JOIN penyedia_per_versi AS v
        ON v.versi_katalog = e.versi_katalog
       AND v.kd = CASE e.versi_katalog WHEN 'v6' THEN e.kd_penyedia_sikap
                                       WHEN 'v5' THEN e.kd_penyedia END
    WHERE e.is_transacted
),
tender AS (
    SELECT 'tender' AS kanal, t.kd_klpd, t.tahun_anggaran, CAST(t.kd_tender AS VARCHAR) AS kd_paket,
           t.kd_rup, coalesce(rup.kd_satker_str, t.kd_satker_str) AS kd_satker_str_pemilik,
           t.nilai_kontrak_rp AS nilai_rp,
           -- LKPP's own PDN and UMK value of the contract; NULL (not contracted, or not
           -- reported) stays unknown, never 0 % or 100 %.
           CASE WHEN t.nilai_kontrak_rp IS NOT NULL THEN t.nilai_pdn_kontrak_rp END AS nilai_pdn_rp,
           CASE WHEN t.nilai_kontrak_rp IS NOT NULL THEN t.nilai_umk_kontrak_rp END AS nilai_umk_rp,
           t.tgl_penetapan_pemenang AS tanggal, t.tanggal_data,
           list_filter(['npwp:' || t.npwp_16_penyedia_hash, 'npwp:' || t.npwp_penyedia_hash],
                       lambda k: k IS NOT NULL) AS kunci_penyedia,
           t._source_file, t._loaded_at
    FROM staging.spse_tender_selesai AS t
    LEFT JOIN rup USING (kd_klpd, tahun_anggaran, kd_rup)
),
nontender AS (
    SELECT 'nontender' AS kanal, n.kd_klpd, n.tahun_anggaran, CAST(n.kd_nontender AS VARCHAR),
           n.kd_rup, coalesce(rup.kd_satker_str, n.kd_satker_str),
           n.nilai_kontrak_rp,
           CASE WHEN n.nilai_kontrak_rp IS NOT NULL THEN n.nilai_pdn_kontrak_rp END,
           CASE WHEN n.nilai_kontrak_rp IS NOT NULL THEN n.nilai_umk_kontrak_rp END,
           n.tgl_selesai, n.tanggal_data,
           list_filter(['npwp:' || n.npwp16_penyedia_hash, 'npwp:' || n.npwp_penyedia_hash],
                       lambda k: k IS NOT NULL),
           n._source_file, n._loaded_at
    FROM staging.spse_nontender_selesai AS n
    LEFT JOIN rup USING (kd_klpd, tahun_anggaran, kd_rup)
    -- A selection still running (Berlangsung) has realised nothing yet.
    WHERE n.is_selesai
),
pencatatan AS (
    -- A recorded purchase may name several SiRUP packages (`;`-joined kd_rup); it is one
    -- purchase, counted once, under the SKPD of its packages when they agree, else its own.
    SELECT 'pencatatan_nontender' AS kanal, kd_klpd, tahun_anggaran,
           CAST(kd_nontender_pct AS VARCHAR) AS kd_paket, kd_rup, kd_rup_list, kd_satker_str,
           total_realisasi_rp, nilai_pdn_rp, nilai_umk_rp, tanggal_data, _source_file, _loaded_at
    FROM staging.spse_pencatatan_nontender WHERE NOT is_dibatalkan
    UNION ALL
    SELECT 'pencatatan_swakelola', kd_klpd, tahun_anggaran, CAST(kd_swakelola_pct AS VARCHAR),
           kd_rup, kd_rup_list, kd_satker_str,
           total_realisasi_rp, nilai_pdn_rp, nilai_umk_rp, tanggal_data, _source_file, _loaded_at
    FROM staging.spse_pencatatan_swakelola WHERE NOT is_dibatalkan
),
pencatatan_satker AS (
    SELECT p.kanal, p.kd_paket, min(rup.kd_satker_str) AS kd_satker_str
    FROM pencatatan AS p, unnest(p.kd_rup_list) AS codes(kd_rup)
    JOIN rup ON rup.kd_klpd = p.kd_klpd AND rup.tahun_anggaran = p.tahun_anggaran
            AND rup.kd_rup = codes.kd_rup
    GROUP BY ALL
    HAVING count(DISTINCT rup.kd_satker_str) = 1
),
pencatatan_paket AS (
    SELECT p.kanal, p.kd_klpd, p.tahun_anggaran, p.kd_paket, p.kd_rup,
           coalesce(s.kd_satker_str, p.kd_satker_str),
           p.total_realisasi_rp,
           CASE WHEN p.total_realisasi_rp IS NOT NULL THEN p.nilai_pdn_rp END,
           CASE WHEN p.total_realisasi_rp IS NOT NULL THEN p.nilai_umk_rp END,
           NULL::DATE, p.tanggal_data,
           -- The recorded purchase names no provider the warehouse keeps.
           []::VARCHAR[], p._source_file, p._loaded_at
    FROM pencatatan AS p
    LEFT JOIN pencatatan_satker AS s USING (kanal, kd_paket)
),
tokodaring AS (
    SELECT 'tokodaring' AS kanal, b.kd_klpd, b.tahun_anggaran,
           b.marketplace || ':' || b.order_id, NULL::BIGINT,
           s.kd_satker_str,
           b.valuasi_rp,
           -- Bela reports no PDN or UMK value: both unknown unless a rule says otherwise.
           NULL::DECIMAL(18, 2), NULL::DECIMAL(18, 2),
           b.tanggal_transaksi, b.tanggal_transaksi, []::VARCHAR[], b._source_file, b._loaded_at
    FROM staging.bela_tokodaring AS b
    LEFT JOIN satker_sirup AS s USING (kd_klpd, kd_satker)
    -- Only a verified order whose payment the marketplace confirmed; 'gagal' = failed.
    WHERE b.is_selesai
),
eorder AS (
    -- BPPBJ DKI e-Order: an order to a Jakpreneur UMKM from a SiRUP package, under that
    -- package's SKPD (else the order's own Kode SKPD). It reports no TKDN and no size class:
    -- PDN and UMK values are unknown, as for toko daring.
    SELECT 'eorder' AS kanal, o.kd_klpd, o.tahun_anggaran, o.no_order, o.kode_rup,
           coalesce(rup.kd_satker_str, o.kode_skpd),
           o.nilai_order_rp, NULL::DECIMAL(18, 2), NULL::DECIMAL(18, 2),
           o.tanggal_order, o.tanggal_order,
           -- A Jakpreneur ID names the seller within e-Order when it gives no NIB or NPWP.
           list_filter(['nib:' || o.nib, 'npwp:' || o.npwp_hash,
                        'jakpreneur:' || o.id_jakpreneur], lambda k: k IS NOT NULL),
           o._source_file, o._loaded_at
    FROM staging.eorder_pesanan AS o
    LEFT JOIN rup ON rup.kd_klpd = o.kd_klpd AND rup.tahun_anggaran = o.tahun_anggaran
                 AND rup.kd_rup = o.kode_rup
    WHERE o.is_selesai
),
paket AS (
    SELECT * FROM ekatalog
    UNION ALL SELECT * FROM tender
    UNION ALL SELECT * FROM nontender
    UNION ALL SELECT * FROM pencatatan_paket
    UNION ALL SELECT * FROM tokodaring
    UNION ALL SELECT * FROM eorder
)
SELECT
    paket.kanal,
    paket.kd_klpd,
    paket.tahun_anggaran,
    paket.kd_paket,
    paket.kd_rup,
    -- Rolled up to the SKPD; a package whose unit is unknown still counts, under a placeholder.
    coalesce(induk.kd_satker_str_induk, paket.kd_satker_str_pemilik, '(tidak diketahui)')
        AS kd_satker_str,
    paket.kd_satker_str_pemilik AS kd_satker_str_unit,
    paket.nilai_rp,
    paket.nilai_pdn_rp,
    paket.nilai_umk_rp,
    paket.nilai_rp IS NOT NULL AS ada_nilai,
    -- Swakelola is self-managed work, not a purchase from a provider: reported, never in
    -- the P3DN ratio (DOMAIN.md 2.1).
    paket.kanal <> 'pencatatan_swakelola' AS masuk_rasio_p3dn,
    paket.tanggal,
    paket.tanggal_data,
    paket.kunci_penyedia,
    paket._source_file,
    paket._loaded_at
FROM paket
LEFT JOIN induk
    ON induk.kd_klpd = paket.kd_klpd AND induk.kd_satker_str = paket.kd_satker_str_pemilik
ORDER BY paket.kanal, paket.kd_klpd, paket.tahun_anggaran, paket.kd_paket;

COMMENT ON TABLE marts.p3dn_realisasi_paket IS 'Setiap paket yang terealisasi di setiap kanal (e-katalog, tender, non-tender, pencatatan, swakelola, toko daring) dengan nilai, nilai PDN dan nilai UMK. / Every realised package of every channel with its value, PDN value and UMK value.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.kanal IS 'Kanal: ekatalog, tender, nontender, pencatatan_nontender, pencatatan_swakelola, tokodaring, eorder. / Channel.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.kd_klpd IS 'Kode K/L/PD LKPP dari baris itu sendiri. / LKPP government code of the row itself.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.kd_paket IS 'Kode paket di kanalnya: v6:/v5:kd_paket, kd_tender, kd_nontender, kd_nontender_pct, kd_swakelola_pct, marketplace:order_id. / Package id within its channel.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.kd_rup IS 'Kode RUP SiRUP bila satu; NULL bila tidak ada atau lebih dari satu. / SiRUP package code when there is exactly one.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.kd_satker_str IS 'SKPD pemilik realisasi (SKPD paket SiRUP-nya, sub-unit digulung ke SKPD induk lewat RUP-MasterSatker). / Owning SKPD, sub-units rolled up.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.kd_satker_str_unit IS 'Unit asal sebelum digulung ke SKPD induk. / Unit before the roll-up.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.nilai_rp IS 'Nilai realisasi (Rp): total_harga e-katalog, nilai_kontrak tender/non-tender, total_realisasi pencatatan, valuasi toko daring; NULL bila belum berkontrak. / Realised value; NULL when not contracted.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.nilai_pdn_rp IS 'Nilai PDN (Rp): nilai_pdn_kontrak / nilai_pdn_pct LKPP; e-katalog: nilai paket bila paket SiRUP-nya komitmen PDN; NULL = tidak diketahui. / PDN value; NULL = unknown.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.nilai_umk_rp IS 'Nilai UMK (Rp) dari sisi penyedia: nilai_umk_kontrak / nilai_umk_pct LKPP; e-katalog: penyedia_ukm PenyediaDetail; NULL = tidak diketahui. / Micro/small-business value from the vendor side; NULL = unknown.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.ada_nilai IS 'FALSE bila belum ada nilai kontrak (dihitung di jumlah_paket_tanpa_nilai). / FALSE when there is no contract value yet.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.masuk_rasio_p3dn IS 'FALSE untuk swakelola: dilaporkan, tidak masuk rasio P3DN. / FALSE for swakelola: reported, not in the P3DN ratio.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.tanggal IS 'Tanggal transaksi/penetapan bila ekspor memberikannya. / Transaction or award date where given.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.tanggal_data IS 'Tanggal data ekspor (_event_date, tgl_penarikan) atau tanggal transaksi. / Export data date or transaction date.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket.kunci_penyedia IS 'Kunci penyedia untuk mencocokkan usaha antar-sumber: nib:<NIB>, npwp:<HMAC NPWP> (NPWP-16 perorangan = NIK pemilik), jakpreneur:<ID> (e-Order); kosong bila ekspor tidak memberikannya. / Seller keys for matching businesses across sources.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket._source_file IS 'File ekspor asal baris (relatif terhadap folder landing). / Export file the row came from.';
COMMENT ON COLUMN marts.p3dn_realisasi_paket._loaded_at IS 'Waktu file itu dimuat, UTC. / When that file was loaded, UTC.';
