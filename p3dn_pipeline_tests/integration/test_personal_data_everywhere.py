"""Personal data never leaves the export it came in: one real ``p3dn run`` (publish included:
serving file, Parquet, dashboard) on the committed sample plus hand-written exports full of
people's data, with a real key outside demo mode, and then a scan of EVERYTHING the run wrote:

- every byte of every file under the installation (warehouse and its write-ahead log,
  serving file, Parquet files, dashboard, the run's TMPDIR, its captured stdout/stderr) and
  under DAGSTER_HOME (Dagster's SQLite run, event and index databases, compute logs, ...);
- every value of every table and view, and every comment and definition, in the warehouse
  and the serving file, and every value of every Parquet file (they compress their pages, so
  a byte scan alone could miss a value);
- every event of every run in the Dagster instance (messages, metadata, check results, run
  records and tags), serialized;
- what ``p3dn run`` printed;
- and, as the run is preceded by a ``p3dn pull`` from a local stand-in of the INAPROC data API
  (one dataset pulled, one refused with an error that quotes the token back), everything the
  pull wrote: its snapshot file and hidden sidecars in the landing folder, its run in the
  Dagster instance, and what it printed.

Searched for: the hand-written NIKs as written (spaces, dots) and as digits, a malformed NIK,
the NIPs (with and without spaces), the NIK given as a vendor's NPWP-16, names, phone numbers
(as written and as digits), e-mail addresses, home addresses, a user name; the NIKs, phone
numbers, NIPs and NPWPs of the committed sample itself; and the PII key with everything it
can be recomputed from (its hex form and the HMAC pads); and the INAPROC API token.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from p3dn_pipeline_tests.inaproc_server import FakeInaproc, error, paged, v6_order_as_served
from p3dn_pipeline_tests.integration.cli_runs import (
    RUN_PII_KEY,
    SAMPLE_LANDING,
    Deployment,
    Finished,
    copy_sample_landing,
    fast_folder,
    instance_of,
    quote,
)

pytestmark = pytest.mark.slow

# Roster: (NIK as written, name, phone as written, home address, e-mail)
ROSTER = [
    ("3171 0512 8800 0101", "Rahmawati Kusumaningrum", "0812-9988-7766",
     "Jl. Kenari Dalam No. 17 RT 004/RW 002", "rahma.kusuma@contoh.id"),
    ("3172.0623.9100.0202", "Sugiharto Wibisono", "+62 813 1234 9876",
     "Gg. Haji Ridi No. 5, Kemanggisan", "sugi.wibisono@contoh.id"),
    ("3173014809950303", "Yohana Pardede", "081377665544",
     "Komplek Deplu Blok C/12, Pondok Aren", "yohana.pardede@contoh.id"),
]
BAD_NIK = ("3174 0512 88", "Bambang Sutejo", "0856-1122-3344", "Jl. Rawa Belong No. 3",
           "bambang.sutejo@contoh.id")
# A row shifted right by one cell from Nama (issue 17, class 9): her name lands in NIB, a
# kelurahan in Tanggal Pembinaan, her phone number and address in No HP and Alamat.
SHIFTED = ("3175 0904 8500 0505", "Dewi Lestari Handayani", "0857-6655-4433",
           "Jl. Pluit Raya No. 9", "dewi.lestari@contoh.id")
NPWP_NIK = "3173014809950303"  # Yohana Pardede's NIK, as her sole proprietorship's NPWP-16
# e-katalog v5 PPK: (NIP as written, name, phone, e-mail)
PPK = [("198503122010011004", "Hendrawati Siregar", "0811-2233-4455",
        "hendrawati.s@jakarta.go.id"),
       ("19790615 200501 2 007", "Bonifasius Simanjuntak", "0821 5566 7788",
        "boni.simanjuntak@jakarta.go.id")]
SIRUP_PPK = ("197906152005012007", "Bonifasius Simanjuntak", "bonifasius.s")
VENDOR = {"kd_penyedia": 990001, "kode_penyedia_sikap": 990001,
          "nama_penyedia": "UD PANGAN SEHAT PONDOK AREN", "penyedia_ukm": "UKM",
          "alamat_penyedia": "Komplek Deplu Blok C/12, Pondok Aren",
          "email": "yohana.pardede@contoh.id", "no_telp": "0813-7766-5544",
          "npwp_16": NPWP_NIK, "nib": None, "kbli2020_penyedia": "10792"}
KD_RUP, KD_PAKET = 99000001, 99000001
# The SPSE, Bela and MasterSatker fixtures (issue 12) carry made-up personal values in every
# personal field of those exports: officials' NIPs and names, vendors' representatives and
# bank accounts, people's NPWPs, the orderer, the swakelola executor, addresses and phones.
SPSE_BELA_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spse_bela"
SPSE_BELA_TEXTS = [
    "Dra. Fiktif Rahayu", "Kepala Bidang Fiktif", "SK/PPK/FIKTIF/001", "Budi Fiktifianto",
    "Siti Fiktifah", "Agus Fiktif Setiawan", "FIRMAN FIKTIF RAMDANI", "Dena Fiktif Rifki",
    "Rina Fiktif Pemesan", "Jl. Fiktif Pemesan No. 17", "Jl. Kantor Fiktif No. 1"]
SPSE_BELA_IDENTIFIERS = [
    "19800101 200501 1 001", "19750505 200003 2 004", "19820303 200604 1 005",  # NIPs
    "01.234.567.8-901.000", "02.345.678.9-012.000", "03.456.789.0-123.000",  # NPWPs
    "3204011212850001", "3204015506880002", "3204016607900003", "3204017707910004",
    "3204018808920005",  # NPWP-16 = NIK
    "0012345678901",  # bank account
    "0812-0000-1717"]  # phone


# The INAPROC data API token of the pull that precedes the run.
API_TOKEN = "inaproc-rahasia-token-3e9b1d7c40aa"
PULLED_KD_RUP_OFFSET = 77_000_000
# The PPK the v1 e-katalog endpoint names in each pulled order (rup_nip_ppk, rup_nama_ppk).
V6_PPK = ("197703152005011002", "Sri Wahyuningtyas Pulled")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def hashed(identifier: str) -> str:
    return hmac.new(RUN_PII_KEY.encode(), digits(identifier).encode(),
                    hashlib.sha256).hexdigest()


def write_personal_exports(landing: Path) -> None:
    # A KPKP roster as Dinas KPKP writes it: title rows, then the header, and columns the
    # pipeline must not read (name, phone, address, e-mail).
    workbook = xlsxwriter.Workbook(str(landing / "kpkp" / "binaan_tambahan_2025_tw3.xlsx"))
    sheet = workbook.add_worksheet("TW III 2025")
    sheet.write(0, 0, "DAFTAR PELAKU UMKM BINAAN TAMBAHAN TRIWULAN III 2025")
    sheet.write_row(2, 0, ["No", "NIK", "Nama", "NIB", "Jenis Kelamin", "Nama Usaha", "Sektor",
                           "Kota", "Kecamatan", "Kelurahan", "Tanggal Pembinaan",
                           "Produksi (kg)", "Omzet (Rp)", "Triwulan", "No HP", "Alamat",
                           "Email"])
    places = [("Jakarta Barat", "Cengkareng", "Cengkareng Barat", "Perikanan"),
              ("Jakarta Selatan", "Tebet", "Tebet Timur", "Peternakan"),
              ("Jakarta Barat", "Cengkareng", "Cengkareng Barat", "Perikanan"),
              ("Jakarta Selatan", "Tebet", "Tebet Timur", "Peternakan")]
    for number, ((nik, name, phone, address, email), (kota, kec, kel, sektor)) in enumerate(
            zip([*ROSTER, BAD_NIK], places), 1):
        sheet.write_row(2 + number, 0, [
            number, nik, name, "", "P", f"Usaha Tambahan {number}", sektor, kota, kec, kel,
            "15/08/2025", 100 * number, f"Rp {number}.000.000", "TW III 2025", phone,
            address, email])
    nik, name, phone, address, email = SHIFTED
    sheet.write_row(7, 0, [5, nik, "", name, "", "P", "Usaha Tambahan 5", "Perikanan",
                           "Jakarta Barat", "Cengkareng", "Cengkareng Barat", "15/08/2025",
                           500, "Rp 5.000.000", "TW III 2025", phone, address])
    workbook.close()
    # A broken copy of a roster (an unclosed quote): rejected, and its reason must not
    # quote it.
    nik, name, phone, address, email = ROSTER[0]
    (landing / "kpkp" / "binaan_rusak.csv").write_text(
        "NIK,Nama,Sektor,Kota,Kecamatan,Kelurahan,Tanggal Pembinaan,Produksi (kg),"
        "Omzet (Rp),No HP,Alamat\n"
        f'{nik},"{name},Perikanan,Jakarta Barat,Cengkareng,Cengkareng Barat,15/08/2025,'
        f"10,1000,{phone},{address}\n", encoding="utf-8")

    # e-katalog v5 lines with the PPK's NIP, name, phone and e-mail, sold by the vendor
    # whose NPWP-16 is a roster NIK.
    with (SAMPLE_LANDING / "lkpp" / "ecat_paket_v5_2025.csv").open(encoding="utf-8") as f:
        template = next(csv.DictReader(f))
    header = [*template, "nama_ppk", "no_telp_user_pokja", "email_user_pokja"]
    with (landing / "lkpp" / "ecat_paket_v5_ppk.csv").open("w", newline="",
                                                          encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for line, (nip, name, phone, email) in enumerate(PPK):
            # Another pemda's export (D999): a second export of the sample's own pemda and
            # year would replace the sample's (exports are snapshots).
            writer.writerow({**template, "kd_klpd": "D999", "kd_paket": KD_PAKET + line,
                             "no_paket": f"SRM-P2508-{KD_PAKET + line}", "kd_rup": KD_RUP,
                             "kd_penyedia": VENDOR["kd_penyedia"], "ppk_nip": nip,
                             "nama_ppk": name, "no_telp_user_pokja": phone,
                             "email_user_pokja": email, "tanggal_buat_paket": "2025-08-20",
                             "tanggal_edit_paket": "2025-08-25", "status_paket": "selesai",
                             "paket_status_str": "Paket Selesai"})
    # SiRUP package of those lines, with its PPK.
    sirup = json.loads((SAMPLE_LANDING / "lkpp" / "rup_paket_penyedia_2025.json").read_text(
        encoding="utf-8"))[0]
    nip, name, username = SIRUP_PPK
    (landing / "lkpp" / "rup_paket_ppk.json").write_text(json.dumps([{
        **sirup, "kd_klpd": "D999", "kd_rup": KD_RUP, "kd_satker": int(template["satker_id"]),
        "nip_ppk": nip,
        "nama_ppk": name, "username_ppk": username}]), encoding="utf-8")
    # The vendor.
    (landing / "lkpp" / "penyedia_perorangan.json").write_text(json.dumps([VENDOR]),
                                                               encoding="utf-8")
    # SPSE, Bela and MasterSatker exports with personal fields (JSON and CSV).
    (landing / "spse_bela").mkdir()
    for path in SPSE_BELA_FIXTURES.iterdir():
        (landing / "spse_bela" / path.name).write_bytes(path.read_bytes())


def sample_identifiers() -> set[str]:
    """NIKs and phone numbers of the committed sample's rosters, NIPs of its PPKs, NPWPs of
    its vendors: personal data too, synthetic or not."""
    from python_calamine import CalamineWorkbook

    found: set[str] = set()
    for path in sorted((SAMPLE_LANDING / "kpkp").glob("*.xlsx")):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        header = next(i for i, row in enumerate(rows) if "NIK" in row)
        nik, phone = rows[header].index("NIK"), rows[header].index("No HP")
        for row in rows[header + 1:]:
            found |= {digits(str(row[nik])), digits(str(row[phone]))}
    for path in (SAMPLE_LANDING / "lkpp").glob("ecat_paket_v5_*.csv"):
        with path.open(encoding="utf-8") as handle:
            found |= {digits(row["ppk_nip"]) for row in csv.DictReader(handle)}
    for vendor in json.loads((SAMPLE_LANDING / "lkpp" / "ecat_penyedia_detail.json")
                             .read_text(encoding="utf-8")):
        found |= {digits(str(vendor.get(k) or "")) for k in ("npwp_16", "npwp")}
    # Business matching (owner's NIK, NPWP, phone) and e-Order (NPWP) spreadsheets.
    for row in issue13_rows():
        found |= {digits(str(row.get(k) or "")) for k in ("NIK Pemilik", "NPWP", "No HP")}
    return {value for value in found if len(value) >= 10}


def issue13_rows() -> list[dict]:
    """Every data row of the sample's business-matching and e-Order spreadsheets."""
    from python_calamine import CalamineWorkbook

    rows: list[dict] = []
    for path in sorted([*(SAMPLE_LANDING / "bisnis_matching").iterdir(),
                        *(SAMPLE_LANDING / "eorder").iterdir()]):
        if path.suffix == ".csv":
            with path.open(encoding="utf-8") as handle:
                rows += list(csv.DictReader(handle, delimiter=";"))
            continue
        cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        header = next(i for i, row in enumerate(cells) if "Nama Pemilik" in row)
        rows += [dict(zip(cells[header], row)) for row in cells[header + 1:]]
    return rows


def sample_owner_names() -> list[str]:
    """Owners named in the sample's business-matching and e-Order spreadsheets (full names:
    a lone first name such as "Agus" is also part of ordinary words, "Agustus")."""
    return sorted({str(row["Nama Pemilik"]).strip() for row in issue13_rows()
                   if len(str(row.get("Nama Pemilik") or "").split()) >= 2})


def key_forms() -> list[str]:
    """The key, its hex, and the HMAC pads (in hex) from which it can be recomputed."""
    padded = RUN_PII_KEY.encode().ljust(64, b"\0")
    pads = [bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)]
    return [RUN_PII_KEY, RUN_PII_KEY.encode().hex(), *(pad.hex() for pad in pads)]


@dataclass
class Secrets:
    texts: list[str]          # as written; names etc. matched without regard to case
    digit_runs: set[str]      # identifiers, matched on any run of digits and separators
    key_bytes: list[bytes]    # the raw pads as well, for byte scans

    @classmethod
    def build(cls) -> Secrets:
        people = [*ROSTER, BAD_NIK, SHIFTED]
        texts = [value for person in people for value in person]
        texts += [value for ppk in PPK for value in ppk] + list(SIRUP_PPK) + list(V6_PPK)
        texts += [VENDOR["alamat_penyedia"], VENDOR["email"], VENDOR["no_telp"]]
        texts += key_forms() + [API_TOKEN]
        texts += SPSE_BELA_TEXTS + SPSE_BELA_IDENTIFIERS + sample_owner_names()
        runs = {digits(value) for person in people for value in (person[0], person[2])}
        runs |= {digits(value) for value in SPSE_BELA_IDENTIFIERS}
        runs |= {digits(ppk[0]) for ppk in PPK} | {digits(ppk[2]) for ppk in PPK}
        runs |= {SIRUP_PPK[0], V6_PPK[0], NPWP_NIK, digits(VENDOR["no_telp"])}
        runs |= sample_identifiers()
        padded = RUN_PII_KEY.encode().ljust(64, b"\0")
        return cls(sorted(set(texts)), runs,
                   [bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)])

    def found_in_text(self, text: str) -> list[str]:
        lowered = text.lower()
        found = [secret for secret in self.texts if secret.lower() in lowered]
        for run in re.findall(r"\d[\d .\-]{8,}\d", text):
            flat = digits(run)
            found += [secret for secret in self.digit_runs
                      if secret == flat or (len(secret) >= 12 and secret in flat)]
        return sorted(set(found))

    def found_in_bytes(self, data: bytes) -> list[str]:
        found = self.found_in_text(data.decode("latin-1"))
        return found + [f"HMAC pad {i}" for i, pad in enumerate(self.key_bytes) if pad in data]


def database_text(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """Every value of every table and view of a DuckDB file, and its catalog (comments,
    view and macro definitions), as text."""
    own = con is None
    if own:
        con = duckdb.connect()
    try:
        con.execute("ATTACH $p AS scanned (READ_ONLY)", {"p": str(path)}).fetchall()
        parts = []
        for query in ("SELECT * FROM duckdb_tables() WHERE database_name = 'scanned'",
                      "SELECT * FROM duckdb_columns() WHERE database_name = 'scanned'",
                      "SELECT * FROM duckdb_views() WHERE database_name = 'scanned'",
                      "SELECT * FROM duckdb_functions() WHERE database_name = 'scanned'"):
            parts.append(rows_text(con.execute(query).fetchall()))
        relations = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = "
            "'scanned' UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE database_name = 'scanned' AND NOT internal").fetchall()
        assert len(relations) > 5
        for schema, table in relations:
            parts.append(rows_text(con.execute(
                f"SELECT * FROM scanned.{quote(schema)}.{quote(table)}").fetchall()))
        con.execute("DETACH scanned").fetchall()
        return "\x1f".join(parts)
    finally:
        if own:
            con.close()


def rows_text(rows: list[tuple]) -> str:
    return "\x1f".join("\x1f".join("" if v is None else str(v) for v in row) for row in rows)


@dataclass
class Written:
    deployment: Deployment
    finished: Finished
    secrets: Secrets
    files: dict[str, bytes]
    tables: dict[str, str]
    events: dict[str, str]
    pulled: Finished


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Written:
    from dagster._serdes import serialize_value

    root = tmp_path_factory.mktemp("personal")
    with fast_folder("p3dn-personal-") as homes:
        deployment = Deployment(root, copy_sample_landing(root / "landing"), homes / "dh",
                                demo_mode=False)
        write_personal_exports(deployment.landing)
        with FakeInaproc(API_TOKEN) as api:
            # Another pemda's packages (D998, kd_rup of their own), so the sample's own
            # SiRUP export is not replaced by them.
            packages = [{**row, "kd_klpd": "D998",
                         "kd_rup": int(row["kd_rup"]) + PULLED_KD_RUP_OFFSET}
                        for row in json.loads((SAMPLE_LANDING / "lkpp" /
                                               "rup_paket_penyedia_2025.json").read_text(
                                                   encoding="utf-8"))]
            api.routes["v1/rup/paket-penyedia-terumumkan"] = paged(packages, [2, len(packages)])
            # And D998's e-katalog v6 orders, under the API's English names, each naming its
            # PPK (NIP and name), which must reach nothing the run writes.
            orders = [{**v6_order_as_served({**order, "kd_klpd": "D998",
                                             "kd_rup": str(int(order["kd_rup"])
                                                           + PULLED_KD_RUP_OFFSET)}),
                       "order_id": f"01PULLED{number:018d}",
                       "rup_nip_ppk": V6_PPK[0], "rup_nama_ppk": V6_PPK[1]}
                      for number, order in enumerate(json.loads(
                          (SAMPLE_LANDING / "lkpp" / "ecat_paket_v6_2025.json").read_text(
                              encoding="utf-8"))[:5])]
            api.routes["v1/ekatalog/paket-e-purchasing"] = paged(orders, [3, 2])
            api.routes["v1/tender/tender-selesai-nilai"] = {"": [error(
                403, "Forbidden", f"token {API_TOKEN} has no access to tender")]}
            deployment.extra_env.update({"INAPROC_API_TOKEN": API_TOKEN,
                                         "P3DN_INAPROC_BASE_URL": api.base_url})
            pulled = deployment.run("pull", args=(
                "pull", "--dataset", "sirup_paket_penyedia", "--dataset",
                "ekatalog_paket_v6", "--dataset", "spse_tender_selesai", "--year", "2025"))
        assert pulled.returncode == 1, pulled.output[-3000:]
        finished = deployment.run("run")
        assert finished.returncode == 0, finished.output[-3000:]

        files = {}
        for base in (root, deployment.dagster_home):
            for path in sorted(base.rglob("*")):
                if path.is_file() and (deployment.landing not in path.parents
                                       or "inaproc" in path.parts):
                    files[str(path)] = path.read_bytes()
        tables = {str(deployment.warehouse): database_text(deployment.warehouse),
                  str(deployment.serving): database_text(deployment.serving)}
        con = duckdb.connect()
        try:
            for path in sorted(deployment.parquet_dir.glob("*.parquet")):
                tables[str(path)] = rows_text(con.execute(
                    "SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall())
        finally:
            con.close()
        instance = instance_of(deployment.dagster_home)
        events = {}
        for run in instance.get_runs():
            events[f"run {run.run_id}"] = serialize_value(run)
            for number, entry in enumerate(instance.all_logs(run.run_id)):
                events[f"run {run.run_id} event {number}"] = serialize_value(entry)
        return Written(deployment, finished, Secrets.build(), files, tables, events, pulled)


def test_the_run_read_the_personal_exports_and_kept_only_keyed_hashes(written):
    """So that finding nothing below means something."""
    with duckdb.connect(str(written.deployment.warehouse), read_only=True) as con:
        def values(sql: str) -> set:
            return {row[0] for row in con.execute(sql).fetchall()}

        roster_ids = values("SELECT pelaku_usaha_id FROM staging.kpkp_roster "
                            "WHERE _source_file = 'kpkp/binaan_tambahan_2025_tw3.xlsx'")
        assert roster_ids == {hashed(person[0]) for person in ROSTER}
        assert values("SELECT offending_value FROM quarantine.kpkp_roster WHERE _source_file "
                      "= 'kpkp/binaan_tambahan_2025_tw3.xlsx' AND column_name = 'NIK'") == {
            "shape 9999999999"}
        # The shifted row: her name in NIB is kept as its shape and quarantines the row.
        shifted_nib = ("NIB", "personal_data_in_field",
                       "disembunyikan, bentuk AAAA AAAAAAA AAAAAAAAA")
        assert shifted_nib in {
            tuple(row) for row in con.execute(
                "SELECT column_name, rule, offending_value FROM quarantine.kpkp_roster "
                "WHERE _source_file = 'kpkp/binaan_tambahan_2025_tw3.xlsx'").fetchall()}
        assert values("SELECT ppk_nip_hash FROM raw.ekatalog_paket_v5 WHERE _source_file = "
                      "'lkpp/ecat_paket_v5_ppk.csv'") == {hashed(ppk[0]) for ppk in PPK}
        assert values("SELECT nip_ppk_hash FROM raw.sirup_paket_penyedia WHERE kd_rup = "
                      f"'{KD_RUP}'") == {hashed(SIRUP_PPK[0])}
        # The vendor's NPWP-16 is Yohana Pardede's NIK: her business is found on e-katalog.
        assert ("NPWP", hashed(NPWP_NIK)) in con.execute(
            "SELECT dasar_pencocokan, pelaku_usaha_id FROM marts.umkm_ekatalog").fetchall()
        assert values("SELECT status FROM raw.file_ledger "
                      "WHERE path = 'kpkp/binaan_rusak.csv'") == {"rejected"}
        assert values("SELECT status FROM raw.file_ledger "
                      "WHERE path LIKE 'spse_bela/%'") == {"loaded"}
        assert values("SELECT nip_ppk_hash FROM raw.spse_tender_kontrak WHERE _source_file "
                      "LIKE 'spse_bela/%'") == {hashed("19800101 200501 1 001")}
        assert values("SELECT npwp_16_penyedia_hash FROM staging.spse_tender_selesai "
                      "WHERE _source_file LIKE 'spse_bela/%'") == {
            hashed("3204011212850001"), hashed("3204015506880002"), None}
        assert values("SELECT npwp_pelaksana_hash FROM raw.spse_pencatatan_swakelola_realisasi "
                      "WHERE _source_file LIKE 'spse_bela/%'") == {hashed("3204018808920005")}
    # The scans below cover what the run wrote.
    names = {Path(name).name for name in written.files}
    assert {"p3dn.duckdb", "marts.duckdb", "dashboard.html", "runs.db", "index.db",
            "umkm_ekatalog.parquet", "run.out", "run.err"} <= names
    assert len(written.events) > 300
    # The pull wrote its file, which the run loaded, and said which dataset failed.
    assert "inaproc/sirup_paket_penyedia/DKI_2025.json" in written.pulled.stdout
    assert "spse_tender_selesai 2025: v1/tender/tender-selesai-nilai page 1" in (
        written.pulled.stderr)
    assert "LKPP said: Forbidden (token [token] has no access to tender)" in (
        written.pulled.stderr)
    with duckdb.connect(str(written.deployment.warehouse), read_only=True) as con:
        assert con.execute(
            "SELECT status, rows_loaded > 0 FROM raw.file_ledger WHERE path = "
            "'inaproc/sirup_paket_penyedia/DKI_2025.json'").fetchall() == [("loaded", True)]
        assert con.execute(
            "SELECT status, dataset, rows_loaded FROM raw.file_ledger WHERE path = "
            "'inaproc/ekatalog_paket_v6/DKI_2025.json'").fetchall() == [
            ("loaded", "ekatalog_paket_v6", 5)]


def test_the_sample_holds_the_identifiers_searched_for(written):
    """The scan would find them: they are in the landing folder the run read."""
    landing = b"".join(path.read_bytes() for path in written.deployment.landing.rglob("*")
                       if path.suffix in {".csv", ".json"})
    found = written.secrets.found_in_bytes(landing)
    assert {digits(PPK[1][0]), NPWP_NIK, SIRUP_PPK[0], V6_PPK[0], V6_PPK[1]} <= set(found)
    assert set(SPSE_BELA_TEXTS) <= set(found)
    assert {digits(value) for value in SPSE_BELA_IDENTIFIERS} <= set(found)
    assert len(set(found) & written.secrets.digit_runs) > 200


def test_no_personal_data_nor_the_key_in_any_file_the_run_wrote(written):
    # The pull's snapshots are LKPP's exports as LKPP serves them, its PPKs' NIPs included,
    # dropped into the landing folder like the exports downloaded by hand: the input, not
    # what the run wrote (the token scan below covers them). Their sidecars are scanned.
    snapshots = {str(path) for path in (written.deployment.landing / "inaproc").rglob("*.json")
                 if not path.name.startswith(".")}
    assert len(snapshots) == 2
    leaks = {path: found for path, data in written.files.items()
             if path not in snapshots and (found := written.secrets.found_in_bytes(data))}
    assert not leaks


def test_no_personal_data_nor_the_key_in_any_table_or_parquet_value(written):
    leaks = {path: found for path, text in written.tables.items()
             if (found := written.secrets.found_in_text(text))}
    assert not leaks


def test_no_personal_data_nor_the_key_in_dagsters_event_log(written):
    leaks = {name: found for name, text in written.events.items()
             if (found := written.secrets.found_in_text(text))}
    assert not leaks


def test_no_personal_data_nor_the_key_in_what_p3dn_run_printed(written):
    assert "Rejected: kpkp/binaan_rusak.csv" in written.finished.stderr
    assert not written.secrets.found_in_text(written.finished.output)


def test_the_api_token_is_in_nothing_the_pull_wrote_or_printed(written):
    """The token reached the server (or the refusal could not quote it back) and nowhere
    else: not the snapshot file nor its sidecars, not the pull's Dagster run, not its output."""
    pulled_files = [name for name in written.files if "inaproc" in Path(name).parts]
    # The snapshots (pages, one envelope a line), their lock files and the request log
    # shared by every pull into the landing folder.
    assert {".requests", "DKI_2025.json", ".DKI_2025.json.lock"} <= {
        Path(name).name for name in pulled_files}
    v6 = written.deployment.landing / "inaproc" / "ekatalog_paket_v6" / "DKI_2025.json"
    assert [len(json.loads(line)["data"]) for line in v6.read_text().splitlines()] == [3, 2]
    assert not written.secrets.found_in_text(written.pulled.output)
    for text in [*written.files.values(), *(t.encode() for t in written.events.values())]:
        assert API_TOKEN.encode() not in text
