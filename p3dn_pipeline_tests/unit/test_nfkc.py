"""NFKC before any identifier rule (issue 17, class 9): DuckDB has only nfc_normalize, so
p3dn_nfkc (lib/sql/nfkc_macros.sql) and its Python twin indoformat.nfkc_ascii translate every
character whose NFKC form is printable ASCII. Both are held here to unicodedata over every
code point up to U+2FFFF, and a file loaded with full-width codes and a NIK in compatibility
digits reads, joins and hashes as the ASCII one."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import unicodedata

import pytest

from p3dn_pipeline.lib import ledger
from p3dn_pipeline.lib.indoformat import digits, nfkc_ascii, nib
from p3dn_pipeline.lib.sources import registry
from p3dn_pipeline_tests.conftest import TEST_PII_KEY

ARABIC_INDIC = {**{chr(0x660 + i): str(i) for i in range(10)},
                **{chr(0x6F0 + i): str(i) for i in range(10)}}
EVERY_CODE_POINT = [chr(cp) for cp in range(0x80, 0x30000) if not 0xD800 <= cp <= 0xDFFF]


def expected_form(c: str) -> str:
    """What a character must read as, from unicodedata alone."""
    if c in ARABIC_INDIC:
        return ARABIC_INDIC[c]
    n = unicodedata.normalize("NFKC", c)
    if n and all(0x20 <= ord(x) < 0x7F for x in n):
        return n
    return c


def test_the_python_twin_is_nfkc_for_every_character_whose_nfkc_is_ascii():
    wrong = [(hex(ord(c)), nfkc_ascii(c), expected_form(c)) for c in EVERY_CODE_POINT
             if nfkc_ascii(c) != expected_form(c)]
    assert wrong == []
    # and it is not the identity: the full-width block alone holds 94 characters
    assert sum(nfkc_ascii(c) != c for c in EVERY_CODE_POINT) > 1000


def test_the_sql_macro_agrees_with_the_python_twin_on_every_character(warehouse_con):
    mapped = [c for c in EVERY_CODE_POINT if expected_form(c) != c]
    unmapped = [c for c in EVERY_CODE_POINT if expected_form(c) == c]
    # every mapped character, and every 7th other one (é, Ω, ٫, CJK...) which must stay
    sample = mapped + unmapped[::7]
    got = warehouse_con.execute(
        "SELECT list_transform($cs, lambda c: p3dn_nfkc(c))", {"cs": sample}).fetchall()[0][0]
    wrong = [(hex(ord(c)), g, expected_form(c)) for c, g in zip(sample, got)
             if g != expected_form(c)]
    assert wrong == []


@pytest.mark.parametrize(("typed", "reads"), [
    ("ＴＷ Ｉ ２０２５", "TW I 2025"),
    ("TW Ⅱ 2025", "TW II 2025"),
    ("１２３４５６７８９０１２３", "1234567890123"),
    ("ＮＩＢ－９１２０", "NIB-9120"),
    ("José Ñ 日本", "José Ñ 日本"),
    ("³¹⁷³⁰¹⁴⁵⁰¹⁹⁰⁰⁰⁰¹", "3173014501900001"),
    ("①②③", "123"),
    ("ﬁle", "file"),
    ("", ""),
])
def test_values_read_in_their_nfkc_form_in_sql_and_python(warehouse_con, typed, reads):
    assert nfkc_ascii(typed) == reads
    assert warehouse_con.execute("SELECT p3dn_nfkc($t)", {"t": typed}).fetchall() == [(reads,)]


def test_identifier_rules_read_compatibility_characters(warehouse_con):
    assert nib("１２３４５６７８９０１２３") == "1234567890123"
    assert digits("３１７３ ０１４５ ０１９０ ０００１") == "3173014501900001"
    assert warehouse_con.execute(
        "SELECT p3dn_nib(p3dn_nfkc('１２３４５６７８９０１２３')), p3dn_nfkc(NULL), "
        "p3dn_nfkc(12)").fetchall() == [("1234567890123", None, "12")]


NIK = "3173014501900001"
ROSTER_HEADER = ("NIK;Nama;NIB;Sektor;Kota;Kecamatan;Kelurahan;Tanggal Pembinaan;"
                 "Produksi (kg);Omzet (Rp);Triwulan\n")


def test_a_roster_typed_in_compatibility_characters_loads_as_the_ascii_one(warehouse_con,
                                                                          tmp_path):
    # Same owner twice: once in ASCII, once with a superscript-digit NIK, a full-width NIB
    # and a full-width quarter; both rows must read (and hash) the same.
    (tmp_path / "binaan_kpkp_tw1_2025.csv").write_text(
        ROSTER_HEADER
        + f"{NIK};Siti Aminah;1234567890123;Perikanan;Jakarta Barat;Cengkareng;"
          "Cengkareng Barat;13/01/2025;200;Rp 50.000.000;TW I 2025\n"
        + "³¹⁷³⁰¹⁴⁵⁰¹⁹⁰⁰⁰⁰¹;Siti Aminah;１２３４５６７８９０１２３;Ｐｅｒｉｋａｎａｎ;Jakarta Barat;"
          "Cengkareng;Cengkareng Barat;１３/０１/２０２５;２００;Rp ５０.０００.０００;ＴＷ Ｉ ２０２５\n",
        encoding="utf-8")
    now = dt.datetime(2025, 10, 1, 6, 0)
    ledger.take_inventory(warehouse_con, tmp_path, now)
    for dataset in registry().datasets:
        ledger.load_pending(warehouse_con, dataset, tmp_path, now)
    want_hash = hmac.new(TEST_PII_KEY.encode(), NIK.encode(), hashlib.sha256).hexdigest()
    rows = warehouse_con.execute(
        "SELECT nik_hash, nik_shape, nib, sektor, tanggal_pembinaan, produksi_kg, omzet_rp, "
        "triwulan FROM raw.kpkp_roster ORDER BY _source_row").fetchall()
    same = (want_hash, "9999999999999999", "1234567890123", "Perikanan", "13/01/2025", "200",
            "Rp 50.000.000", "TW I 2025")
    assert rows == [same, same]
