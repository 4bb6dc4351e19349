"""Cells of CSV exports made safe to open in a spreadsheet (OWASP "CSV injection").

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after leading
spaces, or when it starts with a tab or a carriage return) as a formula: a unit renamed to
``=HYPERLINK("http://evil.example","x")`` by anyone who may rename units would become a live
link, or worse, in the file another role downloads. Such cells get a leading apostrophe,
OWASP's advice: the spreadsheet shows the text, apostrophe included, and runs nothing. Plain
numbers (amounts, which may be negative) are left as they are, so they still add up.

Identifiers made of digits (phone numbers, ICCID, IMSI, cost-centre codes) are text too: a
spreadsheet would turn ``+4915112345678`` into 4915112345678 and a 20-digit ICCID into
8.93E+19, losing digits. They get the same apostrophe. ``="…"`` would keep them tidier in
Excel, but it is a formula itself, which is what this module refuses to write.

Every cell is written in double quotes, so a cell holding ``;`` or a tab stays one cell in a
spreadsheet that splits on those (Excel in many locales splits on ``;``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Sequence
from typing import Any

# Fullwidth forms too: some spreadsheets (East Asian locales) read them as the ASCII signs.
_RUNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_STARTS_CONTROL = ("\t", "\r", "\n")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_NUMERIC_START = frozenset("0123456789+-")


def safe_cell(value: str, *, text: bool = False) -> str:
    if not value:
        return value
    if text and value.lstrip()[:1] in _NUMERIC_START:
        return "'" + value
    if _NUMBER.fullmatch(value):
        return value
    if value.startswith(_STARTS_CONTROL) or value.lstrip(" \t\r\n")[:1] in _RUNS:
        return "'" + value
    return value


def safe_row(cells: Sequence[str], text_columns: Collection[int] = ()) -> list[str]:
    return [safe_cell(cell, text=i in text_columns) for i, cell in enumerate(cells)]


def writer(buffer: Any) -> Any:
    return csv.writer(buffer, quoting=csv.QUOTE_ALL)
