"""What a staging asset's page shows of its quarantine (factories.quarantine_metadata), on a
quarantine table written by hand: rows are counted once per source row, findings once per
column and rule; long digit runs never reach Dagster's run history."""

from __future__ import annotations


def test_rows_and_findings_per_rule_and_a_masked_sample(warehouse_con):
    from p3dn_pipeline.lib.factories import quarantine_metadata

    con = warehouse_con
    con.execute("CREATE SCHEMA IF NOT EXISTS quarantine")
    con.execute("CREATE TABLE quarantine.contoh (_source_file VARCHAR, _source_sheet VARCHAR, "
                "_source_row BIGINT, column_name VARCHAR, rule VARCHAR, offending_value VARCHAR, "
                "_file_sha256 VARCHAR, _loaded_at TIMESTAMP, partisi INTEGER)")
    con.execute("""INSERT INTO quarantine.contoh VALUES
        ('a.csv', NULL, 2, 'Pagu', 'not_a_number', 'abc', 's', now(), 2025),
        ('a.csv', NULL, 2, 'Realisasi', 'not_a_number', '1,2,3', 's', now(), 2025),
        ('a.csv', NULL, 3, 'Pagu', 'not_a_number', 'NIK 3171012345678901', 's', now(), 2025),
        ('b.xlsx', 'TW I', 5, 'Sektor', 'unknown_code', 'x|y', 's', now(), NULL)""")

    metadata = quarantine_metadata(con, "contoh")

    # not_a_number: rows 2 and 3 of a.csv (row 2 twice, in two columns) = 2 rows, 3 findings.
    assert metadata["quarantined_rows_all_years"].value == 3
    assert metadata["quarantine_by_rule"].value.splitlines() == [
        "| rule | rows | findings |", "|---|---|---|",
        "| not_a_number | 2 | 3 |", "| unknown_code | 1 | 1 |"]
    assert metadata["quarantine_sample"].value.splitlines()[2:] == [
        "| a.csv |  | 2 | Pagu | not_a_number | abc |",
        "| a.csv |  | 2 | Realisasi | not_a_number | 1,2,3 |",
        "| a.csv |  | 3 | Pagu | not_a_number | NIK [digits] |",
        "| b.xlsx | TW I | 5 | Sektor | unknown_code | x\\|y |"]
    assert quarantine_metadata(con, "tidak_ada") == {}
