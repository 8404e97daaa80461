"""What a spreadsheet cell shows that is not a value: Excel's error values and formulas whose
result was never saved.

calamine (python-calamine 0.9) hands both to us as an empty string, the same as a blank
cell, so an amount of ``#REF!`` would be staged as "no amount". This module reads the
worksheet XML itself to find them: a cell of type ``e`` holds an error value, a cell with a
formula (``<f>``) and no ``<v>`` has no saved result (a file written by a program, never
opened and saved in Excel). The same error texts typed into a CSV are recognised too, so a
``#REF!`` is quarantined with the same rule whichever way it arrives.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

# Excel's error values (the seven of every version, and the newer dynamic-array ones).
ERROR_VALUES = frozenset({
    "#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#BUSY!",
})
SPREADSHEET_ERROR = "spreadsheet_error"            # the quarantine rule
FORMULA_WITHOUT_RESULT = "formula_without_result"  # the quarantine rule
_FORMULA_SHOWN = 80  # characters of a formula a quarantine row quotes

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
# Without either, a worksheet holds neither an error cell nor a formula: not parsed.
_MAY_HOLD = re.compile(rb't="e"|<(?:\w+:)?f[ >/]')
# The same test, fast: one regular expression with an alternation costs 0.75 s on a 9 MB
# sheet (it is tried at every '<'); a substring search and the rare 'f' + ' ', '>' or '/'
# checked where it ends a tag name cost 0.03 s.
_F_FOLLOWED = re.compile(rb"f[ >/]")
_F_TAG = re.compile(rb"<(?:\w+:)?f")
_TAG_NAME_REACH = 64  # a tag's namespace prefix is far shorter


def may_hold(data: bytes) -> bool:
    """Whether a worksheet's XML may hold an error cell or a formula (``_MAY_HOLD``)."""
    if b't="e"' in data:
        return True
    for found in _F_FOLLOWED.finditer(data):
        end = found.start() + 1
        start = data.rfind(b"<", max(0, end - _TAG_NAME_REACH), end)
        if start >= 0 and _F_TAG.fullmatch(data, start, end):
            return True
    return False


def error_value(text: str | None) -> str | None:
    """The Excel error value a cell's text is (`#REF!`), or None."""
    if text is None:
        return None
    stripped = text.strip()
    return stripped if stripped in ERROR_VALUES else None


def unreadable_cells(path: Path, sheets: list[str]) -> dict[str, dict[tuple[int, int], tuple[str, str]]]:
    """Per sheet name: (1-based row, 0-based column) -> (rule, what the cell shows) for every
    error cell and every formula without a saved result of the named sheets."""
    found: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as archive:
        parts = _sheet_parts(archive)
        for sheet in sheets:
            part = parts.get(sheet)
            if part is None or part not in archive.namelist():
                continue
            data = archive.read(part)
            found[sheet] = _scan(data) if may_hold(data) else {}
    return found


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet part in the zip, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_PACKAGE_REL}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                  else posixpath.normpath(posixpath.join("xl", target)))
    return {sheet.get("name"): targets.get(sheet.get(f"{_REL}id"))
            for sheet in workbook.iter(f"{_MAIN}sheet")}


def _scan(data: bytes) -> dict[tuple[int, int], tuple[str, str]]:
    """(row, column) -> (rule, what the cell shows) for one worksheet's XML, streamed so a
    large sheet is never held as a tree."""
    cells: dict[tuple[int, int], tuple[str, str]] = {}
    row_number, column = 0, -1
    for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start":
            if tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                column = -1
            continue
        if tag == "c":
            reference = _CELL_REF.fullmatch(element.get("r") or "")
            column = _column_index(reference[1]) if reference else column + 1
            row = int(reference[2]) if reference else row_number
            value = formula = None
            for child in element:
                child_tag = child.tag.rsplit("}", 1)[-1]
                if child_tag == "v":
                    value = child.text
                elif child_tag == "f":
                    formula = child.text or ""
            if element.get("t") == "e" and value:
                cells[(row, column)] = (SPREADSHEET_ERROR, value.strip())
            elif formula is not None and value in (None, ""):
                shown = f"={formula}" if formula else "a shared formula"
                if len(shown) > _FORMULA_SHOWN:
                    shown = shown[:_FORMULA_SHOWN] + "..."
                cells[(row, column)] = (FORMULA_WITHOUT_RESULT, shown)
            element.clear()
        elif tag == "row":
            element.clear()
    return cells


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1
