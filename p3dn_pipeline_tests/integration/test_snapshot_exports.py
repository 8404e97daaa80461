"""An LKPP ISB export is the whole dataset for one pemda x year at pull time: a newer pull of
the same slice replaces the older one, so a package withdrawn from SiRUP, or an order no
longer in the export, leaves the figures, and every row of the older pull is accounted for.

Fixture: fixtures/mini_p3dn (SiRUP 2025 for DKI, exported 2025-06-30: R1 100 jt PDN, R2 50 jt
PDN, R3 30 jt Impor, R4 deleted, R5 draft; komitmen PDN = 150 jt, headline 97,5 / 150 =
65,00 %). A later pull (_event_date 2025-09-30) no longer has R2 (withdrawn) and R1 is now
120 jt: komitmen PDN = 120 jt. Realised PDN: O1 60 jt on R1 (the orders on R2, O2 25 jt and v5
777 12,5 jt, lose their committed package: PDN unknown) = 60 jt -> 60 / 120 = 50,00 %.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"

pytestmark = pytest.mark.slow


def newer_sirup_pull() -> list[dict]:
    plans = json.loads((FIXTURES / "sirup_paket.json").read_text(encoding="utf-8"))
    newer = []
    for plan in plans:
        if plan["kd_rup"] == 22222222:
            continue  # withdrawn since the first pull
        plan = {**plan, "_event_date": "2025-09-30"}
        if plan["kd_rup"] == 11111111:
            plan["pagu"] = 120000000
        newer.append(plan)
    return newer


def headline(env) -> tuple:
    [row] = env.query("SELECT pct_realisasi_komitmen, penyebut_komitmen_pdn_rp, "
                      "pembilang_realisasi_pdn_rp FROM marts.p3dn_provinsi")
    return row


def test_a_newer_pull_replaces_the_older_one_and_its_rows_are_accounted_for(pipeline_env):
    shutil.copytree(FIXTURES, pipeline_env.landing, dirs_exist_ok=True)
    assert pipeline_env.materialize().success
    assert headline(pipeline_env) == (Decimal("65.00"), Decimal("150000000.00"),
                                      Decimal("97500000.00"))

    # The newer pull lands beside the older one, under another name.
    (pipeline_env.landing / "sirup_paket_2025-09-30.json").write_text(
        json.dumps(newer_sirup_pull()), encoding="utf-8")
    assert pipeline_env.materialize().success
    assert headline(pipeline_env) == (Decimal("50.00"), Decimal("120000000.00"),
                                      Decimal("60000000.00"))
    assert pipeline_env.query(
        "SELECT kd_rup, pagu_rp, _source_file FROM staging.sirup_paket_penyedia ORDER BY 1"
    ) == [(11111111, Decimal("120000000.00"), "sirup_paket_2025-09-30.json"),
          (33333333, Decimal("30000000.00"), "sirup_paket_2025-09-30.json"),
          (44444444, Decimal("20000000.00"), "sirup_paket_2025-09-30.json"),
          (55555555, Decimal("10000000.00"), "sirup_paket_2025-09-30.json")]
    # All five rows of the older pull are quarantined, naming the export that replaced them.
    assert pipeline_env.query(
        "SELECT _source_file, rule, offending_value, count(*) FROM quarantine.sirup_paket_penyedia "
        "GROUP BY ALL") == [("sirup_paket.json", "replaced_by_newer_export",
                             "replaced by sirup_paket_2025-09-30.json", 5)]
    # The quality report shows it.
    assert pipeline_env.query(
        "SELECT file, aturan, jumlah_baris_gagal FROM marts.data_quality "
        "WHERE aturan = 'replaced_by_newer_export'") == [
        ("sirup_paket.json", "replaced_by_newer_export", 5)]


def test_the_newest_export_wins_by_its_data_date_not_by_load_order(pipeline_env):
    # The newer pull is loaded first, the older one a run later: the newer still counts.
    shutil.copytree(FIXTURES, pipeline_env.landing, dirs_exist_ok=True)
    older = pipeline_env.landing / "sirup_paket.json"
    kept_aside = pipeline_env.landing.parent / "sirup_paket_older.json"
    shutil.move(older, kept_aside)
    (pipeline_env.landing / "sirup_paket_2025-09-30.json").write_text(
        json.dumps(newer_sirup_pull()), encoding="utf-8")
    assert pipeline_env.materialize().success
    shutil.move(kept_aside, older)
    assert pipeline_env.materialize().success
    assert headline(pipeline_env) == (Decimal("50.00"), Decimal("120000000.00"),
                                      Decimal("60000000.00"))
    assert pipeline_env.query(
        "SELECT DISTINCT _source_file FROM quarantine.sirup_paket_penyedia") == [
        ("sirup_paket.json",)]


def test_exports_of_different_years_or_governments_do_not_replace_each_other(pipeline_env):
    shutil.copytree(FIXTURES, pipeline_env.landing, dirs_exist_ok=True)
    plans = json.loads((FIXTURES / "sirup_paket.json").read_text(encoding="utf-8"))
    # Another government's plan of the same year (kd_rup are unique across governments).
    other_pemda = [{**plan, "kd_klpd": "D107", "kd_rup": plan["kd_rup"] + 1,
                    "_event_date": "2025-09-30"} for plan in plans]
    (pipeline_env.landing / "sirup_paket_d107.json").write_text(
        json.dumps(other_pemda), encoding="utf-8")
    assert pipeline_env.materialize().success
    assert pipeline_env.query(
        "SELECT count(*) FROM quarantine.sirup_paket_penyedia "
        "WHERE rule = 'replaced_by_newer_export'") == [(0,)]
    assert headline_of(pipeline_env, "DKI") == Decimal("65.00")


def headline_of(env, kd_klpd: str):
    return env.query("SELECT pct_realisasi_komitmen FROM marts.p3dn_provinsi "
                     "WHERE kd_klpd = $k", {"k": kd_klpd})[0][0]
