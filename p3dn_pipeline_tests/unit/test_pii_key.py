"""The hashing key of personal identifiers: a public, missing or short key is refused outside
demo mode, and the key never leaves the process: not in the warehouse file, not in an error,
not in Dagster's logs or metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline.defs.kpkp.source import KPKP_ROSTER
from p3dn_pipeline.lib.resources import P3dnWarehouse
from p3dn_pipeline.lib import ledger
from p3dn_pipeline.settings import DEMO_PII_KEY, PiiKeyError
from p3dn_pipeline_tests.conftest import REPO

NOW = dt.datetime(2025, 10, 1, 6, 0)
SECRET_KEY = "rahasia-dinas-7f3c9e2a51d84b06a9e1c2d3"
NIK = "3173014501900001"
ROSTER_CSV = (
    "NIK,Nama,Sektor,Kota,Kecamatan,Kelurahan,Tanggal Pembinaan,Produksi (kg),Omzet (Rp)\n"
    f"{NIK},Siti Aminah,Perikanan,Jakarta Barat,Cengkareng,Cengkareng Barat,13/01/2025,10,"
    "Rp 1.000.000\n")


SAMPLE = REPO / "data" / "landing"
APBD_2024 = "apbd/realisasi_apbd_2024.csv"


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    """A warehouse path, with neither a key nor demo mode set (make test sets demo mode), and
    the shipped sample as the landing folder."""
    monkeypatch.delenv("P3DN_PII_KEY", raising=False)
    monkeypatch.delenv("P3DN_DEMO_MODE", raising=False)
    monkeypatch.setenv("P3DN_LANDING_DIR", str(SAMPLE))
    return tmp_path / "warehouse" / "p3dn.duckdb"


def real_export(folder: Path) -> Path:
    """The sample's APBD CSV with one amount one rupiah more: a real-format export that is not
    a file of the sample."""
    path = folder / APBD_2024
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (SAMPLE / APBD_2024).read_bytes()
    assert data.count(b";89.681.661;") == 1
    path.write_bytes(data.replace(b";89.681.661;", b";89.681.662;"))  # same size
    return path


def open_session(database: Path):
    return P3dnWarehouse(database=str(database)).session()


def hmac_hex(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def secret_forms(key: str) -> list[bytes]:
    """The key and everything it can be recomputed from (the HMAC pads), raw and in hex."""
    padded = key.encode().ljust(64, b"\0")
    pads = [bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)]
    return [key.encode(), key.encode().hex().encode(),
            *pads, *(pad.hex().encode() for pad in pads)]


def test_missing_key_is_refused_outside_demo_mode(database):
    with pytest.raises(PiiKeyError) as refused, open_session(database):
        pass
    message = str(refused.value)
    assert message.startswith(
        "P3DN_PII_KEY is not set (or is the public demo key), so personal identifiers would "
        "be hashed with a key anyone can use to recompute them. Set P3DN_PII_KEY to a long "
        "random secret kept outside the repository")
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in message
    assert not database.exists()


@pytest.mark.parametrize("demo_mode", [None, "0", "yes"])
def test_public_demo_key_is_refused_unless_demo_mode_is_1(database, monkeypatch, demo_mode):
    monkeypatch.setenv("P3DN_PII_KEY", DEMO_PII_KEY)
    if demo_mode is not None:
        monkeypatch.setenv("P3DN_DEMO_MODE", demo_mode)
    with pytest.raises(PiiKeyError, match="is the public demo key"), open_session(database):
        pass


def test_short_key_is_refused_without_quoting_it(database, monkeypatch):
    monkeypatch.setenv("P3DN_PII_KEY", "Jkt-2025-pemda")  # 14 characters
    with pytest.raises(PiiKeyError) as refused, open_session(database):
        pass
    assert str(refused.value).startswith(
        "P3DN_PII_KEY is shorter than 16 characters, short enough to be found by trying "
        "every key.")
    assert "Jkt-2025" not in str(refused.value)


def test_demo_mode_hashes_the_shipped_sample_with_the_demo_key(database, monkeypatch):
    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    with open_session(database) as con:
        hashed = con.execute("SELECT p3dn_hmac(?)", [NIK]).fetchall()[0][0]
    assert hashed == hmac_hex(DEMO_PII_KEY, NIK)


def test_demo_mode_allows_the_demo_key_on_a_copy_or_part_of_the_sample(
        database, monkeypatch, tmp_path):
    """Files are known by their bytes, not their names or folder."""
    landing = tmp_path / "elsewhere"
    shutil.copytree(SAMPLE, landing)
    (landing / "lkpp" / "ecat_paket_v5_2024.csv").rename(landing / "renamed.csv")
    (landing / "kpkp" / "roster_kpkp_2024_TW1.xlsx").unlink()
    monkeypatch.setenv("P3DN_LANDING_DIR", str(landing))
    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    with open_session(database) as con:
        hashed = con.execute("SELECT p3dn_hmac(?)", [NIK]).fetchall()[0][0]
    assert hashed == hmac_hex(DEMO_PII_KEY, NIK)


@pytest.mark.parametrize("key", [None, DEMO_PII_KEY])
def test_demo_mode_refuses_the_demo_key_when_a_landed_file_is_not_in_the_sample(
        database, monkeypatch, tmp_path, key):
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE, landing)
    real_export(landing)  # replaces the sample's file
    monkeypatch.setenv("P3DN_LANDING_DIR", str(landing))
    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    if key is not None:
        monkeypatch.setenv("P3DN_PII_KEY", key)
    with pytest.raises(PiiKeyError) as refused, open_session(database):
        pass
    message = str(refused.value)
    assert message.startswith(
        f"P3DN_DEMO_MODE=1 allows the public demo key only on the shipped synthetic sample, "
        f"and the landing folder {landing} holds 1 file(s) that are not part of it "
        f"({APBD_2024}), so no file is read. Set P3DN_PII_KEY to a long random secret")
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in message
    assert "export P3DN_PII_KEY=" in message
    assert "P3DN_DEMO_MODE=0" in message
    assert not database.parent.exists()


def test_a_manifest_copied_beside_real_files_does_not_unlock_demo_mode(
        database, monkeypatch, tmp_path):
    """The landing folder's MANIFEST.json is never trusted, even one that lists the file."""
    landing = tmp_path / "landing"
    export = real_export(landing)
    manifest = json.loads((SAMPLE / "MANIFEST.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == APBD_2024:
            entry["sha256"] = hashlib.sha256(export.read_bytes()).hexdigest()
    (landing / "MANIFEST.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("P3DN_LANDING_DIR", str(landing))
    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    with pytest.raises(PiiKeyError, match=r"holds 1 file\(s\) that are not part of it "
                                          r"\(apbd/realisasi_apbd_2024\.csv\)"):
        with open_session(database):
            pass
    assert not database.parent.exists()


def test_demo_mode_allows_only_the_demo_key_not_a_short_one(database, monkeypatch):
    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    monkeypatch.setenv("P3DN_PII_KEY", "Jkt-2025-pemda")
    with pytest.raises(PiiKeyError, match="^P3DN_PII_KEY is shorter than 16 characters"):
        with open_session(database):
            pass


def test_a_run_refuses_the_demo_key_for_the_landing_folder_its_resource_is_given(
        database, monkeypatch, tmp_path):
    """P3DN_LANDING_DIR is the sample, but the run's own landing folder (resource config, as
    the UI's launchpad can set it) holds a real export: the run fails before any step."""
    from dagster import DagsterEventType, DagsterInstance, materialize

    from p3dn_pipeline.lib.factories import build_file_ledger_asset
    from p3dn_pipeline.lib.resources import PipelineSettings

    landing = tmp_path / "landing"
    real_export(landing)
    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    result = materialize(
        [build_file_ledger_asset()], instance=DagsterInstance.ephemeral(),
        resources={"warehouse": P3dnWarehouse(database=str(database)),
                   "pipeline": PipelineSettings(landing_dir=str(landing), kd_klpd="DKI")},
        raise_on_error=False)
    assert not result.success
    [failure] = [event for event in result.all_events
                 if event.event_type == DagsterEventType.RESOURCE_INIT_FAILURE]
    assert (f"the landing folder {landing} holds 1 file(s) that are not part of it "
            f"({APBD_2024})") in str(failure.event_specific_data)
    assert not [event for event in result.all_events if event.is_step_start]
    assert not database.parent.exists()


def test_the_package_lists_exactly_the_files_of_the_shipped_sample():
    """What demo mode accepts is the committed sample (make synth rewrites both together)."""
    from p3dn_pipeline.demo_sample import shipped_sample
    from p3dn_pipeline.lib.landing import discover

    on_disk = {hashlib.sha256(f.path.read_bytes()).hexdigest(): f.size_bytes
               for f in discover(SAMPLE)}
    manifest = json.loads((SAMPLE / "MANIFEST.json").read_text())
    # 40 LKPP, APBD and KPKP files, 11 business-matching batches, 2 e-Order, 6 e-commerce
    assert len(on_disk) == len(manifest["files"]) == 59
    assert {entry["sha256"] for entry in manifest["files"]} == set(on_disk)
    assert shipped_sample() == on_disk


def test_long_key_is_used_outside_demo_mode(database, monkeypatch):
    monkeypatch.setenv("P3DN_PII_KEY", SECRET_KEY)
    with open_session(database) as con:
        hashed = con.execute("SELECT p3dn_hmac(?)", [NIK]).fetchall()[0][0]
    assert hashed == hmac_hex(SECRET_KEY, NIK)


def test_key_never_reaches_the_warehouse_file_nor_an_error(database, monkeypatch, tmp_path):
    monkeypatch.setenv("P3DN_PII_KEY", SECRET_KEY)
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    (landing_dir / "binaan.csv").write_text(ROSTER_CSV)
    (landing_dir / "binaan_rusak.csv").write_text(ROSTER_CSV + f'{NIK},"unclosed\n')
    with open_session(database) as con:
        ledger.take_inventory(con, landing_dir, NOW)
        loaded = ledger.load_pending(con, KPKP_ROSTER, landing_dir, NOW)
        with pytest.raises(duckdb.Error) as misuse:
            con.execute("SELECT p3dn_hmac(42)").fetchall()
        stored = con.execute("SELECT nik_hash FROM raw.kpkp_roster").fetchall()
    # The key was used (so its absence below is not vacuous) ...
    assert stored == [(hmac_hex(SECRET_KEY, NIK),)]
    # ... and appears in no error ...
    errors = [str(misuse.value), *(r["reason"] for r in loaded.rejected)]
    assert len(errors) == 2
    assert not [form for form in secret_forms(SECRET_KEY) for text in errors
                if form in text.encode()]
    # ... nor in any file of the warehouse, nor in the state a new connection sees.
    written = b"".join(path.read_bytes() for path in database.parent.iterdir())
    assert NIK.encode() not in written
    assert [form for form in secret_forms(SECRET_KEY) if form in written] == []
    reader = duckdb.connect(str(database), read_only=True)
    try:
        assert reader.execute("SELECT * FROM duckdb_variables()").fetchall() == []
        settings_text = str(reader.execute("SELECT * FROM duckdb_settings()").fetchall())
    finally:
        reader.close()
    assert SECRET_KEY not in settings_text


@pytest.mark.slow
def test_key_is_in_no_log_line_metadata_or_file_of_a_pipeline_run(pipeline_env, monkeypatch):
    monkeypatch.setenv("P3DN_PII_KEY", SECRET_KEY)
    monkeypatch.delenv("P3DN_DEMO_MODE", raising=False)
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "mini_p3dn", pipeline_env.landing,
                    dirs_exist_ok=True)
    (pipeline_env.landing / "binaan.csv").write_text(ROSTER_CSV)
    result = pipeline_env.materialize(raise_on_error=False)
    assert pipeline_env.query("SELECT nik_hash FROM raw.kpkp_roster") == [
        (hmac_hex(SECRET_KEY, NIK),)]
    logged = "\n".join(repr(event) for event in result.all_events).encode()
    written = b"".join(path.read_bytes() for path in pipeline_env.warehouse.parent.iterdir()
                       if path.is_file())
    assert [form for form in secret_forms(SECRET_KEY) if form in logged + written] == []
