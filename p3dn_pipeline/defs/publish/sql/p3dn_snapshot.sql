-- History of the headline, one snapshot per publish (grain: snapshot_id x kd_klpd x
-- tahun_anggaran). It lives in the working warehouse and only ever grows: created once,
-- never replaced, so every figure once published can still be told apart from today's.
CREATE TABLE IF NOT EXISTS marts.p3dn_snapshot (
    snapshot_id VARCHAR NOT NULL,
    diambil_pada TIMESTAMP NOT NULL,
    kd_klpd VARCHAR NOT NULL,
    tahun_anggaran INTEGER NOT NULL,
    pct_realisasi_komitmen DECIMAL(38, 2),
    pembilang_realisasi_pdn_rp DECIMAL(38, 2),
    penyebut_komitmen_pdn_rp DECIMAL(38, 2),
    pct_pdn_belanja DECIMAL(38, 2),
    pct_umk_belanja DECIMAL(38, 2),
    tanggal_data DATE
);

-- Until 2026-12 the headline's numerator was e-katalog only; from then on it covers every
-- channel. Snapshots taken before say so, and the two are never read as one series.
ALTER TABLE marts.p3dn_snapshot ADD COLUMN IF NOT EXISTS dasar_pembilang VARCHAR DEFAULT 'e-katalog saja';

INSERT INTO marts.p3dn_snapshot BY NAME
SELECT $snapshot_id AS snapshot_id, $diambil_pada AS diambil_pada, kd_klpd, tahun_anggaran,
       pct_realisasi_komitmen, pembilang_realisasi_pdn_rp, penyebut_komitmen_pdn_rp,
       pct_pdn_belanja, pct_umk_belanja, tanggal_data,
       'semua kanal: ' || kanal_dihitung AS dasar_pembilang
FROM marts.p3dn_provinsi
ORDER BY kd_klpd, tahun_anggaran;

COMMENT ON TABLE marts.p3dn_snapshot IS 'Riwayat angka utama P3DN: satu snapshot per publikasi, disalin dari marts.p3dn_provinsi saat file serving dibuat; tidak pernah ditimpa. / History of the headline P3DN figures: one snapshot per publish, copied from marts.p3dn_provinsi when the serving file is built; never replaced.';
COMMENT ON COLUMN marts.p3dn_snapshot.snapshot_id IS 'Pengenal publikasi (sama untuk semua baris satu publikasi). / Publish id, shared by every row of one publish.';
COMMENT ON COLUMN marts.p3dn_snapshot.diambil_pada IS 'Waktu snapshot diambil, UTC (WIB = UTC+7). / When the snapshot was taken, UTC.';
COMMENT ON COLUMN marts.p3dn_snapshot.kd_klpd IS 'Kode K/L/PD LKPP (pemda). / LKPP government code.';
COMMENT ON COLUMN marts.p3dn_snapshot.tahun_anggaran IS 'Tahun anggaran. / Fiscal year.';
COMMENT ON COLUMN marts.p3dn_snapshot.pct_realisasi_komitmen IS 'Realisasi komitmen P3DN (%) = 100 x pembilang / penyebut saat snapshot; NULL bila komitmen 0 (sumber: marts.p3dn_provinsi). / Headline percent at snapshot time; NULL when there is no commitment.';
COMMENT ON COLUMN marts.p3dn_snapshot.pembilang_realisasi_pdn_rp IS 'Pembilang: realisasi PDN (Rp) pada dasar di kolom dasar_pembilang. / Numerator, rupiah, on the basis named in dasar_pembilang.';
COMMENT ON COLUMN marts.p3dn_snapshot.penyebut_komitmen_pdn_rp IS 'Penyebut: komitmen PDN (Rp), pagu paket SiRUP RUP-PaketPenyedia-Terumumkan berstatus PDN. / Denominator, rupiah.';
COMMENT ON COLUMN marts.p3dn_snapshot.pct_pdn_belanja IS 'Komitmen PDN / belanja pengadaan RUP-StrukturAnggaranPD (%), saat snapshot. / PDN share of procurement spending, percent.';
COMMENT ON COLUMN marts.p3dn_snapshot.pct_umk_belanja IS 'Komitmen UMK / belanja pengadaan RUP-StrukturAnggaranPD (%), saat snapshot. / Micro/small share of procurement spending, percent.';
COMMENT ON COLUMN marts.p3dn_snapshot.tanggal_data IS 'Tanggal data terbaru di sumber saat snapshot (tgl_order e-katalog / _event_date SiRUP). / Latest data date in the sources at snapshot time.';
COMMENT ON COLUMN marts.p3dn_snapshot.dasar_pembilang IS 'Dasar pembilang saat snapshot: "e-katalog saja" (sebelum Desember 2026) atau "semua kanal: ..." dengan kanal yang punya data. / Basis of the numerator at snapshot time.';

-- What changed in the exports since the previous publish, recorded with this publish and
-- never replaced (grain: snapshot_id x file x perubahan): a file deleted from the landing
-- folder, a file replaced by a new version of itself, or an export replaced by a newer pull
-- of the same dataset x kd_klpd x year. Each with the rows that left the figures, so a
-- headline that moved (marts.p3dn_snapshot, previous publish vs this one) is explained
-- where it is shown: p3dn run's summary, p3dn status, the dashboard, the publish metadata.
CREATE TABLE IF NOT EXISTS marts.p3dn_perubahan_ekspor (
    snapshot_id VARCHAR NOT NULL,
    diambil_pada TIMESTAMP NOT NULL,
    file VARCHAR NOT NULL,
    dataset VARCHAR,
    perubahan VARCHAR NOT NULL,
    baris_keluar BIGINT,
    pengganti VARCHAR,
    terjadi_pada TIMESTAMP
);

INSERT INTO marts.p3dn_perubahan_ekspor
WITH sebelumnya AS (
    SELECT max(diambil_pada) AS pada FROM marts.p3dn_snapshot WHERE snapshot_id <> $snapshot_id
),
ledger AS (
    SELECT path, dataset, status, rows_loaded, status_at
    FROM raw.file_ledger, sebelumnya
    WHERE sebelumnya.pada IS NOT NULL AND status_at > sebelumnya.pada
),
sudah_dicatat AS (
    SELECT DISTINCT file, dataset FROM marts.p3dn_perubahan_ekspor
    WHERE perubahan = 'diganti_ekspor_lebih_baru'
)
SELECT $snapshot_id, $diambil_pada, path, dataset, 'dihapus', rows_loaded, NULL, status_at
FROM ledger WHERE status = 'removed'
UNION ALL
SELECT $snapshot_id, $diambil_pada, path, dataset, 'diganti_versi_baru', rows_loaded, path, status_at
FROM ledger WHERE status = 'superseded'
UNION ALL
SELECT $snapshot_id, $diambil_pada, q.file, q.dataset, 'diganti_ekspor_lebih_baru',
       q.jumlah_baris_gagal, q.file_pengganti, NULL
FROM marts.data_quality AS q
ANTI JOIN sudah_dicatat USING (file, dataset)
WHERE q.aturan = 'replaced_by_newer_export'
ORDER BY 4, 3;

COMMENT ON TABLE marts.p3dn_perubahan_ekspor IS 'Perubahan ekspor sejak publikasi sebelumnya, dicatat bersama setiap publikasi: file dihapus, diganti versi baru, atau diganti tarikan yang lebih baru, dengan jumlah baris yang keluar; tidak pernah ditimpa. / Export changes since the previous publish, with the rows that left; never replaced.';
COMMENT ON COLUMN marts.p3dn_perubahan_ekspor.snapshot_id IS 'Publikasi yang mencatat perubahan ini (marts.p3dn_snapshot). / Publish that recorded it.';
COMMENT ON COLUMN marts.p3dn_perubahan_ekspor.diambil_pada IS 'Waktu publikasi, UTC. / Publish time, UTC.';
COMMENT ON COLUMN marts.p3dn_perubahan_ekspor.file IS 'File di folder landing. / Landing file.';
COMMENT ON COLUMN marts.p3dn_perubahan_ekspor.dataset IS 'Dataset file itu. / Its dataset.';
COMMENT ON COLUMN marts.p3dn_perubahan_ekspor.perubahan IS 'dihapus, diganti_versi_baru (isi baru di path yang sama), atau diganti_ekspor_lebih_baru (tarikan lebih baru dari dataset x kd_klpd x tahun yang sama). / removed, new version of the same path, or replaced by a newer pull.';
COMMENT ON COLUMN marts.p3dn_perubahan_ekspor.baris_keluar IS 'Baris file itu yang keluar dari angka. / Rows of that file that left the figures.';
COMMENT ON COLUMN marts.p3dn_perubahan_ekspor.pengganti IS 'File pengganti, bila ada. / The file that replaced it, if any.';
COMMENT ON COLUMN marts.p3dn_perubahan_ekspor.terjadi_pada IS 'Kapan perubahan terlihat oleh pipeline, UTC (NULL untuk tarikan pengganti). / When the pipeline saw the change, UTC.';
