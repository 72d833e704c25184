"""slaengine.cells: the one rule every CSV and xlsx cell the project writes goes through."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import openpyxl

from slaengine.cells import ProjectFormula, csv_document, inert, xlsx_append


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe() -> None:
    for risky in ("=1+1", "+1+1", "-1+cmd", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'):
        assert inert(risky) == "'" + risky
    for plain in ("", "HD-Case 1", "'=1", " =1", "-500.00", "+12", "3.50", "—"):
        assert inert(plain) == plain  # numbers stay numbers; nothing else is touched
    data = csv_document([["ticket", "amount"], ["=cmd|' /C calc'!A0", "-500.00"]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["ticket", "amount"], ["'=cmd|' /C calc'!A0", "-500.00"]]


def test_xlsx_text_is_text_and_only_the_projects_own_formula_is_one() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    xlsx_append(sheet, ['=HYPERLINK("http://evil.example","x")', Decimal("-5.00"), "@A1"])
    xlsx_append(sheet, [ProjectFormula("=SUM(B1:B1)")])
    xlsx_append(sheet, [])
    buffer = io.BytesIO()
    book.save(buffer)
    xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("xl/worksheets/sheet1.xml")
    assert xml.count(b"<f>") == 1 and b"<f>SUM(B1:B1)</f>" in xml
    read = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert read["A1"].data_type == "s" and read["A1"].value.startswith("=HYPERLINK")
    assert read["A1"].quotePrefix and read["C1"].quotePrefix
    assert read["B1"].data_type == "n" and read["B1"].value == -5
