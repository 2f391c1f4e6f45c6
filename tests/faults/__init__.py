"""Fault-injection suite (issue 9): bad spreadsheets now; run alone with `pytest -m faults`."""
