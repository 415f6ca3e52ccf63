"""The cell values real exports hold, read by the importers' parsers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creator_assistant.data.importers import CellError
from creator_assistant.data.importers.parse import date, number, seconds


@pytest.mark.parametrize("cell,value", [
    ("15503810", 15503810), ("<1", 0.5), ("74%", 74), ("1.2K", 1200), ("3M", 3e6),
    ("1,234,567", 1234567), ("-12", -12), ("\u22125", -5), ("", None), (" 7.25 ", 7.25),
])
def test_numbers(cell, value):
    assert number(cell) == value


@pytest.mark.parametrize("cell", ["many", "12,4O5", "1,23", "K"])
def test_not_numbers(cell):
    with pytest.raises(CellError, match="expected a number"):
        number(cell)


@pytest.mark.parametrize("cell,value", [
    ("0:04:34", 274), ("4:34", 274), ("1:00:00", 3600), ("PT4M13S", 253), ("611", 611),
    ("", None),
])
def test_durations(cell, value):
    assert seconds(cell) == value


@given(st.integers(min_value=0, max_value=200 * 3600))
def test_any_h_mm_ss_reads_back_as_its_seconds(total):
    assert seconds(f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}") == total


@pytest.mark.parametrize("cell,value", [
    ("Sep 27, 2024", "2024-09-27"), ("September 27, 2024", "2024-09-27"),
    ("2024-09-27", "2024-09-27"), ("2018-10-31T14:17:10.000Z", "2018-10-31T14:17:10"),
    ("2004-01", "2004-01"), ("", None),
])
def test_dates(cell, value):
    assert date(cell) == value


def test_not_a_date():
    with pytest.raises(CellError, match="expected a date like 2024-09-27 or Sep 27, 2024"):
        date("27.09.2024")
