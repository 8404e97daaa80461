-- Data quality per source x file x rule, for BI and for the people on call (grain: one row
-- per finding: a rejected file, a quarantine rule broken in a file, or a table check).
CREATE OR REPLACE TABLE marts.data_quality AS
-- quarantine_findings is every dataset's quarantine table in one view, made by the asset
-- from the source folders (dataset, _source_file, rule, column_name, baris).
WITH loaded AS (
    SELECT path, dataset, rows_loaded FROM raw.file_ledger WHERE status = 'loaded'
),
findings AS (
    SELECT q.dataset, q._source_file AS file, 'baris_dikarantina' AS jenis,
           q.rule AS aturan, q.column_name AS kolom, 'QUARANTINE' AS severity,
           any_value(loaded.rows_loaded) AS jumlah_baris_diperiksa,
           count(DISTINCT q.baris) AS jumlah_baris_gagal,
           false AS lulus,
           coalesce('diganti oleh ' || any_value(q.pengganti) || '; ', '')
           || 'baris: ' || array_to_string(
               list_slice(list_sort(list_distinct(list(q.baris))), 1, 10), ', ')
               || CASE WHEN count(DISTINCT q.baris) > 10 THEN ', ...' ELSE '' END
               AS keterangan,
           any_value(q.pengganti) AS file_pengganti
    FROM quarantine_findings AS q
    LEFT JOIN loaded ON loaded.path = q._source_file AND loaded.dataset = q.dataset
    GROUP BY q.dataset, q._source_file, q.rule, q.column_name
    UNION ALL
    SELECT dataset, path, 'file_ditolak', 'file_dapat_dibaca', NULL, 'ERROR', NULL, NULL, false,
           reason, NULL
    FROM raw.file_ledger
    WHERE status = 'rejected'
    UNION ALL
    -- A new version that lost most of its rows waits for a person (p3dn accept); the
    -- previous version's rows stay meanwhile.
    SELECT dataset, path, 'file_ditahan', 'versi_baru_tidak_menyusut', NULL, 'ERROR', NULL,
           NULL, false, reason, NULL
    FROM raw.file_ledger
    WHERE status = 'held'
    UNION ALL
    SELECT replace(table_name, 'staging.', ''), NULL, 'pemeriksaan_tabel', check_name, NULL,
           severity, element_count, unexpected_count, passed,
           -- A failing check names its first rows (file, row, the values it read).
           description || CASE WHEN NOT passed AND samples IS NOT NULL
                               THEN ' Contoh: ' || samples ELSE '' END,
           NULL
    FROM quality.check_results
    -- The staging tables' checks; a mart's plausibility checks (WARN) are shown on the mart.
    WHERE table_name LIKE 'staging.%'
)
SELECT coalesce(d.source, 'tidak_dikenal') AS sumber, findings.*
FROM findings
LEFT JOIN reference.datasets AS d ON d.dataset = findings.dataset
ORDER BY lulus, severity, sumber, dataset, file NULLS FIRST, aturan;

COMMENT ON TABLE marts.data_quality IS 'Temuan mutu data per sumber, file dan aturan: file ditolak, baris dikarantina, hasil pemeriksaan tabel. / Data-quality findings per source, file and rule.';
COMMENT ON COLUMN marts.data_quality.sumber IS 'Sumber data (folder sumber, mis. lkpp, apbd, kpkp). / Source system (its source folder).';
COMMENT ON COLUMN marts.data_quality.dataset IS 'Dataset (lihat source.py tiap folder sumber di p3dn_pipeline/defs/); NULL bila file tidak dikenali. / Dataset.';
COMMENT ON COLUMN marts.data_quality.file IS 'File di folder landing; NULL untuk pemeriksaan seluruh tabel. / Landing file.';
COMMENT ON COLUMN marts.data_quality.jenis IS 'file_ditolak, file_ditahan (versi baru yang kehilangan sebagian besar barisnya, menunggu p3dn accept), baris_dikarantina, atau pemeriksaan_tabel. / Kind of finding.';
COMMENT ON COLUMN marts.data_quality.aturan IS 'Nama aturan atau pemeriksaan. / Rule or check name.';
COMMENT ON COLUMN marts.data_quality.kolom IS 'Kolom yang melanggar aturan karantina. / Column.';
COMMENT ON COLUMN marts.data_quality.severity IS 'ERROR (memblokir mart), WARN (peringatan), QUARANTINE (baris dikeluarkan). / Severity.';
COMMENT ON COLUMN marts.data_quality.jumlah_baris_diperiksa IS 'Jumlah baris yang diperiksa. / Rows examined.';
COMMENT ON COLUMN marts.data_quality.jumlah_baris_gagal IS 'Jumlah baris yang gagal. / Rows failing.';
COMMENT ON COLUMN marts.data_quality.lulus IS 'TRUE bila lulus. / Passed.';
COMMENT ON COLUMN marts.data_quality.keterangan IS 'Alasan file ditolak, contoh nomor baris, atau arti pemeriksaan. / Reason, sample rows or meaning.';
COMMENT ON COLUMN marts.data_quality.file_pengganti IS 'Untuk replaced_by_newer_export: ekspor lebih baru yang menggantikan file ini. / For replaced_by_newer_export: the newer export that replaced this file.';
