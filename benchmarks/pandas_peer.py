"""The peer: the same marts the way an analyst writes them in a notebook, with pandas.

    .venv/bin/python benchmarks/pandas_peer.py --landing DIR [--kd-klpd DKI]

``pd.read_json`` / ``pd.read_csv`` / ``pd.read_excel`` (calamine engine) on the files the
generator names, then merge and groupby, following README "Definitions": the headline
``p3dn_provinsi`` (kd_klpd x tahun), ``p3dn_per_skpd`` (sub-units rolled up to their SKPD by
RUP-MasterSatker, realisation over every channel, e-Order included), ``p3dn_apbd_bulanan`` and
``umkm_binaan_triwulan`` (four levels, nobody "new" in the baseline quarter, a departed
business's year-to-date figures kept within its year). Rows the pipeline would quarantine
(unreadable numbers, APBD subtotal lines, a NIK that is not 16 digits) are dropped, and the
last copy of a duplicated key wins, as an analyst who knows the data would do; amounts are
floats. Nothing is hashed, checked, recorded or kept: it is a comparison point for speed,
and its marts are a check of the pipeline's (``bench_pipeline.py`` compares the headline and
each mart's totals; ``test_the_benchmark_peer_computes_the_same_marts_as_the_pipeline``
compares them row for row on the shipped sample).

Prints one JSON line: ``work_s`` (read to marts), ``peak_rss_mb``, the headline rows and a
few totals of each mart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parent.parent / "p3dn_pipeline" / "reference_data"
V6_TRANSACTED = ["ON_PROCESS", "ON_ADDENDUM", "COMPLETED", "PAYMENT_OUTSIDE_SYSTEM"]
V5_TRANSACTED = ["Paket Proses", "Paket Selesai"]
BULAN = {"jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "mei": 5, "jun": 6, "jul": 7,
         "agu": 8, "agt": 8, "ags": 8, "sep": 9, "okt": 10, "nov": 11, "des": 12}
SEKTOR = {"pertanianperkotaan": "Pertanian Perkotaan", "urbanfarming": "Pertanian Perkotaan",
          "peternakan": "Peternakan", "perikanan": "Perikanan",
          "olahanpangan": "Olahan Pangan", "kerajinan": "Kerajinan"}
ROMAWI = {"I": 1, "II": 2, "III": 3, "IV": 4}


# ---------------------------------------------------------------------------- reading

def read_all(landing: Path, pattern: str, reader) -> pd.DataFrame:
    """Every file matching ``pattern``, stacked, with its path and row so the last copy of
    a duplicated key can win."""
    frames = []
    for path in sorted(landing.glob(pattern)):
        frame = reader(path)
        frame["_file"] = path.relative_to(landing).as_posix()
        frame["_row"] = np.arange(len(frame))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def json_file(path: Path) -> pd.DataFrame:
    # dtype=False: identifiers such as NPWP keep their leading zeros.
    return pd.read_json(path, dtype=False)


_SATUAN = {"rb": 1e3, "ribu": 1e3, "jt": 1e6, "juta": 1e6, "miliar": 1e9, "milyar": 1e9,
           "m": 1e9, "triliun": 1e12, "t": 1e12}
# The README's number rule, as the pipeline's p3dn_angka reads it: dots group thousands in
# threes, a comma is the decimal mark, an optional Rp, minus or brackets, a unit word; else a
# dot before 1-2 or 4+ digits is an English decimal point. Anything else is unreadable.
_INDONESIAN = (r"^(\()? ?(-)? ?(?:[Rr][Pp]\.? ?)?(-)? ?([0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)"
               r"(?:,-|(?:,([0-9]+))?(?: ?((?i:rb|ribu|jt|juta|miliar|milyar|triliun)|M|T))?)"
               r"(?: ?(\)))?$")
_DECIMAL_POINT = r"^(-)?([0-9]+\.(?:[0-9]{1,2}|[0-9]{4,}))$"


def rupiah(values: pd.Series) -> pd.Series:
    """Indonesian amounts typed as text (``Rp 1.234.567,-``, ``114.473.717,36``, ``1,5 M``)
    or numbers."""
    text = values.astype("string").str.strip()
    parts = text.str.extract(_INDONESIAN)
    whole = pd.to_numeric(parts[3].str.replace(".", "", regex=False) + "."
                          + parts[4].fillna("0"), errors="coerce")
    unit = parts[5].str.lower().map(_SATUAN).astype("float64").fillna(1.0)
    brackets_ok = parts[0].isna() == parts[6].isna()
    negative = parts[1].notna() | parts[2].notna() | parts[0].notna()
    parsed = (whole * unit).where(brackets_ok)
    parsed = parsed.where(~negative, -parsed)
    point = text.str.extract(_DECIMAL_POINT)
    pointed = pd.to_numeric(point[1], errors="coerce")
    pointed = pointed.where(point[0].isna(), -pointed)
    parsed = parsed.fillna(pointed).astype("float64")
    numeric = pd.to_numeric(values.where(values.map(lambda v: isinstance(v, (int, float)))),
                            errors="coerce")
    return numeric.fillna(parsed).round(2)


def pct(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    share = 100 * numerator / denominator.where(denominator != 0)
    return share.round(2)


def keep_last(frame: pd.DataFrame, key: list[str], order: list[str] | None = None) -> pd.DataFrame:
    return frame.sort_values((order or []) + ["_file", "_row"]).drop_duplicates(key, keep="last")


# ---------------------------------------------------------------------------- LKPP

def sirup(landing: Path) -> pd.DataFrame:
    rup = read_all(landing, "lkpp/rup_paket_penyedia_*.json", json_file)
    rup["kd_rup"] = pd.to_numeric(rup["kd_rup"], errors="coerce")
    rup["pagu"] = pd.to_numeric(rup["pagu"], errors="coerce")
    rup["tahun_anggaran"] = pd.to_numeric(rup["tahun_anggaran"], errors="coerce")
    rup["kd_satker_str"] = rup["kd_satker_str"].str.strip().str.rstrip(".")
    rup["status_pdn"] = rup["status_pdn"].str.upper()
    rup["status_ukm"] = rup["status_ukm"].str.upper()
    rup = rup[rup["kd_rup"].notna() & rup["kd_klpd"].notna() & rup["tahun_anggaran"].notna()
              & rup["kd_satker_str"].notna() & (rup["pagu"] >= 0)
              & rup["status_pdn"].isin(["PDN", "IMPOR"])
              & rup["status_ukm"].isin(["UKM", "NON UKM", "NON-UKM"])].copy()
    rup["_event_date"] = pd.to_datetime(rup["_event_date"], errors="coerce")
    rup = keep_last(rup, ["kd_rup"], ["_event_date"])
    rup["is_komitmen"] = (rup["status_aktif_rup"].astype(bool) & ~rup["status_delete_rup"].astype(bool)
                          & (rup["status_umumkan_rup"].str.lower() == "terumumkan"))
    rup["is_pdn"] = rup["status_pdn"] == "PDN"
    rup["is_ukm"] = rup["status_ukm"] == "UKM"
    return rup


def struktur(landing: Path) -> pd.DataFrame:
    sa = read_all(landing, "lkpp/rup_struktur_anggaran_*.json", json_file)
    for column in ("tahun_anggaran", "belanja_operasi", "belanja_modal", "belanja_pengadaan",
                   "total_belanja"):
        sa[column] = pd.to_numeric(sa[column], errors="coerce")
    sa["kd_satker_str"] = sa["kd_satker_str"].str.strip().str.rstrip(".")
    sa = sa.dropna(subset=["kd_klpd", "tahun_anggaran", "kd_satker_str", "belanja_operasi",
                           "belanja_modal", "belanja_pengadaan", "total_belanja"])
    sa = sa[sa["belanja_pengadaan"] >= 0]
    return keep_last(sa, ["kd_klpd", "tahun_anggaran", "kd_satker_str"])


def produk(landing: Path) -> pd.DataFrame:
    pr = read_all(landing, "lkpp/ecat_produk_detail*.json", json_file)
    pr["kd_produk"] = pr["kd_produk"].astype(str).str.strip()
    pr["tkdn"] = pd.to_numeric(pr["tkdn_produk"].astype("string").str.replace(",", "."),
                               errors="coerce")
    return keep_last(pr, ["kd_produk"])[["kd_produk", "tkdn"]]


def paket(landing: Path, rup: pd.DataFrame, sa: pd.DataFrame, pr: pd.DataFrame) -> pd.DataFrame:
    """v6 orders and v5 packages (lines summed) with SKPD, PDN/UKM flags and TKDN values."""
    v6 = read_all(landing, "lkpp/ecat_paket_v6_*.json", json_file)
    v6["tahun_anggaran"] = pd.to_numeric(v6["tahun_anggaran"], errors="coerce")
    v6["nilai"] = pd.to_numeric(v6["total_harga"], errors="coerce")
    v6["kd_rup_num"] = pd.to_numeric(v6["kd_rup"].astype("string").str.replace(r"[ .-]", "", regex=True),
                                     errors="coerce")
    v6["tgl_order"] = pd.to_datetime(v6["tgl_order"], errors="coerce")
    v6["status"] = v6["status_pkt"].str.strip().str.upper()
    v6["kd_satker_str"] = v6["kd_satker_str"].str.strip().str.rstrip(".")
    v6 = v6[v6["kd_paket"].notna() & v6["kd_klpd"].notna() & v6["tahun_anggaran"].notna()
            & v6["kd_satker_str"].notna() & (v6["nilai"] >= 0) & v6["tgl_order"].notna()
            & v6["status"].notna() & (v6["kd_rup"].isna() | v6["kd_rup_num"].notna())]
    v6 = keep_last(v6, ["kd_paket"])
    produk_per_order = (v6[["kd_paket", "product_ids"]].dropna()
                        .assign(kd_produk=lambda d: d["product_ids"].str.split(","))
                        .explode("kd_produk"))
    produk_per_order["kd_produk"] = produk_per_order["kd_produk"].str.strip()
    tkdn = (produk_per_order.merge(pr, on="kd_produk", how="left")
            .groupby("kd_paket").agg(n=("kd_produk", "size"), known=("tkdn", "count"),
                                     tkdn_min=("tkdn", "min")).reset_index())
    v6 = v6.merge(tkdn, on="kd_paket", how="left")
    all_known = v6["n"] == v6["known"]
    orders = pd.DataFrame({
        "kd_klpd": v6["kd_klpd"], "tahun_anggaran": v6["tahun_anggaran"],
        "kd_paket": v6["kd_paket"], "kd_rup": v6["kd_rup_num"],
        "satker_sendiri": v6["kd_satker_str"], "tgl_order": v6["tgl_order"],
        "transacted": v6["status"].isin(V6_TRANSACTED), "nilai": v6["nilai"],
        "nilai_tkdn_diketahui": v6["nilai"].where(all_known, 0),
        "nilai_tkdn_min_25": v6["nilai"].where(all_known & (v6["tkdn_min"] >= 25), 0),
    })

    v5 = read_all(landing, "lkpp/ecat_paket_v5_*.csv", lambda p: pd.read_csv(p, low_memory=False))
    v5["kd_paket"] = pd.to_numeric(v5["kd_paket"], errors="coerce")
    v5["satker_id"] = pd.to_numeric(v5["satker_id"], errors="coerce")
    v5["tahun_anggaran"] = pd.to_numeric(v5["tahun_anggaran"], errors="coerce")
    v5["nilai"] = pd.to_numeric(v5["total_harga"], errors="coerce")
    v5["kd_rup_num"] = pd.to_numeric(v5["kd_rup"], errors="coerce")
    v5["tanggal"] = pd.to_datetime(v5["tanggal_buat_paket"], errors="coerce")
    v5["kd_produk"] = v5["kd_produk"].astype("string").str.strip()
    v5 = v5[v5["kd_paket"].notna() & v5["kd_produk"].notna() & v5["kd_klpd"].notna()
            & v5["tahun_anggaran"].notna() & v5["satker_id"].notna() & (v5["nilai"] >= 0)
            & v5["tanggal"].notna() & (v5["kd_rup"].isna() | v5["kd_rup_num"].notna())]
    v5 = keep_last(v5, ["kd_paket", "kd_produk"])
    v5["transacted"] = (v5["paket_status_str"].isin(V5_TRANSACTED)
                        & ~v5["status_paket"].fillna("").str.lower().str.contains("batal"))
    v5 = v5.merge(pr, on="kd_produk", how="left")
    v5["nilai_tkdn_diketahui"] = v5["nilai"].where(v5["tkdn"].notna(), 0)
    v5["nilai_tkdn_min_25"] = v5["nilai"].where(v5["tkdn"] >= 25, 0)
    satker = (pd.concat([sa[["kd_klpd", "kd_satker", "kd_satker_str"]],
                         rup[["kd_klpd", "kd_satker", "kd_satker_str"]]])
              .groupby(["kd_klpd", "kd_satker"])["kd_satker_str"].min().reset_index()
              .rename(columns={"kd_satker": "satker_id", "kd_satker_str": "satker_sendiri"}))
    v5 = v5.merge(satker, on=["kd_klpd", "satker_id"], how="left")
    packages = v5.groupby(["kd_klpd", "tahun_anggaran", "kd_paket"]).agg(
        kd_rup=("kd_rup_num", "first"), satker_sendiri=("satker_sendiri", "first"),
        tgl_order=("tanggal", "min"), transacted=("transacted", "all"), nilai=("nilai", "sum"),
        nilai_tkdn_diketahui=("nilai_tkdn_diketahui", "sum"),
        nilai_tkdn_min_25=("nilai_tkdn_min_25", "sum")).reset_index()
    packages["kd_paket"] = packages["kd_paket"].astype("int64").astype(str)

    both = pd.concat([orders, packages], ignore_index=True)
    both = both.merge(rup[["kd_rup", "kd_satker_str", "is_komitmen", "is_pdn", "is_ukm"]],
                      on="kd_rup", how="left")
    both["kd_satker_str"] = (both["kd_satker_str"].fillna(both["satker_sendiri"])
                             .fillna("(tidak diketahui)"))
    both["is_rup_komitmen"] = both["is_komitmen"].fillna(False).astype(bool)
    both["is_pdn"] = both["is_rup_komitmen"] & both["is_pdn"].fillna(False).astype(bool)
    both["is_ukm"] = both["is_rup_komitmen"] & both["is_ukm"].fillna(False).astype(bool)
    return both


# ---------------------------------------------------------------------------- SKPD

def kode_rup_list(values: pd.Series) -> pd.Series:
    """A kd_rup field's codes (``;`` or ``,`` between them), sorted and distinct; None
    when empty or when one part is not a number."""
    def codes(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        parts = [p for p in re.split(r"\s*[;,]\s*", str(value).strip()) if p != ""]
        digits = ["".join(ch for ch in p if ch.isdigit()) for p in parts]
        if not parts or not all(digits):
            return None
        return sorted({int(d) for d in digits})
    return values.map(codes)


def kode_rup(values: pd.Series) -> pd.Series:
    return kode_rup_list(values).map(lambda c: c[0] if c is not None and len(c) == 1 else np.nan)


def master_satker(landing: Path) -> pd.DataFrame:
    """RUP-MasterSatker: each unit's SKPD (a sub-unit, last group not 0000, rolls up to the
    same code ending .0000)."""
    ms = read_all(landing, "lkpp/rup_master_satker*.json", json_file)
    ms["kd_satker_str"] = ms["kd_satker_str"].astype("string").str.strip().str.rstrip(".")
    ms["kd_satker"] = pd.to_numeric(ms["kd_satker"], errors="coerce")
    ms = keep_last(ms.dropna(subset=["kd_klpd", "kd_satker_str"]), ["kd_klpd", "kd_satker_str"])
    sub_unit = ms["kd_satker_str"].str.fullmatch(r"[0-9]+(\.[0-9]+){6}\.[0-9]*[1-9][0-9]*")
    ms["induk"] = ms["kd_satker_str"].where(
        ~sub_unit.fillna(False), ms["kd_satker_str"].str.replace(r"\.[0-9]+$", ".0000", regex=True))
    return ms


def roll_up(frame: pd.DataFrame, ms: pd.DataFrame, unknown: str | None = None) -> pd.DataFrame:
    """``kd_satker_str`` replaced by its SKPD; an unknown unit stays itself (or ``unknown``)."""
    induk = ms.set_index(["kd_klpd", "kd_satker_str"])["induk"]
    keys = pd.MultiIndex.from_arrays([frame["kd_klpd"], frame["kd_satker_str"]])
    rolled = pd.Series(induk.reindex(keys).to_numpy(), index=frame.index)
    satker = rolled.fillna(frame["kd_satker_str"])
    return frame.assign(kd_satker_str=satker if unknown is None else satker.fillna(unknown))


def package_skpd(rup: pd.DataFrame) -> pd.Series:
    """Each SiRUP package's SKPD, by kd_klpd x tahun_anggaran x kd_rup."""
    return rup.drop_duplicates(["kd_klpd", "tahun_anggaran", "kd_rup"]).set_index(
        ["kd_klpd", "tahun_anggaran", "kd_rup"])["kd_satker_str"]


def rup_satker(packages: pd.Series, frame: pd.DataFrame, code: str) -> pd.Series:
    """The SKPD of each row's SiRUP package (same kd_klpd and year), NaN when none."""
    keys = pd.MultiIndex.from_arrays([frame["kd_klpd"], frame["tahun_anggaran"], frame[code]])
    return pd.Series(packages.reindex(keys).to_numpy(), index=frame.index)


# ---------------------------------------------------------------------------- other channels

def table_file(path: Path) -> pd.DataFrame:
    """An SPSE or Bela export: JSON, or CSV with the same field names."""
    if path.suffix == ".csv":
        return pd.read_csv(path, low_memory=False)
    return json_file(path)


_CHANNEL_COLUMNS = ["kd_klpd", "tahun_anggaran", "kd_satker_str", "nilai", "nilai_pdn"]


def spse_rows(landing: Path, pattern: str, key: str, nilai: str, nilai_pdn: str,
              value_required: bool = False) -> pd.DataFrame:
    """An SPSE export's readable rows (a numeric key, kd_klpd, a year, amounts by the number
    rule and not negative; an empty value stays unknown unless required, when the row is
    quarantined before duplicates are ranked), the newest row of a package."""
    rows = read_all(landing, pattern, table_file)
    if not len(rows):
        return pd.DataFrame(columns=_CHANNEL_COLUMNS)
    rows["key"] = pd.to_numeric(rows[key].astype("string").str.replace(r"\D", "", regex=True),
                                errors="coerce")
    rows["tahun_anggaran"] = pd.to_numeric(rows["tahun_anggaran"], errors="coerce")
    rows["nilai"] = rupiah(rows[nilai])
    rows["nilai_pdn"] = rupiah(rows[nilai_pdn])
    rows = rows[rows["key"].notna() & rows["kd_klpd"].notna() & rows["tahun_anggaran"].notna()
                & ~(rows["nilai"] < 0) & ~(rows["nilai_pdn"] < 0)
                & (rows[nilai].isna() | rows["nilai"].notna())
                & (rows[nilai_pdn].isna() | rows["nilai_pdn"].notna())
                & (rows["nilai"].notna() | (not value_required))]
    rows = keep_last(rows, ["key"])
    if "kd_satker_str" in rows:
        own = rows["kd_satker_str"].astype("string").str.strip().str.rstrip(".")
    else:  # the finished-tender export puts the dotted code in kd_satker
        own = pd.Series(pd.NA, index=rows.index, dtype="string")
    if "kd_satker" in rows:
        dotted = rows["kd_satker"].astype("string").str.strip().str.rstrip(".")
        own = own.fillna(dotted.where(dotted.str.fullmatch(r"[0-9]+(\.[0-9]+){7}").fillna(False)))
    return rows.assign(kd_satker_str=own.replace("", pd.NA))


def spse_selesai(landing: Path, packages: pd.Series, pattern: str, key: str, kd_rup: str,
                 selesai) -> pd.DataFrame:
    """Finished tenders / non-tenders: LKPP's own contract and PDN values; a PDN value of a
    package without a contract value stays unknown (NaN), never 0; under the SKPD of their
    SiRUP package, else their own."""
    rows = spse_rows(landing, pattern, key, "nilai_kontrak", "nilai_pdn_kontrak")
    if not len(rows):
        return rows
    rows = rows[selesai(rows)].copy()
    rows["nilai_pdn"] = rows["nilai_pdn"].where(rows["nilai"].notna())
    rows["kd_rup"] = kode_rup(rows[kd_rup])
    rows["kd_satker_str"] = rup_satker(packages, rows, "kd_rup").fillna(rows["kd_satker_str"])
    return rows[_CHANNEL_COLUMNS]


def pencatatan(landing: Path, packages: pd.Series, pattern: str, key: str) -> pd.DataFrame:
    """Recorded purchases / self-managed work that were not cancelled (a realised value is
    required), under the SKPD of their SiRUP packages when these agree, else their own."""
    rows = spse_rows(landing, pattern, key, "total_realisasi", "nilai_pdn_pct",
                     value_required=True)
    if not len(rows):
        return rows
    batal = rows["status_nontender_pct_ket" if "status_nontender_pct_ket" in rows
                 else "status_swakelola_pct_ket"].astype("string").str.strip().str.lower()
    rows = rows[~(batal == "paket dibatalkan").fillna(False)].copy()
    codes = rows.assign(kd_rup=kode_rup_list(rows["kd_rup"]))[
        ["key", "kd_klpd", "tahun_anggaran", "kd_rup"]].explode("kd_rup").dropna(subset=["kd_rup"])
    codes["kd_rup"] = codes["kd_rup"].astype("int64")
    codes["satker"] = rup_satker(packages, codes, "kd_rup")
    agreed = codes.dropna(subset=["satker"]).groupby("key")["satker"].agg(["nunique", "min"])
    agreed = agreed.loc[agreed["nunique"] == 1, "min"]
    rows["kd_satker_str"] = rows["key"].map(agreed).astype("string").fillna(rows["kd_satker_str"])
    return rows[_CHANNEL_COLUMNS]


def tokodaring(landing: Path, satker_sirup: pd.Series) -> pd.DataFrame:
    """Bela toko daring: verified orders the marketplace confirmed; no PDN value. The unit is
    SiRUP's numeric kd_satker."""
    rows = read_all(landing, "bela/bela_tokodaring_realisasi_*", table_file)
    if not len(rows):
        return pd.DataFrame(columns=_CHANNEL_COLUMNS)
    rows["tahun_anggaran"] = pd.to_numeric(rows["tahun"], errors="coerce")
    rows["nilai"] = rupiah(rows["valuasi"])
    rows = rows[rows["order_id"].notna() & rows["marketplace"].notna() & rows["kd_klpd"].notna()
                & rows["tahun_anggaran"].notna() & (rows["nilai"] >= 0)]
    rows["order_id"] = rows["order_id"].astype(str).str.strip()
    rows = keep_last(rows, ["marketplace", "order_id"])
    ok = ((rows["status_verif"].astype("string").str.strip().str.lower() == "verified")
          & (rows["status_konfirmasi_ppmse"].astype("string").str.strip().str.lower() == "selesai"))
    rows = rows[ok.fillna(False)].copy()
    number = pd.to_numeric(rows["kd_satker"].astype("string").str.replace(r"\D", "", regex=True),
                           errors="coerce")
    keys = pd.MultiIndex.from_arrays([rows["kd_klpd"], number])
    rows["kd_satker_str"] = satker_sirup.reindex(keys).to_numpy()
    return rows.assign(nilai_pdn=np.nan)[_CHANNEL_COLUMNS]


def tanggal(values: pd.Series) -> pd.Series:
    """Dates as a spreadsheet cell, ``dd/mm/yyyy`` or ``[Senin, ]1 Januari 2024``."""
    as_date = pd.to_datetime(values.where(values.map(lambda v: isinstance(v, (pd.Timestamp, dt.datetime, dt.date)))),
                             errors="coerce")
    text = values.astype("string").str.strip().str.lower()
    slash = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    long = text.str.extract(r"(\d{1,2})\s+([a-z]+)\s+(\d{4})$")
    parts = pd.DataFrame({"year": pd.to_numeric(long[2], errors="coerce"),
                          "month": long[1].str[:3].map(BULAN),
                          "day": pd.to_numeric(long[0], errors="coerce")}).astype("float64")
    written = pd.to_datetime(parts, errors="coerce")
    return as_date.fillna(slash).fillna(written)


def eorder(landing: Path, packages: pd.Series, kd_klpd: str) -> pd.DataFrame:
    """BPPBJ DKI e-Order: finished orders (no PDN value), under their SiRUP package's SKPD,
    else the order's own Kode SKPD; the year is the order date's."""
    csv = read_all(landing, "eorder/*.csv", lambda p: pd.read_csv(p, sep=";", dtype=str))
    # A year's orders can outgrow one sheet (1,048,575 rows); the rest are on the next sheets.
    xlsx = read_all(landing, "eorder/*.xlsx", lambda p: pd.concat(
        pd.read_excel(p, engine="calamine", sheet_name=None).values(), ignore_index=True))
    rows = pd.concat([csv, xlsx], ignore_index=True)
    if not len(rows):
        return pd.DataFrame(columns=_CHANNEL_COLUMNS)
    rows["no_order"] = rows["No Order"].astype("string").str.strip()
    rows["tanggal"] = tanggal(rows["Tanggal Order"])
    rows["nilai"] = rupiah(rows["Nilai Order (Rp)"])
    rows = keep_last(rows[rows["no_order"].notna() & rows["tanggal"].notna()
                          & (rows["nilai"] >= 0)], ["no_order"])
    status = rows["Status"].astype("string").str.lower().str.replace(r"[^a-z]", "", regex=True)
    rows = rows[(status == "selesai").fillna(False)].copy()
    rows["kd_klpd"] = kd_klpd
    rows["tahun_anggaran"] = rows["tanggal"].dt.year
    rows["kd_rup"] = kode_rup(rows["Kode RUP"])
    rows["kd_satker_str"] = rup_satker(packages, rows, "kd_rup").fillna(
        rows["Kode SKPD"].astype("string").str.strip())
    return rows.assign(nilai_pdn=np.nan)[_CHANNEL_COLUMNS]


def kanal(landing: Path, rup: pd.DataFrame, sa: pd.DataFrame, ms: pd.DataFrame,
          kd_klpd: str) -> pd.DataFrame:
    """Every non-e-katalog channel's realised packages (kanal, kd_klpd, tahun, SKPD with
    sub-units rolled up, value, PDN value)."""
    satker_sirup = (pd.concat([ms[["kd_klpd", "kd_satker", "kd_satker_str"]],
                               sa[["kd_klpd", "kd_satker", "kd_satker_str"]],
                               rup[["kd_klpd", "kd_satker", "kd_satker_str"]]])
                    .assign(kd_satker=lambda d: pd.to_numeric(d["kd_satker"], errors="coerce"))
                    .dropna().groupby(["kd_klpd", "kd_satker"])["kd_satker_str"].min())
    packages = package_skpd(rup)
    parts = {
        "tender": spse_selesai(landing, packages, "spse/spse_tender_selesai_nilai_*", "kd_tender",
                               "kd_rup_paket", lambda d: pd.Series(True, index=d.index)),
        "nontender": spse_selesai(
            landing, packages, "spse/spse_nontender_selesai_*", "kd_nontender", "kd_rup",
            lambda d: (d["status_nontender"].astype("string").str.replace(" ", "").str.lower()
                       == "selesai").fillna(False)),
        "pencatatan": pencatatan(landing, packages, "spse/spse_pencatatan_nontender_2*",
                                 "kd_nontender_pct"),
        "swakelola": pencatatan(landing, packages, "spse/spse_pencatatan_swakelola_2*",
                                "kd_swakelola_pct"),
        "tokodaring": tokodaring(landing, satker_sirup),
        "eorder": eorder(landing, packages, kd_klpd),
    }
    rows = pd.concat([part.assign(kanal=name) for name, part in parts.items()], ignore_index=True)
    return roll_up(rows, ms, unknown="(tidak diketahui)")


def per_year(channels: pd.DataFrame) -> pd.DataFrame:
    """Each channel's realised and PDN value per kd_klpd x tahun."""
    frames = []
    for name, rows in channels.groupby("kanal"):
        frames.append(rows.groupby(["kd_klpd", "tahun_anggaran"]).agg(
            **{f"realisasi_{name}_rp": ("nilai", "sum"),
               f"realisasi_pdn_{name}_rp": ("nilai_pdn", "sum")}))
    return pd.concat(frames, axis=1).fillna(0)


def p3dn_per_skpd(rup: pd.DataFrame, sa: pd.DataFrame, pkt: pd.DataFrame, ms: pd.DataFrame,
                  channels: pd.DataFrame, targets: dict[str, float]) -> pd.DataFrame:
    """Per SKPD (sub-units rolled up) and year: belanja, commitment, realisation over every
    channel but swakelola (e-katalog's part beside it)."""
    key = ["kd_klpd", "tahun_anggaran", "kd_satker_str"]
    belanja = roll_up(sa, ms).groupby(key).agg(belanja_pengadaan_rp=("belanja_pengadaan", "sum"))
    committed = roll_up(rup[rup["is_komitmen"]], ms).assign(
        pdn=lambda d: d["pagu"].where(d["is_pdn"], 0), umk=lambda d: d["pagu"].where(d["is_ukm"], 0))
    komitmen = committed.groupby(key).agg(
        pagu_komitmen_rp=("pagu", "sum"), komitmen_pdn_rp=("pdn", "sum"),
        komitmen_umk_rp=("umk", "sum"), jumlah_paket_rup=("pagu", "size"))
    transacted = roll_up(pkt[pkt["transacted"]], ms).assign(
        pdn=lambda d: d["nilai"].where(d["is_pdn"], 0),
        tanpa_rup=lambda d: d["nilai"].where(~d["is_rup_komitmen"], 0))
    ekatalog = transacted.groupby(key).agg(
        realisasi_ekatalog_rp=("nilai", "sum"), realisasi_pdn_ekatalog_rp=("pdn", "sum"),
        realisasi_tanpa_rup_rp=("tanpa_rup", "sum"),
        realisasi_tkdn_diketahui_rp=("nilai_tkdn_diketahui", "sum"),
        realisasi_tkdn_min_25_rp=("nilai_tkdn_min_25", "sum"),
        jumlah_paket_ekatalog=("nilai", "size"))
    every = pd.concat([transacted.assign(kanal="ekatalog", nilai_pdn=transacted["pdn"])[
        key + ["kanal", "nilai", "nilai_pdn"]], channels], ignore_index=True)
    in_ratio = every[every["kanal"] != "swakelola"]
    realisasi = in_ratio.groupby(key).agg(realisasi_rp=("nilai", "sum"),
                                          realisasi_pdn_rp=("nilai_pdn", "sum"))
    swakelola = every[every["kanal"] == "swakelola"].groupby(key).agg(
        realisasi_swakelola_rp=("nilai", "sum"))
    skpd = (belanja.join(komitmen, how="outer").join(realisasi, how="outer")
            .join(swakelola, how="outer").join(ekatalog, how="left").fillna(0).reset_index())
    skpd["pct_realisasi_komitmen"] = pct(skpd["realisasi_pdn_rp"], skpd["komitmen_pdn_rp"])
    skpd["pct_pdn_belanja"] = pct(skpd["komitmen_pdn_rp"], skpd["belanja_pengadaan_rp"])
    skpd["pct_umk_belanja"] = pct(skpd["komitmen_umk_rp"], skpd["belanja_pengadaan_rp"])
    for kpi, target in targets.items():
        if kpi not in skpd:
            continue  # a share of realised value (pct_pdn_realisasi): not computed here
        skpd[f"memenuhi_target_{kpi.removeprefix('pct_')}"] = (skpd[kpi] >= target).where(
            skpd[kpi].notna())
    return skpd


def p3dn_provinsi(skpd: pd.DataFrame, channels: pd.DataFrame) -> pd.DataFrame:
    """The headline over every channel but swakelola: e-katalog PDN (the plan's flag) +
    tender + non-tender + pencatatan PDN (LKPP's values); toko daring and e-Order have no
    PDN value."""
    total = skpd.groupby(["kd_klpd", "tahun_anggaran"]).agg(
        realisasi_pdn_ekatalog_rp=("realisasi_pdn_ekatalog_rp", "sum"),
        penyebut_komitmen_pdn_rp=("komitmen_pdn_rp", "sum"),
        komitmen_umk_rp=("komitmen_umk_rp", "sum"),
        belanja_pengadaan_rp=("belanja_pengadaan_rp", "sum"),
        realisasi_ekatalog_rp=("realisasi_ekatalog_rp", "sum")).reset_index()
    # A pemda-year with only another channel's packages (a tender of another kd_klpd) is a
    # row of the headline too, as in the pipeline.
    total = total.merge(per_year(channels).reset_index(), on=["kd_klpd", "tahun_anggaran"],
                        how="outer")
    for column in ("realisasi_pdn_ekatalog_rp", "penyebut_komitmen_pdn_rp", "komitmen_umk_rp",
                   "belanja_pengadaan_rp", "realisasi_ekatalog_rp"):
        total[column] = total[column].fillna(0)
    for name in ("tender", "nontender", "pencatatan", "tokodaring", "swakelola", "eorder"):
        for column in (f"realisasi_pdn_{name}_rp", f"realisasi_{name}_rp"):
            # A channel with no file in the landing folder has no column: zero.
            total[column] = total[column].fillna(0) if column in total else 0.0
    total["pembilang_realisasi_pdn_rp"] = (
        total["realisasi_pdn_ekatalog_rp"] + total["realisasi_pdn_tender_rp"]
        + total["realisasi_pdn_nontender_rp"] + total["realisasi_pdn_pencatatan_rp"])
    total["pct_realisasi_komitmen"] = pct(total["pembilang_realisasi_pdn_rp"],
                                          total["penyebut_komitmen_pdn_rp"])
    total["pct_pdn_belanja"] = pct(total["penyebut_komitmen_pdn_rp"], total["belanja_pengadaan_rp"])
    total["pct_umk_belanja"] = pct(total["komitmen_umk_rp"], total["belanja_pengadaan_rp"])
    return total


# ---------------------------------------------------------------------------- APBD

def apbd(landing: Path, kd_klpd: str) -> pd.DataFrame:
    csv = read_all(landing, "apbd/*.csv", lambda p: pd.read_csv(p, sep=";", dtype=str))
    csv["bulan"] = csv["Bulan"].str.strip().str.lower().str[:3].map(BULAN)
    csv["tahun"] = pd.to_numeric(csv["Tahun"], errors="coerce")
    xlsx = read_all(landing, "apbd/*.xlsx", lambda p: pd.read_excel(p, engine="calamine"))
    if len(xlsx):
        periode = xlsx["Periode"]
        serial = pd.to_numeric(periode, errors="coerce")
        tanggal = pd.to_datetime(periode.where(serial.isna()), errors="coerce").fillna(
            pd.to_datetime(serial, unit="D", origin="1899-12-30", errors="coerce"))
        xlsx["bulan"] = tanggal.dt.month
        xlsx["tahun"] = tanggal.dt.year
    lines = pd.concat([csv, xlsx], ignore_index=True)
    lines["kode_skpd"] = lines["Kode SKPD"].astype("string").str.strip().str.rstrip(". ")
    lines["kode_rekening"] = lines["Kode Rekening"].astype("string").str.strip().str.rstrip(". ")
    lines["realisasi"] = rupiah(lines["Realisasi"])
    lines["anggaran"] = rupiah(lines["Anggaran"])
    lines = lines[lines["kode_skpd"].notna()
                  & lines["kode_rekening"].str.fullmatch(r"[0-9]+(\.[0-9]+){5}").fillna(False)
                  & lines["realisasi"].notna()
                  & (lines["Anggaran"].isna() | lines["anggaran"].notna())
                  & lines["bulan"].between(1, 12) & lines["tahun"].notna()]
    lines = keep_last(lines, ["tahun", "kode_skpd", "kode_rekening", "bulan"])
    lines["kd_klpd"] = kd_klpd
    lines["pengadaan"] = lines["realisasi"].where(
        lines["kode_rekening"].str.startswith(("5.1.02.", "5.2.")), 0)
    return lines


def p3dn_apbd_bulanan(lines: pd.DataFrame, pkt: pd.DataFrame) -> pd.DataFrame:
    key = ["kd_klpd", "tahun_anggaran", "kode_skpd", "bulan"]
    per_month = (lines.rename(columns={"tahun": "tahun_anggaran"})
                 .groupby(key).agg(nama_skpd=("Nama SKPD", "max"),
                                   realisasi_belanja_pengadaan_rp=("pengadaan", "sum"),
                                   realisasi_belanja_total_rp=("realisasi", "sum")))
    orders = pkt[pkt["transacted"] & (pkt["tgl_order"].dt.year == pkt["tahun_anggaran"])].assign(
        kode_skpd=lambda d: d["kd_satker_str"], bulan=lambda d: d["tgl_order"].dt.month,
        pdn=lambda d: d["nilai"].where(d["is_pdn"], 0))
    ekatalog = orders.groupby(key).agg(ekatalog_pdn_rp=("pdn", "sum"), ekatalog_rp=("nilai", "sum"))
    monthly = per_month.join(ekatalog, how="outer").reset_index()
    monthly["ada_data_apbd"] = monthly["realisasi_belanja_total_rp"].notna()
    for column in ("realisasi_belanja_pengadaan_rp", "realisasi_belanja_total_rp",
                   "ekatalog_pdn_rp", "ekatalog_rp"):
        monthly[column] = monthly[column].fillna(0)
    monthly = monthly.sort_values(key)
    per_skpd = monthly.groupby(["kd_klpd", "tahun_anggaran", "kode_skpd"])
    monthly["nama_skpd"] = monthly["nama_skpd"].fillna(per_skpd["nama_skpd"].transform("max"))
    monthly["realisasi_belanja_pengadaan_ytd_rp"] = per_skpd["realisasi_belanja_pengadaan_rp"].cumsum()
    monthly["ekatalog_pdn_ytd_rp"] = per_skpd["ekatalog_pdn_rp"].cumsum()
    monthly["pct_ekatalog_pdn_ytd"] = pct(monthly["ekatalog_pdn_ytd_rp"],
                                          monthly["realisasi_belanja_pengadaan_ytd_rp"])
    return monthly


# ---------------------------------------------------------------------------- KPKP

def kota_key(names: pd.Series) -> pd.Series:
    key = names.astype("string").str.upper().str.strip().str.replace(
        r"^(KOTA ADMINISTRASI|KOTA ADM\.?|KABUPATEN ADMINISTRASI|KAB\.? ADM\.?|KABUPATEN|KAB\.?|KOTA)\s+",
        "", regex=True).str.replace(r"[^A-Z0-9]", "", regex=True)
    return key.replace("KEPSERIBU", "KEPULAUANSERIBU")


def roster(landing: Path, kd_klpd: str) -> pd.DataFrame:
    def read_workbook(path: Path) -> pd.DataFrame:
        sheets = pd.read_excel(path, engine="calamine", sheet_name=None, header=2)
        return pd.concat([s.assign(_sheet=name) for name, s in sheets.items()], ignore_index=True)

    rows = read_all(landing, "kpkp/*.xlsx", read_workbook)
    rows = rows[rows["NIK"].notna()].copy()
    rows["nik"] = rows["NIK"].astype(str).str.replace(r"\.0$", "", regex=True).str.replace(
        r"[^0-9]", "", regex=True)
    quarter = rows["Triwulan"].astype("string").fillna(rows["_sheet"]).str.upper().str.extract(
        r"(?:TW|TRIWULAN)\.?\s*(IV|III|II|I|[1-4])\s*[/-]?\s*(\d{4})")
    rows["triwulan"] = quarter[0].map(lambda q: ROMAWI.get(q, int(q) if isinstance(q, str) and q.isdigit() else None))
    rows["tahun"] = pd.to_numeric(quarter[1], errors="coerce")
    # A sector outside Dinas KPKP's five is counted under Lainnya, as in the pipeline.
    sektor = rows["Sektor"].astype("string").str.strip().replace("", pd.NA)
    rows["sektor"] = sektor.str.lower().str.replace(r"[^a-z]", "", regex=True).map(
        SEKTOR).fillna("Lainnya").where(sektor.notna())
    wilayah = pd.read_csv(REFERENCE / "dki_wilayah_kemendagri_2025.csv", dtype=str)
    kota = wilayah[wilayah["level"] == "kab_kota"]
    codes = dict(zip(kota_key(kota["nama"]), kota["kode"]))
    rows["kode_kab_kota"] = kota_key(rows["Kota"]).map(codes)
    rows["produksi_kg"] = rupiah(rows["Produksi (kg)"])
    rows["omzet_rp"] = rupiah(rows["Omzet (Rp)"])
    rows = rows[(rows["nik"].str.len() == 16) & rows["triwulan"].notna() & rows["tahun"].notna()
                & rows["sektor"].notna() & rows["kode_kab_kota"].notna()
                & ~(rows["produksi_kg"] < 0) & ~(rows["omzet_rp"] < 0)]
    rows = keep_last(rows, ["tahun", "triwulan", "nik"])
    rows["kd_klpd"] = kd_klpd
    rows["triwulan"] = rows["triwulan"].astype(int)
    rows["tahun"] = rows["tahun"].astype(int)
    rows["urutan"] = rows["tahun"] * 4 + rows["triwulan"] - 1
    return rows


LEVELS = {"provinsi": (False, False), "kota": (True, False), "sektor": (False, True),
          "kota_sektor": (True, True)}


def at_level(frame: pd.DataFrame, tingkat: str) -> pd.DataFrame:
    """The rows with kota and/or sektor replaced by '*' ("all") for one level."""
    per_kota, per_sektor = LEVELS[tingkat]
    return frame.assign(tingkat=tingkat,
                        kode_kab_kota=frame["kode_kab_kota"] if per_kota else "*",
                        sektor=frame["sektor"] if per_sektor else "*")


def every_level(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([at_level(frame, t) for t in LEVELS], ignore_index=True)


def umkm_binaan_triwulan(rows: pd.DataFrame) -> pd.DataFrame:
    """Per loaded quarter at four levels (provinsi, kota, sektor, kota x sektor): active,
    new after the baseline quarter, departed, and year-to-date turnover and production in
    which a business absent from a later roster of the same year keeps its latest figures."""
    key = ["kd_klpd", "urutan", "tingkat", "kode_kab_kota", "sektor"]
    rows = rows.sort_values("urutan")
    loaded = rows[["kd_klpd", "tahun", "triwulan", "urutan"]].drop_duplicates()
    baseline = loaded.groupby("kd_klpd")["urutan"].transform("min") == loaded["urutan"]
    loaded = loaded.assign(is_baseline=baseline)
    per_business = rows.groupby(["kd_klpd", "nik"])["urutan"]
    rows = rows.assign(pertama_kali=per_business.transform("min") == rows["urutan"],
                       berikutnya=per_business.shift(-1))
    tahunan = rows["omzet_rp"] * 4 / rows["triwulan"]
    rows = rows.assign(
        mikro=tahunan <= 2e9, kecil=(tahunan > 2e9) & (tahunan <= 15e9),
        menengah=(tahunan > 15e9) & (tahunan <= 50e9), besar=tahunan > 50e9,
        tanpa_omzet=tahunan.isna())
    aktif = every_level(rows).groupby(key).agg(
        jumlah_aktif=("nik", "nunique"), jumlah_pertama_kali=("pertama_kali", "sum"),
        jumlah_mikro=("mikro", "sum"), jumlah_kecil=("kecil", "sum"),
        jumlah_menengah=("menengah", "sum"), jumlah_besar=("besar", "sum"),
        jumlah_tanpa_omzet=("tanpa_omzet", "sum"))
    # Departed: on a roster and not on the next loaded quarter's, counted where it last was.
    gone = rows[rows["berikutnya"] != rows["urutan"] + 1].assign(urutan=lambda d: d["urutan"] + 1)
    gone = gone.merge(loaded[["kd_klpd", "urutan"]], on=["kd_klpd", "urutan"])
    keluar = every_level(gone).groupby(key).size().rename("jumlah_keluar")
    # Year to date at each loaded quarter: each business's latest row of that year so far.
    latest = []
    for quarter in loaded.itertuples():
        so_far = rows[(rows["kd_klpd"] == quarter.kd_klpd) & (rows["tahun"] == quarter.tahun)
                      & (rows["triwulan"] <= quarter.triwulan)]
        latest.append(so_far.sort_values("triwulan").drop_duplicates("nik", keep="last")
                      .assign(urutan=quarter.urutan))
    ytd = every_level(pd.concat(latest, ignore_index=True)).groupby(key).agg(
        produksi_kg_ytd=("produksi_kg", "sum"), omzet_rp_ytd=("omzet_rp", "sum"))
    mart = aktif.join(keluar, how="outer").join(ytd, how="outer").reset_index()
    mart = mart.merge(loaded, on=["kd_klpd", "urutan"])
    for column in ("jumlah_aktif", "jumlah_pertama_kali", "jumlah_keluar", "produksi_kg_ytd",
                   "omzet_rp_ytd"):
        mart[column] = mart[column].fillna(0)
    mart["ada_triwulan_sebelumnya"] = (mart["urutan"] - 1).isin(set(loaded["urutan"]))
    mart["jumlah_baru"] = mart["jumlah_pertama_kali"].where(~mart["is_baseline"])
    mart["jumlah_keluar"] = mart["jumlah_keluar"].where(mart["ada_triwulan_sebelumnya"])
    group = ["kd_klpd", "tingkat", "kode_kab_kota", "sektor"]
    mart = mart.sort_values(group + ["urutan"])
    mart["jumlah_kumulatif"] = mart.groupby(group)["jumlah_pertama_kali"].cumsum()
    mart["produksi_ton_ytd"] = (mart.pop("produksi_kg_ytd") / 1000).round(3)
    previous = mart[group + ["urutan", "jumlah_aktif"]]
    mart = mart.merge(previous.assign(urutan=previous["urutan"] + 1).rename(
        columns={"jumlah_aktif": "jumlah_aktif_triwulan_sebelumnya"}), on=group + ["urutan"], how="left")
    mart = mart.merge(previous.assign(urutan=previous["urutan"] + 4).rename(
        columns={"jumlah_aktif": "jumlah_aktif_tahun_lalu"}), on=group + ["urutan"], how="left")
    mart["pct_pertumbuhan_qoq"] = pct(mart["jumlah_aktif"] - mart["jumlah_aktif_triwulan_sebelumnya"],
                                      mart["jumlah_aktif_triwulan_sebelumnya"])
    mart["pct_pertumbuhan_yoy"] = pct(mart["jumlah_aktif"] - mart["jumlah_aktif_tahun_lalu"],
                                      mart["jumlah_aktif_tahun_lalu"])
    for column in ("kode_kab_kota", "sektor"):
        mart[column] = mart[column].replace("*", None)
    return mart.sort_values(["kd_klpd", "tahun", "triwulan", "tingkat", "kode_kab_kota", "sektor"])


# ---------------------------------------------------------------------------- main

def marts(landing: Path, kd_klpd: str) -> dict[str, pd.DataFrame]:
    """The four marts from the files of a landing folder."""
    targets = pd.read_csv(REFERENCE / "target_kpi.csv").set_index("kpi")["target_pct"].to_dict()
    rup, sa, pr = sirup(landing), struktur(landing), produk(landing)
    ms = master_satker(landing)
    pkt = paket(landing, rup, sa, pr)
    channels = kanal(landing, rup, sa, ms, kd_klpd)
    skpd = p3dn_per_skpd(rup, sa, pkt, ms, channels, targets)
    return {"p3dn_provinsi": p3dn_provinsi(skpd, channels), "p3dn_per_skpd": skpd,
            "p3dn_apbd_bulanan": p3dn_apbd_bulanan(apbd(landing, kd_klpd), pkt),
            "umkm_binaan_triwulan": umkm_binaan_triwulan(roster(landing, kd_klpd))}


def run(landing: Path, kd_klpd: str) -> dict:
    start = time.perf_counter()
    built = marts(landing, kd_klpd)
    work_s = time.perf_counter() - start
    provinsi, skpd = built["p3dn_provinsi"], built["p3dn_per_skpd"]
    bulanan, umkm = built["p3dn_apbd_bulanan"], built["umkm_binaan_triwulan"]
    headline = [
        {k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
         for k, v in row.items()}
        for row in provinsi.to_dict("records")]
    return {
        "work_s": work_s,
        "headline": headline,
        "totals": {
            "p3dn_per_skpd": {"rows": len(skpd),
                              "realisasi_rp": float(skpd["realisasi_rp"].sum()),
                              "realisasi_pdn_rp": float(skpd["realisasi_pdn_rp"].sum()),
                              "realisasi_tkdn_min_25_rp": float(skpd["realisasi_tkdn_min_25_rp"].sum()),
                              "realisasi_tanpa_rup_rp": float(skpd["realisasi_tanpa_rup_rp"].sum())},
            "p3dn_apbd_bulanan": {
                "rows": len(bulanan),
                "realisasi_belanja_pengadaan_rp": float(bulanan["realisasi_belanja_pengadaan_rp"].sum()),
                "ekatalog_pdn_rp": float(bulanan["ekatalog_pdn_rp"].sum())},
            "umkm_binaan_triwulan": {"rows": len(umkm),
                                     "jumlah_aktif": int(umkm["jumlah_aktif"].sum()),
                                     "jumlah_baru": int(umkm["jumlah_baru"].sum()),
                                     "jumlah_keluar": int(umkm["jumlah_keluar"].sum()),
                                     "omzet_rp_ytd": float(umkm["omzet_rp_ytd"].sum())},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--kd-klpd", default="DKI", help="P3DN_KD_KLPD for APBD and KPKP rows")
    args = parser.parse_args()
    result = run(args.landing, args.kd_klpd)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
