"""Excel in and out.

workbook.py             the evaluation workbook for the ministry (its own sheets), over writer.py
workbook_quickwins.py   its Quick Wins sheet
workbook_datasets.py    its data-set sheets
workbook_surveys.py     its impact-survey sheets (Survei Dampak, Responden)
writer.py               a small write-only sheet writer (text never becomes a formula)
reader.py               the one reader of uploaded .xlsx files: container checks, pandas frame, named sheets
cells.py                CellError, the yes/no words, the number parser, cell helpers
datasets.py             the data-set template and upload reader
instrument.py           the instrument spreadsheet: its sheets and columns, read and validated into a plan
instrument_export.py    a period's instrument written in that format
"""
