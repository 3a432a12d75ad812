"""CSV cells a spreadsheet will not run: the OWASP formula-injection rule, reversibly.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR is a formula to
Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``,
``@SUM(...)``). ``protect`` puts a ``'`` before it, which spreadsheets show as
text. So that newsdesk reads its own export back exactly, a cell that already
starts with ``'`` followed by one of those characters (or by another ``'``) gets
one more, and ``unprotect`` removes exactly one: ``unprotect(protect(s)) == s``
for every string.
"""

from __future__ import annotations

FORMULA_STARTS = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet cell a formula (OWASP)."""
_QUOTE = "'"


def protect(cell: str) -> str:
    """``cell`` as a CSV export writes it: never a formula to a spreadsheet."""
    if not cell:
        return cell
    first = cell[0]
    if first in FORMULA_STARTS:
        return _QUOTE + cell
    if first == _QUOTE and len(cell) > 1 and (cell[1] in FORMULA_STARTS or cell[1] == _QUOTE):
        return _QUOTE + cell
    return cell


def unprotect(cell: str) -> str:
    """The text ``protect`` was given: one ``'`` removed before a formula start or a ``'``."""
    if len(cell) > 1 and cell[0] == _QUOTE and (cell[1] in FORMULA_STARTS or cell[1] == _QUOTE):
        return cell[1:]
    return cell
