"""Excel in and out: the evaluation workbook for the ministry (evaluation.py) over a small
write-only sheet writer (writer.py). The instrument spreadsheet lives in evaluations/instrument_io.py."""
