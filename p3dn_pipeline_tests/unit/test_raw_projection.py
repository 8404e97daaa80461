"""The raw load's SELECT (readers._select_sql) stores exactly what the personal-data and NFKC
macros say, field by field: p3dn_nfkc of every field but prose, p3dn_tanpa_identitas over
every field of a dataset whose rows name people, p3dn_tanpa_nama over its coded fields, and
the keyed hash and shape of each hashed field. The projection computes each of those once, in
layers, with fast paths for plain values (p3dn_nfkc_kolom, p3dn_teks_kolom); the reference
here composes the macros themselves, whose own rules are pinned in test_session_macros.py
and test_nfkc.py."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from p3dn_pipeline.lib import readers
from p3dn_pipeline.lib import nfkc_table
from p3dn_pipeline.lib.sources import registry

WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"

HOSTILE = [
    None, "", " ", "  ", "\t", "\u3000", "\xa0x\xa0", " lead", "trail ", "a  b", "a\tb", "a \u2003 b",
    "3174012345678901", "'3174012345678901", "3174012345678901.0", "3174 0123 4567 8901",
    "3174-0123-4567-8901", "３１７４０１２３４５６７８９０１", "317401234567890１", "⑳⑳⑳⑳⑳⑳⑳⑳",
    "081234567890", "+62 812-3456-7890", "0812 3456 7890", "+６２８１２３４５６７８９０",
    "Siti Aminah", "M. Yusuf", "Sukarno", "X.KODE", "SKPD.A.1", "TW IV", "TW Ⅳ", "ＴＷ ＩＶ",
    "Januari", "nihil", "tidak ada", "1.234", "150.000,50", "Rp 1.500.000", "2025-03-31",
    "ﬁsh ﬂour", "Ĳssel", "№ 5", "㎏", "Ｐ３ＤＮ", "kode\u00a0skpd", "José", "Jose\u0301",
    "Nguyễn Văn A", "Ａｂｃ Ｄｅｆ", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", "abc;def", "ø", "€ 5",
]


def _reference_exprs(dataset, refs: dict[str, str]) -> list[str]:
    """The stored value of each raw column, composed from the macros alone."""
    exprs = []
    for f in dataset.all_fields():
        ref = refs.get(f.name)
        if ref is not None and not f.prose:
            ref = f"p3dn_nfkc({ref})"
        if ref is not None and dataset.rows_name_people:
            ref = f"p3dn_tanpa_identitas({ref})"
            if f.name in dataset.coded_fields:
                ref = f"p3dn_tanpa_nama({ref})"
        exprs.append(f"CAST({ref} AS VARCHAR)" if ref else "NULL")
    for name, treatment in dataset.personal.items():
        if treatment != "hash":
            continue
        ref = refs.get(name)
        if ref is None:
            exprs += ["NULL", "NULL"]
            continue
        normalised = f"coalesce(p3dn_digits(p3dn_nfkc({ref})), p3dn_teks(p3dn_nfkc({ref})))"
        exprs += [f"p3dn_hmac({normalised})", f"p3dn_shape({normalised})"]
    return exprs


def _compare(con, dataset, values: list[str | None]) -> None:
    fields = [f.name for f in dataset.all_fields()]
    hashed = [name for name, treatment in dataset.personal.items() if treatment == "hash"]
    names = list(dict.fromkeys(fields + hashed))
    # Row k gives field j the value k + j (mod the list): every value in every field.
    rows = [[values[(k + j) % len(values)] for j in range(len(names))] + [k + 1]
            for k in range(len(values))]
    con.execute("CREATE OR REPLACE TEMP TABLE hostile_source ("
                + ", ".join(f"f{j} VARCHAR" for j in range(len(names))) + ", nomor BIGINT)")
    con.executemany(f"INSERT INTO hostile_source VALUES ({', '.join('?' * (len(names) + 1))})", rows)
    refs = {name: f"f{j}" for j, name in enumerate(names)}
    ours = readers._select_sql(dataset, readers.Source("hostile_source", refs, "nomor"), "NULL")
    params = {"file": "f.csv", "sha": "0" * 64, "loaded_at": "2026-12-05 00:00:00"}
    got = con.execute(f"SELECT * FROM ({ours}) ORDER BY _p3dn_row", params).fetchall()
    width = len(_reference_exprs(dataset, refs))
    expected = con.execute(f"SELECT {', '.join(_reference_exprs(dataset, refs))}, nomor "
                           "FROM hostile_source ORDER BY nomor").fetchall()
    assert len(got) == len(expected) == len(values)
    for g, e in zip(got, expected):
        assert g[:width] == e[:width], (dataset.name, g[width + 2], values)
        # Lineage: $file, the sheet, the row, $sha, $loaded_at, the read problem.
        assert (g[width], g[width + 1], g[width + 2], g[width + 3]) == ("f.csv", None, e[width], "0" * 64)


DATASETS = sorted(registry().datasets, key=lambda d: d.name)


@pytest.mark.parametrize("dataset", DATASETS, ids=[d.name for d in DATASETS])
def test_the_raw_projection_stores_what_the_macros_say_on_hostile_values(warehouse_con, dataset):
    _compare(warehouse_con, dataset, HOSTILE)


def test_some_dataset_names_people_and_has_coded_and_hashed_fields():
    # The comparisons above cover every branch of the projection only if such a dataset exists.
    people = [d for d in DATASETS if d.rows_name_people and d.coded_fields
              and "hash" in d.personal.values()]
    assert people


_ALPHABET = st.sampled_from(
    list(string.printable) + list(WHITE_SPACE) + list(nfkc_table.SINGLE_FROM[:400])
    + list(nfkc_table.MULTI)[:60] + list("éèñøßĲ١٢٣"))


# Each comparison binds the macros' long tables anew (about 0.7 s): few examples, of many values each.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.none(), st.text(_ALPHABET, max_size=24),
                          st.from_regex(r"\A'?[0-9]{16}\Z|\A(\+62|0)[ -]?8[0-9 .-]{8,15}\Z|\A[A-Z][a-z]+ [A-Z][a-z]+\Z")),
                min_size=1, max_size=60))
def test_the_raw_projection_agrees_with_the_macros_on_generated_values(warehouse_con, values):
    kpkp = next(d for d in DATASETS if d.name == "kpkp_roster")  # every branch: people, codes, NIK
    _compare(warehouse_con, kpkp, values)


@pytest.mark.parametrize("value", HOSTILE + [WHITE_SPACE, "a" + WHITE_SPACE + "b"])
def test_the_fast_column_macros_equal_the_full_ones(warehouse_con, value):
    assert warehouse_con.execute(
        "SELECT p3dn_nfkc_kolom($v) IS NOT DISTINCT FROM p3dn_nfkc($v), "
        "p3dn_teks_kolom($v) IS NOT DISTINCT FROM p3dn_teks($v)", {"v": value}).fetchall() == [(True, True)]
