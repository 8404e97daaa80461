"""The source registry, the staging contract and where dataset names may appear."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from p3dn_pipeline.lib.contract import StagingContractError, check_staging_sql
from p3dn_pipeline.lib.quality import Between, Rule
from p3dn_pipeline.lib.sources import (
    Dataset,
    Source,
    Staged,
    fields,
    leading_comment,
    registry,
    tables_read,
)
from p3dn_pipeline_tests.conftest import REPO, SAMPLES, require_shared_samples

PACKAGE = REPO / "p3dn_pipeline"

GOOD_SQL = """-- A made-up dataset.
CREATE OR REPLACE TEMP TABLE typed_contoh AS
SELECT
    p3dn_teks(kode) AS kode,
    CAST(p3dn_angka(nilai) AS DECIMAL(18, 2)) AS nilai_rp,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_angka(nilai) IS NULL
            THEN {'column_name': 'nilai', 'rule': 'not_a_number', 'offending_value': nilai} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.contoh;
"""
CONTOH = Staged(
    Dataset(name="contoh", title="Contoh", grain="one row per kode",
            required=fields("kode", "nilai")),
    key=("kode",),
    rules=(Rule("nilai_not_negative", Between("nilai_rp", min_value=0), "WARN", "Not negative."),),
)


def contoh_source(tmp_path: Path, sql: str) -> Source:
    folder = tmp_path / "contoh"
    (folder / "sql").mkdir(parents=True)
    (folder / "sql" / "staging_contoh.sql").write_text(sql)
    return Source(title="Contoh", staged=(CONTOH,), name="contoh", folder=folder)


def test_a_staging_file_meeting_the_contract_passes(tmp_path):
    check_staging_sql(contoh_source(tmp_path, GOOD_SQL), CONTOH)


@pytest.mark.parametrize(("broken", "message"), [
    (GOOD_SQL.replace("TEMP TABLE typed_contoh", "TEMP TABLE typed_lain"),
     "it must build the temporary table typed_contoh"),
    (GOOD_SQL.replace("FROM raw.contoh", "FROM (SELECT 1)"), "it must read raw.contoh"),
    (GOOD_SQL.replace(" _file_sha256,", ""), "typed_contoh lacks the column(s) _file_sha256"),
    (GOOD_SQL.replace("p3dn_teks(kode) AS kode", "p3dn_teks(kode) AS kode_pasar"),
     "typed_contoh lacks the column(s) kode"),
    (GOOD_SQL.replace("AS nilai_rp", "AS nilai_rupiah"),
     "typed_contoh lacks the column(s) nilai_rp"),
    (GOOD_SQL.replace(") AS problems", ") AS masalah"), "typed_contoh lacks the column(s) problems"),
    (GOOD_SQL.replace("'offending_value': nilai", "'value': nilai"),
     "problems is STRUCT(column_name VARCHAR, \"rule\" VARCHAR, \"value\" VARCHAR)[], not a list"),
    (GOOD_SQL.replace("FROM raw.contoh", "FROM raw.contoh WHERE no_such_column"),
     "it fails on an empty raw.contoh with the dataset's declared columns"),
])
def test_a_staging_file_that_breaks_the_contract_is_named_with_what_is_wrong(tmp_path, broken,
                                                                          message):
    with pytest.raises(StagingContractError) as raised:
        check_staging_sql(contoh_source(tmp_path, broken), CONTOH)
    text = str(raised.value)
    assert text.startswith("defs/contoh/sql/staging_contoh.sql ")
    assert message in text


def test_a_declared_dataset_without_its_staging_file_is_named(tmp_path):
    source = contoh_source(tmp_path, GOOD_SQL)
    (source.folder / "sql" / "staging_contoh.sql").unlink()
    with pytest.raises(StagingContractError, match="defs/contoh/sql/staging_contoh.sql is "
                                                   "missing: defs/contoh/source.py declares"):
        check_staging_sql(source, CONTOH)


def test_every_source_folder_is_found_and_every_dataset_knows_its_source():
    found = registry()
    assert [s.name for s in found.sources] == ["apbd", "bela", "business_matching", "ecommerce",
                                                  "eorder", "kpkp", "lkpp", "spse"]
    assert {d.name: d.source for d in found.datasets} == {
        "apbd_realisasi": "apbd", "kpkp_roster": "kpkp", "bela_tokodaring": "bela",
        "ekatalog_paket_v6": "lkpp", "ekatalog_paket_v5": "lkpp", "ekatalog_produk": "lkpp",
        "ekatalog_penyedia": "lkpp", "sirup_paket_penyedia": "lkpp",
        "sirup_struktur_anggaran": "lkpp", "sirup_master_satker": "lkpp",
        "spse_tender_selesai": "spse", "spse_nontender_selesai": "spse",
        "spse_tender_kontrak": "spse", "spse_nontender_kontrak": "spse",
        "spse_pencatatan_nontender": "spse", "spse_pencatatan_nontender_realisasi": "spse",
        "spse_pencatatan_swakelola": "spse", "spse_pencatatan_swakelola_realisasi": "spse",
        "business_matching_batch": "business_matching", "eorder_pesanan": "eorder",
        "ecommerce_penjualan": "ecommerce"}
    lkpp = next(s for s in found.sources if s.name == "lkpp")
    assert [p.name for p in lkpp.derived_sql()] == ["staging_ekatalog_paket.sql"]


def test_table_names_are_read_from_sql_code_not_comments_or_strings():
    sql = """-- reads staging.not_this_one
    SELECT 'marts.nor_this', x FROM staging.ekatalog_paket JOIN reference.target_kpi USING (k)
    WHERE y <> 'it''s -- staging.nor_that' -- raw.neither
    AND z IN (SELECT z FROM Staging.Sirup_Paket_Penyedia)"""
    assert tables_read(sql) == [("staging", "ekatalog_paket"), ("reference", "target_kpi"),
                                ("staging", "sirup_paket_penyedia")]
    assert leading_comment("-- one\n--  two\n\n-- three\nSELECT 1") == "one two"


def _product_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*") if p.is_file()
                  and p.suffix in {".py", ".sql", ".html", ".md", ".csv"}
                  and "synth" not in p.relative_to(PACKAGE).parts
                  and "__pycache__" not in p.parts)


def test_a_dataset_name_appears_only_in_its_own_folder_and_in_the_marts_that_read_it():
    """The synthetic-data generator aside. A source folder may also check its rows against
    another source's staging table (an ExistsIn rule naming it as staging.<dataset>), as a
    mart reads it."""
    found = registry()
    allowed_everywhere = PACKAGE / "defs" / "marts" / "sql"
    stray = []
    for dataset in found.datasets:
        own = PACKAGE / "defs" / dataset.source
        pattern = re.compile(rf"\b{dataset.name}\b")
        for path in _product_files():
            if path.is_relative_to(own) or path.is_relative_to(allowed_everywhere):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not pattern.search(line):
                    continue
                if (path.name == "source.py" and path.parent.parent == PACKAGE / "defs"
                        and re.search(rf"ExistsIn\([^)]*\"staging\.{dataset.name}\"", line)):
                    continue
                stray.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert stray == []


def test_no_dataset_can_claim_a_complete_export_of_another():
    """A file is recognised by its required fields: if one dataset's required fields were all
    among another's fields, a full export of the second could be taken for the first."""
    from p3dn_pipeline.lib.landing import _accepted_headers, _required
    from p3dn_pipeline.lib.sources import normalise_header

    datasets = registry().datasets
    overlaps = [(a.name, b.name) for a in datasets for b in datasets if a is not b
                and all(normalise_header(f) in _accepted_headers(b) for f in _required(a))]
    assert overlaps == []


def test_each_real_lkpp_export_is_claimed_by_exactly_its_dataset():
    import json

    from p3dn_pipeline.lib.landing import _required
    from p3dn_pipeline.lib.sources import normalise_header

    require_shared_samples()
    expected = {
        "bela_tokodaring_realisasi": "bela_tokodaring",
        "rup_master_satker": "sirup_master_satker",
        "spse_tender_selesai_nilai": "spse_tender_selesai",
        "spse_nontender_selesai": "spse_nontender_selesai",
        "spse_tender_ekontrak_kontrak": "spse_tender_kontrak",
        "spse_nontender_ekontrak_kontrak": "spse_nontender_kontrak",
        "spse_pencatatan_nontender_D": "spse_pencatatan_nontender",
        "spse_pencatatan_nontender_realisasi": "spse_pencatatan_nontender_realisasi",
        "spse_pencatatan_swakelola_D": "spse_pencatatan_swakelola",
        "spse_pencatatan_swakelola_realisasi": "spse_pencatatan_swakelola_realisasi",
        "ecat_paket_epurchasing_v6": "ekatalog_paket_v6",
        "ecat_paket_epurchasing_v5": "ekatalog_paket_v5",
        "rup_paket_penyedia_terumumkan": "sirup_paket_penyedia",
        "rup_struktur_anggaran_pd": "sirup_struktur_anggaran",
    }
    claimed = {}
    for path in sorted(SAMPLES.glob("lkpp_isb_*.json")):
        records = json.loads(path.read_text(encoding="utf-8"))
        fields = {normalise_header(k) for k in records[0]}
        claimed[path.name] = [d.name for d in registry().datasets
                              if all(normalise_header(f) in fields for f in _required(d))]
    for part, dataset in expected.items():
        names = [n for n in claimed if f"lkpp_isb_{part}" in n]
        assert names, part
        assert all(claimed[n] == [dataset] for n in names), {n: claimed[n] for n in names}
