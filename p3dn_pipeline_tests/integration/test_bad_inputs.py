"""The bad-input corpus (issue "Data-quality gate", acceptance point 1).

Each folder under ``fixtures/bad_inputs/`` is one case: the files an SKPD or LKPP download
really produces when something goes wrong, at least one good file beside them, and
``expected.json`` with the exact outcome of one run of the whole pipeline:

- ``files``: every landed path with its ledger status and dataset; rejected files with the
  start of their ledger reason, loaded files with their row counts (raw = staged +
  quarantined, raw also counted here independently for CSV, JSON and XLSX);
- ``quarantine``: the exact list of quarantine rows (dataset, file, row, column, rule, value;
  ``sheet`` where a workbook holds several sheets);
- ``failing_checks``: the exact list of failed table checks (table, check, severity, count);
- ``marts``: which marts are built and which are refused by the quality gate, and
  ``failed_steps``: the steps that failed, with text their Failure description must hold;
- ``queries``: figures that show the bad rows really stayed out (or the good rows in);
- ``never_in_warehouse``: personal data that must appear in no table and no run event;
- ``never_in_run_events``: values (kept in raw as delivered) that no run event may quote;
- ``symlinks``: links the test makes in the landing folder to files outside it.

Every item names the failure ``kind`` it proves; ``kinds`` says each kind's expected outcome
in words. marts.data_quality is compared with what the ledger, quarantine and checks above
imply, so the table BI users read tells the same story.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from p3dn_pipeline_tests import independent

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
NOT_LANDED = ("expected.json", "outside")  # case files that are not part of the landing folder
QUARANTINE_KEYS = ("dataset", "file", "row", "column_name", "rule", "offending_value")
# The failure kinds the issue asks the corpus to cover, each with its outcome in one case.
REQUIRED_KINDS = {
    "truncated_json", "wrong_delimiter", "unknown_field_set", "latin1_text", "utf8_bom_csv",
    "utf8_bom_json", "empty_file", "xlsx_without_expected_sheet", "duplicate_header_column",
    "symlink_outside_landing", "v6_total_harga_not_numeric", "v6_total_harga_negative",
    "v6_tgl_order_unparseable", "v6_kd_paket_missing", "v6_older_download_replaced",
    "sirup_status_pdn_unknown", "apbd_subtotal_line", "apbd_ref_error_amount",
    "roster_nik_15_digits", "roster_kota_outside_dki", "roster_sektor_unknown",
    "error_check_blocks_p3dn_marts", "warn_check_does_not_block",
    # Reliability, round two (issue 17)
    "csv_short_line", "csv_long_line", "csv_trailing_ctrl_z", "csv_header_only", "utf16_csv",
    "xlsx_header_only", "api_envelope_export_fields", "api_envelope_unknown_fields",
    "roster_csv_long_line", "amount_out_of_range_apbd", "amount_out_of_range_roster",
    # Reliability, round three (issue 17): spreadsheet errors, hidden sheets, one number
    # rule, impossible dates
    "xlsx_error_cell_amount", "xlsx_error_cell_text", "xlsx_formula_without_result",
    "xlsx_hidden_sheets_skipped", "lkpp_text_amount_thousands",
    "lkpp_json_number_three_decimals", "lkpp_amount_ambiguous",
    "v6_tgl_order_outside_fiscal_year", "headline_data_date_not_impossible",
}


def test_corpus_has_one_case_per_failure_kind():
    kinds = Counter()
    for case in CASES:
        expected = json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))
        kinds.update(list(expected["kinds"]))
        named = {item["kind"] for section in ("quarantine", "failing_checks", "queries")
                 for item in expected.get(section, [])}
        named |= {f["kind"] for f in expected["files"].values() if "kind" in f}
        declared = set(expected["kinds"])
        assert named <= declared, f"{case}: undeclared kinds {named - declared}"
        assert declared <= named, f"{case}: kinds without an expected outcome {declared - named}"
        assert any(f["status"] == "loaded" for f in expected["files"].values()), \
            f"{case}: every case holds a good file that still loads"
    assert not [k for k, n in kinds.items() if n > 1], "each failure kind belongs to one case"
    assert REQUIRED_KINDS <= set(kinds), f"kinds without a case: {REQUIRED_KINDS - set(kinds)}"


@pytest.mark.parametrize("case", CASES)
def test_bad_input_outcome_is_exactly_as_expected(case, pipeline_env, tmp_path):
    folder = CORPUS / case
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    outside = _land(folder, expected, pipeline_env.landing, tmp_path / "outside")
    placeholders = {"{outside}": str(outside)}

    result = pipeline_env.materialize(raise_on_error=False)

    con = pipeline_env.connect()
    try:
        problems: list[str] = []
        ledger = _check_ledger(con, expected, placeholders, problems)
        _check_rows_accounted_for(con, expected, ledger, pipeline_env.landing, problems)
        _check_quarantine(con, expected, problems)
        _check_table_checks(con, expected, problems)
        _check_marts(con, result, expected, problems)
        _check_data_quality(con, expected, ledger, problems)
        _check_queries(con, expected, problems)
        _check_never_stored(con, result, expected, problems)
    finally:
        con.close()
    assert not problems, f"case {case}:\n- " + "\n- ".join(problems)


# --------------------------------------------------------------------------------------------
# setting up a case
# --------------------------------------------------------------------------------------------


def _land(folder: Path, expected: dict, landing: Path, outside: Path) -> Path:
    for item in folder.iterdir():
        if item.name in NOT_LANDED:
            continue
        if item.is_dir():
            shutil.copytree(item, landing / item.name)
        else:
            shutil.copy2(item, landing / item.name)
    for link in expected.get("symlinks", []):
        target = outside / Path(link["target"]).relative_to("outside")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / link["target"], target)
        os.symlink(target, landing / link["link"])
    return outside.resolve()


# --------------------------------------------------------------------------------------------
# comparisons: each appends what differs to `problems`, so one run reports every difference
# --------------------------------------------------------------------------------------------


def _rows(con, sql: str, params=None) -> list[dict]:
    result = con.execute(sql, params) if params else con.execute(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def _datasets() -> list[str]:
    from p3dn_pipeline.lib.sources import registry

    return [d.name for d in registry().datasets]


def _columns(con, schema: str, table: str) -> set[str]:
    return {r["column_name"] for r in _rows(
        con, "SELECT column_name FROM information_schema.columns "
             "WHERE table_schema = $s AND table_name = $t", {"s": schema, "t": table})}


def _check_ledger(con, expected, placeholders, problems) -> dict[str, dict]:
    ledger = {r["path"]: r for r in _rows(
        con, "SELECT path, status, dataset, reason, rows_loaded FROM raw.file_ledger")}
    files = expected["files"]
    if set(ledger) != set(files):
        problems.append(f"ledger paths {sorted(ledger)} != expected {sorted(files)}")
    for path, want in files.items():
        got = ledger.get(path)
        if got is None:
            continue
        if (got["status"], got["dataset"]) != (want["status"], want["dataset"]):
            problems.append(f"{path}: ledger status/dataset {got['status']}/{got['dataset']} "
                            f"!= expected {want['status']}/{want['dataset']} "
                            f"(reason: {got['reason']})")
        if want["status"] == "rejected":
            prefix = want["reason_startswith"]
            for key, value in placeholders.items():
                prefix = prefix.replace(key, value)
            if not (got["reason"] or "").startswith(prefix):
                problems.append(f"{path}: reason {got['reason']!r} does not start with {prefix!r}")
            for text in want.get("reason_contains", []):
                if text not in (got["reason"] or ""):
                    problems.append(f"{path}: reason {got['reason']!r} lacks {text!r}")
        elif got["rows_loaded"] != want["rows"]["raw"]:
            problems.append(f"{path}: ledger rows_loaded {got['rows_loaded']} != "
                            f"{want['rows']['raw']}")
    return ledger


def _independent_text(path: Path) -> str:
    """A landed text file decoded the way Windows tools write them: a byte-order mark says
    UTF-8 or UTF-16; without one, UTF-8, else Windows-1252. A trailing Ctrl-Z is not text."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    return text.rstrip("\x1a")


def _independent_row_count(path: Path) -> int | None:
    """Data rows of a landed CSV, JSON or XLSX file, counted without the pipeline."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        document = json.loads(_independent_text(path))
        return len(document["data"] if isinstance(document, dict) else document)
    if suffix == ".csv":
        text = _independent_text(path)
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t|", key=first.count)
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(r)]
        return len(rows) - 1
    if suffix == ".xlsx":
        # The rows below the header row of every visible sheet, read by python-calamine
        # directly (hidden sheets are not loaded unless P3DN_READ_HIDDEN_SHEETS is set, and no
        # case sets it).
        visible = {sheet.name for sheet in CalamineWorkbook.from_path(str(path)).sheets_metadata
                   if sheet.visible == SheetVisibleEnum.Visible}
        return sum(len(table.rows) for table in independent._read_xlsx(path, path.name)
                   if table.sheet in visible)
    return None


def _check_rows_accounted_for(con, expected, ledger, landing: Path, problems) -> None:
    """Per file: raw rows = staged rows + distinct quarantined rows, and = the file's rows."""
    counts: dict[str, dict[str, int]] = {}
    for dataset in _datasets():
        quarantine_columns = _columns(con, "quarantine", dataset)
        row_id = ("_source_sheet, _source_row" if "_source_sheet" in quarantine_columns
                  else "_source_row")
        for kind, schema, n in (("raw", "raw", "count(*)"), ("staged", "staging", "count(*)"),
                                ("quarantined", "quarantine", f"count(DISTINCT ({row_id}))")):
            if not _columns(con, schema, dataset):
                problems.append(f"{schema}.{dataset} does not exist")
                continue
            sql = f"SELECT _source_file AS f, {n} AS n FROM {schema}.{dataset} GROUP BY 1"
            for r in _rows(con, sql):
                counts.setdefault(r["f"], {"raw": 0, "staged": 0, "quarantined": 0})[kind] = r["n"]
    for path, got in counts.items():
        if got["raw"] != got["staged"] + got["quarantined"]:
            problems.append(f"{path}: rows not accounted for: raw {got['raw']} != staged "
                            f"{got['staged']} + quarantined {got['quarantined']}")
        if ledger.get(path, {}).get("status") != "loaded":
            problems.append(f"{path}: has rows in the warehouse but is not 'loaded' in the ledger")
    for path, want in expected["files"].items():
        got = counts.get(path, {"raw": 0, "staged": 0, "quarantined": 0})
        if want["status"] != "loaded":
            continue  # rows of rejected files are absent (any present are reported above)
        if got != want["rows"]:
            problems.append(f"{path}: rows {got} != expected {want['rows']}")
        landed = landing / path
        if not landed.exists():
            continue  # a file the case removes after loading it
        counted = _independent_row_count(landed)
        if counted is None:
            problems.append(f"{path}: loaded, but this test cannot count its rows itself")
        elif counted != got["raw"]:
            problems.append(f"{path}: the file holds {counted} data rows, raw holds "
                            f"{got['raw']}")


def _check_quarantine(con, expected, problems) -> None:
    got, sheets_known = [], {}
    for dataset in _datasets():
        columns = _columns(con, "quarantine", dataset)
        sheets_known[dataset] = "_source_sheet" in columns
        sheet = "_source_sheet" if sheets_known[dataset] else "NULL"
        got += _rows(con, f"SELECT '{dataset}' AS dataset, _source_file AS file, "
                          f"_source_row AS row, column_name, rule, offending_value, "
                          f"{sheet} AS sheet FROM quarantine.{dataset}")

    def key(item: dict) -> tuple:
        return tuple(item[k] for k in QUARANTINE_KEYS)

    want = expected["quarantine"]
    missing = Counter(map(key, want)) - Counter(map(key, got))
    extra = Counter(map(key, got)) - Counter(map(key, want))
    if missing or extra:
        problems.append(f"quarantine differs: missing {sorted(missing, key=str)}, "
                        f"unexpected {sorted(extra, key=str)}")
    for item in want:
        if "sheet" not in item:
            continue
        if not sheets_known[item["dataset"]]:
            problems.append(
                f"quarantine.{item['dataset']} has no _source_sheet: {item['file']} row "
                f"{item['row']} ({item['rule']}) cannot be told apart from the same row of "
                f"another sheet; expected sheet {item['sheet']!r}")
        elif not any(key(g) == key(item) and g["sheet"] == item["sheet"] for g in got):
            problems.append(f"quarantine row {key(item)} is not in sheet {item['sheet']!r}")


def _check_table_checks(con, expected, problems) -> None:
    checked = {r["table_name"] for r in _rows(
        con, "SELECT DISTINCT table_name FROM quality.check_results")}
    unchecked = {f"staging.{d}" for d in _datasets()} - checked
    if unchecked:
        problems.append(f"staging tables without check results: {sorted(unchecked)}")
    got = Counter((r["table_name"], r["check_name"], r["severity"], r["unexpected_count"])
                  for r in _rows(con, "SELECT table_name, check_name, severity, unexpected_count "
                                      "FROM quality.check_results WHERE NOT passed"))
    want = Counter((c["table"], c["check_name"], c["severity"], c["unexpected_count"])
                   for c in expected["failing_checks"])
    if got != want:
        problems.append(f"failing checks {sorted(got)} != expected {sorted(want)}")


def _failure_text(event) -> str:
    data = event.step_failure_data
    parts = [data.error.message if data.error else ""]
    if data.user_failure_data is not None:
        parts.append(data.user_failure_data.description or "")
    return "\n".join(parts)


def _mart_assets() -> set[str]:
    from p3dn_pipeline.definitions import all_assets

    return {key.path[1] for asset in all_assets for key in asset.keys if key.path[0] == "marts"}


def _check_marts(con, result, expected, problems) -> None:
    """Refused marts are absent and their steps did not succeed; every other mart asset of the
    pipeline is built (``built`` names the ones the case is about)."""
    present = {r["table_name"] for r in _rows(
        con, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'")}
    marts = _mart_assets()
    refused = set(expected["marts"]["refused"])
    if not set(expected["marts"]["built"]) | refused <= marts:
        problems.append(f"expected.json names marts the pipeline does not have: "
                        f"{sorted(set(expected['marts']['built']) | refused - marts)}")
    if set(expected["marts"]["built"]) & refused:
        problems.append("expected.json lists a mart as both built and refused")
    succeeded = {e.step_key for e in result.get_step_success_events()}
    failures = {e.step_key: _failure_text(e) for e in result.get_step_failure_events()}
    for mart in sorted(marts - refused):
        if mart not in present or f"marts__{mart}" not in succeeded:
            problems.append(f"mart {mart} was not built (table present: {mart in present}, "
                            f"step succeeded: {f'marts__{mart}' in succeeded})")
    for mart in sorted(refused):
        if mart in present or f"marts__{mart}" in succeeded:
            problems.append(f"mart {mart} was built although its input failed the quality gate")
    want_failed = expected.get("failed_steps", {})
    if set(failures) != set(want_failed):
        problems.append(f"failed steps {sorted(failures)} != expected {sorted(want_failed)}: "
                        + " | ".join(f"{k}: {v[:300]}" for k, v in failures.items()))
    for step, texts in want_failed.items():
        for text in texts:
            if step in failures and text not in failures[step]:
                problems.append(f"failure of {step} does not say {text!r}: {failures[step][:500]}")


def _check_data_quality(con, expected, ledger, problems) -> None:
    """marts.data_quality holds one failing row per rejected file, per quarantine rule and
    column in a file, and per failed check: exactly what the rest of expected.json implies."""
    if "data_quality" not in expected["marts"]["built"]:
        return
    got = Counter(tuple(r.values()) for r in _rows(con, """
        SELECT jenis, dataset, file, aturan, kolom, severity, jumlah_baris_gagal
        FROM marts.data_quality WHERE NOT lulus"""))
    want: Counter = Counter()
    for path, f in expected["files"].items():
        if f["status"] == "rejected":
            want[("file_ditolak", f["dataset"], path, "file_dapat_dibaca", None, "ERROR",
                  None)] += 1
    groups: dict[tuple, set] = {}
    for q in expected["quarantine"]:
        groups.setdefault((q["dataset"], q["file"], q["rule"], q["column_name"]), set()).add(
            q["row"])
    for (dataset, file, rule, column), rows in groups.items():
        want[("baris_dikarantina", dataset, file, rule, column, "QUARANTINE", len(rows))] += 1
    for c in expected["failing_checks"]:
        want[("pemeriksaan_tabel", c["table"].removeprefix("staging."), None, c["check_name"],
              None, c["severity"], c["unexpected_count"])] += 1
    if got != want:
        problems.append(f"marts.data_quality failing rows: missing {sorted(want - got, key=str)}, "
                        f"unexpected {sorted(got - want, key=str)}")
    for r in _rows(con, "SELECT file, keterangan FROM marts.data_quality "
                        "WHERE jenis = 'file_ditolak'"):
        if r["file"] in ledger and r["keterangan"] != ledger[r["file"]]["reason"]:
            problems.append(f"marts.data_quality does not show the ledger reason of {r['file']}")


def _check_queries(con, expected, problems) -> None:
    for query in expected.get("queries", []):
        try:
            got = [list(row) for row in con.execute(query["sql"]).fetchall()]
        except Exception as err:  # a missing table is a finding, not a test crash
            problems.append(f"{query['kind']}: {query['sql']!r} raised {err}")
            continue
        if got != query["rows"]:
            problems.append(f"{query['kind']}: {query['sql']!r} returned {got}, "
                            f"expected {query['rows']}")


def _check_never_stored(con, result, expected, problems) -> None:
    events = "\n".join(repr(event) for event in result.all_events)
    for needle in expected.get("never_in_run_events", []):
        if needle in events:
            problems.append(f"{needle!r} appears in the run's Dagster events")
    needles = expected.get("never_in_warehouse", [])
    if not needles:
        return
    tables = _rows(con, "SELECT table_schema, table_name FROM information_schema.tables")
    for t in tables:
        qualified = f'"{t["table_schema"]}"."{t["table_name"]}"'
        result_set = con.execute(f"SELECT * FROM {qualified}")
        names = [d[0] for d in result_set.description]
        for row in result_set.fetchall():
            for name, value in zip(names, row):
                text = str(value)
                for needle in needles:
                    if needle in text:
                        problems.append(f"personal data {needle!r} stored in {qualified}.{name}: "
                                        f"{text[:160]!r}")
    events = "\n".join(repr(event) for event in result.all_events)
    for needle in needles:
        if needle in events:
            problems.append(f"personal data {needle!r} appears in the run's Dagster events")
