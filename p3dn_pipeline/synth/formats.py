"""Indonesian number and date spellings, as people and government systems write them.

The formatters are the pipeline's own (``p3dn_pipeline.lib.indoformat``), whose parsers are
tested to read back exactly what they write; this module adds the month spellings the
generator picks from.
"""

from __future__ import annotations

from p3dn_pipeline.lib.indoformat import excel_serial, format_rupiah, format_tanggal

__all__ = ["BULAN_EJAAN_LAMA", "BULAN_PENDEK", "NAMA_BULAN", "NAMA_HARI", "excel_serial",
           "format_rupiah", "format_tanggal"]

NAMA_BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
BULAN_PENDEK = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov",
                "Des")
# The old spelling still found in templates: "Pebruari" (short "Peb").
BULAN_EJAAN_LAMA = tuple("Pebruari" if b == "Februari" else b for b in NAMA_BULAN)
NAMA_HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
