"""Real-export drift (issue 12): e-katalog v6 orders pulled from the INAPROC data API v1
(`{"data": [...], "meta": {...}}`, English field names `order_id`, `total`, `status`,
`kode_klpd`; private-sector rows `kode_klpd = swasta`), with `kd_rup` written as the same code
repeated and as several codes.

Fixture: fixtures/mini_p3dn with its legacy v6 file replaced by the same six orders in v1 form
(plus one private-sector order), so every figure must equal the legacy run's: headline
97,5 / 150 = 65,00 %.
  O1 kd_rup "11111111,11111111" (a later CSV pull's repetition): one code, R1 (PDN).
  O2 kd_rup "22222222,11111111": two committed PDN packages of SKPD A: PDN, counted once.
  O3 kd_rup "33333333,11111111": R3 is Impor: not PDN (it was not before either).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"
V1_NAMES = {"kd_paket": "order_id", "total_harga": "total", "status_pkt": "status",
            "kd_klpd": "kode_klpd"}

pytestmark = pytest.mark.slow


def v1_file(landing: Path) -> None:
    orders = json.loads((FIXTURES / "ekatalog_v6.json").read_text(encoding="utf-8"))
    codes = {0: "11111111,11111111", 1: "22222222,11111111", 2: "33333333,11111111"}
    renamed = []
    for index, order in enumerate(orders):
        # v1 also adds a field the legacy export lacks and drops status_pengiriman.
        order = {**order, "kd_rup": codes.get(index, order["kd_rup"]), "channel": "katalog"}
        del order["status_pengiriman"]
        renamed.append({V1_NAMES.get(name, name): value for name, value in order.items()})
    private = {**renamed[0], "order_id": "01SWASTA000000000000000001", "kode_klpd": "swasta",
               "total": 999000000}
    (landing / "inaproc_v1_katalog_2025.json").write_text(json.dumps(
        {"data": [*renamed, private], "meta": {"has_more": False, "cursor": None}}),
        encoding="utf-8")


@pytest.fixture(scope="module")
def drifted(tmp_path_factory, module_monkeypatch):
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    root = tmp_path_factory.mktemp("inaproc")
    shutil.copytree(FIXTURES, root / "landing")
    env = point_pipeline_at(module_monkeypatch, root)
    env.materialize()  # the legacy export first: the baseline its successor is compared with
    (root / "landing" / "ekatalog_v6.json").unlink()
    v1_file(root / "landing")
    env.materialize()
    return env


def test_a_v1_envelope_with_english_names_is_the_same_dataset(drifted):
    assert drifted.query("SELECT dataset, status, rows_loaded FROM raw.file_ledger "
                         "WHERE path = 'inaproc_v1_katalog_2025.json'") == [
        ("ekatalog_paket_v6", "loaded", 7)]
    legacy = json.loads((FIXTURES / "ekatalog_v6.json").read_text(encoding="utf-8"))
    assert drifted.query(
        "SELECT kd_paket, total_harga_rp, status_pkt FROM staging.ekatalog_paket_v6 "
        "ORDER BY kd_paket") == sorted(
        (o["kd_paket"], Decimal(o["total_harga"]).quantize(Decimal("0.01")), o["status_pkt"])
        for o in legacy)


def test_private_sector_rows_are_excluded_and_counted(drifted):
    assert drifted.query(
        "SELECT _source_row, column_name, rule, offending_value "
        "FROM quarantine.ekatalog_paket_v6") == [
        (7, "kd_klpd", "private_sector_order", "swasta")]
    assert drifted.query(
        "SELECT jumlah_baris_gagal FROM marts.data_quality "
        "WHERE aturan = 'private_sector_order'") == [(1,)]


def test_repeated_and_several_kd_rup_link_each_package_once(drifted):
    rows = {r[0]: r[1:] for r in drifted.query(
        "SELECT kd_paket, kd_rup, kd_rup_list, is_rup_komitmen, is_pdn, kd_satker_str "
        "FROM staging.ekatalog_paket WHERE versi_katalog = 'v6'")}
    skpd_a = "2.09.3.25.0.00.10.0000"
    assert rows["01ORDER0000000000000000001"] == (11111111, [11111111], True, True, skpd_a)
    assert rows["01ORDER0000000000000000002"] == (None, [11111111, 22222222], True, True, skpd_a)
    assert rows["01ORDER0000000000000000003"] == (None, [11111111, 33333333], True, False,
                                                  skpd_a)
    [(pct, numerator)] = drifted.query(
        "SELECT pct_realisasi_komitmen, pembilang_realisasi_pdn_rp FROM marts.p3dn_provinsi")
    assert (pct, numerator) == (Decimal("65.00"), Decimal("97500000.00"))


def test_changed_fields_are_recorded_and_said_and_the_file_still_loads(drifted):
    """Schema drift: the v1 pull, compared with the legacy export it follows, has a field
    added, one missing and four under v1 names; it is recognised and loaded, and the ledger
    and p3dn status say how."""
    from p3dn_pipeline.status import source_lines

    drift = ("added: channel; missing: status_pengiriman; renamed: kode_klpd -> kd_klpd, "
             "order_id -> kd_paket, status -> status_pkt, total -> total_harga")
    assert drifted.query("SELECT schema_drift FROM raw.file_ledger "
                         "WHERE path = 'inaproc_v1_katalog_2025.json'") == [(drift,)]
    # The first export of every other dataset is its own baseline: nothing to say.
    assert drifted.query("SELECT count(*) FROM raw.file_ledger WHERE schema_drift IS NOT NULL"
                         ) == [(1,)]
    con = drifted.connect()
    try:
        lines = source_lines(con)
    finally:
        con.close()
    assert (f"  fields changed: inaproc_v1_katalog_2025.json (ekatalog_paket_v6): {drift}"
            in lines), lines
